"""Recap: "Is there a way to transform Data B into Data A so that classification becomes easy?"

Data A is linearly separable; Data B (concentric circles) is not, until a feature such as x₁²+x₂² is
added, or until a small network's hidden layer learns a transformation that does the same.
"""
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

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


def hidden_layer_over_training(X: np.ndarray, y: np.ndarray, steps: int = 600, every: int = 30,
                               seed: int = 0) -> list[Snapshot]:
    """Train 2 → 3 tanh → 1 sigmoid on X and record how the hidden layer maps the points as it learns."""
    torch.manual_seed(seed)
    x, t = torch.from_numpy(X / 6.0).float(), torch.from_numpy(y).float()
    hidden, out = nn.Linear(2, 3), nn.Linear(3, 1)
    opt = torch.optim.Adam([*hidden.parameters(), *out.parameters()], lr=0.05)
    snapshots = []
    for step in range(steps + 1):
        h = torch.tanh(hidden(x))  # (n, 3)
        logits = out(h).squeeze(1)
        loss = nn.functional.binary_cross_entropy_with_logits(logits, t)
        if step % every == 0:
            plane = torch.cat([out.weight[0], out.bias]).detach().numpy().copy()
            acc = ((logits > 0).float() == t).float().mean().item()
            snapshots.append(Snapshot(step, h.detach().numpy().copy(), plane, loss.item(), acc))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return snapshots
