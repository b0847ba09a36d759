"""Out-of-distribution inputs: the same picture turned, scaled, recoloured, retextured, blurred by motion, or filmed by
a panning, shaking camera; a network's accuracy as each change grows (its severity, 0 = the picture as it is,
1 = the strongest change offered); and the augmentation that trains a network on some of these changes.

Images are float tensors (B, C, H, W) in [0, 1]: C = 1 for the 28×28 Fashion-MNIST items, 3 for photos. Every
transform is differentiable in the image (the physical adversarial examples put some of them inside an attack) and
takes its amount as one number for the whole batch or one per image, (B,). At its identity amount it returns the
very tensor it was given.
"""
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.device import to_numpy

Amount = float | torch.Tensor  # one value for the whole batch, or one per image


def _per_item(amount: Amount, x: torch.Tensor) -> torch.Tensor:
    """The amount as a (B,) tensor on x's device and dtype."""
    return torch.as_tensor(amount, dtype=x.dtype, device=x.device).reshape(-1).expand(x.shape[0])


def _is(amount: Amount, value: float) -> bool:
    """Whether the amount is `value` for every image (then a transform returns its input untouched)."""
    if isinstance(amount, torch.Tensor):
        return bool((amount == value).all())
    return amount == value


# Pose

def affine(x: torch.Tensor, degrees: Amount = 0.0, factor: Amount = 1.0, shift: tuple[Amount, Amount] = (0.0, 0.0),
           padding: str = "zeros") -> torch.Tensor:
    """Turn each image by `degrees` (anticlockwise), scale it by `factor` about its centre (< 1: smaller, as if
    farther away) and move it by `shift` (dx right, dy down, in fractions of its width and height). What comes in
    from outside the image is black (`padding="zeros"`) or its edge repeated (`"border"`)."""
    if _is(degrees, 0.0) and _is(factor, 1.0) and _is(shift[0], 0.0) and _is(shift[1], 0.0):
        return x
    a, s = torch.deg2rad(_per_item(degrees, x)), _per_item(factor, x)
    dx, dy = 2 * _per_item(shift[0], x), 2 * _per_item(shift[1], x)  # in grid units: the image spans −1 … 1
    cos, sin = torch.cos(a) / s, torch.sin(a) / s
    # output pixel p samples the input at A (p − d), A = R(−a) / s: the picture turned by +a (y points down), scaled
    theta = torch.stack([torch.stack([cos, -sin, -(cos * dx - sin * dy)], 1),
                         torch.stack([sin, cos, -(sin * dx + cos * dy)], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode=padding, align_corners=False)


def rotate(x: torch.Tensor, degrees: Amount) -> torch.Tensor:
    return affine(x, degrees=degrees)


def scale(x: torch.Tensor, factor: Amount) -> torch.Tensor:
    return affine(x, factor=factor)


# Colour and texture

def hue_shift(x: torch.Tensor, degrees: Amount) -> torch.Tensor:
    """Turn every colour's hue by `degrees` around the grey axis (greys stay grey; red → green → blue at 120°,
    240°). Colour images only."""
    if x.shape[1] != 3:
        raise ValueError("A hue shift needs a colour image (3 channels); this one has "
                         f"{x.shape[1]}: a grayscale picture has no hue to shift.")
    if _is(degrees, 0.0):
        return x
    a = torch.deg2rad(_per_item(degrees, x))
    c, s = torch.cos(a)[:, None, None], torch.sin(a)[:, None, None]
    eye, third = torch.eye(3, dtype=x.dtype, device=x.device), torch.full((3, 3), 1 / 3, dtype=x.dtype, device=x.device)
    cross = torch.tensor([[0, -1, 1], [1, 0, -1], [-1, 1, 0]], dtype=x.dtype, device=x.device) / math.sqrt(3)
    rotation = c * eye + (1 - c) * third + s * cross  # Rodrigues' formula about (1, 1, 1)/√3: (B, 3, 3)
    return torch.einsum("bij,bjhw->bihw", rotation, x).clamp(0, 1)


def invert(x: torch.Tensor, amount: Amount) -> torch.Tensor:
    """Mix each image with its negative: 0 = itself, 0.5 = flat grey, 1 = the negative (dark ↔ light)."""
    if _is(amount, 0.0):
        return x
    a = _per_item(amount, x)[:, None, None, None]
    return x + a * (1 - 2 * x)


def contrast(x: torch.Tensor, factor: Amount) -> torch.Tensor:
    """Scale each image's differences from its mean brightness by `factor` (< 1: dull, as in fog; > 1: harsh)."""
    if _is(factor, 1.0):
        return x
    f = _per_item(factor, x)[:, None, None, None]
    mean = x.mean((1, 2, 3), keepdim=True)
    return (mean + f * (x - mean)).clamp(0, 1)


def brightness(x: torch.Tensor, factor: Amount) -> torch.Tensor:
    """Every pixel times `factor` (< 1: darker, > 1: brighter, clipped at white)."""
    if _is(factor, 1.0):
        return x
    return (x * _per_item(factor, x)[:, None, None, None]).clamp(0, 1)


_PATTERNS: dict[tuple[int, int], torch.Tensor] = {}


def texture_pattern(height: int, width: int) -> torch.Tensor:
    """A fixed wavy-stripe texture (height, width) in [0, 1], about 4 stripes across, whatever the size."""
    if (height, width) not in _PATTERNS:
        g = torch.Generator().manual_seed(0)
        wobble = F.interpolate(torch.rand(1, 1, 5, 5, generator=g), size=(height, width), mode="bicubic",
                               align_corners=True)[0, 0]
        yy, xx = torch.meshgrid(torch.linspace(0, 1, height), torch.linspace(0, 1, width), indexing="ij")
        _PATTERNS[(height, width)] = 0.5 + 0.5 * torch.sin(2 * math.pi * (3 * xx + 1.5 * yy + 1.2 * wobble))
    return _PATTERNS[(height, width)]


def texture(x: torch.Tensor, amount: Amount) -> torch.Tensor:
    """Paint a striped texture over each image: every pixel times (1 − amount + amount · pattern). Black stays
    black, so a Fashion item keeps its outline (its shape) and changes its surface (its texture)."""
    if _is(amount, 0.0):
        return x
    a = _per_item(amount, x)[:, None, None, None]
    pattern = texture_pattern(*x.shape[-2:]).to(x)
    return x * (1 - a + a * pattern)


_NOISE: dict[tuple, torch.Tensor] = {}


def noise(x: torch.Tensor, sigma: Amount) -> torch.Tensor:
    """Add Gaussian noise of standard deviation `sigma` (a fixed draw for each image size, so a sweep is repeatable),
    clipped to [0, 1]."""
    if _is(sigma, 0.0):
        return x
    key = tuple(x.shape[1:])
    if key not in _NOISE:
        _NOISE[key] = torch.randn(key, generator=torch.Generator().manual_seed(0))
    return (x + _per_item(sigma, x)[:, None, None, None] * _NOISE[key].to(x)).clamp(0, 1)


# Blur

def _filter(x: torch.Tensor, kernels: torch.Tensor) -> torch.Tensor:
    """Convolve each image (all its channels) with its own kernel (B, k, k), edges repeated."""
    b, c, h, w = x.shape
    k = kernels.shape[-1]
    weight = kernels.to(x).repeat_interleave(c, 0)[:, None]  # (B·C, 1, k, k)
    padded = F.pad(x.reshape(1, b * c, h, w), (k // 2,) * 4, mode="replicate")
    return F.conv2d(padded, weight, groups=b * c).reshape(b, c, h, w)


def motion_kernels(length: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """Anti-aliased line segments `length` pixels long at `degrees` (0 = horizontal, 90 = vertical), normalised:
    (B, k, k). A length under 1 is a single pixel (no blur)."""
    k = 2 * math.ceil(float(length.max()) / 2) + 3
    r = torch.arange(k, dtype=length.dtype, device=length.device) - k // 2
    v, u = torch.meshgrid(r, r, indexing="ij")  # v down, u right
    a = torch.deg2rad(degrees)[:, None, None]
    dx, dy = torch.cos(a), -torch.sin(a)  # the direction of motion, y down
    half = ((length - 1).clamp(min=0) / 2)[:, None, None]  # the segment's pixels' centres: `length` pixels in all
    along = (u * dx + v * dy).clamp(-half, half)  # the nearest point of the segment, as its distance from the centre
    dist = torch.sqrt((u - along * dx) ** 2 + (v - along * dy) ** 2)
    kernels = (1 - dist).clamp(min=0)
    return kernels / kernels.sum((1, 2), keepdim=True)


def motion_blur(x: torch.Tensor, length: Amount, degrees: Amount = 0.0) -> torch.Tensor:
    """Blur each image along a straight line `length` pixels long at `degrees` (0 = horizontal): what a moving camera
    or object does during the exposure."""
    if _is(length, 0.0):
        return x
    return _filter(x, motion_kernels(_per_item(length, x), _per_item(degrees, x)))


def gaussian_kernels(sigma: torch.Tensor) -> torch.Tensor:
    """Normalised Gaussian kernels (B, k, k); a sigma near 0 is a single pixel (no blur)."""
    k = 2 * math.ceil(3 * float(sigma.max())) + 1
    r = torch.arange(k, dtype=sigma.dtype, device=sigma.device) - k // 2
    s = sigma.clamp(min=1e-3)[:, None, None]
    kernels = torch.exp(-(r[None, :, None] ** 2 + r[None, None, :] ** 2) / (2 * s ** 2))
    return kernels / kernels.sum((1, 2), keepdim=True)


def gaussian_blur(x: torch.Tensor, sigma: Amount) -> torch.Tensor:
    """An out-of-focus blur of standard deviation `sigma` pixels."""
    if _is(sigma, 0.0):
        return x
    return _filter(x, gaussian_kernels(_per_item(sigma, x)))


# The transforms the page offers, each with a severity

@dataclass(frozen=True)
class Transform:
    """One change of the input: its amount in its own units, from `identity` (severity 0) to `full` (severity 1);
    a live slider may range wider, from `lo` to `hi`."""
    name: str
    group: str  # "pose", "colour/texture" or "motion blur"
    unit: str
    identity: float
    full: float
    lo: float
    hi: float
    step: float
    fn: Callable[[torch.Tensor, Amount], torch.Tensor]
    colour_only: bool = False  # needs a colour image (hue)

    def amount(self, severity: float) -> float:
        """The amount at a severity in [0, 1]."""
        if not 0 <= severity <= 1:
            raise ValueError(f"A severity is between 0 and 1, not {severity}.")
        return self.identity + severity * (self.full - self.identity)

    def describe(self, amount: float) -> str:
        return f"{amount:g}{'' if self.unit.startswith(('°', '×', '%')) else ' '}{self.unit}"

    def __call__(self, x: torch.Tensor, amount: Amount) -> torch.Tensor:
        return self.fn(x, amount)


def _motion_blur_across(x: torch.Tensor, fraction: Amount) -> torch.Tensor:
    """Horizontal motion blur, its length a fraction of the image's width."""
    return motion_blur(x, _per_item(fraction, x) * x.shape[-1] if not _is(fraction, 0.0) else 0.0, 0.0)


TRANSFORMS = {t.name: t for t in [
    Transform("rotation", "pose", "°", 0, 180, -180, 180, 5, rotate),
    Transform("scale", "pose", "× size", 1, 0.3, 0.3, 2.0, 0.05, scale),
    Transform("hue shift", "colour/texture", "° of hue", 0, 180, -180, 180, 5, hue_shift, colour_only=True),
    Transform("inversion", "colour/texture", "share of the negative", 0, 1, 0, 1, 0.05, invert),
    Transform("contrast", "colour/texture", "× contrast", 1, 0.05, 0.05, 3.0, 0.05, contrast),
    Transform("texture", "colour/texture", "strength of the stripes", 0, 1, 0, 1, 0.05, texture),
    Transform("noise", "colour/texture", "σ of the noise", 0, 0.5, 0, 0.5, 0.01, noise),
    Transform("motion blur", "motion blur", "of the width, horizontal", 0, 0.4, 0, 0.4, 0.01, _motion_blur_across),
]}
GRAYSCALE = tuple(n for n, t in TRANSFORMS.items() if not t.colour_only)  # the ones that make sense on Fashion-MNIST
SEVERITIES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
AUGMENTED = ("rotation", "scale", "inversion", "contrast", "motion blur")  # what fashion_cnn_augmented trained on
PHOTOS = ("chelsea", "coffee", "astronaut", "rocket", "china", "flower")  # the shipped photos swept (not the pair)


@dataclass(frozen=True)
class Settings:
    """The live view's sliders, all at once."""
    rotation: float = 0.0  # degrees
    scale: float = 1.0  # × size
    hue: float = 0.0  # degrees
    inversion: float = 0.0  # share of the negative
    contrast: float = 1.0  # × contrast
    texture: float = 0.0  # strength
    noise: float = 0.0  # σ
    blur: float = 0.0  # motion blur length, fraction of the width
    blur_angle: float = 0.0  # degrees, 0 = horizontal

    @property
    def is_identity(self) -> bool:
        return self == Settings(blur_angle=self.blur_angle)


def apply(x: torch.Tensor, s: Settings) -> torch.Tensor:
    """Every change of the settings, in the order a scene reaches a sensor: pose; colour, inversion, contrast,
    texture; motion blur during the exposure; noise last. The hue is left alone on grayscale images."""
    x = affine(x, s.rotation, s.scale)
    if x.shape[1] == 3:
        x = hue_shift(x, s.hue)
    x = texture(contrast(invert(x, s.inversion), s.contrast), s.texture)
    x = motion_blur(x, s.blur * x.shape[-1], s.blur_angle) if s.blur else x
    return noise(x, s.noise)


# Accuracy against severity

@torch.no_grad()
def sweep(models: dict[str, nn.Module], images: np.ndarray, labels: np.ndarray,
          transforms: Sequence[str] = GRAYSCALE, severities: Sequence[float] = SEVERITIES, batch: int = 1000,
          on_progress: Callable[[int, int], None] | None = None) -> dict[str, dict[str, list[float]]]:
    """Each model's accuracy on the images (uint8 (N, H, W) grayscale or (N, H, W, 3) colour, read as [0, 1]) under
    each transform at each severity: {model: {transform: [accuracy per severity]}}. Severity 0 (the images as they
    are) is measured once and shared by every transform. `on_progress(done, total)` hears after each pass."""
    labels_t = torch.tensor(np.array(labels), dtype=torch.long)
    points = [(None, 0.0)] + [(t, s) for t in transforms for s in severities if s > 0]
    right = {m: {} for m in models}
    devices = {m: next(net.parameters()).device for m, net in models.items()}
    for done, (name, severity) in enumerate(points, 1):
        counts = dict.fromkeys(models, 0)
        for i in range(0, len(images), batch):
            x = to_tensor(images[i:i + batch])
            if name is not None:
                x = TRANSFORMS[name](x, TRANSFORMS[name].amount(severity))
            for m, net in models.items():
                counts[m] += int((net(x.to(devices[m])).argmax(1).cpu() == labels_t[i:i + batch]).sum())
        for m in models:
            right[m][(name, severity)] = counts[m] / len(images)
        if on_progress is not None:
            on_progress(done, len(points))
    return {m: {t: [right[m][(None, 0.0)] if s == 0 else right[m][(t, s)] for s in severities] for t in transforms}
            for m in models}


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W) or (N, H, W, 3) → float (N, C, H, W) in [0, 1]."""
    x = torch.from_numpy(np.asarray(images, dtype=np.float32) / 255)
    return x[:, None] if x.ndim == 3 else x.permute(0, 3, 1, 2).contiguous()


def to_pictures(x: torch.Tensor) -> np.ndarray:
    """float (N, C, H, W) in [0, 1] → uint8 (N, H, W) (one channel) or (N, H, W, 3), for display."""
    p = (x.detach().clamp(0, 1) * 255).round().to(torch.uint8).cpu()
    return to_numpy(p[:, 0]) if p.shape[1] == 1 else to_numpy(p.permute(0, 2, 3, 1))


# Time: a camera panning or shaking over a picture

def pan_frames(image: torch.Tensor, frames: int = 30, pan: float = 0.3, shake: float = 0.0, size: int | None = None,
               seed: int = 0, padding: str = "zeros") -> tuple[torch.Tensor, np.ndarray]:
    """`frames` square views of side `size` (default: the image's shorter side) cut from a (C, H, W) image by a
    camera that pans across `pan` of a view's width, left to right and centred, and shakes by a random offset of
    standard deviation `shake` view widths in each frame. Returns the frames (T, C, size, size) and each frame's
    offset from the centre in view widths (T, 2). Outside the image is black, or its edge (`padding="border"`)."""
    if frames < 1:
        raise ValueError("At least one frame.")
    c, h, w = image.shape
    size = size or min(h, w)
    g = np.random.default_rng(seed)
    t = np.linspace(-0.5, 0.5, frames) if frames > 1 else np.zeros(1)
    offsets = np.stack([pan * t, np.zeros(frames)], 1) + shake * g.standard_normal((frames, 2))
    # a view of side `size` at the centre + offset · size; in grid units the image spans −1 … 1 across w (and h)
    sx, sy = size / w, size / h
    theta = torch.zeros(frames, 2, 3, dtype=image.dtype)
    theta[:, 0, 0], theta[:, 1, 1] = sx, sy
    theta[:, 0, 2] = torch.as_tensor(2 * offsets[:, 0] * size / w, dtype=image.dtype)
    theta[:, 1, 2] = torch.as_tensor(2 * offsets[:, 1] * size / h, dtype=image.dtype)
    grid = F.affine_grid(theta, [frames, c, size, size], align_corners=False)
    views = F.grid_sample(image[None].expand(frames, -1, -1, -1), grid.to(image.device), mode="bilinear",
                          padding_mode=padding, align_corners=False)
    return views, offsets


@dataclass
class Flicker:
    """A model's predictions over the frames of a video."""
    top: np.ndarray  # (T,) the predicted class per frame
    confidence: np.ndarray  # (T,) its probability
    first: np.ndarray  # (T,) the probability of the first frame's class in every frame

    @property
    def flips(self) -> int:
        """How often the prediction changes from one frame to the next."""
        return int((self.top[1:] != self.top[:-1]).sum())

    @property
    def labels_seen(self) -> int:
        return len(set(self.top.tolist()))


@torch.no_grad()
def flicker(net: nn.Module, inputs: torch.Tensor, batch: int = 16) -> Flicker:
    """Predictions for each frame (inputs already in the model's format, (T, C, H, W))."""
    dev = next(net.parameters()).device
    probs = torch.cat([net(inputs[i:i + batch].to(dev)).softmax(1).cpu() for i in range(0, len(inputs), batch)])
    conf, top = probs.max(1)
    return Flicker(to_numpy(top), to_numpy(conf), to_numpy(probs[:, top[0]]))


@torch.no_grad()
def flips_over(models: dict[str, nn.Module], images: np.ndarray, frames: int = 30, pan: float = 0.3,
               shake: float = 0.02, seed: int = 0, batch: int = 1000) -> dict[str, np.ndarray]:
    """For each 28×28 item (uint8 (N, 28, 28)), filmed as pan_frames films it (the same camera path for every item),
    each model's number of label flips: {model: (N,)}."""
    views = torch.cat([pan_frames(to_tensor(item[None])[0], frames, pan, shake, seed=seed)[0] for item in images])
    flips = {}
    for name, net in models.items():
        dev = next(net.parameters()).device
        top = torch.cat([net(views[i:i + batch].to(dev)).argmax(1).cpu() for i in range(0, len(views), batch)])
        top = top.reshape(len(images), frames)
        flips[name] = to_numpy((top[:, 1:] != top[:, :-1]).sum(1))
    return flips


# Training on changed copies (fashion_cnn_augmented)

def augment(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """Random changes of a batch of 28×28 items (B, 1, 28, 28), drawn per item: half of them turned anywhere in
    ±180°, half scaled to 0.3–1.1 of their size, all shifted by up to 3 pixels; 30 % dulled (contrast 0.05–1), 20 %
    inverted (55–100 % of the negative), 30 % blurred (half out of focus, σ ≤ 1.5 px; half by motion, up to 11 px in
    any direction). Texture, noise and hue are left out on purpose: the page shows what augmentation does not buy."""
    b = x.shape[0]

    def u(lo: float, hi: float) -> torch.Tensor:
        return lo + (hi - lo) * torch.rand(b, generator=g)

    def chance(p: float) -> torch.Tensor:
        return torch.rand(b, generator=g) < p

    degrees = torch.where(chance(0.5), u(-180, 180), torch.zeros(b))
    factor = torch.where(chance(0.5), u(0.3, 1.1), torch.ones(b))
    x = affine(x, degrees, factor, (u(-3, 3) / 28, u(-3, 3) / 28))
    x = contrast(x, torch.where(chance(0.3), u(0.05, 1), torch.ones(b)))
    x = invert(x, torch.where(chance(0.2), u(0.55, 1), torch.zeros(b)))
    blurred, motion = chance(0.3), chance(0.5)
    x = gaussian_blur(x, torch.where(blurred & ~motion, u(0, 1.5), torch.zeros(b)))
    return motion_blur(x, torch.where(blurred & motion, u(0, 11), torch.zeros(b)), u(0, 180))


def train_fashion_cnn_augmented(recipe, on_progress=None) -> tuple:
    """The Fashion CNN's recipe (core.small_cnn) on augmented copies; then both it (rounded to half precision, as it
    ships) and the shipped plain fashion_cnn swept over every grayscale transform on the whole test set, recorded in
    the metrics with the plain model's hash."""
    from core import checkpoints, small_cnn
    from core.data.images import fashion_mnist
    (Xtr, ytr), (Xte, yte) = fashion_mnist(train=True), fashion_mnist(train=False)
    model, architecture, metrics = small_cnn.train_small_cnn(recipe, on_progress, Xtr, ytr, Xte, yte, augment=augment)
    start = time.perf_counter()
    with torch.no_grad():  # the weights as they will ship (half precision), so the app measures what is recorded
        for p in model.state_dict().values():
            if p.is_floating_point():
                p.copy_(p.half().float())
    plain = checkpoints.load_model("fashion_cnn")  # on the device the training used
    curves = sweep({"fashion_cnn": plain, recipe.name: model.eval()}, Xte, yte)
    metrics |= {"ood_severities": list(SEVERITIES),
                "ood_accuracy": {m: {t: [round(a, 4) for a in accs] for t, accs in c.items()}
                                 for m, c in curves.items()},
                "ood_plain_sha256": checkpoints.read_manifest()["fashion_cnn"].sha256,
                "ood_sweep_seconds": round(time.perf_counter() - start, 1)}
    return model, architecture, metrics
