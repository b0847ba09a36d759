"""Adversarial examples and out-of-distribution generalization: attacks, how fragile and how defended the models
are, attacks that survive a camera, and how predictions hold up under pose, colour/texture, motion blur and time."""
from core.ui.segment import show

SECTIONS = (  # as core.lecture lists them (tests/unit/test_layout.py keeps the two equal)
    "Adversarial examples", "How fragile, how defended", "Physical adversarial examples",
    "Out-of-distribution generalization",
)

show(__file__)
