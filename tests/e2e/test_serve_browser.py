"""Served for a class (`make serve`): nginx and two workers under supervisord, started here on free local ports, and
students in Chromium going through nginx. A student stays on one worker; a worker killed leaves the students on the
other alone, its own students reconnect to the live one, and supervisord brings it back; a cookie naming a worker
that is gone, and nginx restarted, each end in a reconnect, never a hang.
"""
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from serve import launch
from tests.browser import APP_CONNECTED, ROOT, VIEWPORT, free_port, stop, wait_healthy
from tests.e2e.conftest import IDLE_TIMEOUT_MS, assert_no_exception, wait_idle

pytestmark = pytest.mark.skipif(shutil.which("nginx", path="/usr/sbin:/usr/bin") is None,
                                reason="nginx is not installed (`make install` installs it as root)")
COOKIE = "dashboard_worker"
PAGE = "feed_forward?section=Neurons+and+non-linearity"
WEIGHT = ".st-key-nn_w [data-testid='stSlider']"
CHART = ".st-key-nn_function"


@dataclass
class Serving:
    base: str
    layout: launch.Layout
    proc: subprocess.Popen

    def ctl(self, *args: str) -> str:
        ctl = Path(sys.executable).parent / "supervisorctl"
        return subprocess.run([ctl, "-c", self.layout.supervisord_conf, *args], capture_output=True, text=True,
                              timeout=60).stdout

    def pid(self, name: str) -> int:
        return int(self.ctl("pid", name))

    def wait_running(self, name: str, other_than: int = 0, timeout_s: float = 120) -> int:
        """Wait until supervisord has `name` running (with another pid than `other_than`) and it is healthy."""
        deadline = time.monotonic() + timeout_s
        port = dict(self.layout.workers)[name]
        while time.monotonic() < deadline:
            if "RUNNING" in self.ctl("status", name) and self.pid(name) not in (0, other_than):
                wait_healthy(f"http://127.0.0.1:{port}", self.proc, deadline - time.monotonic())
                return self.pid(name)
            time.sleep(0.5)
        raise TimeoutError(f"{name} did not come back")


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    layout = launch.Layout("127.0.0.1", free_port(), (free_port(), free_port()), tmp_path_factory.mktemp("serve"))
    log = open(layout.run.parent / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "serve", "--host", layout.host, "--port", str(layout.port),
                             "--worker-ports", ",".join(map(str, layout.worker_ports)), "--run-dir", layout.run],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    s = Serving(f"http://127.0.0.1:{layout.port}", layout, proc)
    try:
        for port in (*layout.worker_ports, layout.port):
            wait_healthy(f"http://127.0.0.1:{port}", proc)
        yield s
    finally:
        stop(proc, timeout_s=90)  # supervisord stops nginx and the workers, one after the other
        log.close()


class Tab:
    """A student's browser tab through nginx: which workers answered it, how many websockets it opened."""

    def __init__(self, browser, serving: Serving, worker: str = ""):
        self.serving = serving
        self.context = browser.new_context(viewport=VIEWPORT)
        if worker:
            self.context.add_cookies([{"name": COOKIE, "value": worker, "url": serving.base}])
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.answered_by: list[str] = []
        self.websockets = 0
        self.page.on("response", lambda r: self.answered_by.append(r.headers.get("x-dashboard-worker", "")))
        self.page.on("websocket", lambda ws: setattr(self, "websockets", self.websockets + 1))

    def open(self) -> None:
        self.page.goto(f"{self.serving.base}/{PAGE}", wait_until="domcontentloaded")
        wait_idle(self.page)
        assert_no_exception(self.page)

    @property
    def worker(self) -> str:
        return next(c["value"] for c in self.context.cookies() if c["name"] == COOKIE)

    def weight(self) -> float:
        return float(self.page.locator(WEIGHT).get_by_role("slider").input_value())

    def nudge(self, key: str = "ArrowRight") -> float:
        """Move the weight slider one step and wait until the server has drawn the neuron with the new weight."""
        want = round(self.weight() + (0.1 if key == "ArrowRight" else -0.1), 1)
        thumb = self.page.locator(WEIGHT).get_by_role("slider")
        thumb.focus()
        thumb.press(key)
        self.wait_drawn(want)
        return want

    def wait_drawn(self, weight: float, timeout_ms: int = IDLE_TIMEOUT_MS) -> None:
        """The address carries `weight` (nothing at the default, 1) and the neuron's chart, drawn by the server,
        says `({weight}·x`."""
        self.page.wait_for_function(
            "([w, chart]) => Math.abs(parseFloat(new URLSearchParams(location.search).get('nn_w') ?? '1') - w) < 1e-6"
            " && (document.querySelector(chart)?.textContent || '').includes(`(${w}·x`)",
            arg=[weight, CHART], timeout=timeout_ms)
        wait_idle(self.page)
        assert_no_exception(self.page)

    def wait_reconnected(self, websockets_before: int, timeout_ms: int = 60_000) -> None:
        """A new websocket was opened and the app is connected again."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.websockets <= websockets_before and time.monotonic() < deadline:
            self.page.wait_for_timeout(200)
        assert self.websockets > websockets_before, "the page never reconnected"
        self.page.wait_for_selector(APP_CONNECTED, state="attached", timeout=timeout_ms)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tabs(browser, serving):
    opened = []

    def tab(worker: str = "") -> Tab:
        opened.append(Tab(browser, serving, worker))
        return opened[-1]
    yield tab
    for t in opened:
        t.close()


def test_a_student_stays_on_one_worker_for_ten_interactions(serving, tabs):
    student = tabs()
    student.open()
    worker = student.worker
    assert worker in dict(serving.layout.workers)
    for step in range(10):
        assert student.nudge() == pytest.approx(1.0 + 0.1 * (step + 1))
    assert student.weight() == pytest.approx(2.0)  # the session's state survived ten interactions
    assert student.worker == worker
    assert set(student.answered_by) == {worker}  # every answer, page, scripts and images, from that one worker
    assert student.websockets == 1


def test_a_worker_killed_leaves_the_others_students_alone_and_comes_back(serving, tabs):
    alice, bob = tabs("worker1"), tabs("worker2")  # a cookie from an earlier visit puts each on their worker
    alice.open()
    bob.open()
    assert (alice.worker, bob.worker) == ("worker1", "worker2")
    bobs_weight = bob.nudge()
    killed = serving.pid("worker2")
    os.kill(killed, signal.SIGKILL)

    for _ in range(3):  # Alice goes on as if nothing happened: same worker, same websocket
        alice.nudge()
    assert (alice.worker, alice.websockets) == ("worker1", 1)

    bob.wait_reconnected(1)  # Bob's page reconnects to the live worker, with his setting, and goes on there
    bob.wait_drawn(bobs_weight)
    assert bob.nudge("ArrowLeft") == pytest.approx(bobs_weight - 0.1)
    assert bob.worker == "worker1"

    assert serving.wait_running("worker2", other_than=killed) != killed  # supervisord brought it back


def test_a_cookie_naming_a_worker_that_is_gone_lands_on_a_live_one(serving, tabs):
    serving.ctl("stop", "worker2")
    try:
        for gone in ("worker2", "worker9"):  # stopped, and never existed (a class served with more workers once)
            student = tabs(gone)
            start = time.monotonic()
            student.open()
            assert student.worker == "worker1"
            assert time.monotonic() - start < 60
            student.nudge()
    finally:
        serving.ctl("start", "worker2")
        serving.wait_running("worker2")


def test_nginx_restarted_the_page_reconnects_to_its_worker(serving, tabs):
    student = tabs()
    student.open()
    worker, weight = student.worker, student.nudge()
    serving.ctl("restart", "nginx")
    student.wait_reconnected(1)
    student.wait_drawn(weight)
    assert student.nudge() == pytest.approx(weight + 0.1)
    assert student.worker == worker
