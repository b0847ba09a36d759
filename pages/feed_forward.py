"""Feed-forward networks: neurons and non-linearity, sums of sigmoids, the Playground, gradient descent,
backpropagation, overfitting and regularization."""
import streamlit as st

from core.ui import playground, url_state
from core.ui.entrypoint import require_app

require_app()

SECTIONS = ("Playground",)

st.title("Feed-forward networks")
section = url_state.choice(st.segmented_control, "Section", SECTIONS, key="section", label_visibility="collapsed")

{SECTIONS[0]: playground.section}[section]()
