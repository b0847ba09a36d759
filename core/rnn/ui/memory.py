"""Memorizing and forgetting: a simple RNN, an LSTM and a GRU trained live to recall the first symbol of a sequence
N steps later; accuracy against N, and the gradient that reaches back through time."""
import threading

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import plots
from core.rnn import memory
from core.ui import projector, url_state

TASK, RECIPE, SEED = memory.Task(), memory.Recipe(), 0
MARKERS = ("circle", "square", "diamond")  # one per cell, largest first: equal accuracies stay visible
REMEMBER, DISTRACT = "ABCD", "wxyz"  # the task's symbols: the first is one of REMEMBER, then only DISTRACT


@st.cache_resource(show_spinner=False)
def _trained() -> tuple[dict, threading.Lock]:
    """Every model trained on this server so far, {(cell, distance): memory.Trained}, shared by all students (the
    task is the same for everyone), and the lock that lets one training run at a time."""
    return {}, threading.Lock()


def _train(distances: list[int]) -> None:
    """Train every cell at these distances that no one has trained yet, with a progress bar."""
    done, lock = _trained()
    todo = [(cell, n) for n in distances for cell in memory.CELLS if (cell, n) not in done]
    if not todo:
        return
    bar = st.progress(0.0, text="Waiting for another training on this server…")
    with lock:
        for i, (cell, n) in enumerate(todo):
            if (cell, n) in done:
                continue

            def progress(step: int, steps: int, i=i, cell=cell, n=n) -> None:
                bar.progress((i + step / steps) / len(todo), text=f"Training the {cell} at N = {n} (model {i + 1} "
                                                                  f"of {len(todo)}), step {step}")
            done[(cell, n)] = memory.train(cell, n, TASK, RECIPE, SEED, progress)
    bar.empty()


def _request(key: str, distances: list[int]) -> None:
    st.session_state[key] = distances


def example(distance: int, seed: int = 1) -> str:
    """One sequence of the task, as letters: the symbol to remember, distractors, and the question."""
    rng = np.random.default_rng(seed)
    shown = [rng.choice(list(REMEMBER))] + list(rng.choice(list(DISTRACT), distance - 1))
    middle = " ".join(shown[1:]) if distance <= 12 else " ".join(shown[1:6]) + f" … ({distance - 11} more) … " + \
        " ".join(shown[-5:])
    return f"**{shown[0]}** {middle} → ? (answer: **{shown[0]}**)"


def accuracy_figure(done: dict, style: plots.PlotStyle) -> go.Figure:
    """Held-out accuracy against N, one line per cell, over the distances trained so far; chance dotted."""
    fig = go.Figure()
    for i, cell in enumerate(memory.CELLS):
        points = sorted((n, t.accuracy) for (c, n), t in done.items() if c == cell)
        if points:
            fig.add_trace(go.Scatter(x=[n for n, _ in points], y=[a for _, a in points], name=cell,
                                     mode="lines+markers", line=dict(color=style.colour(i), width=style.line_width),
                                     marker=dict(size=style.marker_size * (2.2 - 0.5 * i), symbol=MARKERS[i])))
    fig.add_hline(1 / TASK.classes, line=dict(dash="dot", color="#777"), annotation_text="chance",
                  annotation_position="bottom right")
    fig.update_xaxes(title="distance N", type="log",
                     tickvals=list(memory.DISTANCES), range=[np.log10(4), np.log10(100)])
    fig.update_yaxes(title="held-out accuracy", range=[0, 1.05], tickformat=".0%")
    return plots.legend_below(plots.layout(fig, style, "Who remembers how far back?"))


def gradient_figure(done: dict, distance: int, style: plots.PlotStyle) -> go.Figure:
    """‖∂loss/∂h_t‖ over t for each cell trained at this distance, log scale: the vanishing gradient."""
    curves = {}
    for cell in memory.CELLS:
        if (cell, distance) in done:
            norms = memory.gradient_through_time(done[(cell, distance)].model, TASK, distance)
            curves[cell] = (np.arange(1, distance + 1), np.maximum(norms, 1e-12))
    return plots.lines(curves, style, f"The error reaching back to step t (N = {distance})",
                       axes=("step t (1 = the symbol to remember)", "gradient norm ‖∂loss/∂hₜ‖"), log_y=True)


def section() -> None:
    st.markdown("> **Kilimanjaro** is a snow-covered mountain 19,710 feet high, and is said to be the highest "
                "mountain in Africa. Close to the **western summit** there is the dried and frozen carcass of a "
                "leopard.\n\nTo make sense of *summit*, the network must still remember *Kilimanjaro*: it needs "
                "**memory**. Here is the same problem, stripped down: a sequence starts with one of four letters "
                f"({', '.join(REMEMBER)}) followed by N − 1 distractors ({', '.join(DISTRACT)}); at the end the "
                "network must say which letter came first. Chance is 25 %.")
    distance = url_state.choice(st.select_slider, "Distance N", list(memory.DISTANCES), 20, key="mem_distance",
                                help="Steps between the letter to remember and the question.")
    st.markdown(f"One sequence at N = {distance}:  " + example(distance))
    done, _ = _trained()
    requested = st.session_state.pop("mem_todo", None)  # set by a button below, before this rerun
    if requested:
        _train(requested)
    missing = [cell for cell in memory.CELLS if (cell, distance) not in done]
    one, every = st.columns(2)
    with one:
        st.button(f"Train RNN, LSTM and GRU at N = {distance}", icon=":material/play_arrow:", type="primary",
                  disabled=not missing, on_click=_request, args=("mem_todo", [distance]), key="mem_train_one",
                  help="Each model trains in a few seconds (32 hidden units, up to 400 steps of 32 sequences).")
    with every:
        rest = [n for n in memory.DISTANCES if any((c, n) not in done for c in memory.CELLS)]
        st.button(f"Train at every distance ({len(rest)} left)" if rest else "Trained at every distance",
                  icon=":material/fast_forward:", disabled=not rest, on_click=_request, args=("mem_todo", rest),
                  key="mem_train_all")
    style = projector.style()
    if not any(n == distance for _, n in done):
        st.info(f"Nothing trained at N = {distance} yet: press the button (about {3 * 3} seconds for three "
                "models; once trained, they stay for everyone on this server).", icon=":material/school:")
    else:
        for column, cell in zip(st.columns(len(memory.CELLS)), memory.CELLS):
            trained = done.get((cell, distance))
            with column:
                st.metric(f"{cell} at N = {distance}", "—" if trained is None else f"{trained.accuracy:.0%}",
                          help="Held-out accuracy on 1,000 new sequences" + (
                              "" if trained is None else f"; trained for {trained.steps} steps."))
    if done:
        left, right = st.columns(2)
        with left:
            projector.chart(accuracy_figure(done, style), key="mem_accuracy")
        with right:
            if any(n == distance for _, n in done):
                projector.chart(gradient_figure(done, distance, style), key="mem_gradient")
        st.markdown("**What you see.** The simple RNN recalls the letter over short distances and falls to chance "
                    "as N grows: to learn, the error must flow back through every step, and each step multiplies "
                    "it by the recurrent weights and the slope of tanh, so it **vanishes** (right, at N = 40 or "
                    "80: what reaches step 1 is orders of magnitude smaller than at the end). The LSTM's cell state and the GRU's "
                    "state are passed on through gates that stay near 1: the memory, and its gradient, survive.")
