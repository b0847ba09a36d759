"""The 2-D GAN's browser engine (core/generative/ui/gan2d_engine.js) run in Node trains as core's torch engine does
in double precision: from the same start and the same samples (the noise and the target's points, recorded from
core's own run in the order it drew them), every weight of both networks after 20 iterations is equal within 1e-9,
both stop at the same iteration when training blows up, and the discriminator's map over the canvas agrees. The
GAN Lab's live engine (gan2d_view.js) samples from the run's seed: paused, sent as JSON and resumed, it ends where
the same run played straight through ends, and its measures at the start are core's."""
import numpy as np
import pytest
import torch

from core.generative import gan2d
from core.generative.ui import gan2d_live as live

pytestmark = pytest.mark.usefixtures("one_thread")
ITERATIONS = 20
RUNNER = """
import { readFileSync } from "node:fs";
const input = JSON.parse(readFileSync(0, "utf8"));
const queue = (batches) => { let next = 0; return () => Float64Array.from(batches[next++]); };
const sample = { noise: queue(input.noise), real: queue(input.real) };
const engine = ganEngine(input.start, input.settings);
for (let i = 0; i < input.iterations; i++) engine.iterate(sample);
console.log(JSON.stringify({ G: engine.weights(engine.G), D: engine.weights(engine.D), history: engine.history,
  diverged: engine.diverged, map: Array.from(engine.discriminatorMap()) }));
"""

CONFIGS = {
    "defaults, smaller batch": gan2d.GanConfig(batch=64),
    "least squares, 3 D steps, two moons": gan2d.GanConfig(target="two moons", loss="least squares", d_steps=3,
                                                         batch=32, g_layers=1, d_width=16, noise_dim=2),
    "grid, deep narrow G": gan2d.GanConfig(target="grid", g_lr=0.03, g_layers=4, g_width=8, d_layers=1, batch=40,
                                           seed=3),
    "mode collapse rates: blows up at iteration 16": gan2d.GanConfig(target="grid", g_lr=0.1, g_layers=4, g_width=8,
                                                                    d_layers=1, batch=40, seed=3),
}


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS)
def test_the_browser_engine_trains_as_torch_in_double_precision(config, node):
    gan = gan2d.Gan(config)
    gan.G.double()
    gan.D.double()
    start = live.start_of(gan)
    noise, real = [], []
    draw_noise, draw_real = gan._z, gan._real

    def recorded(draw, kept):
        def sample(n):
            batch = draw(n).double()
            kept.append(batch.numpy().ravel().tolist())
            return batch
        return sample

    gan._z, gan._real = recorded(draw_noise, noise), recorded(draw_real, real)
    gan.step(ITERATIONS)
    got = node(live.engine_script() + RUNNER, {"start": start, "settings": live.settings_of(config), "noise": noise,
                                               "real": real, "iterations": ITERATIONS})
    for net, name in ((gan.G, "G"), (gan.D, "D")):
        linears = [m for m in net if isinstance(m, torch.nn.Linear)]
        for layer, js in zip(linears, got[name], strict=True):
            np.testing.assert_allclose(js["weight"], layer.weight.detach().numpy(), rtol=0, atol=1e-9)
            np.testing.assert_allclose(js["bias"], layer.bias.detach().numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose([row[1:] for row in got["history"]], [row[1:] for row in gan.history], atol=1e-9)
    assert got["diverged"] == gan.diverged
    with torch.no_grad():  # the discriminator's map, in double precision (core's grid is float32: the same points)
        out = gan.D(torch.from_numpy(gan2d.grid(64)).double())[:, 0]
        expected = torch.sigmoid(out) if config.loss == "log" else out.clamp(0, 1)
    np.testing.assert_allclose(np.reshape(got["map"], (64, 64)), expected.nan_to_num(0.5).reshape(64, 64), atol=1e-9)


LIVE_RUNNER = """
import { readFileSync } from "node:fs";
const { data, iterations, pause } = JSON.parse(readFileSync(0, "utf8"));
const straight = ganLiveEngine(data, null);
for (let i = 0; i < iterations; i++) straight.step();
const paused = ganLiveEngine(data, null);
for (let i = 0; i < pause; i++) paused.step();
paused.measure();
const sent = JSON.parse(JSON.stringify({ run: data.run, ...paused.snapshot() }));  // to Python and back
const resumed = ganLiveEngine(data, sent);
for (let i = pause; i < iterations; i++) resumed.step();
const { js, covered } = ganLiveEngine(data, null).measure();
console.log(JSON.stringify({ straight: straight.snapshot(), resumed: resumed.snapshot(), js, covered }));
"""


@pytest.mark.parametrize("target", ["ring", "two moons"])
def test_the_browsers_run_is_seeded_and_resumes_from_its_snapshot(target, node):
    """The browser samples from the run's seed alone: a run paused, sent as JSON and resumed ends where the same run
    played straight through ends, weight for weight; and its measures at the start are core's."""
    from core.plots import NORMAL
    from core.ui import live_loop

    gan = gan2d.Gan(gan2d.GanConfig(target=target, batch=32, g_width=16, d_width=16, seed=4))
    data = live.data("a run", live.start_of(gan), gan, None, NORMAL,
                     {"showMap": True, "showReal": True, "showArrows": True})
    module = live_loop.script(live_loop.MULBERRY32, live_loop.LINE_CHART, live_loop.SCAFFOLD,
                              live_loop.wasm_bytes("GAN2D_PRODUCTS_WASM", live.PRODUCTS), live.ENGINE, live.VIEW)
    got = node(module + LIVE_RUNNER, {"data": data, "iterations": 12, "pause": 5})
    straight, resumed = got["straight"], got["resumed"]
    assert straight["iteration"] == resumed["iteration"] == 12 and straight["rng"] == resumed["rng"]
    assert straight["G"] == resumed["G"] and straight["D"] == resumed["D"] and straight["history"] == resumed["history"]
    assert straight["G"]["layers"] != data["start"]["G"]  # it trained
    snap = gan.snapshot()
    assert got["js"] == pytest.approx(snap.js, abs=0.01)
    assert got["covered"] == (None if snap.covered is None else snap.covered.tolist())
