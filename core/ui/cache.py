"""The door to what every section shares: cached loaders of data and shared models, checkpoints trained on demand
with progress, and the server's one training slot. A section's own cached computations live beside it.

Shared models are loaded once per server, in eval mode, and never changed afterwards; work that
registers hooks on one runs under that model's lock. What a student trains lives in their session.
"""
import threading
from contextlib import contextmanager
from typing import Iterator

import numpy as np
import streamlit as st
import torch

from core import checkpoints, features, saliency
from core.data import imagenet, images
from core.device import device, to_numpy
from core.models import imagenet as imagenet_model

_TRAINING = threading.Lock()  # one on-demand training at a time on this server


@contextmanager
def training_slot() -> Iterator[bool]:
    """The server's one on-demand training: yields True while this session holds it; False, with a message asking
    the student to wait, while another session's training runs."""
    if not _TRAINING.acquire(blocking=False):
        st.warning("Another training is running on this server right now: one at a time, so that each finishes in "
                   "minutes. Wait a little and press **Train** again.", icon=":material/hourglass:")
        yield False
        return
    try:
        yield True
    finally:
        _TRAINING.release()


@st.cache_resource(show_spinner=False)
def lock(name: str) -> threading.Lock:
    """The lock guarding hook-based work on one shared model."""
    return threading.Lock()


@st.cache_resource(show_spinner="Loading the model…", max_entries=8)
def _checkpoint_model(name: str, sha256: str) -> torch.nn.Module:
    return checkpoints.load_model(name)


def _train_missing(name: str) -> None:
    """Rebuild a checkpoint that is not in assets/ (its prerequisites first), showing progress."""
    from core import (
        recipes,  # every segment's training code: imported only when a checkpoint is missing
    )
    for needed in recipes.RECIPES[name].needs + (name,):
        with _TRAINING:
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


def probabilities(net: torch.nn.Module, x: torch.Tensor) -> np.ndarray:
    """Softmax output of a shared model for one input batch of size 1."""
    with torch.no_grad():
        return to_numpy(net(x.to(device())).softmax(1)[0])


def feature_maps(name: str, net: torch.nn.Module, x: torch.Tensor, layers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each named layer's output (C, H, W) for one input, hooks registered under the model's lock."""
    with lock(name):
        maps = features.feature_maps(net, x.to(device()), layers)
    return {k: to_numpy(v[0]) for k, v in maps.items()}


def test_set(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The held-out images and labels of a small CNN: the Fashion-MNIST test set or the 1,000 held-out digits."""
    return fashion_test() if name == "fashion_cnn" else digits_test()


@st.cache_data(max_entries=512, show_spinner=False)
def attribution(model: str, picture: np.ndarray, target: int, method: str, _net: torch.nn.Module,
                _x: torch.Tensor) -> np.ndarray:
    """saliency.attribute for one input (`picture` names it in the cache), so a photo clicked again is instant."""
    return saliency.attribute(_net, _x, target, method)
