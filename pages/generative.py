"""Generative models: discriminating with a generative model, autoencoders, variational autoencoders, and GANs
(in 2-D, as GAN Lab shows them, and on images)."""
from core.ui.segment import show

show(__file__)
