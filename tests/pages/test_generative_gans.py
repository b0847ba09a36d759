"""The GANs section's 2-D GAN Lab in AppTest: it opens with its defaults, every target and toggle draws, URL
settings are honoured and bad ones named, Step / +1,000 / Reset move the run, the presets set their learning
rates, a diverging learning rate gets a message and a reset, and the student's own points (typed or uploaded,
empty, unreadable, huge or degenerate) are read or refused with a message. Play is tested in a real browser
(tests/e2e/test_gan_lab_browser.py): its loop keeps a script run busy.

The image half (core.generative.ui.gan_images) has its own tests; here its section is replaced by a marker, so these tests
neither load nor train its checkpoints."""
import pytest
from streamlit.testing.v1 import AppTest

from core.generative.ui import gan_images
from tests.pages import apptest

MARKER = "(image GANs here)"


@pytest.fixture(autouse=True)
def image_half_stubbed(monkeypatch):
    import streamlit as st
    monkeypatch.setattr(gan_images, "section", lambda: st.caption(MARKER))


def open_page(**params) -> AppTest:
    return apptest.open_page("generative", "GANs", **params)


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.main.markdown)


def click(at: AppTest, key: str) -> AppTest:
    return at.button(key=key).click().run()


def test_opens_with_the_defaults_every_view_and_the_image_half_below():
    at = open_page()
    assert not at.exception and not at.error
    assert at.selectbox(key="gan_target").value == "ring of 8 Gaussians"
    assert at.select_slider(key="gan_g_lr").value == 0.001 and at.select_slider(key="gan_d_lr").value == 0.001
    assert at.slider(key="gan_g_layers").value == 2 and at.slider(key="gan_d_layers").value == 3
    assert at.slider(key="gan_d_steps").value == 1
    assert "Iteration 0" in text(at) and "modes covered **0 of 8**" in text(at)
    assert len(at.get("image")) == 1 and len(at.get("vega_lite_chart")) == 2
    assert "Mode collapse" in text(at) and "In 2-D: GAN Lab" in [h.value for h in at.subheader]
    assert at.main.caption[-1].value == MARKER  # gan_images.section() comes last
    assert "ignored" not in " ".join(i.value for i in at.info)


def test_url_settings_are_honoured():
    at = open_page(gan_target="two moons", gan_loss="least squares", gan_g_lr="0.01", gan_d_steps="3",
                   gan_g_width="16", gan_d_layers="1", gan_show_arrows="0", gan_seed="5")
    assert not at.exception and not at.error
    assert at.selectbox(key="gan_target").value == "two moons"
    assert at.segmented_control(key="gan_loss").value == "least squares"
    assert at.select_slider(key="gan_g_lr").value == 0.01 and at.slider(key="gan_d_steps").value == 3
    assert at.select_slider(key="gan_g_width").value == 16 and at.slider(key="gan_d_layers").value == 1
    assert not at.checkbox(key="gan_show_arrows").value
    assert "modes covered" not in text(at)  # two moons have no separate modes
    run = at.session_state["gan_run"]
    assert run.gan.config.loss == "least squares" and run.gan.config.seed == 5 and run.gan.config.g_width == 16


def test_out_of_range_url_settings_are_ignored_with_a_notice():
    at = open_page(gan_g_layers="9", gan_g_lr="42", gan_target="spiral", gan_seed="-1")
    assert not at.exception
    notice = " ".join(i.value for i in at.info)
    assert "Some settings in this link were ignored" in notice
    for bad in ("gan_g_layers=9", "gan_g_lr=42", "gan_target=spiral", "gan_seed=-1"):
        assert bad in notice
    assert at.slider(key="gan_g_layers").value == 2 and at.selectbox(key="gan_target").value == "ring of 8 Gaussians"


def test_step_fast_forward_and_reset():
    at = open_page()
    click(at, "gan_step")
    assert "Iteration 1\n" in text(at)
    click(at, "gan_forward")
    assert not at.exception and "Iteration 1,001" in text(at)
    covered = int(text(at).split("modes covered **")[1].split()[0])
    assert covered >= 4  # on its way to all 8 (the benchmark checks 8 within 5,000)
    at.select_slider(key="gan_g_lr").set_value(0.003).run()  # learning rates change in place
    assert "Iteration 1,001" in text(at) and at.session_state["gan_run"].gan.g_opt.param_groups[0]["lr"] == 0.003
    at.slider(key="gan_g_layers").set_value(3).run()  # the networks change: a new run
    assert "Iteration 0" in text(at)
    click(at, "gan_step")
    click(at, "gan_reset")
    assert "Iteration 0" in text(at) and not at.exception


@pytest.mark.parametrize("target", ["two moons", "grid of 9 Gaussians", "your points"])
def test_every_target_draws_and_steps(target):
    at = open_page(gan_target=target)
    assert not at.exception and not at.error
    click(at, "gan_step")
    assert "Iteration 1\n" in text(at) and len(at.get("image")) == 1


def test_the_toggles_hide_the_layers_of_the_picture():
    at = open_page(gan_show_map="0", gan_show_real="0", gan_show_arrows="0", gan_loss="least squares")
    assert not at.exception and len(at.get("image")) == 1
    at.checkbox(key="gan_show_map").check().run()
    assert not at.exception


@pytest.mark.parametrize("preset, g_lr", [("gan_preset_mode", 0.1), ("gan_preset_part", 0.03),
                                          ("gan_preset_defa", 0.001)])
def test_presets_set_their_learning_rates_from_a_fresh_ring(preset, g_lr):
    at = open_page(gan_target="two moons", gan_g_layers="1", gan_d_steps="4")
    click(at, "gan_step")
    click(at, preset)
    assert not at.exception
    assert at.select_slider(key="gan_g_lr").value == g_lr and at.slider(key="gan_d_steps").value == 1
    assert at.selectbox(key="gan_target").value == "ring of 8 Gaussians" and at.slider(key="gan_g_layers").value == 2
    assert "Iteration 0" in text(at)


def test_a_diverging_learning_rate_gets_a_message_and_a_safe_reset():
    at = open_page(gan_g_lr="1", gan_d_lr="1")
    for _ in range(5):  # it blows up within a few iterations; then Step is disabled
        if at.button(key="gan_step").disabled:
            break
        click(at, "gan_step")
    assert not at.exception
    assert any("Training diverged" in e.value for e in at.error)
    assert at.button(key="gan_play").disabled and at.button(key="gan_step").disabled
    click(at, "gan_safe_reset")
    assert not at.error and "Iteration 0" in text(at)
    assert at.select_slider(key="gan_g_lr").value == 0.001 and at.select_slider(key="gan_d_lr").value == 0.001
    click(at, "gan_step")
    assert "Iteration 1\n" in text(at) and not at.error


@pytest.mark.parametrize("points, kind, message", [
    ("", "error", "No points yet"),
    ("# nothing\n", "error", "No points yet"),
    ("1, 2\nhello\n", "error", "Line 2"),
    ("0.5, 0.5\n" * 30, "info", "same point"),
    ("\n".join(f"{t / 10}, {t / 20}" for t in range(-10, 11)), "info", "straight line"),
    ("10, 20\n30, 40\n50, 10\n", "info", "scaled"),
])
def test_the_students_points_are_checked(points, kind, message):
    at = open_page(gan_target="your points")
    at.text_area(key="gan_points").set_value(points).run()
    assert not at.exception
    shown = at.error if kind == "error" else at.info
    assert any(message in m.value for m in shown), [m.value for m in shown]
    if kind == "error":
        assert "Iteration" not in text(at)  # no run without points
    else:
        click(at, "gan_step")
        assert "Iteration 1\n" in text(at)


def test_points_from_the_url_and_clear():
    at = open_page(gan_target="your points", gan_points="1,1\n-1,-1\n1,-1")
    assert not at.exception and at.session_state["gan_run"].gan.points.shape == (3, 2)
    click(at, "gan_clear")
    assert any("No points yet" in e.value for e in at.error)


@pytest.mark.parametrize("data, kind, message", [
    (("x,y\n" + "0.1,0.2\n" * 6000).encode(), "info", "first 5,000"),
    ("x,y\n1,2\n3,4\n5,1\n".encode(), "info", "points.csv"),
    (b"x,y\n", "error", "No points yet"),
    (bytes(range(256)) * 4, "error", "UTF-8"),
])
def test_uploaded_points(data, kind, message):
    at = open_page(gan_target="your points")
    at.file_uploader(key="gan_csv").set_value(("points.csv", data, "text/csv")).run()
    assert not at.exception
    shown = at.error if kind == "error" else at.info
    assert any(message in m.value for m in shown), [m.value for m in shown]


def test_projector_mode():
    at = open_page(projector="1")
    assert not at.exception and not at.error and len(at.get("image")) == 1
