"""Autoencoders, "the stenographers of deep learning": training the shipped ones, reconstructing images through a
bottleneck, and comparing the error with PCA and JPEG at the same number of bytes stored; denoising; the 2-D code.

Conventions. Images are floats in [0, 1]; the error is the mean squared error per pixel on that scale. A code is
stored as float16, BYTES_PER_NUMBER = 2 bytes a number, and every reconstruction here is decoded from the
float16-rounded code, so the bytes counted are the bytes used. JPEG's bytes are its entropy-coded scan: the header
(quantisation and Huffman tables, about 330 bytes for a 28×28 picture) is the same for every image at a given
quality, shared like the autoencoder's decoder weights, which are not counted per image either; the whole file's
size is reported beside it.
"""
import io
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from core.device import to_numpy
from core.generative import vae
from core.models.autoencoder import AEConfig, Autoencoder, AutoencoderSet
from core.training import Progress, optimise

BYTES_PER_NUMBER = 2  # float16 codes
CODES = (2, 8, 32)  # the shipped bottleneck sizes
DENOISING_CODE = 32  # the denoising autoencoder's bottleneck
TRAIN_NOISE = 0.5  # the denoising autoencoder saw Gaussian noise of σ drawn uniformly from [0, TRAIN_NOISE]
# The VAEs' KL weight (a β-VAE). With β = 1 the test codes followed N(0, I) less closely and left more of the plane
# empty (Fashion-MNIST: 26 % of 12 × 12 cells against 12 %; MNIST: 31 % against 20 %); on the 100 faces β = 4 left
# the codes carrying almost nothing (KL 1.8 nats): every face decoded alike.
VAE_BETA = {"fashion": 4.0, "mnist": 4.0, "faces": 1.0}
PCA_SIZES = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)  # numbers kept, for the PCA curve
JPEG_QUALITIES = (1, 2, 3, 5, 8, 12, 20, 30, 50, 75, 95)  # for the JPEG curve
BATCH, LR = 128, 2e-3


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    classes: tuple[str, ...]
    autoencoders: str | None  # checkpoint of the plain autoencoders (ae2, ae8, ae32, dae32)
    vae: str  # checkpoint holding vae2 (and, for the faces, their own ae2)
    held_out: str  # what the test images are
    data: str  # the recipe's description of its training data


def _datasets() -> dict[str, Dataset]:
    from core.data.images import DIGITS, FASHION_CLASSES
    return {
        "fashion": Dataset("fashion", "Fashion-MNIST", FASHION_CLASSES, "ae_fashion", "vae_fashion",
                           "the official 10,000-image test set", "Fashion-MNIST: 60,000 train / 10,000 official test"),
        "mnist": Dataset("mnist", "MNIST digits", DIGITS, "ae_mnist", "vae_mnist", "the 1,000 held-out digits",
                         "MNIST 5k: 4,000 train / 1,000 held out, stratified"),
        "faces": Dataset("faces", "Faces (LFW, 100)", ("face",), None, "vae_faces",
                         "the same 100 faces (there are no others)",
                         "the 100 faces of scikit-image's LFW subset, 25×25, flipped left-right at random; all "
                         "used for training"),
    }


DATASETS = _datasets()


def images(dataset: str, split: str = "test") -> tuple[np.ndarray, np.ndarray]:
    """A dataset's images as uint8 (N, side, side) and labels: "train" or "test" (the faces have one set)."""
    from core.data import images as data
    if dataset == "fashion":
        return data.fashion_mnist(train=split == "train")
    if dataset == "mnist":
        return data.mnist_5k(split)
    if dataset == "faces":
        X, is_face = data.lfw_faces()
        return (X[is_face] * 255).round().astype(np.uint8), np.zeros(int(is_face.sum()), np.int64)
    raise ValueError(f"unknown dataset {dataset!r}")


def as_batch(pictures: np.ndarray) -> torch.Tensor:
    """uint8 (N, side, side) → float (N, 1, side, side) in [0, 1]."""
    return torch.from_numpy(np.asarray(pictures, np.float32) / 255).unsqueeze(1)


def to_uint8(x: np.ndarray | torch.Tensor) -> np.ndarray:
    """Images in [0, 1] (any shape) → uint8."""
    x = to_numpy(x) if isinstance(x, torch.Tensor) else np.asarray(x)
    return (np.clip(x, 0, 1) * 255).round().astype(np.uint8)


def mse(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean squared error per image between two stacks of images in [0, 1]: (N,)."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    return ((a - b) ** 2).reshape(len(a), -1).mean(1)


def first_of_each_class(labels: np.ndarray) -> list[int]:
    """The index of the first image of each class, in class order (the first ten, if there is one class)."""
    classes = np.unique(labels)
    if len(classes) == 1:
        return list(range(min(10, len(labels))))
    return [int(np.flatnonzero(labels == c)[0]) for c in classes]


def parse_indices(text: str, n: int, limit: int) -> tuple[list[int], str | None]:
    """Image numbers typed as "3, 17 42": the valid ones (0 to n − 1, no repeats, at most `limit`) and what was
    wrong with the rest (None if nothing)."""
    words = [w for w in text.replace(",", " ").replace(";", " ").split() if w]
    if not words:
        return [], "No image numbers were given."
    indices, bad = [], []
    for word in words:
        try:
            i = int(word)
        except ValueError:
            bad.append(word)
            continue
        if 0 <= i < n:
            if i not in indices:
                indices.append(i)
        else:
            bad.append(word)
    problems = []
    if bad:
        shown = ", ".join(f"“{w[:12]}”" for w in bad[:3]) + ("…" if len(bad) > 3 else "")
        problems.append(f"Not an image number from 0 to {n - 1}: {shown}.")
    if len(indices) > limit:
        problems.append(f"At most {limit} images at a time: the first {limit} are shown.")
        indices = indices[:limit]
    return indices, " ".join(problems) or None


# Training

def add_noise(x: torch.Tensor, sigma: torch.Tensor | float, g: torch.Generator | None = None) -> torch.Tensor:
    """x plus Gaussian noise of standard deviation sigma (a number, or one per image), kept in [0, 1]."""
    sigma = torch.as_tensor(sigma, dtype=x.dtype).reshape(-1, *[1] * (x.dim() - 1))
    return (x + sigma * torch.randn(x.shape, generator=g)).clamp_(0, 1)


def fit(net: Autoencoder, X: torch.Tensor, *, steps: int, seed: int = 0, noise: float = 0.0, flip: bool = False,
        beta: float = 1.0, batch_size: int = BATCH, lr: float = LR, on_progress: Progress | None = None,
        progress_every: int = 20, start_at_mean: bool = True) -> list[float]:
    """Adam with a cosine-decaying learning rate over shuffled mini-batches of X (N, 1, side, side) in [0, 1].
    A plain autoencoder minimises the squared error of its reconstruction (the measure the page reports); with
    `noise` it sees inputs with Gaussian noise of σ ~ U(0, noise) and must give back the clean image (a denoising
    autoencoder). A VAE minimises the negative ELBO: Bernoulli reconstruction + beta × KL, per image.
    `flip` mirrors images left-right at random (for the faces). With `start_at_mean` a plain autoencoder's output
    bias starts at the training images' mean brightness (as a logit): a sigmoid output trained on squared error that
    starts at 0.5 on mostly black images is soon pushed to black everywhere, where its gradient vanishes and the
    training stalls (the VAE's Bernoulli loss has no such trap). Returns the loss per step."""
    if start_at_mean and not net.cfg.variational:
        last = [m for m in net.decoder if getattr(m, "bias", None) is not None][-1]
        with torch.no_grad():
            last.bias.fill_(torch.logit(X.mean().clamp(0.01, 0.99)).item())

    def loss_of(idx: torch.Tensor, step: int, g: torch.Generator) -> torch.Tensor:
        x = X[idx]
        if flip:
            mirrored = torch.rand(len(x), generator=g) < 0.5
            x = torch.where(mirrored[:, None, None, None], x.flip(-1), x)
        if net.cfg.variational:
            reconstruction, kl = vae.elbo_terms(net, x, g)
            return reconstruction + beta * kl
        seen = add_noise(x, torch.rand(len(x), generator=g) * noise, g) if noise else x
        return F.mse_loss(net(seen), x)

    return optimise(net, len(X), loss_of, steps=steps, batch_size=min(batch_size, len(X)), lr=lr, seed=seed,
                    on_progress=on_progress, progress_every=progress_every)


def _train_set(configs: dict[str, AEConfig], noise: dict[str, float], X: torch.Tensor, steps: int, seed: int,
               on_progress: Progress | None, flip: bool = False,
               beta: float = 1.0) -> tuple[AutoencoderSet, dict[str, float]]:
    """Train each named network of a set in turn (the same seed for each); the seconds each took."""
    torch.manual_seed(seed)
    nets = AutoencoderSet(configs)
    seconds = {}
    for i, name in enumerate(nets.names()):
        progress = None if on_progress is None else (
            lambda s, n, loss, i=i: on_progress(i * steps + s, len(configs) * steps, loss))
        start = time.perf_counter()
        torch.manual_seed(seed)
        fit(nets[name], X, steps=steps, seed=seed, noise=noise.get(name, 0.0), flip=flip, beta=beta,
            on_progress=progress)
        seconds[name] = round(time.perf_counter() - start, 1)
    return nets.eval(), seconds


def train_autoencoders(dataset: str, recipe, on_progress: Progress | None = None) -> tuple:
    """The plain autoencoders at each bottleneck size, and the denoising one; measured against PCA."""
    configs = {f"ae{k}": AEConfig(code=k) for k in CODES} | {f"dae{DENOISING_CODE}": AEConfig(code=DENOISING_CODE)}
    train_images, test_images = images(dataset, "train")[0], images(dataset, "test")[0]
    nets, seconds = _train_set(configs, {f"dae{DENOISING_CODE}": TRAIN_NOISE}, as_batch(train_images),
                               recipe.steps, recipe.seed, on_progress)
    pca = fit_pca(train_images, max(CODES))
    metrics = {}
    clean = test_images / 255
    for k in CODES:
        metrics[f"ae{k}_test_mse"] = round(float(mse(reconstruct(nets[f"ae{k}"], test_images), clean).mean()), 5)
        metrics[f"pca{k}_test_mse"] = round(float(mse(pca.reconstruct(test_images, k), clean).mean()), 5)
    noisy = denoising_errors(nets, test_images, (0.3,))
    metrics["noisy_input_mse_at_0.3"] = round(noisy["noisy input"][0], 5)
    metrics["ae32_mse_at_noise_0.3"] = round(noisy["plain autoencoder"][0], 5)
    metrics["dae32_mse_at_noise_0.3"] = round(noisy["denoising autoencoder"][0], 5)
    metrics |= {f"{name}_train_seconds": s for name, s in seconds.items()}
    return nets, nets.architecture(), metrics


def train_vae(dataset: str, recipe, on_progress: Progress | None = None) -> tuple:
    """A β-VAE (β = VAE_BETA[dataset]) with a 2-D latent space (and, for the faces, a plain 2-D autoencoder beside
    it)."""
    faces = dataset == "faces"
    shape = dict(side=25, channels=(), hidden=128) if faces else {}
    configs = {"vae2": AEConfig(code=2, variational=True, **shape)}
    if faces:
        configs["ae2"] = AEConfig(code=2, **shape)
    train_images, test_images = images(dataset, "train")[0], images(dataset, "test")[0]
    nets, seconds = _train_set(configs, {}, as_batch(train_images), recipe.steps, recipe.seed, on_progress, flip=faces,
                               beta=VAE_BETA[dataset])
    x = as_batch(test_images)
    clean = to_numpy(x[:, 0])
    with torch.no_grad():
        reconstruction, kl = vae.elbo_terms(nets["vae2"], x, torch.Generator().manual_seed(0))
    codes = vae.encode(nets["vae2"], x)
    metrics = {"test_reconstruction_nats": round(reconstruction.item(), 2), "test_kl_nats": round(kl.item(), 3),
               "test_mse_through_mu": round(float(mse(reconstruct(nets["vae2"], test_images), clean).mean()), 5),
               "test_mu_mean": [round(float(v), 3) for v in codes.mean(0)],
               "test_mu_std": [round(float(v), 3) for v in codes.std(0)],
               "empty_cells_12x12": round(vae.empty_cells(codes, *vae.code_range(codes)), 3),
               "prior_draws_in_holes": round(vae.draws_in_holes(vae.prior_samples(2000, 2, 0), codes), 3)}
    if faces:
        metrics["ae2_test_mse"] = round(float(mse(reconstruct(nets["ae2"], test_images), clean).mean()), 5)
    metrics |= {f"{name}_train_seconds": s for name, s in seconds.items()}
    return nets, nets.architecture(), metrics


def train_ae_fashion(recipe, on_progress: Progress | None = None) -> tuple:
    return train_autoencoders("fashion", recipe, on_progress)


def train_ae_mnist(recipe, on_progress: Progress | None = None) -> tuple:
    return train_autoencoders("mnist", recipe, on_progress)


def train_vae_fashion(recipe, on_progress: Progress | None = None) -> tuple:
    return train_vae("fashion", recipe, on_progress)


def train_vae_mnist(recipe, on_progress: Progress | None = None) -> tuple:
    return train_vae("mnist", recipe, on_progress)


def train_vae_faces(recipe, on_progress: Progress | None = None) -> tuple:
    return train_vae("faces", recipe, on_progress)


# Reconstruction

@torch.no_grad()
def reconstruct(net: Autoencoder, pictures: np.ndarray, half: bool = True, batch: int = 2000) -> np.ndarray:
    """Images uint8 (N, side, side) through the bottleneck and back: floats in [0, 1]. With `half` the code is
    rounded to float16 first, as it would be stored."""
    dev = next(net.parameters()).device
    x = as_batch(pictures)
    out = []
    for i in range(0, len(x), batch):
        code = net.encode(x[i:i + batch].to(dev))[0]
        out.append(net.decode(code.half().float() if half else code)[:, 0].cpu())
    return to_numpy(torch.cat(out))


@dataclass
class PCA:
    """Principal components of a training set: its mean pixel values and the top directions (k_max, pixels)."""
    mean: np.ndarray
    components: np.ndarray
    variance: np.ndarray  # the variance along each component

    def codes(self, pictures: np.ndarray, k: int) -> np.ndarray:
        x = np.asarray(pictures, np.float32).reshape(len(pictures), -1) / 255
        return (x - self.mean) @ self.components[:k].T

    def decode(self, codes: np.ndarray, side: int) -> np.ndarray:
        k = codes.shape[1]
        return np.clip(codes @ self.components[:k] + self.mean, 0, 1).reshape(len(codes), side, side)

    def reconstruct(self, pictures: np.ndarray, k: int, half: bool = True) -> np.ndarray:
        """The images from their first k components (float16 when `half`, as stored), clipped to [0, 1]."""
        codes = self.codes(pictures, k)
        if half:
            codes = codes.astype(np.float16).astype(np.float32)
        return self.decode(codes, pictures.shape[-1])


def fit_pca(pictures: np.ndarray, k_max: int = max(PCA_SIZES), chunk: int = 4096) -> PCA:
    """PCA of uint8 images (N, side, side): the SVD of their covariance matrix (numpy), top k_max components. The
    covariance is summed over chunks of images, so that a server never holds the whole set as floats (60,000
    Fashion-MNIST images would take 376 MB)."""
    flat = pictures.reshape(len(pictures), -1)
    mean = (flat.sum(0, dtype=np.float64) / 255 / len(flat)).astype(np.float32)
    covariance = np.zeros((flat.shape[1], flat.shape[1]))
    for start in range(0, len(flat), chunk):
        centred = flat[start:start + chunk].astype(np.float32) / 255 - mean
        covariance += centred.T @ centred
    covariance /= len(flat)
    u, s, _ = np.linalg.svd(covariance, hermitian=True)
    return PCA(mean.astype(np.float32), u[:, :k_max].T.astype(np.float32), s[:k_max].astype(np.float32))


# JPEG

def _scan_bytes(data: bytes) -> int:
    """The entropy-coded bytes of a baseline JPEG: after the start-of-scan header, before the end marker."""
    sos = data.find(b"\xff\xda")
    length = int.from_bytes(data[sos + 2:sos + 4], "big")
    return len(data) - (sos + 2 + length) - 2


def jpeg(picture: np.ndarray, quality: int) -> tuple[np.ndarray, int, int]:
    """A uint8 picture through JPEG at this quality (1–95; PIL, standard tables): the decoded picture as floats in
    [0, 1], the scan's bytes and the whole file's bytes."""
    from PIL import Image
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(picture, np.uint8)).save(buffer, "JPEG", quality=int(quality))
    data = buffer.getvalue()
    decoded = np.asarray(Image.open(io.BytesIO(data)), np.float32) / 255
    return decoded, _scan_bytes(data), len(data)


@dataclass
class JpegAtBudget:
    picture: np.ndarray  # decoded, floats in [0, 1]
    quality: int
    scan_bytes: int
    file_bytes: int


def jpeg_at_budget(picture: np.ndarray, budget: int) -> JpegAtBudget:
    """The JPEG quality whose scan is closest to `budget` bytes (the larger quality on a tie). A scan grows with
    the quality; where even quality 1 needs more than the budget, that is what is returned."""
    tried: dict[int, JpegAtBudget] = {}

    def encoded(q: int) -> JpegAtBudget:
        if q not in tried:
            decoded, scan, whole = jpeg(picture, q)
            tried[q] = JpegAtBudget(decoded, q, scan, whole)
        return tried[q]
    lo, hi = 1, 95
    if encoded(lo).scan_bytes >= budget:
        return encoded(lo)
    while hi - lo > 1:  # invariant: scan(lo) < budget; scan(hi) ≥ budget or hi = 95
        mid = (lo + hi) // 2
        if encoded(mid).scan_bytes < budget:
            lo = mid
        else:
            hi = mid
    below, above = encoded(lo), encoded(hi)
    return below if budget - below.scan_bytes < abs(above.scan_bytes - budget) else above


# Bytes stored against error

@dataclass
class Comparison:
    """Mean squared error on a set of test images for each way of storing them, and the bytes each takes."""
    images: int
    autoencoder: dict[int, float]  # code size → MSE (bytes: code size × BYTES_PER_NUMBER)
    pca: dict[int, float]  # numbers kept → MSE
    jpeg_curve: list[tuple[int, float, float, float]]  # (quality, mean scan bytes, mean file bytes, MSE)
    jpeg_matched: dict[int, tuple[float, float, float, float]]  # code size → (mean scan bytes, mean file bytes,
    #                                                             MSE, mean quality) at the autoencoder's bytes
    seconds: dict[str, float] = field(default_factory=dict)

    def rows(self) -> list[dict]:
        """One row per shipped code size: what each method stores and its error."""
        return [{"code size": k, "bytes (fp16 code)": k * BYTES_PER_NUMBER, "autoencoder MSE": self.autoencoder[k],
                 "PCA MSE": self.pca[k], "JPEG MSE": self.jpeg_matched[k][2],
                 "JPEG scan bytes": self.jpeg_matched[k][0], "JPEG file bytes": self.jpeg_matched[k][1]}
                for k in sorted(self.autoencoder)]


def compare(nets: AutoencoderSet, pca: PCA, pictures: np.ndarray,
            on_progress: Callable[[float, str], None] | None = None) -> Comparison:
    """The autoencoders, PCA and JPEG on the same uint8 images: the error against the bytes stored."""
    def say(done: float, what: str) -> None:
        if on_progress is not None:
            on_progress(done, what)
    clean = pictures.astype(np.float32) / 255
    seconds = {}
    start = time.perf_counter()
    say(0.0, "autoencoders")
    autoencoder = {k: float(mse(reconstruct(nets[f"ae{k}"], pictures), clean).mean()) for k in CODES}
    seconds["autoencoders"] = time.perf_counter() - start
    start = time.perf_counter()
    pca_errors = {k: float(mse(pca.reconstruct(pictures, k), clean).mean())
                  for k in PCA_SIZES if k <= len(pca.components)}
    seconds["pca"] = time.perf_counter() - start
    start = time.perf_counter()
    curve = []
    for i, q in enumerate(JPEG_QUALITIES):
        say(0.1 + 0.45 * i / len(JPEG_QUALITIES), f"JPEG at quality {q}")
        runs = [jpeg(p, q) for p in pictures]
        curve.append((q, float(np.mean([r[1] for r in runs])), float(np.mean([r[2] for r in runs])),
                      float(mse(np.stack([r[0] for r in runs]), clean).mean())))
    matched = {}
    for i, k in enumerate(CODES):
        say(0.55 + 0.45 * i / len(CODES), f"JPEG quality matched to {k * BYTES_PER_NUMBER} bytes, image by image")
        runs = [jpeg_at_budget(p, k * BYTES_PER_NUMBER) for p in pictures]
        matched[k] = (float(np.mean([r.scan_bytes for r in runs])), float(np.mean([r.file_bytes for r in runs])),
                      float(mse(np.stack([r.picture for r in runs]), clean).mean()),
                      float(np.mean([r.quality for r in runs])))
    seconds["jpeg"] = time.perf_counter() - start
    say(1.0, "done")
    return Comparison(len(pictures), autoencoder, pca_errors, curve, matched, seconds)


# Denoising

NOISE_LEVELS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


@torch.no_grad()
def denoise(net: Autoencoder, noisy: np.ndarray) -> np.ndarray:
    """Noisy images (N, side, side) in [0, 1] through an autoencoder (no float16 rounding: nothing is stored)."""
    dev = next(net.parameters()).device
    return to_numpy(net(torch.from_numpy(np.asarray(noisy, np.float32)).unsqueeze(1).to(dev))[:, 0])


def noisy_copies(pictures: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    """uint8 images with Gaussian noise of standard deviation sigma added (on the [0, 1] scale), clipped: floats."""
    x = as_batch(pictures)
    return to_numpy(add_noise(x, sigma, torch.Generator().manual_seed(seed))[:, 0])


def denoising_errors(nets: AutoencoderSet, pictures: np.ndarray, sigmas=NOISE_LEVELS,
                     seed: int = 0) -> dict[str, list[float]]:
    """Mean squared error against the clean images, at each noise level: the noisy input itself, the plain
    autoencoder's output and the denoising autoencoder's (both with a 32-number code)."""
    clean = pictures.astype(np.float32) / 255
    errors: dict[str, list[float]] = {"noisy input": [], "plain autoencoder": [], "denoising autoencoder": []}
    for sigma in sigmas:
        noisy = noisy_copies(pictures, sigma, seed)
        errors["noisy input"].append(float(mse(noisy, clean).mean()))
        errors["plain autoencoder"].append(float(mse(denoise(nets[f"ae{DENOISING_CODE}"], noisy), clean).mean()))
        errors["denoising autoencoder"].append(float(mse(denoise(nets[f"dae{DENOISING_CODE}"], noisy), clean).mean()))
    return errors
