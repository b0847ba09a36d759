"""Every section of the RNN page in a real browser, opened from its URL, as shown and in projector mode: no
exception, the section selected, its charts drawn; the recurrence stepped by clicks, and a one-word sentence read in
one step; the memory task trained by clicks. Screenshots land in tests/artifacts/screenshots/."""
import re

import pytest

SECTIONS = ("The recurrence, step by step", "Memorizing and forgetting", "Translation with attention",
            "Sentiment prediction")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@pytest.mark.parametrize("projector", [False, True], ids=["shown", "projector"])
@pytest.mark.parametrize("section", SECTIONS, ids=slug)
def test_every_rnn_section_renders_from_its_url(app, section, projector):
    app.open("rnns", section=section, **({"projector": "1"} if projector else {}))
    app.assert_no_exception()
    active = app.page.locator(".st-key-section button[aria-checked='true']")
    assert active.inner_text().strip() == section
    if section != "Memorizing and forgetting":  # which draws its charts once something is trained
        app.page.locator("[data-testid='stPlotlyChart'] .main-svg").first.wait_for(timeout=30_000)
    app.screenshot(f"rnns-{slug(section)}{'-projector' if projector else ''}")


def test_stepping_the_recurrence_moves_to_the_next_word(app):
    app.open("rnns", section=SECTIONS[0], rec_cell="LSTM", rec_step="2")
    app.page.locator(".st-key-rec_forward button").click()
    app.page.wait_for_function("() => location.href.includes('rec_step=3')", timeout=30_000)
    app.wait_idle()
    app.assert_no_exception()
    assert "Step 3: reading “hungry”" in app.page.locator("[data-testid='stMain'] h3").first.inner_text()


@pytest.mark.parametrize("projector", [False, True], ids=["shown", "projector"])
def test_a_one_word_sentence_is_read_in_one_step_without_a_slider(app, projector):
    app.open("rnns", section=SECTIONS[0], rec_text="Kilimanjaro", **({"projector": "1"} if projector else {}))
    app.assert_no_exception()
    assert "Step 1: reading “Kilimanjaro”" in app.page.locator("[data-testid='stMain'] h3").first.inner_text()
    assert not app.page.locator(".st-key-rec_step").count()
    app.page.get_by_text("One word, so one step").wait_for()
    app.screenshot(f"rnns-recurrence-one-word{'-projector' if projector else ''}")


def test_training_the_memory_task_draws_both_charts(app):
    app.open("rnns", section=SECTIONS[1], mem_distance="10")
    app.page.locator(".st-key-mem_train_one button").first.click()  # (the second is its help)
    app.page.locator("[data-testid='stMetric']").nth(2).wait_for(timeout=120_000)
    app.page.locator("[data-testid='stPlotlyChart']").nth(1).wait_for(timeout=120_000)  # drawn after the metrics
    app.wait_idle()
    app.assert_no_exception()
    assert app.page.locator("[data-testid='stPlotlyChart']").count() == 2
    app.screenshot("rnns-memorizing-and-forgetting-trained")
