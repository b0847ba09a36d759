"""Benchmark the Playground's browser engine in Node: ms per step, as the page spends it on every animation frame.

Run from anywhere:  .venv/bin/python tests/bench/bench_playground_browser.py [--repeats 200]

One step = one epoch of mini-batch SGD over 250 training points (batch 10, float64) + the training and test loss +
every neuron's 100×100 heat map (the WebAssembly pass, float32), which is what TensorFlow Playground's own engine was
timed doing on this machine. Not a test: it prints the median against the goal (5× faster than TensorFlow
Playground) and never fails on it; beside it, Node's CPU time per step (all its threads, V8's compiler and garbage
collector too), which other people's jobs on the shared cores inflate less than the clock, and the load average
before and after.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.feed_forward import playground as pg  # noqa: E402
from core.feed_forward.ui import playground_live as live  # noqa: E402
from core.plots import NORMAL  # noqa: E402

TF_PLAYGROUND_MS = {"defaults: x1, x2; hidden 4-2; tanh": 4.7, "7 features; hidden 8 × 6; tanh": 46.0}
CASES = {"defaults: x1, x2; hidden 4-2; tanh": pg.PlaygroundConfig(),
         "7 features; hidden 8 × 6; tanh": pg.PlaygroundConfig(features=pg.FEATURES, hidden=(8,) * 6)}
RUNNER = """
import { readFileSync } from "node:fs";
const { data, repeats } = JSON.parse(readFileSync(0, "utf8"));
const engine = playgroundEngine(data), times = [];
let cpu = null;
for (let r = 0; r < repeats + 20; r++) {
  if (r === 20) cpu = process.cpuUsage();  // after 20 steps of warm-up for V8's compiler
  const begun = performance.now();
  engine.step();
  engine.maps();
  if (r >= 20) times.push(performance.now() - begun);
}
const { user, system } = process.cpuUsage(cpu);
times.sort((a, b) => a - b);
console.log(JSON.stringify({ median: times[times.length >> 1], cpu: (user + system) / 1000 / repeats }));
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    repeats = parser.parse_args().repeats
    node = shutil.which("node") or sys.exit("node is missing: install Debian's nodejs")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Node {version}, load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores, {repeats} steps each")
    print(f"{'case':36s} {'ms/step':>8s} {'CPU ms':>7s} {'TF Playground':>14s} {'goal (1/5)':>11s} {'faster':>7s}")
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "bench.mjs"
        script.write_text(live.engine_script() + RUNNER)
        for name, config in CASES.items():
            points = pg.toy_data(config)
            start = pg.Network.create(config, points[1])
            data = live.data("bench", start, points, config, NORMAL, None, show_test=False, discretize=False)
            done = subprocess.run([node, str(script)], input=json.dumps({"data": data, "repeats": repeats}),
                                  capture_output=True, text=True, check=True)
            got, theirs = json.loads(done.stdout), TF_PLAYGROUND_MS[name]
            ms = got["median"]
            print(f"{name:36s} {ms:8.3f} {got['cpu']:7.3f} {theirs:11.1f} ms {theirs / 5:8.2f} ms {theirs / ms:6.1f}×")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
