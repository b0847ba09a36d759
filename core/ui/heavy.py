"""Heavy work on a shared server: each result computed once for everyone and kept (the most recent MAX_RESULTS in
memory, more on disk for a restarted server and the machine's other workers: core/disk_cache.py),
at most one computation per core at a time while the others wait in line with their place shown, and two students
asking for the same result sharing one computation. A student who clicks elsewhere or leaves gives up their place,
and a job of theirs that runs ends too: Streamlit ends a script run where it next writes to the page, so the
waiting notice is rewritten every half second, and a running job's notice (its seconds so far) at a model layer's
forward pass at most four times a second. A job that fails says so and frees its slot."""
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

T = TypeVar("T")
MAX_RESULTS = 512
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
LINE = Line(CORES)

TICK_S = 0.25
_guard = threading.Lock()
_results: OrderedDict[Hashable, object] = OrderedDict()
_computing: dict[Hashable, threading.Lock] = {}  # one lock per result being computed
_running = threading.local()  # the job this thread computes, if any


class _Job:
    """A running job's notice: its seconds so far, rewritten at most every TICK_S."""

    def __init__(self, what: str, note):
        self.what, self.note, self.started, self.shown = what, note, time.monotonic(), 0.0

    def tick(self) -> None:
        now = time.monotonic()
        if now - self.shown >= TICK_S:
            self.shown = now
            self.note.caption(f":material/hourglass_top: {self.what}… {now - self.started:.0f} s")


def _check_in(module: torch.nn.Module, args: tuple) -> None:
    """Before any layer's forward pass: inside a job, its notice's tick (where a click elsewhere ends the run)."""
    job = getattr(_running, "job", None)
    if job is not None:
        job.tick()


torch.nn.modules.module.register_module_forward_pre_hook(_check_in)


def result(key: Hashable, compute: Callable[[], T], what: str) -> T:
    """The kept result for `key`, else `compute()` run in turn (`what` names it in the waiting notice) and kept."""
    with _guard:
        if key in _results:
            _results.move_to_end(key)
            return _results[key]
        same = _computing.setdefault(key, threading.Lock())
    note = st.empty()
    try:
        _wait(lambda timeout: same.acquire(timeout=timeout), note,
              lambda: f"**{what}**: another student is computing the same result; it will be shown here too.")
        try:
            with _guard:
                if key in _results:  # computed while this student waited for it
                    return _results[key]
            value = disk_cache.read(key)
            if value is disk_cache.MISSING:
                ticket = LINE.join()
                try:
                    _wait(lambda timeout: LINE.start(ticket, timeout), note,
                          lambda: f"**{what}** waits its turn: {LINE.ahead(ticket)} ahead of you on this server.")
                    value = _run(compute, what, note)
                finally:
                    LINE.leave(ticket)
                disk_cache.write(key, value)
            with _guard:
                _results[key] = value
                while len(_results) > MAX_RESULTS:
                    _results.popitem(last=False)
            return value
        finally:
            same.release()
            with _guard:
                _computing.pop(key, None)
    finally:
        note.empty()


def _run(compute: Callable[[], T], what: str, note) -> T:
    """`compute()` with its notice ticking; a failure shown as a message that ends the run (nobody else's)."""
    _running.job = _Job(what, note)
    try:
        with st.spinner(f"{what}…"):
            return compute()
    except Exception as error:  # noqa: BLE001 — any failure of a job is the student's message, not a traceback
        st.error(f"**{what}** failed: {error}. Try other settings, or this section again later.",
                 icon=":material/error:")
        st.stop()
        raise  # outside a script run (bare mode) st.stop() ends nothing
    finally:
        _running.job = None
        memory.give_back()


def _wait(ready: Callable[[float], bool], note, text: Callable[[], str]) -> None:
    """Until `ready(timeout)` says so; the notice, once shown, is rewritten every half second (each rewrite is where
    a click elsewhere or a closed tab ends the script run)."""
    if ready(0.0):
        return
    while not ready(0.5):
        note.info(text(), icon=":material/hourglass:")


def shared(what: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """A decorator: each call's result kept for everyone and computed in turn, as `result` does. As with
    st.cache_data, arguments whose names start with _ (a model, a tensor) are left out of the key."""
    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def call(*args, **kwargs) -> T:
            arguments = signature.bind(*args, **kwargs).arguments
            key = (function.__module__, function.__qualname__,
                   *(_hashable(v) for name, v in arguments.items() if not name.startswith("_")))
            return result(key, lambda: function(*args, **kwargs), what)
        return call
    return decorate


def _hashable(value) -> Hashable:
    if isinstance(value, np.ndarray):
        return "array", value.shape, value.dtype.str, hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest()
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value if isinstance(value, Hashable) else repr(value)
