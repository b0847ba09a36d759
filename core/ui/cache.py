"""The door to what every section shares: cached loaders of data and shared models, checkpoints trained on demand
with progress, and the server's one training slot. A section's own cached computations live beside it.

Shared models are loaded once per server, in eval mode, and never changed afterwards; work that
registers hooks on one runs under that model's lock. What a student trains lives in their session.
"""
import hashlib
import io
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import contextmanager
from typing import Iterator, TypeVar

import numpy as np
import streamlit as st
import torch
from PIL import Image

from core import checkpoints, features, saliency
from core.data import imagenet, images
from core.device import device, to_numpy
from core.line import Line
from core.models import imagenet as imagenet_model
from core.ui import heavy

T = TypeVar("T")
TRAININGS = Line(1)  # one training at a time on this server, so that each finishes in minutes; the others wait


@contextmanager
def training_turn(what: str) -> Iterator[None]:
    """Wait for the server's one training slot (showing the place in line and a Cancel button while others train),
    then train. Cancel, any other click, or leaving the page ends this script run, and with it the wait."""
    ticket = TRAININGS.join()
    try:
        if not TRAININGS.start(ticket):
            note, cancel = st.empty(), st.empty()
            cancel.button("Cancel", key="training_cancel", icon=":material/close:")
            while not TRAININGS.start(ticket, timeout=0.5):
                ahead = TRAININGS.ahead(ticket)
                note.info(f"**{what}** waits its turn: {ahead} training{'s' * (ahead != 1)} ahead of yours on this "
                          "server (one at a time, so that each finishes in minutes).", icon=":material/hourglass:")
            note.empty()
            cancel.empty()
        yield
    finally:
        TRAININGS.leave(ticket)


@st.cache_resource(show_spinner=False)
def lock(name: str) -> threading.Lock:
    """The lock guarding hook-based work on one shared model."""
    return threading.Lock()


# One entry per shipped checkpoint (15, 50 MB of weights and MiniLM's 90): a class uses them all at once, and a bound
# below that made students evict each other's models, loading MiniLM (0.5 s, 100 MB) again and again.
@st.cache_resource(show_spinner="Loading the model…")
def _checkpoint_model(name: str, sha256: str) -> torch.nn.Module:
    return checkpoints.load_model(name)


def _train_missing(name: str) -> None:
    """Rebuild a checkpoint that is not in assets/ (its prerequisites first), showing progress."""
    from core import (
        recipes,  # every segment's training code: imported only when a checkpoint is missing
    )
    for needed in recipes.RECIPES[name].needs + (name,):
        with training_turn(f"Training {needed}"):
            if checkpoints.exists(needed):
                continue
            with st.status(f"Training **{needed}** (its checkpoint is missing): {recipes.RECIPES[needed].data}",
                           expanded=True) as status:
                bar = st.progress(0.0)
                recipes.rebuild(needed, lambda s, n, loss: bar.progress(s / n, text=f"step {s}/{n}, loss {loss:.3f}"))
                status.update(label=f"Trained **{needed}**.", state="complete", expanded=False)


def model(name: str) -> torch.nn.Module | None:
    """A shipped model, verified and shared; trained first if missing; None (with a message) if refused."""
    try:
        if not checkpoints.exists(name):
            _train_missing(name)
        return _checkpoint_model(name, checkpoints.read_manifest()[name].sha256)
    except checkpoints.CheckpointError as e:
        st.error(str(e), icon=":material/gpp_bad:")
        return None


def metrics(name: str) -> dict:
    """The measured figures recorded for a checkpoint (empty if it has none)."""
    entry = checkpoints.read_manifest().get(name)
    return entry.metrics if entry else {}


@st.cache_resource(show_spinner="Loading the ImageNet classifier…")
def imagenet_classifier() -> torch.nn.Module:
    return imagenet_model.efficientnet_lite0().to(device())


@st.cache_resource(show_spinner=False)
def imagenet_classes() -> list[str]:
    return imagenet.imagenet_classes()


@st.cache_resource(show_spinner="Reading Fashion-MNIST…")
def fashion_test() -> tuple[np.ndarray, np.ndarray]:
    return images.fashion_mnist(train=False)


@st.cache_resource(show_spinner="Reading the MNIST digits…")
def digits_test() -> tuple[np.ndarray, np.ndarray]:
    return images.mnist_5k("test")


def photos() -> dict:
    """Kept by core.data.images itself (the lecturer's folder is read again when a file in it changes), so that a
    photo the lecturer adds appears on the next rerun."""
    return images.photos()


_kept_guard = threading.Lock()


class PerInput:
    """What a shared model makes of an input, kept for everyone (the most recent `size` inputs): every rerun of a
    section asks for it again, and a class asks for the same inputs. An entry dies with its model, so another model
    later at the same address never reads it."""

    def __init__(self, size: int):
        self.size, self._items = size, OrderedDict()  # (id(net), x's shape and digest, extra) -> (net ref, result)

    def get(self, net: torch.nn.Module, x: torch.Tensor, compute: Callable[[], T], extra: Hashable = ()) -> T:
        """compute(), or the result kept for this model, input (by its values) and `extra`."""
        x = x.detach().cpu().contiguous()
        key = (id(net), tuple(x.shape), hashlib.sha1(x.numpy().tobytes()).hexdigest(), extra)
        with _kept_guard:
            kept = self._items.get(key)
            if kept is not None and kept[0]() is net:
                self._items.move_to_end(key)
                return kept[1]
        value = compute()
        with _kept_guard:
            self._items[key] = weakref.ref(net), value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


PROBABILITIES = PerInput(256)  # 4 kB each for the ImageNet classifier
FEATURE_MAPS = PerInput(32)  # up to 1 MB each (EfficientNet-Lite0's three layers)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def probabilities(net: torch.nn.Module, x: torch.Tensor) -> np.ndarray:
    """Softmax output of a shared model for one input batch of size 1, kept for everyone."""
    def compute() -> np.ndarray:
        with torch.no_grad():
            return _read_only(to_numpy(net(x.to(device())).softmax(1)[0]))
    return PROBABILITIES.get(net, x, compute)


_ENCODED: OrderedDict[tuple, bytes] = OrderedDict()
MAX_ENCODED = 128  # pictures, tens of kB each


def encode(picture: np.ndarray, image_format: str = "PNG") -> bytes:
    """An (H, W) or (H, W, 3) uint8 picture as PNG or JPEG bytes, as st.image would write it."""
    out = io.BytesIO()
    Image.fromarray(np.asarray(picture, dtype=np.uint8)).save(out, format=image_format, quality=100)
    return out.getvalue()


def encoded(rgb: np.ndarray, image_format: str = "PNG") -> bytes:
    """encode(rgb), kept for everyone (the most recent MAX_ENCODED): given an array, st.image encodes it again on
    every rerun."""
    key = (rgb.shape, image_format, hashlib.sha1(np.ascontiguousarray(rgb).tobytes()).hexdigest())
    with _kept_guard:
        if key in _ENCODED:
            _ENCODED.move_to_end(key)
            return _ENCODED[key]
    picture = encode(rgb, image_format)
    with _kept_guard:
        _ENCODED[key] = picture
        while len(_ENCODED) > MAX_ENCODED:
            _ENCODED.popitem(last=False)
        return _ENCODED[key]


def feature_maps(name: str, net: torch.nn.Module, x: torch.Tensor, layers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each named layer's output (C, H, W) for one input, kept for everyone; hooks registered under the model's
    lock."""
    def compute() -> dict[str, np.ndarray]:
        with lock(name):
            maps = features.feature_maps(net, x.to(device()), layers)
        return {k: _read_only(to_numpy(v[0])) for k, v in maps.items()}
    return FEATURE_MAPS.get(net, x, compute, extra=tuple(layers))


def test_set(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The held-out images and labels of a small CNN: the Fashion-MNIST test set or the 1,000 held-out digits."""
    return fashion_test() if name == "fashion_cnn" else digits_test()


SLOW_ON_PHOTOS = ("Integrated Gradients", "Occlusion")  # 2 s each on a 224² photo and one core; the rest ≤ 0.1 s


def attribution(model: str, picture: np.ndarray, target: int, method: str, net: torch.nn.Module,
                x: torch.Tensor) -> np.ndarray | None:
    """saliency.attribute for one input (`picture` names it): computed once for everyone, so a photo clicked again,
    by anyone, is instant. The slow methods on a photo take their turn with the server's other heavy work, and only
    once somebody asks (None and a button until then); the rest are computed at once."""
    key = ("attribution", model, hashlib.sha1(picture.tobytes()).hexdigest(), picture.shape, target, method)
    compute = lambda: saliency.attribute(net, x, target, method)  # noqa: E731
    if model == "imagenet" and method in SLOW_ON_PHOTOS:
        return heavy.on_request(key, compute, method, f"Compute {method} · a few seconds")
    return heavy.result(key, compute, method, quick=True)
