"""Every control's value round-trips through the URL, so a lecturer's link reopens a page exactly as it was.

app.py calls `begin()` before a page runs and `finish()` after it; pages create their controls through
the functions below. Sliders, and choices whose options are written in the URL as they are, are bound to
the URL by Streamlit itself (`bind="query-params"`: the browser keeps the URL in step, a value equal to the
default is left out). The rest is written here: switches (as 1/0, as links have always carried them),
choices shown through a format function (the URL keeps the option, not its label), typed text (only while
it is short enough for a link) and values no single widget holds. A parameter that is unknown, invalid or out
of range is ignored and named in a notice at the top of the page.
"""
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

_STATE = "_url_state"  # per session: {"page", "keys", "bad", "applied"}


def begin(page: str) -> None:
    """Start a run of `page`: reserve the notice area and note whether the URL still needs applying."""
    state = st.session_state.setdefault(_STATE, {"applied": set()})
    state.update(page=page, keys=set(), bad=[], notices=st.container(), running=True)


def finish() -> None:
    """After the page ran: drop URL keys no control used; on the first visit, say what was ignored and why."""
    state = st.session_state[_STATE]
    stale = [k for k in st.query_params if k not in state["keys"]]
    for k in stale:
        try:
            del st.query_params[k]
        except StreamlitAPIException:  # still bound to a widget of the page's last run: Streamlit clears it
            pass
    if stale and state["page"] not in state["applied"]:
        state["bad"].append(f"unknown setting{'s' if len(stale) > 1 else ''} " + ", ".join(f"`{k}`" for k in stale))
    if state["bad"]:
        state["notices"].info("Some settings in this link were ignored: " + "; ".join(state["bad"]) + ".",
                              icon=":material/link_off:")
    state["applied"].add(state["page"])
    state.pop("preset", None)
    state["running"] = False


def preset(page: str, settings: dict[str, str]) -> None:
    """Let `settings` (as a link would carry them) set `page`'s controls on its next run, as a link does on a first
    visit: a lecture stop's preset. They travel in the session, not in the address, as Streamlit refuses to set a
    parameter bound to a widget; the controls then write them into the address as usual."""
    state = st.session_state.setdefault(_STATE, {"applied": set()})
    state["applied"].discard(page)
    state["preset"] = (page, dict(settings))


def app_is_running() -> bool:
    """Whether app.py started this run (it always does, except in the case core.ui.segment mends)."""
    return st.session_state.get(_STATE, {}).get("running", False)


def _bind(key: str, default: Any, parse: Callable[[str], Any]) -> None:
    """Before a widget written here is made: its value from the URL on first visit, else its current or default
    value."""
    raw = _first_visit_value(key)
    if raw is not None:
        try:
            st.session_state[key] = parse(raw)
            return
        except ValueError as e:
            _ignored(key, raw, e)
    if key not in st.session_state:
        st.session_state[key] = default


def _check(key: str, parse: Callable[[str], Any]) -> str | None:
    """Before a widget that Streamlit binds is made: the binding to give it. The URL's value, on a first visit (or a
    lecture stop's, on a page already open), is put in the session too, which Streamlit's binding alone does only
    when the widget is new. A value the widget should not take is named in the notice, and the widget is left
    unbound for that run (Streamlit would drop most such values silently, but an empty one would clear a choice)."""
    raw = _first_visit_value(key)
    if raw is not None:
        try:
            st.session_state[key] = parse(raw)
        except ValueError as e:
            _ignored(key, raw, e)
            return None
    return "query-params"


def _first_visit_value(key: str) -> str | None:
    """The URL's value for `key` while the session visits the page for the first time (later, the controls rule)."""
    state = st.session_state[_STATE]
    state["keys"].add(key)
    if state["page"] in state["applied"]:
        return None
    page, settings = state.get("preset", (None, {}))
    return settings[key] if page == state["page"] and key in settings else st.query_params.get(key)


def _ignored(key: str, raw: str, reason: ValueError) -> None:
    st.session_state[_STATE]["bad"].append(f"`{key}={raw}` ({reason})")


def _publish(key: str, text: str) -> None:
    if st.query_params.get(key) != text:
        st.query_params[key] = text


def _number(kind: type, lo: float, hi: float) -> Callable[[str], Any]:
    def parse(raw: str):
        try:
            value = kind(float(raw)) if kind is int and float(raw).is_integer() else kind(raw)
        except (TypeError, ValueError):
            raise ValueError("not a number") from None
        if not lo <= value <= hi:
            raise ValueError(f"outside {lo}–{hi}")
        return value
    return parse


def _text(value: Any) -> str:
    """How a value is written in the URL: numbers in their shortest form (0.03, 1e-05, 10), to 15 digits (a slide's
    −2.676808 stays whole; a slider's 0.30000000000000004 is 0.3)."""
    return f"{value:.15g}" if isinstance(value, float) else str(value)


def _choice(options: Sequence) -> Callable[[str], Any]:
    by_text = {_text(o): o for o in options}

    def parse(raw: str):
        if raw not in by_text:
            raise ValueError("not one of " + ", ".join(by_text))
        return by_text[raw]
    return parse


def _flag(raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError("not true/false")


def slider(label: str, lo: float, hi: float, value: float, step: float | None = None, *, key: str, **kw) -> Any:
    """st.slider over [lo, hi] (int or float, following `value`), bound to the URL."""
    bind = _check(key, _number(type(value), lo, hi))
    return st.slider(label, lo, hi, value, step=step, key=key, bind=bind, **kw)


def choice(widget: Callable, label: str, options: Sequence, value: Any = None, *, key: str, **kw) -> Any:
    """A one-of-many widget (st.radio, st.selectbox, st.segmented_control, st.select_slider) in the URL: bound by
    Streamlit when the URL can carry each option as it is, else written here."""
    options = list(options)
    if st.session_state.get(key, options[0]) not in options:  # the same key on another page, with other options
        del st.session_state[key]
    default = options[0] if value is None else value
    if "format_func" in kw or any(_text(o) != str(o) for o in options):  # the URL would carry labels, not options
        _bind(key, default, _choice(options))
        if widget is st.segmented_control:
            kw.setdefault("required", True)
        v = widget(label, options, key=key, **kw)
        _publish(key, _text(v))
        return v
    bind = _check(key, _choice(options))
    if widget is st.segmented_control:
        kw.update(required=True, default=default)
    elif widget is st.select_slider:
        kw.update(value=default)
    else:
        kw.update(index=options.index(default))
    return widget(label, options, key=key, bind=bind, **kw)


def toggle(label: str, value: bool = False, *, key: str, **kw) -> bool:
    """st.toggle shared through the URL as 1/0."""
    return _switch(st.toggle, label, value, key, **kw)


def checkbox(label: str, value: bool = False, *, key: str, **kw) -> bool:
    """st.checkbox shared through the URL as 1/0."""
    return _switch(st.checkbox, label, value, key, **kw)


def _switch(widget: Callable, label: str, value: bool, key: str, **kw) -> bool:
    _bind(key, value, _flag)
    v = widget(label, key=key, **kw)
    _publish(key, "1" if v else "0")
    return v


def value(key: str, default: Any, parse: Callable[[str], Any], text: Callable[[Any], str] = str) -> Any:
    """State that no single widget holds (a list of layer widths, say), shared through the URL like a control's."""
    _bind(key, default, parse)
    _publish(key, text(st.session_state[key]))
    return st.session_state[key]


def optional(key: str, parse: Callable[[str], Any]) -> Any:
    """State that may be absent (lecture mode's stop): None by default, and in the URL only while it is set."""
    _bind(key, None, parse)
    if st.session_state[key] is None:
        st.query_params.pop(key, None)
    else:
        _publish(key, str(st.session_state[key]))
    return st.session_state[key]


URL_TEXT_LIMIT = 600  # characters of typed text a link carries; longer text stays in the session only


def text(widget: Callable, label: str, value: str = "", *, key: str, **kw) -> str:
    """st.text_input or st.text_area, its text in the URL while it is short enough to share as a link."""
    def parse(raw: str) -> str:
        if len(raw) > URL_TEXT_LIMIT:
            raise ValueError(f"longer than {URL_TEXT_LIMIT} characters")
        return raw
    _bind(key, value, parse)
    v = widget(label, key=key, **kw)
    if len(v) <= URL_TEXT_LIMIT:
        _publish(key, v)
    elif key in st.query_params:
        del st.query_params[key]
    return v
