"""One training loop for every model, and the recipes that rebuild the shipped checkpoints.

    python -m core.train NAME      # one checkpoint, e.g. fashion_cnn
    python -m core.train all       # every checkpoint, in dependency order
"""
import sys
import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import checkpoints, features
from core.device import device, set_threads
from core.models.cnn import CNNConfig, LinearProbes, SmallCNN

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


def fit(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, steps: int, batch_size: int = 128, lr: float = 1e-3,
        seed: int = 0, augment: Callable | None = None, on_progress: Progress | None = None) -> list[float]:
    """Adam with a cosine-decaying learning rate over shuffled mini-batches; returns the loss per step."""
    dev = device()
    model.to(dev).train()
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    order, cursor, losses = torch.randperm(len(X), generator=g), 0, []
    for step in range(steps):
        if cursor + batch_size > len(X):
            order, cursor = torch.randperm(len(X), generator=g), 0
        idx = order[cursor:cursor + batch_size]
        cursor += batch_size
        xb, yb = X[idx], y[idx]
        if augment is not None:
            xb = augment(xb, g)
        loss = F.cross_entropy(model(xb.to(dev)), yb.to(dev))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
        if on_progress is not None and (step % 20 == 0 or step == steps - 1):
            on_progress(step + 1, steps, losses[-1])
    model.eval()
    return losses


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


def _train_cnn(recipe: Recipe, on_progress: Progress | None, Xtr, ytr, Xte, yte, augment=None) -> tuple:
    torch.manual_seed(recipe.seed)
    cfg = CNNConfig()
    model = SmallCNN(cfg)
    Xtr, Xte = features.as_batch(Xtr), features.as_batch(Xte)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    fit(model, Xtr, ytr, steps=recipe.steps, seed=recipe.seed, augment=augment, on_progress=on_progress)
    metrics = {"test_accuracy": round(accuracy(model, Xte, yte), 4), "train_accuracy": round(accuracy(model, Xtr, ytr), 4)}
    return model, {"class": "SmallCNN", "config": asdict(cfg)}, metrics


def train_fashion_cnn(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    from core.data.images import fashion_mnist
    return _train_cnn(recipe, on_progress, *fashion_mnist(train=True), *fashion_mnist(train=False))


def train_mnist_cnn(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    from core.data.images import mnist_5k
    return _train_cnn(recipe, on_progress, *mnist_5k("train"), *mnist_5k("test"), augment=random_shift)


def probe_inputs(images: np.ndarray, cnn: SmallCNN) -> dict[str, torch.Tensor]:
    """The three representations of the same images that the linear probes read."""
    x = features.as_batch(images)
    with torch.no_grad():
        learned = torch.cat([cnn.features(x[i:i + 1000]) for i in range(0, len(x), 1000)])
    return {"pixels": x.flatten(1), "hog": torch.from_numpy(features.hog_features(images)), "learned": learned}


def train_feature_probes(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    """A linear classifier on raw pixels, on HOG, and on the Fashion CNN's learned features."""
    from core.data.images import fashion_mnist
    cnn = checkpoints.load_model("fashion_cnn").cpu()
    (Xtr, ytr), (Xte, yte) = fashion_mnist(train=True), fashion_mnist(train=False)
    tr, te = probe_inputs(Xtr, cnn), probe_inputs(Xte, cnn)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    probes = LinearProbes({k: v.shape[1] for k, v in tr.items()})
    metrics = {}
    for i, (name, probe) in enumerate(probes.items()):
        probe.mean.copy_(tr[name].mean(0))
        probe.std.copy_(tr[name].std(0) + 1e-3)
        progress = None if on_progress is None else (
            lambda s, n, loss, i=i: on_progress(i * recipe.steps + s, 3 * recipe.steps, loss))
        torch.manual_seed(recipe.seed)
        fit(probe, tr[name], ytr, steps=recipe.steps, batch_size=256, lr=3e-3, seed=recipe.seed, on_progress=progress)
        metrics[f"{name}_test_accuracy"] = round(accuracy(probe, te[name], yte), 4)
    return probes, {"class": "LinearProbes", "config": {k: v.shape[1] for k, v in tr.items()}}, metrics


RECIPES = {r.name: r for r in [
    Recipe("fashion_cnn", "Fashion-MNIST: 60,000 train / 10,000 official test", seed=0, steps=3600, train=train_fashion_cnn),
    Recipe("mnist_cnn", "MNIST 5k: 4,000 train / 1,000 held out, stratified", seed=0, steps=1500, train=train_mnist_cnn),
    Recipe("feature_probes", "Fashion-MNIST, as pixels / HOG / fashion_cnn features", seed=0, steps=1500,
           train=train_feature_probes, needs=("fashion_cnn",)),
]}  # in dependency order


def rebuild(name: str, on_progress: Progress | None = None) -> checkpoints.Entry:
    """Train one checkpoint from its recipe, measure it, and save it with its manifest entry."""
    set_threads()
    recipe = RECIPES[name]
    start = time.perf_counter()
    model, architecture, metrics = recipe.train(recipe, on_progress)
    metrics["train_seconds"] = round(time.perf_counter() - start, 1)
    metrics["device"] = device().type
    entry = checkpoints.Entry(name, architecture, recipe.data, recipe.seed, recipe.steps, metrics)
    return checkpoints.save(model, entry)


def _progress_bar(step: int, total: int, loss: float) -> None:
    done = int(30 * step / total)
    sys.stderr.write(f"\r  [{'#' * done}{'.' * (30 - done)}] {step}/{total} steps  loss {loss:.3f}")
    if step == total:
        sys.stderr.write("\n")


def main(argv: list[str]) -> int:
    names = list(RECIPES) if argv == ["all"] else argv
    unknown = [n for n in names if n not in RECIPES]
    if not names or unknown:
        print(f"usage: python -m core.train NAME [NAME ...] | all   (names: {', '.join(RECIPES)})", file=sys.stderr)
        return 2
    for name in names:
        print(f"{name}: {RECIPES[name].data}", file=sys.stderr)
        entry = rebuild(name, _progress_bar)
        print(f"{name}: {entry.metrics}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
