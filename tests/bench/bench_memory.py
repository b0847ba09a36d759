"""Benchmark the memory task: accuracy vs distance of RNN, LSTM and GRU over seeds, seconds per model, and how far
back the gradient reaches before and after training.

Run from anywhere:  .venv/bin/python tests/bench/bench_memory.py [--seeds 0 1 2]

With torch using every core but one, as the app does (`set_threads(spare=1)`). Not a test (machines here are shared
and noisy): it prints figures against the goals and never fails on them. Goals, on a 2-core CPU: one model at one
distance in ≤ 5 s; the simple RNN near chance (1/4) at the longest distance, LSTM and GRU ≥ 0.9 at every distance.
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.device import describe, set_threads  # noqa: E402
from core.rnn import memory  # noqa: E402

GOAL_SECONDS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    seeds = parser.parse_args().seeds
    set_threads(spare=1)
    print(describe())
    memory.train("RNN", 5)  # warm-up: a first training in a process is slower
    print(f"accuracy (steps, seconds) per distance; seeds {seeds}")
    print("cell  " + "".join(f"{f'N={n}':>24}" for n in memory.DISTANCES))
    slowest = 0.0
    for cell in memory.CELLS:
        for seed in seeds:
            cells = []
            for distance in memory.DISTANCES:
                start = time.perf_counter()
                trained = memory.train(cell, distance, seed=seed)
                seconds = time.perf_counter() - start
                slowest = max(slowest, seconds)
                cells.append(f"{trained.accuracy:.2f} ({trained.steps:3d}, {seconds:4.1f} s)")
            print(f"{cell:<4} {seed} " + "".join(f"{c:>24}" for c in cells), flush=True)
    print(f"slowest model: {slowest:.1f} s (goal ≤ {GOAL_SECONDS} s)")
    print("‖∂loss/∂h_t‖, N = 80, t = 1, 21, 41, 61, 80 (seed 0)")
    for cell in ("RNN", "LSTM"):
        for when, model in [("at start", memory.new_model(cell)), ("trained", memory.train(cell, 80).model)]:
            norms = memory.gradient_through_time(model, memory.Task(), 80)
            print(f"{cell:<4} {when:<8} " + " ".join(f"{norms[t]:8.1e}" for t in (0, 20, 40, 60, 79)))


if __name__ == "__main__":
    main()
