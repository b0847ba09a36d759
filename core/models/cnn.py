"""A small convolutional network for 28×28 grayscale images (Fashion-MNIST, MNIST)."""
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class CNNConfig:
    channels: tuple[int, int, int] = (24, 48, 96)  # low, middle, high convolution layers
    hidden: int = 128  # width of the penultimate layer: the "learned features"
    classes: int = 10
    dropout: float = 0.3


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    """3×3 convolution, batch norm, ReLU: one level of the feature hierarchy."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU())


class SmallCNN(nn.Module):
    """conv → pool → conv → pool → conv → pool → dense → classes. Input: (B, 1, 28, 28) in [0, 1]."""

    feature_layers = ("conv1", "conv2", "conv3")  # low, middle, high

    def __init__(self, cfg: CNNConfig = CNNConfig()):
        super().__init__()
        c1, c2, c3 = cfg.channels
        self.conv1 = conv_block(1, c1)  # (B, c1, 28, 28)
        self.conv2 = conv_block(c1, c2)  # (B, c2, 14, 14)
        self.conv3 = conv_block(c2, c3)  # (B, c3, 7, 7)
        self.pool = nn.MaxPool2d(2)
        self.dense = nn.Sequential(nn.Flatten(), nn.Dropout(cfg.dropout), nn.Linear(c3 * 3 * 3, cfg.hidden), nn.ReLU())
        self.head = nn.Linear(cfg.hidden, cfg.classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The penultimate layer: what a linear classifier on "learned features" sees. (B, hidden)"""
        x = (x - 0.5) / 0.5
        x = self.pool(self.conv1(x))  # (B, c1, 14, 14)
        x = self.pool(self.conv2(x))  # (B, c2, 7, 7)
        x = self.pool(self.conv3(x))  # (B, c3, 3, 3)
        return self.dense(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))  # (B, classes) logits


class LinearProbe(nn.Module):
    """A linear classifier on standardised features: logits = W·(x − mean)/std + b."""

    def __init__(self, dim: int, classes: int = 10):
        super().__init__()
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))
        self.linear = nn.Linear(dim, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear((x - self.mean) / self.std)


class LinearProbes(nn.ModuleDict):
    """One linear probe per representation of the same images (raw pixels, HOG, learned features)."""

    def __init__(self, dims: dict[str, int], classes: int = 10):
        super().__init__({name: LinearProbe(d, classes) for name, d in dims.items()})
