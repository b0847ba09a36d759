"""The app and the Recap page in AppTest: every page and section renders; URL state round-trips; bad input is met
with a message."""
import sys

import pytest
from streamlit.testing.v1 import AppTest

from core import device
from core.lecture import ROOT, SEGMENTS
from tests.pages import apptest
from tests.samples import jpeg_cut_in_half, png

SECTIONS = ("The toolkit perspective", "Features: hand-made vs learned", "Data A vs Data B")


def open_page(file="pages/recap.py", **params) -> AppTest:
    """Open the app (its first page is Recap), switch to `file` if another, with `params` in the URL."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at if file == SEGMENTS[0].file else at.switch_page(file).run()


def notices(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


@pytest.mark.parametrize("segment", SEGMENTS, ids=lambda s: s.url_path)
def test_every_page_renders_with_defaults(segment):
    at = open_page(segment.file)
    assert not at.exception
    assert at.title and not at.error
    assert "Running on" in at.sidebar.caption[0].value


def test_the_app_makes_students_threads_take_short_turns():
    default = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        open_page()
        assert sys.getswitchinterval() == pytest.approx(device.TURN_S)
    finally:
        sys.setswitchinterval(default)


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("source", ["Photo", "Fashion-MNIST item", "Handwritten digit"])
def test_every_section_renders_for_every_input(section, source):
    prefix = {SECTIONS[0]: "toolkit", SECTIONS[1]: "features"}.get(section)
    at = open_page(section=section, **({f"{prefix}_source": source} if prefix else {}))
    assert not at.exception and not at.error
    assert at.segmented_control(key="section").value == section
    assert "ignored" not in notices(at)


def test_url_parameters_set_the_controls_and_are_written_back():
    at = open_page(section="Data A vs Data B", ab_noise="0.3", ab_points="200", ab_lift="1", projector="1")
    assert not at.exception
    assert at.slider(key="ab_noise").value == pytest.approx(0.3)
    assert at.slider(key="ab_points").value == 200
    assert at.toggle(key="ab_lift").value and at.sidebar.toggle(key="projector").value
    at.slider(key="ab_noise").set_value(0.45).run()
    assert at.slider(key="ab_noise").value == pytest.approx(0.45) and apptest.bound(at, "ab_noise")
    assert at.query_params["ab_lift"] == "1" and at.query_params["projector"] == "1"  # switches are written here


def test_bad_url_parameters_are_ignored_with_a_notice():
    at = open_page(section="No such section", ab_noise="9", toolkit_item_Fash="-4", colour="purple")
    assert not at.exception
    text = notices(at)
    assert "ignored" in text and "section=No such section" in text and "colour" in text
    assert at.segmented_control(key="section").value == SECTIONS[0]


def test_moving_a_control_changes_the_answer():
    at = open_page(toolkit_source="Fashion-MNIST item")
    first = at.main.markdown[-1].value
    at.slider(key="toolkit_item_Fash").set_value(1).run()
    assert not at.exception and at.main.markdown[-1].value != first


@pytest.mark.parametrize("name, data, message", [
    ("notes.txt", b"hello, this is not an image", "not an image"),
    ("cut.jpg", jpeg_cut_in_half(), "truncated or corrupt"),
    ("empty.png", b"", "empty"),
])
def test_bad_uploads_get_a_message_not_a_traceback(name, data, message):
    at = open_page(toolkit_source="Upload")
    at.file_uploader(key="toolkit_upload").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception
    assert any(message in e.value for e in at.error)


@pytest.mark.parametrize("mode", ["RGBA", "I;16", "L"])
@pytest.mark.parametrize("reader", ["ImageNet classifier", "Fashion-MNIST CNN", "Digit CNN"])
def test_unusual_uploads_are_converted_and_classified(mode, reader):
    at = open_page(toolkit_source="Upload", toolkit_reader=reader)
    at.file_uploader(key="toolkit_upload").set_value(("x.png", png(mode), "image/png")).run()
    assert not at.exception and not at.error
    assert "The model answers" in at.main.markdown[-1].value


def test_switching_sections_keeps_the_url_clean_without_a_notice():
    at = open_page(toolkit_source="Handwritten digit")
    at.segmented_control(key="section").set_value("Data A vs Data B").run()
    assert not at.exception and "ignored" not in notices(at)
    assert "toolkit_source" not in at.query_params and at.query_params["ab_lift"] == "0" and apptest.bound(at, "ab_noise")
