"""The one training loop every model uses: Adam with a cosine-decaying rate over shuffled mini-batches, and the
measurements that go with it. A leaf: it imports no model and no segment."""
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.device import device

Progress = Callable[[int, int, float], None]  # (step, total steps, latest loss)


def random_shift(x: torch.Tensor, g: torch.Generator, pixels: float = 2.0, degrees: float = 10.0) -> torch.Tensor:
    """Each image moved by up to `pixels` and turned by up to `degrees`: cheap data augmentation."""
    n = x.shape[0]
    angle = (torch.rand(n, generator=g) * 2 - 1) * np.deg2rad(degrees)
    shift = (torch.rand(n, 2, generator=g) * 2 - 1) * (2 * pixels / x.shape[-1])
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta.to(x), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False)


def shuffled_batches(n: int, batch_size: int, steps: int, g: torch.Generator) -> Iterator[torch.Tensor]:
    """Indices of `steps` mini-batches of n items: a fresh random order for every pass, an incomplete tail skipped."""
    order, cursor = torch.randperm(n, generator=g), 0
    for _ in range(steps):
        if cursor + batch_size > n:
            order, cursor = torch.randperm(n, generator=g), 0
        yield order[cursor:cursor + batch_size]
        cursor += batch_size


def optimise(model: nn.Module, n: int, loss_of: Callable[[torch.Tensor, int, torch.Generator], torch.Tensor], *,
             steps: int, batch_size: int = 128, lr: float = 1e-3, seed: int = 0, on_progress: Progress | None = None,
             progress_every: int = 20) -> list[float]:
    """Adam with a cosine-decaying learning rate over shuffled mini-batches of n items; `loss_of(indices, step, g)`
    gives a batch's loss (g: the training's random generator, for whatever else it draws). Returns the loss per step.
    `on_progress` hears every `progress_every`-th step and the last; it may raise to end the training early."""
    model.train()
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    losses = []
    for step, idx in enumerate(shuffled_batches(n, batch_size, steps, g)):
        loss = loss_of(idx, step, g)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
        if on_progress is not None and (step % progress_every == 0 or step == steps - 1):
            on_progress(step + 1, steps, losses[-1])
    model.eval()
    return losses


def fit(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, steps: int, augment: Callable | None = None,
        **schedule) -> list[float]:
    """A classifier on (X, y) with cross-entropy, by `optimise` (its keyword arguments pass through); `augment(x, g)`
    may change each batch. Returns the loss per step."""
    dev = device()
    model.to(dev)

    def loss_of(idx: torch.Tensor, step: int, g: torch.Generator) -> torch.Tensor:
        xb = X[idx] if augment is None else augment(X[idx], g)
        return F.cross_entropy(model(xb.to(dev)), y[idx].to(dev))

    return optimise(model, len(X), loss_of, steps=steps, **schedule)


@torch.no_grad()
def predict(model: nn.Module, X: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    """Logits for X, in batches, on the model's device; returned on the CPU."""
    dev = next(model.parameters()).device
    return torch.cat([model(X[i:i + batch].to(dev)).cpu() for i in range(0, len(X), batch)])


def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    return (predict(model, X).argmax(1) == y).float().mean().item()



@dataclass
class Recipe:
    """How one shipped checkpoint is made: data, seed, steps, and the function that trains it."""
    name: str
    data: str
    seed: int
    steps: int
    train: Callable[["Recipe", Progress | None], tuple[nn.Module, dict, dict]]  # → model, architecture, metrics
    needs: tuple[str, ...] = ()  # checkpoints this one is built from

