"""The GANs section's 2-D GAN Lab in AppTest: it opens with its defaults, what it sends the browser for every
target and toggle, URL settings are honoured and bad ones named, what it makes of the state the browser sends back
on a pause or step (AppTest runs no JavaScript: the state is made here by core's torch GAN, which the browser's
engine agrees with, see tests/unit/test_gan2d_browser_engine.py), the presets set their learning rates, a diverged
run gets a message and a safe reset, and the student's own points (typed or uploaded, empty, unreadable, huge or
degenerate) are read or refused with a message. Play is tested in a real browser (tests/e2e/test_gan_lab_browser.py).

The image half (core.generative.ui.gan_images) has its own tests; here its section is replaced by a marker, so these tests
neither load nor train its checkpoints."""
import copy
import json

import numpy as np
import pytest
import torch
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


def sent(at: AppTest) -> dict:
    """The data the GAN Lab's component got on the last run."""
    (component,) = at.get("bidi_component")
    return json.loads(component.proto.json)


def browser_state(gan) -> dict:
    """A GAN's state as the browser's engine sends it: per network its layers, Adam's moments (per layer: the
    weight's two, then the bias's two, flattened) and step count; the iteration, the losses, whether it diverged."""
    def network(module, opt):
        linears = [m for m in module if isinstance(m, torch.nn.Linear)]
        moment = lambda param, name: opt.state[param][name].ravel().tolist() if opt.state.get(param) else \
            [0.0] * param.numel()  # noqa: E731
        return {"layers": [{"weight": m.weight.tolist(), "bias": m.bias.tolist()} for m in linears],
                "steps": int(opt.state[linears[0].weight]["step"]) if opt.state.get(linears[0].weight) else 0,
                "moments": [[moment(m.weight, "exp_avg"), moment(m.weight, "exp_avg_sq"), moment(m.bias, "exp_avg"),
                             moment(m.bias, "exp_avg_sq")] for m in linears]}
    return {"iteration": gan.iteration, "diverged": gan.diverged, "history": [list(row) for row in gan.history],
            "G": network(gan.G, gan.g_opt), "D": network(gan.D, gan.d_opt)}


def browser_sends(at: AppTest, iterations: int, **changes) -> AppTest:
    """What the browser does when the student steps or pauses after `iterations`: the run's GAN trained that far
    (by torch here), sent back as the component's snapshot (`changes` overwrite its fields)."""
    run = at.session_state["gan_run"]
    gan = copy.deepcopy(run.gan)
    gan.step(iterations)
    snapshot = {"run": run.id, **browser_state(gan), "rng": 12345, "measures": [], **changes}
    at.session_state["gan_live"] = {"snapshot": snapshot}
    return at.run()


def test_opens_with_the_defaults_every_view_and_the_image_half_below():
    at = open_page()
    assert not at.exception and not at.error
    assert at.selectbox(key="gan_target").value == "ring of 8 Gaussians"
    assert at.select_slider(key="gan_g_lr").value == 0.001 and at.select_slider(key="gan_d_lr").value == 0.001
    assert at.slider(key="gan_g_layers").value == 2 and at.slider(key="gan_d_layers").value == 3
    assert at.slider(key="gan_d_steps").value == 1
    assert "After 0 iterations" in text(at) and "modes covered **0 of 8**" in text(at)
    data, run = sent(at), at.session_state["gan_run"]
    assert data["run"] == run.id and data["resume"] is None and data["seed"] == 0
    assert data["settings"] == {"loss": "log", "batch": 256, "noiseDim": 4, "gLr": 0.001, "dLr": 0.001, "dSteps": 1}
    assert data["target"]["kind"] == "mixture" and len(data["target"]["means"]) == 2 * 8
    assert [len(layer["weight"]) for layer in data["start"]["D"]] == [64, 64, 64, 1]
    assert len(data["evalNoise"]) == 2000 * 4 and len(data["evalReal"]) == 2 * 500
    assert len(data["realHistogram"]) == 30 * 30 + 1 and data["view"] == {"showMap": True, "showReal": True,
                                                                          "showArrows": True}
    assert not at.get("image") and not at.get("vega_lite_chart")  # the browser draws them
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


def test_the_browsers_state_comes_to_python_and_back():
    at = open_page()
    run = at.session_state["gan_run"]
    browser_sends(at, 30)
    assert not at.exception and "After 30 iterations" in text(at)
    gan = at.session_state["gan_run"].gan
    assert gan.iteration == 30 and len(gan.history) == 30 and not gan.diverged
    snapshot = at.session_state["gan_live"]["snapshot"]
    np.testing.assert_array_equal(gan.D[0].weight.detach().numpy(), snapshot["D"]["layers"][0]["weight"])
    state = gan.d_opt.state[gan.D[0].weight]
    assert int(state["step"]) == 30 and np.allclose(state["exp_avg"].ravel(), snapshot["D"]["moments"][0][0])
    assert sent(at)["resume"] == snapshot and sent(at)["run"] == run.id  # the browser resumes from it
    gan.step(1)  # core's GAN goes on from the state taken in, Adam's moments included
    assert gan.iteration == 31 and np.isfinite(gan.history[-1][1:]).all()
    at.select_slider(key="gan_g_lr").set_value(0.003).run()  # learning rates change in place
    assert sent(at)["run"] == run.id and sent(at)["settings"]["gLr"] == 0.003
    assert at.session_state["gan_run"].gan.g_opt.param_groups[0]["lr"] == 0.003
    at.slider(key="gan_g_layers").set_value(3).run()  # the networks change: a new run
    assert "After 0 iterations" in text(at) and sent(at)["run"] != run.id and sent(at)["resume"] is None


def test_a_snapshot_of_an_older_run_is_ignored():
    at = open_page()
    browser_sends(at, 5, run="an older run")
    assert not at.exception and "After 0 iterations" in text(at)


@pytest.mark.parametrize("target", ["two moons", "grid of 9 Gaussians", "your points"])
def test_every_target_draws_and_steps(target):
    at = open_page(gan_target=target)
    assert not at.exception and not at.error
    assert sent(at)["target"]["kind"] == ("moons" if target == "two moons" else "mixture")
    browser_sends(at, 1)
    assert "After 1 iteration\n" in text(at) and not at.exception


def test_the_toggles_hide_the_layers_of_the_picture():
    at = open_page(gan_show_map="0", gan_show_real="0", gan_show_arrows="0", gan_loss="least squares")
    assert not at.exception
    assert sent(at)["view"] == {"showMap": False, "showReal": False, "showArrows": False}
    assert sent(at)["equilibrium"] == [0.25, 0.125]
    run = sent(at)["run"]
    at.checkbox(key="gan_show_map").check().run()
    assert not at.exception and sent(at)["view"]["showMap"] and sent(at)["run"] == run  # in place


@pytest.mark.parametrize("preset, g_lr", [("gan_preset_mode", 0.1), ("gan_preset_part", 0.03),
                                          ("gan_preset_defa", 0.001)])
def test_presets_set_their_learning_rates_from_a_fresh_ring(preset, g_lr):
    at = open_page(gan_target="two moons", gan_g_layers="1", gan_d_steps="4")
    browser_sends(at, 1)
    click(at, preset)
    assert not at.exception
    assert at.select_slider(key="gan_g_lr").value == g_lr and at.slider(key="gan_d_steps").value == 1
    assert at.selectbox(key="gan_target").value == "ring of 8 Gaussians" and at.slider(key="gan_g_layers").value == 2
    assert "After 0 iterations" in text(at)


def test_a_diverging_learning_rate_gets_a_message_and_a_safe_reset():
    at = open_page(gan_g_lr="1", gan_d_lr="1")
    run = at.session_state["gan_run"]
    browser_sends(at, 20)  # it blows up within a few iterations, and the browser sends its state then
    assert not at.exception and at.session_state["gan_run"].gan.diverged
    assert any("Training diverged" in e.value for e in at.error)
    click(at, "gan_safe_reset")
    assert not at.error and "After 0 iterations" in text(at) and sent(at)["run"] != run.id
    assert at.select_slider(key="gan_g_lr").value == 0.001 and at.select_slider(key="gan_d_lr").value == 0.001
    browser_sends(at, 1)
    assert "After 1 iteration\n" in text(at) and not at.error


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
        assert "iterations" not in text(at) and not at.get("bidi_component")  # no run without points
    else:
        browser_sends(at, 1)
        assert "After 1 iteration\n" in text(at)


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
    assert not at.exception and not at.error and sent(at)["style"]["projector"]
