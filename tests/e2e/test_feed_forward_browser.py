"""Every section of the Feed-forward networks page in a real browser, opened from its URL, as shown and in projector
mode: no exception, the section selected, its charts drawn. Screenshots land in tests/artifacts/screenshots/."""
import re

import pytest

SECTIONS = ("Neurons and non-linearity", "Sums of sigmoids", "Playground", "Gradient descent and SGD",
            "Backpropagation", "Overfitting and regularization")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@pytest.mark.parametrize("projector", [False, True], ids=["shown", "projector"])
@pytest.mark.parametrize("section", SECTIONS, ids=slug)
def test_every_feed_forward_section_renders_from_its_url(app, section, projector):
    app.open("feed_forward", section=section, **({"projector": "1"} if projector else {}))
    app.assert_no_exception()
    active = app.page.locator(".st-key-section button[aria-checked='true']")
    assert active.inner_text().strip() == section
    if section != "Playground":  # the Playground draws pictures, the other sections plotly charts
        app.page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(timeout=30_000)  # drawn after the run
    app.screenshot(f"feed-forward-{slug(section)}{'-projector' if projector else ''}")


def test_clicking_the_contour_map_moves_the_start(app):
    app.open("feed_forward", section="Gradient descent and SGD")
    before = app.page.url
    plot = app.page.locator(".st-key-gd_contour .nsewdrag").first  # plotly's plotting area
    box = plot.bounding_box()
    app.page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75)
    app.page.wait_for_function("u => location.href !== u", arg=before, timeout=30_000)
    app.wait_idle()
    app.assert_no_exception()
    params = dict(p.split("=") for p in app.page.url.split("?")[1].split("&"))
    assert float(params["gd_neuron_start_x"]) > 0 > float(params["gd_neuron_start_y"])  # lower right quarter
