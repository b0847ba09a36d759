"""Benchmark the image GAN: training speed, the shipped generator's quality as the project's Fashion-MNIST classifier
judges it, and the time to render the section's views.

Run from the repository root:  .venv/bin/python tests/bench/bench_gan_images.py [--samples 5000] [--steps 30]

- Iterations per second: steps of the shipped DCGAN's training (a discriminator and a generator update on 64 + 64
  images) and of the smaller one the page trains live, on one torch thread (as `core.recipes` builds checkpoints),
  after warm-up steps.
- The judge (`fashion_cnn`) on `--samples` fresh samples of the shipped generator, every one of them counted (none
  filtered): the entropy of its class shares as a share of log 10 (goal ≥ 90%) and its mean top-class probability
  (goal ≥ 0.8), with the same figures for as many real test images for comparison.
- Seconds to render each view of the section in AppTest (through the Generative models page when core/generative/ui/gans.py
  calls the section, else a script that calls it alone), the first run (caches cold) and the median of 3 reruns.
Not a test (machines here are shared and noisy): it prints figures against the goals and never fails on them.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core import checkpoints  # noqa: E402
from core.data.images import FASHION_CLASSES, fashion_mnist  # noqa: E402
from core.device import describe  # noqa: E402
from core.generative import gan_images
from core.lecture import ROOT  # noqa: E402


def iterations_per_second(settings: gan_images.Settings, images: torch.Tensor, steps: int) -> float:
    warm = gan_images.Settings(**{**settings.__dict__, "steps": 5, "snapshots": 1})
    gan_images.train(gan_images.Run.start(warm), images)
    run = gan_images.Run.start(gan_images.Settings(**{**settings.__dict__, "steps": steps, "snapshots": 1}))
    start = time.perf_counter()
    gan_images.train(run, images)
    return steps / (time.perf_counter() - start)


def _standalone() -> None:
    from core.generative.ui import gan_images
    from core.ui import url_state
    url_state.begin("generative")
    try:
        gan_images.section()
    finally:
        url_state.finish()


def render_seconds(view: str) -> tuple[float, float]:
    """(first run, median of 3 reruns) of the section showing one view."""
    from streamlit.testing.v1 import AppTest
    wired = "gan_images.section(" in (ROOT / "core" / "ui" / "gans.py").read_text()
    at = (AppTest.from_file(str(ROOT / "app.py"), default_timeout=300) if wired
          else AppTest.from_function(_standalone, default_timeout=300))
    if wired:
        at.query_params["section"] = "GANs"
    at.query_params["gimg_view"] = view
    start = time.perf_counter()
    at.switch_page("pages/generative.py").run() if wired else at.run()
    first = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    again = []
    for _ in range(3):
        start = time.perf_counter()
        at.run()
        again.append(time.perf_counter() - start)
    return first, statistics.median(again)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=gan_images.SAMPLES)
    parser.add_argument("--steps", type=int, default=30, help="training steps timed per network")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"{describe()}")
    images = torch.from_numpy(np.array(fashion_mnist(train=True)[0]))[:, None]

    from core.generative.ui import gan_images as page
    shipped = gan_images.SHIPPED
    entry = checkpoints.read_manifest().get("fashion_gan")
    print("\nTraining speed (1 torch thread, batch 64):")
    for name, settings in (("shipped DCGAN", shipped), ("live (page)", page._live_settings(args.steps, 2e-4))):
        print(f"  {name:14s} {iterations_per_second(settings, images, args.steps):6.2f} iterations/s")
    if entry is not None and "iterations_per_second" in entry.metrics:
        print(f"  when fashion_gan was built: {entry.metrics['iterations_per_second']} iterations/s, "
              f"{entry.steps:,} steps in {entry.metrics['train_seconds']:.0f} s")

    judge = checkpoints.load_model("fashion_cnn").cpu()
    model = checkpoints.load_model("fashion_gan").cpu()
    start = time.perf_counter()
    fake = gan_images.evaluate(model.generator, judge, n=args.samples)
    seconds = time.perf_counter() - start
    real = gan_images.verdict(gan_images.judge(judge, gan_images.to_input(fashion_mnist(train=False)[0][:args.samples])))
    goal_h, goal_p = gan_images.GOALS["entropy_ratio"], gan_images.GOALS["mean_top_probability"]
    print(f"\nThe judge (fashion_cnn) on {args.samples:,} samples ({seconds:.1f} s to generate and judge):")
    print(f"  {'':22s} {'entropy / log 10':>17s} {'mean top prob':>14s}")
    print(f"  {'shipped generator':22s} {fake.entropy_ratio:17.1%} {fake.mean_top_probability:14.3f}"
          f"   goals ≥ {goal_h:.0%}, ≥ {goal_p}: {'met' if fake.met else 'NOT met'}")
    print(f"  {'real test images':22s} {real.entropy_ratio:17.1%} {real.mean_top_probability:14.3f}")
    print("  classes of the samples: " + ", ".join(f"{c} {n}" for c, n in zip(FASHION_CLASSES, fake.histogram)))

    print("\nRendering the section's views (AppTest; first run, then median of 3 reruns):")
    for view in page.VIEWS:
        first, again = render_seconds(view)
        print(f"  {view:24s} {first:6.2f} s   {again:6.2f} s")


if __name__ == "__main__":
    main()
