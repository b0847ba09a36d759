"""Heavy work on a shared server: each result computed once for everyone and kept (the most recent MAX_RESULTS in
memory, more on disk for a restarted server and the machine's other workers: core/disk_cache.py), two students
asking for the same result sharing one computation.

Slow jobs take turns: at most one per core but one at a time (the last core stays with the interpreter, which runs
every student's script and so every click), the others waiting in line with their place shown. Quick ones (well
under a second: a gradient, one attack step) are computed at once, ahead of the line. Slow work that nobody has
asked for yet can wait for a click (`on_request`: a button that says what it costs), so that moving a slider never
starts it; the warm-up presses those buttons for the views it opens (core/ui/warmup.py).

A student who clicks elsewhere or leaves gives up their place, and a job of theirs that runs ends too: Streamlit ends
a script run where it next writes to the page, so the waiting notice is rewritten every half second, and a running
job's notice (its seconds so far) at a model layer's forward pass at most four times a second. A job that fails
says so and frees its slot."""
import functools
import hashlib
import inspect
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import streamlit as st
import torch

from core import disk_cache, memory
from core.line import Line
from core.ui.warmup import ASK

T = TypeVar("T")
MAX_RESULTS = 64  # in memory; the disk keeps more (core/disk_cache.py), each read back in milliseconds
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
LINE = Line(max(1, CORES - 1))

TICK_S = 0.25
_guard = threading.Lock()
_results: OrderedDict[Hashable, object] = OrderedDict()
_computing: dict[Hashable, threading.Lock] = {}  # one lock per result being computed
_running = threading.local()  # the notice of the job this thread computes, if any


def _tag(key: Hashable) -> str:
    return hashlib.sha1(repr(key).encode()).hexdigest()[:12]


class _Notice:
    """Where a job tells its student how it stands: a line rewritten in place, and beside it, once the student has
    to wait, a Cancel button (its click is a rerun, which ends the waiting or running job where the line is next
    rewritten; the job then stays cancelled for this student until they ask for it again)."""

    def __init__(self, key: Hashable, what: str):
        self.tag = _tag(key)
        self.what, self.started, self.shown = what, time.monotonic(), 0.0
        self.line, self.button = st.empty(), st.empty()
        self.offered = False

    def say(self, text: str, waiting: bool = True) -> None:
        if not self.offered:
            self.offered = True
            self.button.button("Cancel", key=f"heavy_cancel_{self.tag}", icon=":material/cancel:",
                               on_click=_cancelled().add, args=(self.tag,))
        if waiting:
            self.line.info(text, icon=":material/hourglass:")
        else:
            self.line.caption(text)

    def tick(self) -> None:
        """A running job's seconds so far, rewritten at most every TICK_S."""
        now = time.monotonic()
        if now - self.shown >= TICK_S:
            self.shown = now
            self.say(f":material/hourglass_top: {self.what}… {now - self.started:.0f} s", waiting=False)

    def cancelled(self) -> None:
        """Say that this student cancelled the job, offer it again, and end the script run here."""
        with self.line.container():
            st.info(f"**{self.what}**: cancelled.", icon=":material/cancel:")
            st.button("Compute it after all", key=f"heavy_again_{self.tag}", icon=":material/play_arrow:",
                      on_click=_cancelled().discard, args=(self.tag,))
        st.stop()

    def clear(self) -> None:
        self.line.empty()
        self.button.empty()


def _cancelled() -> set[str]:
    """The jobs this student cancelled (their notices' tags)."""
    return st.session_state.setdefault("heavy_cancelled", set())


def _check_in(module: torch.nn.Module, args: tuple) -> None:
    """Before any layer's forward pass: inside a job, its notice's tick (where a click elsewhere ends the run)."""
    job = getattr(_running, "job", None)
    if job is not None:
        job.tick()


torch.nn.modules.module.register_module_forward_pre_hook(_check_in)


def kept(key: Hashable):
    """The result kept for `key` (in memory, else on disk), or disk_cache.MISSING."""
    with _guard:
        if key in _results:
            _results.move_to_end(key)
            return _results[key]
    value = disk_cache.read(key)
    if value is not disk_cache.MISSING:
        _keep(key, value)
    return value


def _keep(key: Hashable, value) -> None:
    with _guard:
        _results[key] = value
        while len(_results) > MAX_RESULTS:
            _results.popitem(last=False)


def on_request(key: Hashable, compute: Callable[[], T], what: str, label: str) -> T | None:
    """The kept result for `key`; else a button (`label`: what it computes and costs) and None, until this student
    presses it; from then on `compute()` as `result` computes it (`what` names it while it waits or runs)."""
    value = kept(key)
    if value is not disk_cache.MISSING:
        return value
    tag, asked = _tag(key), st.session_state.setdefault("heavy_asked", set())
    if tag not in asked:
        st.button(label, key=ASK + tag, icon=":material/play_arrow:", on_click=asked.add, args=(tag,))
        return None
    return result(key, compute, what)


def result(key: Hashable, compute: Callable[[], T], what: str, quick: bool = False) -> T:
    """The kept result for `key`, else `compute()` run in turn (`what` names it in the waiting notice; `quick` work
    skips the line) and kept."""
    with _guard:
        if key in _results:
            _results.move_to_end(key)
            return _results[key]
    notice = _Notice(key, what)
    if notice.tag in _cancelled():
        notice.cancelled()
    with _guard:
        same = _computing.setdefault(key, threading.Lock())
    try:
        _wait(lambda timeout: same.acquire(timeout=timeout), notice,
              lambda: f"**{what}**: another student is computing the same result; it will be shown here too.")
        try:
            with _guard:
                if key in _results:  # computed while this student waited for it
                    return _results[key]
            value = disk_cache.read(key)
            if value is disk_cache.MISSING:
                value = _run(compute, notice) if quick else _in_turn(compute, notice)
                disk_cache.write(key, value)
            _keep(key, value)
            return value
        finally:
            same.release()
            with _guard:
                _computing.pop(key, None)
    finally:
        notice.clear()


def _in_turn(compute: Callable[[], T], notice: _Notice) -> T:
    ticket = LINE.join()
    try:
        _wait(lambda timeout: LINE.start(ticket, timeout), notice,
              lambda: f"**{notice.what}** waits its turn: {LINE.ahead(ticket)} ahead of you on this server.")
        return _run(compute, notice)
    finally:
        LINE.leave(ticket)


def _run(compute: Callable[[], T], notice: _Notice) -> T:
    """`compute()` with its notice ticking; a failure shown as a message that ends the run (nobody else's)."""
    _running.job = notice
    try:
        with st.spinner(f"{notice.what}…"):
            return compute()
    except Exception as error:  # noqa: BLE001 — any failure of a job is the student's message, not a traceback
        st.error(f"**{notice.what}** failed: {error}. Try other settings, or this section again later.",
                 icon=":material/error:")
        st.stop()
        raise  # outside a script run (bare mode) st.stop() ends nothing
    finally:
        _running.job = None
        memory.give_back()


def _wait(ready: Callable[[float], bool], notice: _Notice, text: Callable[[], str]) -> None:
    """Until `ready(timeout)` says so; the notice, once shown, is rewritten every half second (each rewrite is where
    a click elsewhere, Cancel or a closed tab ends the script run)."""
    if ready(0.0):
        return
    while not ready(0.5):
        notice.say(text())


def shared(what: str, quick: Callable[..., bool] = lambda **_: False) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A decorator: each call's result kept for everyone and computed in turn, as `result` does (at once where
    `quick(**arguments)` says so); `.asked(label, ...)` makes the same call wait for a click. As with st.cache_data,
    arguments whose names start with _ (a model, a tensor) are left out of the key."""
    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        signature = inspect.signature(function)

        def key_of(arguments: dict) -> tuple:
            return (function.__module__, function.__qualname__,
                    *(_hashable(v) for name, v in arguments.items() if not name.startswith("_")))

        @functools.wraps(function)
        def call(*args, **kwargs) -> T:
            arguments = signature.bind(*args, **kwargs).arguments
            return result(key_of(arguments), lambda: function(*args, **kwargs), what, quick(**arguments))

        def asked(label: str, *args, **kwargs) -> T | None:
            """The same call, computed only once somebody asks (on_request, with a button labelled `label`)."""
            return on_request(key_of(signature.bind(*args, **kwargs).arguments), lambda: function(*args, **kwargs),
                              what, label)
        call.asked = asked
        return call
    return decorate


def _hashable(value) -> Hashable:
    if isinstance(value, np.ndarray):
        return "array", value.shape, value.dtype.str, hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest()
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value if isinstance(value, Hashable) else repr(value)
