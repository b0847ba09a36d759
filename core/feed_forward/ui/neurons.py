"""Neurons and non-linearity: one neuron's function under its sliders, a linear vs a non-linear neuron fitted to the
same data, and why stacked linear layers are one linear map until an activation comes between them."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import plots
from core.data.toy import CURVES, curve_1d
from core.feed_forward import neurons
from core.ui import presenter, projector, url_state

ACTIVATIONS = {"linear": "linear", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU"}
FIT_POINTS = 40  # noisy points that one neuron is fitted to


@st.cache_data(max_entries=64, show_spinner="Training one neuron…")
def fit_one_neuron(x: np.ndarray, y: np.ndarray, activation: str) -> neurons.FitResult:
    return neurons.fit_one_neuron(x, y, activation)


@st.cache_resource(max_entries=64, show_spinner="Training one neuron…")
def fit_figures(curve: str, noise: float, activation: str, style: plots.PlotStyle) -> list[go.Figure]:
    """The linear and the non-linear neuron fitted to the same data, and both losses while training: kept per server
    and shared, never changed once built (building them took most of a rerun)."""
    x, y = curve_1d(curve, FIT_POINTS, noise)
    fits = {"linear": fit_one_neuron(x, y, "linear"), activation: fit_one_neuron(x, y, activation)}
    figures = []
    for i, (name, fit) in enumerate(fits.items()):
        kind = "linear" if name == "linear" else f"non-linear ({ACTIVATIONS[name]})"
        figures.append(plots.lines({f"{kind} neuron": fit.curve}, style, f"{ACTIVATIONS[name]} neuron: loss "
                                   f"{fit.final_loss:.4f}", ("input x", "output y"), points={"data": (x, y)},
                                   y_range=(-2, 2), first_colour=i, height=340))
    losses = {f"{ACTIVATIONS[name]} neuron": (np.arange(len(fit.losses)), fit.losses) for name, fit in fits.items()}
    return figures + [plots.lines(losses, style, "Loss while training (mean squared error)", ("step", "loss"),
                                  log_y=True, height=280)]


def activation_choice(label: str, value: str, key: str, linear: bool = True) -> str:
    options = [a for a in ACTIVATIONS if linear or a != "linear"]
    return url_state.choice(st.radio, label, options, value, key=key, format_func=ACTIVATIONS.get, horizontal=True)


def section() -> None:
    style = projector.style()
    st.markdown("A neural network is composed of many **neurons**. A neuron is defined by a **weight**, a **bias** "
                "and the **function inside**, usually a non-linear one like sigmoid, tanh or ReLU: y = f(w·x + b).")
    controls, picture = st.columns([1, 2], gap="large")
    with controls:
        w = url_state.slider("Weight w", -5.0, 5.0, 1.0, 0.1, key="nn_w")
        b = url_state.slider("Bias b", -5.0, 5.0, 0.0, 0.1, key="nn_b")
        activation = activation_choice("Function inside f", "sigmoid", key="nn_activation")
    x, f = np.linspace(-5, 5, 401), ACTIVATIONS[activation]
    with picture:
        projector.chart(plots.lines({"z = w·x + b": (x, neurons.neuron(x, w, b, "linear")),
                                     f"y = {f}(z)": (x, neurons.neuron(x, w, b, activation))},
                                    style, f"y = {f}({w:g}·x {'−' if b < 0 else '+'} {abs(b):g})",
                                    ("input x", "output"), dashed=("z = w·x + b",), y_range=(-3, 3), height=340),
                        key="nn_function")
    linear_vs_nonlinear()
    stacked_linear_layers()


def linear_vs_nonlinear() -> None:
    style = projector.style()
    st.subheader("Linear vs non-linear neuron")
    st.markdown("Consider the data below. Let's fit the simplest neural net to it: **1 layer with just 1 neuron**, "
                "once linear and once non-linear, both trained by gradient descent (Adam, 300 steps).")
    c1, c2, c3 = st.columns([1, 1, 2])
    with c1:
        curve = url_state.choice(st.selectbox, "Data", list(CURVES), "step", key="nn_data")
    with c2:
        noise = url_state.slider("Noise", 0.0, 0.5, 0.1, 0.05, key="nn_noise")
    with c3:
        activation = activation_choice("Non-linear neuron's function", "sigmoid", key="nn_fit_activation", linear=False)
    *fitted, losses = fit_figures(curve, noise, activation, style)
    for i, (col, fig) in enumerate(zip(st.columns(2), fitted)):
        with col:
            projector.chart(fig, key=f"nn_fit_{i}")
    projector.chart(losses, key="nn_fit_losses")
    if answer := presenter.answer():  # why do we need non-linear nodes: the question the notes ask
        with answer:
            st.markdown("As expected, non-linearity helps us fit more complicated data. The intuition: if g(x) is "
                        "non-linear, f must be non-linear too to approximate it. Two ways to do this: take lines and "
                        "combine them non-linearly, or take non-linear functions and combine them linearly (next "
                        "section).")


def stacked_linear_layers() -> None:
    style = projector.style()
    st.subheader("Source of non-linearity: activation functions")
    st.markdown("Without non-linearity at the units, the **whole network acts like a linear function**: it reduces "
                "to linear regression. Stack random 2 → 2 layers and compare with the single linear map that their "
                "weights multiply out to.")
    c1, c2 = st.columns([1, 2])
    with c1:
        depth = url_state.slider("Layers stacked", 1, 10, 3, key="nn_depth")
    with c2:
        activation = activation_choice("Activation between the layers", "linear", key="nn_stack_activation")
    stack = neurons.stack_vs_single_map(depth, activation)
    same = stack.max_difference < 1e-9
    verdict = ("the same map, up to rounding: **one linear layer would do**" if same else
               f"**not** one linear map any more: {ACTIVATIONS[activation]} bends the grid")
    st.markdown(f"Largest difference between the stack and the single map: **{stack.max_difference:.2g}**, {verdict}.")
    if depth == 1:
        st.caption("With one layer there is nothing between layers for an activation to act on: stack two or more.")
    projector.chart(plots.stack_vs_single_map(stack.inputs, stack.stacked, stack.single, 11, style,
                                              f"A grid through {depth} layer{'s' * (depth > 1)} vs through one map"),
                    key="nn_stack")
