"""GANs: a GAN on 2-D points trained live in the student's browser (core/generative/ui/gan2d_live.py), as GAN Lab shows
it (targets, both networks' settings, play / pause / step, the discriminator's heat map, the gradient arrows, both
losses and a divergence estimate, mode collapse shown and explained); then GANs on images
(core.generative.ui.gan_images)."""
import hashlib
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import plots
from core.generative import gan2d
from core.generative.ui import gan2d_live as live
from core.generative.ui import gan_images
from core.ui import live_loop, presenter, projector, url_state

RUN = "gan_run"  # this student's GAN, in their session
TARGETS = {"ring of 8 Gaussians": "ring", "two moons": "two moons", "grid of 9 Gaussians": "grid",
           "your points": "your points"}
LOSSES = {"log loss": "log", "least squares": "least squares"}
LEARNING_RATES = (1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0)
WIDTHS = (4, 8, 16, 32, 64, 128)
DEFAULT = gan2d.GanConfig()
PRESETS = {  # name in core.generative.gan2d.PRESETS: what to look for
    "defaults": "Both networks learn at 0.001, one D step per G step: all 8 modes of the ring are covered after "
                "about 500 to 2,000 iterations.",
    "mode collapse": "The generator learns 100× faster than the discriminator: within a few hundred iterations "
                     "every generated point sits on one spot, which then jumps around, never covering more than a "
                     "mode or two (on some random starts it finally blows up).",
    "partial collapse": "The generator learns 30× faster: after a few thousand iterations it covers some modes and "
                        "leaves others empty, though the discriminator marks them as real.",
}
CANDIDATE_STEP = 0.25  # spacing of the clickable points for "your points"
DEFAULT_POINTS = ("# one point per line: x, y (the canvas is -2.5 .. 2.5)\n"
                  "-1.2, 1.2\n1.2, 1.2\n-1.8, -0.6\n-1.2, -1.2\n0, -1.5\n1.2, -1.2\n1.8, -0.6")
MAX_UPLOAD_BYTES = 5_000_000
REAL = "rgb(27, 120, 55)"  # the real points' green, as the live picture draws them (gan2d_view.js)


@dataclass
class Run:
    """One student's GAN: core's torch GAN (its start, and its state at the browser's last pause or step), the
    start the browser plays from, and the snapshot it last sent (it resumes from it after the component remounts)."""
    gan: gan2d.Gan
    start: dict
    id: str  # names this start; the browser keeps playing while it stays the same
    snapshot: dict | None = None

    def adopt(self, snapshot: dict | None) -> None:
        """Take in the browser's snapshot of this run (none, one of an older run or one already taken: no change)."""
        if snapshot and snapshot.get("run") == self.id and snapshot != self.snapshot:
            self.snapshot = snapshot
            live.adopt(self.gan, snapshot)


def _seed(text: str) -> int:
    if not text.isdigit() or int(text) > 10**6:
        raise ValueError("a whole number from 0 to 1000000")
    return int(text)


def _lr_text(rate: float) -> str:
    return f"{rate:g}"


def _network_controls(net: str, columns) -> tuple[int, int, float]:
    """Hidden layers, neurons per layer and learning rate of the generator ("g") or discriminator ("d")."""
    with columns[0]:
        layers = url_state.slider("Hidden layers", 1, 4, getattr(DEFAULT, f"{net}_layers"), key=f"gan_{net}_layers")
    with columns[1]:
        width = url_state.choice(st.select_slider, "Neurons per layer", WIDTHS, getattr(DEFAULT, f"{net}_width"),
                                 key=f"gan_{net}_width")
    with columns[2]:
        lr = url_state.choice(st.select_slider, "Learning rate", LEARNING_RATES, getattr(DEFAULT, f"{net}_lr"),
                              key=f"gan_{net}_lr", format_func=_lr_text)
    return layers, width, lr


def controls() -> gan2d.GanConfig:
    """GAN Lab's settings: the target, both networks, learning rates, D steps per G step, the loss."""
    top = st.columns([1.3, 1.5, 1], vertical_alignment="bottom")
    with top[0]:
        target_name = url_state.choice(st.selectbox, "Target distribution (the real data)", list(TARGETS),
                                       key="gan_target")
    with top[1]:
        loss_name = url_state.choice(st.segmented_control, "Loss", list(LOSSES), key="gan_loss",
                                     help="Log loss: the original GAN's. Least squares: LSGAN's (D outputs a number, "
                                          "1 for real and 0 for fake, scored by the squared error).")
    with top[2]:
        seed = url_state.value("gan_seed", 0, _seed)
        st.button("New random start", icon=":material/casino:", key="gan_reseed", on_click=_reseed,
                  help=f"Start again from other random weights and noise (now seed {seed}; the next is {seed + 1}).")
    g_col, d_col = st.columns(2, gap="large")
    with g_col:
        st.markdown("**Generator** G: noise z → a point")
        g_layers, g_width, g_lr = _network_controls("g", st.columns(3))
    with d_col:
        st.markdown("**Discriminator** D: a point → the probability it is real")
        *network, steps_col = st.columns([1, 1, 1, 1.1])
        d_layers, d_width, d_lr = _network_controls("d", network)
        with steps_col:
            d_steps = url_state.slider("D steps / G step", 1, 10, DEFAULT.d_steps, key="gan_d_steps",
                                       help="How many times the discriminator is updated before each generator "
                                            "update.")
    return gan2d.GanConfig(target=TARGETS[target_name], g_layers=g_layers, g_width=g_width, d_layers=d_layers,
                           d_width=d_width, g_lr=g_lr, d_lr=d_lr, d_steps=d_steps, loss=LOSSES[loss_name], seed=seed)


def _reseed() -> None:
    st.session_state["gan_seed"] += 1


# Points the student places -----------------------------------------------------------------------------------------

def _candidates() -> np.ndarray:
    ticks = np.arange(-2.5, 2.5 + 1e-9, CANDIDATE_STEP)
    return np.stack(np.meshgrid(ticks, ticks), axis=-1).reshape(-1, 2)


def _add_clicked() -> None:
    """The picker's callback: append every clicked or boxed candidate point to the text of points."""
    chosen = st.session_state.get("gan_canvas")
    points = [p for p in (chosen.selection.points if chosen else []) if p.get("curve_number", 0) == 0]
    if points:
        lines = "\n".join(f"{p['x']:g}, {p['y']:g}" for p in points)
        st.session_state["gan_points"] = st.session_state.get("gan_points", "").rstrip("\n") + "\n" + lines


def _clear_points() -> None:
    st.session_state["gan_points"] = ""


def _picker(points: np.ndarray | None, style: plots.PlotStyle) -> None:
    """A canvas of candidate points: a click (or a box dragged over several) adds them to the list."""
    grid = _candidates()
    fig = go.Figure([go.Scatter(x=grid[:, 0], y=grid[:, 1], mode="markers", name="click to add",
                                marker=dict(size=style.marker_size * 0.9, color="#d0d0d0"), hoverinfo="x+y")])
    if points is not None and len(points):
        shown = points[:2000]
        fig.add_trace(go.Scatter(x=shown[:, 0], y=shown[:, 1], mode="markers", name="your points",
                                 marker=dict(size=style.marker_size * 1.2, color=REAL),
                                 hoverinfo="skip"))
    fig.update_xaxes(range=[-2.8, 2.8], zeroline=False, fixedrange=True, constrain="domain")
    fig.update_yaxes(range=[-2.8, 2.8], scaleanchor="x", zeroline=False, fixedrange=True)
    fig.update_layout(showlegend=False)
    plots.layout(fig, style, None, height=340)
    st.caption("Click a grey point to add it to your list; to add a whole patch, pick the box tool (top right of "
               "the canvas) and drag a box.")
    st.plotly_chart(fig, key="gan_canvas", theme=None, on_select=_add_clicked, selection_mode=("points", "box"),
                    config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "zoom2d", "pan2d"]})


def user_points(style: plots.PlotStyle) -> gan2d.UserPoints | None:
    """The student's own target: typed, clicked or uploaded points, read and checked; None after a message."""
    text_col, canvas_col = st.columns([1, 1.3], gap="medium")
    with text_col:
        text = url_state.text(st.text_area, "Your points, one x, y per line", DEFAULT_POINTS, key="gan_points",
                              height=230, help="Comma, semicolon, tab or space between the numbers; lines starting "
                                               "with # are ignored. Points outside -2.5 .. 2.5 are scaled to fit.")
        st.button("Clear the points", icon=":material/delete:", key="gan_clear", on_click=_clear_points)
        upload = st.file_uploader("…or upload a CSV / text file of x, y lines", type=["csv", "txt"], key="gan_csv")
    read, problem = None, None
    if upload is not None:
        data = upload.getvalue()
        try:
            if len(data) > MAX_UPLOAD_BYTES:
                raise ValueError(f"The file is {len(data) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} "
                                 "MB (5,000 points of x, y need far less).")
            read = gan2d.read_points(data.decode("utf-8-sig"))
            read.notes.insert(0, f"Using the {len(read.points):,} points of **{upload.name}** (remove the file to "
                                 "use the list instead).")
        except UnicodeDecodeError:
            problem = "The file is not UTF-8 text: save it as CSV (UTF-8) and upload it again."
        except ValueError as e:
            problem = f"{upload.name}: {e}"
    else:
        try:
            read = gan2d.read_points(text)
        except ValueError as e:
            problem = str(e)
    with canvas_col:
        _picker(None if read is None else read.points, style)
    if problem:
        st.error(problem, icon=":material/scatter_plot:")
        return None
    for note in read.notes:
        st.info(note, icon=":material/info:")
    return read


# The run -----------------------------------------------------------------------------------------------------------

def _structure(config: gan2d.GanConfig, points: np.ndarray | None) -> tuple:
    """What, when it changes, starts a new run (learning rates and D steps change in place, as in GAN Lab)."""
    digest = None if points is None else hashlib.sha1(np.ascontiguousarray(points).tobytes()).hexdigest()
    return (config.target, config.loss, config.g_layers, config.g_width, config.d_layers, config.d_width,
            config.seed, digest)


def run_for(config: gan2d.GanConfig, points: np.ndarray | None) -> Run:
    """This student's run, new when the target or the networks changed or Reset was pressed."""
    run, structure = st.session_state.get(RUN), _structure(config, points)
    generation = st.session_state.setdefault("gan_generation", 0)
    if run is None or st.session_state.get("gan_structure") != (structure, generation):
        gan = gan2d.Gan(config, points)
        run = Run(gan, live.start_of(gan), live.run_id(structure, generation))
        st.session_state[RUN], st.session_state["gan_structure"] = run, (structure, generation)
    run.gan.set_rates(config.g_lr, config.d_lr, config.d_steps)
    return run


def _reset() -> None:
    """A fresh start of the same networks: a new run for the browser."""
    st.session_state["gan_generation"] = st.session_state.get("gan_generation", 0) + 1


def _safe_reset() -> None:
    """After a divergence: the default learning rates and a fresh start."""
    st.session_state["gan_g_lr"], st.session_state["gan_d_lr"] = DEFAULT.g_lr, DEFAULT.d_lr
    _reset()


def _preset(name: str) -> None:
    """Set a preset's learning rates and steps, with the default ring and networks, from a fresh start."""
    settings = gan2d.PRESETS[name]
    st.session_state.update(gan_g_lr=settings["g_lr"], gan_d_lr=settings["d_lr"], gan_d_steps=settings["d_steps"])
    st.session_state["gan_target"] = next(k for k, v in TARGETS.items() if v == "ring")
    st.session_state["gan_loss"] = next(iter(LOSSES))
    for key, value in (("gan_g_layers", DEFAULT.g_layers), ("gan_g_width", DEFAULT.g_width),
                       ("gan_d_layers", DEFAULT.d_layers), ("gan_d_width", DEFAULT.d_width)):
        st.session_state[key] = value
    _reset()


# The live view ------------------------------------------------------------------------------------------------------

LEGEND = ("<span style='color:rgb(27,120,55)'>●</span> real points (the target's samples) · "
          "<span style='color:rgb(118,42,131)'>●</span> generated points G(z) · arrows: where the generator's loss "
          "pushes each generated point (−∂L_G/∂x) · background: D(x), green = “real”, purple = “fake”, white = "
          "can't tell · circles: the target's modes, solid when covered, dashed red when missed")


def trainer(run: Run) -> None:
    """Play, pause, step, +1,000 and reset, the picture and both charts: all in the browser, which trains and draws
    each frame and sends the state back here when the student pauses or steps (or training stops by itself)."""
    toggles = st.columns([1, 1, 1, 3])
    with toggles[0]:
        show_map = url_state.checkbox("D(x) map", True, key="gan_show_map")
    with toggles[1]:
        show_real = url_state.checkbox("Real points", True, key="gan_show_real")
    with toggles[2]:
        show_arrows = url_state.checkbox("Arrows", True, key="gan_show_arrows")
    run.adopt(live_loop.snapshot(live.KEY))
    view = {"showMap": show_map, "showReal": show_real, "showArrows": show_arrows}
    data = live.data(run.id, run.start, run.gan, run.snapshot, projector.style(), view)
    live_loop.mount(live.renderer, live.KEY, data)
    st.caption(LEGEND, unsafe_allow_html=True)
    paused(run)


def paused(run: Run) -> None:
    """The run where the student last paused or stepped, measured here (what the links and the details read)."""
    gan = run.gan
    covered = gan.modes_covered()
    modes = "" if covered is None else f" · modes covered **{covered} of {len(gan.means)}**"
    with np.errstate(all="ignore"):
        js = gan2d.js_estimate(gan.eval_real, gan.generate())
    st.markdown(f"#### After {gan.iteration:,} iteration{'s' * (gan.iteration != 1)}\nWhere you last paused or "
                f"stepped: divergence estimate **{js:.2f} bits**{modes}.")
    if gan.diverged:
        st.error(f"**Training diverged** at iteration {gan.iteration:,} (learning rates G {gan.config.g_lr:g}, "
                 f"D {gan.config.d_lr:g}).", icon=":material/warning:")
        st.button("Reset with safe learning rates", icon=":material/healing:", on_click=_safe_reset,
                  key="gan_safe_reset", help=f"Both learning rates back to {DEFAULT.g_lr:g}, from a fresh start.")


# The words around it -------------------------------------------------------------------------------------------

def explain_mode_collapse() -> None:
    st.markdown("#### Mode collapse")
    st.markdown(
        "The generator is rewarded point by point for fooling the discriminator *now*; nothing in its loss asks for "
        "variety. If it finds one spot that D rates as real, the cheapest way to lower its loss is to send **every** "
        "z there — the best answer to a fixed discriminator is a single point at D's maximum. Then D learns that "
        "this spot is fake (it turns purple), the arrows push the whole clump elsewhere, and the generator hops "
        "from mode to mode instead of covering them all. It happens when the generator moves faster than the "
        "discriminator can follow (a larger G learning rate, a weak D). Partial collapse is the milder form: some "
        "modes stay empty although D marks them green, because D's gradient only acts where generated points are "
        "— no arrow reaches an empty mode. The grid of 9 Gaussians shows it at the defaults: the generator "
        "usually covers the four corners, joined by a frame of stray points, and leaves the middle row empty. "
        "Remedies in practice: keep D ahead (lower G learning rate, more D "
        "steps), minibatch discrimination or PacGAN (D sees several samples at once and can spot a lack of "
        "variety), unrolled GANs, the Wasserstein loss.")
    cols = st.columns(len(PRESETS))
    for col, (name, what) in zip(cols, PRESETS.items()):
        settings = gan2d.PRESETS[name]
        with col:
            st.button(f"Show {name}" if name != "defaults" else "Back to the defaults", key=f"gan_preset_{name[:4]}",
                      icon=":material/play_circle:", on_click=_preset, args=(name,), width="stretch")
            st.caption(f"G learning rate {settings['g_lr']:g}, D {settings['d_lr']:g}. {what} Then press "
                       "**Play**.")


def explain_measures(run: Run) -> None:
    gan = run.gan
    with st.expander("What the losses and the divergence estimate are"):
        st.markdown("**The losses.** D outputs a logit a; D(x) = σ(a) is its probability that x is real.")
        st.latex(r"\text{log loss:}\quad L_D = -\mathbb{E}_x \log D(x) - \mathbb{E}_z \log\bigl(1 - D(G(z))\bigr),"
                 r"\qquad L_G = -\mathbb{E}_z \log D(G(z))")
        st.latex(r"\text{least squares:}\quad L_D = \tfrac12\mathbb{E}_x (D(x) - 1)^2 + \tfrac12\mathbb{E}_z "
                 r"D(G(z))^2, \qquad L_G = \tfrac12\mathbb{E}_z (D(G(z)) - 1)^2")
        st.markdown(
            "The generator's log loss is the *non-saturating* one of the original paper: −log D(G(z)) rather "
            "than log(1 − D(G(z))), which gives strong gradients early on, when D rejects everything. With the "
            "least-squares loss D outputs a plain number (1 for real, 0 for fake; the heat map clips it to 0..1). "
            "The arrows are −∂L_G/∂x at each generated point x = G(z): the generator cannot move points directly, "
            "it changes its weights so that its points move, on average, along these arrows. Both networks use "
            f"Adam (β₁ = 0.5) on batches of {gan.config.batch} real and {gan.config.batch} generated points; the "
            f"noise z has {gan.config.noise_dim} dimensions, drawn from a standard normal.")
        st.markdown(
            f"**The divergence estimate** compares the point clouds themselves, not what D thinks: "
            f"{gan2d.Gan.EVAL_POINTS:,} target samples and {gan2d.Gan.EVAL_POINTS:,} generated ones (always the "
            f"same z) are counted in the cells of a {gan2d.HIST_BINS} × {gan2d.HIST_BINS} grid over the canvas "
            "(points off the canvas in one extra cell), and the Jensen–Shannon divergence between the two "
            "histograms is computed: 0 bits when they match, 1 bit when they share no cell. Even two samples of "
            f"the target itself differ a little: they score **{gan.js_floor:.3f}** (the dashed line), the best a "
            "generator can reach here. A discriminator-based estimate also exists — at the optimal D, "
            "JS = log 2 − L_D / 2 — but during training D is not optimal, so it can read low while the clouds "
            "still differ; the histogram estimate does not depend on D.")


INTRO = ("**Generative *adversarial* networks** learn to sample from a complex distribution when all we have are "
         "samples of it.")
HOW = ("The generator G turns random noise z into a sample; it is trained by a **discriminator** D, a classifier "
       "that tells real samples from generated ones. Generating a new sample = fooling the classifier: D is trained "
       "to tell them apart, G to make D say “real”, by turns.")


def lab() -> None:
    """The 2-D GAN: controls, the student's points if chosen, the live view and what it shows."""
    st.subheader("In 2-D: GAN Lab")
    st.markdown("A GAN on points in the plane, where everything can be seen: the real points (green), the "
                "generated ones (purple), what the discriminator thinks of every place (the background), and where "
                "the generator's loss pushes its points (the arrows). Press **Play**: it trains in your browser.")
    style = projector.style()
    config = controls()
    points = None
    if config.target == "your points":
        read = user_points(style)
        if read is None:
            return
        points = read.points
    run = run_for(config, points)
    trainer(run)
    explain_mode_collapse()
    explain_measures(run)


def section() -> None:
    st.markdown(INTRO)
    if answer := presenter.answer():  # the notes ask first what a face image alone lets us do
        with answer:
            st.markdown(HOW)
    lab()
    gan_images.section()
