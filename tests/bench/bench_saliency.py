"""Benchmark the attribution maps: seconds per method for one photo on EfficientNet-Lite0 and one Fashion item.

Run from anywhere:  .venv/bin/python tests/bench/bench_saliency.py [--repeats 5]

Each figure is the wall time of `core.saliency.attribute` (weights refresh, Captum, the copy back to numpy) after
one warm-up call, median and best of the runs, with torch using every core but one, as the app does (`set_threads(spare=1)`).
The best run shows the cost with the cores to itself; the median, what other work on the machine made of it.
Not a test (machines here are shared and noisy): it prints figures against the goals and never fails on them.
Goals, for a 224×224 photo on a 2-core CPU: Saliency and Grad-CAM ≤ 0.3 s, Integrated Gradients (32 steps) and
Occlusion ≤ 3 s.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core import checkpoints, features, saliency  # noqa: E402
from core.data.images import fashion_mnist, photos  # noqa: E402
from core.device import describe, set_threads  # noqa: E402
from core.models.imagenet import efficientnet_lite0, to_input  # noqa: E402

GOALS = {"Saliency": 0.3, "Grad-CAM": 0.3, "Integrated Gradients": 3.0, "Occlusion": 3.0, "Guided Grad-CAM": 3.0}
EGYPTIAN_CAT = 285


def seconds(model: torch.nn.Module, x: torch.Tensor, target: int, method: str, repeats: int) -> list[float] | None:
    """Seconds for one attribution map, per run; None where the method does not apply to the model."""
    try:
        saliency.attribute(model, x, target, method)
    except saliency.MethodNotApplicable:
        return None
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        saliency.attribute(model, x, target, method)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    set_threads(spare=1)
    X, y = fashion_mnist(train=False)
    photo, item = to_input(photos()["chelsea"].image), features.as_batch(X[:1])
    cases = {
        "EfficientNet-Lite0, chelsea 224×224": (efficientnet_lite0(), photo, EGYPTIAN_CAT),
        "SmallCNN (fashion_cnn), 28×28 item": (checkpoints.load_model("fashion_cnn"), item, int(y[0])),
    }
    print(f"{describe()}; {repeats} runs")
    print(f"{'case':38s} {'method':22s} {'median s':>8s} {'best s':>7s} {'goal':>7s}")
    for case, (model, x, target) in cases.items():
        for method in saliency.METHODS:
            times = seconds(model, x, target, method, repeats)
            if times is None:
                print(f"{case:38s} {method:22s} {'n/a':>8s} {'':>7s} {'':>7s}  does not apply (no ReLU units)")
                continue
            median, goal = statistics.median(times), GOALS[method]
            verdict = "ok" if median <= goal else "SLOWER than goal"
            print(f"{case:38s} {method:22s} {median:8.3f} {min(times):7.3f} {'<= ' + format(goal, 'g'):>7s}  {verdict}")


if __name__ == "__main__":
    main()
