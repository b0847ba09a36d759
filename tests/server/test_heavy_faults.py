"""Faults of a class on one server, against a real `streamlit run` of a small page of heavy jobs
(tests/server/heavy_app.py) with visitors speaking Streamlit's protocol (core.ui.visitor): a student who clicks
elsewhere or closes the tab ends their running job, two students asking for the same job share one computation, a
job that raises is a message that frees its slot, and a hundred rapid moves end on the last value. Nobody else is
affected."""
import ast
import asyncio
import re
import subprocess
import sys
import time

import pytest

from core.lecture import ROOT
from core.ui.visitor import Visitor
from core.ui.warmup import wait_for_server
from tests.browser import free_port, stop

STATE = re.compile(r"running (\d+) waiting (\d+) started (\{.*\}) finished (\{.*\}) x (\d+)")


@pytest.fixture(scope="module")
def port():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "tests/server/heavy_app.py",
                                "--server.headless", "true", "--server.port", str(port),
                                "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_server(port)
        yield port
    finally:
        stop(process)


def state(visitor: Visitor) -> dict:
    running, waiting, started, finished, x = STATE.search(visitor.texts[-1]).groups()
    return {"running": int(running), "waiting": int(waiting), "started": ast.literal_eval(started),
            "finished": ast.literal_eval(finished), "x": int(x)}


async def until(visitor: Visitor, condition, timeout: float = 30.0) -> dict:
    """The page's state, reopened every 0.2 s, once `condition` holds (a failure if it never does)."""
    deadline = time.monotonic() + timeout
    while True:
        await visitor.open("")
        seen = state(visitor)
        if condition(seen):
            return seen
        assert time.monotonic() < deadline, f"still {seen} after {timeout} s"
        await asyncio.sleep(0.2)


async def shown(visitor: Visitor, prefix: str, timeout: float = 30.0) -> str:
    """The key of the control starting with `prefix`, once the page shows it."""
    deadline = time.monotonic() + timeout
    while not (keys := [key for key in visitor.controls if key.startswith(prefix)]):
        assert time.monotonic() < deadline, f"no {prefix}… on the page after {timeout} s"
        await asyncio.sleep(0.1)
    return keys[0]


async def a_job_ended_by(port: int, tag: str, leave) -> None:
    async with Visitor(port) as other:
        student = Visitor(port)
        await student.__aenter__()
        job = asyncio.create_task(student.open("", job="slow", tag=tag))
        await until(other, lambda s: s["started"].get(tag) == 1 and s["running"] == 1)
        await leave(student)
        ended = await until(other, lambda s: s["running"] == 0)
        assert tag not in ended["finished"], "the job ran to its end"
        await job
        await student.__aexit__()


def test_a_student_who_clicks_elsewhere_ends_their_running_job(port):
    async def click_elsewhere(student: Visitor) -> None:
        run = await student.open("")
        assert run.status == "ok" and not run.exceptions
    asyncio.run(a_job_ended_by(port, "click", click_elsewhere))


def test_a_student_who_closes_the_tab_ends_their_running_job(port):
    asyncio.run(a_job_ended_by(port, "closed", lambda student: student.__aexit__()))


def test_cancel_ends_a_running_job_until_the_student_asks_for_it_again(port):
    async def cancel() -> None:
        async with Visitor(port) as student, Visitor(port) as other:
            job = asyncio.create_task(student.open("", job="slow", tag="cancel"))
            await until(other, lambda s: s["started"].get("cancel") == 1 and s["running"] == 1)
            button = await shown(student, "heavy_cancel_")
            run = await student.move(button, True)
            assert run.status == "ok" and not run.exceptions
            await shown(student, "heavy_again_")
            ended = await until(other, lambda s: s["running"] == 0)
            assert "cancel" not in ended["finished"]
            await job
            again = asyncio.create_task(student.move(button.replace("cancel", "again", 1), True))
            await until(other, lambda s: s["started"].get("cancel") == 2)  # asked for again, it runs again
            await student.open("")  # and clicking elsewhere ends it
            await until(other, lambda s: s["running"] == 0)
            await again
    asyncio.run(cancel())


def test_two_students_asking_for_the_same_job_share_one_computation(port):
    async def both() -> None:
        async with Visitor(port) as first, Visitor(port) as second:
            runs = await asyncio.gather(first.open("", job="same", tag="shared"),
                                        second.open("", job="same", tag="shared"))
            assert [r.status for r in runs] == ["ok", "ok"] and not any(r.exceptions for r in runs)
            assert "result shared" in first.texts and "result shared" in second.texts
            assert state(second)["started"]["shared"] == 1
    asyncio.run(both())


def test_a_job_that_fails_is_a_message_and_frees_its_slot(port):
    async def failing() -> None:
        async with Visitor(port) as student, Visitor(port) as other:
            for _ in range(2):  # a failure is not kept: asked again, it runs (and fails) again
                run = await student.open("", job="fail", tag="f")
                assert run.status == "ok" and not run.exceptions
                assert any("A failing job** failed: division by zero" in e for e in run.errors)
            assert await until(other, lambda s: s["running"] == 0 and s["waiting"] == 0)
    asyncio.run(failing())


def test_a_hundred_rapid_moves_end_on_the_last_value_and_leave_others_alone(port):
    async def rapid() -> None:
        async with Visitor(port) as student, Visitor(port) as other:
            await student.open("")
            await other.open("")
            runs = await asyncio.gather(*(student.move("x", value) for value in range(1, 101)))
            assert not any(r.exceptions or r.errors or r.status not in ("ok", "superseded") for r in runs)
            assert (await until(student, lambda s: True))["x"] == 100  # the server read every move, in order
            await other.open("")
            assert state(other)["x"] == 0
    asyncio.run(rapid())
