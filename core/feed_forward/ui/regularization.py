"""Overfitting and regularization: a network with too many weights for its 15 points, and L2, L1, dropout and early
stopping keeping it from memorising the noise."""
import numpy as np
import streamlit as st

from core import plots
from core.data.toy import CURVES
from core.feed_forward import regularization
from core.ui import heavy, projector, url_state

RATES = {"L2": (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1), "L1": (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1),
         "dropout": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)}
DEFAULT_RATE = {"L2": 0.01, "L1": 0.01, "dropout": 0.3}
RATE_LABELS = {"L2": "L2 strength λ (adds λ·Σw²)", "L1": "L1 strength λ (adds λ·Σ|w|)",
               "dropout": "Dropout probability p"}


@heavy.shared("Training the network on 15 points")  # kept for everyone and on disk, trained in turn, cancellable
def regularized_run(method: str, rate: float) -> regularization.Run:
    return regularization.train(method, rate)


def method_label(method: str, rate: float) -> str:
    return {"none": "no regularization", "early stopping": "early stopping", "dropout": f"dropout p = {rate:g}"}.get(
        method, f"{method} λ = {rate:g}")


def final_test_loss(run: regularization.Run, method: str) -> float:
    """Early stopping keeps the weights of its best epoch; the others end with their last."""
    return run.test_losses[run.best_epoch if method == "early stopping" else -1]


def section() -> None:
    style = projector.style()
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
    label = method_label(method, rate)
    plain = regularized_run("none", 0.0)
    chosen = regularized_run.asked(f"Train it with {label} · a few seconds", method, rate)  # a new rate: on a click
    shown = [("none", 0.0, plain)] + ([(method, rate, chosen)] if chosen is not None else [])
    losses, fits = st.columns(2)
    with losses:
        projector.chart(plots.train_test_losses({method_label(m, r): (run.train_losses, run.test_losses)
                                                 for m, r, run in shown}, style,
                                                "Training and test loss part ways",
                                                chosen.best_epoch if method == "early stopping" and chosen else None),
                        key="reg_losses")
    x_true = np.linspace(-3, 3, 200)
    truth = (x_true, CURVES[regularization.CURVE](x_true))
    with fits:
        curves = {f"{method_label(m, r)}: test loss {final_test_loss(run, m):.3f}": (run.x_grid, run.y_fit)
                  for m, r, run in shown}
        projector.chart(plots.lines({**curves, "true curve": truth}, style, "The fitted functions", ("x", "y"),
                                    dashed=("true curve",), points={"training points": (data.x_train, data.y_train),
                                                                    "test points": (data.x_test, data.y_test)},
                                    y_range=(-4, 4), height=420), key="reg_fits")
    if url_state.toggle("Compare every method side by side", key="reg_all"):
        runs = {m: (r, regularized_run(m, r)) for m, r in
                [("none", 0.0), *((m, DEFAULT_RATE[m]) for m in RATES), ("early stopping", 0.0)]}
        projector.chart(plots.fits_side_by_side(
            {f"{method_label(m, r)}<br>test loss {final_test_loss(run, m):.3f}": (run.x_grid, run.y_fit)
             for m, (r, run) in runs.items()},
            truth, (data.x_train, data.y_train), style), key="reg_all_fits")
        st.caption("Each method at its default rate; the same 15 training points and the same initial weights.")
