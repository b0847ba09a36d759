"""Convolution, the slide's picture made live: a small filter slides over the image and at each position writes the
sum of the pixels it covers times its weights; several filters give several output maps, an activation follows,
and one small filter serves every position (parameter sharing)."""
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from PIL import Image
from streamlit.delta_generator import DeltaGenerator

from core import plots
from core.cnn import convolution, convolution_picture
from core.cnn.convolution import KERNELS
from core.plots import PlotStyle
from core.ui import cache, frames, image_input, projector, url_state

OWN = {"Your own 3×3": ("conv_own3", 3, "-1,-1,-1,-1,8,-1,-1,-1,-1"),  # an outline filter
       "Your own 5×5": ("conv_own5", 5, ",".join("0.2" if r == c else "0" for r in range(5) for c in range(5)))}
SOURCES = ("Handwritten digit", "Fashion-MNIST item", "Photo", "Upload")  # a crisp 28×28 digit first
FILTERS = ("Edge: Sobel x", "Edge: Sobel y", "Edge: Laplacian", "Blur: Gaussian 3×3")  # "several filters" default
MAX_FILTERS = 6
SPEEDS = {"1 position": 1, "4 positions": 4, "1 row": 0}  # positions per picture while playing; 0: a row
FRAME_SECONDS = 0.1  # about ten pictures a second while playing
MAX_PLAY_SECONDS = 120  # then it pauses, so a forgotten tab does not keep a shared server busy
PLAYING, PLAYHEAD = "conv_playing", "conv_playhead"  # session only: playing?, where the loop last drew
LARGE = 128  # photos and uploads: the whole output map on a grayscale copy this wide at most
SIGNS = {"RdBu": ("red", "blue"), "PuOr": ("orange", "purple")}  # the diverging scales' negative and positive ends


def section() -> None:
    st.markdown("**Images have structure**: neighbouring pixels make an object only when each sits in the right "
                "place, so a network should look at **chunks of local information**. A convolution does: a small "
                "filter slides over the image and at each position writes one number, the sum of the pixels it "
                "covers times its weights. The same filter serves every position: **parameter sharing**.")
    style = projector.style()
    picked, name, kernel, stride, padding, dilation = controls()
    if picked is None:
        return
    image = picked.small / 255  # the step view's 28×28 input, pixel values 0 to 1
    try:
        out = convolution.convolve(image, kernel, stride, padding, dilation)
    except ValueError as e:
        st.warning(_does_not_fit(image, kernel, padding, dilation, e), icon=":material/crop_free:")
        parameter_sharing(image.shape, [name], {name: kernel}, style)
        return
    view = step_by_step(image, kernel, out, stride, padding, dilation, style)
    large = _large(picked)
    whole_map(large, picked.caption, name, kernel, stride, padding, dilation, style)
    names = several_filters(large, stride, padding, dilation, style)
    parameter_sharing(large.shape, names, KERNELS, style)
    view.play()


def _does_not_fit(image: np.ndarray, kernel: np.ndarray, padding: int, dilation: int, error: ValueError) -> str:
    k, side = kernel.shape[0], min(image.shape) + 2 * padding
    span = dilation * (k - 1) + 1
    if span <= side:
        return f"This convolution cannot be computed: {error}."
    return (f"The filter does not fit: a {k}×{k} filter with dilation {dilation} spans {span}×{span} pixels, more "
            f"than the {side}×{side} padded image. Lower the dilation or add padding.")


# Controls

def controls() -> tuple[image_input.PickedImage | None, str, np.ndarray, int, int, int]:
    """The image, the kernel (named or your own), stride, padding and dilation."""
    picture, filt = st.columns([2, 1.1], gap="large")
    with picture:
        picked = image_input.pick("conv", SOURCES)
    with filt:
        name = url_state.choice(st.selectbox, "Kernel (the filter's weights)", [*KERNELS, *OWN], "Edge: Sobel x",
                                key="conv_kernel")
        kernel = KERNELS[name] if name in KERNELS else own_kernel(name)
    sizes = st.columns(3, gap="large")
    with sizes[0]:
        stride = url_state.slider("Stride", 1, 4, 1, key="conv_stride",
                                  help="How far the filter moves between two positions.")
    with sizes[1]:
        padding = url_state.slider("Padding", 0, 4, 0, key="conv_padding",
                                   help="Rings of zeros added around the image, so the filter can sit on its border.")
    with sizes[2]:
        dilation = url_state.slider("Dilation", 1, 14, 1, key="conv_dilation",
                                    help="The distance between the filter's taps: 1 is a solid window, 2 skips every "
                                         "other pixel, so the filter sees further with the same weights.")
    return picked, name, kernel, stride, padding, dilation


def own_kernel(name: str) -> np.ndarray:
    """An editable 3×3 or 5×5 grid, kept in the URL as its numbers row by row."""
    key, k, default = OWN[name]
    kernel = url_state.value(key, convolution.kernel_from_text(default, k),
                             lambda text: convolution.kernel_from_text(text, k), convolution.kernel_to_text)
    editor = f"{key}_edit_{convolution.kernel_to_text(kernel)}"  # a fresh editor for every new grid: no stale edits
    st.data_editor(pd.DataFrame(kernel, columns=[str(c + 1) for c in range(k)]), key=editor, hide_index=True,
                   on_change=_edited, args=(key, editor), width="stretch",
                   column_config={str(c + 1): st.column_config.NumberColumn(min_value=-100, max_value=100)
                                  for c in range(k)})
    st.caption("Type into the grid: each number is one weight of the filter.")
    return kernel


def _edited(key: str, editor: str) -> None:
    kernel = np.array(st.session_state[key], float)
    for row, cells in st.session_state[editor]["edited_rows"].items():
        for column, v in cells.items():
            kernel[int(row), int(column) - 1] = 0.0 if v is None or not np.isfinite(v) else np.clip(v, -100, 100)
    st.session_state[key] = kernel


def _large(picked: image_input.PickedImage) -> np.ndarray:
    """The image for the whole output maps: a photo or upload as grayscale at most LARGE pixels wide, else 28×28."""
    if picked.rgb is None:
        return picked.small / 255
    gray = Image.fromarray(picked.rgb).convert("L")
    gray.thumbnail((LARGE, LARGE), Image.Resampling.LANCZOS)
    return np.asarray(gray) / 255


# Step by step

def _sync_position(n: int) -> None:
    """Before the position slider: where a stopped or interrupted Play left the filter, within this map's n steps."""
    playhead = st.session_state.pop(PLAYHEAD, None)
    if playhead is not None:
        st.session_state["conv_pos"] = playhead
    if st.session_state.get("conv_pos", 1) > n:
        st.session_state["conv_pos"] = n


def _play(n: int) -> None:
    playing = not st.session_state.get(PLAYING, False)
    st.session_state[PLAYING] = playing
    if playing and st.session_state.get("conv_pos", 1) >= n:  # at the end: play from the start
        st.session_state.pop(PLAYHEAD, None)
        st.session_state["conv_pos"] = 1


def _stop() -> None:
    """Moving the position slider stops Play where the slider says."""
    st.session_state[PLAYING] = False
    st.session_state.pop(PLAYHEAD, None)


def _move(by: int, n: int) -> None:
    st.session_state["conv_pos"] = (st.session_state.get("conv_pos", 1) - 1 + by) % n + 1


def step_by_step(image: np.ndarray, kernel: np.ndarray, out: np.ndarray, stride: int, padding: int, dilation: int,
                 style: PlotStyle) -> "StepView":
    """Play, Back, Step and the position; the input with the filter on it, the output map filling in, and the
    arithmetic of one position: patch, kernel, their product, its sum."""
    st.subheader("Step by step")
    n = out.size
    _sync_position(n)
    playing = st.session_state.get(PLAYING, False)
    play, back, ahead, position, speed = st.columns([1.3, 1.3, 1.3, 4, 1.7], vertical_alignment="bottom")
    play.button("Pause" if playing else "Play", icon=":material/pause:" if playing else ":material/play_arrow:",
                on_click=_play, args=(n,), key="conv_play", type="primary", width="stretch")
    back.button("Back", icon=":material/skip_previous:", on_click=_move, args=(-1, n), key="conv_back",
                disabled=playing or n == 1, width="stretch")
    ahead.button("Step", icon=":material/skip_next:", on_click=_move, args=(1, n), key="conv_step",
                 disabled=playing or n == 1, width="stretch")
    with position:
        if n > 1:
            pos = url_state.slider(f"Position of the filter (1 to {n}, row by row)", 1, n, 1, key="conv_pos",
                                   on_change=_stop)
        else:
            pos = 1
            st.markdown("The filter fits in one position only.")
    with speed:
        per_frame = SPEEDS[url_state.choice(st.selectbox, "Play speed", list(SPEEDS), key="conv_speed")]
    formula = st.empty()
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Input** with the filter on it")
        picture_in = st.empty()
        st.caption(f"The {image.shape[0]}×{image.shape[1]} input, pixel values 0 (black) to 1 (white)"
                   + (f", with {padding} ring{'s' * (padding > 1)} of zero padding (slate blue)" if padding else "")
                   + ". The orange frame is the filter's window; the shaded squares are its "
                   + (f"{kernel.shape[0] ** 2} taps, {dilation} pixels apart." if dilation > 1 else "taps."))
    with right:
        st.markdown("**Output map**, filled in up to this position")
        picture_out = st.empty()
        bound = convolution_picture.bound(out)
        negative, positive = SIGNS.get(style.diverging, ("one end", "the other end"))
        st.caption(f"{out.shape[0]}×{out.shape[1]} output pixels, from −{bound:.3g} ({negative}) through 0 (white) "
                   f"to +{bound:.3g} ({positive}); grey: not computed yet.")
    view = StepView(image, kernel, out, stride, padding, dilation, style, formula, picture_in, picture_out, st.empty(),
                    n, per_frame or out.shape[1])
    view.draw(pos)
    return view


@dataclass
class StepView:
    """The step view's places on the page, redrawn in place while playing."""
    image: np.ndarray
    kernel: np.ndarray
    out: np.ndarray
    stride: int
    padding: int
    dilation: int
    style: PlotStyle
    formula: DeltaGenerator
    picture_in: DeltaGenerator
    picture_out: DeltaGenerator
    arithmetic: DeltaGenerator
    n: int
    per_frame: int
    position: int = 1

    def draw(self, position: int) -> None:
        self.position = position
        step = convolution.step_at(self.image, self.kernel, position - 1, self.stride, self.padding, self.dilation)
        i, j = divmod(position - 1, self.out.shape[1])
        value = 0.0 if abs(step.value) < 1e-9 else step.value
        self.formula.markdown(f"Position **{position}** of {self.n}: output pixel (row {i}, column {j}) = sum of "
                              f"patch × kernel = **{value:.4g}**")
        k = self.kernel.shape[0]
        draw = convolution_picture
        padding = draw.from_padding(self.image.shape, self.padding, self.dilation, step, k)
        self.picture_in.image(cache.encoded(draw.input_picture(self.image, self.padding, step, k, self.dilation,
                                                               self.style)), width="stretch")
        self.picture_out.image(cache.encoded(draw.output_picture(self.out, position, self.style)), width="stretch")
        self.arithmetic.image(cache.encoded(draw.arithmetic_picture(step, self.kernel, padding, (i, j), value,
                                                                    self.style)), width="stretch")

    def play(self) -> None:
        """While playing, move the filter and redraw about ten times a second; any click reruns the page, which ends
        the loop (Play carries on from where it was unless that click was Pause)."""
        if not st.session_state.get(PLAYING):
            return

        def frame() -> bool:
            if self.position >= self.n:
                return False
            st.session_state[PLAYHEAD] = min(self.n, self.position + self.per_frame)
            self.draw(st.session_state[PLAYHEAD])
            return True

        frames.play(frame, FRAME_SECONDS, max_seconds=MAX_PLAY_SECONDS)
        st.session_state[PLAYING] = False
        st.session_state[PLAYHEAD] = self.position
        st.rerun()  # show Play again, with the slider where the filter stopped


def _show_map(place: DeltaGenerator, values: np.ndarray, style: PlotStyle, bound: float, caption: str,
              size: int = 384) -> None:
    """A whole map blown up with crisp squares: grey for an input (bound 0), the diverging scale for an output;
    PNG for small maps, JPEG for photo-sized ones (a tenth of the bytes)."""
    if bound <= 0:
        grey = (values * 255).clip(0, 255).round().astype(np.uint8)
        rgb = np.stack([grey] * 3, axis=-1)
    else:
        rgb = plots.colourise(values, style.diverging, (-bound, bound))
    scale = max(1, size // max(values.shape))
    place.image(cache.encoded(rgb.repeat(scale, 0).repeat(scale, 1), "PNG" if max(values.shape) <= 64 else "JPEG"),
                caption=caption, width="stretch")


# The whole output map, several filters, parameter sharing

def whole_map(large: np.ndarray, caption: str, name: str, kernel: np.ndarray, stride: int, padding: int,
              dilation: int, style: PlotStyle) -> None:
    st.subheader("The whole output map")
    out = convolution.convolve(large, kernel, stride, padding, dilation)
    k = kernel.shape[0]
    negative, positive = SIGNS.get(style.diverging, ("one end", "the other end"))
    left, middle, right = st.columns([1, 1, 1.1], gap="medium")
    _show_map(left, large, style, 0, f"Input, {large.shape[0]}×{large.shape[1]}: {caption}")
    bound = convolution_picture.bound(out)
    _show_map(middle, out, style, bound, f"{name}: output map, {out.shape[0]}×{out.shape[1]} ({negative} "
              f"negative, {positive} positive)")
    with right:
        sides = (("down", large.shape[0]), ("across", large.shape[1]))[:1 if len(set(large.shape)) == 1 else 2]
        st.markdown("Along each side the filter takes ⌊(size + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1 "
                    "positions: " + "; ".join(
                        f"{side} ⌊({size} + 2·{padding} − {dilation}·{k - 1} − 1) / {stride}⌋ + 1 = "
                        f"**{convolution.output_size(size, k, stride, padding, dilation)}**" for side, size in sides)
                    + ".")
        if large.shape != (28, 28):
            st.caption(f"The step view above uses the 28×28 version; here the photo is {large.shape[0]}×"
                       f"{large.shape[1]} pixels, so the same filter covers a smaller part of it.")


def _filter_names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in KERNELS]
    if unknown or len(names) > MAX_FILTERS:
        raise ValueError(f"up to {MAX_FILTERS} of the named kernels, comma-separated")
    return names


def several_filters(large: np.ndarray, stride: int, padding: int, dilation: int, style: PlotStyle) -> list[str]:
    """Each chosen filter's output map, then the same maps after ReLU; returns the filters' names."""
    st.subheader("Several filters, several output maps, then an activation")
    url_state.value("conv_filters", list(FILTERS), _filter_names, ",".join)
    names = st.multiselect("Filters of this convolution layer", list(KERNELS), key="conv_filters",
                           max_selections=MAX_FILTERS)
    if not names:
        st.info("Pick at least one filter.", icon=":material/filter_alt:")
        return names
    maps = {n: convolution.convolve(large, KERNELS[n], stride, padding, dilation) for n in names}
    st.markdown("**Output maps**: one per filter, each a different view of the same image.")
    for n, column in zip(names, st.columns(len(names))):
        _show_map(column, maps[n], style, convolution_picture.bound(maps[n]), n)
    st.markdown("**After the activation** ReLU(x) = max(0, x): negative responses become 0 (white).")
    for n, column in zip(names, st.columns(len(names))):
        _show_map(column, convolution.relu(maps[n]), style, convolution_picture.bound(maps[n]), f"ReLU({n})")
    return names


def _amount(n: int) -> str:
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if n >= size:
            return f"{n / size:.3g} {word}"
    return f"{n:,}"


def parameter_sharing(shape: tuple[int, ...], names: list[str], kernels: dict[str, np.ndarray],
                      style: PlotStyle) -> None:
    """Weights and biases of a dense layer vs a convolution producing the same maps from the same image."""
    st.subheader("Parameter sharing")
    names = names or list(FILTERS)
    sizes = [kernels[n].shape[0] for n in names]
    h, w = shape

    def counts(height: int, width: int, channels: int) -> dict[str, int]:
        each = [convolution.parameter_counts(height, width, channels, 1, k) for k in sizes]
        return {kind: sum(c[kind] for c in each) for kind in ("dense", "conv")}

    here = counts(h, w, 1)
    maps = f"{len(names)} output map{'s' * (len(names) > 1)}"
    text, chart = st.columns([1, 1.3], gap="large")
    with text:
        st.markdown(f"To turn this {h}×{w} image into {maps} of the same size, a **dense layer** connects every "
                    f"input pixel to every output pixel; a **convolution** uses {len(names)} small "
                    f"filter{'s' * (len(names) > 1)} ({' + '.join(f'{k}×{k}' for k in sizes)} weights, plus one bias "
                    f"each) at every position. It does not learn what an edge is for every region of the image "
                    f"from scratch.")
        a, b = st.columns(2)
        a.metric("Dense layer", _amount(here["dense"]), help=f"{here['dense']:,} weights and biases")
        b.metric("Convolution", _amount(here["conv"]), help=f"{here['conv']:,} weights and biases")
        st.caption(f"Parameters, with padding that keeps the maps {h}×{w}. The dense layer needs "
                   f"{here['dense'] / here['conv']:,.0f} times as many.")
    with chart:
        images = {f"{h}×{w} grey<br>(this image)": (h, w, 1), "224×224 colour<br>(ImageNet)": (224, 224, 3)}
        if (h, w) != (28, 28):
            images = {"28×28 grey<br>(a digit)": (28, 28, 1), **images}
        rows = {label: counts(*dims) for label, dims in images.items()}
        projector.chart(_parameter_bars(rows, style), key="conv_parameters")


def _parameter_bars(rows: dict[str, dict[str, int]], style: PlotStyle) -> go.Figure:
    """Horizontal bars on a log scale, one pair per image size, each with its count written at its end."""
    labels = list(rows)[::-1]  # the first on top
    fig = go.Figure([go.Bar(y=labels, x=[rows[r][kind] for r in labels], name=label, orientation="h",
                            marker_color=style.colour(i), text=[_amount(rows[r][kind]) for r in labels],
                            textposition="outside", cliponaxis=False, constraintext="none",
                            textfont=dict(size=round(style.font_size * 0.9)))
                     for i, (kind, label) in enumerate((("conv", "convolution"), ("dense", "dense layer")))])
    top = max(r["dense"] for r in rows.values())
    room = 2.2 if style.font_size > 16 else 1.6  # decades to the right of the longest bar, for its label
    fig.update_xaxes(type="log", title="parameters (log scale)", range=[0, np.log10(top) + room])
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0,
                                                   traceorder="reversed"))
    return plots.layout(fig, style, None, height=120 + 90 * len(rows))
