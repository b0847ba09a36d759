"""Layers of convolutions, trained on real data: the shipped Fashion-MNIST and MNIST CNNs (architecture, measured
held-out accuracy, confusion matrix, mistakes), and a CNN of the student's chosen depth and width trained from
scratch, live, in their session (progress, loss and accuracy curves redrawn in place, then the held-out verdict)."""
import copy
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch
from streamlit.delta_generator import DeltaGenerator

from core import checkpoints, features, plots, training
from core.cnn import from_scratch
from core.data.images import DIGITS, FASHION_CLASSES
from core.device import to_numpy
from core.models.cnn import SmallCNN
from core.ui import cache, live_training, projector, url_state

DATASETS = {"Fashion-MNIST": "fashion", "MNIST 5k": "mnist"}
CLASSES = {"fashion": FASHION_CLASSES, "mnist": DIGITS}
TRAIN_SIZE, HELD_OUT = {"fashion": 60_000, "mnist": 4_000}, {"fashion": 10_000, "mnist": 1_000}
LAYERS = (1, 2, 3)
WIDTHS = {0.5: "×½", 1.0: "×1", 1.5: "×1.5"}
STEPS = (20, 50, 100, 200, 400, 600, 1000, 1500, 2000, 3000, 3600, 4500, 6000)  # and each data set's default
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
RUNS = "_cnn_training_runs"  # {dataset: from_scratch.ScratchRun}: this student's last run on each data set
MISTAKES = 10


# The shipped networks

def architecture(model: SmallCNN) -> pd.DataFrame:
    """Layer by layer: what it does, the shape it outputs and its trainable parameters."""
    def count(module: torch.nn.Module) -> int:
        return sum(p.numel() for p in module.parameters())
    rows, side, maps = [("input", "grayscale image", "1×28×28", "0")], 28, 1
    for name in model.feature_layers:
        block = getattr(model, name)
        c = block[0].out_channels
        side //= 2
        rows.append((name, f"{c} filters 3×3 on {maps} map{'s' * (maps > 1)}", f"{c}×{side}×{side}",
                     f"{count(block):,}"))
        maps = c
    linear = model.dense[2]
    rows.append(("dense", f"{linear.in_features:,} numbers → {linear.out_features} ReLU units",
                 str(linear.out_features), f"{count(model.dense):,}"))
    rows.append(("output", "class scores", str(model.head.out_features), f"{count(model.head):,}"))
    rows.append(("total", "", "", f"{count(model):,}"))
    return pd.DataFrame(rows, columns=["layer", "what it does", "output", "parameters"]).set_index("layer")


def _projector(style: plots.PlotStyle) -> bool:
    """Whether projector mode's larger text is on: then the page lays out fewer things side by side."""
    return style.font_size > plots.NORMAL.font_size


def widths(model: SmallCNN) -> str:
    """"conv 16 → conv 32 → conv 64 → dense 128 → 10" for a SmallCNN."""
    convs = [f"conv {getattr(model, n)[0].out_channels}" for n in model.feature_layers]
    return " → ".join(convs + [f"dense {model.dense[2].out_features}", str(model.head.out_features)])


def parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


@st.cache_data(show_spinner="Classifying the held-out images with the shipped network…", max_entries=4)
def _shipped_predictions(name: str, sha256: str, dataset: str, _model: torch.nn.Module) -> np.ndarray:
    """The shipped model's answer for every held-out image (computed once per server and checkpoint), on a
    private channels-last copy: 1.5× faster on a CPU, and the shared model stays untouched."""
    X, _ = cache.fashion_test() if dataset == "fashion" else cache.digits_test()
    model = copy.deepcopy(_model).cpu().eval().to(memory_format=torch.channels_last)
    x = features.as_batch(np.asarray(X))
    return to_numpy(training.predict(model, x, batch=250).argmax(1))  # small batches: a low memory peak


def confusion(truth: np.ndarray, predicted: np.ndarray, k: int = 10) -> np.ndarray:
    """Counts: row = true class, column = predicted class."""
    return np.bincount(truth * k + predicted, minlength=k * k).reshape(k, k)


def confusion_figure(cm: np.ndarray, names: list[str], style: plots.PlotStyle, title: str) -> go.Figure:
    """The confusion matrix as a heat map of the mistakes (off the diagonal, coloured by how many of the true
    class they take, saturating at 10%), with the right answers on a grey diagonal; every cell shows its count."""
    share = cm / cm.sum(1, keepdims=True).clip(1)
    on = np.eye(len(cm), dtype=bool)
    text = dict(texttemplate="%{text}", textfont=dict(size=style.font_size * 0.75), hoverongaps=False)
    wrong = go.Heatmap(z=np.where(on, np.nan, share), text=np.where(on, "", cm.astype(str)), x=names, y=names,
                       zmin=0, zmax=0.1, colorscale="Reds", colorbar=dict(title="share", tickformat=".0%"),
                       hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>", **text)
    right = go.Heatmap(z=np.where(on, 1.0, np.nan), text=np.where(on, cm.astype(str), ""), x=names, y=names,
                       colorscale=[[0, "#e4e4e4"], [1, "#e4e4e4"]], showscale=False,
                       hovertemplate="%{y}, right: %{text}<extra></extra>", **text)
    fig = go.Figure([wrong, right])
    fig.update_xaxes(title="predicted", tickangle=-40 if len(max(names, key=len)) > 2 else 0, side="bottom")
    fig.update_yaxes(title="true", autorange="reversed")
    return plots.layout(fig, style, title, height=480)


def shipped(dataset: str, style: plots.PlotStyle) -> float | None:
    """The shipped network for this data set: architecture, measured figures, confusion matrix, some mistakes.
    Returns its held-out accuracy (None if it could not be loaded)."""
    recipe = from_scratch.SCRATCH_DATA[dataset]
    name, names = recipe.checkpoint, list(CLASSES[dataset])
    st.subheader(f"The shipped network: `{name}`")
    model = cache.model(name)
    if model is None:
        return None
    scores, entry = cache.metrics(name), checkpoints.read_manifest()[name]
    accuracy = scores.get("test_accuracy")
    big = _projector(style)  # one thing per row
    left, right = (st.container(), st.container()) if big else st.columns([1.25, 1], gap="large")
    with left:
        st.markdown(f"Trained by this project (`python -m core.recipes {name}`) on {entry.data}: "
                    f"{entry.steps:,} steps of 128 images, Adam with a cosine-decaying learning rate"
                    + (", each image randomly shifted and turned a little" if recipe.shift else "") + ".")
        a, b, c = st.columns(3)
        a.metric("Held-out accuracy", f"{accuracy:.1%}" if accuracy is not None else "–",
                 help=f"Measured on {recipe.held_out}, which training never saw.")
        b.metric("Training accuracy", f"{scores['train_accuracy']:.1%}" if "train_accuracy" in scores else "–")
        c.metric("Training time", f"{scores['train_seconds']:.0f} s" if "train_seconds" in scores else "–",
                 help=f"On this project's {scores.get('device', 'cpu').upper()} when the checkpoint was built.")
        st.caption(f"{widths(model)}. Each convolution: 3×3 filters over every map of the layer below, batch "
                   "norm, the activation function (ReLU), then 2×2 max-pooling; the dense layer drops out "
                   f"{model.dense[1].p:.0%} of its inputs while training.")
    with right:
        st.table(architecture(model))
    X, y = cache.fashion_test() if dataset == "fashion" else cache.digits_test()
    predicted = _shipped_predictions(name, entry.sha256, dataset, model)
    matrix, mistakes = (st.container(), st.container()) if big else st.columns([1.3, 1], gap="large")
    with matrix:
        projector.chart(confusion_figure(confusion(np.asarray(y), predicted), names, style,
                                         f"Confusion matrix, {len(y):,} held-out images"), key="train_confusion")
    wrong = np.flatnonzero(predicted != y)
    with mistakes:
        st.markdown(f"**{len(wrong)} mistakes in {len(y):,} held-out images**; the first "
                    f"{min(MISTAKES, len(wrong))}, as *true → predicted*:")
        if len(wrong):
            picks = wrong[:MISTAKES]
            st.image([plots.enlarge(np.asarray(X[i]), 84) for i in picks], width=84 if not big else 112,
                     caption=[f"{names[y[i]]} → {names[predicted[i]]}" for i in picks])
    return accuracy


# Training from scratch

@st.cache_resource(show_spinner="Reading the training images…", max_entries=2)
def _data(dataset: str) -> tuple:
    """Training and held-out images (uint8 tensors) and labels, shared read-only by every student's training."""
    return from_scratch.scratch_data(dataset)


def _runs() -> dict:
    return st.session_state.setdefault(RUNS, {})


def _epochs(dataset: str, steps: int) -> str:
    return f"{steps:,} (≈ {steps * 128 / TRAIN_SIZE[dataset]:.1f} epochs)"


def controls(dataset: str) -> from_scratch.Scratch:
    """Depth, width, length and learning rate of the network to train."""
    recipe = from_scratch.SCRATCH_DATA[dataset]
    if _projector(projector.style()):
        cols = st.columns(2, gap="large") + st.columns(2, gap="large")
    else:
        cols = st.columns([1, 1.2, 1.5, 1.5], gap="medium")
    with cols[0]:
        layers = url_state.choice(st.segmented_control, "Convolution layers", LAYERS, 3, key="train_layers",
                                  help="1, 2 or 3 blocks of convolution, ReLU and pooling before the dense layer.")
    with cols[1]:
        width = url_state.choice(st.segmented_control, "Width (filters per layer)", list(WIDTHS), 1.0,
                                 key="train_width", format_func=WIDTHS.get,
                                 help=f"×1: {', '.join(map(str, from_scratch.BASE_CHANNELS))} filters in layers "
                                      "1, 2, 3; ×1.5 is the shipped networks' width.")
    with cols[2]:
        steps = url_state.choice(st.select_slider, "Steps (mini-batches of 128 images)",
                                 sorted({*STEPS, recipe.steps}), recipe.steps,
                                 key=f"train_steps_{dataset}", format_func=lambda s: _epochs(dataset, s))
    with cols[3]:
        lr = url_state.choice(st.select_slider, "Learning rate (Adam, decaying)", LEARNING_RATES, 0.003,
                              key="train_lr", format_func=lambda r: f"{r:g}")
    return from_scratch.Scratch(dataset, layers, width, steps, lr)


def _loss_spec(losses: list[float], total: int, style: plots.PlotStyle, points: int = 300) -> dict:
    """Training loss per step (averaged over runs of steps to at most `points` points) on a log scale."""
    k = max(1, math.ceil(len(losses) / points))
    rows = []
    for i in range(0, len(losses), k):
        chunk = [v for v in losses[i:i + k] if math.isfinite(v)]
        if chunk:
            rows.append({"step": min(i + k, len(losses)), "loss": sum(chunk) / len(chunk)})
    axis = {"labelFontSize": style.font_size * 0.8, "titleFontSize": style.font_size * 0.9}
    return {"data": {"values": rows}, "title": {"text": "training loss (mini-batches)", "fontSize": style.font_size},
            "mark": {"type": "line", "strokeWidth": style.line_width, "color": style.colour(0)},
            "encoding": {"x": {"field": "step", "type": "quantitative", "scale": {"domain": [0, total]}},
                         "y": {"field": "loss", "type": "quantitative", "title": "loss (log scale)",
                               "scale": {"type": "log"}}},
            "config": {"axis": axis}}


def _accuracy_spec(curve: list[tuple[int, float]], total: int, items: int, goal: float, shipped: float | None,
                   style: plots.PlotStyle) -> dict:
    """Held-out accuracy measured during training, against the goal and the shipped network (dashed); the axis
    starts a little below the goal, so the last points can be told apart (the first, untrained ones fall below)."""
    mine, goal_line = "your network", f"goal ≥ {goal:.0%}"
    rules = [{"accuracy": goal, "line": goal_line}]
    if shipped is not None:
        rules.append({"accuracy": shipped, "line": f"shipped {shipped:.1%}"})
    lines = [mine] + [r["line"] for r in rules]
    colour = {"field": "line", "type": "nominal", "title": None, "legend": {"orient": "top"},
              "scale": {"domain": lines, "range": [style.colour(1), "#444", "#999"][:len(lines)]}}
    x = {"field": "step", "type": "quantitative", "scale": {"domain": [0, total]}}
    y = {"field": "accuracy", "type": "quantitative", "title": f"accuracy on {items:,} held-out images",
         "scale": {"domain": [math.floor((goal - 0.12) * 20) / 20, 1]}, "axis": {"format": ".0%"}}
    size = style.font_size * 0.8
    return {"layer": [
        {"data": {"values": [{"step": s, "accuracy": a, "line": mine} for s, a in curve]},
         "mark": {"type": "line", "point": {"size": 8 * style.marker_size}, "strokeWidth": style.line_width,
                  "clip": True},
         "encoding": {"x": x, "y": y, "color": colour}},
        {"data": {"values": rules},
         "mark": {"type": "rule", "strokeDash": [7, 4], "strokeWidth": style.line_width * 0.7},
         "encoding": {"y": y, "color": colour}}],
        "title": {"text": "held-out accuracy while training", "fontSize": style.font_size},
        "config": {"axis": {"labelFontSize": size, "titleFontSize": style.font_size * 0.9},
                   "legend": {"labelFontSize": size}}}


def curves(run: from_scratch.ScratchRun, loss_slot: DeltaGenerator, accuracy_slot: DeltaGenerator, goal: float,
           shipped: float | None, style: plots.PlotStyle) -> None:
    total = run.spec.total_steps
    height = 340 if _projector(style) else 260  # given here: a spec's own height is not kept
    loss_slot.vega_lite_chart(_loss_spec(run.losses, total, style), width="stretch", height=height)
    items = min(from_scratch.EVAL_ITEMS, HELD_OUT[run.spec.dataset])
    accuracy_slot.vega_lite_chart(_accuracy_spec(run.curve, total, items, goal, shipped, style), width="stretch",
                                  height=height)


def _train(spec: from_scratch.Scratch, goal: float, shipped: float | None, style: plots.PlotStyle,
           stop_slot: DeltaGenerator) -> None:
    bar = st.empty()
    charts = tuple(column.empty() for column in st.columns(2, gap="medium"))
    data = _data(spec.dataset)
    run = _runs()[spec.dataset] = from_scratch.ScratchRun.start(spec)
    live = live_training.Live(bar, lambda: curves(run, *charts, goal, shipped, style))

    def progress(step: int, total: int, loss: float) -> None:
        live.progress(step, total, f"loss {loss:.3f}")

    live_training.train_here(run, live, lambda: from_scratch.train(run, data, on_progress=progress), stop_slot,
                             "train_stop", "Stop here and measure the network as it is.")


def result(run: from_scratch.ScratchRun, goal: float, shipped: float | None, style: plots.PlotStyle) -> None:
    """The last run on this data set: verdict, figures and its curves."""
    spec = run.spec
    if not live_training.settled(run):
        st.info("Stopping the training…", icon=":material/hourglass:")
        return
    if run.status == "stopped" and run.accuracy is None:
        with st.spinner("Measuring the stopped network on the held-out images…"):
            from_scratch.finish(run, _data(spec.dataset))
    described = (f"{spec.layers} convolution layer{'s' * (spec.layers > 1)}, width {WIDTHS[spec.width]} "
                 f"({widths(run.model)}, {parameters(run.model):,} parameters), learning rate {spec.lr:g}")
    if run.status == "diverged":
        last = run.losses[-1] if run.losses else float("nan")
        jumped = "became NaN" if math.isnan(last) else f"jumped to {last:,.0f}"
        st.error(f"**Training diverged** at step {run.step:,}: the loss {jumped} (it starts near 2.3; NaN, infinite "
                 f"or above {from_scratch.DIVERGED_LOSS:g} counts as diverged), so it was stopped. Adam moves every "
                 f"weight by up to the learning rate each step, and a rate of {spec.lr:g} throws the network far past "
                 "any minimum: lower the learning rate (0.003 works) and train again.", icon=":material/warning:")
    else:
        if run.status == "stopped":
            st.info(f"Stopped after {run.step:,} of {spec.total_steps:,} steps; measured as it was.",
                    icon=":material/stop_circle:")
        reached = run.accuracy >= goal
        cols = st.columns(4)
        delta = None if shipped is None else f"{(run.accuracy - shipped) * 100:+.1f} points vs shipped"
        cols[0].metric("Your network, held-out accuracy", f"{run.accuracy:.1%}", delta=delta,
                       help=f"On {from_scratch.SCRATCH_DATA[spec.dataset].held_out}.")
        cols[1].metric("Shipped network", f"{shipped:.1%}" if shipped is not None else "–")
        cols[2].metric("Goal", f"≥ {goal:.0%}", delta="reached" if reached else "not reached",
                       delta_color="green" if reached else "red", delta_arrow="off")
        cols[3].metric("Training time", f"{run.seconds:.0f} s", help="Wall time on this server, measuring included.")
    st.caption(f"Your last run on this data: {described}; {run.step:,} of {spec.total_steps:,} steps. "
               "It lives in your session only.")
    left, right = st.columns(2, gap="medium")
    curves(run, left.empty(), right.empty(), goal, shipped, style)


def train_your_own(dataset: str, shipped_accuracy: float | None, style: plots.PlotStyle) -> None:
    recipe = from_scratch.SCRATCH_DATA[dataset]
    st.subheader("Train one from scratch")
    st.markdown(f"Choose how many **layers of convolutions** and how wide, then train on "
                f"{TRAIN_SIZE[dataset]:,} {recipe.title} images and measure on {recipe.held_out}. Fewer layers see "
                "smaller patches and need more weights in the dense layer; more layers build larger patterns out of "
                f"smaller ones. The defaults reach the goal, **≥ {recipe.goal:.0%}**, within three minutes on a quiet "
                "two-core CPU (longer while the server is busy).")
    spec = controls(dataset)
    go_col, stop_col, note_col = st.columns([1, 1, 4], vertical_alignment="center")
    live_training.train_button(go_col, "train_go")
    stop_slot = stop_col.empty()
    note_col.caption(f"{spec.total_steps:,} steps of 128 images; the network: "
                     f"{widths(SmallCNN(spec.config()))}, {parameters(SmallCNN(spec.config())):,} parameters, "
                     f"dropout {spec.dropout:.0%}. "
                     "One training at a time on this server; the page waits while it trains.")
    live_training.when_requested("train_go", lambda: _train(spec, recipe.goal, shipped_accuracy, style, stop_slot))
    run = _runs().get(dataset)
    if run is not None:
        result(run, recipe.goal, shipped_accuracy, style)


def section() -> None:
    style = projector.style()
    st.markdown("**CNNs are composed of layers of convolutions.** Each layer's filters slide over every map of the "
                "layer below: the first finds edges and blobs, the next combines them into parts, the last into "
                "whole shapes; pooling halves the resolution in between, and the activation function is still "
                "present after each convolution. Two such networks, trained by this project, and one you can "
                "train yourself:")
    label = url_state.choice(st.segmented_control, "Data", list(DATASETS), key="train_data")
    dataset = DATASETS[label]
    accuracy = shipped(dataset, style)
    train_your_own(dataset, accuracy, style)
