"""Every page runs inside app.py. On a fresh server, Streamlit sends the first request for a deep link
(say /recap?section=…) straight to pages/recap.py, as in a legacy `pages/`-folder app, until some run
has called st.navigation; `require_app()` at the top of each page then reruns through app.py."""
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from core.ui import url_state


def require_app() -> None:
    """Rerun through app.py (keeping the URL) if this page was started without it."""
    if not url_state.app_is_running():
        PagesManager.uses_pages_directory = False  # what st.navigation itself records once it has run
        st.rerun()
