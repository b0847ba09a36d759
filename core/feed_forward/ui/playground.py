"""The Playground: TensorFlow Playground's controls and views, trained live by core.feed_forward.playground in this student's
session, plus what its users asked for (output bias and loss formula, accuracy and confusion matrix, three
classes, export, their own CSV data, a message instead of NaN)."""
import itertools
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import plots
from core.data import toy
from core.feed_forward import network_picture
from core.feed_forward import playground as pg
from core.ui import projector, url_state

RUN = "pg_run"  # this student's network, data and history, in their session
DATASETS = {"classification": {"circle": ("circle", 2), "xor": ("xor", 2), "two gaussians": ("gauss", 2),
                               "spiral": ("spiral", 2), "spiral, 3 arms": ("spiral", 3), "your CSV": ("upload", 2)},
            "regression": {"plane": ("plane", 2), "multi-gaussian": ("multi_gauss", 2), "your CSV": ("upload", 2)}}
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
FRAME_SECONDS = 0.07  # about twelve pictures a second while playing, training in between
MAX_PLAY_SECONDS = 180  # then it pauses, so a forgotten tab does not keep a shared server busy


@dataclass
class Run:
    """One student's Playground: the data, the network being trained, and its history."""
    config: pg.PlaygroundConfig
    data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # X_train, y_train, X_test, y_test
    net: pg.Network
    rng: np.random.Generator
    epoch: int = 0
    history: list[tuple[int, float, float]] = field(default_factory=list)  # (epoch, train loss, test loss)
    playing: bool = False
    diverged: bool = False

    def record(self) -> None:
        Xtr, ytr, Xte, yte = self.data
        with np.errstate(all="ignore"):
            losses = pg.loss(self.net, Xtr, ytr), pg.loss(self.net, Xte, yte)
        self.history = [*self.history[-999:], (self.epoch, *losses)]
        self.diverged = pg.is_diverged(self.net, sum(losses))
        self.playing = self.playing and not self.diverged


def _layers(text: str) -> tuple[int, ...]:
    """Layer widths from the URL, e.g. "4,2"; "" for none."""
    parts = [w.strip() for w in text.split(",") if w.strip()]
    if len(parts) > 6 or not all(w.isdigit() and 1 <= int(w) <= 8 for w in parts):
        raise ValueError("0 to 6 layers of 1 to 8 neurons")
    return tuple(map(int, parts))


def _seed(text: str) -> int:
    if not text.isdigit():
        raise ValueError("a whole number, 0 or more")
    return int(text)


def _change_layers(change: str, layer: int = -1) -> None:
    """The +/- buttons: add or remove a layer, or a neuron of one layer."""
    widths = list(st.session_state["pg_hidden"])
    if change == "add layer" and len(widths) < 6:
        widths.append(2)
    elif change == "remove layer" and widths:
        widths.pop()
    elif change == "add neuron":
        widths[layer] = min(8, widths[layer] + 1)
    elif change == "remove neuron":
        widths[layer] = max(1, widths[layer] - 1)
    st.session_state["pg_hidden"] = tuple(widths)


def _regenerate() -> None:
    st.session_state["pg_seed"] += 1


def controls() -> tuple[pg.PlaygroundConfig, bytes | None]:
    """Every Playground control, laid out as in TensorFlow Playground; returns the config and any uploaded CSV."""
    top = st.columns([1.3, 1, 1, 1, 1.2])
    with top[0]:
        lr = url_state.choice(st.select_slider, "Learning rate η", LEARNING_RATES, 0.03, key="pg_lr")
    with top[1]:
        activation = url_state.choice(st.selectbox, "Activation", pg.ACTIVATION_NAMES, "tanh", key="pg_activation")
    with top[2]:
        regularization = url_state.choice(st.selectbox, "Regularization", pg.REGULARIZATIONS, key="pg_reg")
    with top[3]:
        reg_rate = url_state.choice(st.selectbox, "Regularization rate λ", REG_RATES, key="pg_reg_rate",
                                    disabled=regularization == "none")
    with top[4]:
        problem = url_state.choice(st.selectbox, "Problem type", pg.PROBLEMS, key="pg_problem")
    data_col, net_col = st.columns([1, 3.2], gap="medium")
    with data_col:
        st.markdown("**Data**")
        name = url_state.choice(st.selectbox, "Which dataset?", list(DATASETS[problem]), key=f"pg_data_{problem[:5]}")
        dataset, arms = DATASETS[problem][name]
        upload = None
        if dataset == "upload":
            file = st.file_uploader("CSV with columns x1, x2, label (up to 5,000 rows)", type=["csv", "txt"],
                                    key="pg_csv")
            upload = file.getvalue() if file is not None else None
        ratio = url_state.slider("Training data (%)", 10, 90, 50, 10, key="pg_ratio")
        noise = url_state.slider("Noise", 0, 50, 0, 5, key="pg_noise")
        batch = url_state.slider("Batch size", 1, 30, 10, key="pg_batch")
        seed = url_state.value("pg_seed", 0, _seed)
        st.button("Regenerate", on_click=_regenerate, icon=":material/refresh:", key="pg_regenerate")
    with net_col:
        st.markdown("**Features**: which properties do you want to feed in?")
        chosen = []
        for name, col in zip(pg.FEATURES, st.columns(len(pg.FEATURES))):
            with col:
                if url_state.checkbox(network_picture.FEATURE_LABELS[name], name in ("x1", "x2"), key=f"pg_f_{name}"):
                    chosen.append(name)
        hidden = url_state.value("pg_hidden", (4, 2), _layers, lambda w: ",".join(map(str, w)))
        layer_cols = st.columns([1.4] + [1] * 6)
        with layer_cols[0]:
            st.markdown(f"**{len(hidden)} hidden layer{'s' * (len(hidden) != 1)}**")
            plus, minus = st.columns(2)
            plus.button("", icon=":material/add:", key="pg_add_layer", on_click=_change_layers, args=("add layer",),
                        disabled=len(hidden) >= 6, help="Add a hidden layer")
            minus.button("", icon=":material/remove:", key="pg_remove_layer", on_click=_change_layers,
                         args=("remove layer",), disabled=not hidden, help="Remove the last hidden layer")
        for i, width in enumerate(hidden):
            with layer_cols[i + 1]:
                st.caption(f"layer {i + 1}: {width} neuron{'s' * (width != 1)}")
                plus, minus = st.columns(2)
                plus.button("", icon=":material/add:", key=f"pg_add_{i}", on_click=_change_layers,
                            args=("add neuron", i), disabled=width >= 8)
                minus.button("", icon=":material/remove:", key=f"pg_remove_{i}", on_click=_change_layers,
                             args=("remove neuron", i), disabled=width <= 1)
    if not chosen:
        st.warning("No feature chosen: the network reads X1 until you pick one.", icon=":material/input:")
        chosen = ["x1"]
    config = pg.PlaygroundConfig(dataset=dataset, problem=problem, train_fraction=ratio / 100, noise=noise / 100,
                                 batch_size=batch, features=tuple(chosen), hidden=hidden, activation=activation,
                                 learning_rate=lr, regularization=regularization, reg_rate=reg_rate, seed=seed,
                                 arms=arms)
    return config, upload


def _data(config: pg.PlaygroundConfig, upload: bytes | None) -> tuple:
    if config.dataset != "upload":
        return pg.toy_data(config)
    X, y, note = pg.read_points_csv(upload, config.problem)
    if note:
        st.info(note, icon=":material/straighten:")
    return toy.split(X, y, config.train_fraction, config.seed)


def _structure(config: pg.PlaygroundConfig, upload: bytes | None) -> tuple:
    """What, when it changes, starts training afresh (the learning rate, batch size and regularization do not)."""
    return (config.dataset, config.problem, config.train_fraction, config.noise, config.features, config.hidden,
            config.activation, config.seed, config.arms, hash(upload))


def run_for(config: pg.PlaygroundConfig, upload: bytes | None) -> Run | None:
    """This student's run, rebuilt when the data or the architecture changed; None (after a message) if no data."""
    run, structure = st.session_state.get(RUN), _structure(config, upload)
    if run is None or st.session_state.get("pg_structure") != structure:
        if config.dataset == "upload" and upload is None:
            st.info("Upload a CSV of points: a header row `x1,x2,label`, then one point per line.",
                    icon=":material/upload_file:")
            return None
        try:
            data = _data(config, upload)
        except ValueError as e:
            st.error(str(e), icon=":material/table_view:")
            return None
        run = Run(config, data, pg.Network.create(config, data[1]), np.random.default_rng(config.seed))
        run.record()
        st.session_state[RUN], st.session_state["pg_structure"] = run, structure
    run.config = config
    return run


def _reset() -> None:
    st.session_state.pop("pg_structure", None)


def _play() -> None:
    run = st.session_state[RUN]
    run.playing = not run.playing and not run.diverged


def _step() -> None:
    run = st.session_state[RUN]
    if not run.diverged:
        _train(run)


def _train(run: Run, epochs: int = 1, budget: float = 0.0) -> None:
    """At least `epochs` epochs, and more while within `budget` seconds (several per picture on fast settings)."""
    start = time.perf_counter()
    for done in itertools.count():
        if done >= epochs and time.perf_counter() - start >= budget:
            break
        pg.train_epoch(run.net, run.data[0], run.data[1], run.config, run.rng)
        run.epoch += 1
    run.record()


def trainer() -> None:
    """Play, pause, step and reset. While playing, a loop at the end of the page trains and redraws in place about
    twelve times a second; any click reruns the page, which ends the loop (see the README on why not a fragment)."""
    run: Run = st.session_state[RUN]
    buttons = st.columns([1.1, 1, 1.1, 4])
    buttons[0].button("Pause" if run.playing else "Play", icon=":material/pause:" if run.playing else
                      ":material/play_arrow:", on_click=_play, key="pg_play", type="primary")
    buttons[1].button("Step", icon=":material/skip_next:", on_click=_step, key="pg_step", disabled=run.playing)
    buttons[2].button("Reset", icon=":material/restart_alt:", on_click=_reset, key="pg_reset")
    net_col, out_col = st.columns([3.2, 1.6], gap="medium")
    with out_col:
        toggles = st.columns(2)
        with toggles[0]:
            show_test = url_state.checkbox("Show test data", False, key="pg_show_test")
        with toggles[1]:
            discretize = url_state.checkbox("Discretize output", False, key="pg_discretize")
    view = View(buttons[3].empty(), st.empty(), net_col.empty(), out_col.empty(), st.empty(), show_test, discretize)
    view.draw(run)
    started = time.perf_counter()
    while run.playing:
        frame_start = time.perf_counter()
        _train(run, budget=0.03)
        run.playing = run.playing and frame_start - started < MAX_PLAY_SECONDS
        view.draw(run)
        time.sleep(max(0.0, FRAME_SECONDS - (time.perf_counter() - frame_start)))
    if view.drawn_playing:
        st.rerun()  # it stopped by itself (diverged, or played long enough): show Play again, and the details


@dataclass
class View:
    """The places on the page that each picture redraws."""
    epoch: DeltaGenerator
    warning: DeltaGenerator
    network: DeltaGenerator
    output: DeltaGenerator
    details: DeltaGenerator
    show_test: bool
    discretize: bool
    drawn_playing: bool = False

    def draw(self, run: Run) -> None:
        style = projector.style()
        output, layers = pg.heatmaps(run.net)
        Xtr, ytr, Xte, yte = run.data
        self.epoch.markdown(f"### Epoch {run.epoch:07,d}")
        if run.diverged:
            self.warning.error(f"Training diverged: the weights became infinite or NaN at learning rate "
                               f"{run.config.learning_rate:g}. Lower the learning rate (or add regularization), then "
                               "press Reset.", icon=":material/warning:")
        self.network.image(network_picture.network_picture(run.net, layers, style), width="stretch",
                           output_format="JPEG", caption="Each square is one neuron's output over the whole input "
                           "plane (orange negative, blue positive); lines are weights, thicker for larger, blue "
                           "positive, orange negative.")
        _, train_loss, test_loss = run.history[-1]
        with self.output.container():
            st.image(network_picture.output_picture(output, run.net, (Xtr, ytr), (Xte, yte) if self.show_test else
                                                    None, style, self.discretize), width="stretch", output_format="JPEG")
            st.markdown(f"Training loss **{train_loss:.3f}** · test loss **{test_loss:.3f}**")
            st.vega_lite_chart(plots.loss_curves(run.history, style), width="stretch")
        with self.details.container():
            details(run)
        self.drawn_playing = run.playing


def details(run: Run) -> None:
    """What TensorFlow Playground does not show: the loss formula, the output bias, accuracy, a confusion matrix,
    and the trained network as code (in full when paused; the figures alone while playing)."""
    net, (Xtr, ytr, Xte, yte) = run.net, run.data
    if run.playing:
        accuracy = f" · test accuracy **{pg.accuracy(net, Xte, yte):.1%}**" if net.classes else ""
        st.markdown("Output bias " + ", ".join(f"**{b:+.3f}**" for b in net.biases[-1]) + accuracy
                    + " · pause for the loss formula, confusion matrix and export.")
        return
    st.markdown("**Loss being minimised**, and the output neuron's bias: "
                + ", ".join(f"**{b:+.3f}**" for b in net.biases[-1]))
    st.latex(pg.loss_formula(net, run.config))
    numbers, export = st.columns([2, 1], gap="medium")
    with numbers:
        if net.classes:
            a, b = st.columns(2)
            a.metric("Training accuracy", f"{pg.accuracy(net, Xtr, ytr):.1%}")
            b.metric("Test accuracy", f"{pg.accuracy(net, Xte, yte):.1%}")
            names = [f"class {k}" for k in range(max(net.classes, 2))]
            st.dataframe(pd.DataFrame(pg.confusion_matrix(net, Xte, yte), index=[f"true {n}" for n in names],
                                      columns=[f"predicted {n}" for n in names]), width="stretch")
    with export:
        st.markdown("**Take it with you**")
        st.download_button("PyTorch code", pg.to_pytorch_code(net), file_name=pg.PYTORCH_FILE, mime="text/x-python",
                           icon=":material/code:", key="pg_export_code")
        st.download_button("Weights (JSON)", pg.to_json(net, run.config), file_name=pg.JSON_FILE,
                           mime="application/json", icon=":material/data_object:", key="pg_export_json")
        st.markdown("**This configuration as a link**")
        address = (st.context.url or "").split("?")[0]  # None where no browser asked (tests)
        st.code(f"{address}?{urlencode(st.query_params.to_dict())}", language=None, wrap_lines=True)


def section() -> None:
    """The whole Playground: controls, the live trainer, and the details beneath."""
    config, upload = controls()
    run = run_for(config, upload)
    if run is None:
        return
    trainer()
