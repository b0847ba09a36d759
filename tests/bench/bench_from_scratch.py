"""Benchmark the CNN page's training from scratch: its default run on Fashion-MNIST and on MNIST 5k.

Run from anywhere:  .venv/bin/python tests/bench/bench_from_scratch.py [--only fashion|mnist] [--seed 0]

Each run is `core.cnn.from_scratch.train` with the page's default settings (3 convolution layers of 16, 32, 64
filters), torch using every core but one as the app does (`set_threads(spare=1)`), timed from reading the data
to the accuracy on the whole held-out set, the live accuracy curve's measurements included.
Goals: Fashion-MNIST's official 10,000-image test set ≥ 92 %, MNIST 5k's 1,000 held-out digits ≥ 97 %, each run
within 3 minutes on a 2-core CPU. Not a test (machines here are shared; the load average is printed before and
after): it prints the figures, and exits with status 1 if a run missed its accuracy or time goal.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.cnn import from_scratch  # noqa: E402
from core.device import describe, set_threads  # noqa: E402

SECONDS_GOAL = 180.0


def load() -> str:
    return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())


def report(step: int, total: int, loss: float) -> None:
    if step % max(1, total // 10) == 0 or step == total:
        print(f"  step {step:5d}/{total}  loss {loss:.3f}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(from_scratch.SCRATCH_DATA))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    set_threads(spare=1)
    print(f"{describe()}; {os.cpu_count()} cores; {load()}")
    missed = []
    for dataset, recipe in from_scratch.SCRATCH_DATA.items():
        if args.only and dataset != args.only:
            continue
        spec = from_scratch.Scratch(dataset, seed=args.seed)
        print(f"{recipe.title}: {spec.total_steps:,} steps of 128, channels {spec.config().channels}, "
              f"learning rate {spec.lr:g}, held out: {recipe.held_out}", flush=True)
        start = time.perf_counter()
        run = from_scratch.train(spec, on_progress=report)
        seconds = time.perf_counter() - start
        ok = run.status == "done" and run.accuracy >= recipe.goal and seconds <= SECONDS_GOAL
        if not ok:
            missed.append(recipe.title)
        accuracy = "–" if run.accuracy is None else f"{run.accuracy:.2%}"
        print(f"{recipe.title:14s} {seconds:6.1f} s (goal ≤ {SECONDS_GOAL:.0f})   held-out accuracy {accuracy} "
              f"(goal ≥ {recipe.goal:.0%})   {'ok' if ok else 'MISSED'}   {load()}", flush=True)
    if missed:
        print("missed: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
