"""Benchmark lecture mode as the lecturer meets it: how long each stop takes to appear after "next", on a warmed server.

Run from anywhere:  .venv/bin/python tests/bench/bench_lecture.py [--walks 2]

Not a test: it prints figures and never fails on them. A fresh `streamlit run app.py` is started and one Chromium
page (1280×720, projector mode) walks the whole lecture with the keyboard (→ and PageDown in turn) from the first
stop to the last, `--walks` times; the first walk warms the server (models loaded, figures cached), the last is
reported: for each stop, the seconds from the key press until the screen last changed (a MutationObserver in the page
notes every change but the presenter's ticking clock, and when the frame that shows it was drawn), read once the stop
has settled: its number in the address bar, its script run finished, nothing stale, and still so 150 ms later, twice
(tests.browser.next_stop). Beside it, the seconds until settled, which include those two 150 ms checks.
"""
import argparse
import os
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
# In every document of the page: the wall-clock time of the last key press (kept across a reload) and of the frame
# drawn after the last change on screen.
WATCH_CHANGES = """
addEventListener("keydown", () => sessionStorage.setItem("keyAt", String(Date.now())), true);
let pending = false;
new MutationObserver((mutations) => {
  const shown = mutations.some((m) => {
    const node = m.target.nodeType === Node.ELEMENT_NODE ? m.target : m.target.parentElement;
    return !(node && node.closest(".clock, .st-key-lecture_clock"));
  });
  if (!shown || pending) return;
  pending = true;
  requestAnimationFrame(() => setTimeout(() => { pending = false; window.lastChange = Date.now(); }, 0));
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def appeared(page) -> float:
    """Seconds from the last key press to the frame drawn after the last change on screen."""
    return page.evaluate("() => (window.lastChange - Number(sessionStorage.getItem('keyAt'))) / 1000")


def walk(page, base: str) -> dict[int, tuple[float, float]]:
    """Seconds for each stop (2 to the last) to appear and to settle after "next"; exceptions on the way are
    printed."""
    page.goto(f"{base}/lecture?lecture=1&projector=1", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    page.wait_for_selector(APP_IDLE, state="attached", timeout=TIMEOUT_MS)
    page.locator(".st-key-lecture_keys").wait_for(state="attached", timeout=TIMEOUT_MS)
    page.wait_for_timeout(500)  # the keys' listener is set up as the component mounts
    seconds = {}
    for number in range(1, len(lecture.STOPS)):
        settled = next_stop(page, number, TIMEOUT_MS)
        seconds[number + 1] = appeared(page), settled
        print(f"  stop {number + 1}: appeared {seconds[number + 1][0]:.2f} s, settled {settled:.2f} s", flush=True)
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
    (ROOT / "tests" / "artifacts").mkdir(exist_ok=True)
    with open(ROOT / "tests" / "artifacts" / "bench-lecture.log", "w") as log:
        proc = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(base, proc)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
                page.add_init_script(WATCH_CHANGES)
                for i in range(walks):
                    seconds = walk(page, base)
                    shown, settled = zip(*seconds.values())
                    print(f"walk {i + 1}: appeared median {statistics.median(shown):.2f} s, "
                          f"slowest {max(shown):.2f} s; settled median {statistics.median(settled):.2f} s, "
                          f"slowest {max(settled):.2f} s, "
                          f"total {sum(settled):.1f} s")
                browser.close()
        finally:
            stop(proc)
    print("slowest stops of the last walk (seconds after next: appeared, settled):")
    for number, (shown, settled) in sorted(seconds.items(), key=lambda kv: -kv[1][0])[:10]:
        print(f"  {shown:6.2f} {settled:6.2f}  stop {number}: {lecture.STOPS[number - 1].title}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
