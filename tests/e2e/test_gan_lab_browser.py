"""The 2-D GAN Lab in a real browser: Play trains live (the iteration counter advances, the picture redraws at a
recorded rate), Pause stops it, and a click on the points canvas adds a point to the student's list.

Skipped while the image half's checkpoint (fashion_gan) is missing: the GANs section would train it first."""
import time

import pytest

from core import checkpoints
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.skipif(not checkpoints.exists("fashion_gan"),
                                reason="the GANs section would first train the missing fashion_gan checkpoint")


def test_play_trains_live_and_pause_stops(app):
    app.open("generative", section="GANs")
    app.assert_no_exception()
    assert app.counter("Iteration") == 0
    seconds, redraws = app.play_on_server("gan_play", 5, pictures="gan_picture")  # the image GANs below redraw on reruns too
    done = app.counter("Iteration")
    fps = redraws / seconds  # one picture per frame: the canvas
    (ARTIFACTS / "gan-lab-fps.txt").write_text(f"{fps:.1f} pictures per second over {seconds:.1f} s, "
                                               f"{done / seconds:.0f} iterations per second\n")
    print(f"GAN Lab: {fps:.1f} pictures per second, {done / seconds:.0f} iterations per second")
    assert done > 20 and redraws >= 10
    app.screenshot("gan-lab-playing")
    app.page.locator(".st-key-gan_play button").click()
    app.page.locator(".st-key-gan_play button", has_text="Play").wait_for()
    app.wait_idle()
    stopped = app.counter("Iteration")
    time.sleep(1)
    assert app.counter("Iteration") == stopped
    app.assert_no_exception()


def test_a_click_on_the_canvas_adds_a_point(app):
    app.open("generative", section="GANs", gan_target="your points", gan_points="1, 1\n-1, -1")
    app.assert_no_exception()
    area = app.page.locator(".st-key-gan_points textarea")
    app.page.wait_for_function(  # the page may draw the text area a moment before its text
        "() => document.querySelector('.st-key-gan_points textarea')?.value === '1, 1\\n-1, -1'")
    plot = app.page.locator(".st-key-gan_canvas .nsewdrag").first
    plot.wait_for()
    app.wait_idle()
    box = plot.bounding_box()
    app.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the candidate at (0, 0)
    app.page.wait_for_function("() => document.querySelector('.st-key-gan_points textarea')?.value?.includes('0, 0')")
    app.wait_idle()
    lines = area.input_value().splitlines()
    assert lines == ["1, 1", "-1, -1", "0, 0"], lines
    app.assert_no_exception()
