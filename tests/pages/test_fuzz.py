"""No traceback, ever: every section of every page, driven with odd input in AppTest, shows no exception.

The sections are read from core.lecture.SEGMENTS, so a new section is covered as soon as it is listed. Each section is
opened once per kind of odd input, all of its controls changed together at each step:
- url-*: every URL parameter the section publishes (every control's key; `section` stays, it picks the section) set
  to empty text, `nan`, `1e309`, `-99999` or 300 characters of markup, on opening;
- sliders: every slider and select slider at its first value, then at its last;
- texts: every text field given, in turn, empty text, one word, punctuation only, emoji and non-Latin script,
  3,000 words and digits;
- buttons: every button pressed once, but for the two in LONG, which run for minutes in AppTest (where no next click
  cuts them short) and are pressed by their sections' own tests with small settings.
Only controls a student could change are driven (disabled ones are left alone); a kind with nothing to drive in a
section is skipped. Choices (select boxes, radios, toggles and the like) get their odd values through the URL, where
anything can be typed. Components (the Playground's live loop) and file uploaders cannot be driven in AppTest, and
download buttons only hand out a file: they are left out.
"""
from functools import cache

import pytest
import streamlit as st
from streamlit.runtime.state.common import TESTING_KEY
from streamlit.testing.v1 import AppTest

from core.lecture import SEGMENTS, Section, Segment
from tests.pages import apptest

URL_VALUES = {"empty": "", "nan": "nan", "1e309": "1e309", "-99999": "-99999",
              "markup": ('<script>alert("x")</script><b>bold</b><img src=x onerror=alert(1)>' * 5)[:300]}
TEXTS = {"empty": "", "one word": "Kilimanjaro", "punctuation": "?!… — ,.;:()«»",
         "emoji and script": "🍕🤖 猫が好き кошка مرحبا",
         "3,000 words": " ".join(["word", "Kilimanjaro", "is", "high"] * 750), "digits": "0 1 2 3 42 3141592653589793"}
LONG = {"train_go": "trains a CNN for 3,600 steps by default (test_cnns_training.py trains 20)",
        "conv_play": "plays the filter over every position, a minute of frames (test_cnns_convolution.py plays 49)"}
SECTIONS = [(segment, section) for segment in SEGMENTS for section in segment.sections]


def _name(section: Section) -> str:
    return section.module.removeprefix("core.").replace(".ui.", ".")


@cache
def _url_parameters(page: str, title: str) -> list[str]:
    """The URL parameters a section reads when it opens: every control's key (those Streamlit binds to the URL, and
    those written by hand)."""
    at = apptest.open_page(page, title)
    return sorted((set(at.query_params) | apptest.bound_keys(at)) - {"section"})


def _enabled(widgets) -> list:
    return [w for w in widgets if not w.disabled]


def _sliders_to(at: AppTest, end: str) -> int:
    """Every slider and select slider at its first (`min`) or last (`max`) value; how many."""
    sliders, selects = _enabled(at.slider), _enabled(at.select_slider)
    for s in sliders:
        s.set_value(s.min if end == "min" else s.max)
    for s in selects:  # AppTest knows its options only as shown: send that text as it is, not formatted again
        at.session_state[TESTING_KEY][s.id] = str
        s.set_value(s.options[0 if end == "min" else -1])
    return len(sliders) + len(selects)


def _texts_to(at: AppTest, name: str) -> int:
    """Every text field given the odd text `name`; how many."""
    fields = _enabled([*at.text_input, *at.text_area])
    for field in fields:
        field.input(TEXTS[name])
    return len(fields)


def _buttons_pressed(at: AppTest, _: str) -> int:
    """Every button pressed once, but those in LONG; how many."""
    buttons = [b for b in _enabled(at.button) if b.key not in LONG]
    for b in buttons:
        b.click()
    return len(buttons)


DRIVE = {"sliders": (_sliders_to, ["min", "max"]), "texts": (_texts_to, list(TEXTS)),
         "buttons": (_buttons_pressed, ["once"])}  # how, and the steps in turn
KINDS = [*(f"url-{v}" for v in URL_VALUES), *DRIVE]


def _no_exception(at: AppTest, step: str) -> None:
    assert not at.exception, f"{step}:\n" + "\n".join(e.value for e in at.exception)


@pytest.fixture(scope="module", autouse=True)
def fresh_server_afterwards():
    """Its buttons train and compute for the whole server (the memory task at every distance, say): the tests after
    it expect a server that has done none of that."""
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("segment, section", SECTIONS, ids=[_name(s) for _, s in SECTIONS])
def test_odd_input_shows_a_message_never_a_traceback(segment: Segment, section: Section, kind: str):
    page, title = segment.url_path, section.title
    if kind not in DRIVE:
        odd = URL_VALUES[kind.removeprefix("url-")]
        _no_exception(apptest.open_page(page, title, **dict.fromkeys(_url_parameters(page, title), odd)), kind)
        return
    at = apptest.open_page(page, title)
    drive, steps = DRIVE[kind]
    for step in steps:
        if not drive(at, step) and step == steps[0]:
            pytest.skip(f"no {kind} to drive in this section")
        at.run()
        _no_exception(at, f"{kind}: {step}")
