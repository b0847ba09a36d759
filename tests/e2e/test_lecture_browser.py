"""The whole lecture walked with the keyboard, in projector mode, from the first stop to the last: no exception at any
stop, and a screenshot of each at 1280×720 (tests/artifacts/screenshots/lecture-NN.png); then one stop or more of each
part at 1920×1080 (lecture-1080p-NN.png, and .view.png for what the projector shows without scrolling). The seconds
each stop took to appear after "next" go to tests/artifacts/lecture-walk.json. The presenter's clock ticks in the
browser, with no script run."""
import json
import re

from core import lecture
from tests.browser import next_stop
from tests.e2e.conftest import ARTIFACTS, COUNT_RUNS

FULL_HD_STOPS = ("CNNs, RNNs, GANs et al.", "Features, and learning them", "Which data set is hard?",
                 "Scaled outputs of each neuron, bias −2.676808", "Tinker with a neural network",
                 "What has the network learned?", "Patterns in different positions of a sequence",
                 "Discriminative vs generative", "Out of distribution: time", "Summary – 4")


def test_walk_the_whole_lecture_with_the_keyboard_in_projector_mode(app):
    app.page.set_viewport_size({"width": 1280, "height": 720})
    app.open("lecture", lecture="1", projector="1")
    seconds = {}
    for number, stop in enumerate(lecture.STOPS, 1):
        app.assert_no_exception()
        assert app.page.locator("[data-testid='stSidebar']").get_by_text(
            f"Stop {number} of {len(lecture.STOPS)}").count() == 1
        assert app.page.locator("[data-testid='stSidebar'] .st-key-projector input[type='checkbox']").is_checked()
        if stop.section:  # the section chosen (its first is left out of the address, as a default)
            active = app.page.locator(".st-key-section button[aria-checked='true']")
            assert active.inner_text().strip() == stop.section
        else:
            assert app.page.locator("h1").first.inner_text() == stop.title
        app.screenshot(f"lecture-{number:02d}")
        if number < len(lecture.STOPS):
            seconds[number + 1] = next_stop(app.page, number)
    (ARTIFACTS / "lecture-walk.json").write_text(json.dumps(seconds, indent=1))


def test_lecture_and_projector_mode_at_full_hd(app):
    app.page.set_viewport_size({"width": 1920, "height": 1080})
    titles = [s.title for s in lecture.STOPS]
    for number in (titles.index(title) + 1 for title in FULL_HD_STOPS):
        stop = lecture.STOPS[number - 1]
        app.open(stop.url_path, **stop.params, lecture=str(number), projector="1")
        app.assert_no_exception()
        app.page.screenshot(path=str(app.screenshot(f"lecture-1080p-{number:02d}").with_suffix(".view.png")))


def _seconds(clock: str) -> int:
    minutes, seconds = re.search(r"(\d+):(\d\d) spent in this part", clock).groups()
    return 60 * int(minutes) + int(seconds)


def test_the_presenters_clock_ticks_without_a_rerun(app):
    number = next(n for n, s in enumerate(lecture.STOPS, 1) if s.part == "Reflections on Assignment 1")
    app.open("lecture", lecture=str(number))
    clock = app.page.locator(".st-key-lecture_clock .clock")
    first = clock.inner_text()
    app.page.evaluate(COUNT_RUNS)
    app.page.wait_for_timeout(3_200)
    later = clock.inner_text()
    assert later.endswith("of 2 min") and _seconds(later) - _seconds(first) >= 2, (first, later)
    assert app.page.evaluate("window.__runs") == 0
    assert "over" not in clock.get_attribute("class")


def test_a_reveal_sends_its_answer_only_when_the_lecturer_opens_it(app):
    number = next(n for n, s in enumerate(lecture.STOPS, 1) if s.title == "Discriminative vs generative")
    stop = lecture.STOPS[number - 1]
    app.open(stop.url_path, **stop.params, lecture=str(number), projector="1")
    answer = app.page.get_by_text(re.compile("Coin A is the fair one"))  # (the prior's slider says "coin A is…")
    assert answer.count() == 0  # not hidden on the page: not there at all
    app.page.get_by_text("Reveal what the section shows").click()
    app.wait_idle()
    answer.first.wait_for()
    app.assert_no_exception()
