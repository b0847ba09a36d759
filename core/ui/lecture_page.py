"""The lecture page: in lecture mode, a text stop's slide; otherwise the whole lecture, stop by stop, as links."""
import streamlit as st

from core import lecture
from core.ui import presenter
from core.ui.segment import ensure_app


def show() -> None:
    ensure_app()
    stop = presenter.current()
    if stop and stop.page == lecture.LECTURE_PAGE:
        st.title(stop.title)
        st.markdown(stop.text)
        return
    st.title("The lecture, stop by stop")
    st.markdown("Tutorial 2 – *CNNs, RNNs, GANs et al.* (Spandan Madan), in the notes' order. Each link opens its "
                "stop in lecture mode: the presenter panel in the sidebar, → and ← (or a clicker) to move on.")
    for part in lecture.PARTS:
        st.subheader(part.title + (f" · {part.minutes} min" if part.minutes else ""))
        st.markdown("\n".join(f"{number}. [{s.title}]({presenter.stop_link(number)})"
                              for number, s in enumerate(lecture.STOPS, 1) if s.part == part.title))
