"""The one training loop every model uses: Adam with a cosine-decaying rate over shuffled mini-batches, and the
measurements that go with it. A leaf: it imports no model and no segment."""
import math
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.device import device

Progress = Callable[[int, int, float], None]  # (step, total steps, latest loss)


class Adam:
    """torch.optim.Adam's update (Kingma & Ba 2015; no weight decay), written out with the same state names
    (`step`, `exp_avg`, `exp_avg_sq` per parameter) and the same `param_groups[i]["lr"]`. torch.optim's first
    optimiser in a process imports torch's compiler and sympy, 83 MB that a server then keeps for good; this one
    imports nothing. Equal to torch.optim.Adam(foreach=True) step by step (tested)."""

    def __init__(self, params: Iterable[torch.Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8):
        self.param_groups = [{"params": list(params), "lr": lr, "betas": betas, "eps": eps}]
        self.state: dict[torch.Tensor, dict] = {}

    def zero_grad(self) -> None:
        """Drop every gradient (as torch's set_to_none): the next backward pass writes fresh ones."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One step for every parameter that has a gradient: the moments' running means, then the parameter moved
        by lr · m̂ / (√v̂ + eps), m̂ and v̂ the bias-corrected moments."""
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            (beta1, beta2), grads = group["betas"], [p.grad for p in params]
            states = [self.state.setdefault(p, {"step": 0, "exp_avg": torch.zeros_like(p),
                                                "exp_avg_sq": torch.zeros_like(p)}) for p in params]
            for state in states:
                state["step"] += 1
            means, squares = [s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states]
            torch._foreach_lerp_(means, grads, 1 - beta1)
            torch._foreach_mul_(squares, beta2)
            torch._foreach_addcmul_(squares, grads, grads, 1 - beta2)
            denominator = torch._foreach_sqrt(squares)
            torch._foreach_div_(denominator, [(1 - beta2 ** s["step"]) ** 0.5 for s in states])
            torch._foreach_add_(denominator, group["eps"])
            torch._foreach_addcdiv_(params, means, denominator,
                                    [-group["lr"] / (1 - beta1 ** s["step"]) for s in states])


def cosine_rate(lr: float, step: int, steps: int) -> float:
    """The learning rate at `step` of `steps` (counted from 0), decaying from lr to 0 along half a cosine."""
    return lr * (1 + math.cos(math.pi * step / steps)) / 2


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
    opt = Adam(model.parameters(), lr=lr)
    losses = []
    for step, idx in enumerate(shuffled_batches(n, batch_size, steps, g)):
        opt.param_groups[0]["lr"] = cosine_rate(lr, step, steps)
        loss = loss_of(idx, step, g)
        opt.zero_grad()
        loss.backward()
        opt.step()
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

