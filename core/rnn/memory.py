"""Memorizing and forgetting: recall, at the end of a sequence, the symbol that opened it N steps earlier.

As "Kilimanjaro" must still be known when "western summit" comes, the first symbol (one of a few classes) must
survive N − 1 distractor symbols. Training reaches back through every step: a simple RNN's gradient shrinks at each
step back (vanishing gradients), so it learns short distances only, while an LSTM's cell and a GRU's state, passed
on through gates near 1, carry both the memory and its gradient.

The gated cells start with their gates set to remember (chrono initialisation, Tallec & Ollivier 2018: forget-gate
biases log U(1, T), input-gate biases their opposite; for the GRU, the update gate). Models are small and run on the
CPU, where a few hundred steps take seconds.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.training import Adam

CELLS = ("RNN", "LSTM", "GRU")
DISTANCES = (5, 10, 20, 40, 80)
Progress = Callable[[int, int], None]
CHECK_SEED, TEST_SEED = 10_000, 12_345  # the sequences that decide when to stop and that measure, apart from training's


@dataclass(frozen=True)
class Task:
    """Sequences of one-hot symbols: first one of `classes` symbols to remember, then `distractors` others."""
    classes: int = 4  # chance is 1 / classes
    distractors: int = 4

    @property
    def symbols(self) -> int:
        return self.classes + self.distractors


@dataclass(frozen=True)
class Recipe:
    """How a model learns the task: Adam on fresh batches, until it is right on nearly all or the steps run out."""
    hidden: int = 32
    steps: int = 400
    batch: int = 32
    lr: float = 4e-3  # with larger steps a simple RNN's weights now and then drift until it latches on far back
    check_every: int = 25  # steps between looks at the accuracy on a check set of fresh sequences
    enough: float = 0.99  # the accuracy on it that ends training early
    chrono: bool = True  # gated cells start remembering (chrono_init)
    longest: int = 100  # its T: the longest memory the gates start with


def sequences(task: Task, distance: int, count: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """`count` sequences of `distance` one-hot symbols (count, distance, symbols), and the first symbol of each."""
    first = torch.randint(task.classes, (count,), generator=generator)
    rest = torch.randint(task.classes, task.symbols, (count, distance - 1), generator=generator)
    return F.one_hot(torch.cat([first[:, None], rest], 1), task.symbols).float(), first


class Recaller(nn.Module):
    """A recurrent layer reads the sequence; a linear layer reads the answer from its last state."""

    def __init__(self, cell: str, task: Task, hidden: int = 32):
        super().__init__()
        self.rnn = getattr(nn, cell)(task.symbols, hidden, batch_first=True)
        self.head = nn.Linear(hidden, task.classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (B, classes) for x (B, T, symbols)."""
        _, state = self.rnn(x)
        return self.head(_hidden(state)[-1])


def _hidden(state):
    """h of a state: the LSTM's state is (h, c)."""
    return state[0] if isinstance(state, tuple) else state


@torch.no_grad()
def chrono_init(rnn: nn.RNNBase, longest: int, generator: torch.Generator) -> None:
    """Gates that start remembering for 1 to `longest` steps. LSTM: forget bias log U(1, longest − 1), input bias
    its opposite. GRU: the update gate z (which keeps the old state) likewise. A simple RNN has no gate to set."""
    h = rnn.hidden_size
    bias = torch.log(torch.empty(h).uniform_(1, longest - 1, generator=generator))
    if isinstance(rnn, nn.LSTM):  # gates i, f, g, o
        rnn.bias_ih_l0[h:2 * h], rnn.bias_ih_l0[:h] = bias, -bias
        rnn.bias_hh_l0[:2 * h] = 0
    elif isinstance(rnn, nn.GRU):  # gates r, z, n
        rnn.bias_ih_l0[h:2 * h], rnn.bias_hh_l0[h:2 * h] = bias, 0


def new_model(cell: str, task: Task = Task(), recipe: Recipe = Recipe(), seed: int = 0) -> Recaller:
    """A freshly initialised model, the same for the same seed: torch's initialisation (every parameter uniform in
    ±1/√hidden), drawn from the seed's own generator, then the chrono gates."""
    model = Recaller(cell, task, recipe.hidden)
    generator = torch.Generator().manual_seed(seed)
    bound = recipe.hidden ** -0.5
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-bound, bound, generator=generator)
    if recipe.chrono:
        chrono_init(model.rnn, recipe.longest, generator)
    return model


@dataclass(frozen=True)
class Trained:
    """A model trained at one distance, and how it did on sequences it never saw."""
    cell: str
    distance: int
    model: Recaller
    steps: int  # steps taken: fewer than the recipe's when it learned the task early
    accuracy: float  # on held-out sequences; chance is 1 / classes


def accuracy(model: nn.Module, task: Task, distance: int, count: int = 1000, seed: int = TEST_SEED) -> float:
    """Fraction of `count` fresh sequences whose first symbol the model recalls."""
    x, y = sequences(task, distance, count, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def train(cell: str, distance: int, task: Task = Task(), recipe: Recipe = Recipe(), seed: int = 0,
          on_progress: Progress | None = None) -> Trained:
    """Train one model to recall the first symbol `distance` steps later. `on_progress(done, recipe.steps)` hears
    every `check_every` steps, and (recipe.steps, recipe.steps) at the end."""
    model = new_model(cell, task, recipe, seed)
    optimiser = Adam(model.parameters(), recipe.lr)
    data = torch.Generator().manual_seed(seed)
    for step in range(1, recipe.steps + 1):
        x, y = sequences(task, distance, recipe.batch, data)
        loss = F.cross_entropy(model(x), y)
        optimiser.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        if step % recipe.check_every == 0:
            if on_progress is not None:
                on_progress(step, recipe.steps)
            if accuracy(model, task, distance, count=256, seed=CHECK_SEED + seed) >= recipe.enough:
                break
    if on_progress is not None:
        on_progress(recipe.steps, recipe.steps)
    model.eval()
    return Trained(cell, distance, model, step, accuracy(model, task, distance))


def accuracy_vs_distance(cells: tuple[str, ...] = CELLS, distances: tuple[int, ...] = DISTANCES, task: Task = Task(),
                         recipe: Recipe = Recipe(), seed: int = 0,
                         on_progress: Progress | None = None) -> dict[str, list[Trained]]:
    """One model per cell and distance: {cell: [Trained at each distance]}. `on_progress(done, total)` counts
    steps over all models, a model that finished early counting all of its steps."""
    total = len(cells) * len(distances) * recipe.steps
    results: dict[str, list[Trained]] = {}
    for i, cell in enumerate(cells):
        for j, distance in enumerate(distances):
            before = (i * len(distances) + j) * recipe.steps
            progress = None if on_progress is None else (
                lambda done, _, before=before: on_progress(before + done, total))
            results.setdefault(cell, []).append(train(cell, distance, task, recipe, seed, progress))
    return results


def gradient_through_time(model: Recaller, task: Task, distance: int, count: int = 256,
                          seed: int = 0) -> np.ndarray:
    """‖∂loss/∂h_t‖ for t = 1 … distance, shape (distance,): how much of the answer's error reaches back to each
    step's state, the mean over `count` sequences of each one's gradient norm. Whatever the first step should learn
    has to come back this way."""
    x, y = sequences(task, distance, count, torch.Generator().manual_seed(seed))
    state, states = None, []
    for t in range(distance):  # one step at a time, to keep each state h_t
        _, state = model.rnn(x[:, t:t + 1], state)
        states.append(_hidden(state))
    # summed, not averaged: each sequence's gradient as if it were alone
    loss = F.cross_entropy(model.head(states[-1][-1]), y, reduction="sum")
    grads = torch.autograd.grad(loss, states)
    return np.array([g[-1].norm(dim=-1).mean().item() for g in grads])
