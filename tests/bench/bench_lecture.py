"""Benchmark lecture mode as the lecturer meets it: how long each stop takes to appear after "next", on a warmed server.

Run from anywhere:  .venv/bin/python tests/bench/bench_lecture.py [--walks 2]

Not a test: it prints figures and never fails on them. A fresh `streamlit run app.py` is started and one Chromium
page (1280×720, projector mode) walks the whole lecture with the keyboard (→ and PageDown in turn) from the first
stop to the last, `--walks` times; the first walk warms the server (models loaded, figures cached), the last is
reported: for each stop, the seconds from the key press until its number is in the address bar and its script run
has finished (tests.browser.next_stop), the median and the slowest stops.
"""
import argparse
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core import lecture  # noqa: E402
from tests.browser import (  # noqa: E402
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTION,
    free_port,
    next_stop,
    stop,
    streamlit_command,
    wait_healthy,
)

TIMEOUT_MS = 300_000


def walk(page, base: str) -> dict[int, float]:
    """Seconds for each stop (2 to the last) to appear after "next"; exceptions on the way are counted and printed."""
    page.goto(f"{base}/lecture?lecture=1&projector=1", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    page.wait_for_selector(APP_IDLE, state="attached", timeout=TIMEOUT_MS)
    page.locator(".st-key-lecture_keys").wait_for(state="attached", timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)  # the keys' listener is set up as the component mounts
    seconds = {}
    for number in range(1, len(lecture.STOPS)):
        seconds[number + 1] = next_stop(page, number, TIMEOUT_MS)
        print(f"  stop {number + 1}: {seconds[number + 1]:.2f} s", flush=True)
        if page.locator(EXCEPTION).count():
            print(f"  exception at stop {number + 1}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--walks", type=int, default=2)
    walks = parser.parse_args().walks
    from playwright.sync_api import sync_playwright

    print(f"{platform.node()}, {platform.processor() or platform.machine()}, python {platform.python_version()}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(ROOT / "tests" / "artifacts" / "bench-lecture.log", "w") as log:
        proc = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(base, proc)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
                for i in range(walks):
                    seconds = walk(page, base)
                    print(f"walk {i + 1}: total {sum(seconds.values()):.1f} s, "
                          f"median {statistics.median(seconds.values()):.2f} s")
                browser.close()
        finally:
            stop(proc)
    print("slowest stops of the last walk (seconds after next):")
    for number, s in sorted(seconds.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {s:6.2f}  stop {number}: {lecture.STOPS[number - 1].title}")


if __name__ == "__main__":
    main()
