"""The door from pages to core: cached loaders of data and shared models, and trainers with progress.

Shared models are loaded once per server, in eval mode, and never changed afterwards; work that
registers hooks on one runs under that model's lock. What a student trains lives in their session.
"""
import threading
from contextlib import contextmanager
from typing import Iterator

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

from core import (checkpoints, features, learned, neurons, plots, recap, regularization, retrieval, saliency,
                  sum_of_sigmoids, train)
from core.data import images, imagenet
from core.device import device
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
    for needed in train.RECIPES[name].needs + (name,):
        with _TRAINING:
            if checkpoints.exists(needed):
                continue
            with st.status(f"Training **{needed}** (its checkpoint is missing): {train.RECIPES[needed].data}",
                           expanded=True) as status:
                bar = st.progress(0.0)
                train.rebuild(needed, lambda s, n, loss: bar.progress(s / n, text=f"step {s}/{n}, loss {loss:.3f}"))
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


@st.cache_resource(show_spinner=False)
def photos() -> dict:
    return images.photos()


def probabilities(net: torch.nn.Module, x: torch.Tensor) -> np.ndarray:
    """Softmax output of a shared model for one input batch of size 1."""
    with torch.no_grad():
        return net(x.to(device())).softmax(1)[0].cpu().numpy()


def feature_maps(name: str, net: torch.nn.Module, x: torch.Tensor, layers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Each named layer's output (C, H, W) for one input, hooks registered under the model's lock."""
    with lock(name):
        maps = features.feature_maps(net, x.to(device()), layers)
    return {k: v[0].cpu().numpy() for k, v in maps.items()}


@st.cache_data(max_entries=16, show_spinner="Training the small network…")
def hidden_space_animation(n: int, noise: float, seed: int, style: plots.PlotStyle) -> go.Figure:
    """Data B as a 2-3-1 network's hidden layer sees it over training, as an animated figure."""
    X, y = recap.data_b(n, noise, seed)
    return plots.hidden_space_animation(recap.hidden_layer_over_training(X, y, seed=seed), y, recap.CLASSES, style)


def test_set(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The held-out images and labels of a small CNN: the Fashion-MNIST test set or the 1,000 held-out digits."""
    return fashion_test() if name == "fashion_cnn" else digits_test()


@st.cache_resource(show_spinner="Finding the test images that excite each channel most…", max_entries=12)
def strongest_units(name: str, layer: str) -> learned.Strongest:
    """Every test image's strongest unit in every channel of one layer of a shipped CNN."""
    return learned.strongest_units(model(name), layer, test_set(name)[0])


@st.cache_data(max_entries=128, show_spinner="Synthesising an input by gradient ascent…")
def synthesised(name: str, target: tuple) -> np.ndarray:
    """An input made to excite a class or channel of a shipped CNN (activation maximisation)."""
    return learned.activation_maximisation(model(name), target)


@st.cache_resource(show_spinner="Embedding the test set and finding every item's nearest neighbours…",
                   max_entries=4)
def retrieval_spaces(name: str, k: int = 12) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """For a shipped CNN's test set: each space's unit vectors (N, D) and every item's k nearest others (N, k)."""
    images = test_set(name)[0]
    banks = {"features": retrieval.embeddings(model(name), images), "pixels": retrieval.pixels(images)}
    return {space: (bank, retrieval.neighbours(bank, k)) for space, bank in banks.items()}


@st.cache_data(max_entries=512, show_spinner=False)
def attribution(model: str, picture: np.ndarray, target: int, method: str, _net: torch.nn.Module,
                _x: torch.Tensor) -> np.ndarray:
    """saliency.attribute for one input (`picture` names it in the cache), so a photo clicked again is instant."""
    return saliency.attribute(_net, _x, target, method)


# Feed-forward networks

@st.cache_data(max_entries=64, show_spinner="Training one neuron…")
def fit_one_neuron(x: np.ndarray, y: np.ndarray, activation: str) -> neurons.FitResult:
    return neurons.fit_one_neuron(x, y, activation)


@st.cache_data(max_entries=64, show_spinner="Fitting the sigmoids to g(x)…")
def fit_units(target: str, n_units: int) -> sum_of_sigmoids.Units:
    return sum_of_sigmoids.fit_units(target, n_units)


@st.cache_data(max_entries=48, show_spinner="Training the network on 15 points…")
def regularized_run(method: str, rate: float) -> regularization.Run:
    return regularization.train(method, rate)
