"""One artificial neuron, y = f(w·x + b), and why a network without non-linear activations is just one linear map."""
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

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

# Their derivatives f'(z), for fitting by hand (at z = 0 ReLU's is 0, as torch's).
DERIVATIVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": np.ones_like,
    "sigmoid": lambda z: (s := sigmoid(z)) * (1 - s),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float),
    "leaky_relu": lambda z: np.where(z > 0, 1.0, LEAK),
}

ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8  # torch.optim.Adam's defaults


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
    """The simplest network, one layer of one neuron, fitted to (x, y) by full-batch Adam on squared error: the
    gradient and Adam's update written out (the same steps as torch.optim.Adam, tested), a few milliseconds."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    params = np.random.default_rng(seed).standard_normal(2)  # (w, b)
    f, df = ACTIVATIONS[activation], DERIVATIVES[activation]
    (beta1, beta2), m, v = ADAM_BETAS, np.zeros(2), np.zeros(2)
    losses = []
    for t in range(1, steps + 1):
        z = params[0] * x + params[1]
        error = f(z) - y
        losses.append(float(np.mean(error ** 2)))
        dz = 2 * error * df(z) / len(x)  # ∂ loss / ∂ z_i
        grad = np.array([dz @ x, dz.sum()])
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad ** 2
        params = params - lr / (1 - beta1 ** t) * m / (np.sqrt(v) / np.sqrt(1 - beta2 ** t) + ADAM_EPS)
    w_fit, b_fit = float(params[0]), float(params[1])
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
