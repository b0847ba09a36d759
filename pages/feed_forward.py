"""Feed-forward networks: neurons and non-linearity, sums of sigmoids, the Playground, gradient descent,
backpropagation, overfitting and regularization."""
from core.ui.segment import show

show(__file__)
