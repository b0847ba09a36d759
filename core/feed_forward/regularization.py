"""Overfitting and regularization: a big network on 15 noisy points of a cubic, with L2, L1, dropout or early stopping.

Everything runs on the CPU: with tensors this small a GPU would only add transfer time.
"""
import functools
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.data.toy import curve_1d
from core.device import to_numpy
from core.training import Adam

CURVE, NOISE = "cubic", 0.3
N_TRAIN, N_VALIDATION, N_TEST = 15, 15, 200
HIDDEN = 64  # 1 → 64 → 64 → 1: about 4,300 parameters for 15 points
LR = 0.01
METHODS = ("none", "L2", "L1", "dropout", "early stopping")


@dataclass(frozen=True)
class Data:
    x_train: np.ndarray  # (15,) the points the network learns from
    y_train: np.ndarray
    x_validation: np.ndarray  # (15,) held out to decide when to stop
    y_validation: np.ndarray
    x_test: np.ndarray  # (200,) held out to measure how well it generalises
    y_test: np.ndarray


@functools.cache
def data() -> Data:
    """Three independent noisy samples of the same curve: train, validation and test."""
    return Data(*curve_1d(CURVE, N_TRAIN, NOISE, seed=0), *curve_1d(CURVE, N_VALIDATION, NOISE, seed=1),
                *curve_1d(CURVE, N_TEST, NOISE, seed=2))


@dataclass(frozen=True)
class Run:
    train_losses: list[float]  # mean squared error on the training points, per epoch
    validation_losses: list[float]
    test_losses: list[float]
    x_grid: np.ndarray  # (200,) on [−3, 3]
    y_fit: np.ndarray  # (200,) the network's curve (for early stopping, the weights of its best epoch)
    best_epoch: int  # index into the loss lists of the lowest validation loss: where early stopping stops


def mlp(dropout: float = 0.0) -> nn.Sequential:
    """The over-parameterised network 1 → 64 → 64 → 1 with tanh, and dropout after each hidden layer."""
    return nn.Sequential(nn.Linear(1, HIDDEN), nn.Tanh(), nn.Dropout(dropout),
                         nn.Linear(HIDDEN, HIDDEN), nn.Tanh(), nn.Dropout(dropout),
                         nn.Linear(HIDDEN, 1))


def penalty(model: nn.Module, method: str, rate: float) -> torch.Tensor:
    """What L2 (rate·Σw²) or L1 (rate·Σ|w|) adds to the loss; biases are not penalised."""
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    if method == "L2":
        return rate * sum((w ** 2).sum() for w in weights)
    if method == "L1":
        return rate * sum(w.abs().sum() for w in weights)
    return torch.zeros(())


def _column(v: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(v, dtype=np.float32)).unsqueeze(1)  # (n, 1)


def train(method: str = "none", rate: float = 0.0, epochs: int = 800, seed: int = 0, patience: int = 100) -> Run:
    """Fit the network to the 15 training points by full-batch Adam; the same arguments always give the same Run.

    rate is the L2 or L1 strength, or the dropout probability; "early stopping" stops once the validation loss
    has not improved for `patience` epochs, and keeps the weights of its best epoch.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {METHODS}")
    d = data()
    x, y = _column(d.x_train), _column(d.y_train)
    x_all = torch.cat([x, _column(d.x_validation), _column(d.x_test)])  # (230, 1): one pass scores all three sets
    y_all = torch.cat([y, _column(d.y_validation), _column(d.y_test)])
    x_grid = np.linspace(-3, 3, 200)
    with torch.random.fork_rng(devices=[]):  # the seed fixes initial weights and dropout masks, nothing outside
        torch.manual_seed(seed)
        model = mlp(rate if method == "dropout" else 0.0)
        opt = Adam(model.parameters(), lr=LR)
        losses: list[list[float]] = []  # per epoch: [train, validation, test]
        best_state, best_epoch = None, 0
        for epoch in range(epochs):
            model.train()
            loss = nn.functional.mse_loss(model(x), y) + penalty(model, method, rate)
            opt.zero_grad()
            loss.backward()
            opt.step()
            model.eval()
            with torch.no_grad():
                squared_errors = (model(x_all) - y_all).squeeze(1) ** 2  # (230,)
            losses.append([part.mean().item() for part in squared_errors.split([N_TRAIN, N_VALIDATION, N_TEST])])
            if losses[-1][1] <= losses[best_epoch][1]:
                best_epoch = epoch
                if method == "early stopping":
                    best_state = {k: v.clone() for k, v in model.state_dict().items()}
            elif method == "early stopping" and epoch - best_epoch >= patience:
                break
        if best_state is not None:
            model.load_state_dict(best_state)
        with torch.no_grad():
            y_fit = to_numpy(model(_column(x_grid)).squeeze(1)).astype(float)
    train_losses, validation_losses, test_losses = (list(column) for column in zip(*losses))
    return Run(train_losses, validation_losses, test_losses, x_grid, y_fit, best_epoch)
