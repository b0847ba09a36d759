"""Real-browser fixtures: one `streamlit run app.py` server per test session, and a fresh Chromium page per test.

Chromium is Debian's /usr/bin/chromium driven by Playwright for Python (`playwright install` cannot download
browsers here, so the browser comes from Debian). Screenshots go to tests/artifacts/screenshots/ (git-ignored): look at them,
a page can render without an exception and still be unreadable.
"""
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.browser import (
    APP_CONNECTED,
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    EXCEPTION,
    ROOT,
    VIEWPORT,
    free_port,
    stop,
    streamlit_command,
    wait_healthy,
)

ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
IDLE_TIMEOUT_MS = 120_000  # a cold first run imports torch & co. and loads models on a 2-core machine
COUNT_REDRAWS = """(within) => {
    window.__redraws = 0;
    new MutationObserver(ms => ms.forEach(m => {
        if (m.attributeName === 'src' && (!within || m.target.closest('.st-key-' + within))) window.__redraws++; }))
        .observe(document.body, {subtree: true, attributes: true, attributeFilter: ['src']});
}"""  # counts pictures redrawn (an image's new source), in the element keyed `within` or anywhere
COUNT_RUNS = """() => {
    window.__runs = 0;
    const app = document.querySelector("[data-testid='stApp']");
    new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__runs++; })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""  # counts the script runs the page starts


def wait_idle(page, timeout_ms: int = IDLE_TIMEOUT_MS, settle_ms: int = 300) -> None:
    """Wait until the app is connected and its script has finished a run, then let the frontend settle.

    Before its first run the app reports the state "initial", so this does not pass on an unloaded page. After
    an interaction, first wait for its visible effect (a URL change, an element) and then call this.
    """
    page.wait_for_selector(APP_CONNECTED, state="attached", timeout=timeout_ms)
    page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout_ms)
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector(APP_IDLE, state="attached", timeout=timeout_ms)  # a rerun may have started meanwhile


def assert_no_exception(page) -> None:
    shown = page.locator(EXCEPTION)
    if shown.count():
        raise AssertionError("the page shows an exception:\n" + "\n---\n".join(shown.all_inner_texts()))


def screenshot(page, name: str) -> Path:
    """Save the whole page, not just the viewport: Streamlit scrolls inside its main area, so the viewport is grown
    to the content's height for the shot and restored afterwards."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    wait_for_charts(page)
    height = page.evaluate("""() => Math.max(document.documentElement.scrollHeight,
        ...['stMain', 'stAppViewContainer', 'stMainBlockContainer', 'stSidebarContent'].map(id => {
            const el = document.querySelector(`[data-testid='${id}']`);
            return el ? el.scrollHeight : 0; }))""")
    original = page.viewport_size
    tall = min(max(int(height) + 40, original["height"]), 8000)
    if tall > original["height"]:
        page.set_viewport_size({"width": original["width"], "height": tall})
        page.wait_for_timeout(700)  # plotly re-lays out responsive charts
        wait_for_charts(page)
    page.screenshot(path=str(path), full_page=True)
    if tall > original["height"]:
        page.set_viewport_size(original)
    return path


def wait_for_charts(page, timeout_ms: int = 15_000) -> None:
    """Plotly draws after the script run ends: wait until every chart has its SVG (best effort)."""
    try:
        page.wait_for_function("""() => [...document.querySelectorAll("[data-testid='stPlotlyChart']")]
            .every(c => c.querySelector('.main-svg'))""", timeout=timeout_ms)
    except Exception:  # noqa: BLE001 - a chart that never draws shows up in the screenshot, which is the point
        pass
    page.wait_for_timeout(300)


@dataclass(frozen=True)
class Server:
    base: str  # its URL
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user + system)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="session")
def server():
    """A `streamlit run app.py` started from the repository root for this test session."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(ARTIFACTS / "streamlit-e2e.log", "w")
    proc = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(base, proc)
        yield Server(base, proc.pid)
    finally:
        stop(proc)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture
def page(browser, request):
    """A fresh page (own context, so its own Streamlit session) at 1400×1000; a failing test leaves a screenshot."""
    context = browser.new_context(viewport=VIEWPORT)
    p = context.new_page()
    p.set_default_timeout(30_000)
    try:
        yield p
        if getattr(request.node, "e2e_failed", False):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in request.node.name)
            p.screenshot(path=str(SCREENSHOTS / f"FAILED-{name}.png"), full_page=True)
    finally:
        context.close()


@dataclass
class Played:
    """What happened while a live component played."""
    seconds: float
    pictures: int  # drawn by the component
    script_runs: int  # started by the page
    server_cpu: float  # seconds of CPU the server used

    @property
    def fps(self) -> float:
        return self.pictures / self.seconds


class App:
    """The helpers above bound to one page and server, for the tests."""

    def __init__(self, page, server: Server):
        self.page, self.server, self.base = page, server, server.base

    def open(self, url_path: str = "", **params) -> None:
        query = f"?{urlencode(params)}" if params else ""
        self.page.goto(f"{self.base}/{url_path}{query}", wait_until="domcontentloaded")
        self.wait_idle()

    def wait_idle(self, **kw) -> None:
        wait_idle(self.page, **kw)

    def assert_no_exception(self) -> None:
        assert_no_exception(self.page)

    def screenshot(self, name: str) -> Path:
        return screenshot(self.page, name)

    def counter(self, heading: str) -> int:
        """The number ending the first third-level heading that says `heading` ("Epoch 1,234" → 1234)."""
        return int(self.page.locator("h3", has_text=heading).first.inner_text().split()[-1].replace(",", ""))

    def play_on_server(self, key: str, seconds: float, pictures: str = "") -> tuple[float, int]:
        """Press the Play button keyed `key` of a section that draws on the server and let it play for `seconds`;
        returns the seconds and the pictures redrawn meanwhile (only those in the element keyed `pictures`, if
        given). It keeps playing."""
        self.page.evaluate(COUNT_REDRAWS, pictures)
        self.page.locator(f".st-key-{key} button").click()
        start = time.perf_counter()
        time.sleep(seconds)
        return time.perf_counter() - start, self.page.evaluate("window.__redraws")

    def live(self, key: str, part: str = ""):
        """The live component keyed `key` (inside its shadow root, which Playwright's locators enter), or its part
        named by class: "play", "step", "reset"."""
        return self.page.locator(f".st-key-{key} .live" + (f" .live-{part}" if part else ""))

    def frames(self, key: str) -> int:
        """Pictures the live component keyed `key` has drawn so far."""
        return int(self.live(key).get_attribute("data-frames"))

    def play(self, key: str, seconds: float) -> Played:
        """Press Play in the live component keyed `key` and let it play for `seconds`; it keeps playing. First the
        server is let settle (after a fresh server's first run it keeps busy for a second or two)."""
        self.live(key).wait_for()
        for _ in range(20):
            cpu = self.server.cpu_seconds()
            time.sleep(1)
            if self.server.cpu_seconds() - cpu < 0.05:
                break
        self.page.evaluate(COUNT_RUNS)
        cpu, frames = self.server.cpu_seconds(), self.frames(key)
        self.live(key, "play").click()
        start = time.perf_counter()
        time.sleep(seconds)
        return Played(time.perf_counter() - start, self.frames(key) - frames, self.page.evaluate("window.__runs"),
                      self.server.cpu_seconds() - cpu)


@pytest.fixture
def app(page, server) -> App:
    return App(page, server)
