"""Projector mode: larger text, thicker lines and a colour-blind-safe palette, for a lecture hall; the plot display
that honours it, and folds (parts of a page made only once opened). The sidebar, which the lecturer reads, keeps its
size."""
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.plots import NORMAL, PROJECTOR, PlotStyle
from core.ui import live_loop, url_state

KEY = "projector"
_LARGE_TEXT = """<style>
.stMain p, .stMain li, .stMain label, .stMain button, .stMain [data-testid="stWidgetLabel"] p,
.stMain [data-baseweb="select"] div, .stMain [data-testid="stSliderThumbValue"],
.stMain [data-testid="stCaptionContainer"],
.stMain input, .stMain textarea
{ font-size: 1.3rem !important; }
.stMain h1 { font-size: 3rem !important; } .stMain h2 { font-size: 2.3rem !important; }
.stMain h3 { font-size: 1.8rem !important; }
.stMain [data-baseweb="select"] div, .stMain [data-baseweb="select"] span, .stMain [data-baseweb="tag"] span
{ font-size: 1.3rem !important; }
.stMain [data-testid="stMetricValue"], .stMain [data-testid="stMetricValue"] * { font-size: 3rem !important; }
</style>"""


def toggle() -> bool:
    """The sidebar switch; when on, the page's text grows too."""
    on = url_state.toggle("Projector mode", key=KEY, help="Larger text, thicker lines, colour-blind-safe colours.")
    if on:
        st.html(_LARGE_TEXT)
    return on


def chart(fig, key: str, on_click: Callable | None = None) -> None:
    """Show a plotly figure with its own fonts and colours (Streamlit's chart theme would override them);
    `on_click` runs when a point is clicked, with the chart's selection in st.session_state[key]."""
    clicks = dict(on_select=on_click, selection_mode="points") if on_click else {}
    st.plotly_chart(fig, key=key, theme=None, config={"displaylogo": False}, **clicks)


_SCENE = Path(__file__).parent / "scene3d"
_scene_renderer = st.components.v2.component(
    "scene3d", js=live_loop.script(live_loop.LINE_CHART, _SCENE.with_suffix(".js")),
    css=_SCENE.with_suffix(".css").read_text())


def scene(figure: dict, key: str) -> None:
    """Show a 3-D figure (core/scene3d.py), drawn on a canvas in the browser; the student turns it by dragging."""
    _scene_renderer(key=key, data=figure)


def fold(label: str, key: str, opened_by: tuple[str, ...] = (), **kw) -> DeltaGenerator | None:
    """A part of the page behind an expander whose contents are made only while it is open (None while closed), so
    that the page appears sooner. A link that sets one of the controls in `opened_by` opens it (else the setting would
    go unused)."""
    folded = st.expander(label, expanded=any(k in st.query_params for k in opened_by), key=key, on_change="rerun",
                         **kw)
    return folded if folded.open else None


def style() -> PlotStyle:
    """The plot style every figure on the page uses."""
    return PROJECTOR if st.session_state.get(KEY) else NORMAL
