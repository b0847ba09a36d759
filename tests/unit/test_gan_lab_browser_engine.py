"""The GAN Lab's browser engine (core/generative/ui/gan_lab_engine.js) run in Node agrees with core/gan2d.py run in
float64 by torch on the same batches (the browser's own random draws, recorded): both networks' weights after 50
iterations within 1e-12, and every iteration's two losses within a relative 1e-12.

Why 1e-12: the two sum the same products in another order (torch hands matrix products to a BLAS library) and their
exp, log1p and pow may differ in the last bit, so they start apart by about 1e-16; Adam divides each gradient by its
own running size, which can lift such differences where a gradient is near zero. The largest difference seen after
50 iterations is 4e-15 (the test prints it): 1e-12 leaves a factor of 200 for other machines, while a real
difference in the maths (a β, ε, a term of a loss, a slope) moves weights by 1e-6 or more within a few steps."""
import json

import numpy as np
import pytest
import torch

from core import gan2d
from core.generative.ui import gan_lab_live as live

ITERATIONS = 50
RUNNER = """
import { readFileSync } from "node:fs";
const input = JSON.parse(readFileSync(0, "utf8"));
const draw = sampler(input.seed), zs = [], reals = [];
const recorded = {
  noise: (n, dim) => { const z = draw.noise(n, dim); zs.push(Array.from(z)); return z; },
  target: (n, target) => { const x = draw.target(n, target); reals.push(Array.from(x)); return x; },
};
const trainer = ganTrainer(input.start, recorded), losses = [];
for (let i = 0; i < input.iterations; i++) losses.push(trainer.step(input.settings).slice(0, 2));
console.log(JSON.stringify({ generator: ganWeights(trainer.G), discriminator: ganWeights(trainer.D), losses, zs, reals }));
"""

CONFIGS = {
    "defaults: ring, log loss": gan2d.GanConfig(batch=64),
    "least squares, 2 D steps, fast G": gan2d.GanConfig(loss="least squares", d_steps=2, g_lr=0.01, batch=64),
    "two moons, narrow and deep": gan2d.GanConfig(target="two moons", g_layers=3, g_width=16, d_layers=4, d_width=8,
                                                  seed=3, batch=32),
    "grid, one wide layer each": gan2d.GanConfig(target="grid", g_layers=1, g_width=128, d_layers=1, d_width=128,
                                                 d_lr=3e-3, batch=32),
    "the student's points": gan2d.GanConfig(target="your points", noise_dim=2, batch=16),
}
POINTS = np.array([[1.0, 1.0], [-1.5, 0.5], [0.0, -2.0]])


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS)
def test_the_browser_engine_trains_as_torch_in_float64(config, node):
    gan = gan2d.Gan(config, POINTS if config.target == "your points" else None)
    got = node(live.engine_script() + RUNNER, {"start": live.start_of(gan), "seed": config.seed,
                                                "iterations": ITERATIONS, "settings": live.settings_of(config)})
    zs, reals = iter(got["zs"]), iter(got["reals"])
    gan.G.double()
    gan.D.double()
    gan._z = lambda n: torch.tensor(next(zs), dtype=torch.float64).reshape(n, config.noise_dim)
    gan._real = lambda n: torch.tensor(next(reals), dtype=torch.float64).reshape(n, 2)
    losses = gan.step(ITERATIONS)
    assert len(losses) == ITERATIONS and not gan.diverged
    worst = 0.0
    for net, layers in ((gan.G, got["generator"]), (gan.D, got["discriminator"])):
        for linear, layer in zip([m for m in net if isinstance(m, torch.nn.Linear)], layers):
            for torch_value, js_value in ((linear.weight, layer["weight"]), (linear.bias, layer["bias"])):
                difference = np.abs(torch_value.detach().numpy() - np.array(js_value)).max()
                worst = max(worst, difference)
    print(f"largest weight difference after {ITERATIONS} iterations: {worst:.1e}")
    assert worst < 1e-12
    np.testing.assert_allclose(got["losses"], losses, rtol=1e-12)
    assert json.dumps(got["losses"]) != json.dumps(got["losses"][:1] * ITERATIONS)  # it trained
