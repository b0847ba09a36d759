"""Recap: ML as a toolkit, hand-made vs learned features, and making a hard dataset easy by transforming it."""
from core.ui.segment import show

SECTIONS = (  # as core.lecture lists them (tests/unit/test_layout.py keeps the two equal)
    "The toolkit perspective", "Features: hand-made vs learned", "Data A vs Data B",
)

show(__file__)
