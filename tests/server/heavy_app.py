"""A page for the fault tests of heavy work (tests/server/test_heavy_faults.py), served by a real `streamlit run`:
`?job=slow&tag=T` runs a job of module forward passes for up to a minute, `?job=fail` a job that raises,
`?job=same&tag=T` a three-second job that several students may ask for at once. Every run prints the line's state
and how many jobs of each tag started and finished."""
import sys
import time
from collections import Counter
from pathlib import Path

import streamlit as st
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from core.ui import heavy  # noqa: E402


@st.cache_resource
def tally() -> dict[str, Counter]:
    return {"started": Counter(), "finished": Counter()}


def forward_passes(tag: str, seconds: float) -> str:
    tally()["started"][tag] += 1
    layer, x, end = torch.nn.Linear(8, 8), torch.zeros(1, 8), time.monotonic() + seconds
    while time.monotonic() < end:
        layer(x)
        time.sleep(0.005)
    tally()["finished"][tag] += 1
    return tag


job, tag = st.query_params.get("job", ""), st.query_params.get("tag", "")
if job == "slow":
    st.write(f"result {heavy.result(('slow', tag), lambda: forward_passes(tag, 60), 'A slow job')}")
elif job == "same":
    st.write(f"result {heavy.result(('same', tag), lambda: forward_passes(tag, 3), 'A shared job')}")
elif job == "fail":
    heavy.result(("fail", tag), lambda: 1 / 0, "A failing job")
value = st.slider("A control", 0, 100, 0, key="x")
running, waiting = heavy.LINE.busy
st.write(f"running {running} waiting {waiting} started {dict(tally()['started'])} "
         f"finished {dict(tally()['finished'])} x {value}")
