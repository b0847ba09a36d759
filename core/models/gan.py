"""A DCGAN for 28×28 grayscale images (Fashion-MNIST): a generator that turns a random vector z into an image, and
a discriminator that says how likely an image is to be real. Images are in [-1, 1] (tanh); the pages show them as
uint8 and the judge (a SmallCNN) reads them in [0, 1]."""
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class GANConfig:
    latent: int = 64  # size of z, drawn from a standard normal
    g_width: int = 128  # channels of the generator's 7×7 maps; its 14×14 maps have half
    d_width: int = 64  # channels of the discriminator's 14×14 maps; its 7×7 maps have twice
    spectral_norm: bool = True  # on the discriminator's layers; without it, batch norm as in DCGAN
    upsample: str = "transposed"  # how the generator doubles its maps: "transposed" convolutions (DCGAN) or
    # "nearest": repeat each pixel, then a 3×3 convolution (no checkerboard artefacts; Odena et al., 2016)


class Generator(nn.Module):
    """z (B, latent) → linear → (g, 7, 7) → transposed conv → (g/2, 14, 14) → transposed conv → (1, 28, 28), tanh.
    Batch norm and ReLU in between, as DCGAN (Radford et al., 2015) prescribes."""

    def __init__(self, cfg: GANConfig = GANConfig()):
        super().__init__()
        g = cfg.g_width
        self.cfg = cfg
        self.project = nn.Sequential(nn.Linear(cfg.latent, g * 7 * 7, bias=False), nn.BatchNorm1d(g * 7 * 7),
                                     nn.ReLU())
        if cfg.upsample == "transposed":
            up1, up2 = nn.ConvTranspose2d(g, g // 2, 4, 2, 1, bias=False), nn.ConvTranspose2d(g // 2, 1, 4, 2, 1)
        elif cfg.upsample == "nearest":
            up1 = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(g, g // 2, 3, 1, 1, bias=False))
            up2 = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(g // 2, 1, 3, 1, 1))
        else:
            raise ValueError(f'upsample must be "transposed" or "nearest", not {cfg.upsample!r}')
        self.up1 = nn.Sequential(up1, nn.BatchNorm2d(g // 2), nn.ReLU())  # (B, g/2, 14, 14)
        self.up2 = up2  # (B, 1, 28, 28)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.project(z).view(len(z), self.cfg.g_width, 7, 7)
        return torch.tanh(self.up2(self.up1(x)))


class Discriminator(nn.Module):
    """(1, 28, 28) → conv stride 2 → (d, 14, 14) → conv stride 2 → (2d, 7, 7) → linear → one logit: how real.
    LeakyReLU(0.2), and spectral norm on every layer to keep its judgement smooth (Miyato et al., 2018)."""

    def __init__(self, cfg: GANConfig = GANConfig()):
        super().__init__()
        d = cfg.d_width
        sn = nn.utils.spectral_norm if cfg.spectral_norm else (lambda layer: layer)
        norm = nn.Identity() if cfg.spectral_norm else nn.BatchNorm2d(2 * d)
        self.cfg = cfg
        self.body = nn.Sequential(sn(nn.Conv2d(1, d, 4, 2, 1)), nn.LeakyReLU(0.2),
                                  sn(nn.Conv2d(d, 2 * d, 4, 2, 1)), norm, nn.LeakyReLU(0.2), nn.Flatten())
        self.head = sn(nn.Linear(2 * d * 7 * 7, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (B,): D(x) = sigmoid(logit) is the probability it gives x of being a real image."""
        return self.head(self.body(x)).squeeze(1)


class DCGAN(nn.Module):
    """The pair, saved as one checkpoint: `generator` and `discriminator`."""

    def __init__(self, cfg: GANConfig = GANConfig()):
        super().__init__()
        self.cfg = cfg
        self.generator = Generator(cfg)
        self.discriminator = Discriminator(cfg)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.generator(z)
