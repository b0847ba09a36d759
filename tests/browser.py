"""Serving the app and driving Debian's Chromium: shared by the browser tests and the benchmarks.

Chromium is /usr/bin/chromium driven by Playwright for Python (`playwright install` cannot download browsers
here, so the browser comes from Debian: `make test` installs it).
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 1000}
STARTUP_TIMEOUT_S = 120

APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
APP_CONNECTED = "[data-testid='stApp'][data-test-connection-state='CONNECTED']"
EXCEPTION = "[data-testid='stException']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit_command(port: int) -> list[str]:
    """The documented way to serve the app, with the venv's (this) interpreter."""
    return [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
            "--server.port", str(port), "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]


def wait_healthy(base: str, proc: subprocess.Popen, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
    """Poll /_stcore/health until it answers "ok"; fail early if the server died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode} before becoming healthy")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base}/_stcore/health did not answer 'ok' within {timeout_s} s")


def stop(proc: subprocess.Popen, timeout_s: float = 15) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


NEXT_KEYS = ("ArrowRight", "PageDown")  # what a keyboard and a presentation clicker send for "next"


def next_stop(page, number: int, timeout_ms: int = 300_000) -> float:
    """In lecture mode at stop `number`, press a "next" key (→ and PageDown in turn) and wait until stop number + 1
    has appeared: its number in the address bar and in the presenter panel (so its script run has begun), then that
    run finished with no stale element left. Returns the seconds from the key press until then."""
    start = time.perf_counter()
    page.keyboard.press(NEXT_KEYS[number % 2])
    page.wait_for_function("(n) => new URLSearchParams(location.search).get('lecture') === String(n)", arg=number + 1,
                           timeout=timeout_ms)
    page.locator("[data-testid='stSidebar']").get_by_text(f"Stop {number + 1} of", exact=False).wait_for(
        timeout=timeout_ms)
    settled(page, timeout_ms)
    return time.perf_counter() - start


def settled(page, timeout_ms: int = 300_000) -> None:
    """The script run has finished and nothing stale is left on screen; twice, since a rerun may start right after
    the first finishes (the page writing its settings back)."""
    for _ in range(2):
        page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout_ms)
        page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=timeout_ms)
        page.wait_for_timeout(150)
