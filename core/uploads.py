"""Reading what a student uploads or types, safely: images (size limits, corrupt files, odd modes, EXIF rotation)
and numbers in their text."""
import io
import struct

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 25 * 2**20
MAX_PIXELS = 60_000_000
MAX_SIDE = 1024  # longer side after downscaling

FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")
HIGH_BIT_DEPTH_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error)

NOT_AN_IMAGE = (
    "This file is not an image Pillow can read (PNG, JPEG, GIF, BMP, TIFF, WebP). Please upload a photo."
)
CORRUPT = "This image file is truncated or corrupt. Please upload it again or export a fresh copy."


class UploadError(ValueError):
    """An upload we refuse; the message tells the student what is wrong and what to do."""


def read_image(data: bytes) -> Image.Image:
    """Decode uploaded bytes into an RGB image at most MAX_SIDE on its longer side, or raise UploadError."""
    if not data:
        raise UploadError("The file is empty. Please upload an image file.")
    if len(data) > MAX_BYTES:
        raise UploadError(
            f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB. "
            "Please upload a smaller image."
        )
    img = _open(data)
    _check_pixels(*img.size)  # from the header, before any pixel is decoded
    try:
        img.draft("RGB", _fit(img.size))  # JPEG only: decode at 1/2, 1/4 or 1/8 scale
        img.load()  # the full decode, so truncated files fail here
        ImageOps.exif_transpose(img, in_place=True)
        rgb = _to_rgb(img)
    except DECODE_ERRORS as err:
        raise UploadError(CORRUPT) from err
    rgb.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return rgb


def to_grayscale_28(img: Image.Image, invert_if_light: bool = True) -> np.ndarray:
    """A (28, 28) uint8 grayscale copy, padded to square, as light-on-black like (Fashion-)MNIST."""
    gray = img.convert("L")
    pixels = np.asarray(gray)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]).mean()
    side = max(gray.size)
    square = Image.new("L", (side, side), round(border))  # pad with the background's shade
    square.paste(gray, ((side - gray.width) // 2, (side - gray.height) // 2))
    small = np.array(square.resize((28, 28), Image.Resampling.LANCZOS), dtype=np.uint8)  # (28, 28)
    return 255 - small if invert_if_light and border > 127 else small


def _open(data: bytes) -> Image.Image:
    """Read the header only; refuse files that are not images or are decompression bombs."""
    try:
        return Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as err:  # Pillow refuses above twice its own limit
        raise UploadError(
            f"The image has more than {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels; "
            f"the limit is {MAX_PIXELS / 1e6:.0f}. Please resize it."
        ) from err
    except (UnidentifiedImageError, *DECODE_ERRORS) as err:
        raise UploadError(NOT_AN_IMAGE) from err


def _check_pixels(width: int, height: int) -> None:
    """Refuse images with more than MAX_PIXELS pixels."""
    if width * height > MAX_PIXELS:
        raise UploadError(
            f"The image has {width * height / 1e6:.1f} megapixels; the limit is {MAX_PIXELS / 1e6:.0f}. "
            "Please resize it."
        )


def _fit(size: tuple[int, int]) -> tuple[int, int]:
    """The size that fits within MAX_SIDE × MAX_SIDE, keeping the aspect ratio."""
    scale = min(1.0, MAX_SIDE / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _to_rgb(img: Image.Image) -> Image.Image:
    """Convert any decoded mode to 8-bit RGB; transparency becomes white."""
    if img.mode in HIGH_BIT_DEPTH_MODES:
        return _rescale_to_8bit(img).convert("RGB")
    if img.has_transparency_data:
        rgba = img.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    return img.convert("RGB")


def _rescale_to_8bit(img: Image.Image) -> Image.Image:
    """Map a 16-bit, 32-bit or float image's own min..max range onto 0..255."""
    values = np.asarray(img, dtype=np.float64)
    low, high = values.min(), values.max()
    scaled = (values - low) * (255 / (high - low)) if high > low else np.zeros_like(values)
    return Image.fromarray(scaled.round().astype(np.uint8))


def is_number(text: str) -> bool:
    """Whether text reads as a float."""
    try:
        float(text)
    except ValueError:
        return False
    return True
