"""The Playground: TensorFlow Playground's controls and views, trained and drawn live in the student's browser
(core/feed_forward/ui/playground_live.py), plus what its users asked for (output bias and loss formula, accuracy and
confusion matrix, three classes, export, their own CSV data, a message instead of NaN)."""
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st

from core.data import toy
from core.feed_forward import playground as pg
from core.feed_forward.ui import playground_live as live
from core.ui import live_loop, projector, url_state

RUN = "pg_run"  # this student's data, start and last snapshot, in their session
DATASETS = {"classification": {"circle": ("circle", 2), "xor": ("xor", 2), "two gaussians": ("gauss", 2),
                               "spiral": ("spiral", 2), "spiral, 3 arms": ("spiral", 3), "your CSV": ("upload", 2)},
            "regression": {"plane": ("plane", 2), "multi-gaussian": ("multi_gauss", 2), "your CSV": ("upload", 2)}}
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REG_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


@dataclass
class Run:
    """One student's Playground: the data, the network it starts from, and the network at the last pause or step."""
    config: pg.PlaygroundConfig
    data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # X_train, y_train, X_test, y_test
    start: pg.Network
    id: str  # names this start; the browser keeps playing while it stays the same
    net: pg.Network
    epoch: int = 0
    snapshot: dict | None = None  # what the browser last sent: it resumes from it after a reload
    diverged: bool = False

    def adopt(self, snapshot: dict | None) -> None:
        """Take in the browser's snapshot of this run (none, one of an older run or one already taken: no change)."""
        if snapshot and snapshot.get("run") == self.id and snapshot != self.snapshot:
            self.snapshot, self.epoch, self.diverged = snapshot, snapshot["epoch"], snapshot["diverged"]
            self.net = live.network_from(snapshot, self.start)


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
                if url_state.checkbox(live.FEATURE_LABELS[name], name in ("x1", "x2"), key=f"pg_f_{name}"):
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
        start = pg.Network.create(config, data[1])
        run = Run(config, data, start, live.run_id(start, data, config.seed), start)
        st.session_state[RUN], st.session_state["pg_structure"] = run, structure
    run.config = config
    return run


def trainer(run: Run) -> None:
    """Play, pause, step and reset, every neuron's heat map, the output and the loss curves: all in the browser,
    which trains and draws each frame and sends the weights back here when the student pauses or steps."""
    toggles = st.columns([1, 1, 3])
    with toggles[0]:
        show_test = url_state.checkbox("Show test data", False, key="pg_show_test")
    with toggles[1]:
        discretize = url_state.checkbox("Discretize output", False, key="pg_discretize")
    run.adopt(live_loop.snapshot(live.KEY))
    data = live.data(run.id, run.start, run.data, run.config, projector.style(), run.snapshot,
                     show_test=show_test, discretize=discretize)
    live_loop.mount(live.renderer, live.KEY, data)


def details(run: Run) -> None:
    """What TensorFlow Playground does not show, for the network as it was at the last pause or step: the loss
    formula, the output bias, accuracy, a confusion matrix, and the trained network as code."""
    net, (Xtr, ytr, Xte, yte) = run.net, run.data
    st.markdown(f"#### After {run.epoch:,} epoch{'s' * (run.epoch != 1)}\n"
                "Where you last paused or stepped: press **Pause** to bring the latest weights here.")
    if run.diverged:
        st.error("The weights are infinite or NaN: there is nothing to measure or export. Lower the learning rate "
                 "(or add regularization), then press Reset.", icon=":material/warning:")
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
    """The whole Playground: controls, the live network in the browser, and the details beneath."""
    config, upload = controls()
    run = run_for(config, upload)
    if run is None:
        return
    trainer(run)
    details(run)
