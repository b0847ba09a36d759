"""read_image refuses bad uploads with a student-readable message and turns every good one into small RGB."""
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFile

from core.uploads import MAX_BYTES, MAX_SIDE, UploadError, read_image, to_grayscale_28
from tests.samples import (
    cmyk_jpeg,
    encode,
    jpeg_huge,
    jpeg_rotated_by_exif,
    png_claiming,
)


@pytest.fixture(scope="module")
def jpeg_50mp() -> bytes:
    return jpeg_huge()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_normal_image_round_trips_to_rgb(fmt):
    img = read_image(encode(Image.new("RGB", (64, 48), (255, 0, 0)), fmt))
    assert (img.mode, img.size) == ("RGB", (64, 48))
    assert np.abs(np.asarray(img, dtype=int) - (255, 0, 0)).max() < 5


def test_text_file_is_not_an_image():
    with pytest.raises(UploadError, match="not an image"):
        read_image(b"Dear diary, today I trained a CNN.\n")


def test_empty_file_is_refused():
    with pytest.raises(UploadError, match="empty"):
        read_image(b"")


def test_too_many_bytes_are_refused():
    with pytest.raises(UploadError, match="MB"):
        read_image(b"\0" * (MAX_BYTES + 1))


def test_truncated_jpeg_is_refused_without_global_truncation_flag():
    noise = np.random.default_rng(0).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), "JPEG")
    with pytest.raises(UploadError, match="truncated or corrupt"):
        read_image(data[: len(data) // 2])
    assert not ImageFile.LOAD_TRUNCATED_IMAGES


def test_50_megapixel_jpeg_is_decoded_at_a_fraction_of_its_size(jpeg_50mp, monkeypatch):
    decoded = []
    load = ImageFile.ImageFile.load

    def spy(self):  # the size the decoder actually produces: draft mode decodes a JPEG at 1/2, 1/4 or 1/8 scale
        decoded.append(self.size)
        return load(self)
    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    img = read_image(jpeg_50mp)
    assert decoded and max(w * h for w, h in decoded) <= 8660 * 5774 / 16
    assert img.mode == "RGB"
    assert max(img.size) == MAX_SIDE
    assert img.size[1] == pytest.approx(MAX_SIDE * 5774 / 8660, abs=1)


@pytest.mark.parametrize(("width", "height", "message"), [
    (9_000, 9_000, "81.0 megapixels"),  # over our limit: refused by our header check
    (100_000, 100_000, "megapixels"),  # over Pillow's own bomb limit: refused by Image.open
])
def test_huge_header_is_refused_before_decoding(width, height, message):
    # The file holds only 8×8 pixels of data, so decoding first would report it as truncated instead.
    with pytest.raises(UploadError, match=message):
        read_image(png_claiming(width, height))


def test_grayscale_l_becomes_rgb():
    img = read_image(encode(Image.new("L", (10, 10), 128), "PNG"))
    assert img.mode == "RGB" and img.getpixel((0, 0)) == (128, 128, 128)


def test_transparent_la_becomes_white():
    img = read_image(encode(Image.new("LA", (10, 10), (0, 0)), "PNG"))
    assert img.getpixel((0, 0)) == (255, 255, 255)


def test_rgba_transparent_pixels_become_white_and_opaque_ones_stay():
    rgba = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    rgba.putpixel((5, 5), (0, 0, 255, 255))
    img = read_image(encode(rgba, "PNG"))
    assert img.getpixel((0, 0)) == (255, 255, 255)
    assert img.getpixel((5, 5)) == (0, 0, 255)


def test_palette_with_transparency_becomes_white():
    pal = Image.new("P", (10, 10), 0)
    pal.putpalette([0, 0, 0, 0, 255, 0])
    pal.putpixel((5, 5), 1)
    img = read_image(encode(pal, "PNG", transparency=0))
    assert img.getpixel((0, 0)) == (255, 255, 255)
    assert img.getpixel((5, 5)) == (0, 255, 0)


def test_cmyk_jpeg_becomes_rgb():
    img = read_image(cmyk_jpeg())
    assert img.mode == "RGB"
    assert np.abs(np.asarray(img, dtype=int)[0, 0] - (255, 0, 0)).max() < 10


def test_16_bit_png_is_rescaled_by_its_range():
    ramp = np.linspace(0, 65535, 64 * 64).astype(np.uint16).reshape(64, 64)
    data = encode(Image.fromarray(ramp), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    pixels = np.asarray(read_image(data))
    assert pixels.min() <= 2 and pixels.max() >= 253


def test_float_tiff_is_rescaled_by_its_range():
    ramp = np.linspace(-1.0, 1.0, 32 * 32, dtype=np.float32).reshape(32, 32)
    data = encode(Image.fromarray(ramp), "TIFF")
    assert Image.open(io.BytesIO(data)).mode == "F"
    pixels = np.asarray(read_image(data))
    assert pixels.min() == 0 and pixels.max() == 255


def test_exif_orientation_is_applied():
    img = read_image(jpeg_rotated_by_exif())
    assert img.size == (20, 40)


def test_animated_gif_gives_first_frame():
    frames = [Image.new("RGB", (10, 10), colour) for colour in ("red", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert read_image(data).getpixel((0, 0)) == (255, 0, 0)


def test_to_grayscale_28_shape_and_dtype():
    small = to_grayscale_28(Image.new("RGB", (60, 30), "black"))
    assert small.shape == (28, 28) and small.dtype == np.uint8


def test_to_grayscale_28_inverts_white_background():
    img = Image.new("RGB", (100, 60), "white")
    ImageDraw.Draw(img).rectangle((40, 20, 60, 40), fill="black")  # a dark object in the middle
    small = to_grayscale_28(img)
    assert small[0, 0] < 10 and small[14, 14] > 245
    assert to_grayscale_28(img, invert_if_light=False)[0, 0] > 245
