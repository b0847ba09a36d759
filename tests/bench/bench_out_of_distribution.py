"""Benchmark the out-of-distribution and physical-adversarial sections: sweep times and the accuracy-vs-severity
figures, the flicker of the time view, the EOT attack's time and its success rate against the plain attack's.

Run from anywhere:  .venv/bin/python tests/bench/bench_out_of_distribution.py [--items 10000] [--eot-items 20]

Not a test (machines here are shared and noisy): it prints figures and never fails on them. Torch uses every core but
one, as the app does (`set_threads(spare=1)`). Goals: a full test-set sweep precomputed (it is, in the manifest entry
of fashion_cnn_augmented; this measures what recomputing it costs), or ≤ 30 s with a progress bar (the page's live
sweeps: 500 items when the recorded curves do not fit the models, a tenth of --items 5000's time, and the six
photos).
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core import checkpoints, features
from core.adversarial import (
    attacks,  # noqa: E402
    physical,  # noqa: E402
)
from core.adversarial import out_of_distribution as ood  # noqa: E402
from core.data.images import fashion_mnist, photos  # noqa: E402
from core.device import describe, set_threads  # noqa: E402
from core.models.imagenet import efficientnet_lite0, to_input  # noqa: E402

PLAIN, AUGMENTED = "fashion_cnn", "fashion_cnn_augmented"


def timed(f, *args, **kw):
    start = time.perf_counter()
    out = f(*args, **kw)
    return out, time.perf_counter() - start


def sweeps(items: int) -> None:
    X, y = fashion_mnist(train=False)
    X, y = X[:items], y[:items]
    models = {PLAIN: checkpoints.load_model(PLAIN), AUGMENTED: checkpoints.load_model(AUGMENTED)}
    curves, seconds = timed(ood.sweep, models, X, y)
    passes = 1 + len(ood.GRAYSCALE) * (len(ood.SEVERITIES) - 1)
    print(f"\nFashion-MNIST sweep: {len(X):,} test items, {len(ood.GRAYSCALE)} changes × {len(ood.SEVERITIES) - 1} "
          f"severities + the clean pass = {passes} passes, both CNNs: {seconds:.1f} s")
    recorded = checkpoints.read_manifest()[AUGMENTED].metrics.get("ood_accuracy", {})
    print(f"{'change':12s} {'model':10s} " + " ".join(f"{s:>6g}" for s in ood.SEVERITIES) + "   (accuracy, %)")
    for t in ood.GRAYSCALE:
        for m in models:
            print(f"{t:12s} {('plain' if m == PLAIN else 'augmented'):10s} "
                  + " ".join(f"{100 * a:6.2f}" for a in curves[m][t]))
    if items >= 10_000 and recorded:
        worst = max(abs(a - b) for m in models for t in ood.GRAYSCALE for a, b in zip(curves[m][t], recorded[m][t]))
        print(f"largest difference to the recorded curves: {100 * worst:.2f} points")


def photo_sweep(net: torch.nn.Module) -> None:
    pm = attacks.pixel_model(net)
    x = torch.cat([attacks.to_pixels(net, to_input(photos()[n].image)) for n in ood.PHOTOS])
    start = time.perf_counter()
    with torch.no_grad():
        top = pm(x).argmax(1)
        kept = {t: [float((pm(ood.TRANSFORMS[t](x, ood.TRANSFORMS[t].amount(s))).argmax(1) == top).float().mean())
                    for s in ood.SEVERITIES[1:]] for t in ood.TRANSFORMS}
    print(f"\nImageNet sweep of {len(ood.PHOTOS)} photos × {len(ood.TRANSFORMS)} changes × "
          f"{len(ood.SEVERITIES) - 1} severities: {time.perf_counter() - start:.1f} s; "
          "top class kept (share of photos):")
    for t, k in kept.items():
        print(f"  {t:12s} " + " ".join(f"{v:5.2f}" for v in k))


def flicker(net: torch.nn.Module, frames: int = 30, pan: float = 0.3, shake: float = 0.02, items: int = 50) -> None:
    X, _ = fashion_mnist(train=False)
    models = {PLAIN: checkpoints.load_model(PLAIN), AUGMENTED: checkpoints.load_model(AUGMENTED)}
    flips, seconds = timed(ood.flips_over, models, X[:items], frames, pan, shake)
    print(f"\nTime view, {frames} frames, pan {pan:.0%}, shake {shake:.0%}: first {items} test items filmed and "
          f"classified by both CNNs in {seconds:.1f} s")
    for m, f in flips.items():
        print(f"  {m:22s} flips per video: mean {f.mean():.2f}, videos with a flip {(f > 0).mean():.0%}")
    from PIL import Image
    im = Image.fromarray(photos()["coffee"].image)
    ratio = 256 / min(im.size)
    im = im.resize((round(im.width * ratio), round(im.height * ratio)), Image.BILINEAR)
    image = ood.to_tensor(np.asarray(im)[None])[0]
    start = time.perf_counter()
    views, _ = ood.pan_frames(image, frames, pan, shake, size=224, padding="border")
    result = ood.flicker(attacks.pixel_model(net), views)
    print(f"  coffee photo, EfficientNet-Lite0: {frames} frames in {time.perf_counter() - start:.1f} s, "
          f"{result.flips} flips, {result.labels_seen} classes")


def eot(net: torch.nn.Module, eot_items: int, cameras: int = 50) -> None:
    X, y = fashion_mnist(train=False)
    cnn = checkpoints.load_model(PLAIN)
    print(f"\nPhysical: success over {cameras} random cameras (JPEG in half of them), untargeted")
    for eps in (0.1, 0.15):
        rates, times = [], []
        for i in range(eot_items):
            x = features.as_batch(X[i:i + 1])
            label = int(cnn(x).argmax())
            plain = physical.plain_attack(cnn, x, label, eps, steps=10)
            result = physical.survival(cnn, x, plain.x, label, eps, steps=10, samples=32, cameras=cameras)
            rates.append(list(result.rates.values()))
            times.append(result.seconds["EOT attack"])
        r = np.mean(rates, 0)
        print(f"  Fashion CNN, first {eot_items} test items, ε = {eps:g}, 10 steps, 32 cameras per step: "
              f"original {r[0]:.1%}, plain {r[1]:.1%}, EOT {r[2]:.1%}; EOT attack {np.median(times):.2f} s (median)")
    pm = attacks.pixel_model(net)
    x = attacks.to_pixels(net, to_input(photos()["coffee"].image))
    label = int(pm(x).argmax())
    plain, seconds = timed(physical.plain_attack, pm, x, label, 4 / 255, steps=10)
    result = physical.survival(pm, x, plain.x, label, 4 / 255, steps=10, samples=8, cameras=cameras)
    r = result.rates
    print(f"  EfficientNet-Lite0, coffee, ε = 4/255, 10 steps: plain attack {seconds:.1f} s; EOT (8 cameras per "
          f"step) {result.seconds['EOT attack']:.1f} s; measuring 3 × {cameras} views "
          f"{result.seconds['measuring']:.1f} s")
    print("  success: " + ", ".join(f"{k} {v:.0%}" for k, v in r.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000, help="Fashion-MNIST test items to sweep")
    parser.add_argument("--eot-items", type=int, default=20, help="Fashion items for the EOT success rates")
    parser.add_argument("--skip", nargs="*", default=(), choices=("sweep", "photos", "flicker", "eot"))
    args = parser.parse_args()
    set_threads(spare=1)
    print(describe())
    recorded = checkpoints.read_manifest()[AUGMENTED].metrics
    print("recorded when fashion_cnn_augmented was built: " + json.dumps(
        {k: v for k, v in recorded.items() if k != "ood_accuracy"}))
    net = efficientnet_lite0()
    if "sweep" not in args.skip:
        sweeps(args.items)
    if "photos" not in args.skip:
        photo_sweep(net)
    if "flicker" not in args.skip:
        flicker(net)
    if "eot" not in args.skip:
        eot(net, args.eot_items)


if __name__ == "__main__":
    main()
