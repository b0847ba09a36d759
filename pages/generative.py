"""Generative models: discriminating with a generative model, autoencoders, variational autoencoders, and GANs
(in 2-D, as GAN Lab shows them, and on images)."""
import streamlit as st

from core.ui import autoencoders, gans, generative_vs_discriminative, url_state, vae
from core.ui.entrypoint import require_app

require_app()

SECTIONS = {
    "You just discriminated using a generative model": generative_vs_discriminative.section,
    "Autoencoders": autoencoders.section,
    "Variational autoencoders": vae.section,
    "GANs": gans.section,
}

st.title("Generative models")
section = url_state.choice(st.segmented_control, "Section", list(SECTIONS), key="section", label_visibility="collapsed")
SECTIONS[section]()
