"""A lecturer's first click on each section, as in class: one browser page, a warmed server, a click per section.

Run from anywhere:  .venv/bin/python tests/bench/bench_clicks.py

Not a test: it prints figures and never fails on them. A fresh `streamlit run app.py`, then the warm-up
(`python -m core.ui.warmup`, as `make run` starts it) to its end; then one Chromium page (1280×720) opens the app once
and clicks through the 27 sections in lecture order: a page's first section by the page's link in the sidebar, the
others by the page's Section control. For each click, the seconds until the address bar names the page and section
and the run the click started has finished with nothing stale left on screen (tests.browser.settled, as for a
lecture stop). Goal: each within 2 s (issue "A whole class at once"). `bench_app.py --warm` opens the same views
each in a new browser session instead, so that its figures include loading the frontend again every time (1.5 s).
"""
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.lecture import SEGMENTS  # noqa: E402
from tests.browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTION,
    free_port,
    settled,
    stop,
    streamlit_command,
    wait_healthy,
)

TIMEOUT_MS = 300_000
GOAL_S = 2.0


def click(page, target, path: str, section: str | None) -> float:
    """Click `target`; seconds until the address bar shows `path` (and `section`, unless the page's first) and the
    page has settled."""
    start = time.perf_counter()
    target.click()
    page.wait_for_function("([p, s]) => location.pathname.endsWith('/' + p) && (s === null || "
                           "new URLSearchParams(location.search).get('section') === s)", arg=[path, section],
                           timeout=TIMEOUT_MS)
    settled(page, TIMEOUT_MS)
    return time.perf_counter() - start


def walk(page, base: str) -> dict[str, float]:
    page.goto(f"{base}/{SEGMENTS[-1].url_path}", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    settled(page, TIMEOUT_MS)
    seconds = {}
    for segment in SEGMENTS:
        for i, section in enumerate(segment.sections):
            if i == 0:
                target = page.locator(f"[data-testid='stSidebarNavLink'][href$='/{segment.url_path}']")
            else:
                target = page.locator(".st-key-section button").filter(
                    has_text=re.compile(f"^{re.escape(section.title)}$"))
            label = f"{segment.title} › {section.title}"
            seconds[label] = click(page, target, segment.url_path, None if i == 0 else section.title)
            if page.locator(EXCEPTION).count():
                print(f"  exception in {label}")
            print(f"  {seconds[label]:5.2f} s  {label}", flush=True)
    return seconds


def main() -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    (ROOT / "tests" / "artifacts").mkdir(exist_ok=True)
    with open(ROOT / "tests" / "artifacts" / "bench-clicks.log", "w") as log:
        proc = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(base, proc)
            subprocess.run([sys.executable, "-m", "core.ui.warmup", "--port", str(port)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
            print(f"{platform.node()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} after the warm-up")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                seconds = walk(browser.new_context(viewport={"width": 1280, "height": 720}).new_page(), base)
                browser.close()
        finally:
            stop(proc)
    within = sum(s <= GOAL_S for s in seconds.values())
    print(f"{len(seconds)} first clicks: median {statistics.median(seconds.values()):.2f} s, slowest "
          f"{max(seconds.values()):.2f} s; {within} of {len(seconds)} within {GOAL_S:g} s "
          f"(goal: all: {'met' if within == len(seconds) else 'not met'})")


if __name__ == "__main__":
    main()
