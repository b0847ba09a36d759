"""Projector mode: larger text, thicker lines and a colour-blind-safe palette, for a lecture hall."""
import streamlit as st

from core.plots import NORMAL, PROJECTOR, PlotStyle
from core.ui import url_state

KEY = "projector"
_LARGE_TEXT = """<style>
html, .stMarkdown p, .stMarkdown li, label, .stCaption, button p { font-size: 1.3rem !important; }
h1 { font-size: 3rem !important; } h2 { font-size: 2.3rem !important; } h3 { font-size: 1.8rem !important; }
</style>"""


def toggle() -> bool:
    """The sidebar switch; when on, the page's text grows too."""
    on = url_state.toggle("Projector mode", key=KEY, help="Larger text, thicker lines, colour-blind-safe colours.")
    if on:
        st.html(_LARGE_TEXT)
    return on


def style() -> PlotStyle:
    """The plot style every figure on the page uses."""
    return PROJECTOR if st.session_state.get(KEY) else NORMAL
