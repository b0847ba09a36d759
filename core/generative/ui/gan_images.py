"""GANs on images: the shipped DCGAN's Fashion-MNIST samples, judged by the project's own classifier; a walk between
two latent vectors; the discriminator's score on real and generated images ("generating a new image = fooling the
classifier"); and a small GAN trained live in the student's session (samples at fixed latent vectors as it learns,
both losses, a learning rate that can make it diverge). Shown below the 2-D GAN Lab in the "GANs" section."""
import functools
import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from streamlit.delta_generator import DeltaGenerator

from core import checkpoints, plots
from core.data.images import FASHION_CLASSES
from core.generative import gan_images
from core.models.gan import DCGAN, GANConfig
from core.ui import cache, live_training, projector, url_state

NAME = "fashion_gan"  # the shipped checkpoint
JUDGE = "fashion_cnn"
VIEWS = ("Samples", "Walk in latent space", "Real or generated?", "Train one yourself")
SHORT = {"T-shirt/top": "T-shirt", "Ankle boot": "Boot"}  # captions under 84-pixel pictures
GRID = 30  # samples in the grid: three rows of ten
STRIP = 10  # real and generated images with their D(x)
HISTOGRAM_IMAGES = 1000  # real and generated images in the D(x) histograms

# Training one live: a smaller pair of networks, a few hundred steps
LIVE_CONFIG = GANConfig(latent=64, g_width=64, d_width=32)
LIVE_STEPS = (50, 100, 200, 300, 500, 800)
LIVE_DEFAULT_STEPS = 200
LEARNING_RATES = (0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.003, 0.01, 0.03, 0.1, 1.0)
DEFAULT_LR = 0.001
LIVE_SNAPSHOTS = 5
RUN = "_gimg_run"  # this student's last gan_images.Run


def _short(name: str) -> str:
    return SHORT.get(name, name)


def _big(style: plots.PlotStyle) -> bool:
    return style.font_size > plots.NORMAL.font_size


# Shared, computed once per server and checkpoint

@st.cache_resource(show_spinner="Generating images and asking the discriminator…", max_entries=2)
def _d_scores(sha256: str, _model: torch.nn.Module) -> tuple[np.ndarray, np.ndarray]:
    """D(x) for HISTOGRAM_IMAGES real test images and as many generated ones."""
    real = gan_images.to_input(cache.fashion_test()[0][:HISTOGRAM_IMAGES])
    fake = gan_images.generate(_model.generator, gan_images.latent(HISTOGRAM_IMAGES, 54321))
    return (gan_images.discriminator_scores(_model.discriminator, real),
            gan_images.discriminator_scores(_model.discriminator, fake))


@st.cache_resource(show_spinner="Reading the 60,000 training images…", max_entries=1)
def _training_images() -> torch.Tensor:
    from core.data.images import fashion_mnist
    return torch.from_numpy(np.array(fashion_mnist(train=True)[0]))[:, None]


def _caption(probs: np.ndarray) -> str:
    k = int(probs.argmax())
    return f"{_short(FASHION_CLASSES[k])} {probs[k]:.0%}"


def _pictures(x: torch.Tensor, size: int = 84) -> list[np.ndarray]:
    return [plots.enlarge(p, size) for p in gan_images.to_pixels(x)]


# The shipped GAN

def describe(cfg: GANConfig) -> str:
    """The two networks' layers in one line."""
    g, d = cfg.g_width, cfg.d_width
    up = "transposed 4×4 convolution" if cfg.upsample == "transposed" else "doubled pixels + 3×3 convolution"
    norm = "spectral norm" if cfg.spectral_norm else "batch norm"
    return (f"Generator: z ({cfg.latent}) → linear → {g}×7×7 → {up} → {g // 2}×14×14 → {up} → 1×28×28 "
            f"(batch norm and ReLU between, tanh at the end). Discriminator: 1×28×28 → 4×4 convolution, stride 2 → "
            f"{d}×14×14 → 4×4 convolution, stride 2 → {2 * d}×7×7 → linear → 1 (LeakyReLU between, {norm})")


def shipped_summary(model: torch.nn.Module, scores: dict) -> None:
    """What the checkpoint is and how the judge rated it, measured when it was built."""
    entry = checkpoints.read_manifest()[NAME]
    cfg = model.generator.cfg
    params_g = sum(p.numel() for p in model.generator.parameters())
    params_d = sum(p.numel() for p in model.discriminator.parameters())
    accuracy = cache.metrics(JUDGE).get("test_accuracy")
    judge_accuracy = f", {accuracy:.1%} right on the test set" if accuracy else ""
    st.markdown(
        f"The shipped GAN (`{NAME}`, trained by this project with `python -m core.recipes {NAME}`) learned from "
        f"Fashion-MNIST's 60,000 training images, **without their labels**: {entry.steps:,} steps of "
        f"64 real and 64 generated images. The **generator** turns a random vector z of {cfg.latent} numbers into a "
        f"28×28 picture; the **discriminator** says how likely a picture is to be real. To check what the generator "
        f"learned, the project's own Fashion-MNIST classifier (`{JUDGE}`{judge_accuracy}) acts as a **judge**: "
        "which class does each generated image look like, and how sure is it?")
    cols = st.columns(4)
    if "entropy_ratio" in scores:
        goal_h, goal_p = gan_images.GOALS["entropy_ratio"], gan_images.GOALS["mean_top_probability"]
        cols[0].metric("Variety: entropy of the classes", f"{scores['entropy_ratio']:.1%}",
                       delta=f"goal ≥ {goal_h:.0%}", delta_color="off", delta_arrow="off",
                       help="Entropy of the judge's class shares over 5,000 samples, divided by log 10, that of ten equal "
                            "shares: 100% means every class equally often, 0% one class only (mode collapse). "
                            f"Real test images: {scores.get('real_entropy_ratio', float('nan')):.1%}.")
        cols[1].metric("Crispness: judge's confidence", f"{scores['mean_top_probability']:.1%}",
                       delta=f"goal ≥ {goal_p:.0%}", delta_color="off", delta_arrow="off",
                       help="The judge's probability for the class it picks, averaged over the same 5,000 samples "
                            "(none filtered): blurry or odd images get unsure answers. Real test images: "
                            f"{scores.get('real_mean_top_probability', float('nan')):.1%}.")
    cols[2].metric("Parameters", f"{(params_g + params_d) / 1e3:,.0f} k",
                   help=f"Generator {params_g:,}, discriminator {params_d:,}.")
    if "train_seconds" in scores:
        cols[3].metric("Training time", f"{scores['train_seconds'] / 60:.0f} min",
                       help="Measured when the checkpoint was built, on that machine's "
                            f"{scores.get('device', 'cpu').upper()}.")
    st.caption(describe(cfg) + ".")


@st.cache_resource(max_entries=64, show_spinner=False)
def _samples(seed: int, _model: torch.nn.Module, _judge: torch.nn.Module) -> tuple[list[bytes], np.ndarray]:
    """The shipped generator's pictures for `seed` (PNG) and the judge's class probabilities for them: kept for
    everyone (never changed once made), so a rerun, or the next student at the same seed, draws nothing again."""
    x = gan_images.generate(_model.generator, gan_images.latent(GRID, seed, _model.generator.cfg.latent))
    probs = gan_images.judge(_judge, x)
    probs.flags.writeable = False
    return [cache.encode(picture) for picture in _pictures(x)], probs


def samples_view(model: torch.nn.Module, judge: torch.nn.Module, scores: dict, style: plots.PlotStyle) -> None:
    st.markdown("Each picture is G(z) for a fresh random z; the caption is the judge's class and its probability. "
                "The same seed gives the same pictures.")
    left, mid, right = st.columns([3, 1.2, 2], vertical_alignment="bottom")
    with left:
        seed = url_state.slider("Seed of the random vectors", 0, 999, 0, key="gimg_seed")
    mid.button("New samples", key="gimg_new", icon=":material/casino:", on_click=_next_seed, width="stretch")
    with right:
        by_class = url_state.toggle("Group by the judge's class", False, key="gimg_group")
    pictures, probs = _samples(seed, model, judge)
    order = np.lexsort((-probs.max(1), probs.argmax(1))) if by_class else np.arange(GRID)
    st.image([pictures[i] for i in order], width=90 if not _big(style) else 112,
             caption=[_caption(probs[i]) for i in order])
    if "class_histogram" in scores:
        counts = np.array(scores["class_histogram"])
        fig = go.Figure(go.Bar(x=[_short(c) for c in FASHION_CLASSES], y=counts, marker_color=style.colour(0),
                               name="generated", hovertemplate="%{x}: %{y} samples<extra></extra>"))
        fair = counts.sum() / len(counts)
        fig.add_hline(y=fair, line_dash="dash", line_color="#222", line_width=style.line_width)
        fig.update_yaxes(title="samples", range=[0, max(counts.max(), fair) * 1.15])
        title = f"The judge's classes for {counts.sum():,} samples (dashed: uniform, {fair:.0f} each)"
        projector.chart(plots.layout(fig, style, title, height=340), key="gimg_histogram")
        st.caption("Measured when the checkpoint was built, on every one of 5,000 samples. A GAN that fell into "
                   "**mode collapse** would pile them onto one or two classes: it fools the discriminator with a "
                   "few good pictures instead of learning all of the data.")
    if scores.get("judge_curve"):
        with st.expander("How the generator improved while it trained"):
            steps, entropy, top = (np.array(v) for v in zip(*scores["judge_curve"]))
            fig = plots.lines({"variety (entropy of the classes)": (steps, entropy),
                               "crispness (judge's confidence)": (steps, top)}, style,
                              "The judge on 1,000 samples of the generator at each kept step",
                              axes=("training step", "share"), y_range=(0, 1.02), height=340)
            for goal, dash in ((gan_images.GOALS["entropy_ratio"], "dot"),
                               (gan_images.GOALS["mean_top_probability"], "dash")):
                fig.add_hline(y=goal, line_dash=dash, line_color="#888", line_width=style.line_width * 0.6)
            fig.update_yaxes(tickformat=".0%")
            projector.chart(fig, key="gimg_judge_curve")
            st.caption("Grey lines: the goals (90% variety, dotted; 80% confidence, dashed). Measured while "
                       "the checkpoint was built, on the moving average of the generator that is shipped.")


def _next_seed() -> None:
    st.session_state["gimg_seed"] = (st.session_state.get("gimg_seed", 0) + 1) % 1000


def interpolation_view(model: torch.nn.Module, judge: torch.nn.Module, style: plots.PlotStyle) -> None:
    st.markdown("Two random vectors z₀ and z₁, and the points on the way between them: the generator turns each "
                "into a picture. Nearby vectors give similar pictures, so the walk shows one garment **morphing** "
                "into another, each step still a plausible image: the generator has learned a smooth map from "
                "random numbers to clothes, not a lookup table of training images.")
    cols = st.columns([1, 1, 1, 1.3]) if not _big(style) else st.columns(2) + st.columns(2)
    with cols[0]:
        a = url_state.slider("Start: seed of z₀", 0, 999, 3, key="gimg_from")
    with cols[1]:
        b = url_state.slider("End: seed of z₁", 0, 999, 7, key="gimg_to")
    with cols[2]:
        steps = url_state.slider("Pictures on the way", 3, 16, 10, key="gimg_steps")
    with cols[3]:
        path = url_state.choice(st.segmented_control, "Path", ["straight line", "great circle"], "straight line",
                                key="gimg_path", help="The straight line's middle is shorter than a typical random "
                                                      "z; the great circle (slerp) keeps the length.")
    size = model.generator.cfg.latent
    z = gan_images.interpolate(gan_images.latent(1, a, size)[0], gan_images.latent(1, b, size)[0], steps,
                               spherical=path == "great circle")
    x = gan_images.generate(model.generator, z)
    probs = gan_images.judge(judge, x)
    d = gan_images.discriminator_scores(model.discriminator, x)
    width = max(50, min(112, 880 // steps))
    st.image(_pictures(x, width), width=width, caption=[_caption(p) for p in probs])
    t = np.linspace(0, 1, steps)
    shown = list(dict.fromkeys(int(k) for k in probs.argmax(1)))
    curves = {f"judge: {FASHION_CLASSES[k]}": (t, probs[:, k]) for k in shown}
    fig = plots.lines(curves, style, "Along the walk: the judge's probabilities and the discriminator's score",
                      axes=("t (0 = z₀, 1 = z₁)", "probability"), y_range=(0, 1.05), height=360)
    fig.add_scatter(x=t, y=d, mode="lines+markers", name="D(x): real?", line=dict(color="#444", dash="dash",
                    width=style.line_width), marker=dict(size=style.marker_size))
    projector.chart(fig, key="gimg_walk")


def discriminator_view(model: torch.nn.Module, style: plots.PlotStyle) -> None:
    st.markdown("**Generating a new image = fooling the classifier.** The discriminator is a classifier with two "
                "classes, *real* and *generated*; D(x) is the probability it gives an image of being real. It "
                "learns to push D up on real photos and down on generated ones; the generator learns, through the "
                "discriminator's gradient, to push D(G(z)) **up**: its loss is −log D(G(z)). Neither ever sees a "
                "label of the clothes.")
    with st.columns([1, 1])[0] if not _big(style) else st.container():
        seed = url_state.slider("Batch (seed)", 0, 99, 0, key="gimg_batch",
                                help="Which real test images and which random vectors.")
    X = cache.fashion_test()[0]
    pick = np.random.default_rng(seed).choice(len(X), STRIP, replace=False)
    real = gan_images.to_input(X[pick])
    fake = gan_images.generate(model.generator, gan_images.latent(STRIP, 1000 + seed, model.generator.cfg.latent))
    width = 88
    for title, x in (("Real test images (never used in training)", real), ("Generated images", fake)):
        scores = gan_images.discriminator_scores(model.discriminator, x)
        st.markdown(f"**{title}**: mean D(x) = {scores.mean():.2f}")
        st.image(_pictures(x, width), width=width, caption=[f"D = {s:.2f}" for s in scores])
    real_d, fake_d = _d_scores(checkpoints.read_manifest()[NAME].sha256, model)
    fooled = (fake_d > 0.5).mean()
    fig = go.Figure()
    for i, (name, values) in enumerate((("real test images", real_d), ("generated images", fake_d))):
        fig.add_histogram(x=values, name=f"{name} (mean {values.mean():.2f})", xbins=dict(start=0, end=1, size=0.025),
                          marker_color=style.colour(i), opacity=0.65)
    fig.add_vline(x=0.5, line_dash="dash", line_color="#555", line_width=style.line_width * 0.7)
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title="D(x): the discriminator's probability that x is real", range=[0, 1])
    fig.update_yaxes(title="images")
    projector.chart(plots.legend_below(plots.layout(fig, style, f"D(x) for {HISTOGRAM_IMAGES:,} real and "
                                                    f"{HISTOGRAM_IMAGES:,} generated images", height=380)),
                    key="gimg_d_histogram")
    st.caption(f"{fooled:.0%} of the generated images fool the discriminator (D > ½), and it calls "
               f"{(real_d > 0.5).mean():.0%} of the real ones real: the two histograms overlap, and at the end of "
               "training neither network wins. At the game's ideal end, the generator's images are distributed like "
               "the real ones and the best a discriminator can do is D = ½ everywhere. (Earlier in training the "
               "two were far apart: train one yourself and watch its scores.)")


# Training one live

def _reset() -> None:
    """After a divergence: forget the run and go back to the default learning rate."""
    st.session_state.pop(RUN, None)
    st.session_state["gimg_lr"] = DEFAULT_LR


def _thin(values: list[tuple[float, float]], names: tuple[str, str], points: int = 200) -> list[dict]:
    """Per-step pairs averaged over runs of steps, to at most `points` points per curve, as Vega-Lite rows."""
    k = max(1, math.ceil(len(values) / points))
    rows = []
    for i in range(0, len(values), k):
        chunk = [v for v in values[i:i + k] if all(math.isfinite(x) for x in v)]
        for j, name in enumerate(names):
            if chunk:
                rows.append({"step": min(i + k, len(values)), "value": sum(v[j] for v in chunk) / len(chunk),
                             "curve": name})
    return rows


def _spec(rows: list[dict], total: int, y_title: str, style: plots.PlotStyle,
          y_domain: list[float] | None = None) -> dict:
    """A Vega-Lite line chart of named curves over the steps (its title is written above it: Streamlit leaves a
    wide gap under a Vega-Lite title)."""
    names = list(dict.fromkeys(r["curve"] for r in rows)) or ["-"]
    size = style.font_size * 0.8
    y = {"field": "value", "type": "quantitative", "title": y_title}
    if y_domain:
        y["scale"] = {"domain": y_domain}
    return {"data": {"values": rows},
            "mark": {"type": "line", "strokeWidth": style.line_width, "clip": True},
            "encoding": {"x": {"field": "step", "type": "quantitative", "scale": {"domain": [0, total]}},
                         "y": y,
                         "color": {"field": "curve", "type": "nominal", "title": None,
                                   "legend": {"orient": "top", "labelLimit": 400},
                                   "scale": {"domain": names, "range": [style.colour(i) for i in range(len(names))]}}},
            "config": {"axis": {"labelFontSize": size, "titleFontSize": style.font_size * 0.9},
                       "legend": {"labelFontSize": size}}}


def curves(run: gan_images.Run, loss_slot: DeltaGenerator, score_slot: DeltaGenerator,
           style: plots.PlotStyle) -> None:
    total, height = run.settings.steps, 340 if _big(style) else 270
    with loss_slot.container():
        st.markdown("**The two losses** (mini-batch by mini-batch)")
        st.vega_lite_chart(_spec(_thin(run.losses, ("discriminator", "generator")), total, "loss", style),
                           width="stretch", height=height)
    with score_slot.container():
        st.markdown("**The discriminator's mean score D(x)** on the real and the generated images of each step")
        st.vega_lite_chart(_spec(_thin(run.scores, ("D(real images)", "D(generated images)")), total, "D(x)",
                                 style, [0, 1]), width="stretch", height=height)


def snapshots(run: gan_images.Run, slot: DeltaGenerator, style: plots.PlotStyle) -> None:
    """The fixed latent vectors' pictures at each kept step, one row per step."""
    size = 56 if not _big(style) else 70
    with slot.container():
        for step, pictures in run.snapshots:
            st.image(plots.tiles([np.repeat(p[:, :, None], 3, 2) for p in pictures], len(pictures), size=size),
                     caption=f"step {step:,}" + (" (random start)" if step == 0 else ""))


def _live_settings(steps: int, lr: float) -> gan_images.Settings:
    return gan_images.Settings(config=LIVE_CONFIG, steps=steps, lr=lr, ema=0.0, smooth=0.9,
                               snapshots=LIVE_SNAPSHOTS, seed=0)


def _train(settings: gan_images.Settings, style: plots.PlotStyle, stop_slot: DeltaGenerator) -> None:
    bar = st.empty()
    grid, charts = _layout(style)
    grid, charts = grid.empty(), tuple(c.empty() for c in charts)
    images = _training_images()
    run = st.session_state[RUN] = gan_images.Run.start(settings)
    live = live_training.Live(bar, lambda: curves(run, *charts, style))

    def progress(step: int, total: int, d: float, g: float) -> None:
        live.progress(step, total, f"D loss {d:.2f} · G loss {g:.2f}")

    def train() -> None:
        gan_images.train(run, images, on_progress=progress, on_snapshot=lambda *_: snapshots(run, grid, style))

    snapshots(run, grid, style)
    live_training.train_here(run, live, train, stop_slot, "gimg_stop", "Stop here and keep what was learned so far.")


def result(run: gan_images.Run, style: plots.PlotStyle) -> None:
    s = run.settings
    if not live_training.settled(run):
        st.info("Stopping the training…", icon=":material/hourglass:")
        return
    if run.status == "diverged":
        st.error(f"**Training diverged** at step {run.step:,}: {run.reason}, so it was stopped. With a learning rate "
                 f"of {s.lr:g}, Adam moves every weight by up to {s.lr:g} a step; the two networks overshoot each "
                 "other and the generator ends up drawing one blank or saturated picture whatever z is. **Reset** "
                 f"forgets this run and goes back to {DEFAULT_LR:g}; DCGAN's own choice is 0.0002.",
                 icon=":material/warning:")
        st.button("Reset", key="gimg_reset", icon=":material/restart_alt:", on_click=_reset)
    elif run.status == "stopped":
        st.info(f"Stopped after {run.step:,} of {s.steps:,} steps.", icon=":material/stop_circle:")
    else:
        d_real, d_fake = (np.mean([v[j] for v in run.scores[-20:]]) for j in (0, 1))
        st.success(f"Trained {run.step:,} steps in {run.seconds:.0f} s. At the end the discriminator gave real "
                   f"images {d_real:.2f} and generated ones {d_fake:.2f} on average.", icon=":material/check:")
    st.caption(f"Your last run: learning rate {s.lr:g}, {run.step:,} of {s.steps:,} steps of 64 images; it lives "
               "in your session only. Each row: the same 10 latent vectors, drawn by the generator at that step.")
    grid, charts = _layout(style)
    snapshots(run, grid.empty(), style)
    curves(run, charts[0].empty(), charts[1].empty(), style)


def _layout(style: plots.PlotStyle) -> tuple[DeltaGenerator, tuple[DeltaGenerator, DeltaGenerator]]:
    if _big(style):
        return st.container(), tuple(st.columns(2, gap="medium"))
    grid, right = st.columns([1.1, 1], gap="large")
    return grid, (right.container(), right.container())


@functools.cache
def _live_parameters() -> int:
    return sum(p.numel() for p in DCGAN(LIVE_CONFIG).parameters())


def _shipped_steps() -> int:
    entry = checkpoints.read_manifest().get(NAME)
    return entry.steps if entry else 0


def train_view(style: plots.PlotStyle) -> None:
    st.markdown("Train a smaller GAN from scratch, here and now: both networks start random and take turns. "
                "Watch the same ten random vectors turn from grey noise into blobs and then into clothes, and the "
                "two losses pull against each other: when one network gets better, the other's loss goes up. "
                "A few hundred steps give recognisable shapes"
                + (f"; the shipped GAN, twice as wide, trained for {_shipped_steps():,} steps." if _shipped_steps()
                   else "."))
    cols = st.columns([2, 2, 1, 1], vertical_alignment="bottom")
    with cols[0]:
        steps = url_state.choice(st.select_slider, "Steps (64 real + 64 generated images each)", LIVE_STEPS,
                                 LIVE_DEFAULT_STEPS, key="gimg_train_steps")
    with cols[1]:
        lr = url_state.choice(st.select_slider, "Learning rate (Adam, both networks)", LEARNING_RATES, DEFAULT_LR,
                              key="gimg_lr", format_func=lambda r: f"{r:g}",
                              help="Too small: little happens in a few hundred steps. Too large (0.03 and up): the "
                                   "training diverges.")
    live_training.train_button(cols[2], "gimg_go")
    stop_slot = cols[3].empty()
    params = _live_parameters()
    st.caption(f"{describe(LIVE_CONFIG)}: {params:,} parameters in all (the shipped pair is twice as wide, and "
               "its generator doubles pixels before a 3×3 convolution, which leaves no checkerboard pattern). "
               "One training at a time on this server; the page waits while it trains.")
    live_training.when_requested("gimg_go", lambda: _train(_live_settings(steps, lr), style, stop_slot))
    run = st.session_state.get(RUN)
    if run is not None:
        result(run, style)


def section() -> None:
    style = projector.style()
    st.subheader("On images: a DCGAN learns to draw clothes")
    st.markdown("The same game on 28×28 pictures. *Learning to sample from a complex distribution like images of "
                "faces*: the data available is images only, and the generator is *trained by a discriminator "
                "network*. Faces need hours of a GPU; here Fashion-MNIST's clothes, which a CPU learns in minutes.")
    model = cache.model(NAME)
    judge = cache.model(JUDGE)
    view = url_state.choice(st.segmented_control, "Image GAN view", VIEWS, key="gimg_view")
    if model is None or judge is None:
        if view == VIEWS[3]:
            train_view(style)
        return
    scores = cache.metrics(NAME)
    if view == VIEWS[0]:
        shipped_summary(model, scores)
        samples_view(model, judge, scores, style)
    elif view == VIEWS[1]:
        interpolation_view(model, judge, style)
    elif view == VIEWS[2]:
        discriminator_view(model, style)
    else:
        train_view(style)
