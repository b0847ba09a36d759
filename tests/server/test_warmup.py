"""The warm-up (`python -m core.ui.warmup`, a step of `make run`) against a real `streamlit run app.py`: it opens
every section of every segment and every stop of the lecture, and each answers without a traceback or an error."""
import asyncio
import subprocess

from core.lecture import ROOT, SEGMENTS, STOPS
from core.ui import warmup
from tests.browser import free_port, stop, streamlit_command


def test_the_views_are_every_section_then_every_stop():
    views = warmup.views()
    sections = [(s.url_path, {"section": section.title}) for s in SEGMENTS for section in s.sections]
    assert views[:len(sections)] == sections
    assert [query["lecture"] for _, query in views[len(sections):]] == [str(n) for n in range(1, len(STOPS) + 1)]


def test_the_warm_up_opens_every_view_without_a_traceback():
    port = free_port()
    process = subprocess.Popen(streamlit_command(port), cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        warmup.wait_for_server(port)
        runs = asyncio.run(warmup.warm(port))
    finally:
        stop(process)
    assert len(runs) == len(warmup.views())
    trouble = [(run.what, run.status, run.exceptions, run.errors) for run in runs
               if run.status != "ok" or run.exceptions or run.errors]
    assert trouble == []
