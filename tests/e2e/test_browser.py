"""What a person sees in a real browser: every page and Recap section renders without an exception, controls write
their value to the URL, projector mode switches on, and a broken upload is met with a message.

Screenshots land in tests/artifacts/screenshots/ (git-ignored); look at them after a run.
"""
import io
import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image

from core.lecture import SEGMENTS

SECTIONS = ("The toolkit perspective", "Features: hand-made vs learned", "Data A vs Data B")
ALERT = "[data-testid='stAlert'], [data-testid='stAlertContainer']"


def query(page) -> dict[str, str]:
    """The page's current query parameters (last value of each)."""
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_for_param(page, key: str, value: str, timeout_ms: int = 60_000) -> None:
    """Wait until the app has written key=value into the address bar."""
    page.wait_for_function("([k, v]) => new URLSearchParams(location.search).get(k) === v", arg=[key, value],
                           timeout=timeout_ms)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def option(page, key: str, label: str):
    """One option button of the segmented control with this key."""
    return page.locator(f".st-key-{key} button", has_text=label)


def truncated_jpeg() -> bytes:
    """A real JPEG of noise (so its scan data is large) cut off half-way: the header reads, the pixels do not."""
    buf = io.BytesIO()
    noise = np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    Image.fromarray(noise).save(buf, "JPEG", quality=90)
    data = buf.getvalue()
    return data[: len(data) // 2]


@pytest.mark.parametrize("segment", SEGMENTS, ids=lambda s: s.url_path)
def test_every_page_renders_with_nothing_fetched_from_elsewhere(app, segment):
    asked = []
    app.page.on("request", lambda r: asked.append(r.url))
    app.open(segment.url_path)
    app.assert_no_exception()
    app.page.locator("h1").first.wait_for(state="visible")
    app.screenshot(f"page-{segment.url_path}")
    server = urlparse(app.base).netloc
    assert [url for url in asked if urlparse(url).scheme not in ("data", "blob") and urlparse(url).netloc != server] == []


@pytest.mark.parametrize("section", SECTIONS, ids=slug)
def test_every_recap_section_renders_from_its_url(app, section):
    app.open("recap", section=section)
    app.assert_no_exception()
    active = app.page.locator(".st-key-section button[aria-checked='true']")
    assert active.inner_text().strip() == section
    app.screenshot(f"recap-{slug(section)}")


def test_clicking_a_section_switches_to_it_and_updates_the_url(app):
    app.open("recap")
    option(app.page, "section", "Data A vs Data B").click()
    wait_for_param(app.page, "section", "Data A vs Data B")
    app.wait_idle()
    app.assert_no_exception()
    app.page.locator(".st-key-ab_noise [data-testid='stSlider']").wait_for(state="visible")


def test_moving_the_noise_slider_updates_the_url(app):
    app.open("recap", section="Data A vs Data B")
    assert "ab_noise" not in query(app.page)  # at its default: Streamlit leaves it out of the address
    thumb = app.page.locator(".st-key-ab_noise [data-testid='stSlider']").get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowRight")  # one step of 0.05
    wait_for_param(app.page, "ab_noise", "0.15")
    app.wait_idle()
    app.assert_no_exception()
    assert "ab_noise=0.15" in app.page.url
    assert float(thumb.input_value()) == pytest.approx(0.15)
    app.screenshot("recap-data-a-vs-data-b-noise-0.15")


@pytest.mark.parametrize("section", [SECTIONS[0], SECTIONS[2]], ids=slug)
def test_projector_mode(app, section):
    app.open("recap", section=section)
    toggle = app.page.locator("[data-testid='stSidebar'] .st-key-projector")
    toggle.locator("label").first.click()
    wait_for_param(app.page, "projector", "1")
    app.wait_idle()
    app.assert_no_exception()
    assert toggle.locator("input[type='checkbox']").is_checked()
    app.screenshot(f"recap-{slug(section)}-projector")


def test_truncated_jpeg_upload_shows_a_message(app):
    app.open("recap", section=SECTIONS[0])
    option(app.page, "toolkit_source", "Upload").click()
    wait_for_param(app.page, "toolkit_source", "Upload")
    app.wait_idle()
    app.page.locator(".st-key-toolkit_upload input[type=file]").set_input_files(
        {"name": "holiday.jpg", "mimeType": "image/jpeg", "buffer": truncated_jpeg()})
    alert = app.page.locator(ALERT).filter(has_text="truncated or corrupt").first
    alert.wait_for(state="visible", timeout=60_000)
    app.wait_idle()
    app.assert_no_exception()
    alert.wait_for(state="visible")
    app.screenshot("recap-toolkit-upload-truncated-jpeg")


def test_lifted_data_b_renders_from_its_url(app):
    app.open("recap", section="Data A vs Data B", ab_lift="1")
    app.assert_no_exception()
    app.page.locator(".st-key-ab_lifted .scene3d canvas").wait_for(state="visible")
    app.screenshot("recap-data-a-vs-data-b-lifted")
