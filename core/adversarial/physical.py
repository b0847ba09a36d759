"""Physical adversarial examples: does an attack survive what a printer and a camera do to it (a small turn and
change of scale, brighter or darker light, blur, JPEG compression)? And the attack that is made to survive them:
PGD whose gradient is averaged over random camera transformations (expectation over transformation, EOT; Athalye et
al. 2018), with its success rate measured over random transformations it never saw.

Images are [0, 1] pixels (B, C, H, W), as in core.adversarial.attacks. The camera's rotation, scale, brightness and blur are
differentiable (core.adversarial.out_of_distribution's transforms). JPEG is not: in the survival check it is the real codec
(Pillow); inside the EOT attack it runs forward as the real codec and passes the gradient back unchanged, as if it
were the identity (the straight-through or BPDA approximation, Athalye et al. 2018).
"""
import io
from collections.abc import Callable
from dataclasses import dataclass, fields, replace

import numpy as np
import torch
from PIL import Image
from torch import nn

from core.adversarial import attacks
from core.adversarial import out_of_distribution as ood
from core.device import to_numpy


@dataclass(frozen=True)
class Camera:
    """One print-and-photograph of an image. Each field at its default changes nothing."""
    rotation: float = 0.0  # degrees, anticlockwise
    scale: float = 1.0  # × size (the camera nearer > 1, farther < 1)
    brightness: float = 1.0  # × every pixel
    blur: float = 0.0  # out-of-focus blur, σ as a share of the image's width
    jpeg: int = 100  # JPEG quality, 1–100; 100 = not compressed

    @property
    def is_identity(self) -> bool:
        return self == Camera()


NAMES = {"rotation": "small rotation", "scale": "scaling", "brightness": "brightness change", "blur": "blur",
         "jpeg": "JPEG compression"}


@dataclass(frozen=True)
class Ranges:
    """Where the random cameras are drawn from (uniformly; JPEG quality as an integer)."""
    rotation: float = 15.0  # ± degrees
    scale: tuple[float, float] = (0.85, 1.15)
    brightness: tuple[float, float] = (0.7, 1.3)
    blur: float = 0.012  # σ up to this share of the width (2.7 px on a 224-pixel photo, 0.34 px on a 28-pixel item)
    jpeg: tuple[int, int] = (30, 95)
    jpeg_share: float = 0.5  # the share of cameras that compress


RANGES = Ranges()


def jpeg(x: torch.Tensor, quality: int) -> torch.Tensor:
    """Each image through JPEG at `quality` and back (Pillow's codec, 4:2:0 chroma subsampling); not differentiable.
    Quality 100 returns the images untouched."""
    if quality >= 100:
        return x
    out = []
    for image in x.detach().clamp(0, 1).mul(255).round().to(torch.uint8).cpu():
        picture = to_numpy(image[0]) if image.shape[0] == 1 else to_numpy(image.permute(1, 2, 0))
        buffer = io.BytesIO()
        Image.fromarray(picture).save(buffer, "JPEG", quality=int(quality))
        decoded = torch.from_numpy(np.array(Image.open(buffer)))
        out.append(decoded[None] if decoded.ndim == 2 else decoded.permute(2, 0, 1))
    return torch.stack(out).float().div(255).to(x.device)


def straight_through_jpeg(x: torch.Tensor, quality: torch.Tensor | int) -> torch.Tensor:
    """JPEG forward, identity backward (BPDA): x + (jpeg(x) − x) with the difference detached. `quality`: one for
    all, or one per image (100 = leave that image alone)."""
    q = torch.as_tensor(quality).reshape(-1).expand(x.shape[0])
    compressed = torch.cat([jpeg(x[i:i + 1], int(q[i])) for i in range(x.shape[0])]) if (q < 100).any() else x
    return x + (compressed - x).detach()


def _pose_light_blur(x: torch.Tensor, rotation, scale, brightness, blur) -> torch.Tensor:
    """The differentiable part of a camera (amounts: numbers or one per image). Pose with the edge repeated, as a
    camera sees what lies around a print rather than black; then the light; then the lens."""
    x = ood.affine(x, rotation, scale, padding="border")
    x = ood.brightness(x, brightness)
    sigma = blur * x.shape[-1] if not ood._is(blur, 0.0) else 0.0
    return ood.gaussian_blur(x, sigma)


def photograph(x: torch.Tensor, camera: Camera) -> torch.Tensor:
    """The images as this camera sees them: turned and scaled, lit, blurred, then JPEG-compressed."""
    return jpeg(_pose_light_blur(x, camera.rotation, camera.scale, camera.brightness, camera.blur), camera.jpeg)


def one_at_a_time(camera: Camera) -> dict[str, Camera]:
    """Each change of `camera` alone (those that change something), then all of them together."""
    alone = {f.name: replace(Camera(), **{f.name: getattr(camera, f.name)}) for f in fields(Camera)
             if getattr(camera, f.name) != getattr(Camera(), f.name)}
    return {**alone, "all together": camera} if len(alone) > 1 else alone


def random_cameras(n: int, seed: int = 0, ranges: Ranges = RANGES, with_jpeg: bool = True) -> list[Camera]:
    """n cameras drawn from the ranges, the same for the same seed."""
    g = np.random.default_rng(seed)
    cameras = []
    for _ in range(n):
        quality = int(g.integers(ranges.jpeg[0], ranges.jpeg[1] + 1))
        compress = with_jpeg and g.random() < ranges.jpeg_share
        cameras.append(Camera(rotation=float(g.uniform(-ranges.rotation, ranges.rotation)),
                              scale=float(g.uniform(*ranges.scale)), brightness=float(g.uniform(*ranges.brightness)),
                              blur=float(g.uniform(0, ranges.blur)), jpeg=quality if compress else 100))
    return cameras


def random_camera(ranges: Ranges = RANGES, with_jpeg: bool = True) -> attacks.Transform:
    """A transform(x_batch, generator) for core.adversarial.attacks.pgd: every image of the batch through its own random camera
    drawn from the ranges (with `generator`, a CPU torch.Generator, or torch's global one). Differentiable; JPEG, if
    included, is straight-through."""
    def transform(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        b = x.shape[0]

        def u(lo: float, hi: float) -> torch.Tensor:
            return lo + (hi - lo) * torch.rand(b, generator=generator)

        rotation, scale = u(-ranges.rotation, ranges.rotation), u(*ranges.scale)
        brightness, blur = u(*ranges.brightness), u(0, ranges.blur)
        quality = u(ranges.jpeg[0], ranges.jpeg[1] + 1).floor().long().clamp(max=ranges.jpeg[1])
        if with_jpeg:
            quality = torch.where(torch.rand(b, generator=generator) < ranges.jpeg_share, quality, 100)
        out = _pose_light_blur(x, rotation.to(x), scale.to(x), brightness.to(x), blur.to(x))
        return straight_through_jpeg(out, quality) if with_jpeg else out
    return transform


def counted(transform: attacks.Transform, on_call: Callable[[], None]) -> attacks.Transform:
    """The same transform, calling on_call() each time it is used (once per attack step, and once at the end)."""
    def wrapper(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        on_call()
        return transform(x, generator)
    return wrapper


def identity(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """No transformation: with samples=1 the attack is plain PGD (lets a progress counter see its steps)."""
    return x


@torch.no_grad()
def predictions(model: nn.Module, x: torch.Tensor, cameras: list[Camera], batch: int = 25
                ) -> tuple[np.ndarray, np.ndarray]:
    """The class and its probability for one image (1, C, H, W) seen by each camera: (n,), (n,)."""
    dev = next((p.device for p in model.parameters()), x.device)
    tops, confs = [], []
    for i in range(0, len(cameras), batch):
        views = torch.cat([photograph(x, c) for c in cameras[i:i + batch]])
        p = model(views.to(dev)).softmax(1).cpu()
        conf, top = p.max(1)
        tops.append(top)
        confs.append(conf)
    return to_numpy(torch.cat(tops)), to_numpy(torch.cat(confs))


def fooled(top: np.ndarray, label: int, target: int | None = None) -> np.ndarray:
    """Which predictions count as the attack succeeding: not the label (untargeted), or the target (targeted)."""
    return top == target if target is not None else top != label


def success_rate(model: nn.Module, x_adv: torch.Tensor, label: int, cameras: list[Camera],
                 target: int | None = None) -> float:
    """The share of cameras through which the adversarial image (1, C, H, W) still fools the model."""
    return float(fooled(predictions(model, x_adv, cameras)[0], label, target).mean())


def eot_attack(model: nn.Module, x: torch.Tensor, label: int, eps: float, steps: int = 10, samples: int = 8,
               step_size: float | None = None, seed: int = 0, ranges: Ranges = RANGES, with_jpeg: bool = True,
               on_step: Callable[[], None] | None = None) -> attacks.Attack:
    """Untargeted PGD (core.adversarial.attacks.pgd) whose gradient is averaged over `samples` random cameras at every step.
    on_step() hears once per step and once for the final evaluation (steps + 1 calls)."""
    transform = random_camera(ranges, with_jpeg)
    if on_step is not None:
        transform = counted(transform, on_step)
    return attacks.pgd(model, x, label, eps, steps, step_size, transform=transform, samples=samples,
                       generator=torch.Generator().manual_seed(seed))


def plain_attack(model: nn.Module, x: torch.Tensor, label: int, eps: float, steps: int = 10,
                 step_size: float | None = None, on_step: Callable[[], None] | None = None) -> attacks.Attack:
    """Untargeted PGD on the image as it is (no camera in the loop); on_step() as in eot_attack."""
    transform = None if on_step is None else counted(identity, on_step)
    return attacks.pgd(model, x, label, eps, steps, step_size, transform=transform, samples=1)


@dataclass
class Survival:
    """Three images of one input, each seen through the same random cameras: which views fool the model."""
    cameras: list[Camera]
    clean: np.ndarray  # (n,) bool: the unattacked image, fooled by the camera alone (the control)
    plain: np.ndarray  # (n,) bool: the plain attack's image
    eot: np.ndarray  # (n,) bool: the EOT attack's image
    eot_x: torch.Tensor  # the EOT attack's image (1, C, H, W) in [0, 1]
    eot_top: int  # the model's class for it, seen as it is
    seconds: dict[str, float]  # "EOT attack", "measuring"

    @property
    def rates(self) -> dict[str, float]:
        return {"original (no attack)": float(self.clean.mean()), "plain attack": float(self.plain.mean()),
                "EOT attack": float(self.eot.mean())}


def survival(model: nn.Module, x: torch.Tensor, plain_x: torch.Tensor, label: int, eps: float, steps: int = 10,
             samples: int = 8, cameras: int = 50, target: int | None = None, seed: int = 0, camera_seed: int = 1,
             on_progress: Callable[[float, str], None] | None = None) -> Survival:
    """Run the EOT attack on x (same budget and steps as the plain attack that made plain_x), then photograph x,
    plain_x and the EOT image through `cameras` random cameras (JPEG included; drawn with `camera_seed`, other
    draws than the attack's) and record which views fool the model. on_progress(fraction done, what)."""
    import time

    views = random_cameras(cameras, camera_seed)
    batches = -(-cameras // 25)
    total = steps + 1 + 3 * batches
    done = [0]

    def tick(what: str) -> None:
        done[0] += 1
        if on_progress is not None:
            on_progress(min(1.0, done[0] / total), what)

    start = time.perf_counter()
    out = attacks.pgd(model, x, label, eps, steps, None, target=target,
                      transform=counted(random_camera(), lambda: tick("EOT attack")), samples=samples,
                      generator=torch.Generator().manual_seed(seed))
    middle = time.perf_counter()
    seen = {}
    for name, image in (("clean", x), ("plain", plain_x), ("eot", out.x)):
        tops = []
        for i in range(0, cameras, 25):
            tops.append(predictions(model, image, views[i:i + 25])[0])
            tick(f"photographing the {'original' if name == 'clean' else name + ' attack'}")
        seen[name] = fooled(np.concatenate(tops), label, target)
    return Survival(views, seen["clean"], seen["plain"], seen["eot"], out.x.detach().cpu(),
                    int(out.logits.argmax(1)[0]),
                    {"EOT attack": middle - start, "measuring": time.perf_counter() - middle})
