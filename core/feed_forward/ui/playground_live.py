"""The Playground's live view, trained and drawn in the student's browser (playground_engine.js, its heat maps'
pass playground_maps.wat built to playground_maps.wasm, playground_view.js): what Python sends it (the data, the
initial weights, the settings, the style) and what it sends back on a pause."""
import hashlib
import json
from pathlib import Path

import numpy as np

from core.feed_forward import playground as pg
from core.plots import PlotStyle
from core.ui import live_loop

HERE = Path(__file__).parent
ENGINE, VIEW, CSS = HERE / "playground_engine.js", HERE / "playground_view.js", HERE / "playground.css"
MAPS_SOURCE, MAPS = HERE / "playground_maps.wat", HERE / "playground_maps.wasm"  # built by make wasm
KEY = "pg_live"  # the component's fixed key: its snapshot lives in st.session_state[KEY]
FEATURE_LABELS = {"x1": "X1", "x2": "X2", "x1^2": "X1²", "x2^2": "X2²", "x1x2": "X1·X2", "sin_x1": "sin(X1)",
                  "sin_x2": "sin(X2)"}


def _maps() -> str:
    return live_loop.wasm_bytes("PLAYGROUND_MAPS_WASM", MAPS)


def engine_script() -> str:
    """The engine as Node runs it in the tests: the random numbers, the scaffold's helpers and the maths."""
    return live_loop.script(live_loop.MULBERRY32, live_loop.SCAFFOLD, _maps(), ENGINE)


renderer = live_loop.component("playground_live", [_maps(), ENGINE, VIEW], CSS)


def start_of(net: pg.Network) -> dict:
    """A network as the engine starts from it: weights[l] as (fan_in, fan_out) nested lists."""
    return {"features": list(net.features), "activation": net.activation, "output": net.output,
            "weights": [W.tolist() for W in net.weights], "biases": [b.tolist() for b in net.biases]}


def settings_of(config: pg.PlaygroundConfig) -> dict:
    """What may change while the network trains: the learning rate, the batch size, the regularization."""
    return {"learningRate": config.learning_rate, "batchSize": config.batch_size,
            "regularization": config.regularization, "regRate": config.reg_rate}


def _points(X: np.ndarray, y: np.ndarray) -> dict:
    return {"points": X.astype(np.float64).ravel().tolist(), "labels": y.tolist()}


def style_of(style: PlotStyle) -> dict:
    return {"projector": style.font_size > 16, "fontSize": style.font_size, "lineWidth": style.line_width,
            "markerSize": style.marker_size, "palette": list(style.palette)}


def run_id(start: pg.Network, data: tuple, seed: int) -> str:
    """Names one start: the same network, points and seed give the same name, so reruns keep the browser's run."""
    text = json.dumps([start_of(start), [np.asarray(part).tolist() for part in data], seed])
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def data(run: str, start: pg.Network, points: tuple, config: pg.PlaygroundConfig, style: PlotStyle,
         resume: dict | None, show_test: bool, discretize: bool) -> dict:
    """Everything the browser needs, sent with every rerun: a new `run` restarts it, from `resume` if that is its
    snapshot; the settings, view and style change in place."""
    X_train, y_train, X_test, y_test = points
    return {"run": run, "start": start_of(start), "seed": config.seed, "resume": resume,
            "train": _points(X_train, y_train), "test": _points(X_test, y_test), "settings": settings_of(config),
            "view": {"showTest": show_test, "discretize": discretize}, "style": style_of(style),
            "labels": FEATURE_LABELS}


def network_from(snapshot: dict, like: pg.Network) -> pg.Network:
    """The snapshot's weights as a core network (NaN where the browser's were not finite: JSON sends null)."""
    weights = [np.array(W, dtype=np.float64).reshape(S.shape) for W, S in zip(snapshot["weights"], like.weights)]
    return pg.Network(like.features, like.activation, like.output, weights=weights,
                      biases=[np.array(b, dtype=np.float64) for b in snapshot["biases"]])
