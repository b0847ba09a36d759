"""Benchmark a live section in headless Chromium: pictures per second per page, for 1 and for 10 pages playing at
once, and the server's CPU meanwhile.

Run from anywhere:  .venv/bin/python tests/bench/bench_live_browser.py [--pages 1 10] [--seconds 8]

Starts `streamlit run app.py`, opens the Playground (at its defaults, or with all 7 features and 6 hidden layers
of 8: playground-large) or the 2-D GAN Lab (gans, at its defaults) in each page (each its own browser context: its
own Streamlit session, as a student), presses Play in all of them and reads each component's picture count
(`data-frames`) and counter (epochs, iterations) before and after. All pages share one Chromium on this machine's cores, so with many pages the browser is the limit; the
server's CPU time shows that it does no work while they play. Not a test: it prints figures, never fails on them.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import browser as serving  # noqa: E402

ALL_FEATURES = "&".join(f"pg_f_{name}=1" for name in ("x1%5E2", "x2%5E2", "x1x2", "sin_x1", "sin_x2"))
SECTIONS = {"playground": ("feed_forward?section=Playground", "pg_live"),
            "playground-large": (f"feed_forward?section=Playground&pg_hidden=8,8,8,8,8,8&{ALL_FEATURES}", "pg_live"),
            "gans": ("generative?section=GANs", "gan_live")}


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def frames(page, key: str) -> int:
    return int(page.locator(f".st-key-{key} .live").get_attribute("data-frames"))


def count(page, key: str) -> int:
    """The component's counter: epochs or iterations trained so far."""
    return int(page.locator(f".st-key-{key} .live-counter").inner_text().split()[-1].replace(",", ""))


def measure(browser, base: str, pid: int, section: str, pages: int,
            seconds: float) -> tuple[list[float], list[float], float]:
    """Pictures and steps (epochs, iterations) per second of each page while all of them play, and the server's CPU
    seconds per second."""
    path, key = SECTIONS[section]
    contexts = [browser.new_context(viewport=serving.VIEWPORT) for _ in range(pages)]
    tabs = [context.new_page() for context in contexts]
    for tab in tabs:
        tab.goto(f"{base}/{path}", wait_until="domcontentloaded")
        tab.wait_for_selector(serving.APP_IDLE, state="attached", timeout=300_000)
        tab.locator(f".st-key-{key} .live").wait_for(timeout=120_000)
    time.sleep(2)
    for tab in tabs:
        tab.locator(f".st-key-{key} .live-play").click()
    time.sleep(1)
    before, steps, cpu, start = ([frames(tab, key) for tab in tabs], [count(tab, key) for tab in tabs],
                                 cpu_seconds(pid), time.perf_counter())
    time.sleep(seconds)
    elapsed = time.perf_counter() - start
    after, cpu = [frames(tab, key) for tab in tabs], cpu_seconds(pid) - cpu
    steps = [(count(tab, key) - done) / elapsed for tab, done in zip(tabs, steps)]
    for context in contexts:
        context.close()
    return [(b - a) / elapsed for a, b in zip(before, after)], steps, cpu / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--section", choices=SECTIONS, default="playground")
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    port = serving.free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(serving.streamlit_command(port), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        serving.wait_healthy(base, proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=serving.CHROMIUM, headless=True, args=serving.CHROMIUM_ARGS)
            print(f"{args.section}: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, "
                  f"Chromium {browser.version}, {args.seconds:g} s of play")
            for pages in args.pages:
                fps, steps, server = measure(browser, base, proc.pid, args.section, pages, args.seconds)
                print(f"{pages:3d} page(s): {statistics.median(fps):5.1f} pictures/s per page (median; "
                      f"{min(fps):.1f}..{max(fps):.1f}), {statistics.median(steps):.0f} steps/s, "
                      f"server CPU {100 * server:.1f} % of a core, "
                      f"load average {os.getloadavg()[0]:.2f}")
            browser.close()
    finally:
        serving.stop(proc)


if __name__ == "__main__":
    main()
