"""The Playground in a real browser: Play trains live (the epoch counter advances, the pictures redraw at a
recorded rate), Pause stops it, and the page shows no exception."""
import time

from tests.e2e.conftest import ARTIFACTS

COUNT_REDRAWS = """() => {
    window.__redraws = 0;
    new MutationObserver(ms => ms.forEach(m => { if (m.attributeName === 'src') window.__redraws++; }))
        .observe(document.body, {subtree: true, attributes: true, attributeFilter: ['src']});
}"""


def epoch(page) -> int:
    return int(page.locator("h3", has_text="Epoch").first.inner_text().split()[-1].replace(",", ""))


def test_play_trains_live_and_pause_stops(app):
    app.open("feed_forward", section="Playground")
    app.assert_no_exception()
    assert epoch(app.page) == 0
    app.page.evaluate(COUNT_REDRAWS)
    app.page.locator(".st-key-pg_play button").click()
    start = time.perf_counter()
    time.sleep(4)
    seconds, redraws = time.perf_counter() - start, app.page.evaluate("window.__redraws")
    fps = redraws / 2 / seconds  # each picture is the network and the output map
    (ARTIFACTS / "playground-fps.txt").write_text(f"{fps:.1f} pictures per second over {seconds:.1f} s\n")
    print(f"Playground: {fps:.1f} pictures per second")
    assert epoch(app.page) > 20 and redraws >= 8
    app.screenshot("playground-playing")
    app.page.locator(".st-key-pg_play button").click()
    app.wait_idle()
    stopped = epoch(app.page)
    time.sleep(1)
    assert epoch(app.page) == stopped
    app.assert_no_exception()
    app.page.get_by_text("Take it with you").wait_for(state="visible")
    app.screenshot("playground-paused")
