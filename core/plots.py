"""Plotly figure builders. Every figure takes a PlotStyle, so projector mode reaches every plot."""
from dataclasses import dataclass

import functools

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
TABLEAU = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#EECA3B", "#B279A2", "#FF9DA6", "#9D755D", "#BAB0AC")


@dataclass(frozen=True)
class PlotStyle:
    font_size: int = 14
    line_width: float = 2.0
    marker_size: float = 7.0
    palette: tuple[str, ...] = TABLEAU
    diverging: str = "RdBu"  # for signed values: weights, decision functions
    sequential: str = "Viridis"  # for magnitudes: feature maps, saliency

    def colour(self, i: int) -> str:
        return self.palette[i % len(self.palette)]


NORMAL = PlotStyle()
PROJECTOR = PlotStyle(font_size=22, line_width=4.5, marker_size=11, palette=OKABE_ITO, diverging="PuOr",
                      sequential="Cividis")


def layout(fig: go.Figure, style: PlotStyle, title: str | None = None, height: int = 380) -> go.Figure:
    """The shared look: readable fonts, tight margins, no clutter."""
    fig.update_layout(title=title, height=height + (60 if style.font_size > 16 else 0),
                      font=dict(size=style.font_size), margin=dict(l=10, r=10, t=50 if title else 10, b=10),
                      legend=dict(font=dict(size=style.font_size)), template="plotly_white")
    return fig


def probabilities(labels: list[str], probs: np.ndarray, style: PlotStyle, title: str | None = None) -> go.Figure:
    """Horizontal bars of class probabilities, the most likely on top."""
    order = np.argsort(probs)
    fig = go.Figure(go.Bar(x=probs[order], y=[labels[i] for i in order], orientation="h",
                           marker_color=[style.colour(0)] * (len(order) - 1) + [style.colour(1)],
                           text=[f"{p:.1%}" for p in probs[order]], textposition="outside", cliponaxis=False,
                           textfont=dict(size=style.font_size)))
    fig.update_xaxes(range=[0, min(1.0, probs.max() * 1.25 + 0.05)], tickformat=".0%", title="probability")
    return layout(fig, style, title, height=max(220, 34 * len(labels) + 60))


def enlarge(pixels: np.ndarray, size: int = 224) -> np.ndarray:
    """Blow a small image up by repeating pixels, so the browser shows crisp squares rather than a blur."""
    scale = max(1, size // pixels.shape[0])
    return np.kron(pixels, np.ones((scale, scale) + (1,) * (pixels.ndim - 2), pixels.dtype))


def scatter_classes(X: np.ndarray, y: np.ndarray, names: list[str], style: PlotStyle, title: str | None = None,
                    height: int = 380) -> go.Figure:
    """2-D points coloured by class."""
    fig = go.Figure([go.Scatter(x=X[y == k, 0], y=X[y == k, 1], mode="markers", name=name,
                                marker=dict(size=style.marker_size, color=style.colour(k), line=dict(width=0.5, color="white")))
                     for k, name in enumerate(names)])
    fig.update_xaxes(title="x₁", zeroline=False)
    fig.update_yaxes(title="x₂", scaleanchor="x", zeroline=False)
    return layout(fig, style, title, height=height)


def bars(labels: list[str], values: list[float], style: PlotStyle, title: str | None = None, percent: bool = True,
         height: int = 320) -> go.Figure:
    """Vertical bars with their values written on them."""
    fig = go.Figure(go.Bar(x=labels, y=values, marker_color=[style.colour(i) for i in range(len(labels))],
                           text=[f"{v:.1%}" if percent else f"{v:.3g}" for v in values], textposition="outside"))
    if percent:
        fig.update_yaxes(range=[0, 1.08], tickformat=".0%")
    return layout(fig, style, title, height=height)


@functools.cache
def _palette(colorscale: str | tuple) -> np.ndarray:
    """256 RGB colours sampled along a plotly colour scale: (256, 3) uint8."""
    samples = sample_colorscale(colorscale if isinstance(colorscale, str) else [list(c) for c in colorscale],
                                list(np.linspace(0, 1, 256)), colortype="tuple")
    return (np.array(samples) * 255).round().astype(np.uint8)


def colourise(values: np.ndarray, colorscale: str | tuple, bounds: tuple[float, float] | None = None) -> np.ndarray:
    """A 2-D array as an RGB image through a colour scale, over `bounds` or its own range: (H, W, 3) uint8."""
    lo, hi = bounds or (float(values.min()), float(values.max()))
    values = np.clip(np.nan_to_num(values, nan=lo), lo, hi)
    index = ((values - lo) / (hi - lo + 1e-12) * 255).astype(np.uint8)
    return _palette(colorscale)[index]


def feature_strip(fmap: np.ndarray, style: PlotStyle, count: int = 8, size: int = 112, gap: int = 6) -> np.ndarray:
    """A layer's `count` most active channels for one input, side by side as one picture (sent as a small PNG)."""
    top = np.argsort(fmap.mean(axis=(1, 2)))[::-1][:count]  # fmap: (C, H, W)
    tiles = [enlarge(colourise(fmap[c], style.sequential), size) for c in top]
    spacer = np.full((tiles[0].shape[0], gap, 3), 255, np.uint8)
    return np.concatenate([part for tile in tiles for part in (tile, spacer)][:-1], axis=1)


def _scene(style: PlotStyle, titles: tuple[str, str, str], **axis) -> dict:
    """A 3-D scene seen from a little further away, with tick labels that stay readable in projector mode."""
    tick = dict(tickfont=dict(size=round(style.font_size * 0.85)), title_font=dict(size=style.font_size))
    return dict(xaxis=dict(title=titles[0], **tick, **axis), yaxis=dict(title=titles[1], **tick, **axis),
                zaxis=dict(title=titles[2], **tick, **axis), camera=dict(eye=dict(x=1.7, y=1.7, z=1.1)))


def _class_traces_3d(P: np.ndarray, y: np.ndarray, names: list[str], style: PlotStyle) -> list[dict]:
    return [dict(type="scatter3d", x=P[y == k, 0], y=P[y == k, 1], z=P[y == k, 2], mode="markers", name=name,
                 marker=dict(size=style.marker_size * 0.5, color=style.colour(k)))
            for k, name in enumerate(names)]


def scatter3d_classes(P: np.ndarray, y: np.ndarray, names: list[str], style: PlotStyle, axes: tuple[str, str, str],
                      plane_z: float | None = None, title: str | None = None) -> go.Figure:
    """3-D points coloured by class, optionally with the horizontal plane z = plane_z that separates them."""
    traces: list = _class_traces_3d(P, y, names, style)
    if plane_z is not None:
        xs = np.linspace(P[:, 0].min(), P[:, 0].max(), 2)
        ys = np.linspace(P[:, 1].min(), P[:, 1].max(), 2)
        traces.append(go.Surface(x=xs, y=ys, z=np.full((2, 2), plane_z), showscale=False, opacity=0.35,
                                 colorscale=[[0, "grey"], [1, "grey"]], name="separating plane"))
    fig = go.Figure(traces)
    fig.update_layout(scene=_scene(style, axes))
    return layout(fig, style, title, height=520)


def _plane_surface(plane: np.ndarray) -> dict:
    """The output neuron's decision plane w·h + b = 0 inside the tanh cube [-1, 1]³."""
    w1, w2, w3, b = plane
    g = np.linspace(-1, 1, 25)
    h1, h2 = np.meshgrid(g, g)
    with np.errstate(divide="ignore", invalid="ignore"):
        h3 = -(w1 * h1 + w2 * h2 + b) / w3
    h3[(h3 < -1.05) | (h3 > 1.05)] = np.nan
    return dict(type="surface", x=h1, y=h2, z=h3, showscale=False, opacity=0.35,
                colorscale=[[0, "grey"], [1, "grey"]], name="output neuron's plane")


def hidden_space_animation(snapshots: list, y: np.ndarray, names: list[str], style: PlotStyle) -> go.Figure:
    """The points as the hidden layer sees them, one frame per snapshot of training, with a play button."""
    def data(s):
        return [*_class_traces_3d(s.hidden, y, names, style), _plane_surface(s.plane)]
    frames = [dict(data=data(s), name=str(s.step),
                   layout=dict(title=dict(text=f"step {s.step}: loss {s.loss:.3f}, accuracy {s.accuracy:.0%}")))
              for s in snapshots]
    controls = dict(
        scene=dict(**_scene(style, ("hidden 1", "hidden 2", "hidden 3"), range=[-1.05, 1.05], autorange=False),
                   aspectmode="cube"),
        updatemenus=[dict(type="buttons", direction="right", x=0, y=0, xanchor="left", yanchor="top",
                          pad=dict(t=10), buttons=[
            dict(label="▶ Play", method="animate",
                 args=[None, dict(frame=dict(duration=150, redraw=True), fromcurrent=True)]),
            dict(label="Pause", method="animate",
                 args=[[None], dict(mode="immediate", frame=dict(duration=0, redraw=False))])])],
        sliders=[dict(x=0.25, len=0.75, y=0, yanchor="top", currentvalue=dict(prefix="training step "),
                      pad=dict(t=10), steps=[
            dict(label=f["name"], method="animate",
                 args=[[f["name"]], dict(mode="immediate", frame=dict(duration=0, redraw=True))]) for f in frames])])
    # built from plain dicts without plotly's validation: 20× faster, and every key above is plotly's own
    fig = go.Figure(dict(data=data(snapshots[0]), frames=frames, layout=controls), _validate=False)
    return layout(fig, style, f"step 0: loss {snapshots[0].loss:.3f}, accuracy {snapshots[0].accuracy:.0%}", height=560)


def loss_curves(history: list[tuple[int, float, float]], style: PlotStyle, points: int = 200) -> dict:
    """Training and test loss against epochs, as a light Vega-Lite chart (redrawn ten times a second while
    training); long histories are thinned to `points` points."""
    step = max(1, len(history) // points)
    rows = [{"epoch": e, "loss": value, "curve": curve} for e, train, test in history[::step] + history[-1:]
            for curve, value in (("training loss", train), ("test loss", test))]
    axis = {"labelFontSize": style.font_size * 0.8, "titleFontSize": style.font_size * 0.9}
    return {"data": {"values": rows}, "mark": {"type": "line", "strokeWidth": style.line_width},
            "encoding": {"x": {"field": "epoch", "type": "quantitative"},
                         "y": {"field": "loss", "type": "quantitative", "scale": {"zero": True}},
                         "color": {"field": "curve", "type": "nominal", "legend": {"orient": "top", "title": None},
                                   "scale": {"range": list(style.palette[:2])}}},
            "height": 200, "config": {"axis": axis, "legend": {"labelFontSize": style.font_size * 0.85}}}
