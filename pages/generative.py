"""Generative models: discriminating with a generative model, autoencoders, variational autoencoders, and GANs
(in 2-D, as GAN Lab shows them, and on images)."""
from core.ui.segment import show

SECTIONS = (  # as core.lecture lists them (tests/unit/test_layout.py keeps the two equal)
    "You just discriminated using a generative model", "Autoencoders", "Variational autoencoders", "GANs",
)

show(__file__)
