"""Picking an input image: a shipped photo, a Fashion-MNIST item, a handwritten digit, or an upload."""
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import streamlit as st
import torch
from PIL import Image

from core import features, uploads
from core.data.images import DIGITS, FASHION_CLASSES
from core.device import to_numpy
from core.models import imagenet
from core.ui import cache, url_state

SOURCES = ("Photo", "Fashion-MNIST item", "Handwritten digit", "Upload")
CLASS_NAMES = {"Fashion-MNIST item": FASHION_CLASSES, "Handwritten digit": DIGITS}
MODELS = {"Photo": "imagenet", "Fashion-MNIST item": "fashion_cnn", "Handwritten digit": "mnist_cnn"}  # made for each
READERS = {"ImageNet classifier": "imagenet", "Fashion-MNIST CNN": "fashion_cnn", "Digit CNN": "mnist_cnn"}
SMALL_CNNS = {"Fashion-MNIST CNN": ("fashion_cnn", FASHION_CLASSES, "Fashion-MNIST item"),
              "Digit CNN": ("mnist_cnn", DIGITS, "Handwritten digit")}  # name, class names, the input it reads


@dataclass
class PickedImage:
    source: str  # one of SOURCES
    rgb: np.ndarray | None  # HxWx3 uint8 for photos and uploads
    small: np.ndarray  # (28, 28) uint8, light object on black, for the 28×28 models
    caption: str
    label: int | None = None  # the true class when it is known
    name: str = ""  # the shipped photo's name
    index: int | None = None  # the test-set item's index


def pick(key: str, sources: tuple[str, ...] = SOURCES, photo: str | None = None) -> PickedImage | None:
    """The input controls, offering `sources` (and `photo` first); returns None (after a message) when an upload is
    missing or unreadable."""
    source = url_state.choice(st.segmented_control, "Input", sources, key=f"{key}_source")
    if source == "Photo":
        photos = cache.photos()
        name = url_state.choice(st.selectbox, "Photo", list(photos), photo, key=f"{key}_photo")
        rgb = photos[name].image
        label = f"; true label: {photos[name].label}" if photos[name].label else ""
        return PickedImage(source, rgb, uploads.to_grayscale_28(Image.fromarray(rgb)),
                           f"{name} ({photos[name].credit}{label})", name=name)
    if source in CLASS_NAMES:
        X, y = cache.fashion_test() if source == "Fashion-MNIST item" else cache.digits_test()
        names = CLASS_NAMES[source]
        i = url_state.slider("Test-set item", 0, len(X) - 1, 0, key=f"{key}_item_{source[:4]}")
        return PickedImage(source, None, X[i], f"test item {i}: {names[y[i]]}", int(y[i]), index=i)
    data = st.file_uploader("Upload an image (PNG, JPEG, GIF, BMP, TIFF, WebP; up to 25 MB)", key=f"{key}_upload")
    if data is None:
        st.info("Upload a photo to see what the models make of it.", icon=":material/upload:")
        return None
    try:
        img = uploads.read_image(data.getvalue())
    except uploads.UploadError as e:
        st.error(str(e), icon=":material/broken_image:")
        return None
    rgb = np.asarray(img)
    return PickedImage(source, rgb, uploads.to_grayscale_28(img), data.name)


@dataclass
class Reading:
    """A picked image as one classifier reads it."""
    model: str  # "imagenet", "fashion_cnn" or "mnist_cnn"
    net: torch.nn.Module
    x: torch.Tensor  # the network's input, a batch of one
    labels: Sequence[str]  # its class names
    picture: np.ndarray  # what the network sees, for display: the 224×224 RGB crop, or the 28×28 grayscale


def pick_and_read(key: str, sources: tuple[str, ...] = SOURCES,
                  photo: str | None = None) -> tuple[PickedImage, Reading] | None:
    """`pick`, then `read` it with the model made for it; None where either had to stop with a message."""
    picked = pick(key, sources, photo)
    reading = None if picked is None else read(picked, f"{key}_reader")
    return None if reading is None else (picked, reading)


def read(picked: PickedImage, key: str) -> Reading | None:
    """The model made for this kind of input (for an upload, the student's choice) and its input; None if the
    model could not be loaded (a message says why)."""
    if picked.source == "Upload":
        model = READERS[url_state.choice(st.radio, "Read it with", list(READERS), key=key, horizontal=True)]
    else:
        model = MODELS[picked.source]
    if model == "imagenet":
        x = imagenet.to_input(picked.rgb)
        picture = to_numpy(((x[0].permute(1, 2, 0) * 0.5 + 0.5).clamp(0, 1) * 255).to(torch.uint8))
        return Reading(model, cache.imagenet_classifier(), x, cache.imagenet_classes(), picture)
    net = cache.model(model)
    if net is None:
        return None
    labels = FASHION_CLASSES if model == "fashion_cnn" else DIGITS
    return Reading(model, net, features.as_batch(picked.small[None]), labels, picked.small)


@dataclass
class ChosenCNN:
    """One of the two shipped 28×28 CNNs, as a student chose it."""
    name: str  # "fashion_cnn" or "mnist_cnn"
    net: torch.nn.Module
    classes: Sequence[str]
    source: str  # the kind of input it was made for: one of SOURCES


def choose_small_cnn(label: str, key: str) -> ChosenCNN | None:
    """A choice between the Fashion-MNIST and the digit CNN; None if the model could not be loaded (with a message)."""
    name, classes, source = SMALL_CNNS[url_state.choice(st.radio, label, list(SMALL_CNNS), key=key, horizontal=True)]
    net = cache.model(name)
    return None if net is None else ChosenCNN(name, net, classes, source)
