"""Autoencoders and variational autoencoders for small grayscale images (28×28 Fashion-MNIST and MNIST, 25×25 faces).

An encoder squeezes an image into a short code; a decoder rebuilds the image from the code alone. The variational
kind encodes a distribution N(μ, σ²) rather than a point. A checkpoint holds a named set of them (AutoencoderSet).
"""
from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass
class AEConfig:
    code: int = 32  # the bottleneck: numbers in the code
    side: int = 28  # images are side × side
    channels: tuple[int, ...] = (16, 32)  # two stride-2 convolutions (28 → 14 → 7); empty: a small MLP instead
    hidden: int = 128  # the MLP's hidden width (only without convolutions)
    variational: bool = False  # encode μ and log σ² (a VAE) rather than one point


class Autoencoder(nn.Module):
    """Conv (or MLP) encoder → code (B, code) → decoder → image logits (B, 1, side, side). Inputs in [0, 1]."""

    def __init__(self, cfg: AEConfig = AEConfig()):
        super().__init__()
        self.cfg = cfg
        pixels = cfg.side * cfg.side
        if cfg.channels:
            if cfg.side != 28 or len(cfg.channels) != 2:
                raise ValueError("the convolutional autoencoder takes 28×28 images and two channel counts")
            c1, c2 = cfg.channels
            width = c2 * 7 * 7
            self.encoder = nn.Sequential(nn.Conv2d(1, c1, 4, 2, 1), nn.ReLU(),  # (B, c1, 14, 14)
                                         nn.Conv2d(c1, c2, 4, 2, 1), nn.ReLU(),  # (B, c2, 7, 7)
                                         nn.Flatten())
            self.expand = nn.Sequential(nn.Linear(cfg.code, width), nn.ReLU(), nn.Unflatten(1, (c2, 7, 7)))
            self.decoder = nn.Sequential(nn.ConvTranspose2d(c2, c1, 4, 2, 1), nn.ReLU(),  # (B, c1, 14, 14)
                                         nn.ConvTranspose2d(c1, 1, 4, 2, 1))  # (B, 1, 28, 28) logits
        else:
            width = cfg.hidden
            self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(pixels, width), nn.ReLU())
            self.expand = nn.Sequential(nn.Linear(cfg.code, width), nn.ReLU())
            self.decoder = nn.Sequential(nn.Linear(width, pixels), nn.Unflatten(1, (1, cfg.side, cfg.side)))
        self.mu = nn.Linear(width, cfg.code)
        self.logvar = nn.Linear(width, cfg.code) if cfg.variational else None

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The code of each image (B, code): for a VAE the mean μ and log σ² of q(z|x); else (code, None)."""
        h = self.encoder(x)
        return self.mu(h), (self.logvar(h) if self.logvar is not None else None)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.expand(z))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Images (B, 1, side, side) in [0, 1] from codes (B, code)."""
        return torch.sigmoid(self.decode_logits(z))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The reconstruction of x, through the code (for a VAE: through μ, no sampling)."""
        return self.decode(self.encode(x)[0])


class AutoencoderSet(nn.Module):
    """Several named autoencoders trained on the same data, in one checkpoint ("ae8", "vae2", …)."""

    def __init__(self, configs: dict[str, AEConfig]):
        super().__init__()
        self.nets = nn.ModuleDict({name: Autoencoder(cfg) for name, cfg in configs.items()})

    def __getitem__(self, name: str) -> Autoencoder:
        return self.nets[name]

    def __contains__(self, name: str) -> bool:
        return name in self.nets

    def names(self) -> list[str]:
        return list(self.nets)

    def architecture(self) -> dict:
        return {"class": "AutoencoderSet", "config": {n: asdict(m.cfg) for n, m in self.nets.items()}}


def from_config(config: dict) -> AutoencoderSet:
    """An untrained set from a manifest's config: {name: AEConfig fields}."""
    return AutoencoderSet({name: AEConfig(**{**cfg, "channels": tuple(cfg.get("channels", ()))})
                           for name, cfg in config.items()})
