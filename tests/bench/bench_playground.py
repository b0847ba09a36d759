"""Benchmark the Playground engine: ms per epoch, as the page spends it on every animation frame.

Run from anywhere:  .venv/bin/python tests/bench/bench_playground.py [--repeats 300]

One epoch = mini-batch SGD over 250 training points (batch 10) + every neuron's 100×100 heat map recomputed.
Not a test (machines here are shared and noisy): it prints the median against the goal and never fails on it.
The goal is a third of what TensorFlow Playground's own code measured on this kind of machine.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.feed_forward.playground import (  # noqa: E402
    FEATURES,
    Network,
    PlaygroundConfig,
    heatmaps,
    toy_data,
    train_epoch,
)

CASES = {  # name: (config, TF Playground's own ms per epoch, goal in ms)
    "(a) default: x1, x2; hidden 4-2; tanh": (PlaygroundConfig(), "6-9", 3.0),
    "(b) 7 features; hidden 8-8-8-8-8-8": (PlaygroundConfig(features=FEATURES, hidden=(8,) * 6), "60-80", 27.0),
}


def ms_per_epoch(config: PlaygroundConfig, repeats: int) -> float:
    """Median wall time of one epoch plus all heat maps, in ms."""
    X, y, _, _ = toy_data(config)  # 250 training points of the 500
    net, rng = Network.create(config, y), np.random.default_rng(0)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        train_epoch(net, X, y, config, rng)
        heatmaps(net, resolution=100)
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    repeats = parser.parse_args().repeats
    print(f"{'case':40s} {'ms/epoch':>9s} {'goal':>7s} {'TF Playground':>14s}")
    for name, (config, playground, goal) in CASES.items():
        ms = ms_per_epoch(config, repeats)
        verdict = "ok" if ms <= goal else "SLOWER than goal"
        print(f"{name:40s} {ms:9.2f} {'<= ' + format(goal, 'g'):>7s} {playground + ' ms':>14s}  {verdict}")


if __name__ == "__main__":
    main()
