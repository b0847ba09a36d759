"""Adversarial examples and out-of-distribution generalization: attacks, how fragile and how defended the models
are, attacks that survive a camera, and how predictions hold up under pose, colour/texture, motion blur and time."""
from core.ui.segment import show

show(__file__)
