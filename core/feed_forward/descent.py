"""Gradient descent on two-parameter loss surfaces: full batch, SGD, momentum and Adam, each update written out by hand."""
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.feed_forward.neurons import sigmoid

Params = np.ndarray  # (..., 2): one point (2,), or a whole grid of points (G, G, 2)
MinibatchGrad = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]  # (p, batch_size, rng) → (2,)


@dataclass(frozen=True)
class Surface:
    name: str
    axes: tuple[str, str]  # the two parameters' names, e.g. ("w", "b")
    x: np.ndarray  # (G,) values of the first parameter
    y: np.ndarray  # (G,) values of the second parameter
    z: np.ndarray  # (G, G) loss, z[i, j] at (x[j], y[i]): the layout contour and surface plots expect
    start: tuple[float, float]  # a starting point that shows what this surface teaches
    loss: Callable[[Params], np.ndarray]  # (..., 2) → (...)
    grad: Callable[[Params], np.ndarray]  # (..., 2) → (..., 2): the full-batch gradient
    minibatch_grad: MinibatchGrad  # the gradient SGD sees: estimated from batch_size examples


def _grid(loss: Callable[[Params], np.ndarray], x_range: tuple[float, float], y_range: tuple[float, float],
          size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The loss evaluated on a size×size grid: (x (G,), y (G,), z (G, G))."""
    x, y = np.linspace(*x_range, size), np.linspace(*y_range, size)
    points = np.stack(np.meshgrid(x, y), axis=-1)  # (G, G, 2), points[i, j] = (x[j], y[i])
    return x, y, loss(points)


# --- a real loss: one sigmoid neuron fitted to small 1-D data ---------------------------------------------------

def neuron_data(n: int = 24, true_w: float = 1.0, true_b: float = 0.5, noise: float = 0.1,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n points (x, y) with y = σ(true_w·x + true_b) + noise: the bottom of the loss surface is near (true_w, true_b)."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3, 3, n))
    return x, sigmoid(true_w * x + true_b) + noise * rng.normal(size=n)


def one_neuron_surface(n: int = 24, noise: float = 0.1, seed: int = 0, size: int = 61) -> Surface:
    """Squared error of a neuron σ(w x + b) on neuron_data, over the plane of its two parameters (w, b)."""
    xs, ys = neuron_data(n, noise=noise, seed=seed)

    def example_losses(p: Params) -> np.ndarray:
        """(σ(w x_i + b) − y_i)² for each example: (..., n)."""
        o = sigmoid(p[..., 0, None] * xs + p[..., 1, None])
        return (o - ys) ** 2

    def example_grads(p: Params) -> np.ndarray:
        """Each example's gradient (∂ℓ_i/∂w, ∂ℓ_i/∂b) by the chain rule: (..., n, 2)."""
        o = sigmoid(p[..., 0, None] * xs + p[..., 1, None])  # (..., n)
        dl_dz = 2 * (o - ys) * o * (1 - o)  # ∂ℓ/∂o · ∂o/∂z
        return np.stack([dl_dz * xs, dl_dz], axis=-1)  # ∂z/∂w = x, ∂z/∂b = 1

    def minibatch_grad(p: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        batch = rng.choice(n, size=min(batch_size, n), replace=False)
        return example_grads(p)[batch].mean(axis=0)

    def loss(p: Params) -> np.ndarray:
        return example_losses(p).mean(axis=-1)

    def grad(p: Params) -> np.ndarray:
        return example_grads(p).mean(axis=-2)

    x, y, z = _grid(loss, (-4.0, 4.0), (-4.0, 4.0), size)
    return Surface("one neuron", ("w", "b"), x, y, z, (-3.0, 3.0), loss, grad, minibatch_grad)


# --- an analytic landscape with a local and a global minimum -----------------------------------------------------

BOWL = 0.1  # the bowl 0.1·|θ|² keeps everything heading back to the middle
WELLS = [  # (centre, depth, width) of Gaussian wells dug into the bowl
    (np.array([1.0, 0.5]), 2.0, 1.0),  # wide and deep: the global minimum
    (np.array([-1.8, -1.2]), 1.0, 0.45),  # narrow and shallow: a local minimum
]
GRADIENT_NOISE = 2.0  # SGD's noise at batch size 1; an average of B examples has 1/√B of it


def local_minimum_landscape(size: int = 61) -> Surface:
    """L(θ) = 0.1·|θ|² − Σ depth·exp(−|θ − centre|² / 2·width²): one local and one global minimum on [−3, 3]²."""

    def loss(p: Params) -> np.ndarray:
        value = BOWL * (p ** 2).sum(-1)
        for centre, depth, width in WELLS:
            value = value - depth * np.exp(-((p - centre) ** 2).sum(-1) / (2 * width ** 2))
        return value

    def grad(p: Params) -> np.ndarray:
        g = 2 * BOWL * p
        for centre, depth, width in WELLS:
            well = depth * np.exp(-((p - centre) ** 2).sum(-1) / (2 * width ** 2))
            g = g + well[..., None] * (p - centre) / width ** 2
        return g

    def minibatch_grad(p: np.ndarray, batch_size: int, rng: np.random.Generator) -> np.ndarray:
        # No examples here, so a mini-batch is imitated: the true gradient plus Gaussian noise of standard
        # deviation GRADIENT_NOISE/√batch_size per coordinate, the spread of an average of batch_size samples.
        return grad(p) + rng.normal(scale=GRADIENT_NOISE / np.sqrt(batch_size), size=2)

    x, y, z = _grid(loss, (-3.0, 3.0), (-3.0, 3.0), size)
    return Surface("local minimum", ("θ₁", "θ₂"), x, y, z, (-2.6, -2.2), loss, grad, minibatch_grad)


# --- the optimizers -----------------------------------------------------------------------------------------------

MOMENTUM = 0.9  # μ: how much of the previous velocity is kept
BETAS = (0.9, 0.999)  # Adam's decay rates for the mean and the mean square of the gradient
EPS = 1e-8


def _plain_step(p: np.ndarray, g: np.ndarray, state: dict, lr: float, t: int) -> np.ndarray:
    """θ ← θ − η·g."""
    return p - lr * g


def _momentum_step(p: np.ndarray, g: np.ndarray, state: dict, lr: float, t: int) -> np.ndarray:
    """v ← μ·v + g;  θ ← θ − η·v: a heavy ball that keeps rolling."""
    state["v"] = MOMENTUM * state.get("v", 0.0) + g
    return p - lr * state["v"]


def _adam_step(p: np.ndarray, g: np.ndarray, state: dict, lr: float, t: int) -> np.ndarray:
    """m, s ← running means of g and g²;  θ ← θ − η·m̂ / (√ŝ + ε), with m̂, ŝ corrected for starting at 0."""
    beta1, beta2 = BETAS
    state["m"] = beta1 * state.get("m", 0.0) + (1 - beta1) * g
    state["s"] = beta2 * state.get("s", 0.0) + (1 - beta2) * g ** 2
    m_hat, s_hat = state["m"] / (1 - beta1 ** t), state["s"] / (1 - beta2 ** t)
    return p - lr * m_hat / (np.sqrt(s_hat) + EPS)


UPDATES = {"gradient descent": _plain_step, "SGD": _plain_step, "momentum": _momentum_step, "Adam": _adam_step}
OPTIMIZERS = tuple(UPDATES)


def path(surface: Surface, optimizer: str, start: tuple[float, float] | None = None, lr: float = 0.1,
         steps: int = 100, batch_size: int | None = None, seed: int = 0) -> np.ndarray:
    """The points an optimizer visits from start: (steps + 1, 2).

    "gradient descent" always uses the full-batch gradient; "SGD", "momentum" and "Adam" use a mini-batch of
    batch_size (None: the full batch, so SGD is then gradient descent).
    """
    rng = np.random.default_rng(seed)
    update, state = UPDATES[optimizer], {}
    p = np.array(surface.start if start is None else start, dtype=float)
    points = [p]
    for t in range(1, steps + 1):
        if optimizer == "gradient descent" or batch_size is None:
            g = surface.grad(p)
        else:
            g = surface.minibatch_grad(p, batch_size, rng)
        p = update(p, g, state, lr, t)
        points.append(p)
    return np.array(points)
