"""Lecture mode in AppTest: every stop's link renders without an exception or an ignored setting, the presenter panel
shows the counter, the speaker notes and the time budget, and a question's answer waits behind a closed Reveal."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from core import lecture
from tests.pages import apptest
from tests.pages.apptest import markdown, open_page


def open_stop(number: int, **extra):
    stop = lecture.STOPS[number - 1]
    return open_page(stop.url_path, **stop.params, lecture=str(number), **extra)


def reveal(at: AppTest, number: int) -> AppTest:
    """The lecturer opens the section's Reveal at stop `number`."""
    at.session_state[f"reveal_{number}"] = True
    return at.run()


def the_reveal(at: AppTest):
    return next(e for e in at.expander if e.label == "Reveal what the section shows")


@pytest.mark.parametrize("number", range(1, len(lecture.STOPS) + 1),
                         ids=[f"{n}-{s.title}" for n, s in enumerate(lecture.STOPS, 1)])
def test_every_stop_renders_in_its_preset(number):
    at = open_stop(number)
    assert not at.exception, [e.value for e in at.exception]
    assert not [i.value for i in at.info if "ignored" in i.value]
    stop = lecture.STOPS[number - 1]
    assert f"**Stop {number} of {len(lecture.STOPS)}**" in markdown(at)
    bound = apptest.bound_keys(at)  # the browser writes these into the address (a default is left out)
    for key, value in stop.params.items():
        if key in bound:
            shown = apptest.value_of(at, key)
            assert str(shown) == value or shown == pytest.approx(float(value))
        else:
            assert at.query_params[key] == value
    assert at.query_params["lecture"] == str(number)


def test_presenter_panel_shows_notes_and_time_budget():
    number = next(n for n, s in enumerate(lecture.STOPS, 1) if s.part == "Feed-forward networks")
    at = open_stop(number)
    panel = " ".join(m.value for m in at.sidebar.markdown)
    assert "Intuition for how this works." in panel
    assert at.sidebar.button(key="lecture_prev").disabled is False
    clock = _clock(at)
    assert clock["minutes"] == 20 and 0 <= clock["spent"] < 60


def _clock(at) -> dict:
    """What the presenter panel's clock was given: the seconds spent in the part so far and its budget."""
    (clock,) = [c for c in at.sidebar.get("bidi_component") if c.proto.component_name == "lecture_clock"]
    return json.loads(clock.proto.json)


def test_the_clock_counts_the_whole_part_across_its_stops():
    number = next(n for n, s in enumerate(lecture.STOPS, 1) if s.part == "Feed-forward networks")
    at = open_stop(number)
    # reached 1,500 s before the presenter's clock (time.monotonic, never negative) began: at least that is spent
    at.session_state["_lecture_clock"] = {"Feed-forward networks": -1500.0}
    at.session_state["lecture"] = number + 1  # as Next leaves it, the next stop being on the same page
    at.run()
    assert f"**Stop {number + 1} of" in markdown(at) and lecture.STOPS[number].part == "Feed-forward networks"
    assert _clock(at)["spent"] >= 1500 and _clock(at)["minutes"] == 20


def test_a_question_waits_behind_a_closed_reveal_in_lecture_mode_and_open_on_a_plain_visit():
    number = next(n for n, s in enumerate(lecture.STOPS, 1) if s.section == "Data A vs Data B")
    question = lecture.STOPS[number - 1].question
    at = open_stop(number)
    assert question in markdown(at)
    assert [e.proto.expanded for e in at.expander if e.label.startswith("Reveal")] == [False, False]
    assert not the_reveal(at).children  # the answer is not even sent before the lecturer reveals it
    assert "a straight line gets" in " ".join(m.value for m in the_reveal(reveal(at, number)).markdown)
    plain = open_page("recap", "Data A vs Data B")
    assert [e.proto.expanded for e in plain.expander if e.label.startswith("Reveal")] == [True]
    assert "a straight line gets" in markdown(plain)


def test_which_coin_is_fair_is_answered_behind_the_reveal():
    number = next(n for n, s in enumerate(lecture.STOPS, 1) if s.question.endswith("Which one is fair?"))
    at = open_stop(number)
    assert the_reveal(at).proto.expanded is False and not the_reveal(at).children
    assert "Coin A is the fair one" in the_reveal(reveal(at, number)).success[0].value


def test_a_text_stop_and_the_lecture_as_links():
    at = open_page("lecture", lecture="1")
    assert at.title[0].value == "CNNs, RNNs, GANs et al." and "Feed-forward networks (20 min)" in markdown(at)
    plain = open_page("lecture")
    assert f"lecture={len(lecture.STOPS)})" in markdown(plain)
    assert "Lecture mode" in [b.label for b in plain.sidebar.button]


def test_the_notes_links_are_shown_with_the_section_that_uses_them():
    number = next(n for n, s in enumerate(lecture.STOPS, 1) if "TensorFlow Playground" in s.links)
    at = open_stop(number)
    assert lecture.LINKS["TensorFlow Playground"] in " ".join(c.value for c in at.main.caption)


def test_a_bare_address_with_a_stop_opens_that_stop():
    at = AppTest.from_file(str(lecture.ROOT / "app.py"), default_timeout=180)
    at.query_params["lecture"] = "9"
    at.run()
    assert not at.exception and at.query_params["lecture"] == "9"
    assert apptest.value_of(at, "sig_c") == pytest.approx(-2.676808) and "**Stop 9 of" in markdown(at)


def _outside_reveals(block):
    """The elements of `block` that no Reveal hides."""
    for child in getattr(block, "children", {}).values():
        if getattr(child, "type", "") == "expander" and child.label.startswith("Reveal"):
            continue
        yield child
        yield from _outside_reveals(child)


def _texts(elements) -> str:
    return " ".join(str(getattr(e, "value", "")) + " " + str(getattr(e, "label", "")) for e in elements)


@pytest.mark.parametrize("title, answer", [
    ("Features, and learning them", "**learns** a hierarchy"),
    ("Linear and non-linear neurons", "non-linearity helps us fit more complicated data"),
    ("Out of distribution: time", "label flips"),
    ("Out of distribution: pose, colour, blur", "**plain CNN**:"),
    ("Discriminative vs generative", "You answered at once"),
    ("Generative adversarial networks", "fooling the classifier"),
])
def test_a_section_answers_its_question_only_behind_the_reveal(title, answer):
    number, stop = next((n, s) for n, s in enumerate(lecture.STOPS, 1) if s.title == title)
    at = open_stop(number)
    assert not at.exception and stop.question in markdown(at)
    assert the_reveal(at).proto.expanded is False and answer not in _texts(_outside_reveals(at.main))
    reveal(at, number)
    assert not at.exception and answer in _texts(_outside_reveals(the_reveal(at)))
    assert answer not in _texts(_outside_reveals(at.main))
    plain = open_page(stop.url_path, **stop.params)
    assert not plain.exception and answer in _texts(_outside_reveals(plain.main))
    assert not [e for e in plain.expander if e.label == "Reveal what the section shows"]
