"""Gradient descent and SGD: optimizers' paths on a loss surface seen from above and as a landscape, and SGD's noise
escaping a local minimum."""
import numpy as np
import streamlit as st

from core import plots, scene3d
from core.feed_forward import descent
from core.ui import projector, url_state

SURFACES = {"one neuron": descent.one_neuron_surface, "local minimum": descent.local_minimum_landscape}
SURFACE_NAMES = {"one neuron": "the loss of fitting one sigmoid neuron (w, b)",
                 "local minimum": "a landscape with a local minimum"}
LEARNING_RATES = {"one neuron": (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),  # capped where every path stays finite
                  "local minimum": (0.01, 0.03, 0.1, 0.2, 0.3, 1.0, 3.0)}
DEFAULT_LR = {"one neuron": 3.0, "local minimum": 0.2}
OPTIMIZER_KEYS = {"gradient descent": "gd_show_gd", "SGD": "gd_show_sgd", "momentum": "gd_show_momentum",
                  "Adam": "gd_show_adam"}


def section() -> None:
    style = projector.style()
    st.markdown("Training is finding the weights that make the loss small. Moving along an axis changes one weight; "
                "the **gradient** says how the loss changes as each weight changes: **one gradient per weight**. "
                "Gradient descent steps against it. **SGD** estimates it from a random mini-batch: faster, and "
                "its randomness can make it \u201cjump\u201d out of a tough spot in the terrain.")
    c1, c2 = st.columns([1.5, 1], vertical_alignment="bottom")
    with c1:
        name = url_state.choice(st.radio, "Loss surface", list(SURFACES), key="gd_surface",
                                format_func=SURFACE_NAMES.get, horizontal=True)
    with c2:
        st.button("SGD escapes a local minimum", key="gd_preset", on_click=sgd_escape_preset,
                  icon=":material/auto_fix_high:", help="A preset: start in the local minimum's valley, where "
                  "gradient descent stays stuck and the noise of SGD's mini-batches jumps out.")
    surface = SURFACES[name]()
    start, lr, steps, batch, seed, optimizers = descent_controls(surface)
    paths = {label: descent.path(surface, optimizer, start, lr, steps, batch, seed)
             for optimizer, label in optimizers.items()}
    paths = {f"{label}: loss {float(surface.loss(p[-1])):.3f}": p for label, p in paths.items()}
    gradient = surface.grad(np.array(start))
    contour, landscape = st.columns(2)
    with contour:
        projector.chart(plots.loss_contour(surface.x, surface.y, surface.z, paths, np.array(start), -gradient,
                                           surface.axes, style, "From above (click to start elsewhere)"),
                        key="gd_contour", on_click=start_where_clicked)
    with landscape:
        projector.scene(scene3d.loss_landscape(surface.x, surface.y, surface.z,
                                               {k: (p, surface.loss(p)) for k, p in paths.items()}, surface.axes,
                                               style, "As a landscape"), key="gd_surface_3d")
    a, b = surface.axes
    st.markdown(f"At the start ✕ the gradient has one entry per weight: ∂L/∂{a} = **{gradient[0]:.3g}**, "
                f"∂L/∂{b} = **{gradient[1]:.3g}**. Gradient descent moves by −η·∇L, along the arrow.")
    st.caption("Drag the landscape to turn it. Momentum keeps about ten steps' worth of velocity, and Adam's steps "
               "are about η long however flat the surface is, so both take much bigger steps than gradient descent "
               "at the same η: compare them at a smaller one. Paths that leave the plotted square run along its edge.")


def descent_controls(surface: descent.Surface) -> tuple[tuple[float, float], float, int, int, int, dict[str, str]]:
    """Where the optimizers start, the learning rate (capped per surface so paths stay finite), steps, mini-batch
    size and draw, and which optimizers to show (with their legend labels)."""
    s = "neuron" if surface.name == "one neuron" else "local"
    lo, hi = float(surface.x[0]), float(surface.x[-1])
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        start_x = url_state.slider(f"Start {surface.axes[0]}", lo, hi, surface.start[0], 0.1, key=f"gd_{s}_start_x")
        start_y = url_state.slider(f"Start {surface.axes[1]}", lo, hi, surface.start[1], 0.1, key=f"gd_{s}_start_y")
    with c2:
        lr = url_state.choice(st.select_slider, "Learning rate η", LEARNING_RATES[surface.name],
                              DEFAULT_LR[surface.name], key=f"gd_{s}_lr")
        steps = url_state.slider("Steps", 10, 300, 100, 10, key="gd_steps")
    with c3:
        batch = url_state.slider("Mini-batch size", 1, 24, 2, key="gd_batch",
                                 help="Used by SGD, momentum and Adam. The one-neuron surface has 24 examples, so 24 "
                                      "is the full batch. The landscape has none: its mini-batch gradient is the true "
                                      "one plus noise that shrinks as 1/√(batch size).")
        seed = url_state.slider("Random draw of the mini-batches", 0, 20, 0, key="gd_seed")
    with c4:
        optimizers = {o: o if o != "SGD" else f"SGD (batch {batch})" for o in descent.OPTIMIZERS
                      if url_state.checkbox(o, o in ("gradient descent", "SGD"), key=OPTIMIZER_KEYS[o])}
    return (start_x, start_y), lr, steps, batch, seed, optimizers


def start_where_clicked() -> None:
    """A click on the contour map moves the start sliders there."""
    points = st.session_state["gd_contour"]["selection"]["points"]
    if points:
        s = "neuron" if st.session_state.get("gd_surface", "one neuron") == "one neuron" else "local"
        st.session_state[f"gd_{s}_start_x"] = round(float(points[0]["x"]), 1)
        st.session_state[f"gd_{s}_start_y"] = round(float(points[0]["y"]), 1)


def sgd_escape_preset() -> None:
    """A start in the local minimum's valley where gradient descent stays stuck and SGD's noise jumps out."""
    st.session_state.update({"gd_surface": "local minimum", "gd_local_start_x": -2.6, "gd_local_start_y": -2.2,
                             "gd_local_lr": 0.2, "gd_batch": 2, "gd_seed": 0, "gd_steps": 100, "gd_show_gd": True,
                             "gd_show_sgd": True, "gd_show_momentum": False, "gd_show_adam": False})
