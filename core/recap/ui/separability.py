"""Data A vs Data B: which is hard for a straight line, a third feature that makes Data B easy, and a hidden layer
that learns such a transformation itself."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import plots, scene3d
from core.recap import separability
from core.ui import presenter, projector, url_state


# The figures are kept per server and shared, never changed once built (st.cache_resource): building one, or
# unpickling a copy from st.cache_data, took most of a rerun, so a lecture's stop appeared only seconds after Next.

@st.cache_resource(max_entries=16, show_spinner="Training the small network…")
def hidden_space_animation(n: int, noise: float, seed: int, style: plots.PlotStyle) -> dict:
    """Data B as a 2-3-1 network's hidden layer sees it over training, as an animated 3-D figure."""
    X, y = separability.data_b(n, noise, seed)
    return scene3d.hidden_space_animation(separability.hidden_layer_over_training(X, y, seed=seed), y,
                                          separability.CLASSES, style)


@st.cache_resource(max_entries=32, show_spinner=False)
def data_sets(n: int, noise: float, style: plots.PlotStyle) -> dict[str, tuple[go.Figure, str]]:
    """Data A and Data B: each one's scatter plot, and what a straight line gets on it against guessing."""
    shown = {}
    for title, (X, y) in {"Data A": separability.data_a(n, noise, 0), "Data B": separability.data_b(n, noise, 0)}.items():
        shown[title] = (plots.scatter_classes(X, y, separability.CLASSES, style, title),
                        f"**{title}**: a straight line gets **{separability.linear_accuracy(X, y):.0%}** "
                        f"(guessing {max(y.mean(), 1 - y.mean()):.0%})")
    return shown


@st.cache_resource(max_entries=32, show_spinner=False)
def lifted_data_b(n: int, noise: float, style: plots.PlotStyle) -> dict:
    """Data B with the feature x₁² + x₂², and the flat plane through its median that separates the classes."""
    X, y = separability.data_b(n, noise, 0)
    lifted = separability.lift(X)
    acc = separability.linear_accuracy(lifted, y)
    return scene3d.classes(lifted, y, separability.CLASSES, style, ("x₁", "x₂", "x₁² + x₂²"),
                           plane_z=float(np.median(lifted[:, 2])),
                           title=f"Data B with a third feature: a flat plane gets {acc:.0%}")


def section() -> None:
    style = projector.style()
    st.markdown("Two data sets of two classes each. Is there a way to transform **Data B** into something like "
                "**Data A**, so that classification becomes easy?")  # the notes' first question is posed above
    c1, c2 = st.columns(2)
    with c1:
        noise = url_state.slider("Noise", 0.0, 0.5, 0.1, 0.05, key="ab_noise")
    with c2:
        n = url_state.slider("Points", 100, 600, 300, 50, key="ab_points")
    data = data_sets(n, noise, style)
    for col, (title, (fig, _)) in zip(st.columns(2), data.items()):
        with col:
            projector.chart(fig, key=f"ab_{title}")
    if answer := presenter.answer():
        with answer:
            st.markdown(" · ".join(verdict for _, verdict in data.values()))
    if url_state.toggle("Add the feature x₁² + x₂² to Data B", key="ab_lift"):
        projector.scene(lifted_data_b(n, noise, style), key="ab_lifted")
    st.subheader("That is precisely what deep learning does")
    st.markdown("A network with one hidden layer of 3 tanh neurons learns its own transformation of Data B. "
                "Press ▶ to watch the hidden layer move the points until one plane (the output neuron) "
                "separates them.")
    projector.scene(hidden_space_animation(n, noise, 0, style), key="ab_hidden")
