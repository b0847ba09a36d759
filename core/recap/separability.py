"""Recap: "Is there a way to transform Data B into Data A so that classification becomes easy?"

Data A is linearly separable; Data B (concentric circles) is not, until a feature such as x₁²+x₂² is
added, or until a small network's hidden layer learns a transformation that does the same.
"""
from dataclasses import dataclass

import numpy as np

from core.data import toy

CLASSES = ["class 0", "class 1"]


def data_a(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs: a straight line separates them."""
    return toy.gauss(n, noise, seed)


def data_b(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A disc inside a ring: no straight line separates them."""
    return toy.circle(n, noise, seed)


def lift(X: np.ndarray) -> np.ndarray:
    """Add the hand-made feature x₁² + x₂² (squared distance from the centre) as a third coordinate."""
    return np.column_stack([X, (X ** 2).sum(1)]).astype(np.float32)


def linear_accuracy(X: np.ndarray, y: np.ndarray, iterations: int = 25) -> float:
    """Training accuracy of the best straight-line (plane) classifier, fitted by logistic regression (Newton's method)."""
    A = np.column_stack([(X - X.mean(0)) / (X.std(0) + 1e-6), np.ones(len(X))])  # (n, d+1)
    w = np.zeros(A.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-A @ w))
        hessian = A.T @ (A * (p * (1 - p))[:, None]) + 1e-3 * np.eye(A.shape[1])  # small ridge keeps it solvable
        w -= np.linalg.solve(hessian, A.T @ (p - y))
    return float(((A @ w > 0) == y.astype(bool)).mean())


@dataclass
class Snapshot:
    step: int
    hidden: np.ndarray  # (n, 3): each point as the hidden layer sees it
    plane: np.ndarray  # (4,): the output neuron's plane w·h + b = 0, as (w1, w2, w3, b)
    loss: float
    accuracy: float


def hidden_layer_gradients(params: dict[str, np.ndarray], x: np.ndarray, t: np.ndarray) -> tuple[float, dict, np.ndarray,
                                                                                                np.ndarray]:
    """Loss, gradients (the chain rule by hand), hidden activations and logits of 2 → 3 tanh → 1 sigmoid."""
    h = np.tanh(x @ params["W1"] + params["b1"])  # (n, 3)
    logits = h @ params["w2"] + params["b2"]  # (n,)
    p = 1 / (1 + np.exp(-logits))
    loss = float(np.mean(np.logaddexp(0, logits) - t * logits))  # binary cross-entropy, computed stably
    d_logits = (p - t) / len(t)  # (n,)
    d_h = np.outer(d_logits, params["w2"]) * (1 - h ** 2)  # (n, 3): back through the output weights and tanh
    grads = {"W1": x.T @ d_h, "b1": d_h.sum(0), "w2": h.T @ d_logits, "b2": d_logits.sum()}
    return loss, grads, h, logits


def hidden_layer_over_training(X: np.ndarray, y: np.ndarray, steps: int = 600, every: int = 30,
                               seed: int = 0, lr: float = 0.05) -> list[Snapshot]:
    """Train 2 → 3 tanh → 1 sigmoid on X with Adam and record how the hidden layer maps the points as it learns."""
    rng = np.random.default_rng(seed)
    x, t = X / 6.0, y.astype(np.float64)
    bound = 1 / np.sqrt(2)  # torch's default initialisation for a layer with 2 inputs
    params = {"W1": rng.uniform(-bound, bound, (2, 3)), "b1": rng.uniform(-bound, bound, 3),
              "w2": rng.uniform(-1 / np.sqrt(3), 1 / np.sqrt(3), 3), "b2": np.array(0.0)}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    snapshots = []
    for step in range(steps + 1):
        loss, grads, h, logits = hidden_layer_gradients(params, x, t)
        if step % every == 0:
            plane = np.append(params["w2"], params["b2"])
            snapshots.append(Snapshot(step, h, plane, loss, float(((logits > 0) == t.astype(bool)).mean())))
        for k in params:  # Adam, as torch.optim.Adam with its defaults
            m[k] = 0.9 * m[k] + 0.1 * grads[k]
            v[k] = 0.999 * v[k] + 0.001 * grads[k] ** 2
            params[k] = params[k] - lr * (m[k] / (1 - 0.9 ** (step + 1))) / (np.sqrt(v[k] / (1 - 0.999 ** (step + 1))) + 1e-8)
    return snapshots
