"""The 2-D GAN Lab in a real browser: Play trains and draws in the page (the iteration counter advances, pictures
are drawn at a recorded rate) while the server runs no script; Pause stops it and brings the state (weights, Adam's
moments, iterations, losses) to Python, which the page then shows; +1,000 plays a thousand iterations and pauses;
and a click on the points canvas adds a point to the student's list.

Skipped while the image half's checkpoint (fashion_gan) is missing: the GANs section would train it first."""
import time

import pytest

from core import checkpoints
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.skipif(not checkpoints.exists("fashion_gan"),
                                reason="the GANs section would first train the missing fashion_gan checkpoint")
KEY = "gan_live"


def test_play_trains_in_the_browser_and_pause_brings_the_state_to_python(app):
    app.open("generative", section="GANs")
    app.assert_no_exception()
    assert app.counter("Iteration") == 0
    played = app.play(KEY, 5)
    done = app.counter("Iteration")
    (ARTIFACTS / "gan-lab-fps.txt").write_text(
        f"{played.fps:.1f} pictures per second over {played.seconds:.1f} s, {done / played.seconds:.0f} iterations "
        f"per second; {played.script_runs} script runs, server CPU {played.server_cpu:.2f} s\n")
    print(f"GAN Lab: {played.fps:.1f} pictures per second, {done / played.seconds:.0f} iterations per second, "
          f"server CPU {played.server_cpu:.2f} s")
    assert done > 20 and played.pictures >= 10
    assert played.script_runs == 0 and played.server_cpu < 0.1 * played.seconds  # the server is idle
    assert "Divergence estimate" in app.live(KEY).inner_text()
    app.screenshot("gan-lab-playing")
    app.live(KEY, "play").click()  # Pause
    stopped = app.counter("Iteration")
    app.page.get_by_text(f"After {stopped:,} iterations").wait_for()
    app.wait_idle()
    time.sleep(1)
    assert app.counter("Iteration") == stopped
    app.assert_no_exception()
    app.live(KEY, "forward").click()  # +1,000: plays on, then pauses by itself
    app.page.get_by_text(f"After {stopped + 1000:,} iterations").wait_for(timeout=120_000)
    assert app.counter("Iteration") == stopped + 1000
    app.screenshot("gan-lab-paused")
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
    plot.scroll_into_view_if_needed()  # the notes' questions above may push it below the fold, as a student scrolls
    box = plot.bounding_box()
    app.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the candidate at (0, 0)
    app.page.wait_for_function("() => document.querySelector('.st-key-gan_points textarea')?.value?.includes('0, 0')")
    app.wait_idle()
    lines = area.input_value().splitlines()
    assert lines == ["1, 1", "-1, -1", "0, 0"], lines
    app.assert_no_exception()
