"""Data A vs Data B: which is hard for a straight line, a third feature that makes Data B easy, and a hidden layer
that learns such a transformation itself."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import plots
from core.recap import separability
from core.ui import presenter, projector, url_state


@st.cache_data(max_entries=16, show_spinner="Training the small network…")
def hidden_space_animation(n: int, noise: float, seed: int, style: plots.PlotStyle) -> go.Figure:
    """Data B as a 2-3-1 network's hidden layer sees it over training, as an animated figure."""
    X, y = separability.data_b(n, noise, seed)
    return plots.hidden_space_animation(separability.hidden_layer_over_training(X, y, seed=seed), y,
                                        separability.CLASSES, style)


def section() -> None:
    style = projector.style()
    st.markdown("Which of these data sets would be hard to train a classifier for? "
                "Is there a way to transform **Data B** into something like **Data A**, where a straight line works?")
    c1, c2 = st.columns(2)
    with c1:
        noise = url_state.slider("Noise", 0.0, 0.5, 0.1, 0.05, key="ab_noise")
    with c2:
        n = url_state.slider("Points", 100, 600, 300, 50, key="ab_points")
    (Xa, ya), (Xb, yb) = separability.data_a(n, noise, 0), separability.data_b(n, noise, 0)
    data = {"Data A": (Xa, ya), "Data B": (Xb, yb)}
    for col, (title, (X, y)) in zip(st.columns(2), data.items()):
        with col:
            projector.chart(plots.scatter_classes(X, y, separability.CLASSES, style, title), key=f"ab_{title}")
    with presenter.answer():
        st.markdown(" · ".join(f"**{title}**: a straight line gets **{separability.linear_accuracy(X, y):.0%}** "
                               f"(guessing {max(y.mean(), 1 - y.mean()):.0%})" for title, (X, y) in data.items()))
    if url_state.toggle("Add the feature x₁² + x₂² to Data B", key="ab_lift"):
        lifted = separability.lift(Xb)
        acc = separability.linear_accuracy(lifted, yb)
        cut = float(np.median(lifted[:, 2]))
        projector.chart(plots.scatter3d_classes(lifted, yb, separability.CLASSES, style, ("x₁", "x₂", "x₁² + x₂²"),
                                                plane_z=cut, title=f"Data B with a third feature: a flat plane gets {acc:.0%}"),
                        key="ab_lifted")
    st.subheader("That is precisely what deep learning does")
    st.markdown("A network with one hidden layer of 3 tanh neurons learns its own transformation of Data B. "
                "Press ▶ to watch the hidden layer move the points until one plane (the output neuron) "
                "separates them.")
    projector.chart(hidden_space_animation(n, noise, 0, style), key="ab_hidden")
