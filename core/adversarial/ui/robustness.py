"""How fragile, how defended: test accuracy as the attack's budget ε grows, FGSM and PGD, for the plain CNN and one
trained on adversarial examples, both on one plot (precomputed when the checkpoint was built; recomputable here with
a progress bar); and a few test items attacked against each, side by side."""
import copy

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch

from core import checkpoints, features, plots
from core.adversarial import attacks
from core.data.images import DIGITS, FASHION_CLASSES
from core.device import to_numpy
from core.ui import cache, heavy, projector, url_state

ADVERSARIAL = "fashion_cnn_adversarial"
DATASETS = {  # what the student picks → the models compared on it, each with its name on the plot
    "Fashion-MNIST": {"fashion_cnn": "plain CNN", ADVERSARIAL: "adversarially trained CNN"},
    "Handwritten digits": {"mnist_cnn": "plain CNN"},
}
CLASSES = {"Fashion-MNIST": FASHION_CLASSES, "Handwritten digits": DIGITS}
ITEMS = (200, 500, 1000, 2000, 10000)  # test items a recomputation may use
SHOWN = 8  # test items attacked side by side
DASH = {"FGSM": None, "PGD": "dash"}


@st.cache_resource(show_spinner=False)
def _recomputed() -> dict:
    """Curves recomputed on this server, shared by every session: {(model, sha256, items, steps): curves}."""
    return {}


def _sha(name: str) -> str:
    entry = checkpoints.read_manifest().get(name)
    return entry.sha256 if entry else ""


def _shipped(name: str) -> dict | None:
    """The precomputed curves of a model, if they were measured on the checkpoint that ships now."""
    record = cache.metrics(ADVERSARIAL).get("curves", {})
    curves = record.get(name)
    if not curves or (curves.get("sha256") and curves["sha256"] != _sha(name)):
        return None
    return {"epsilons": record["epsilons"], "steps": record["pgd_steps"], **{a: curves[a] for a in attacks.ATTACKS},
            "items": record["items"]["fashion" if name.startswith("fashion") else "mnist"]}


def _test_items(dataset: str, items: int) -> tuple[torch.Tensor, torch.Tensor]:
    X, y = cache.test_set("fashion_cnn" if dataset == "Fashion-MNIST" else "mnist_cnn")
    sub = attacks.sweep_items(len(X), items)
    return features.as_batch(np.asarray(X)[to_numpy(sub)]), torch.tensor(np.asarray(y)[to_numpy(sub)])


def _request() -> None:
    st.session_state["rob_run"] = True


def _recompute(dataset: str, nets: dict, items: int, steps: int) -> None:
    """Measure every model's curves again on `items` test items, with a progress bar; kept for the whole server."""
    X, y = _test_items(dataset, items)
    bar = st.progress(0.0, text="Starting…")
    for i, (name, net) in enumerate(nets.items()):
        private = copy.deepcopy(net).eval().requires_grad_(False)  # the shared model is left untouched
        if next(private.parameters()).device.type == "cpu":
            private = private.to(memory_format=torch.channels_last)  # about 1.4× faster on a CPU

        def progress(done: float, what: str, i=i, name=name) -> None:
            bar.progress((i + done) / len(nets), text=f"{DATASETS[dataset][name]}: {what} ({(i + done) / len(nets):.0%})")
        curves = attacks.sweep(private, X, y, attacks.EPSILONS, steps=steps, on_progress=progress)
        _recomputed()[(name, _sha(name), items, steps)] = {
            "epsilons": list(attacks.EPSILONS), "steps": steps, **curves,
            "items": f"{items:,} fixed random test items" if items < len(cache.test_set(name)[0])
            else f"all {items:,} test items"}
    bar.empty()


def _figure(curves: dict[str, dict], labels: dict[str, str], train_eps: float | None, style) -> go.Figure:
    fig = go.Figure()
    for i, (name, c) in enumerate(curves.items()):
        for attack in attacks.ATTACKS:
            fig.add_trace(go.Scatter(x=c["epsilons"], y=c[attack], mode="lines+markers",
                                     name=f"{labels[name]}, {attack}" + (f"-{c['steps']}" if attack == "PGD" else ""),
                                     line=dict(color=style.colour(i), width=style.line_width * 1.3,
                                               dash=DASH[attack]), marker=dict(size=style.marker_size)))
    if train_eps is not None and len(curves) > 1:
        fig.add_vline(x=train_eps, line=dict(color="#888", dash="dot"), annotation_text="trained against ε",
                      annotation_font_size=style.font_size * 0.85)
    fig.update_xaxes(title="budget ε (per pixel, pixels in [0, 1])")
    fig.update_yaxes(title="test accuracy", range=[0, 1.02], tickformat=".0%")
    return plots.legend_below(plots.layout(fig, style, "Accuracy under attack", height=440))


def _percent(v: float) -> str:
    return f"{v:.1%}" if v == 0 or v >= 0.01 else f"{v:.2%}"


def _table(curves: dict[str, dict], labels: dict[str, str]) -> pd.DataFrame:
    rows = {}
    for name, c in curves.items():
        for attack in attacks.ATTACKS:
            rows[f"{labels[name]}, {attack}"] = c[attack]
    eps = next(iter(curves.values()))["epsilons"]
    return pd.DataFrame(rows, index=[f"ε = {e:g}" for e in eps]).T


@heavy.shared("Attacking the test items")
def _examples(dataset: str, attack: str, eps: float, shas: tuple, _nets: dict) -> dict[str, tuple]:
    """SHOWN test items attacked against each model: {model: (adversarial pictures, predictions)}."""
    X, y = _test_items(dataset, SHOWN)
    out = {}
    for name, net in _nets.items():
        result = attacks.run(attack, net, X, y, eps, steps=attacks.PGD_STEPS)
        out[name] = ([attacks.to_picture(a) for a in result.x], to_numpy(result.logits.argmax(1)))
    return out


def section() -> None:
    st.markdown("How fragile are the networks? Attack **every test image** with a budget ε and count how many are "
                "still classified right. Then the defence: **adversarial training** shows the network adversarial "
                "examples while it learns (here FGSM from a random start in the ε-box, Wong et al. 2020), so it "
                "learns to ignore such small changes.")
    style = projector.style()
    dataset = url_state.choice(st.segmented_control, "Test set", list(DATASETS), key="rob_data")
    labels = DATASETS[dataset]
    nets = {}
    for name in labels:
        net = cache.model(name)
        if net is None:
            return
        nets[name] = net
    shipped = {name: _shipped(name) for name in labels}

    with st.expander("Recompute the curves here", expanded=not all(shipped.values())):
        left, right, button = st.columns([2, 2, 1], vertical_alignment="bottom")
        with left:
            items = url_state.choice(st.select_slider, "Test items", ITEMS, 200, key="rob_items",
                                     format_func=lambda n: f"{n:,}")
        with right:
            steps = url_state.slider("PGD steps", 1, 20, attacks.PGD_STEPS, key="rob_steps")
        with button:
            st.button("Recompute", key="rob_recompute", icon=":material/refresh:", on_click=_request)
        st.caption("For every ε, FGSM and PGD on each model; an item counts as fooled as soon as any PGD step fools "
                   "it. On a 2-core CPU 200 items take about 10 to 30 s; the results are kept for everyone "
                   "using this server.")
    if st.session_state.pop("rob_run", False):
        _recompute(dataset, nets, items, steps)
    recomputed = {name: _recomputed().get((name, _sha(name), items, steps)) for name in labels}
    if all(recomputed.values()):
        curves, where = recomputed, "recomputed on this server"
    elif all(shipped.values()):
        curves, where = shipped, "precomputed when the checkpoint was built"
    else:
        st.info("No precomputed curves match the models that ship now (the checkpoints were rebuilt, or the "
                "adversarially trained CNN is missing). Recompute them above.", icon=":material/refresh:")
        return

    if ADVERSARIAL not in labels:
        st.caption("Only the plain digit CNN ships; for a plain and an adversarially trained model side by side, "
                   "pick Fashion-MNIST.")
    metrics = cache.metrics(ADVERSARIAL)
    train_eps = metrics.get("train_eps") if ADVERSARIAL in labels else None
    projector.chart(_figure(curves, labels, train_eps, style), key="rob_curves")
    first = next(iter(curves.values()))
    st.caption(f"Solid: FGSM; dashed: PGD with {first['steps']} steps of 2.5 ε / {first['steps']}, from the clean "
               f"image. Measured on {first['items']}; {where}.")
    at = first["epsilons"].index(train_eps or attacks.TRAIN_EPS) if (train_eps or attacks.TRAIN_EPS) in \
        first["epsilons"] else None
    short = {"fashion_cnn": "Plain CNN", "mnist_cnn": "Plain CNN", ADVERSARIAL: "Adv. trained"}
    for name, c in curves.items():
        clean, pgd = st.columns(2)
        clean.metric(f"{short[name]}, clean", f"{cache.metrics(name).get('test_accuracy', c['PGD'][0]):.1%}",
                     help=f"Accuracy on the whole test set, unattacked ({labels[name]}).")
        if at is not None:
            pgd.metric(f"{short[name]}, PGD ε = {c['epsilons'][at]:g}", _percent(c["PGD"][at]),
                       help=f"Accuracy under PGD-{c['steps']} at ε = {c['epsilons'][at]:g} ({labels[name]}), "
                            f"on {c['items']}.")
    with st.expander("The numbers"):
        st.dataframe(_table(curves, labels).style.format("{:.1%}"), width="stretch")

    st.subheader("The same items, attacked against each model")
    left, right = st.columns(2)
    with left:
        attack = url_state.choice(st.segmented_control, "Attack", attacks.ATTACKS, "PGD", key="rob_attack")
    with right:
        eps = url_state.slider("Budget ε", 0.0, 0.3, 0.1, 0.01, key="rob_eps")
    examples = _examples(dataset, attack, eps, tuple(_sha(n) for n in labels), nets)
    X, y = _test_items(dataset, SHOWN)
    names = CLASSES[dataset]
    rows = {"Original": ([attacks.to_picture(x) for x in X], to_numpy(y))}
    rows |= {f"Attacked against the {labels[name]}": shown for name, shown in examples.items()}
    for row, (pictures, predicted) in rows.items():
        cols = st.columns([1.6] + [1] * SHOWN)
        fooled = int((predicted != to_numpy(y)).sum())
        cols[0].markdown(f"**{row}**" + ("" if row == "Original" else f"  \n{fooled} of {SHOWN} fooled"))
        for col, picture, p, truth in zip(cols[1:], pictures, predicted.tolist(), y.tolist()):
            col.image(plots.enlarge(picture, 84), caption=names[p] + ("" if p == truth else " ✗"), width="stretch")
    if ADVERSARIAL in labels:
        st.caption("Against the adversarially trained CNN the attack needs a larger ε, and what it changes looks "
                   "less like speckle and more like shape: compare the two rows at ε = 0.3.")
