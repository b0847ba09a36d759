"""RNNs: the recurrence step by step, memorizing and forgetting, what a translation network learned
(Seq2Seq-Vis), and sentiment prediction."""
from core.ui.segment import show

SECTIONS = (  # as core.lecture lists them (tests/unit/test_layout.py keeps the two equal)
    "The recurrence, step by step", "Memorizing and forgetting", "Translation with attention",
    "Sentiment prediction",
)

show(__file__)
