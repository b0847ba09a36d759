"""Every section of the generative-models page in a real browser, opened from its URL, as shown and in projector
mode: no exception, the section selected, its pictures and charts drawn. Screenshots land in tests/artifacts/screenshots/."""
import re

import pytest

SECTIONS = ("You just discriminated using a generative model", "Autoencoders", "Variational autoencoders")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@pytest.mark.parametrize("projector", [False, True], ids=["shown", "projector"])
@pytest.mark.parametrize("section", SECTIONS, ids=slug)
def test_every_generative_section_renders_from_its_url(app, section, projector):
    app.open("generative", section=section, **({"projector": "1"} if projector else {}))
    app.assert_no_exception()
    active = app.page.locator(".st-key-section button[aria-checked='true']")
    assert active.inner_text().strip() == section
    app.page.locator("[data-testid='stMain'] [data-testid='stImage'] img, [data-testid='stPlotlyChart'] .main-svg"
                     ).first.wait_for(timeout=60_000)
    app.screenshot(f"generative-{slug(section)}{'-projector' if projector else ''}")
