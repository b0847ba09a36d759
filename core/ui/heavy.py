"""Heavy work on a shared server: each result computed once for everyone and kept (the most recent MAX_RESULTS),
at most one computation per core at a time while the others wait in line with their place shown, and two students
asking for the same result sharing one computation. A student who clicks elsewhere or leaves gives up their place
(the script run ends at the waiting notice's next update)."""
import functools
import hashlib
import inspect
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import streamlit as st

from core.line import Line

T = TypeVar("T")
MAX_RESULTS = 512
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
LINE = Line(CORES)

_guard = threading.Lock()
_results: OrderedDict[Hashable, object] = OrderedDict()
_computing: dict[Hashable, threading.Lock] = {}  # one lock per result being computed


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
            ticket = LINE.join()
            try:
                _wait(lambda timeout: LINE.start(ticket, timeout), note,
                      lambda: f"**{what}** waits its turn: {LINE.ahead(ticket)} ahead of you on this server.")
                note.empty()
                with st.spinner(f"{what}…"):
                    value = compute()
            finally:
                LINE.leave(ticket)
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
