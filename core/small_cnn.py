"""The project's small CNN for 28×28 images (Fashion-MNIST items, digits), trained by the one loop and measured:
the recipe behind the shipped fashion_cnn and mnist_cnn and their variants."""
from dataclasses import asdict

import torch

from core import features
from core.models.cnn import CNNConfig, SmallCNN
from core.training import Progress, Recipe, accuracy, fit


def train_small_cnn(recipe: Recipe, on_progress: Progress | None, Xtr, ytr, Xte, yte, augment=None) -> tuple:
    """A SmallCNN on (Xtr, ytr), measured on both splits: → model, architecture, metrics (a recipe's result)."""
    torch.manual_seed(recipe.seed)
    cfg = CNNConfig()
    model = SmallCNN(cfg)
    Xtr, Xte = features.as_batch(Xtr), features.as_batch(Xte)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    fit(model, Xtr, ytr, steps=recipe.steps, seed=recipe.seed, augment=augment, on_progress=on_progress)
    metrics = {"test_accuracy": round(accuracy(model, Xte, yte), 4), "train_accuracy": round(accuracy(model, Xtr, ytr), 4)}
    return model, {"class": "SmallCNN", "config": asdict(cfg)}, metrics
