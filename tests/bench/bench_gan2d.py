"""Benchmark core's 2-D GAN: engine iterations per second, the cost of one snapshot, modes of the ring covered
against iterations at the defaults over seeds (goal: all 8 within 5,000), and the mode-collapse presets. The GAN Lab
plays in the browser: tests/bench/bench_live_browser.py --section gans measures its pictures per second, and
tests/bench/bench_gan2d_browser.py its engine beside this one.

Run from anywhere:  .venv/bin/python tests/bench/bench_gan2d.py [--seeds 0 1 2 3 4]

With one torch thread, as the app has on a 2-core machine (`set_threads(spare=1)`). Not a test (machines here are
shared and noisy): it prints figures against the goals and never fails on them.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.device import describe, set_threads  # noqa: E402
from core.generative import gan2d  # noqa: E402

GOAL_ITERATIONS = 5000
CHECKPOINTS = (250, 500, 1000, 2000, 3000, 4000, 5000)


def iterations_per_second(config: gan2d.GanConfig, iterations: int = 300) -> float:
    gan = gan2d.Gan(config)
    gan.step(20)  # warm-up
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        gan.step(iterations // 3)
        rates.append(iterations // 3 / (time.perf_counter() - start))
    return statistics.median(rates)


def snapshot_ms(repeats: int = 20) -> float:
    """Median ms of one snapshot (D's map, the generated points, their arrows, the measures)."""
    gan = gan2d.Gan(gan2d.GanConfig())
    gan.step(300)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        gan.snapshot()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def coverage(config: gan2d.GanConfig, seeds: list[int]) -> list[tuple[int, list[int], float, float, float]]:
    """Per seed: modes covered at each checkpoint, the final JS estimate and spread, and iterations per second."""
    rows = []
    for seed in seeds:
        gan = gan2d.Gan(gan2d.GanConfig(**{**config.__dict__, "seed": seed}))
        covered, start = [], time.perf_counter()
        for at in CHECKPOINTS:
            gan.step(at - gan.iteration)
            covered.append(gan.modes_covered() if not gan.diverged else -1)
        seconds = time.perf_counter() - start
        fake = gan.generate()
        rows.append((seed, covered, gan.snapshot().js, float(fake.std(axis=0).mean()), gan.iteration / seconds))
        print(f"  seed {seed}: " + " ".join(f"{c:>5}" for c in covered)
              + f"   JS {rows[-1][2]:.2f}  spread {rows[-1][3]:.2f}  ({rows[-1][4]:.0f} it/s)", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    set_threads(spare=1)
    defaults = gan2d.GanConfig()
    print(describe())
    print(f"defaults: G {defaults.g_layers}×{defaults.g_width}, D {defaults.d_layers}×{defaults.d_width}, "
          f"noise {defaults.noise_dim}-D, batch {defaults.batch}, Adam lr G {defaults.g_lr:g} D {defaults.d_lr:g}, "
          f"{defaults.d_steps} D step per G step, {defaults.loss} loss")
    print(f"engine: {iterations_per_second(defaults):.0f} iterations/s at the defaults "
          f"({iterations_per_second(gan2d.GanConfig(d_steps=5)):.0f} with 5 D steps)")
    print(f"one snapshot: {snapshot_ms():.1f} ms")
    print(f"\nmodes of the ring covered (of 8) at iterations {', '.join(map(str, CHECKPOINTS))}; defaults")
    rows = coverage(defaults, args.seeds)
    within = sum(8 in covered for _, covered, *_ in rows)
    first = [CHECKPOINTS[covered.index(8)] for _, covered, *_ in rows if 8 in covered]
    print(f"all 8 modes within {GOAL_ITERATIONS:,} iterations: {within} of {len(rows)} seeds "
          f"(goal: all); first reached at {', '.join(map(str, first))}")
    for name, settings in gan2d.PRESETS.items():
        if name == "defaults":
            continue
        config = gan2d.GanConfig(**settings)
        print(f"\npreset '{name}' (G lr {config.g_lr:g}, D lr {config.d_lr:g}); spread = mean std of the "
              "generated points (the ring's: 1.42; one point: 0)")
        coverage(config, args.seeds[:3])


if __name__ == "__main__":
    main()
