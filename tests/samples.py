"""Upload bytes the tests send: good images in odd formats, and bad files of every kind."""
import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageDraw


def encode(img: Image.Image, fmt: str, **params) -> bytes:
    """The bytes of img saved in fmt."""
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def png(mode: str, size=(40, 30)) -> bytes:
    """A PNG of one colour in `mode` (RGBA transparent red, 16-bit grey, 8-bit grey, else RGB)."""
    value = {"RGBA": (200, 0, 0, 0), "I;16": 40000, "L": 128}.get(mode, (10, 20, 30))
    return encode(Image.new(mode, size, value), "PNG")


def png_claiming(width: int, height: int) -> bytes:
    """A tiny real PNG whose IHDR header (with a valid CRC) claims width × height pixels."""
    data = bytearray(encode(Image.new("1", (8, 8)), "PNG"))
    struct.pack_into(">II", data, 16, width, height)  # after the 8-byte signature and IHDR's length + type
    struct.pack_into(">I", data, 29, zlib.crc32(data[12:29]))  # CRC over the chunk type and its 13 bytes
    return bytes(data)


def jpeg_cut_in_half() -> bytes:
    data = encode(Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8)), "JPEG")
    return data[: len(data) // 2]


def jpeg_huge(width: int = 8660, height: int = 5774) -> bytes:
    """A JPEG of low-entropy content (50 megapixels by default): small to store but big to decode."""
    img = Image.new("RGB", (width, height), (200, 180, 160))
    ImageDraw.Draw(img).rectangle((width // 8, height // 6, width * 4 // 7, height * 2 // 3), fill=(20, 40, 60))
    return encode(img, "JPEG", quality=90)


def jpeg_rotated_by_exif() -> bytes:
    """A 40×20 JPEG whose EXIF says: turn me 90° clockwise to display."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(Image.new("RGB", (40, 20), "gray"), "JPEG", exif=exif)


def cmyk_jpeg() -> bytes:
    return encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG")
