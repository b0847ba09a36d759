"""Benchmark how fast odd inputs are answered: a 50-megapixel JPEG upload read (draft decoding), and the check
whether torchvision's weights host is reachable giving up when the network hangs.

Run from anywhere:  .venv/bin/python tests/bench/bench_inputs.py [--runs 5]

Not a test (machines here are shared and noisy): it prints medians against the goals and never fails on them.
Goals: the upload read in ≤ 2 s; the reachability check back within its 0.2 s timeout plus 0.1 s.
"""
import argparse
import os
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.models import imagenet  # noqa: E402
from core.uploads import read_image  # noqa: E402
from tests.samples import jpeg_huge  # noqa: E402


def median_seconds(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"load average {os.getloadavg()[0]:.2f}; median of {runs} runs")
    data = jpeg_huge()
    print(f"50 MP JPEG upload read: {median_seconds(lambda: read_image(data), runs):.3f} s (goal ≤ 2 s)")
    released = threading.Event()
    urllib.request.urlopen = lambda *a, **k: released.wait(30)  # a request that hangs
    seconds = median_seconds(lambda: imagenet._reachable("http://example.invalid/x.pth", 0.2), runs)
    released.set()
    print(f"weights-host check with a hanging network: {seconds:.3f} s (goal ≤ 0.3 s)")


if __name__ == "__main__":
    main()
