"""RNNs: the recurrence step by step, memorizing and forgetting, what a translation network learned
(Seq2Seq-Vis), and sentiment prediction."""
import streamlit as st

from core.ui import memory, recurrence, sentiment, translation, url_state
from core.ui.entrypoint import require_app

require_app()

SECTIONS = {
    "The recurrence, step by step": recurrence.section,
    "Memorizing and forgetting": memory.section,
    "Translation with attention": translation.section,
    "Sentiment prediction": sentiment.section,
}

st.title("Recurrent neural networks")
section = url_state.choice(st.segmented_control, "Section", list(SECTIONS), key="section", label_visibility="collapsed")
SECTIONS[section]()
