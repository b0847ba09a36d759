"""CNNs: convolution, layers of convolutions trained on real data, what the network learned, which pixels made it
decide, ImageNet classification, and retrieval."""
import streamlit as st

from core.ui import classification, cnn_training, convolution_explorer, learned, retrieval, saliency, url_state
from core.ui.entrypoint import require_app

require_app()

SECTIONS = {
    "Convolution": convolution_explorer.section,
    "Layers of convolutions": cnn_training.section,
    "What has the network learned?": learned.section,
    "Why a house, a dog, a train": saliency.section,
    "Classification": classification.section,
    "Retrieval": retrieval.section,
}

st.title("Convolutional neural networks")
section = url_state.choice(st.segmented_control, "Section", list(SECTIONS), key="section", label_visibility="collapsed")
SECTIONS[section]()
