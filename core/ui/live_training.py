"""Training live in the page, for every trainer a student starts: a Train button, a turn at the server's one training
slot (the place in line shown, with Cancel), a progress bar and charts redrawn in place while it trains, a Stop
button, and the run kept in the student's session however it ends (finished, stopped, or cut short by any click,
which ends the script run)."""
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.ui import cache

BAR_SECONDS = 0.25  # the progress bar is redrawn at most this often
CHART_SECONDS = 1.5  # and the charts


class Run(Protocol):
    status: str  # "training" while it trains; then "done", "diverged" or "stopped"


@dataclass
class Live:
    """The progress bar and charts of a training, redrawn in place, each at most every few moments."""
    bar: DeltaGenerator
    redraw: Callable[[], None]  # the charts
    started: float = 0.0
    bar_at: float = 0.0
    chart_at: float = 0.0

    def progress(self, step: int, total: int, losses: str) -> None:
        now = time.perf_counter()
        if now - self.bar_at >= BAR_SECONDS or step == total:
            elapsed = now - self.started
            self.bar.progress(step / total, text=f"Step {step:,} of {total:,} · {losses} · {elapsed:.0f} s elapsed, "
                                                 f"about {elapsed / step * (total - step):.0f} s to go")
            self.bar_at = now
        if now - self.chart_at >= CHART_SECONDS:
            self.draw()

    def draw(self) -> None:
        self.redraw()
        self.chart_at = time.perf_counter()


def train_button(place: DeltaGenerator, key: str) -> None:
    """The Train button; the training itself starts where the page calls `when_requested(key, …)`."""
    place.button("Train", key=key, type="primary", icon=":material/model_training:", width="stretch",
                 on_click=lambda: st.session_state.update({_request(key): True}))


def when_requested(key: str, train: Callable[[], None]) -> None:
    """If Train (`key`) was just pressed: run `train` when the server's one training slot is this student's (they
    see their place in line meanwhile, and can cancel), then rerun, so that the finished run is drawn from the
    session with the Train button ready again."""
    if not st.session_state.pop(_request(key), False):
        return
    with cache.training_turn("Your training"):
        train()
    st.rerun()


def train_here(run: Run, live: Live, train: Callable[[], None], stop_slot: DeltaGenerator, stop_key: str,
               stop_help: str) -> None:
    """Run `train` (which reports to `live`) in this script run, with a Stop button; a run that ends any other way
    than by finishing or diverging is marked stopped, and its charts are drawn as it ended."""
    live.started = time.perf_counter()
    stop_slot.button("Stop", key=stop_key, icon=":material/stop:", width="stretch", help=stop_help)
    live.bar.progress(0.0, text="Starting…")
    try:
        train()
    finally:
        if run.status == "training":
            run.status = "stopped"
    live.draw()


def settled(run: Run, timeout: float = 10.0) -> bool:
    """Whether the run has ended. A click during a training starts the next script run at once, while the old one
    is still finishing its step (it stops at its next redraw and marks the run stopped): wait for that."""
    deadline = time.monotonic() + timeout
    while run.status == "training" and time.monotonic() < deadline:
        time.sleep(0.05)
    return run.status != "training"


def _request(key: str) -> str:
    return f"_{key}_requested"
