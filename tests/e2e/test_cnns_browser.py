"""Every section of the CNN page in a real browser, opened from its URL, as shown and in projector mode: no
exception, the section selected, its pictures and charts drawn. Screenshots land in tests/artifacts/screenshots/."""
import re

import pytest

SECTIONS = ("Convolution", "Layers of convolutions", "What has the network learned?", "Why a house, a dog, a train",
            "Classification", "Retrieval")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@pytest.mark.parametrize("projector", [False, True], ids=["shown", "projector"])
@pytest.mark.parametrize("section", SECTIONS, ids=slug)
def test_every_cnn_section_renders_from_its_url(app, section, projector):
    app.open("cnns", section=section, **({"projector": "1"} if projector else {}))
    app.assert_no_exception()
    active = app.page.locator(".st-key-section button[aria-checked='true']")
    assert active.inner_text().strip() == section
    app.page.locator("[data-testid='stMain'] [data-testid='stImage'] img, [data-testid='stPlotlyChart'] .main-svg"
                     ).first.wait_for(timeout=30_000)
    app.screenshot(f"cnns-{slug(section)}{'-projector' if projector else ''}")


def test_stepping_the_convolution_moves_the_filter(app):
    app.open("cnns", section="Convolution", conv_pos="1")
    app.page.locator(".st-key-conv_step button").click()
    app.page.wait_for_function("() => location.href.includes('conv_pos=2')", timeout=30_000)
    app.wait_idle()
    app.assert_no_exception()
