"""The Playground in a real browser: Play trains live (the epoch counter advances, the pictures redraw at a
recorded rate), Pause stops it, and the page shows no exception."""
import time

from tests.e2e.conftest import ARTIFACTS


def test_play_trains_live_and_pause_stops(app):
    app.open("feed_forward", section="Playground")
    app.assert_no_exception()
    assert app.counter("Epoch") == 0
    seconds, redraws = app.play("pg_play", 4)
    fps = redraws / 2 / seconds  # each picture is the network and the output map
    (ARTIFACTS / "playground-fps.txt").write_text(f"{fps:.1f} pictures per second over {seconds:.1f} s\n")
    print(f"Playground: {fps:.1f} pictures per second")
    assert app.counter("Epoch") > 20 and redraws >= 8
    app.screenshot("playground-playing")
    app.page.locator(".st-key-pg_play button").click()
    app.wait_idle()
    stopped = app.counter("Epoch")
    time.sleep(1)
    assert app.counter("Epoch") == stopped
    app.assert_no_exception()
    app.page.get_by_text("Take it with you").wait_for(state="visible")
    app.screenshot("playground-paused")
