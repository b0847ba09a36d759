"""Autoencoders, "the stenographers of the deep learning world": images squeezed through a bottleneck of 2, 8 or 32
numbers and rebuilt; the error against the bytes stored, beside PCA and JPEG at the same size; the test set in a
2-D code space; and a denoising autoencoder cleaning up noisy images."""
import functools
import threading

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import checkpoints, plots
from core.generative import autoencoders as ae
from core.ui import cache, projector, url_state

DATASETS = {"fashion": "Fashion-MNIST", "mnist": "MNIST digits"}
PARTS = ("Reconstructions", "Bytes stored vs error", "2-D code space", "Denoising")
COMPARED = 500  # the first test images: the page's bytes-vs-error comparison (the benchmark uses all of them)
MAX_IMAGES = 12
NOISE_SHOWN = 8  # images in the denoising rows


# Data and models, once per server

@st.cache_resource(show_spinner="Reading the test images…", max_entries=3)
def test_images(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    return ae.images(dataset, "test")


@st.cache_resource(show_spinner="Fitting PCA to the training images (once per server)…", max_entries=2)
def pca(dataset: str) -> ae.PCA:
    return ae.fit_pca(ae.images(dataset, "train")[0])


@st.cache_resource(show_spinner=False)
def _comparisons() -> tuple[dict, threading.Lock]:
    """Every bytes-vs-error comparison computed on this server, {(dataset, sha256): Comparison}, and its lock."""
    return {}, threading.Lock()


def comparison(dataset: str, nets) -> ae.Comparison:
    """The autoencoders, PCA and JPEG on the first COMPARED test images; computed once per server, with progress."""
    done, lock = _comparisons()
    key = (dataset, checkpoints.read_manifest()[ae.DATASETS[dataset].autoencoders].sha256)
    if key not in done:
        bar = st.progress(0.0, text="Comparing with PCA and JPEG…")
        with lock:
            if key not in done:
                pictures = test_images(dataset)[0][:COMPARED]
                done[key] = ae.compare(nets, pca(dataset), pictures,
                                       lambda f, what: bar.progress(f, text=f"Comparing with PCA and JPEG: {what}…"))
        bar.empty()
    return done[key]


@st.cache_resource(show_spinner="Encoding the test set…", max_entries=8)
def codes(name: str, net_name: str, dataset: str, sha256: str, _nets) -> np.ndarray:
    """The code (or the VAE's mean μ) of every test image under one network of a shipped set."""
    from core.generative import vae
    return vae.encode(_nets[net_name], ae.as_batch(test_images(dataset)[0]))


def code_of(name: str, net_name: str, dataset: str, nets) -> np.ndarray:
    return codes(name, net_name, dataset, checkpoints.read_manifest()[name].sha256, nets)


@st.cache_resource(show_spinner="Adding noise at nine levels and denoising…", max_entries=4)
def denoising_curve(dataset: str, sha256: str, _nets) -> dict[str, list[float]]:
    return ae.denoising_errors(_nets, test_images(dataset)[0][:COMPARED])


def load(dataset: str):
    """The shipped autoencoders for a dataset (None, with a message, if refused)."""
    return cache.model(ae.DATASETS[dataset].autoencoders)


# Pictures and figures shared with the VAE section

def strip(pictures, columns: int | None = None, size: int = 84) -> np.ndarray:
    """Grayscale pictures (uint8, or floats in [0, 1]) side by side (or in rows of `columns`) as one RGB sheet."""
    pictures = [ae.to_uint8(p) if np.asarray(p).dtype != np.uint8 else np.asarray(p) for p in pictures]
    return plots.tiles([np.repeat(p[..., None], 3, -1) for p in pictures], columns or len(pictures), size)


def labelled_row(label: str, pictures, size: int = 84, columns: int | None = None) -> None:
    """A label on the left, the pictures in a row on the right."""
    left, right = st.columns([1.4, 6], vertical_alignment="center")
    left.markdown(label)
    right.image(strip(pictures, columns, size))


MOST_POINTS = 2000  # a scatter of codes draws at most this many, one in every few: 10,000 points took 0.6 s to appear


def _every(n: int) -> int:
    """Draw one point in this many."""
    return -(-n // MOST_POINTS)


def _members(labels: np.ndarray, k: int) -> np.ndarray:
    """The test indices of class k that a code scatter draws: those among every few test images."""
    return np.flatnonzero((labels == k) & (np.arange(len(labels)) % _every(len(labels)) == 0))


def code_scatter(codes2: np.ndarray, labels: np.ndarray, classes, style: plots.PlotStyle, title: str,
                 marked: tuple[float, float] | None = None, height: int = 460) -> go.Figure:
    """2-D codes coloured by class, one in every few of each class if there are many (customdata: each point's test
    index); a star where `marked`."""
    every = _every(len(codes2))
    if every > 1:
        title += f"<br><sup>1 in {every} of the {len(codes2):,} drawn</sup>"
    traces = []
    for k, name in enumerate(classes):
        members = _members(labels, k)
        symbol = ("circle", "diamond", "square")[k // len(style.palette) % 3]  # colours repeat: shapes differ
        traces.append(go.Scatter(x=codes2[members, 0], y=codes2[members, 1], customdata=members, mode="markers",
                                 name=name, marker=dict(size=style.marker_size * (0.7 if every > 1 else 1),
                                                        color=style.colour(k), opacity=0.7, symbol=symbol),
                                 hovertemplate=f"{name} #%{{customdata}}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    if marked is not None:
        traces.append(go.Scatter(x=[marked[0]], y=[marked[1]], mode="markers", name="decoded point",
                                 marker=dict(symbol="star", size=style.marker_size * 3, color="black",
                                             line=dict(width=1.5, color="white")), hoverinfo="skip"))
    fig = go.Figure(traces)
    fig.update_xaxes(title="z₁", zeroline=False)
    fig.update_yaxes(title="z₂", zeroline=False, scaleanchor="x")
    fig.update_layout(clickmode="event+select", dragmode="pan", legend=dict(itemsizing="constant"))
    fig = plots.legend_below(plots.layout(fig, style, title, height=height))
    if every > 1:  # room for the title's second line
        fig.update_layout(margin_t=fig.layout.margin.t + round(1.4 * style.font_size))
    return fig


def clicked_index(key: str, labels: np.ndarray | None = None) -> int | None:
    """The test index of the point clicked in a code_scatter with this key (None if nothing is selected): its
    customdata, or else (with the labels) the point's place in its class's trace."""
    state = st.session_state.get(key)
    points = (state or {}).get("selection", {}).get("points", []) if isinstance(state, dict) else \
        getattr(getattr(state, "selection", None), "points", [])
    for point in points or []:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)):
            data = data[0] if data else None
        if data is not None:
            return int(data)
        curve, index = point.get("curve_number"), point.get("point_index", point.get("point_number"))
        if labels is not None and curve is not None and index is not None:
            members = _members(labels, curve)
            if 0 <= index < len(members):
                return int(members[index])
    return None


def _index_parser(n: int):
    def parse(raw: str) -> int:
        try:
            i = int(raw)
        except ValueError:
            raise ValueError("not a whole number") from None
        if not 0 <= i < n:
            raise ValueError(f"outside 0–{n - 1}")
        return i
    return parse


def index_value(key: str, n: int, default: int = 0) -> int:
    """A test image's index kept in the URL (a point clicked on a chart), back to `default` if out of range
    (after switching to a smaller test set)."""
    if not 0 <= st.session_state.get(key, default) < n:
        del st.session_state[key]
    return url_state.value(key, default, _index_parser(n))


def pick_point(chart: str, key: str, labels: np.ndarray) -> None:
    """on_click of a code scatter: the clicked point's test index into st.session_state[key]."""
    if (i := clicked_index(chart, labels)) is not None:
        st.session_state[key] = i


# The four parts

def _shuffle(n: int, count: int) -> None:
    st.session_state["ae_images"] = ", ".join(str(i) for i in np.random.default_rng().choice(n, count, replace=False))


def chosen_images(dataset: str) -> list[int]:
    """The test images a student picked (a list typed or drawn at random), with a message for what is wrong."""
    pictures, labels = test_images(dataset)
    default = ", ".join(str(i) for i in ae.first_of_each_class(labels))
    left, right = st.columns([3.5, 1.5], vertical_alignment="bottom")
    with left:
        text = url_state.text(st.text_input, f"Test images (their numbers, 0–{len(pictures) - 1}, "
                              "separated by commas)", default, key="ae_images")
    with right:
        st.button("Other images", icon=":material/shuffle:", key="ae_shuffle", on_click=_shuffle,
                  args=(len(pictures), 10), width="stretch")
    indices, problem = ae.parse_indices(text, len(pictures), MAX_IMAGES)
    if problem:
        st.warning(f"{problem} Showing {'the images that could be read' if indices else 'the first of each class'} "
                   "instead.", icon=":material/edit_note:")
    return indices or ae.first_of_each_class(labels)


def reconstructions(dataset: str, nets, code: int) -> None:
    pictures, labels = test_images(dataset)
    chosen = chosen_images(dataset)
    originals = pictures[chosen]
    clean = originals / 255
    budget = code * ae.BYTES_PER_NUMBER
    through_ae = ae.reconstruct(nets[f"ae{code}"], originals)
    through_pca = pca(dataset).reconstruct(originals, code)
    jpegs = [ae.jpeg_at_budget(p, budget) for p in originals]
    classes = ae.DATASETS[dataset].classes
    st.caption("  ·  ".join(f"#{i}: {classes[labels[i]]}" for i in chosen))
    labelled_row("**Original** (784 pixels = 784 bytes)", originals)
    labelled_row(f"**Autoencoder**: {code} numbers = **{budget} bytes**  \nerror "
                 f"{ae.mse(through_ae, clean).mean():.4f}", through_ae)
    labelled_row(f"**PCA**: {code} numbers = **{budget} bytes**  \nerror {ae.mse(through_pca, clean).mean():.4f}",
                 through_pca)
    scan = np.mean([j.scan_bytes for j in jpegs])
    labelled_row(f"**JPEG** at ≈ {budget} bytes: **{scan:.0f} bytes** on average  \nerror "
                 f"{ae.mse(np.stack([j.picture for j in jpegs]), clean).mean():.4f}", [j.picture for j in jpegs])
    too_big = [j.scan_bytes for j in jpegs if j.quality == 1 and j.scan_bytes > budget]
    header = np.mean([j.file_bytes - j.scan_bytes for j in jpegs])
    qualities = sorted({j.quality for j in jpegs})
    st.caption(f"Error: mean squared difference per pixel, on a 0–1 scale, over these images. Each code is stored "
               f"as 16-bit floats ({ae.BYTES_PER_NUMBER} bytes a number) and decoded from them. JPEG's quality is "
               f"chosen image by image to come closest to {budget} bytes (here quality "
               f"{', '.join(map(str, qualities[:6]))}{'…' if len(qualities) > 6 else ''}); its bytes are the "
               f"compressed scan alone: the header ({header:.0f} bytes more) is the same for every image, shared "
               "like the decoder's weights, which are not counted per image either."
               + (f" **JPEG cannot get this small**: even at quality 1 these images take {min(too_big)} bytes or "
                  "more." if len(too_big) == len(jpegs) else
                  f" {len(too_big)} of these images take more than {budget} bytes even at JPEG's lowest quality."
                  if too_big else ""))


def bytes_figure(result: ae.Comparison, code: int, style: plots.PlotStyle) -> go.Figure:
    """Error against bytes per image: PCA as a curve over its sizes, the autoencoders, JPEG over its qualities."""
    per = ae.BYTES_PER_NUMBER
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[k * per for k in result.pca], y=list(result.pca.values()), mode="lines+markers",
                             name="PCA (k numbers)", line=dict(color=style.colour(1), width=style.line_width),
                             marker=dict(size=style.marker_size), customdata=list(result.pca),
                             hovertemplate="PCA, %{customdata} numbers: %{x} bytes, error %{y:.4f}<extra></extra>"))
    q, scan, whole, err = zip(*result.jpeg_curve)
    fig.add_trace(go.Scatter(x=scan, y=err, mode="lines+markers", name="JPEG (scan bytes, quality 1–95)",
                             line=dict(color=style.colour(2), width=style.line_width, dash="dash"),
                             marker=dict(size=style.marker_size, symbol="square"), customdata=q,
                             hovertemplate="JPEG quality %{customdata}: %{x:.0f} bytes, error %{y:.4f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=whole, y=err, mode="lines", name="JPEG, whole file with its header",
                             line=dict(color=style.colour(2), width=style.line_width * 0.6, dash="dot"),
                             hovertemplate="whole JPEG file: %{x:.0f} bytes, error %{y:.4f}<extra></extra>"))
    sizes = sorted(result.autoencoder)
    fig.add_trace(go.Scatter(x=[k * per for k in sizes], y=[result.autoencoder[k] for k in sizes],
                             mode="lines+markers+text", name="autoencoder (k numbers)",
                             text=[f"{k}" for k in sizes], textposition="bottom left",
                             textfont=dict(size=style.font_size, color=style.colour(0)),
                             line=dict(color=style.colour(0), width=style.line_width * 1.3),
                             marker=dict(size=[style.marker_size * (2.4 if k == code else 1.5) for k in sizes],
                                         symbol="diamond", line=dict(width=1, color="white")),
                             hovertemplate="autoencoder: %{x} bytes, error %{y:.4f}<extra></extra>"))
    fig.add_vline(code * per, line=dict(color="#777", dash="dot"), annotation_text=f"{code * per} bytes",
                  annotation_position="top right")
    ticks = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
    fig.update_xaxes(title="bytes stored per image (log scale)", type="log", tickvals=ticks,
                     range=[np.log10(1.5), np.log10(1200)])
    fig.update_yaxes(title="mean squared error per pixel (log scale)", type="log", exponentformat="none")
    return plots.legend_below(plots.layout(fig, style, f"Error against bytes on {result.images} test images",
                                           height=520))


def bytes_vs_error(dataset: str, nets, code: int) -> None:
    st.markdown("> *This is how Google stores your images on the cloud* — the lecture's slide. Whatever the "
                "real pipeline, the idea is this: send only the short code, and let a decoder that everyone "
                "already has rebuild the picture.")
    result = comparison(dataset, nets)
    projector.chart(bytes_figure(result, code, projector.style()), key="ae_bytes")
    table = pd.DataFrame(result.rows()).set_index("code size")
    st.dataframe(table.style.format({"autoencoder MSE": "{:.4f}", "PCA MSE": "{:.4f}", "JPEG MSE": "{:.4f}",
                                     "JPEG scan bytes": "{:.1f}", "JPEG file bytes": "{:.0f}"}), width="stretch")
    metrics = cache.metrics(ae.DATASETS[dataset].autoencoders)
    if metrics:
        st.caption(f"On the whole test set ({ae.DATASETS[dataset].held_out}), measured when the checkpoint was "
                   "built: " + "; ".join(f"{k} numbers: autoencoder {metrics[f'ae{k}_test_mse']:.4f}, PCA "
                                         f"{metrics[f'pca{k}_test_mse']:.4f}" for k in ae.CODES) + ".")
    smallest = min(scan for _, scan, _, _ in result.jpeg_curve)
    widest = max(ae.CODES)
    coder, jpeg_error, jpeg_scan = result.autoencoder[widest], result.jpeg_matched[widest][2], \
        result.jpeg_matched[widest][0]
    relation = ("better than" if jpeg_error < 0.9 * coder else "worse than" if jpeg_error > 1.1 * coder
                else "about as good as")
    net = nets[f"ae{code}"]
    weights = sum(p.numel() for p in [*net.expand.parameters(), *net.decoder.parameters()])
    st.markdown(f"**What you see.** At the same bytes the autoencoder's error is below PCA's at every size: its "
                "encoder and decoder bend, where PCA can only project onto a flat subspace. JPEG cannot go below "
                f"about {smallest:.0f} bytes of scan on a 28×28 image (its quality 1), so at 4 and 16 bytes only the "
                f"two learned codes compete. At {widest * ae.BYTES_PER_NUMBER} bytes ({jpeg_scan:.0f} on average), "
                f"JPEG's scan alone is {relation} the autoencoder (error {jpeg_error:.4f} against {coder:.4f}), "
                "and beyond that JPEG keeps improving faster; a JPEG file also carries a header of about "
                f"{result.jpeg_curve[0][2] - result.jpeg_curve[0][1]:.0f} bytes. The autoencoder's price is hidden: "
                f"a decoder of {weights:,} weights, trained on this kind of image and useless on any other kind.")
    st.caption(f"On the first {result.images} test images. Bytes: a code of k numbers stored as 16-bit floats is "
               f"2k bytes (PCA's too); JPEG's bytes are its compressed scan (solid) or its whole file (dotted), "
               "quality chosen per image to match the autoencoder's bytes in the table. Error: mean squared "
               "difference per pixel on a 0–1 scale.")


def code_space(dataset: str, nets) -> None:
    pictures, labels = test_images(dataset)
    name = ae.DATASETS[dataset].autoencoders
    codes2 = code_of(name, "ae2", dataset, nets)
    picked = index_value("ae_point", len(pictures))
    classes = ae.DATASETS[dataset].classes
    left, right = st.columns([3, 1.2])
    with left:
        projector.chart(code_scatter(codes2, labels, classes, projector.style(),
                                     "Each test image at its 2-number code",
                                     tuple(codes2[picked]), height=560), key="ae_codes",
                        on_click=functools.partial(pick_point, "ae_codes", "ae_point", labels))
    with right:
        st.markdown(f"**Test image #{picked}** ({classes[labels[picked]]})")
        st.image(strip([pictures[picked]], size=168), caption="the original: 784 numbers")
        rebuilt = ae.reconstruct(nets["ae2"], pictures[picked:picked + 1])[0]
        z = codes2[picked]
        st.image(strip([rebuilt], size=168), caption=f"rebuilt from 2 numbers: ({z[0]:.2f}, {z[1]:.2f})")
        st.caption(f"All {len(pictures):,} test images are plotted. Click a point to see its image.")
    st.markdown("**What you see.** With only two numbers, the encoder must put similar images near each other: "
                "the classes form regions although it never saw a label. Where regions touch (shirts, pullovers and "
                "coats; 4 and 9) the code cannot tell them apart, and the rebuilt image is a blend. The bottleneck "
                "chosen above does not apply here: this is always the 2-number autoencoder.")


def denoising(dataset: str, nets) -> None:
    pictures, _ = test_images(dataset)
    sigma = url_state.slider("Noise σ (on a 0–1 pixel scale)", 0.0, 0.8, 0.3, 0.05, key="ae_noise")
    chosen = chosen_images(dataset)[:NOISE_SHOWN]
    originals = pictures[chosen]
    clean = originals / 255
    noisy = ae.noisy_copies(originals, sigma, seed=1)
    plain = ae.denoise(nets[f"ae{ae.DENOISING_CODE}"], noisy)
    cleaned = ae.denoise(nets[f"dae{ae.DENOISING_CODE}"], noisy)
    labelled_row("**Clean**", originals)
    labelled_row(f"**Noisy input**  \nerror {ae.mse(noisy, clean).mean():.4f}", noisy)
    labelled_row(f"**Plain autoencoder**  \nerror {ae.mse(plain, clean).mean():.4f}", plain)
    labelled_row(f"**Denoising autoencoder**  \nerror {ae.mse(cleaned, clean).mean():.4f}", cleaned)
    name = ae.DATASETS[dataset].autoencoders
    curve = denoising_curve(dataset, checkpoints.read_manifest()[name].sha256, nets)
    style = projector.style()
    fig = plots.lines({label: (np.array(ae.NOISE_LEVELS), np.array(errors)) for label, errors in curve.items()},
                      style, f"Error against the clean image, {COMPARED} test images",
                      axes=("noise σ", "mean squared error per pixel"), dashed=("noisy input",))
    fig.add_vline(sigma, line=dict(color="#777", dash="dot"))
    projector.chart(fig, key="ae_noise_curve")
    errors = {label: float(np.interp(sigma, ae.NOISE_LEVELS, values)) for label, values in curve.items()}
    st.markdown(f"**What you see.** Both networks have a {ae.DENOISING_CODE}-number bottleneck. The plain one was "
                "trained to copy clean images and never saw noise: its narrow code drops some of the noise anyway, "
                "but what gets through comes out as blots and broken strokes. The denoising one was trained on "
                f"images with Gaussian noise (σ drawn between 0 and {ae.TRAIN_NOISE}) and asked for the clean image: "
                "the bottleneck has room for the garment or the digit, not for the noise, so it learns to drop it. "
                f"At σ = {sigma:.2f}, over {COMPARED} test images: noisy input {errors['noisy input']:.4f}, plain "
                f"{errors['plain autoencoder']:.4f}, denoising {errors['denoising autoencoder']:.4f}.")


def section() -> None:
    st.markdown("**Autoencoders** do dimensionality reduction: a **summary of a vector**. They are the "
                "**stenographers** of the deep learning world: an encoder writes each image down in a short code, "
                "a decoder reads the code back into an image. Nobody labels anything: the target is the input "
                "itself, and the narrow middle, the **bottleneck**, forces the network to keep what matters.")
    left, right = st.columns([1, 1])
    with left:
        dataset = url_state.choice(st.segmented_control, "Images", list(DATASETS), key="ae_data",
                                   format_func=DATASETS.get)
    with right:
        code = url_state.choice(st.segmented_control, "Bottleneck (numbers)", list(ae.CODES), 8, key="ae_code",
                                help="The size of the code each image is squeezed into: 784 pixels → this many "
                                     "numbers → 784 pixels.")
    part = url_state.choice(st.segmented_control, "Show", list(PARTS), key="ae_part")
    nets = load(dataset)
    if nets is None:
        return
    if part == "Reconstructions":
        reconstructions(dataset, nets, code)
    elif part == "Bytes stored vs error":
        bytes_vs_error(dataset, nets, code)
    elif part == "2-D code space":
        code_space(dataset, nets)
    else:
        denoising(dataset, nets)
    with st.expander("The networks"):
        st.markdown("Encoder: two 4×4 convolutions with stride 2 (16 and 32 channels; 28×28 → 14×14 → 7×7), then "
                    "a linear layer to the code. Decoder: the mirror image, with transposed convolutions, ending in "
                    "a sigmoid. Trained by `core` with Adam to minimise the squared error of the reconstruction, on "
                    f"{ae.DATASETS[dataset].data}; one network per bottleneck size, and a denoising one with a "
                    f"{ae.DENOISING_CODE}-number code. PCA: the top principal components of the same training "
                    "images (an SVD of their covariance matrix).")
