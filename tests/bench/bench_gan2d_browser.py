"""Benchmark the 2-D GAN's browser engine in Node and in headless Chromium beside core's torch engine, in one run:
ms per iteration (the D steps, 256 real + 256 generated points each, then one G step) and ms per discriminator map
(64 × 64, what each picture needs), at the defaults and with 5 D steps.

Run from anywhere:  .venv/bin/python tests/bench/bench_gan2d_browser.py [--iterations 100] [--no-browser]

torch on one thread in float32, as the app trains on the server today; the browser engine in float64 with its
matrix products in WebAssembly SIMD (core/generative/ui/gan2d_products.wat). Not a test: it prints medians, the
load average before and after, and never fails on them.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.generative import gan2d  # noqa: E402
from core.generative.ui import gan2d_live as live  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

CASES = {"defaults (G 2 × 64, D 3 × 64)": gan2d.GanConfig(), "5 D steps per G step": gan2d.GanConfig(d_steps=5)}
POOL = 8  # batches of noise and of target points, drawn in turn
TIMING = """
const pool = (batches) => { let next = 0; const arrays = batches.map((b) => Float64Array.from(b));
  return () => arrays[next++ % arrays.length]; };
const sample = { noise: pool(noise), real: pool(real) }, engine = ganEngine(start, settings);
const median = (times) => times.sort((a, b) => a - b)[times.length >> 1];
const timed = (run) => { const begun = performance.now(); run(); return performance.now() - begun; };
for (let i = 0; i < 10; i++) { engine.iterate(sample); engine.discriminatorMap(); }  // warm-up for V8's compilers
const steps = [], maps = [];
for (let i = 0; i < iterations; i++) {
  steps.push(timed(() => engine.iterate(sample)));
  maps.push(timed(() => engine.discriminatorMap()));
}
return { step: median(steps), map: median(maps) };
"""
NODE = ('import { readFileSync } from "node:fs";\nconst { start, settings, noise, real, iterations } = '
        'JSON.parse(readFileSync(0, "utf8"));\nconsole.log(JSON.stringify((() => {' + TIMING + '})()));\n')
PAGE = "async ([module, { start, settings, noise, real, iterations }]) => {\n" \
       "const { ganEngine } = await import(URL.createObjectURL(new Blob([module], { type: 'text/javascript' })));\n" \
       + TIMING + "}"


def torch_ms(config: gan2d.GanConfig, iterations: int) -> tuple[float, float]:
    gan = gan2d.Gan(config)
    gan.step(10)
    steps, maps = [], []
    for _ in range(iterations):
        begun = time.perf_counter()
        gan.step(1)
        steps.append(time.perf_counter() - begun)
        begun = time.perf_counter()
        gan.discriminator_map(64)
        maps.append(time.perf_counter() - begun)
    return 1000 * statistics.median(steps), 1000 * statistics.median(maps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--no-browser", action="store_true", help="Node and torch only")
    args = parser.parse_args()
    iterations = args.iterations
    node = shutil.which("node") or sys.exit("node is missing: install Debian's nodejs")
    torch.set_num_threads(1)
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Node {version}, torch {torch.__version__} on 1 thread, load average {os.getloadavg()[0]:.2f}, "
          f"{os.cpu_count()} cores, {iterations} iterations each")
    print(f"{'case':32s} {'engine':24s} {'ms/iteration':>12s} {'iterations/s':>12s} {'ms/map':>7s}")
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bench.mjs"
        script.write_text(live.engine_script() + NODE)
        for name, config in CASES.items():
            gan, rng = gan2d.Gan(config), np.random.default_rng(0)
            noise = [rng.standard_normal(config.batch * config.noise_dim).tolist() for _ in range(POOL)]
            real = [gan2d.sample_target(config.target, config.batch, rng).astype(np.float64).ravel().tolist()
                    for _ in range(POOL)]
            payload = {"start": live.start_of(gan), "settings": live.settings_of(config), "noise": noise,
                       "real": real, "iterations": iterations}
            done = subprocess.run([node, str(script)], capture_output=True, text=True, check=True,
                                  input=json.dumps(payload))
            runs.append((name, payload, {"browser (Node, f64)": json.loads(done.stdout),
                                         "server (torch, f32)": torch_ms(config, iterations)}))
    if not args.no_browser:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page()
            for _, payload, results in runs:
                results["browser (Chromium, f64)"] = page.evaluate(PAGE, [live.engine_script(), payload])
            browser.close()
    for name, _, results in runs:
        for engine, got in results.items():
            step, picture = (got["step"], got["map"]) if isinstance(got, dict) else got
            print(f"{name:32s} {engine:24s} {step:12.2f} {1000 / step:12.0f} {picture:7.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
