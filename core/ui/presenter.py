"""Lecture mode: the notes delivered stop by stop (core.lecture.STOPS) from the sidebar.

`?lecture=17` opens stop 17: the sidebar shows the presenter panel (the counter, Previous and Next, the speaker
notes, the part's time budget and the time spent in it) and the page shows the stop's section in its preset. Next
switches to the next stop's page with its preset in the URL; the keys → and PageDown (what presentation clickers
send) go forward, ← and PageUp back. Questions of the class are asked first, their answers behind a Reveal, closed in
lecture mode and open on a plain visit; the notes' links are shown with the section that uses them.
"""
import time
from urllib.parse import quote, urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core import lecture
from core.ui import projector, url_state

KEY = "lecture"
_CLOCK = "_lecture_clock"  # per session: {part title: when the lecturer first reached it}
_KEYS_JS = """
const handlers = new WeakMap();
export default function ({ parentElement, setTriggerValue }) {
  const steps = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 };
  const onKey = (event) => {
    const step = steps[event.key];
    const target = event.composedPath()[0];
    if (!step || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey
        || target.closest?.("input, textarea, select, [role=slider], [contenteditable=true]")) return;
    event.preventDefault();
    setTriggerValue("step", step);
  };
  window.removeEventListener("keydown", handlers.get(parentElement));
  handlers.set(parentElement, onKey);
  window.addEventListener("keydown", onKey);
  return () => window.removeEventListener("keydown", onKey);
}
"""
_keys = st.components.v2.component("lecture_keys", js=_KEYS_JS)
_CLOCK_JS = """
const timers = new WeakMap();
export default function ({ parentElement, data }) {
  clearInterval(timers.get(parentElement));
  const shown = parentElement.querySelector(".clock");
  const since = performance.now() - data.spent * 1000;
  const tick = () => {
    const spent = Math.floor((performance.now() - since) / 1000);
    const clock = `${Math.floor(spent / 60)}:${String(spent % 60).padStart(2, "0")}`;
    shown.textContent = `${clock} spent in this part` + (data.minutes ? ` of ${data.minutes} min` : "");
    shown.classList.toggle("over", data.minutes !== null && spent >= data.minutes * 60);
  };
  tick();
  const timer = setInterval(tick, 1000);
  timers.set(parentElement, timer);
  return () => clearInterval(timer);
}
"""
_CLOCK_CSS = """
.clock { font-family: var(--st-font); font-size: 0.875rem; color: var(--st-gray-text-color); }
.clock.over { color: var(--st-orange-text-color); background: var(--st-orange-background-color); font-weight: 600;
              border-radius: var(--st-base-radius); padding: 0.1em 0.4em; }
"""
_clock = st.components.v2.component("lecture_clock", html='<span class="clock" role="timer"></span>', css=_CLOCK_CSS,
                                    js=_CLOCK_JS)  # ticks in the browser: no rerun per second
_ROOM = """<style>
[data-testid="stSidebarNav"], [data-testid="stSidebarNavSeparator"] { display: none; }
.stMainBlockContainer { padding-top: 2.5rem; }
</style>"""  # lecture mode: the speaker notes above the fold, the stop's content higher up on a 1280×720 projector


def _stop_number(raw: str) -> int:
    number = int(raw) if raw.isdigit() else 0
    if not 1 <= number <= len(lecture.STOPS):
        raise ValueError(f"not a stop from 1 to {len(lecture.STOPS)}")
    return number


def current() -> lecture.Stop | None:
    """The stop lecture mode is at, or None outside lecture mode."""
    number = st.session_state.get(KEY)
    return lecture.STOPS[number - 1] if number else None


def stop_link(number: int) -> str:
    """The relative link that opens stop `number` in lecture mode."""
    stop = lecture.STOPS[number - 1]
    return f"/{stop.url_path}?" + urlencode({**stop.params, KEY: number}, quote_via=quote)


def go(number: int) -> None:
    """Switch to stop `number`: its page, its section and preset, lecture mode kept."""
    stop = lecture.STOPS[number - 1]
    url_state.preset(stop.url_path, stop.params)
    st.session_state[KEY] = number
    params = {KEY: str(number)} | ({projector.KEY: "1"} if st.session_state.get(projector.KEY) else {})
    st.switch_page(stop.page, query_params=params)


def open_link_to(raw: str) -> None:
    """A bare address with `?lecture=N` (a shortened link): open stop N, if there is one."""
    try:
        go(_stop_number(raw))
    except ValueError:
        pass


def panel() -> None:
    """The sidebar's lecture controls: a Start button, or in lecture mode the presenter panel."""
    number = url_state.optional(KEY, _stop_number)
    if number is None:
        if st.button("Lecture mode", icon=":material/slideshow:", help="Walk the notes stop by stop from here."):
            go(1)
        return
    st.html(_ROOM)
    pressed = _keys(key="lecture_keys", on_step_change=lambda: None)
    step = pressed.step if pressed else None
    if step and 1 <= number + step <= len(lecture.STOPS):
        go(number + step)
    stop = lecture.STOPS[number - 1]
    st.markdown(f"**Stop {number} of {len(lecture.STOPS)}** · {stop.part}")
    back, forward = st.columns(2)
    if back.button("Previous", icon=":material/arrow_back:", disabled=number == 1, width="stretch", key="lecture_prev"):
        go(number - 1)
    if forward.button("Next", icon=":material/arrow_forward:", disabled=number == len(lecture.STOPS),
                      width="stretch", type="primary", key="lecture_next"):
        go(number + 1)
    st.caption("Keys: → or PageDown, ← or PageUp")
    _time(stop.part)
    st.markdown(f"**{stop.title}**\n\n" + "\n".join(f"- {note}" for note in stop.notes))
    if stop.question:
        st.markdown(f"*Ask:* {stop.question}")
    if st.button("Leave lecture mode", icon=":material/close:", key="lecture_leave"):
        st.session_state[KEY] = None
        st.rerun()


def _time(part: str) -> None:
    """The time spent since the lecturer reached the part, against its budget from the notes: a clock that the
    browser advances each second, in a warning colour once the budget is spent."""
    started = st.session_state.setdefault(_CLOCK, {}).setdefault(part, time.monotonic())
    _clock(key="lecture_clock", data={"spent": time.monotonic() - started,
                                      "minutes": lecture.PARTS_BY_TITLE[part].minutes})


def answer() -> DeltaGenerator | None:
    """Where a section answers a question the notes ask the class: on a plain visit, a container shown as it is; in
    lecture mode, a Reveal, closed at every stop, whose contents are made only once it is opened (None until then):
    the answer is not in the page before the question is asked, and the stop appears sooner."""
    number = st.session_state.get(KEY)
    if not number:
        return st.container()
    return projector.fold("Reveal what the section shows", key=f"reveal_{number}", icon=":material/visibility:")


def questions(page_file: str, section: str) -> None:
    """The notes' links for this section, and the class's questions, each with its answer behind a Reveal: in lecture
    mode the current stop's, the Reveal closed; on a plain visit those of every stop in this section, open."""
    stop = current()
    here = [s for s in lecture.STOPS if s.page == page_file and s.section == section]
    for s in ([stop] if stop in here else []) if stop else here:
        if s.links:
            st.caption("From the notes: " + " · ".join(lecture.link(name) for name in s.links))
        if s.question:
            st.markdown(f":material/help: **{s.question}**")
            with st.expander("Reveal", expanded=stop is None, icon=":material/visibility:"):
                st.markdown(s.answer)
