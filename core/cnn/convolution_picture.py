"""The convolution's step view as pictures: the padded input with the filter's window on it, the output map filling
in, and one position's arithmetic (patch × kernel = product → sum). Images rather than plotly figures, so Play can
redraw them ten times a second."""
import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core import plots
from core.cnn import convolution
from core.plots import PlotStyle

PICTURE = 480  # pixels across the step view's input and output pictures
PAD_RGB = (96, 118, 168)  # padding cells: zeros, drawn slate blue so they do not look like black pixels
EMPTY_RGB = (236, 236, 236)  # output pixels not computed yet


def from_padding(shape: tuple[int, ...], padding: int, dilation: int, step: convolution.Step, k: int) -> np.ndarray:
    """(k, k): which of the patch's pixels are padding, for an input of `shape` (H, W)."""
    rows, cols = step.row + dilation * np.arange(k), step.col + dilation * np.arange(k)
    h, w = shape[0], shape[1]
    outside_rows, outside_cols = (rows < padding) | (rows >= h + padding), (cols < padding) | (cols >= w + padding)
    return outside_rows[:, None] | outside_cols[None, :]


@functools.cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def accent(style: PlotStyle) -> tuple[int, int, int]:
    """The filter's colour: orange in both palettes."""
    return _rgb("#E69F00" if style.palette == plots.OKABE_ITO else "#F58518")


def scale(style: PlotStyle) -> float:
    return 1.35 if style.font_size > 16 else 1.0


def bound(values: np.ndarray) -> float:
    """Symmetric colour bounds ±bound, so 0 is always the scale's middle (white)."""
    return float(np.abs(values).max()) or 1.0


def _cells(rgb: np.ndarray, cell: int, line: tuple[int, int, int] = (150, 150, 150)) -> Image.Image:
    """(H, W, 3) colours as squares `cell` pixels wide, with grid lines between them when there is room."""
    h, w = rgb.shape[:2]
    big = np.full((h * cell + 1, w * cell + 1, 3), line, np.uint8)
    big[:h * cell, :w * cell] = rgb.repeat(cell, 0).repeat(cell, 1)
    if cell >= 8:
        big[::cell, :] = line
        big[:, ::cell] = line
    return Image.fromarray(big)


def _number(v: float) -> str:
    """A weight, pixel or product short enough for its square: 0.47, −0.094, 12."""
    if abs(v) < 5e-4:
        return "0"
    return f"{v:.0f}" if abs(v) >= 10 else f"{v:.2g}"


def _fitting_font(texts: list[str], cell: int, largest: int) -> ImageFont.FreeTypeFont:
    size = largest
    while size > 9 and max(font(size).getlength(t) for t in texts) > cell - 6:
        size -= 1
    return font(size)


def _ink(rgb) -> str:
    """Black or white text, whichever reads on this colour."""
    return "black" if 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 140 else "white"


def _write_numbers(draw: ImageDraw.ImageDraw, values: np.ndarray, colours: np.ndarray, cell: int,
                   origin: tuple[int, int], largest: int, shown: np.ndarray | None = None) -> None:
    texts = [_number(v) for v in values.ravel()]
    font = _fitting_font(texts, cell, largest)
    for idx, text in enumerate(texts):
        r, c = divmod(idx, values.shape[1])
        if shown is None or shown[r, c]:
            draw.text((origin[0] + c * cell + cell / 2, origin[1] + r * cell + cell / 2), text, font=font,
                      anchor="mm", fill=_ink(colours[r, c]))


def input_picture(image: np.ndarray, padding: int, step: convolution.Step, k: int, dilation: int,
                  style: PlotStyle) -> np.ndarray:
    """The padded input, its padding slate blue, the filter's window framed and its taps shaded."""
    padded = np.pad(image, padding)
    cell = max(4, PICTURE // max(padded.shape))
    grey = (padded * 255).round().astype(np.uint8)
    rgb = np.stack([grey] * 3, axis=-1)
    if padding:
        inside = np.zeros(padded.shape, bool)
        inside[padding:-padding, padding:-padding] = True
        rgb[~inside] = PAD_RGB
    img = _cells(rgb, cell, (70, 70, 70)).convert("RGBA")
    frame = accent(style)
    shade = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(shade)
    for a in range(k):
        for b in range(k):
            y, x = (step.row + a * dilation) * cell, (step.col + b * dilation) * cell
            draw.rectangle([x + 1, y + 1, x + cell - 1, y + cell - 1], fill=(*frame, 120), outline=(*frame, 255),
                           width=max(1, cell // 8))
    img = Image.alpha_composite(img, shade)
    span = (dilation * (k - 1) + 1) * cell
    width = max(3, round(3 * scale(style)))
    ImageDraw.Draw(img).rectangle([step.col * cell - 1, step.row * cell - 1, step.col * cell + span + 1,
                                   step.row * cell + span + 1], outline=(*frame, 255), width=width)
    return np.asarray(img.convert("RGB"))


def output_picture(out: np.ndarray, filled: int, style: PlotStyle) -> np.ndarray:
    """The output map up to position `filled` (the rest grey), the current pixel framed; values written in the
    squares when they are large enough to hold them."""
    cell = max(4, PICTURE // max(out.shape))
    rgb = plots.colourise(out, style.diverging, (-bound(out), bound(out)))
    shown = (np.arange(out.size) < filled).reshape(out.shape)
    rgb[~shown] = EMPTY_RGB
    img = _cells(rgb, cell, (190, 190, 190))
    draw = ImageDraw.Draw(img)
    if cell >= 48:
        _write_numbers(draw, out, rgb, cell, (0, 0), int(cell * 0.3 * scale(style)), shown)
    i, j = divmod(filled - 1, out.shape[1])
    width = max(3, round(3 * scale(style)))
    draw.rectangle([j * cell - 1, i * cell - 1, (j + 1) * cell + 1, (i + 1) * cell + 1], outline="black",
                   width=width + 2)
    draw.rectangle([j * cell + 1, i * cell + 1, (j + 1) * cell - 1, (i + 1) * cell - 1], outline=accent(style),
                   width=width)
    return np.asarray(img)


def arithmetic_picture(step: convolution.Step, kernel: np.ndarray, from_padding: np.ndarray, pixel: tuple[int, int],
                       value: float, style: PlotStyle) -> np.ndarray:
    """patch × kernel = product → sum, each grid with its numbers written in, for one position of the filter."""
    s, k = scale(style), kernel.shape[0]
    cell = (230 if s > 1 else 210) // k
    grid, gap, label, margin, total = cell * k, 64, int(40 * s), 12, int(220 * s)
    img = Image.new("RGB", (2 * margin + 3 * grid + 3 * gap + total, 2 * margin + label + grid), "white")
    draw = ImageDraw.Draw(img)
    title_font, big_font = font(int(19 * s)), font(int(34 * s))
    grey = np.stack([(step.patch * 255).clip(0, 255).round().astype(np.uint8)] * 3, axis=-1)
    grey[from_padding] = PAD_RGB
    panels = [("patch (input pixels)", step.patch, grey),
              ("kernel (weights)", kernel, plots.colourise(kernel, style.diverging, (-bound(kernel), bound(kernel)))),
              ("patch x kernel", step.product, plots.colourise(step.product, style.diverging,
                                                             (-bound(step.product), bound(step.product))))]
    top = margin + label
    for n, (title, values, colours) in enumerate(panels):
        x = margin + n * (grid + gap)
        draw.text((x + grid / 2, margin + label / 2), title, font=title_font, anchor="mm", fill="black")
        img.paste(_cells(colours, cell, (120, 120, 120)), (x, top))
        _write_numbers(draw, values, colours, cell, (x, top), int(cell * (0.4 if s > 1 else 0.34)))
        _operator(draw, n, x + grid + gap / 2, top + grid / 2, gap * 0.22, 1.0)
    x = margin + 3 * (grid + gap)
    draw.text((x, top + grid / 2 - 30 * s), "sum =", font=title_font, anchor="lm", fill="black")
    draw.text((x, top + grid / 2), f"{value:.4g}", font=big_font, anchor="lm", fill="black")
    draw.text((x, top + grid / 2 + 32 * s), f"output pixel ({pixel[0]}, {pixel[1]})", font=title_font, anchor="lm",
              fill="#444444")
    return np.asarray(img)


def _operator(draw: ImageDraw.ImageDraw, n: int, cx: float, cy: float, r: float, s: float) -> None:
    """×, = and → between the grids, drawn as lines (the built-in font has no such signs)."""
    width = max(3, round(3 * s))
    if n == 0:
        draw.line([(cx - r, cy - r), (cx + r, cy + r)], fill="black", width=width)
        draw.line([(cx - r, cy + r), (cx + r, cy - r)], fill="black", width=width)
    elif n == 1:
        for dy in (-r / 2.5, r / 2.5):
            draw.line([(cx - r, cy + dy), (cx + r, cy + dy)], fill="black", width=width)
    else:
        draw.line([(cx - r * 1.4, cy), (cx + r, cy)], fill="black", width=width)
        draw.polygon([(cx + r * 1.6, cy), (cx + r * 0.6, cy - r * 0.7), (cx + r * 0.6, cy + r * 0.7)], fill="black")
