"""Layers of convolutions trained from scratch, on demand: the CNN page trains one in a student's session, and
tests/bench/bench_from_scratch.py times the default runs against the goals."""
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from core.device import device
from core.models.cnn import CNNConfig, SmallCNN
from core.training import Progress, fit, random_shift

BASE_CHANNELS = (16, 32, 64)  # width ×1; ×1.5 gives the shipped checkpoints' (24, 48, 96)
EVAL_ITEMS = 2000  # held-out items measured during training, for the live accuracy curve (all, if fewer)
EVAL_POINTS = 12  # measurements of them per run, besides the first (untrained) and the last
DIVERGED_LOSS = 100.0  # a 10-class cross-entropy starts near 2.3; beyond this (or NaN) the training has blown up


@dataclass(frozen=True)
class ScratchData:
    """A dataset the page trains on: where the held-out figure comes from, the default length, augmentation."""
    title: str
    held_out: str
    checkpoint: str  # the shipped model trained on it
    goal: float  # held-out accuracy a default from-scratch run should reach
    steps: int  # default number of steps
    shift: bool  # random_shift augmentation (small data)


SCRATCH_DATA = {
    "fashion": ScratchData("Fashion-MNIST", "the official 10,000-image test set", "fashion_cnn", 0.92, 3600, False),
    "mnist": ScratchData("MNIST 5k", "the 1,000 held-out digits", "mnist_cnn", 0.97, 600, True),
}


@dataclass(frozen=True)
class Scratch:
    """One from-scratch training: which data, how many convolution layers and how wide, how long, how fast."""
    dataset: str = "fashion"  # a key of SCRATCH_DATA
    layers: int = 3  # convolution layers, 1 to 3
    width: float = 1.0  # × BASE_CHANNELS
    steps: int = 0  # mini-batches of 128; 0: the dataset's default
    lr: float = 3e-3
    dropout: float = 0.1  # less than the shipped 0.3: a short run underfits more than it overfits
    seed: int = 0

    @property
    def total_steps(self) -> int:
        return self.steps or SCRATCH_DATA[self.dataset].steps

    def config(self) -> CNNConfig:
        if not 1 <= self.layers <= 3:
            raise ValueError(f"1 to 3 convolution layers, not {self.layers}")
        return CNNConfig(channels=tuple(max(1, round(c * self.width)) for c in BASE_CHANNELS[:self.layers]),
                         dropout=self.dropout)


@dataclass
class ScratchRun:
    """A from-scratch training as it goes: the network, its loss per step and its held-out accuracy curve.
    Filled in while it trains, so whoever started it keeps what was done if it is interrupted."""
    spec: Scratch
    model: SmallCNN
    losses: list[float] = field(default_factory=list)
    curve: list[tuple[int, float]] = field(default_factory=list)  # (step, accuracy on EVAL_ITEMS held-out items)
    status: str = "training"  # then "done", "diverged" (the loss blew up) or "stopped" (by whoever started it)
    accuracy: float | None = None  # on the whole held-out set, once finished
    seconds: float = 0.0  # wall time so far: data, training, measuring

    @classmethod
    def start(cls, spec: Scratch) -> "ScratchRun":
        torch.manual_seed(spec.seed)
        model = SmallCNN(spec.config()).to(device())
        if device().type == "cpu":
            model = model.to(memory_format=torch.channels_last)  # 1.5-1.8× faster steps on a CPU (pooling, norms)
        return cls(spec, model)

    @property
    def step(self) -> int:
        return len(self.losses)


class _Diverged(Exception):
    pass


def scratch_data(dataset: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Training and held-out images as uint8 (N, 1, 28, 28) tensors (a quarter of floats' memory) and labels."""
    from core.data.images import fashion_mnist, mnist_5k
    (Xtr, ytr), (Xte, yte) = ((fashion_mnist(train=True), fashion_mnist(train=False)) if dataset == "fashion"
                              else (mnist_5k("train"), mnist_5k("test")))
    return (torch.from_numpy(np.array(Xtr))[:, None], torch.from_numpy(np.array(ytr)),
            torch.from_numpy(np.array(Xte))[:, None], torch.from_numpy(np.array(yte)))


def as_input(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 1, 28, 28) → float in [0, 1], as features.as_batch makes them."""
    return images.float().div_(255)


def held_out_accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    """Accuracy on uint8 images (converted a batch at a time); leaves the model in eval mode."""
    model.eval()
    dev = next(model.parameters()).device
    with torch.no_grad():
        right = sum((model(as_input(X[i:i + batch]).to(dev)).argmax(1).cpu() == y[i:i + batch]).sum().item()
                    for i in range(0, len(X), batch))
    return right / len(X)


def evaluation_items(n_held_out: int, seed: int = 0) -> torch.Tensor:
    """The fixed held-out items measured during training: EVAL_ITEMS of them, drawn once, in order."""
    order = torch.randperm(n_held_out, generator=torch.Generator().manual_seed(seed))
    return order[:EVAL_ITEMS].sort().values


def finish(run: ScratchRun, data: tuple) -> ScratchRun:
    """Measure a finished (or stopped) run on the whole held-out set, and end its accuracy curve where it ended."""
    _, _, Xte, yte = data
    if not run.curve or run.curve[-1][0] != run.step:
        probe = evaluation_items(len(Xte))
        run.curve.append((run.step, held_out_accuracy(run.model, Xte[probe], yte[probe])))
    run.accuracy = held_out_accuracy(run.model, Xte, yte)
    if run.status == "training":
        run.status = "done"
    return run


def train(spec: "Scratch | ScratchRun", data: tuple | None = None, *, on_progress: Progress | None = None,
                 on_evaluate: Callable[[int, float], None] | None = None) -> ScratchRun:
    """Train a SmallCNN of the chosen layers and width with `fit`, measuring EVAL_ITEMS held-out items about
    EVAL_POINTS times on the way; then the whole held-out set. `data` is scratch_data(dataset) (read if not
    given). Stops with status "diverged" if the loss is NaN or above DIVERGED_LOSS. Callbacks may raise to stop
    it: `run` (pass a ScratchRun to keep hold of it) then holds what was done."""
    start = time.perf_counter()
    run = spec if isinstance(spec, ScratchRun) else ScratchRun.start(spec)
    spec, recipe = run.spec, SCRATCH_DATA[run.spec.dataset]
    Xtr, ytr, Xte, yte = data if data is not None else scratch_data(spec.dataset)
    probe = evaluation_items(len(Xte))
    Xprobe, yprobe = Xte[probe], yte[probe]
    total = spec.total_steps
    every = max(1, round(total / EVAL_POINTS))

    def evaluate(step: int) -> None:
        run.curve.append((step, held_out_accuracy(run.model, Xprobe, yprobe)))
        if on_evaluate is not None:
            on_evaluate(*run.curve[-1])

    def progress(step: int, steps: int, loss: float) -> None:
        run.losses.append(loss)
        run.seconds = time.perf_counter() - start
        if not loss <= DIVERGED_LOSS:  # NaN compares false
            run.status = "diverged"
            raise _Diverged
        if step % every == 0 and step < steps:
            evaluate(step)
            run.model.train()
        if on_progress is not None:
            on_progress(step, steps, loss)

    def augment(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        xb = as_input(xb)
        return random_shift(xb, g) if recipe.shift else xb

    evaluate(0)
    try:
        fit(run.model, Xtr, ytr, steps=total, lr=spec.lr, seed=spec.seed, augment=augment, on_progress=progress,
            progress_every=1)
    except _Diverged:
        run.model.eval()
        return run
    evaluate(total)
    finish(run, (Xtr, ytr, Xte, yte))
    run.seconds = time.perf_counter() - start
    return run

