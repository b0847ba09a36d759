"""Recap: ML as a toolkit, hand-made vs learned features, and making a hard dataset easy by transforming it."""
from core.ui.segment import show

show(__file__)
