"""Adversarial examples and out-of-distribution generalization: attacks, how fragile and how defended the models
are, attacks that survive a camera, and how predictions hold up under pose, colour/texture, motion blur and time."""
import streamlit as st

from core.ui import adversarial_examples, out_of_distribution, physical, robustness, url_state
from core.ui.entrypoint import require_app

require_app()

SECTIONS = {
    "Adversarial examples": adversarial_examples.section,
    "How fragile, how defended": robustness.section,
    "Physical adversarial examples": physical.section,
    "Out-of-distribution generalization": out_of_distribution.section,
}

st.title("Adversarial examples and out-of-distribution generalization")
section = url_state.choice(st.segmented_control, "Section", list(SECTIONS), key="section", label_visibility="collapsed")
SECTIONS[section]()
