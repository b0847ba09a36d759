"""Benchmark the 2-D GAN Lab: engine iterations per second, the cost of one picture, modes of the ring covered
against iterations at the defaults over seeds (goal: all 8 within 5,000), the mode-collapse presets, and pictures
per second in headless Chromium while playing (goal ≥ 10 on a 2-core machine).

Run from anywhere:  .venv/bin/python tests/bench/bench_gan2d.py [--seeds 0 1 2 3 4] [--no-browser]

With one torch thread, as the app has on a 2-core machine (`set_threads(spare=1)`). Not a test (machines here are
shared and noisy): it prints figures against the goals and never fails on them.
"""
import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.device import describe, set_threads  # noqa: E402
from core.generative import gan2d, gan2d_picture  # noqa: E402
from core.plots import NORMAL  # noqa: E402

GOAL_ITERATIONS, GOAL_FPS = 5000, 10.0
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


def picture_ms(repeats: int = 20) -> tuple[float, float]:
    """Median ms of one snapshot (D's map, the generated points, their arrows, the measures), and of drawing it."""
    gan = gan2d.Gan(gan2d.GanConfig())
    gan.step(300)
    snap_times, draw_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        snap = gan.snapshot()
        middle = time.perf_counter()
        gan2d_picture.picture(snap.d_map, snap.real, snap.fake, (snap.fake[:100], snap.gradients[:100]), NORMAL,
                              gan.means, snap.covered)
        snap_times.append(middle - start)
        draw_times.append(time.perf_counter() - middle)
    return 1e3 * statistics.median(snap_times), 1e3 * statistics.median(draw_times)


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


def browser_fps(seconds: float = 6.0) -> tuple[float, float]:
    """Play pressed at the defaults: pictures and iterations per second seen in headless Chromium."""
    from playwright.sync_api import sync_playwright

    from core import checkpoints
    from tests.browser import (
        CHROMIUM,
        CHROMIUM_ARGS,
        VIEWPORT,
        free_port,
        stop,
        streamlit_command,
        wait_healthy,
    )
    from tests.e2e.conftest import wait_idle
    from tests.e2e.test_gan_lab_browser import COUNT_REDRAWS, iteration

    port = free_port()
    command = streamlit_command(port)
    if not checkpoints.exists("fashion_gan"):  # the image half below would train it first: leave it out
        print("  (fashion_gan checkpoint missing: serving with the image half replaced by a caption)")
        command = [sys.executable, "-c", "import sys, streamlit as st, core.generative.ui.gan_images as g; "
                   "g.section = lambda: st.caption('image half left out'); from streamlit.web.cli import main; "
                   f"sys.argv = ['streamlit'] + {command[3:]!r}; main()"]
    log = open(ROOT / "tests" / "artifacts" / "bench-gan2d-streamlit.log", "w")
    proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(f"http://127.0.0.1:{port}/generative?section=GANs")
            wait_idle(page)
            page.evaluate(COUNT_REDRAWS)
            first = iteration(page)
            page.locator(".st-key-gan_play button").click()
            start = time.perf_counter()
            time.sleep(seconds)
            elapsed = time.perf_counter() - start
            redraws, last = page.evaluate("window.__redraws"), iteration(page)
            page.locator(".st-key-gan_play button").click()
            browser.close()
        return redraws / elapsed, (last - first) / elapsed
    finally:
        stop(proc)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    args = parser.parse_args()
    set_threads(spare=1)
    defaults = gan2d.GanConfig()
    print(describe())
    print(f"defaults: G {defaults.g_layers}×{defaults.g_width}, D {defaults.d_layers}×{defaults.d_width}, "
          f"noise {defaults.noise_dim}-D, batch {defaults.batch}, Adam lr G {defaults.g_lr:g} D {defaults.d_lr:g}, "
          f"{defaults.d_steps} D step per G step, {defaults.loss} loss")
    print(f"engine: {iterations_per_second(defaults):.0f} iterations/s at the defaults "
          f"({iterations_per_second(gan2d.GanConfig(d_steps=5)):.0f} with 5 D steps)")
    snap, draw = picture_ms()
    print(f"one picture: snapshot {snap:.1f} ms + drawing {draw:.1f} ms")
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
    if not args.no_browser:
        print("\nin headless Chromium, Play at the defaults:")
        fps, rate = browser_fps()
        print(f"  {fps:.1f} pictures per second (goal ≥ {GOAL_FPS:g}), {rate:.0f} iterations per second")


if __name__ == "__main__":
    main()
