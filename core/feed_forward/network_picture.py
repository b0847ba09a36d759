"""The Playground's pictures, drawn as images so they can be redrawn ten times a second: the network with every
neuron's heat map and its weights as lines, and the output map with the training and test points."""
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core import plots
from core.feed_forward import playground
from core.plots import PlotStyle

TILE, COLUMN_GAP, ROW_GAP, MARGIN = 56, 96, 12, 26
FEATURE_LABELS = {"x1": "X1", "x2": "X2", "x1^2": "X1²", "x2^2": "X2²", "x1x2": "X1·X2", "sin_x1": "sin(X1)",
                  "sin_x2": "sin(X2)"}


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


SCALE = ((0, "#f59322"), (0.5, "#e8eaeb"), (1, "#0877bd"))  # the Playground's orange (−1), white, blue (+1)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _map_image(values: np.ndarray, size: int, discrete: bool = False) -> Image.Image:
    """A neuron's (or the output's) values over the canvas, orange for negative and blue for positive."""
    rgb = plots.colourise(np.sign(values) if discrete else values, SCALE, bounds=(-1.0, 1.0))
    return Image.fromarray(rgb).resize((size, size), Image.BILINEAR)


def _weight_colour(w: float) -> tuple[int, int, int]:
    return _rgb(SCALE[2][1] if w > 0 else SCALE[0][1])


def _point_colour(net: playground.Network, label: float, style: PlotStyle) -> tuple[int, int, int]:
    """A data point's colour: its class, or for regression its value on the orange–blue scale."""
    if net.output == "softmax":
        return _rgb(style.colour(int(label)))
    if net.output == "tanh":
        return _weight_colour(label - 0.5)
    return tuple(int(c) for c in plots.colourise(np.array([[label]]), SCALE, bounds=(-1.0, 1.0))[0, 0])


def network_picture(net: playground.Network, layers: list[np.ndarray], style: PlotStyle) -> np.ndarray:
    """Every neuron as its heat map, layer by layer, joined by lines whose width and colour show each weight."""
    widths = [layer.shape[0] for layer in layers] + [1]
    scale = 1.4 if style.font_size > 16 else 1.0
    tile, gap, rows = int(TILE * scale), int(COLUMN_GAP * scale), max(widths)
    width = MARGIN * 2 + len(widths) * tile + (len(widths) - 1) * gap + int(60 * scale)
    height = MARGIN * 2 + rows * tile + (rows - 1) * ROW_GAP + int(24 * scale)
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = _font(int(13 * scale))

    def corner(col: int, row: int) -> tuple[int, int]:
        top = MARGIN + int(24 * scale) + (rows - widths[col]) * (tile + ROW_GAP) // 2
        return MARGIN + int(60 * scale) + col * (tile + gap), top + row * (tile + ROW_GAP)

    biggest = max((np.abs(W).max() for W in net.weights), default=1.0) or 1.0
    for l, W in enumerate(net.weights):  # lines first, tiles on top
        for i in range(W.shape[0]):
            for j in range(W.shape[1] if l < len(net.weights) - 1 else 1):
                w = float(W[i, j]) if np.isfinite(W[i, j]) else 0.0
                (x0, y0), (x1, y1) = corner(l, i), corner(l + 1, j)
                draw.line([(x0 + tile, y0 + tile // 2), (x1, y1 + tile // 2)], fill=_weight_colour(w),
                          width=max(1, round(style.line_width * 2.5 * abs(w) / biggest)))
    for col, layer in enumerate(layers):
        for row, values in enumerate(layer):
            x, y = corner(col, row)
            img.paste(_map_image(values, tile), (x, y))
            draw.rectangle([x, y, x + tile - 1, y + tile - 1], outline=(180, 180, 180))
        title = "features" if col == 0 else f"hidden {col}"
        draw.text((corner(col, 0)[0] + tile // 2, MARGIN), title, fill="black", font=font, anchor="mt")
    for row, name in enumerate(net.features):
        x, y = corner(0, row)
        draw.text((x - 6, y + tile // 2), FEATURE_LABELS.get(name, name), fill="black", font=font, anchor="rm")
    x, y = corner(len(widths) - 1, 0)
    draw.text((x, y + tile // 2), "output", fill="black", font=font, anchor="lm")
    return np.asarray(img)


def output_picture(output: np.ndarray, net: playground.Network, train: tuple[np.ndarray, np.ndarray],
                   test: tuple[np.ndarray, np.ndarray] | None, style: PlotStyle, discretize: bool,
                   size: int = 420) -> np.ndarray:
    """The output over the canvas with the data on top: training points outlined white, test points black."""
    if net.output == "softmax":
        colours = np.array([_rgb(c) for c in style.palette], np.float32)
        tinted = colours[output.astype(int)] * 0.45 + 255 * 0.55  # pale class colours behind the points
        background = Image.fromarray(tinted.astype(np.uint8)).resize((size, size), Image.NEAREST)
    else:
        background = _map_image(output, size, discrete=discretize)
    draw = ImageDraw.Draw(background)
    radius = max(3, round(style.marker_size * 0.55))
    for (X, y), outline in [(train, "white"), *([(test, "black")] if test is not None else [])]:
        px = (X + 6) / 12 * (size - 1)  # canvas [-6, 6] → pixels; x2 grows upwards
        for (u, v), label in zip(px, y):
            draw.ellipse([u - radius, size - 1 - v - radius, u + radius, size - 1 - v + radius],
                         fill=_point_colour(net, float(label), style), outline=outline)
    return np.asarray(background)
