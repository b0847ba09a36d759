"""Variational autoencoders: the ELBO's two terms, and what the page does with a 2-D latent space (decode a point,
a grid over the plane, interpolation between two images, samples from the prior, the holes a plain autoencoder
leaves)."""
import math

import numpy as np
import torch
import torch.nn.functional as F

from core.device import to_numpy
from core.models.autoencoder import Autoencoder

GRID = 12  # decoded images per side of the latent-plane grid
SPAN = 3.0  # the VAE's grid covers [-SPAN, SPAN]²: ±3 standard deviations of the prior N(0, I)


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, σ²) ‖ N(0, I)) per item, summed over the latent dimensions:
    ½ Σ (μ² + σ² − 1 − log σ²)."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1 - logvar).flatten(1).sum(1)


def reconstruction_bce(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """−log p(x|z) per item for a Bernoulli decoder with these logits, summed over pixels:
    −Σ [x log x̂ + (1 − x) log(1 − x̂)] with x̂ = sigmoid(logits)."""
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)


def reconstruction_gaussian(mean: torch.Tensor, x: torch.Tensor, sigma: float) -> torch.Tensor:
    """−log p(x|z) per item for a Gaussian decoder N(mean, σ² I), summed over pixels:
    Σ [(x − mean)² / (2σ²) + ½ log(2πσ²)]."""
    return ((x - mean).pow(2) / (2 * sigma ** 2) + 0.5 * math.log(2 * math.pi * sigma ** 2)).flatten(1).sum(1)


def reparameterise(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """z = μ + σ·ε: a sample of N(μ, σ²) through which gradients reach μ and σ."""
    return mu + (0.5 * logvar).exp() * eps


def elbo_terms(net: Autoencoder, x: torch.Tensor,
               g: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The negative ELBO's two terms, averaged over the batch: reconstruction −E_q[log p(x|z)] (one sample of z)
    and KL(q(z|x) ‖ p(z)). Their sum is the VAE's loss."""
    mu, logvar = net.encode(x)
    eps = torch.randn(mu.shape, generator=g).to(mu)
    z = reparameterise(mu, logvar, eps)
    return reconstruction_bce(net.decode_logits(z), x).mean(), kl_divergence(mu, logvar).mean()


@torch.no_grad()
def decode(net: Autoencoder, z: np.ndarray) -> np.ndarray:
    """Codes (N, code) → images (N, side, side) as uint8."""
    dev = next(net.parameters()).device
    images = net.decode(torch.as_tensor(np.asarray(z, np.float32), device=dev))[:, 0]
    return (to_numpy(images) * 255).round().astype(np.uint8)


@torch.no_grad()
def encode(net: Autoencoder, images: torch.Tensor, batch: int = 2000) -> np.ndarray:
    """Images (N, 1, side, side) in [0, 1] → their codes (N, code): the point, or the VAE's mean μ."""
    dev = next(net.parameters()).device
    return to_numpy(torch.cat([net.encode(images[i:i + batch].to(dev))[0].cpu()
                      for i in range(0, len(images), batch)]))


def grid_points(lo: tuple[float, float], hi: tuple[float, float], n: int = GRID) -> np.ndarray:
    """The centres of the n × n cells of the rectangle (n², 2), row by row from the top (largest z₂) down, left to
    right: laid out as tiles they match the plane as plotted, cell for cell with cell_counts."""
    step = (np.asarray(hi, np.float64) - np.asarray(lo, np.float64)) / n
    z1 = lo[0] + step[0] * (np.arange(n) + 0.5)
    z2 = hi[1] - step[1] * (np.arange(n) + 0.5)
    return np.stack(np.meshgrid(z1, z2), -1).reshape(-1, 2).astype(np.float32)


def code_range(codes: np.ndarray, margin: float = 0.05, quantile: float = 0.005) -> tuple[tuple, tuple]:
    """A rectangle over where the codes lie: from the 0.5 % to the 99.5 % quantile of each axis, widened a little."""
    lo, hi = np.quantile(codes, quantile, axis=0), np.quantile(codes, 1 - quantile, axis=0)
    pad = (hi - lo) * margin
    return tuple(float(v) for v in lo - pad), tuple(float(v) for v in hi + pad)


def cell_counts(codes: np.ndarray, lo: tuple, hi: tuple, n: int = GRID) -> np.ndarray:
    """How many codes fall in each of the n × n cells of the rectangle: (n, n), rows from the top (largest z₂)
    down, as grid_points orders the cells. Codes outside the rectangle are not counted."""
    lo, hi = np.asarray(lo, np.float64), np.asarray(hi, np.float64)
    codes = np.asarray(codes, np.float64)
    inside = np.all((codes >= lo) & (codes <= hi), axis=1)
    cells = np.minimum(((codes[inside] - lo) / (hi - lo) * n).astype(int), n - 1)
    counts = np.zeros((n, n), np.int64)
    np.add.at(counts, (n - 1 - cells[:, 1], cells[:, 0]), 1)
    return counts


def empty_cells(codes: np.ndarray, lo: tuple, hi: tuple, n: int = GRID) -> float:
    """The share of the n × n cells of the rectangle that hold none of the codes: the plane's holes."""
    return float((cell_counts(codes, lo, hi, n) == 0).mean())


HOLE_SPACINGS = 5.0  # a draw "in a hole": farther than this many typical spacings from every code


def draws_in_holes(draws: np.ndarray, codes: np.ndarray, spacings: float = HOLE_SPACINGS) -> float:
    """The share of draws (N, 2) that land in a hole of the codes: farther from every code than `spacings` times
    the codes' typical spacing (the median distance from a code to its nearest other code). In units of the codes'
    own spacing, so a plane of any scale is measured alike."""
    from scipy.spatial import cKDTree
    tree = cKDTree(codes)
    spacing = float(np.median(tree.query(codes, k=2)[0][:, 1]))
    return float(np.mean(tree.query(draws)[0] > spacings * spacing))


def interpolate(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """`steps` points from a to b, both ends included: (steps, *a.shape)."""
    t = np.linspace(0, 1, steps, dtype=np.float32).reshape(-1, *[1] * np.ndim(a))
    return ((1 - t) * np.asarray(a, np.float32) + t * np.asarray(b, np.float32)).astype(np.float32)


def prior_samples(n: int, code: int, seed: int) -> np.ndarray:
    """n draws of z from the prior N(0, I): (n, code)."""
    return np.random.default_rng(seed).standard_normal((n, code)).astype(np.float32)


def fitted_gaussian_samples(codes: np.ndarray, n: int, seed: int) -> np.ndarray:
    """n draws from the Gaussian with the codes' own mean and covariance: the fairest way to "sample" a plain
    autoencoder, which has no prior of its own."""
    mean, cov = codes.mean(0), np.cov(codes, rowvar=False)
    return np.random.default_rng(seed).multivariate_normal(mean, np.atleast_2d(cov), n).astype(np.float32)
