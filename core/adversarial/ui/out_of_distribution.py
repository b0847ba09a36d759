"""Out-of-distribution generalization: do networks generalize across pose, colour/texture, motion blur and time
(video frames)? One image changed live with sliders; accuracy against the severity of each change over the
Fashion-MNIST test set, the plain CNN against one trained with augmentation; and a camera panning or shaking over a
picture, frame by frame, with the flicker of the predictions."""
import threading

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch
from PIL import Image
from plotly.subplots import make_subplots

from core import checkpoints, plots
from core.adversarial import attacks
from core.adversarial import out_of_distribution as ood
from core.device import device, to_numpy
from core.models import imagenet
from core.ui import cache, heavy, image_input, presenter, projector, url_state

LIVE, SEVERITY, TIME = "One image, live", "Accuracy vs severity", "Time: video frames"
VIEWS = (TIME, LIVE, SEVERITY)  # the notes ask about time first
SOURCES = ("Fashion-MNIST item", "Photo", "Upload")
PLAIN, AUGMENTED = "fashion_cnn", "fashion_cnn_augmented"
SHORT = {PLAIN: "plain CNN", AUGMENTED: "CNN trained with augmentation", "mnist_cnn": "digit CNN",
         "imagenet": "EfficientNet-Lite0"}
FLICKER_ITEMS = 50  # test items filmed for the time view's average
FALLBACK_ITEMS = 500  # test items swept live (about 20 s on 2 cores) when the recorded curves do not fit the models
PHOTO_SWEEP = ood.PHOTOS  # the shipped photos the ImageNet classifier is swept over
FULL = {"rotation": "180°", "scale": "×0.3 (smaller)", "hue shift": "180° of hue", "inversion": "the negative",
        "contrast": "×0.05", "texture": "full-strength stripes", "noise": "σ = 0.5", "motion blur": "40 % of the width"}
DEFAULTS = {"ood_rotation": 0, "ood_scale": 1.0, "ood_hue": 0, "ood_inversion": 0.0, "ood_contrast": 1.0,
            "ood_texture": 0.0, "ood_noise": 0.0, "ood_blur": 0, "ood_blur_angle": 0}


# Models and pictures

def _models(reading: image_input.Reading) -> dict[str, torch.nn.Module]:
    """The networks to compare on this input, reading [0, 1] pixels: for a Fashion item the plain CNN and the one
    trained with augmentation (if it loads); otherwise the one network made for the input."""
    models = {reading.model: attacks.pixel_model(reading.net)}
    if reading.model == PLAIN:
        augmented = cache.model(AUGMENTED)
        if augmented is not None:
            models[AUGMENTED] = augmented
    return models


@torch.no_grad()
def _probabilities(models: dict[str, torch.nn.Module], x: torch.Tensor) -> dict[str, np.ndarray]:
    return {name: to_numpy(net(x.to(device())).softmax(1)[0]) for name, net in models.items()}


def _shown(x: torch.Tensor) -> np.ndarray:
    """One [0, 1] image (1, C, H, W) as it is displayed: photos as they are, 28×28 items enlarged."""
    picture = attacks.to_picture(x)
    return picture if picture.shape[0] >= 100 else plots.enlarge(picture)


def _verdict(names, probs: np.ndarray, label: int | None) -> str:
    """“Class (p)”, green when it is the true class, red when it is not, plain when the truth is unknown."""
    top = int(np.argmax(probs))
    text = f"{names[top]} ({probs[top]:.0%})"
    return text if label is None else f":{'green' if top == label else 'red'}[{text}]"


# One image, live

def _reset() -> None:
    for key, value in DEFAULTS.items():
        st.session_state[key] = value


def _settings(colour: bool) -> ood.Settings:
    pose, look, motion = st.columns(3)
    with pose:
        st.markdown("**Pose**")
        rotation = url_state.slider("Rotation (°)", -180, 180, 0, 5, key="ood_rotation")
        factor = url_state.slider("Scale (× size)", 0.3, 2.0, 1.0, 0.05, key="ood_scale",
                                  help="Below 1: smaller, as if farther away; above 1: nearer, its edges cut off.")
    with look:
        st.markdown("**Colour and texture**")
        hue = url_state.slider("Hue shift (°)", -180, 180, 0, 5, key="ood_hue", disabled=not colour,
                               help=None if colour else "A grayscale item has no hue to shift.")
        inversion = url_state.slider("Inversion (share of the negative)", 0.0, 1.0, 0.0, 0.05, key="ood_inversion")
        contrast = url_state.slider("Contrast (×)", 0.05, 3.0, 1.0, 0.05, key="ood_contrast")
        texture = url_state.slider("Texture (strength of the stripes)", 0.0, 1.0, 0.0, 0.05, key="ood_texture")
        sigma = url_state.slider("Noise (σ)", 0.0, 0.5, 0.0, 0.01, key="ood_noise")
    with motion:
        st.markdown("**Motion blur**")
        length = url_state.slider("Length (% of the width)", 0, 40, 0, 1, key="ood_blur")
        angle = url_state.slider("Direction (°, 0 = horizontal)", 0, 180, 0, 5, key="ood_blur_angle")
        st.button("Back to the original", icon=":material/restart_alt:", on_click=_reset, key="ood_reset")
    return ood.Settings(rotation, factor, hue if colour else 0, inversion, contrast, texture, sigma, length / 100,
                        angle)


def _live(picked: image_input.PickedImage, reading: image_input.Reading, style: plots.PlotStyle) -> None:
    models = _models(reading)
    x = attacks.to_pixels(reading.net, reading.x)
    shown = st.container()  # the pictures and predictions above the sliders, to stay in view while sliding
    settings = _settings(colour=x.shape[1] == 3)
    changed = ood.apply(x, settings)
    before, after = _probabilities(models, x), _probabilities(models, changed)
    names, label = reading.labels, picked.label
    left, right, chart = shown.columns([1, 1, 2])
    left.image(_shown(x), caption="As it is", width="stretch")
    right.image(_shown(changed), caption="Changed", width="stretch")
    with chart:
        if answer := presenter.answer():  # pose? colour/texture? motion blur? the notes' questions
            with answer:
                for name in models:
                    st.markdown(f"**{SHORT[name]}**: {_verdict(names, before[name], label)} → "
                                f"{_verdict(names, after[name], label)}")
                if len(models) > 1:
                    fig = plots.grouped_bars(list(names), {SHORT[n]: after[n].tolist() for n in models}, style,
                                             "Changed image", height=330)
                else:
                    best = np.argsort(after[reading.model])[::-1][:5]
                    fig = plots.probabilities([names[i] for i in best], after[reading.model][best], style,
                                              "Top 5 for the changed image")
                projector.chart(fig, key="ood_live_probs")
    if label is None and reading.model == "imagenet":
        shown.caption("A photo has no true class here: compare the prediction before and after the change.")


# Accuracy against severity

@st.cache_resource(show_spinner=False)
def _swept() -> tuple[dict, threading.Lock]:
    """Sweeps computed on this server (when the recorded ones do not fit the shipped models), and their lock."""
    return {}, threading.Lock()


def _sweep_live(key: tuple, run) -> dict:
    """A sweep computed once per server with a progress bar, shared by every student."""
    done, lock = _swept()
    if key not in done:
        bar = st.progress(0.0, text="Waiting for another sweep on this server…")
        with lock:
            if key not in done:
                done[key] = run(lambda i, n: bar.progress(i / n, text=f"Sweep: pass {i} of {n}"))
        bar.empty()
    return done[key]


def fashion_curves() -> tuple[dict[str, dict[str, list[float]]], str] | None:
    """Both Fashion CNNs' accuracy per transform and severity, and where the figures come from: as recorded when
    fashion_cnn_augmented was built (the whole test set), or, if the plain model has changed since, swept here on a
    fixed subset. None if a model could not be loaded (a message says why)."""
    augmented = cache.model(AUGMENTED)
    if augmented is None:
        return None
    manifest, recorded = checkpoints.read_manifest(), cache.metrics(AUGMENTED)
    if (recorded.get("ood_plain_sha256") == manifest[PLAIN].sha256
            and tuple(recorded.get("ood_severities", ())) == ood.SEVERITIES and "ood_accuracy" in recorded):
        return recorded["ood_accuracy"], ("all 10,000 test images, measured when `fashion_cnn_augmented` was built "
                                          "(recorded in its checkpoint's manifest entry)")
    plain = cache.model(PLAIN)
    if plain is None:
        return None
    X, y = cache.test_set(PLAIN)
    items = np.random.default_rng(0).permutation(len(X))[:FALLBACK_ITEMS]
    curves = _sweep_live(("fashion", manifest[PLAIN].sha256, manifest[AUGMENTED].sha256),
                         lambda progress: ood.sweep({PLAIN: plain, AUGMENTED: augmented}, X[items], y[items],
                                                    on_progress=progress))
    return curves, f"{FALLBACK_ITEMS:,} random test images, measured on this server (the recorded curves were made " \
                   "with another version of a model)"


def curves_figure(curves: dict[str, dict[str, list[float]]], style: plots.PlotStyle, names: dict[str, str],
                  chance: float | None = 0.1, axis: str = "accuracy") -> go.Figure:
    """One small plot per transform: accuracy against severity, one line per model."""
    transforms = list(next(iter(curves.values())))
    columns = 2 if style.font_size > 16 else 4
    rows = -(-len(transforms) // columns)
    titles = [f"{t}{' ★' if t in ood.AUGMENTED and AUGMENTED in curves else ''}" for t in transforms]
    fig = make_subplots(rows, columns, subplot_titles=titles, shared_yaxes=True, horizontal_spacing=0.03,
                        vertical_spacing=0.36 / rows)
    for i, t in enumerate(transforms):
        row, col = divmod(i, columns)
        for k, (model, by_transform) in enumerate(curves.items()):
            amounts = [ood.TRANSFORMS[t].describe(round(ood.TRANSFORMS[t].amount(s), 3)) for s in ood.SEVERITIES]
            fig.add_trace(go.Scatter(
                x=list(ood.SEVERITIES), y=by_transform[t], name=names[model], legendgroup=model, showlegend=i == 0,
                mode="lines+markers", line=dict(color=style.colour(k), width=style.line_width),
                marker=dict(size=style.marker_size), customdata=amounts,
                hovertemplate=f"{names[model]}<br>{t}: %{{customdata}}<br>{axis} %{{y:.1%}}<extra></extra>"),
                row=row + 1, col=col + 1)
        if chance:
            fig.add_hline(chance, line=dict(dash="dot", color="#777", width=1), row=row + 1, col=col + 1)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    fig.update_xaxes(tickvals=[0, 0.5, 1], range=[-0.05, 1.05])
    for i in range(len(transforms) - columns, len(transforms)):  # the lowest plot of each column
        fig.update_xaxes(title_text="severity", row=i // columns + 1, col=i % columns + 1)
    fig.update_annotations(font_size=style.font_size)
    fig = plots.layout(fig, style, None, height=260 * rows + 40)
    fig.update_layout(margin=dict(t=40, b=70))
    return plots.legend_below(fig)


def _table(curves: dict[str, dict[str, list[float]]], names: dict[str, str]) -> pd.DataFrame:
    """Rows: transform × model; columns: the amount at each severity; cells: accuracy in %."""
    rows = []
    for t in next(iter(curves.values())):
        for model, by_transform in curves.items():
            rows.append({"change": t, "model": names[model],
                         **{f"{s:g}: {ood.TRANSFORMS[t].describe(round(ood.TRANSFORMS[t].amount(s), 3))}": f"{a:.1%}"
                            for s, a in zip(ood.SEVERITIES, by_transform[t])}})
    return pd.DataFrame(rows)


def _request_photo_sweep() -> None:
    st.session_state["ood_photo_todo"] = True


def _photo_sweep(progress) -> dict[str, dict[str, list[float]]]:
    """EfficientNet-Lite0 on the shipped photos: per transform and severity, the share of photos whose top class is
    the one it gives the unchanged photo (“kept”), and that class's mean probability."""
    net = attacks.pixel_model(cache.imagenet_classifier())
    shipped = cache.photos()
    x = torch.cat([attacks.to_pixels(cache.imagenet_classifier(), imagenet.to_input(shipped[n].image))
                   for n in PHOTO_SWEEP])
    points = [(t, s) for t in ood.TRANSFORMS for s in ood.SEVERITIES if s > 0]
    kept, prob = {t: [1.0] for t in ood.TRANSFORMS}, {t: [] for t in ood.TRANSFORMS}
    with torch.no_grad():
        clean = net(x.to(device())).softmax(1).cpu()
        top = clean.argmax(1)
        for t in ood.TRANSFORMS:
            prob[t].append(float(clean[torch.arange(len(x)), top].mean()))
        for i, (t, s) in enumerate(points, 1):
            p = net(ood.TRANSFORMS[t](x, ood.TRANSFORMS[t].amount(s)).to(device())).softmax(1).cpu()
            kept[t].append(float((p.argmax(1) == top).float().mean()))
            prob[t].append(float(p[torch.arange(len(x)), top].mean()))
            progress(i, len(points))
    return {"kept": kept, "probability": prob}


def _severity_view(style: plots.PlotStyle) -> None:
    st.markdown("Each change at severity 0 (the image as it is) to 1 (the strongest change offered), over the whole "
                "Fashion-MNIST test set. **Plain**: the shipped CNN. **Trained with augmentation**: the same network "
                "and recipe, trained on randomly turned, scaled, shifted, dulled, inverted and blurred copies of the "
                "training images (★ marks the changes it trained on). Texture and noise were left out of its "
                "training on purpose. Fashion-MNIST is grayscale, so there is no hue shift here (see the photos "
                "below).")
    found = fashion_curves()
    if found is None:
        return
    curves, source = found
    names = {PLAIN: "plain", AUGMENTED: "trained with augmentation"}
    if answer := presenter.answer():  # the notes' questions, for every change at once
        with answer:
            _severity_answer(curves, source, names, style)
    with st.expander("The numbers"):
        st.dataframe(_table(curves, names), hide_index=True, width="stretch")
    _photo_view(style)


def _severity_answer(curves: dict[str, dict[str, list[float]]], source: str, names: dict[str, str],
                     style: plots.PlotStyle) -> None:
    """Both CNNs' accuracy on unchanged images, on the changes the augmented one trained on and on the others; the
    curves per change; what they show."""
    trained = [t for t in ood.GRAYSCALE if t in ood.AUGMENTED]
    unseen = [t for t in ood.GRAYSCALE if t not in ood.AUGMENTED]

    def mean(model: str, transforms: list[str]) -> float:
        return float(np.mean([a for t in transforms for a in curves[model][t][1:]]))

    a, b, c = st.columns(3)
    for column, (title, what, help_text) in zip((a, b, c), [
            ("Unchanged test images", lambda m: curves[m][ood.GRAYSCALE[0]][0], "Severity 0."),
            ("Changes it trained on ★", lambda m: mean(m, trained),
             "Mean over " + ", ".join(trained) + " at severities 0.2–1."),
            ("Changes it never saw", lambda m: mean(m, unseen), "Mean over " + ", ".join(unseen) +
             " at severities 0.2–1.")]):
        column.metric(title, f"{what(AUGMENTED):.1%}", f"{100 * (what(AUGMENTED) - what(PLAIN)):+.1f} points vs "
                      f"plain ({what(PLAIN):.1%})",
                      help=help_text + " Augmented model; the difference to the plain one below.")
    projector.chart(curves_figure(curves, style, names), key="ood_curves")
    st.caption(f"Accuracy on {source}. The severity's amount in each plot: 1 = "
               + "; ".join(f"{t} {FULL[t]}" for t in ood.GRAYSCALE) + ". Dotted: chance (10 %). "
               "Hover over a point for its amount.")
    plain, augmented = curves[PLAIN], curves[AUGMENTED]
    st.markdown(f"**What you see.** The plain CNN has only ever seen upright, centred, well-lit items: turned by "
                f"36° it is down to {plain['rotation'][1]:.0%}, and the negative of an item fools it "
                f"({plain['inversion'][-1]:.0%}). Trained on such changes, the same network shrugs them off "
                f"({augmented['rotation'][1]:.0%} at 36°, {augmented['inversion'][-1]:.0%} on negatives), but not for "
                f"free: it is worse on the unchanged test images ({augmented['rotation'][0]:.1%} against "
                f"{plain['rotation'][0]:.1%}), and no better, even worse, on the two changes it never saw: "
                f"noise of σ = 0.1 leaves it {augmented['noise'][1]:.0%} against the plain CNN's "
                f"{plain['noise'][1]:.0%}. Robustness learned from augmentation covers the changes in the "
                "augmentation, not change in general.")


def _photo_view(style: plots.PlotStyle) -> None:
    st.subheader("The ImageNet classifier on photos")
    st.markdown("There is only one ImageNet network and no labelled ImageNet test set here, so this asks a simpler "
                "question of EfficientNet-Lite0 over the six shipped photos: does its top class stay the one it "
                "gives the unchanged photo? Colour changes, hue shift included, apply here.")
    key = ("photos", tuple(PHOTO_SWEEP))
    if key not in _swept()[0]:
        st.button(f"Sweep the {len(PHOTO_SWEEP)} photos ({len(PHOTO_SWEEP) * 5 * len(ood.TRANSFORMS)} changed "
                  "images, about 10 s on 2 CPU cores, once per server)", icon=":material/play_arrow:",
                  key="ood_photo_sweep", on_click=_request_photo_sweep)
        if not st.session_state.pop("ood_photo_todo", False):
            return
    swept = _sweep_live(key, _photo_sweep)
    projector.chart(curves_figure({"imagenet": swept["kept"]}, style, {"imagenet": "top class kept"}, chance=None,
                                  axis="photos whose top class is kept"), key="ood_photo_curves")
    st.caption("Share of the six photos whose top class is unchanged, per change and severity. The photos' own "
               "classes (cat, espresso, …) were never checked by hand, so this is agreement, not accuracy.")


# Time: video frames

@heavy.shared("Filming the frames and classifying each")
def _film(picture: np.ndarray, model: str, frames: int, pan: float, shake: float, _models: dict
          ) -> tuple[np.ndarray, dict[str, ood.Flicker]]:
    """Frames of a camera panning/shaking over the picture (`picture` and `model` name the input) and each model's
    predictions for them."""
    if model == "imagenet":
        image = Image.fromarray(picture)
        ratio = 256 / min(image.size)  # as core.models.imagenet.to_input: shorter side 256, then a 224 view
        image = image.resize((max(224, round(image.width * ratio)), max(224, round(image.height * ratio))),
                             Image.BILINEAR)
        source, size, padding = ood.to_tensor(np.asarray(image)[None])[0], imagenet.SIZE, "border"
    else:
        source, size, padding = ood.to_tensor(picture[None])[0], 28, "zeros"
    views, _ = ood.pan_frames(source, frames, pan, shake, size=size, seed=0, padding=padding)
    return ood.to_pictures(views), {name: ood.flicker(net, views) for name, net in _models.items()}


@heavy.shared("Filming the first test items too")
def _test_set_flips(frames: int, pan: float, shake: float, items: int, _models: dict) -> dict[str, np.ndarray]:
    """Label flips of each Fashion CNN over videos of the first `items` test items, the same camera for each."""
    return ood.flips_over(_models, cache.test_set(PLAIN)[0][:items], frames, pan, shake)


def flicker_figure(results: dict[str, ood.Flicker], names, style: plots.PlotStyle) -> go.Figure:
    """The top class's probability per frame, one line per model; a cross where the class differs from frame 1's."""
    fig = go.Figure()
    for k, (model, f) in enumerate(results.items()):
        frames = np.arange(1, len(f.top) + 1)
        changed = f.top != f.top[0]
        fig.add_trace(go.Scatter(
            x=frames, y=f.confidence, name=SHORT[model], mode="lines+markers",
            line=dict(color=style.colour(k), width=style.line_width),
            marker=dict(size=np.where(changed, 1.6, 1.0) * style.marker_size,
                        symbol=np.where(changed, "x", "circle")),
            text=[names[c] for c in f.top], hovertemplate="frame %{x}: %{text} (%{y:.1%})<extra></extra>"))
    fig.update_xaxes(title="frame")
    fig.update_yaxes(title="probability of its top class", range=[0, 1.02], tickformat=".0%")
    return plots.legend_below(plots.layout(fig, style, "Prediction per frame (× = not frame 1's class)",
                                           height=360))


def _time_view(picked: image_input.PickedImage, reading: image_input.Reading, style: plots.PlotStyle) -> None:
    st.markdown("A video is many photos of the same thing, a few pixels apart. A camera pans slowly across the "
                "picture and shakes a little; each frame is classified on its own. A stable network keeps its "
                "answer; an unstable one **flickers**.")
    a, b, c = st.columns(3)
    with a:
        pan = url_state.slider("Pan (% of the view's width, over the whole video)", 0, 100, 30, 5, key="ood_pan")
    with b:
        shake = url_state.slider("Shake (σ, % of the width per frame)", 0.0, 10.0, 2.0, 0.5, key="ood_shake")
    with c:
        frames = url_state.slider("Frames", 10, 60, 30, 5, key="ood_frames")
    models = _models(reading)
    small = reading.model != "imagenet"
    picture = picked.small if small else picked.rgb
    shots, results = _film(picture, reading.model, frames, pan / 100, shake / 100, models)
    if answer := presenter.answer():  # across time, i.e. video frames? the notes' first question here
        with answer:
            _flicker(shots, results, reading, models, (frames, pan, shake), style)


def _flicker(shots: np.ndarray, results: dict[str, ood.Flicker], reading: image_input.Reading, models: dict,
             camera: tuple[int, int, float], style: plots.PlotStyle) -> None:
    """The label flips of each model over the frames, over the first test items, and the frames themselves."""
    frames, pan, shake = camera
    small = reading.model != "imagenet"
    names = reading.labels
    columns = st.columns(len(results))
    for column, (model, f) in zip(columns, results.items()):
        column.metric(f"{SHORT[model]}: label flips", f.flips, help="Frames whose top class differs from the frame "
                      f"before. {f.labels_seen} different classes over {len(f.top)} frames; frame 1: "
                      f"{names[f.top[0]]}.")
    projector.chart(flicker_figure(results, names, style), key="ood_flicker")
    if reading.model == PLAIN and len(models) > 1:
        flips = _test_set_flips(frames, pan / 100, shake / 100, FLICKER_ITEMS, models)
        st.markdown(f"**Over the first {FLICKER_ITEMS} test items**, filmed by the same camera: "
                    + "; ".join(f"the {SHORT[m]} flips {f.mean():.1f} times per video on average, and "
                                f"{(f > 0).mean():.0%} of its videos flicker at least once" for m, f in flips.items())
                    + ".")
    first = next(iter(results))
    pictures = [p if p.ndim == 3 else np.stack([p] * 3, -1) for p in shots]
    size = 84 if small else 112
    st.image([plots.enlarge(p, size) if small else p for p in pictures], width=size,
             caption=[f"{i + 1}: {names[t]}" for i, t in enumerate(results[first].top)])
    st.caption(f"The frames, with the {SHORT[first]}'s class under each. "
               + ("A 28×28 item is filmed on a black canvas larger than itself: the camera's view is the 28×28 "
                  "input, so the item slides and, with a wide pan, leaves the frame. The plain CNN never saw an "
                  "item off centre; the augmented one saw shifts of up to 3 pixels."
                  if small else "The photo is scaled so its shorter side is 256 pixels, as the classifier's input "
                  "is made, and each frame is a 224×224 view of it; beyond the photo's edge its border pixels are "
                  "repeated."))


def section() -> None:
    st.markdown("*Do networks generalize across **time**, i.e. video frames? **Pose**? Change in **colour/"
                "texture**? **Motion blur**?* A network is trained on one distribution of images; the world "
                "sends it others. Change one thing at a time and see whether the network still knows the image, and "
                "whether training on changed copies of the data (augmentation) makes a difference.")
    view = url_state.choice(st.segmented_control, "View", VIEWS, LIVE, key="ood_view")
    style = projector.style()
    if view == SEVERITY:
        _severity_view(style)
        return
    chosen = image_input.pick_and_read("ood", SOURCES, photo="chelsea")
    if chosen is None:
        return
    picked, reading = chosen
    if view == LIVE:
        _live(picked, reading, style)
    else:
        _time_view(picked, reading, style)
