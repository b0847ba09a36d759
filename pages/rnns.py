"""RNNs: the recurrence step by step, memorizing and forgetting, what a translation network learned
(Seq2Seq-Vis), and sentiment prediction."""
from core.ui.segment import show

show(__file__)
