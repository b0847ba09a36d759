"""Feed-forward networks: neurons and non-linearity, sums of sigmoids, the Playground, gradient descent,
backpropagation, overfitting and regularization."""
import numpy as np
import streamlit as st

from core import cache, descent, neurons, plots, regularization
from core.data.toy import CURVES, curve_1d
from core.ui import backprop, playground, projector, sum_of_sigmoids, url_state
from core.ui.entrypoint import require_app

require_app()

SECTIONS = ("Neurons and non-linearity", "Sums of sigmoids", "Playground", "Gradient descent and SGD",
            "Backpropagation", "Overfitting and regularization")
ACTIVATIONS = {"linear": "linear", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU"}
FIT_POINTS = 40  # noisy points that one neuron is fitted to
SURFACES = {"one neuron": descent.one_neuron_surface, "local minimum": descent.local_minimum_landscape}
SURFACE_NAMES = {"one neuron": "the loss of fitting one sigmoid neuron (w, b)",
                 "local minimum": "a landscape with a local minimum"}
LEARNING_RATES = {"one neuron": (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),  # capped where every path stays finite
                  "local minimum": (0.01, 0.03, 0.1, 0.2, 0.3, 1.0, 3.0)}
DEFAULT_LR = {"one neuron": 3.0, "local minimum": 0.2}
OPTIMIZER_KEYS = {"gradient descent": "gd_show_gd", "SGD": "gd_show_sgd", "momentum": "gd_show_momentum",
                  "Adam": "gd_show_adam"}
RATES = {"L2": (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1), "L1": (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1),
         "dropout": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)}
DEFAULT_RATE = {"L2": 0.01, "L1": 0.01, "dropout": 0.3}
RATE_LABELS = {"L2": "L2 strength λ (adds λ·Σw²)", "L1": "L1 strength λ (adds λ·Σ|w|)",
               "dropout": "Dropout probability p"}

st.title("Feed-forward networks")
section = url_state.choice(st.segmented_control, "Section", SECTIONS, key="section", label_visibility="collapsed")
style = projector.style()


def activation_choice(label: str, value: str, key: str, linear: bool = True) -> str:
    options = [a for a in ACTIVATIONS if linear or a != "linear"]
    return url_state.choice(st.radio, label, options, value, key=key, format_func=ACTIVATIONS.get, horizontal=True)


def neurons_section() -> None:
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
    x, y = curve_1d(curve, FIT_POINTS, noise)
    fits = {"linear": cache.fit_one_neuron(x, y, "linear"), activation: cache.fit_one_neuron(x, y, activation)}
    for i, (col, (name, fit)) in enumerate(zip(st.columns(2), fits.items())):
        kind = "linear" if name == "linear" else f"non-linear ({ACTIVATIONS[name]})"
        with col:
            projector.chart(plots.lines({f"{kind} neuron": fit.curve}, style,
                                        f"{ACTIVATIONS[name]} neuron: loss {fit.final_loss:.4f}",
                                        ("input x", "output y"),
                                        points={"data": (x, y)}, y_range=(-2, 2), first_colour=i, height=340),
                            key=f"nn_fit_{i}")
    losses = {f"{ACTIVATIONS[name]} neuron": (np.arange(len(fit.losses)), fit.losses) for name, fit in fits.items()}
    projector.chart(plots.lines(losses, style, "Loss while training (mean squared error)", ("step", "loss"),
                                log_y=True, height=280), key="nn_fit_losses")
    st.markdown("As expected, non-linearity helps us fit more complicated data. The intuition: if g(x) is non-linear, "
                "f must be non-linear too to approximate it. Two ways to do this: take lines and combine them "
                "non-linearly, or take non-linear functions and combine them linearly (next section).")


def stacked_linear_layers() -> None:
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


def gradient_descent_section() -> None:
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
        projector.chart(plots.loss_surface_3d(surface.x, surface.y, surface.z,
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


def method_label(method: str, rate: float) -> str:
    return {"none": "no regularization", "early stopping": "early stopping", "dropout": f"dropout p = {rate:g}"}.get(
        method, f"{method} λ = {rate:g}")


def final_test_loss(run: regularization.Run, method: str) -> float:
    """Early stopping keeps the weights of its best epoch; the others end with their last."""
    return run.test_losses[run.best_epoch if method == "early stopping" else -1]


def regularization_section() -> None:
    st.markdown(f"**Too many parameters, too few points**: a network 1 → {regularization.HIDDEN} → "
                f"{regularization.HIDDEN} → 1 (about 4,300 weights) learns from {regularization.N_TRAIN} noisy "
                "points "
                "of a cubic. It can memorise the noise: the training loss keeps falling while the test loss (200 "
                "fresh points) stops falling and rises. That is **overfitting**. **Regularization** is one way to "
                "prevent it; there are many, many ways to regularize.")
    c1, c2 = st.columns(2)
    with c1:
        method = url_state.choice(st.segmented_control, "Regularization", regularization.METHODS[1:], "L2",
                                  key="reg_method")
    with c2:
        rate = 0.0
        if method in RATES:
            rate = url_state.choice(st.select_slider, RATE_LABELS[method], RATES[method], DEFAULT_RATE[method],
                                    key=f"reg_{method.lower()}_rate")
        else:
            st.markdown("Early stopping watches the loss on 15 held-out **validation** points and keeps the weights "
                        "of the epoch where it was lowest (it gives up after 100 epochs without improvement).")
    data = regularization.data()
    plain, chosen = cache.regularized_run("none", 0.0), cache.regularized_run(method, rate)
    label = method_label(method, rate)
    losses, fits = st.columns(2)
    with losses:
        projector.chart(plots.train_test_losses({method_label("none", 0): (plain.train_losses, plain.test_losses),
                                                 label: (chosen.train_losses, chosen.test_losses)}, style,
                                                "Training and test loss part ways",
                                                chosen.best_epoch if method == "early stopping" else None),
                        key="reg_losses")
    x_true = np.linspace(-3, 3, 200)
    truth = (x_true, CURVES[regularization.CURVE](x_true))
    with fits:
        curves = {f"{method_label(m, r)}: test loss {final_test_loss(run, m):.3f}": (run.x_grid, run.y_fit)
                  for m, r, run in (("none", 0.0, plain), (method, rate, chosen))}
        projector.chart(plots.lines({**curves, "true curve": truth}, style, "The fitted functions", ("x", "y"),
                                    dashed=("true curve",), points={"training points": (data.x_train, data.y_train),
                                                                    "test points": (data.x_test, data.y_test)},
                                    y_range=(-4, 4), height=420), key="reg_fits")
    if url_state.toggle("Compare every method side by side", key="reg_all"):
        runs = {m: (r, cache.regularized_run(m, r)) for m, r in
                [("none", 0.0), *((m, DEFAULT_RATE[m]) for m in RATES), ("early stopping", 0.0)]}
        projector.chart(plots.fits_side_by_side(
            {f"{method_label(m, r)}<br>test loss {final_test_loss(run, m):.3f}": (run.x_grid, run.y_fit)
             for m, (r, run) in runs.items()},
            truth, (data.x_train, data.y_train), style), key="reg_all_fits")
        st.caption("Each method at its default rate; the same 15 training points and the same initial weights.")


{SECTIONS[0]: neurons_section, SECTIONS[1]: sum_of_sigmoids.section, SECTIONS[2]: playground.section,
 SECTIONS[3]: gradient_descent_section, SECTIONS[4]: backprop.section,
 SECTIONS[5]: regularization_section}[section]()
