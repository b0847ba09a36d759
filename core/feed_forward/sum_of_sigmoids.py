"""From one neuron to one layer: scaled sigmoids a_i·σ(w_i x + b_i), summed with a bias c, approximate a curve g(x)."""
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import torch

from core.data.toy import CURVES
from core.device import to_numpy
from core.feed_forward.neurons import sigmoid
from core.training import Adam

X_RANGE = (-3.0, 3.0)

TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "bump": CURVES["bump"],
    "step": CURVES["step"],
    "sine": CURVES["sine"],
    "two bumps": lambda x: np.exp(-4 * (x + 1.5) ** 2) + 0.6 * np.exp(-4 * (x - 1.2) ** 2),
}


class Units(NamedTuple):
    w: np.ndarray  # (n_units,) weight: how steep each sigmoid is
    b: np.ndarray  # (n_units,) bias: where it steps, at x = −b/w
    a: np.ndarray  # (n_units,) output scale: how high (and which way) it steps
    c: float  # the output neuron's bias
    losses: list[float]  # mean squared error after 0, 1, …, steps updates (empty for slider defaults)


def units_output(x: np.ndarray, w: np.ndarray, b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Each unit's scaled output a_i·σ(w_i x + b_i): (n_units, len(x))."""
    x, w, b, a = (np.asarray(v, dtype=float) for v in (x, w, b, a))
    return a[:, None] * sigmoid(w[:, None] * x[None, :] + b[:, None])


def layer_output(x: np.ndarray, w: np.ndarray, b: np.ndarray, a: np.ndarray, c: float = 0.0) -> np.ndarray:
    """The layer's output f(x) = Σ_i a_i·σ(w_i x + b_i) + c: (len(x),)."""
    return units_output(x, w, b, a).sum(axis=0) + c


def grid(n: int = 200) -> np.ndarray:
    """n evenly spaced x on [−3, 3], where targets are drawn and fitted."""
    return np.linspace(*X_RANGE, n)


def defaults(n_units: int) -> Units:
    """Starting slider values: equal gentle steps centred evenly across [−3, 3], adding up to a ramp from 0 to 1."""
    centres = np.linspace(*X_RANGE, n_units + 2)[1:-1]  # (n_units,) away from the ends
    w = np.full(n_units, 2.0)
    return Units(w=w, b=-w * centres, a=np.full(n_units, 1.0 / n_units), c=0.0, losses=[])


def fit_units(target: str, n_units: int, steps: int = 600, seed: int = 0, lr: float = 0.1) -> Units:
    """Fit w, b, a and c to the target curve on the grid by full-batch Adam on squared error, from jittered defaults."""
    x = torch.from_numpy(grid())
    y = torch.from_numpy(np.asarray(TARGETS[target](grid()), dtype=float))
    g = torch.Generator().manual_seed(seed)
    start = defaults(n_units)
    w, b = (torch.from_numpy(v) + 0.5 * torch.randn(n_units, generator=g, dtype=torch.float64) for v in (start.w, start.b))
    a = torch.from_numpy(start.a)
    c = torch.zeros((), dtype=torch.float64)
    params = [p.requires_grad_() for p in (w, b, a, c)]
    opt = Adam(params, lr=lr)
    losses = []
    for _ in range(steps):
        f = (a[:, None] * torch.sigmoid(w[:, None] * x[None, :] + b[:, None])).sum(0) + c  # (len(x),)
        loss = ((f - y) ** 2).mean()
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    w, b, a = (to_numpy(p) for p in (w, b, a))
    final = float(np.mean((layer_output(grid(), w, b, a, c.item()) - to_numpy(y)) ** 2))
    return Units(w, b, a, c.item(), losses + [final])
