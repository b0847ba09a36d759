"""From one neuron to one layer: N sigmoid units with a weight, bias and output scale each, summed to approximate a
target g(x); the Fit button trains them and loads what they learned into the sliders."""
import numpy as np
import pandas as pd
import streamlit as st

from core import plots
from core.feed_forward import sum_of_sigmoids as sos
from core.ui import projector, url_state

W_RANGE, B_RANGE, A_RANGE, C_RANGE = (-20.0, 20.0), (-20.0, 20.0), (-3.0, 3.0), (-3.0, 3.0)
STEP = 0.01
FITTED = "sig_fitted"  # (target, n_units, Units) of the last Fit, in this session


@st.cache_data(max_entries=64, show_spinner="Fitting the sigmoids to g(x)…")
def fit_units(target: str, n_units: int) -> sos.Units:
    return sos.fit_units(target, n_units)


def _unit_keys(i: int) -> tuple[str, str, str]:
    return f"sig_w{i + 1}", f"sig_b{i + 1}", f"sig_a{i + 1}"


def _load(units: sos.Units) -> None:
    """Put units' values into the sliders (rounded to their step, held inside their range)."""
    for i, values in enumerate(zip(units.w, units.b, units.a)):
        for key, value, (lo, hi) in zip(_unit_keys(i), values, (W_RANGE, B_RANGE, A_RANGE)):
            st.session_state[key] = round(float(np.clip(value, lo, hi)), 2)
    st.session_state["sig_c"] = round(float(np.clip(units.c, *C_RANGE)), 2)


def _reset_units() -> None:
    """A new number of units starts from equal steps spread evenly across the x range."""
    _load(sos.defaults(st.session_state["sig_units"]))
    st.session_state.pop(FITTED, None)


def _fit(target: str, n_units: int) -> None:
    units = fit_units(target, n_units)
    _load(units)
    st.session_state[FITTED] = (target, n_units, units)


def unit_sliders(n_units: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One tab per unit with its weight, bias and output scale: (w, b, a), each (n_units,)."""
    start = sos.defaults(n_units)
    values = []
    for i, tab in enumerate(st.tabs([f"unit {i + 1}" for i in range(n_units)])):
        kw, kb, ka = _unit_keys(i)
        with tab:
            cw, cb, ca = st.columns(3, gap="medium")
            with cw:
                wi = url_state.slider("weight w (steepness)", *W_RANGE, round(float(start.w[i]), 2), STEP, key=kw)
            with cb:
                bi = url_state.slider("bias b (step at x = −b/w)", *B_RANGE, round(float(start.b[i]), 2), STEP,
                                      key=kb)
            with ca:
                ai = url_state.slider("output scale a (height)", *A_RANGE, round(float(start.a[i]), 2), STEP, key=ka)
            values.append((wi, bi, ai))
    w, b, a = (np.array(v) for v in zip(*values))
    return w, b, a


def fitted_table(units: sos.Units) -> pd.DataFrame:
    return pd.DataFrame({"weight w": units.w, "bias b": units.b, "scale a": units.a,
                         "steps at x = −b/w": -units.b / np.where(np.abs(units.w) < 1e-9, np.nan, units.w)},
                        index=[f"unit {i + 1}" for i in range(len(units.w))])


def section() -> None:
    st.markdown("From 1 neuron to 1 layer: one layer, but **several neurons**. Each sigmoid unit is a step at "
                "x = −b/w, as steep as its weight w, scaled by a; the output neuron adds them up with its bias c. "
                "Combining simpler functions approximates more complicated ones: "
                "**f(x) = Σᵢ aᵢ·σ(wᵢx + bᵢ) + c ≈ g(x)**.")
    units_col, target_col, fit_col, bias_col = st.columns([1.2, 1, 0.5, 1.2], gap="medium",
                                                          vertical_alignment="bottom")
    with units_col:
        n_units = url_state.slider("Hidden sigmoid units", 1, 10, 3, key="sig_units", on_change=_reset_units)
    with target_col:
        target = url_state.choice(st.selectbox, "Target g(x)", list(sos.TARGETS), key="sig_target")
    with fit_col:
        st.button("Fit", key="sig_fit", on_click=_fit, args=(target, n_units), type="primary",
                  icon=":material/model_training:", width="stretch",
                  help="Train these units to g(x) (Adam, 600 steps) and load the weights they learn into the sliders.")
    with bias_col:
        c = url_state.slider("output neuron's bias c", *C_RANGE, 0.0, STEP, key="sig_c")
    w, b, a = unit_sliders(n_units)
    x = sos.grid()
    outputs, g = sos.units_output(x, w, b, a), sos.TARGETS[target](x)
    f = outputs.sum(axis=0) + c
    loss = float(np.mean((f - g) ** 2))
    low, high = min(outputs.min(), f.min(), g.min(), c), max(outputs.max(), f.max(), g.max(), c)
    pad = 0.1 * (high - low) + 0.05
    y_range = (low - pad, high + pad)
    style = projector.style()
    st.markdown(f"**Two ways to look at it**: each unit as a step or bump, or the layer as one function f(x). "
                f"Mean squared error of f against g: **{loss:.4f}**")
    left, right = st.columns(2)
    with left:
        projector.chart(plots.sigmoid_units(x, outputs, c, style,
                                            "Each unit: a scaled step", y_range), key="sig_units_plot")
    with right:
        projector.chart(plots.lines({"f(x), the layer": (x, f), "g(x), the target": (x, g)}, style,
                                    "The layer as one function", ("input x", "output"),
                                    dashed=("g(x), the target",), y_range=y_range), key="sig_sum_plot")
    fitted = st.session_state.get(FITTED)
    if fitted and fitted[:2] == (target, n_units):
        units = fitted[2]
        st.markdown(f"**What Fit learned** for the {target} with {n_units} unit{'s' * (n_units > 1)}: output bias "
                    f"c = {units.c:.3f}, loss {units.losses[-1]:.5f} (now in the sliders, rounded to 0.01 and held "
                    f"inside their ranges).")
        st.dataframe(fitted_table(units).style.format("{:.3f}"), width="stretch")
    else:
        st.caption("Press **Fit** to train these units to g(x): the weights and biases they learn appear here and "
                   "in the sliders.")
