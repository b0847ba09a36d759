"""One artificial neuron, y = f(w·x + b), and why a network without non-linear activations is just one linear map."""
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

LEAK = 0.01  # leaky ReLU's slope for z < 0


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), written as (1 + tanh(z/2)) / 2 so large |z| never overflows."""
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z)))


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda z: np.asarray(z),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(np.asarray(z) > 0, z, LEAK * np.asarray(z)),
}

# The same functions on tensors, so torch can differentiate them while fitting.
TORCH_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "linear": lambda z: z,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, LEAK),
}


def neuron(x: np.ndarray, w: float | np.ndarray, b: float, activation: str) -> np.ndarray:
    """A neuron's output f(w·x + b): x is (n,) with a scalar w, or (n, d) with w of shape (d,)."""
    z = np.dot(x, w) + b  # (n,)
    return ACTIVATIONS[activation](z)


@dataclass
class FitResult:
    w: float
    b: float
    curve: tuple[np.ndarray, np.ndarray]  # (x_grid, y_pred), each (200,), for drawing the fitted neuron
    losses: list[float]  # mean squared error after 0, 1, …, steps updates
    final_loss: float


def fit_one_neuron(x: np.ndarray, y: np.ndarray, activation: str, steps: int = 300, lr: float = 0.05,
                   seed: int = 0) -> FitResult:
    """The simplest network, one layer of one neuron, fitted to (x, y) by full-batch Adam on squared error."""
    g = torch.Generator().manual_seed(seed)
    w, b = (torch.randn((), generator=g, dtype=torch.float64, requires_grad=True) for _ in range(2))
    xt, yt = torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64)
    f = TORCH_ACTIVATIONS[activation]
    opt = torch.optim.Adam([w, b], lr=lr, fused=True)
    losses = []
    for _ in range(steps):
        loss = ((f(w * xt + b) - yt) ** 2).mean()
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    w_fit, b_fit = w.item(), b.item()
    final_loss = float(np.mean((neuron(x, w_fit, b_fit, activation) - y) ** 2))
    x_grid = np.linspace(float(np.min(x)), float(np.max(x)), 200)
    return FitResult(w_fit, b_fit, (x_grid, neuron(x_grid, w_fit, b_fit, activation)), losses + [final_loss], final_loss)


Layer = tuple[np.ndarray, np.ndarray]  # (W (2, 2), b (2,)): x ↦ W x + b


def stacked_linear(depth: int, seed: int = 0) -> tuple[list[Layer], Layer]:
    """depth random 2→2 linear layers, and the single (W, b) their composition collapses to."""
    rng = np.random.default_rng(seed)
    layers = [(rng.normal(size=(2, 2)), rng.normal(size=2)) for _ in range(depth)]
    W_all, b_all = np.eye(2), np.zeros(2)
    for W, b in layers:
        # W (W_all x + b_all) + b = (W W_all) x + (W b_all + b): still one linear map
        W_all, b_all = W @ W_all, W @ b_all + b
    return layers, (W_all, b_all)


def through_stack(layers: list[Layer], points: np.ndarray, activation: str = "linear") -> np.ndarray:
    """Points (N, 2) sent through each layer in turn, with the activation between layers (not after the last)."""
    for i, (W, b) in enumerate(layers):
        points = points @ W.T + b  # (N, 2)
        if i < len(layers) - 1:
            points = ACTIVATIONS[activation](points)
    return points


@dataclass
class StackComparison:
    inputs: np.ndarray  # (side², 2) a square grid, row by row: reshape to (side, side, 2) to draw its lines
    stacked: np.ndarray  # (side², 2) the grid after the stack of layers
    single: np.ndarray  # (side², 2) the grid after the one equivalent linear map
    max_difference: float  # max |stacked − single|: rounding error when linear, large with an activation


def stack_vs_single_map(depth: int = 3, activation: str = "linear", seed: int = 0, side: int = 11) -> StackComparison:
    """Map a grid through a stack of layers and through its single equivalent map, and measure the gap."""
    layers, (W, b) = stacked_linear(depth, seed)
    axis = np.linspace(-2, 2, side)
    inputs = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    stacked = through_stack(layers, inputs, activation)
    single = inputs @ W.T + b
    return StackComparison(inputs, stacked, single, float(np.abs(stacked - single).max()))
