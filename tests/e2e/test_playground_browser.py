"""The Playground in a real browser: Play trains and draws in the page (the epoch counter advances, pictures are
drawn at a recorded rate) while the server stays idle; Pause stops it and brings the weights to Python, which
the details and the JSON export then show."""
import json
import time

import numpy as np

from core.feed_forward import playground as pg
from tests.e2e.conftest import ARTIFACTS

KEY = "pg_live"


def test_play_trains_in_the_browser_and_pause_brings_the_weights_to_python(app):
    app.open("feed_forward", section="Playground")
    app.assert_no_exception()
    assert app.counter("Epoch") == 0
    played = app.play(KEY, 4)
    (ARTIFACTS / "playground-fps.txt").write_text(
        f"{played.fps:.1f} pictures per second over {played.seconds:.1f} s; {played.script_runs} script runs, "
        f"server CPU {played.server_cpu:.2f} s\n")
    print(f"Playground: {played.fps:.1f} pictures per second, server CPU {played.server_cpu:.2f} s")
    assert app.counter("Epoch") > 20 and played.pictures >= 8
    assert played.script_runs == 0 and played.server_cpu < 0.1 * played.seconds  # the server is idle
    app.screenshot("playground-playing")
    app.live(KEY, "play").click()  # Pause
    stopped = app.counter("Epoch")
    app.page.get_by_text(f"After {stopped:,} epochs").wait_for()
    app.wait_idle()
    time.sleep(1)
    assert app.counter("Epoch") == stopped
    app.assert_no_exception()
    with app.page.expect_download() as download:
        app.page.get_by_text("Weights (JSON)").click()
    exported = json.loads(open(download.value.path()).read())
    config = pg.PlaygroundConfig()
    start = pg.Network.create(config, pg.toy_data(config)[1])
    assert not np.allclose(exported["weights"][0], start.weights[0])  # trained in the browser, now in Python
    assert f"{exported['biases'][-1][0]:+.3f}" in app.page.get_by_text("output neuron's bias").inner_text()
    app.screenshot("playground-paused")


def test_projector_mode_and_three_classes_play(app):
    app.open("feed_forward", section="Playground", projector="1", pg_data_class="spiral, 3 arms", pg_hidden="8,8,8",
             pg_f_x1x2="1", pg_f_sin_x1="1", pg_f_sin_x2="1", pg_show_test="1", pg_discretize="1")
    app.assert_no_exception()
    played = app.play(KEY, 3)
    print(f"Playground, 3 classes, projector: {played.fps:.1f} pictures per second")
    assert app.counter("Epoch") > 10 and played.pictures >= 5 and played.script_runs == 0
    app.screenshot("playground-projector-playing")
