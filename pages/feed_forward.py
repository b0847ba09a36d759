"""Feed-forward networks: neurons and non-linearity, sums of sigmoids, the Playground, gradient descent,
backpropagation, overfitting and regularization."""
from core.ui.segment import show

SECTIONS = (  # as core.lecture lists them (tests/unit/test_layout.py keeps the two equal)
    "Neurons and non-linearity", "Sums of sigmoids", "Playground", "Gradient descent and SGD", "Backpropagation",
    "Overfitting and regularization",
)

show(__file__)
