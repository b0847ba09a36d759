"""A small convolutional network for 28×28 grayscale images (Fashion-MNIST, MNIST)."""
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class CNNConfig:
    channels: tuple[int, ...] = (24, 48, 96)  # one per convolution layer, 1 to 3: low, middle, high
    hidden: int = 128  # width of the penultimate layer: the "learned features"
    classes: int = 10
    dropout: float = 0.3


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    """3×3 convolution, batch norm, ReLU: one level of the feature hierarchy."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU())


class SmallCNN(nn.Module):
    """conv → pool → conv → pool → conv → pool → dense → classes. Input: (B, 1, 28, 28) in [0, 1].
    With fewer channel counts in its config it has fewer convolution layers (1 or 2; the pages' from-scratch
    training compares them); the shipped checkpoints have three."""

    feature_layers = ("conv1", "conv2", "conv3")  # low, middle, high (an instance lists the layers it has)

    def __init__(self, cfg: CNNConfig = CNNConfig()):
        super().__init__()
        if not 1 <= len(cfg.channels) <= 3:
            raise ValueError(f"SmallCNN has 1 to 3 convolution layers, not {len(cfg.channels)}")
        for i, (c_in, c_out) in enumerate(zip((1, *cfg.channels[:-1]), cfg.channels), start=1):
            setattr(self, f"conv{i}", conv_block(c_in, c_out))  # (B, c1, 28, 28), (B, c2, 14, 14), (B, c3, 7, 7)
        if len(cfg.channels) < 3:
            self.feature_layers = SmallCNN.feature_layers[:len(cfg.channels)]
        side = 28 >> len(cfg.channels)  # each layer's pooling halves the side: 14, 7, 3
        self.pool = nn.MaxPool2d(2)
        self.dense = nn.Sequential(nn.Flatten(), nn.Dropout(cfg.dropout),
                                   nn.Linear(cfg.channels[-1] * side * side, cfg.hidden), nn.ReLU())
        self.head = nn.Linear(cfg.hidden, cfg.classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The penultimate layer: what a linear classifier on "learned features" sees. (B, hidden)"""
        x = (x - 0.5) / 0.5
        for name in self.feature_layers:
            x = self.pool(getattr(self, name)(x))  # (B, c1, 14, 14), (B, c2, 7, 7), (B, c3, 3, 3)
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
