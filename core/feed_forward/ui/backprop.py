"""Backpropagation step by step on the lecture's 2-2-1 network: the forward pass node by node, then the backward
pass weight by weight, each gradient as its chain-rule factors, the re-used ones marked."""
import re

import pandas as pd
import streamlit as st

from core import plots
from core.feed_forward import backprop
from core.ui import projector, url_state

EXAMPLE = backprop.EXAMPLE
N_FORWARD = len(backprop.forward_steps(EXAMPLE.params, EXAMPLE.x, EXAMPLE.target))
N_STEPS = N_FORWARD + len(backprop.backward_steps(EXAMPLE.params, EXAMPLE.x, EXAMPLE.target))
SYMBOL = re.compile(r"\b(z_h1|z_h2|z_o|w\d|b\d|x\d|h\d|o|t)\b")  # the names a forward formula is written in
NODE_LINES = {"h1": ("z_h1", "h1", "∂L/∂h1", "δ_h1"), "h2": ("z_h2", "h2", "∂L/∂h2", "δ_h2"),
              "o": ("z_o", "o", "∂L/∂o", "∂o/∂z_o", "δ_o"), "L": ("L",)}


def numbers() -> tuple[dict[str, float], tuple[float, float], float]:
    """The example's inputs, target and weights, each editable (in an expander, out of the way)."""
    p = EXAMPLE.params
    with st.expander("Change the inputs, the target and the weights"):
        cols = st.columns(4)
        with cols[0]:
            x1 = url_state.slider("input x1", -1.0, 1.0, EXAMPLE.x[0], 0.05, key="bp_x1")
            x2 = url_state.slider("input x2", -1.0, 1.0, EXAMPLE.x[1], 0.05, key="bp_x2")
            target = url_state.slider("target t", 0.0, 1.0, EXAMPLE.target, 0.01, key="bp_t")
        params = {}
        for col, names in zip(cols[1:], (("w1", "w2", "b1"), ("w3", "w4", "b2"), ("w5", "w6", "b3"))):
            with col:
                for name in names:
                    params[name] = url_state.slider(name, -2.0, 2.0, p[name], 0.05, key=f"bp_{name}")
    return params, (x1, x2), target


def _move(by: int) -> None:
    st.session_state["bp_step"] = min(N_STEPS, max(1, st.session_state["bp_step"] + by))


def stepper() -> int:
    """Back / Next buttons beside a slider over every step of both passes; returns the step, 1 to N_STEPS."""
    back, ahead, slider = st.columns([1, 1, 6], vertical_alignment="bottom")
    back.button("Back", key="bp_back", on_click=_move, args=(-1,), icon=":material/arrow_back:", width="stretch")
    ahead.button("Next", key="bp_next", on_click=_move, args=(1,), icon=":material/arrow_forward:", type="primary",
                 width="stretch")
    with slider:
        return url_state.slider(f"Step (1–{N_FORWARD}: forward pass, {N_FORWARD + 1}–{N_STEPS}: backward pass)",
                                1, N_STEPS, 1, key="bp_step")


def with_numbers(formula: str, values: dict[str, float]) -> str:
    """A formula with each known symbol replaced by its value: w1·x1 + b1 → 0.15·0.05 + 0.35."""
    return SYMBOL.sub(lambda m: f"{values[m[1]]:.4g}" if m[1] in values else m[1], formula)


def place(node: str) -> str:
    """Where a step's result sits on the diagram: a node (h1, o, L, …), an edge (w1…w6) or a bias (b1…b3)."""
    if node == "∂o/∂z_o":
        return "o"
    return node.removeprefix("∂L/∂").removeprefix("δ_").removeprefix("z_")


def diagram_labels(params: dict[str, float], x: tuple[float, float], target: float, known: dict[str, float],
                   current: str) -> dict[str, list[str]]:
    """What the diagram writes beside each node, edge and bias: its value, and its gradient once computed."""
    def line(name: str, value: float) -> str:
        return f"<b>{name} = {value:.4g}</b>" if name == current else f"{name} = {value:.4g}"
    labels = {"x1": [line("x1", x[0])], "x2": [line("x2", x[1])]}
    for name, value in params.items():
        gradient = f"∂L/∂{name}"
        labels[name] = [line(name, value)] + ([line(gradient, known[gradient])] if gradient in known else [])
    for node, names in NODE_LINES.items():
        labels[node] = [line(n, known[n]) for n in names if n in known and (not n.startswith("∂") or n == current)]
    labels["L"].append(f"target t = {target:.4g}")
    return labels


def explain(step: backprop.Step, number: int, values: dict[str, float], first_seen: dict[str, int]) -> None:
    """The current step in words and numbers; for a gradient, each chain-rule factor and their product."""
    if number <= N_FORWARD:
        st.markdown(f"**Forward pass**, step {number} of {N_FORWARD}: compute `{step.node}`")
        st.markdown(f"`{step.node} = {step.formula}`  \n`   = {with_numbers(step.formula, values)}`  \n"
                    f"`   = {step.value:.6g}`")
        return
    st.markdown(f"**Backward pass**, step {number - N_FORWARD} of {N_STEPS - N_FORWARD}: compute `{step.node}`")
    if not step.factors:
        st.markdown(f"`{step.node} = {step.formula}`  \n`   = {with_numbers(step.formula, values)}`  \n"
                    f"`   = {step.value:.6g}`")
        return
    st.markdown(f"`{step.node} = {step.formula}`  \nthe product of its chain-rule factors:")
    for f in step.factors:
        source = f" :green-background[re-used from step {first_seen[f.name]}]" if f.reused else " computed now"
        st.markdown(f"- `{f.name}` = **{f.value:.4g}**{source}")
    st.markdown(f"`{step.node} = " + " × ".join(f"{f.value:.4g}" for f in step.factors) + f" = {step.value:.4g}`")


def history(steps: list[backprop.Step], upto: int) -> pd.DataFrame:
    """Every step so far, with the earlier results it re-used."""
    return pd.DataFrame({"pass": ["forward" if i < N_FORWARD else "backward" for i in range(upto)],
                         "computes": [s.node for s in steps[:upto]],
                         "as": [s.formula for s in steps[:upto]],
                         "value": [f"{s.value:.6g}" for s in steps[:upto]],
                         "re-uses": [", ".join(f.name for f in s.factors if f.reused) for s in steps[:upto]]},
                        index=pd.RangeIndex(1, upto + 1, name="step"))


def section() -> None:
    st.markdown("Training needs one gradient per weight. The gradient of a weight in layer 1 depends on those in "
                "layer 2, which is intractable to compute separately for a large network. The solution: **re-use "
                "the calculations** made for one layer when computing the gradients of the layer before it, using "
                "the **chain rule**. Step through the forward pass, then the backward pass, on a small network "
                "(2 inputs, 2 sigmoid hidden neurons, 1 sigmoid output, loss L = ½·(o − t)²).")
    params, x, target = numbers()
    number = stepper()
    steps = backprop.forward_steps(params, x, target) + backprop.backward_steps(params, x, target)
    step = steps[number - 1]
    known = {s.node: s.value for s in steps[:number]}
    first_seen = {}
    for i, s in enumerate(steps, start=1):
        first_seen.setdefault(s.node, i)
    values = {**params, "x1": x[0], "x2": x[1], "t": target, **known}
    projector.chart(plots.backprop_network(diagram_labels(params, x, target, known, step.node), place(step.node),
                                           projector.style()), key="bp_diagram")
    explain(step, number, values, first_seen)
    st.dataframe(history(steps, number), width="stretch")
    st.caption("δ (delta) is ∂L/∂z, the gradient at a neuron's weighted sum. δ_o is computed once and re-used by "
               "w5, "
               "w6, b3 and both hidden neurons; each δ_h by its neuron's weights: that re-use is backpropagation.")
