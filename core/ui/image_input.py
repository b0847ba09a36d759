"""Picking an input image: a shipped photo, a Fashion-MNIST item, a handwritten digit, or an upload."""
from dataclasses import dataclass

import numpy as np
import streamlit as st
from PIL import Image

from core import cache, uploads
from core.data.images import DIGITS, FASHION_CLASSES
from core.ui import url_state

SOURCES = ("Photo", "Fashion-MNIST item", "Handwritten digit", "Upload")
CLASS_NAMES = {"Fashion-MNIST item": FASHION_CLASSES, "Handwritten digit": DIGITS}
MODELS = {"Fashion-MNIST item": "fashion_cnn", "Handwritten digit": "mnist_cnn"}  # the small CNN made for each


@dataclass
class PickedImage:
    source: str  # one of SOURCES
    rgb: np.ndarray | None  # HxWx3 uint8 for photos and uploads
    small: np.ndarray  # (28, 28) uint8, light object on black, for the 28×28 models
    caption: str
    label: int | None = None  # the true class when it is known


def pick(key: str, sources: tuple[str, ...] = SOURCES) -> PickedImage | None:
    """The input controls, offering `sources`; returns None (after a message) when an upload is missing or unreadable."""
    source = url_state.choice(st.segmented_control, "Input", sources, key=f"{key}_source")
    if source == "Photo":
        photos = cache.photos()
        name = url_state.choice(st.selectbox, "Photo", list(photos), key=f"{key}_photo")
        rgb = photos[name].image
        return PickedImage(source, rgb, uploads.to_grayscale_28(Image.fromarray(rgb)), f"{name} ({photos[name].credit})")
    if source in CLASS_NAMES:
        X, y = cache.fashion_test() if source == "Fashion-MNIST item" else cache.digits_test()
        names = CLASS_NAMES[source]
        i = url_state.slider("Test-set item", 0, len(X) - 1, 0, key=f"{key}_item_{source[:4]}")
        return PickedImage(source, None, X[i], f"test item {i}: {names[y[i]]}", int(y[i]))
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
