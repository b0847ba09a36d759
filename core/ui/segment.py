"""A segment's page: its title, the section selector (in the URL) and the chosen section, from core.lecture.

On a fresh server, Streamlit sends the first request for a deep link (say /recap?section=…) straight to
pages/recap.py, as in a legacy `pages/`-folder app, until some run has called st.navigation; the page then
reruns through app.py, keeping the URL."""
import importlib

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from core import lecture
from core.data import DataUnavailable
from core.ui import presenter, url_state


def ensure_app() -> None:
    """Rerun through app.py if Streamlit ran this page file on its own."""
    if not url_state.app_is_running():
        PagesManager.uses_pages_directory = False  # what st.navigation itself records once it has run
        st.rerun()


def show(page_file: str) -> None:
    """Draw the segment whose page is `page_file`: title, section selector, the class's questions and the section."""
    ensure_app()
    segment = lecture.segment_of(page_file)
    st.title(segment.heading)
    title = url_state.choice(st.segmented_control, "Section", [s.title for s in segment.sections], key="section",
                             label_visibility="collapsed")
    presenter.questions(segment.file, title)
    try:
        importlib.import_module(segment.section(title).module).section()
    except DataUnavailable as missing:
        st.error(f"**This section needs {missing.what}, which this computer does not have.** Install it with "
                 f"`{missing.install_hint}`, then reload the page.", icon=":material/cloud_off:")
