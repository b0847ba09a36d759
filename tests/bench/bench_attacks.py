"""Benchmark the adversarial attacks: FGSM and PGD-10 on one photo with EfficientNet-Lite0, the accuracy-vs-ε sweep
the page recomputes, and a step of adversarial training; with the shipped models' clean and robust accuracies.

Run from anywhere:  .venv/bin/python tests/bench/bench_attacks.py [--repeats 5] [--items 200] [--train-steps 40]

Each attack figure is the wall time of one `core.adversarial.attacks` call (the gradient steps and the final forward pass that
gives the adversarial image's logits) after one warm-up call, median and best of the runs, with torch using every
core but one, as the app does (`set_threads(spare=1)`). The best run shows the cost with the cores to itself; the
median, what other work on the machine made of it. Not a test (machines here are shared and noisy): it prints
figures against the goals and never fails on them.
Goals on a 2-core CPU: FGSM on one photo ≤ 0.1 s, PGD with 10 steps ≤ 1 s (EfficientNet-Lite0, 224×224); a full
test-set sweep precomputed, or ≤ 30 s with a progress bar; adversarial training ≤ ~10 min on one thread.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core import checkpoints, features
from core.adversarial import attacks  # noqa: E402
from core.data.images import fashion_mnist, photos  # noqa: E402
from core.device import describe, set_threads  # noqa: E402
from core.models.cnn import SmallCNN  # noqa: E402
from core.models.imagenet import efficientnet_lite0, to_input  # noqa: E402

EGYPTIAN_CAT = 285


def timed(f, repeats: int) -> list[float]:
    f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return times


def row(what: str, times: list[float], goal: float | None) -> None:
    med, best = statistics.median(times), min(times)
    verdict = "" if goal is None else ("meets" if best <= goal else "misses") + f" {goal:g} s (best run)"
    print(f"{what:46s} {med:8.3f} {best:8.3f}   {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--items", type=int, default=200, help="test items in the timed sweep (the page's default)")
    parser.add_argument("--train-steps", type=int, default=40, help="adversarial training steps timed (1 thread)")
    args = parser.parse_args()
    set_threads(spare=1)
    print(f"{describe()}; {args.repeats} runs")
    print(f"{'case':46s} {'median s':>8s} {'best s':>8s}")

    lite0 = efficientnet_lite0()
    net = attacks.pixel_model(lite0)
    x = attacks.to_pixels(lite0, to_input(photos()["chelsea"].image))
    row("Lite0, chelsea 224×224: FGSM ε = 2/255", timed(lambda: attacks.fgsm(net, x, EGYPTIAN_CAT, 2 / 255),
                                                         args.repeats), 0.1)
    row("Lite0, chelsea 224×224: PGD, 10 steps", timed(lambda: attacks.pgd(net, x, EGYPTIAN_CAT, 2 / 255, 10),
                                                        args.repeats), 1.0)
    with torch.no_grad():
        row("Lite0: one forward pass (for scale)", timed(lambda: net(x), args.repeats), None)

    X, y = fashion_mnist(train=False)
    X, y = features.as_batch(X), torch.tensor(y)
    sub = attacks.sweep_items(len(X), args.items)
    total = 0.0
    for name in ("fashion_cnn", "fashion_cnn_adversarial"):  # as the page's Recompute does: a frozen, channels-last copy
        model = checkpoints.load_model(name).cpu().requires_grad_(False).to(memory_format=torch.channels_last)
        start = time.perf_counter()
        attacks.sweep(model, X[sub], y[sub])
        seconds = time.perf_counter() - start
        total += seconds
        print(f"sweep, {name}, {len(sub):,} items, 7 ε × (FGSM + PGD-10): {seconds:6.1f} s"
              f" (all 10,000: about {seconds * len(X) / len(sub):.0f} s)")
    print(f"the page's Recompute, both models, {len(sub):,} items: {total:.1f} s "
          f"({'meets' if total <= 30 else 'misses'} 30 s)")

    torch.set_num_threads(1)
    Xtr, ytr = fashion_mnist(train=True)
    Xtr, ytr = features.as_batch(Xtr[:10_000]), torch.tensor(ytr[:10_000])
    torch.manual_seed(0)
    model = SmallCNN().to(memory_format=torch.channels_last)
    start = time.perf_counter()
    attacks.adversarial_fit(model, Xtr, ytr, steps=args.train_steps)
    per_step = (time.perf_counter() - start) / args.train_steps
    steps = 1800  # the fashion_cnn_adversarial recipe
    print(f"adversarial training, 1 thread: {per_step:.3f} s/step → {steps} steps ≈ {per_step * steps / 60:.1f} min")

    entry = checkpoints.read_manifest()["fashion_cnn_adversarial"].metrics
    plain = checkpoints.read_manifest()["fashion_cnn"].metrics
    curves = entry["curves"]
    at = curves["epsilons"].index(entry["train_eps"])
    print(f"\nshipped, measured when built ({curves['items']['fashion']}; clean accuracy on all 10,000):")
    for name, clean in (("fashion_cnn", plain["test_accuracy"]), ("fashion_cnn_adversarial", entry["test_accuracy"])):
        c = curves[name]
        print(f"  {name:24s} clean {clean:.2%}  ε = {entry['train_eps']:g}: FGSM {c['FGSM'][at]:.2%}, "
              f"PGD-10 {c['PGD'][at]:.2%}")


if __name__ == "__main__":
    main()
