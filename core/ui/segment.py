"""A segment's page: its title, the section selector (in the URL) and the chosen section, from core.lecture.

On a fresh server, Streamlit sends the first request for a deep link (say /recap?section=…) straight to
pages/recap.py, as in a legacy `pages/`-folder app, until some run has called st.navigation; the page then
reruns through app.py, keeping the URL."""
import importlib

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from core import lecture
from core.ui import url_state


def show(page_file: str) -> None:
    """Draw the segment whose page is `page_file`: title, section selector, and the section chosen."""
    if not url_state.app_is_running():
        PagesManager.uses_pages_directory = False  # what st.navigation itself records once it has run
        st.rerun()
    segment = lecture.segment_of(page_file)
    st.title(segment.heading)
    title = url_state.choice(st.segmented_control, "Section", [s.title for s in segment.sections], key="section",
                             label_visibility="collapsed")
    importlib.import_module(segment.section(title).module).section()
