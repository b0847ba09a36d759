"""The 2-D GAN's picture, drawn as an image so it can be redrawn ten times a second (as GAN Lab draws it): the
discriminator's output as the background, the target's samples in green, the generator's in purple, the
gradient arrows on generated points, and the target's modes ringed (solid when covered, dashed when missed)."""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.generative import gan2d

if TYPE_CHECKING:  # only the fields font_size and marker_size are read; plotly is not needed to draw
    from core.plots import PlotStyle

REAL, FAKE = (27, 120, 55), (118, 42, 131)  # GAN Lab's green and purple (PRGn: safe for colour-blind eyes)
ARROW = (40, 40, 40)
COVERED, MISSED = (20, 20, 20), (200, 30, 30)
# D(x) = 0 ("fake") pale purple, 0.5 white, 1 ("real") pale green
_STOPS = np.array([(0.0, 194, 165, 207), (0.5, 247, 247, 247), (1.0, 166, 219, 160)], np.float64)


@functools.cache
def _lut() -> np.ndarray:
    """(256, 3) uint8 colours for D(x) from 0 to 1."""
    t = np.linspace(0, 1, 256)
    return np.stack([np.interp(t, _STOPS[:, 0], _STOPS[:, c]) for c in (1, 2, 3)], axis=1).round().astype(np.uint8)


def _pixels(points: np.ndarray, size: int) -> np.ndarray:
    """Canvas coordinates [-CANVAS, CANVAS]² → pixel (column, row), y growing upwards."""
    c = gan2d.CANVAS
    return np.stack([(points[:, 0] + c) / (2 * c) * (size - 1), (c - points[:, 1]) / (2 * c) * (size - 1)], axis=1)


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def picture(d_map: np.ndarray | None, real: np.ndarray, fake: np.ndarray | None,
            arrows: tuple[np.ndarray, np.ndarray] | None, style: PlotStyle, modes: np.ndarray | None = None,
            covered: np.ndarray | None = None, size: int = 440, show_real: bool = True) -> np.ndarray:
    """The canvas as an (size, size, 3) uint8 image.

    d_map: D(x) on a grid (R, R) in [0, 1], top row first (None: a white background); real, fake: points (n, 2);
    generated points off the canvas are drawn hollow at its edge;
    arrows: (points, ∂L_G/∂x) — each arrow points along −∂L_G/∂x, the longest 12 % of the canvas wide;
    modes: (k, 2) centres ringed at gan2d.MODE_RADIUS, solid black if `covered[i]`, dashed red if not."""
    if d_map is None:
        img = Image.new("RGB", (size, size), "white")
    else:
        index = (np.clip(np.nan_to_num(d_map, nan=0.5), 0, 1) * 255).astype(np.uint8)
        img = Image.fromarray(_lut()[index]).resize((size, size), Image.BILINEAR)
    draw = ImageDraw.Draw(img)
    big = style.font_size > 16
    _axes(draw, size, big)
    r = max(2, round(style.marker_size * (0.42 if big else 0.36)))
    if modes is not None:
        ring = gan2d.MODE_RADIUS / (2 * gan2d.CANVAS) * (size - 1)
        for (u, v), ok in zip(_pixels(modes, size), covered if covered is not None else [True] * len(modes)):
            _circle(draw, u, v, ring, COVERED if ok else MISSED, width=2 if big else 1, dashed=not ok)
    if show_real:
        for u, v in _pixels(_finite(real), size):
            draw.ellipse([u - r, v - r, u + r, v + r], fill=REAL)
    if fake is not None:
        fake = fake[np.isfinite(fake).all(axis=1)]
        off = (np.abs(fake) > gan2d.CANVAS).any(axis=1)
        for u, v in _pixels(fake[~off], size):
            draw.ellipse([u - r, v - r, u + r, v + r], fill=FAKE, outline="white")
        edge = np.clip(fake[off], -gan2d.CANVAS * 0.97, gan2d.CANVAS * 0.97)
        for u, v in _pixels(edge, size):  # off the canvas: a larger ring at the edge, in their direction
            draw.ellipse([u - r - 3, v - r - 3, u + r + 3, v + r + 3], outline=FAKE, width=3)
    if arrows is not None:
        _arrows(draw, *arrows, size, width=3 if big else 1)
    draw.rectangle([0, 0, size - 1, size - 1], outline=(150, 150, 150))
    return np.asarray(img)


def _finite(points: np.ndarray) -> np.ndarray:
    """Points that can be drawn: finite and not far off the canvas."""
    ok = np.isfinite(points).all(axis=1) & (np.abs(points) < 10 * gan2d.CANVAS).all(axis=1)
    return points[ok]


def _axes(draw: ImageDraw.ImageDraw, size: int, big: bool) -> None:
    """Faint lines at x = 0 and y = 0, and tick labels at ±2 along the edges."""
    mid = (size - 1) / 2
    draw.line([(mid, 0), (mid, size)], fill=(215, 215, 215))
    draw.line([(0, mid), (size, mid)], fill=(215, 215, 215))
    font = _font(15 if big else 11)
    for value in (-2, 2):
        u = (value + gan2d.CANVAS) / (2 * gan2d.CANVAS) * (size - 1)
        draw.text((u, size - 3), f"{value:+d}", fill=(110, 110, 110), font=font, anchor="mb")
        draw.text((3, size - 1 - u), f"{value:+d}", fill=(110, 110, 110), font=font, anchor="lm")


def _circle(draw: ImageDraw.ImageDraw, u: float, v: float, radius: float, colour, width: int, dashed: bool) -> None:
    if not dashed:
        draw.ellipse([u - radius, v - radius, u + radius, v + radius], outline=colour, width=width)
        return
    for start in range(0, 360, 30):
        draw.arc([u - radius, v - radius, u + radius, v + radius], start, start + 18, fill=colour, width=width + 1)


def _arrows(draw: ImageDraw.ImageDraw, points: np.ndarray, gradients: np.ndarray, size: int, width: int) -> None:
    """−gradient arrows, scaled together so the longest is 12 % of the canvas (their lengths compare)."""
    ok = np.isfinite(points).all(axis=1) & np.isfinite(gradients).all(axis=1)
    points, step = points[ok], -gradients[ok]
    norms = np.linalg.norm(step, axis=1)
    if not len(norms) or norms.max() <= 0:
        return
    step = step / norms.max() * 0.12 * size  # in pixels
    start = _pixels(points, size)
    end = start + step * np.array([1.0, -1.0])  # pixel rows grow downwards
    for (u0, v0), (u1, v1), length in zip(start, end, np.linalg.norm(step, axis=1)):
        if length < 1.5:
            continue
        draw.line([(u0, v0), (u1, v1)], fill=ARROW, width=width)
        back = np.array([u0 - u1, v0 - v1]) / length * min(5 + width, length / 2)
        side = np.array([-back[1], back[0]]) * 0.5
        draw.polygon([(u1, v1), tuple(np.array([u1, v1]) + back + side), tuple(np.array([u1, v1]) + back - side)],
                     fill=ARROW)
