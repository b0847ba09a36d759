"""A 3-D figure as data for the browser (drawn by core/ui/scene3d.js on a 2-D canvas, shown by projector.scene):
points, lines, a height field and at most one translucent plane in a box, seen from a camera the student turns by
dragging; several frames make an animation with Play and a slider.

A canvas rather than WebGL: a browser without a GPU (a lecture hall's PC, this machine's headless Chromium) took
1–2 s to start any WebGL scene, whatever its size, and paints these in milliseconds."""
import math

import numpy as np

from core.plots import PlotStyle, clip_path, palette


def _numbers(values) -> list:
    """Finite values rounded to 5 decimals, None where not finite (JSON has no NaN)."""
    flat = np.round(np.asarray(values, dtype=np.float64).ravel(), 5)
    return [v if math.isfinite(v) else None for v in flat.tolist()]


def points(P: np.ndarray, name: str, colour: str, size: float) -> dict:
    """Points (n, 3) as dots `size` pixels across."""
    return {"kind": "points", "name": name, "colour": colour, "size": size, "xyz": _numbers(P[:, :3])}


def line(P: np.ndarray, name: str, colour: str, width: float) -> dict:
    """A polyline through the points (n, 3); a missing point breaks it."""
    return {"kind": "line", "name": name, "colour": colour, "width": width, "xyz": _numbers(P[:, :3])}


def surface(x: np.ndarray, y: np.ndarray, z: np.ndarray, colorscale: str, name: str) -> dict:
    """The height field z (len(y), len(x)) over the grid x × y, each cell coloured by its height along the colour
    scale and shaded by its slope; cells with a missing corner are left out."""
    return {"kind": "surface", "name": name, "x": _numbers(x), "y": _numbers(y), "z": _numbers(z),
            "palette": palette(colorscale).ravel().tolist()}


def plane(coefficients: tuple[float, float, float, float], name: str, colour: str = "#808080",
          opacity: float = 0.35) -> dict:
    """The plane a·x + b·y + c·z + d = 0 where it cuts the box; what lies behind it shows through."""
    return {"kind": "plane", "name": name, "colour": colour, "opacity": opacity,
            "plane": [float(c) for c in coefficients]}


def frame(items: list[dict], name: str = "", title: str | None = None) -> dict:
    """One picture of the scene (an animation has several), with its own title if it has one."""
    assert sum(item["kind"] == "plane" for item in items) <= 1, "one plane per frame: the others are split by it"
    return {"name": name, "title": title, "items": items}


def bounds(*arrays: np.ndarray, pad: float = 0.04) -> list[tuple[float, float]]:
    """Each axis's range over point sets (n, 3), widened by `pad` of its length on both sides."""
    stacked = np.concatenate([np.asarray(a, dtype=np.float64)[:, :3] for a in arrays])
    low, high = np.nanmin(stacked, axis=0), np.nanmax(stacked, axis=0)
    span = np.where(high > low, high - low, 1.0)
    return [(float(lo - pad * s), float(hi + pad * s)) for lo, hi, s in zip(low, high, span)]


def scene(frames: list[dict], titles: tuple[str, str, str], ranges: list[tuple[float, float]], style: PlotStyle,
          title: str | None = None, camera: tuple[float, float] = (45.0, 25.0),
          aspect: tuple[float, float, float] = (1.0, 1.0, 1.0), height: int = 520,
          frame_label: str = "") -> dict:
    """The whole figure: its frames, the box (axis titles, ranges, relative lengths), the camera's azimuth and
    elevation in degrees, and the look of the page (projector mode draws larger)."""
    projector = style.font_size > 16
    return {"title": title, "frames": frames, "frameLabel": frame_label,
            "box": {"titles": list(titles), "lo": [lo for lo, _ in ranges], "hi": [hi for _, hi in ranges],
                    "aspect": list(aspect)},
            "camera": {"azimuth": camera[0], "elevation": camera[1]}, "height": height + (60 if projector else 0),
            "style": {"fontSize": style.font_size, "projector": projector}}


# The lecture's 3-D figures

def _classes(P: np.ndarray, y: np.ndarray, names: list[str], style: PlotStyle) -> list[dict]:
    return [points(P[y == k], name, style.colour(k), style.marker_size * 0.7) for k, name in enumerate(names)]


def classes(P: np.ndarray, y: np.ndarray, names: list[str], style: PlotStyle, axes: tuple[str, str, str],
            plane_z: float | None = None, title: str | None = None) -> dict:
    """Points (n, 3) coloured by class, optionally with the horizontal plane z = plane_z that separates them."""
    items = _classes(P, y, names, style)
    if plane_z is not None:
        items.append(plane((0.0, 0.0, 1.0, -plane_z), "separating plane"))
    return scene([frame(items)], axes, bounds(P), style, title)


def hidden_space_animation(snapshots: list, y: np.ndarray, names: list[str], style: PlotStyle) -> dict:
    """The points as the hidden layer sees them, one frame per snapshot of training, with the output neuron's plane
    w·h + b = 0 inside the tanh cube."""
    frames = [frame([*_classes(s.hidden, y, names, style), plane(tuple(s.plane), "output neuron's plane")],
                    name=str(s.step), title=f"step {s.step}: loss {s.loss:.3f}, accuracy {s.accuracy:.0%}")
              for s in snapshots]
    return scene(frames, ("hidden 1", "hidden 2", "hidden 3"), [(-1.05, 1.05)] * 3, style, height=560,
                 frame_label="training step")


def loss_landscape(x: np.ndarray, y: np.ndarray, z: np.ndarray, paths: dict[str, tuple[np.ndarray, np.ndarray]],
                   axes: tuple[str, str], style: PlotStyle, title: str | None = None) -> dict:
    """The loss as a landscape, each optimizer's path (points (steps, 2), their losses (steps,)) walking on it."""
    x_range, y_range = (float(x[0]), float(x[-1])), (float(y[0]), float(y[-1]))
    low, high = float(np.nanmin(z)), float(np.nanmax(z))
    lift = 0.01 * (high - low)  # just above the surface, so the path is not hidden in it
    items = [surface(x[::2], y[::2], z[::2, ::2], style.sequential, "loss")]  # a quarter of the cells: as smooth
    for i, (name, (p, losses)) in enumerate(paths.items()):
        p = clip_path(p, x_range, y_range)
        walked = np.column_stack([p, np.clip(np.nan_to_num(losses, nan=high), low, high) + lift])
        items.append(line(walked, name, style.colour(i), style.line_width * 1.5))
    return scene([frame(items)], (axes[0], axes[1], "loss"), [x_range, y_range, (low, high + lift)], style, title,
                 camera=(-50.0, 25.0), aspect=(1.0, 1.0, 0.8))
