"""Benchmark the GAN Lab's browser engine in Node against core/gan2d.py in torch: ms per training iteration.

Run from anywhere:  .venv/bin/python tests/bench/bench_gan_lab_browser.py [--iterations 40]

One iteration = the D steps (each a batch of 256 real and 256 generated points) and one G step, at the section's
defaults (G 2 × 64, D 3 × 64, 4-D noise) and with 5 D steps. Both are timed in the same run, torch on one thread
as the app runs it. Not a test: it prints figures, never fails on them.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core import gan2d  # noqa: E402
from core.generative.ui import gan_lab_live as live  # noqa: E402

CASES = {"defaults": gan2d.GanConfig(), "5 D steps per G step": gan2d.GanConfig(d_steps=5)}
RUNNER = """
import { readFileSync } from "node:fs";
const { start, settings, iterations } = JSON.parse(readFileSync(0, "utf8"));
const trainer = ganTrainer(start, sampler(0));
for (let i = 0; i < 10; i++) trainer.step(settings);  // warm-up for V8's compiler
const begun = performance.now();
for (let i = 0; i < iterations; i++) trainer.step(settings);
console.log(JSON.stringify({ ms: (performance.now() - begun) / iterations }));
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=40)
    iterations = parser.parse_args().iterations
    node = shutil.which("node") or sys.exit("node is missing: install Debian's nodejs")
    torch.set_num_threads(1)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, {iterations} iterations each")
    print(f"{'case':24s} {'Node ms/it':>10s} {'torch ms/it':>12s} {'Node / torch':>13s}")
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bench.mjs"
        script.write_text(live.engine_script() + RUNNER)
        for name, config in CASES.items():
            gan = gan2d.Gan(config)
            payload = {"start": live.start_of(gan), "settings": live.settings_of(config), "iterations": iterations}
            done = subprocess.run([node, str(script)], input=json.dumps(payload), capture_output=True, text=True,
                                  check=True)
            js = json.loads(done.stdout)["ms"]
            gan.step(10)
            begun = time.perf_counter()
            gan.step(iterations)
            ms = 1e3 * (time.perf_counter() - begun) / iterations
            print(f"{name:24s} {js:10.1f} {ms:12.1f} {js / ms:12.1f}×")


if __name__ == "__main__":
    main()
