"""The warm-up (`python -m core.ui.warmup`, a step of `make run`) against a real `streamlit run app.py`: it opens
every section of every segment and every stop of the lecture, presses the buttons there that ask for slow work, and
each answers without a traceback or an error."""
import asyncio
import subprocess

from core.lecture import ROOT, SEGMENTS, STOPS
from core.ui import warmup
from core.ui.visitor import Visitor
from tests.browser import free_port, stop, streamlit_command


def test_the_views_are_every_section_then_every_stop():
    views = warmup.views()
    sections = [(s.url_path, {"section": section.title}) for s in SEGMENTS for section in s.sections]
    assert views[:len(sections)] == sections
    assert [query["lecture"] for _, query in views[len(sections):]] == [str(n) for n in range(1, len(STOPS) + 1)]


async def asks_left(port: int, page: str, section: str) -> list[str]:
    async with Visitor(port) as visitor:
        await visitor.open(page, section=section)
        return [key for key in visitor.controls if key.startswith(warmup.ASK)]


def test_the_warm_up_opens_every_view_and_asks_for_its_slow_work_without_a_traceback():
    port = free_port()
    process = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        warmup.wait_for_server(port)
        runs = asyncio.run(warmup.warm(port))
        left = asyncio.run(asks_left(port, "cnns", "Why a house, a dog, a train"))
    finally:
        stop(process)
    assert len([run for run in runs if run.what.startswith("open ")]) == len(warmup.views())
    assert len([run for run in runs if run.what.startswith(warmup.ASK)]) >= 4  # two slow maps for each of two classes
    assert left == []  # the next visitor finds them computed
    trouble = [(run.what, run.status, run.exceptions, run.errors) for run in runs
               if run.status != "ok" or run.exceptions or run.errors]
    assert trouble == []


def test_every_choice_moves_each_control_through_its_values_without_a_traceback():
    section = SEGMENTS[1].section("Neurons and non-linearity")
    port = free_port()
    process = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        warmup.wait_for_server(port)
        runs = asyncio.run(warmup.every_choice(port, only=section.title))
    finally:
        stop(process)
    moved = {run.what.split("=")[0] for run in runs}
    assert {"nn_w", "nn_b", "nn_activation"} <= moved
    assert [(run.what, run.status, run.exceptions, run.errors) for run in runs
            if run.status != "ok" or run.exceptions or run.errors] == []


def test_a_slider_is_walked_through_at_most_max_values_steps_ends_included():
    from core.ui.visitor import Control
    fine = warmup.values(Control("id", "slider", "k", low=0.0, high=1.0, step=0.001))
    assert len(fine) == warmup.MAX_VALUES and fine[0] == 0.0 and fine[-1] == 1.0
    assert warmup.values(Control("id", "slider", "k", low=1, high=12, step=1, integer=True)) == list(range(1, 13))
    assert warmup.values(Control("id", "select_slider", "k", options=["a", "b"])) == ["a", "b"]
    classes = [str(i) for i in range(1000)]  # the ImageNet classes, most probable first
    assert warmup.values(Control("id", "selectbox", "k", options=classes)) == classes[:warmup.MAX_VALUES]
