"""Plotly figure builders. Every figure takes a PlotStyle, so projector mode reaches every plot."""
import functools
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

# Every figure's look. As plotly's default it is applied as each figure is made (about 1 ms); assigning it to a
# finished figure validates the whole template again (about 15 ms per figure).
pio.templates.default = "plotly_white"

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#F0E442")  # yellow last: faint on white
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
                      legend=dict(font=dict(size=style.font_size)))
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


def grouped_bars(labels: list[str], groups: dict[str, list[float]], style: PlotStyle, title: str | None = None,
                 height: int = 380) -> go.Figure:
    """Shares (0–1) per label, one bar per group side by side, the legend above."""
    fig = go.Figure([go.Bar(x=labels, y=values, name=group, marker_color=style.colour(i))
                     for i, (group, values) in enumerate(groups.items())])
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    fig.update_layout(barmode="group")
    return legend_below(layout(fig, style, title, height=height))


@functools.cache
def palette(colorscale: str | tuple) -> np.ndarray:
    """256 RGB colours sampled along a plotly colour scale: (256, 3) uint8."""
    samples = sample_colorscale(colorscale if isinstance(colorscale, str) else [list(c) for c in colorscale],
                                list(np.linspace(0, 1, 256)), colortype="tuple")
    return (np.array(samples) * 255).round().astype(np.uint8)


def colourise(values: np.ndarray, colorscale: str | tuple, bounds: tuple[float, float] | None = None) -> np.ndarray:
    """A 2-D array as an RGB image through a colour scale, over `bounds` or its own range: (H, W, 3) uint8."""
    lo, hi = bounds or (float(values.min()), float(values.max()))
    values = np.clip(np.nan_to_num(values, nan=lo), lo, hi)
    index = ((values - lo) / (hi - lo + 1e-12) * 255).astype(np.uint8)
    return palette(colorscale)[index]


def feature_strip(fmap: np.ndarray, style: PlotStyle, count: int = 8, size: int = 112, gap: int = 6) -> np.ndarray:
    """A layer's `count` most active channels for one input, side by side as one picture (sent as a small PNG)."""
    top = np.argsort(fmap.mean(axis=(1, 2)))[::-1][:count]  # fmap: (C, H, W)
    tiles = [enlarge(colourise(fmap[c], style.sequential), size) for c in top]
    spacer = np.full((tiles[0].shape[0], gap, 3), 255, np.uint8)
    return np.concatenate([part for tile in tiles for part in (tile, spacer)][:-1], axis=1)


def tiles(pictures: list[np.ndarray], columns: int, size: int = 84, gap: int = 4) -> np.ndarray:
    """Pictures (h, w, 3) uint8 of one size, enlarged to about `size` pixels and laid out in rows on white."""
    enlarged = [enlarge(p, size) for p in pictures]
    h, w = enlarged[0].shape[:2]
    rows = -(-len(enlarged) // columns)
    sheet = np.full((rows * (h + gap) - gap, min(columns, len(enlarged)) * (w + gap) - gap, 3), 255, np.uint8)
    for i, tile in enumerate(enlarged):
        r, c = divmod(i, columns)
        sheet[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = tile
    return sheet


# Feed-forward networks

def lines(curves: dict[str, tuple[np.ndarray, np.ndarray]], style: PlotStyle, title: str | None = None,
          axes: tuple[str, str] = ("x", "y"), points: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
          dashed: tuple[str, ...] = (), thin: tuple[str, ...] = (), y_range: tuple[float, float] | None = None,
          log_y: bool = False, height: int = 380, first_colour: int = 0) -> go.Figure:
    """Named curves (x, y), optionally over named point clouds; `dashed` and `thin` curves are drawn lighter."""
    traces = [go.Scatter(x=x, y=y, mode="markers", name=name, marker=dict(
        size=style.marker_size * (0.6 if i else 1), color="#888" if i else "#222", opacity=0.5 if i else 0.85))
        for i, (name, (x, y)) in enumerate((points or {}).items())]
    for i, (name, (x, y)) in enumerate(curves.items()):
        width = style.line_width * (0.8 if name in thin else 1.4)
        traces.append(go.Scatter(x=x, y=y, mode="lines", name=name, line=dict(
            color="#555" if name in dashed else style.colour(first_colour + i), width=width,
            dash="dash" if name in dashed else None)))
    fig = go.Figure(traces)
    fig.update_xaxes(title=axes[0], zeroline=False)
    fig.update_yaxes(title=axes[1], range=y_range, zeroline=False)
    if log_y:
        ticks = _log_ticks(np.concatenate([np.asarray(y, dtype=float) for _, y in curves.values()]))
        fig.update_yaxes(type="log", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    return legend_below(layout(fig, style, title, height=height))


def _log_ticks(values: np.ndarray) -> list[float]:
    """Tick values for a log axis over these values: 1, 2, 5 × powers of ten, or only the powers over many decades."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return []
    lo, hi = np.floor(np.log10(values.min())), np.ceil(np.log10(values.max()))
    steps = (1,) if hi - lo > 3 else (1, 2, 5)
    ticks = [m * 10.0 ** k for k in range(int(lo), int(hi) + 1) for m in steps]
    return [t for t in ticks if values.min() / 1.5 <= t <= values.max() * 1.5]


def legend_below(fig: go.Figure) -> go.Figure:
    """A horizontal legend at the foot of the figure, under the x axis, where wrapping cannot cover the title."""
    return fig.update_layout(legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0,
                                         xanchor="left"))


def stack_vs_single_map(inputs: np.ndarray, stacked: np.ndarray, single: np.ndarray, side: int, style: PlotStyle,
                        title: str | None = None) -> go.Figure:
    """A square grid of inputs, as a stack of layers maps it (lines) and as the one equivalent linear map does
    (dots): inputs, stacked and single are (side², 2), row by row."""
    def grid_lines(points: np.ndarray) -> tuple[list, list]:
        g = points.reshape(side, side, 2)
        xs, ys = [], []
        for line in [*g, *g.transpose(1, 0, 2)]:  # rows, then columns
            xs += [*line[:, 0], None]
            ys += [*line[:, 1], None]
        return xs, ys
    traces = []
    for name, points, colour, width in [("the input grid", inputs, "#bbb", 0.6),
                                        ("through the stack of layers", stacked, style.colour(0), 1.0)]:
        xs, ys = grid_lines(points)
        traces.append(go.Scatter(x=xs, y=ys, mode="lines", name=name,
                                 line=dict(color=colour, width=style.line_width * width)))
    traces.append(go.Scatter(x=single[:, 0], y=single[:, 1], mode="markers", name="through the single linear map",
                             marker=dict(size=style.marker_size, color=style.colour(1), symbol="circle-open",
                                         line=dict(width=style.line_width * 0.8))))
    fig = go.Figure(traces)
    fig.update_xaxes(title="output 1", zeroline=False)
    fig.update_yaxes(title="output 2", zeroline=False, scaleanchor="x")
    return legend_below(layout(fig, style, title, height=480))


def sigmoid_units(x: np.ndarray, outputs: np.ndarray, c: float, style: PlotStyle, title: str | None = None,
                  y_range: tuple[float, float] | None = None) -> go.Figure:
    """Each unit's scaled output a_i·σ(w_i x + b_i) (outputs: (n_units, len(x))), and the output bias c."""
    curves = {f"unit {i + 1}": (x, o) for i, o in enumerate(outputs)}
    curves["output bias c"] = (x, np.full_like(x, c))
    return lines(curves, style, title, ("input x", "aᵢ·σ(wᵢx + bᵢ)"), dashed=("output bias c",),
                 y_range=y_range)


def clip_path(points: np.ndarray, x_range: tuple[float, float], y_range: tuple[float, float]) -> np.ndarray:
    """An optimizer's path (steps, 2) held inside the plotted square (a path that runs off stays on its edge)."""
    points = np.nan_to_num(points, nan=0.0, posinf=1e6, neginf=-1e6)
    return np.stack([np.clip(points[:, 0], *x_range), np.clip(points[:, 1], *y_range)], axis=1)


def loss_contour(x: np.ndarray, y: np.ndarray, z: np.ndarray, paths: dict[str, np.ndarray], start: np.ndarray,
                 downhill: np.ndarray, axes: tuple[str, str], style: PlotStyle, title: str | None = None) -> go.Figure:
    """The loss surface from above with each optimizer's path, and an arrow along −gradient at the start point."""
    x_range, y_range = (float(x[0]), float(x[-1])), (float(y[0]), float(y[-1]))
    pastel = [[i / 15, "rgb({},{},{})".format(*(0.5 * c + 127.5).astype(int))]
              for i, c in enumerate(palette(style.sequential)[::17])]  # half-way to white: the paths stand out
    traces = [go.Contour(x=x, y=y, z=z, colorscale=pastel, ncontours=25, showscale=True,
                         colorbar=dict(title=dict(text="loss", side="right"), thickness=14),
                         contours=dict(coloring="heatmap", showlines=True), line=dict(width=0.5, color="#666"),
                         hovertemplate=f"{axes[0]} %{{x:.2f}}<br>{axes[1]} %{{y:.2f}}<br>loss %{{z:.3f}}"
                                       "<extra></extra>",
                         name="loss")]
    for i, (name, p) in reversed(list(enumerate(paths.items()))):  # the first path drawn last, on top
        p = clip_path(p, x_range, y_range)
        traces.append(go.Scatter(x=p[:, 0], y=p[:, 1], mode="lines+markers", name=name, legendrank=i,
                                 line=dict(color=style.colour(i), width=style.line_width),
                                 marker=dict(size=style.marker_size * 0.5)))
    traces.append(go.Scatter(x=[start[0]], y=[start[1]], mode="markers", name="start", legendrank=len(paths),
                             marker=dict(size=style.marker_size * 1.8, color="black", symbol="x-thin",
                                         line=dict(width=style.line_width, color="black"))))
    gx, gy = np.meshgrid(x[::2], y[::2])  # invisible points everywhere: clicking one picks a new start
    traces.append(go.Scatter(x=gx.ravel(), y=gy.ravel(), customdata=z[::2, ::2].ravel(), mode="markers",
                             name="click to start here", showlegend=False, marker=dict(size=12, color="rgba(0,0,0,0)"),
                             hovertemplate=f"{axes[0]} %{{x:.2f}}<br>{axes[1]} %{{y:.2f}}<br>loss %{{customdata:.3f}}"
                                           "<br>click to start here<extra></extra>"))
    fig = go.Figure(traces)
    span = x_range[1] - x_range[0]
    direction = downhill / (np.linalg.norm(downhill) + 1e-12) * 0.15 * span  # a fixed length: only the direction shows
    fig.add_annotation(x=start[0] + direction[0], y=start[1] + direction[1], ax=start[0], ay=start[1],
                       xref="x", yref="y", axref="x", ayref="y", showarrow=True, arrowhead=3,
                       arrowwidth=style.line_width * 0.8, arrowcolor="rgba(0,0,0,0.55)", text="−∇L",
                       font=dict(size=style.font_size),
                       bgcolor="rgba(255,255,255,0.8)")
    fig.update_xaxes(title=axes[0], range=x_range, constrain="domain")
    fig.update_yaxes(title=axes[1], range=y_range, scaleanchor="x")
    fig.update_layout(clickmode="event+select", dragmode=False)
    return legend_below(layout(fig, style, title, height=520))


_NETWORK_NODES = {"x1": (0.0, 1.5), "x2": (0.0, 0.0), "h1": (1.7, 1.5), "h2": (1.7, 0.0), "o": (3.3, 0.75),
                  "L": (4.5, 0.75)}  # (x, y) of each node; values are written above the top row, below the others
_NETWORK_ABOVE = ("x1", "h1", "o")
_NETWORK_EDGES = {  # weight: (from, to, where along the edge its label sits, above/on/below the edge)
    "w1": ("x1", "h1", 0.45, "bottom"), "w2": ("x2", "h1", 0.35, "middle"), "w3": ("x1", "h2", 0.35, "middle"),
    "w4": ("x2", "h2", 0.45, "top"), "w5": ("h1", "o", 0.45, "middle"), "w6": ("h2", "o", 0.45, "middle")}
_NETWORK_BIASES = {"b1": "h1", "b2": "h2", "b3": "o"}
_NODE_COLOUR, _HIGHLIGHT = "#0072B2", "#D55E00"  # Okabe-Ito blue and vermillion: distinct for colour-blind eyes too


def backprop_network(labels: dict[str, list[str]], highlight: str | None, style: PlotStyle,
                     title: str | None = None) -> go.Figure:
    """The 2-2-1 network of the backpropagation example: nodes x1, x2, h1, h2, o and the loss L, edges w1…w6,
    biases b1…b3. `labels` maps each of those names to the lines written beside it; `highlight` is drawn in colour."""
    fig = go.Figure()
    small = dict(size=min(style.font_size, 20))

    def box(on: bool) -> dict:
        return dict(bgcolor="rgba(255,255,255,0.9)", bordercolor=_HIGHLIGHT if on else "rgba(0,0,0,0)", borderwidth=2)

    for name, (a, b, t, side) in _NETWORK_EDGES.items():
        (x0, y0), (x1, y1) = _NETWORK_NODES[a], _NETWORK_NODES[b]
        on = name == highlight
        fig.add_shape(type="line", x0=x0, y0=y0, x1=x1, y1=y1, layer="below",
                      line=dict(color=_HIGHLIGHT if on else "#999", width=style.line_width * (3 if on else 1.2)))
        fig.add_annotation(x=x0 + t * (x1 - x0), y=y0 + t * (y1 - y0), text="<br>".join(labels.get(name, [name])),
                           showarrow=False, yanchor=side, font=dict(**small, color=_HIGHLIGHT if on else "#333"),
                           **box(on))
    (ox, oy), (lx, ly) = _NETWORK_NODES["o"], _NETWORK_NODES["L"]
    fig.add_shape(type="line", x0=ox, y0=oy, x1=lx, y1=ly, layer="below",
                  line=dict(color="#999", width=style.line_width, dash="dot"))
    for name, (x, y) in _NETWORK_NODES.items():
        on = name == highlight
        fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers+text", text=[name], textposition="middle center",
                                 textfont=dict(size=style.font_size, color="white"), hoverinfo="skip", showlegend=False,
                                 marker=dict(size=style.font_size * 3.2, color=_HIGHLIGHT if on else _NODE_COLOUR,
                                             symbol="square" if name == "L" else "circle",
                                             line=dict(width=3 if on else 0, color="black"))))
        biases = [bias for bias, node in _NETWORK_BIASES.items() if node == name]
        text = labels.get(name, []) + [
            f"<span style='color:{_HIGHLIGHT if bias == highlight else '#666'}'>{line}</span>"
            for bias in biases for line in labels.get(bias, [bias])]
        if text:
            above = name in _NETWORK_ABOVE
            fig.add_annotation(x=x, y=y, text="<br>".join(text), showarrow=False, yanchor="bottom" if above else "top",
                               yshift=(1 if above else -1) * style.font_size * 1.9, font=dict(**small, color="#222"),
                               **box(on or highlight in biases))
    fig.update_xaxes(visible=False, range=[-0.45, 4.85])
    fig.update_yaxes(visible=False, range=[-1.45, 2.85])
    return layout(fig, style, title, height=500)


def train_test_losses(runs: dict[str, tuple[list[float], list[float]]], style: PlotStyle, title: str | None = None,
                      stop_epoch: int | None = None) -> go.Figure:
    """Training (solid) and test (dotted) loss per epoch of each named run, on a log scale."""
    traces = []
    for i, (name, (train, test)) in enumerate(runs.items()):
        epochs = np.arange(1, len(train) + 1)
        for curve, values, dash in (("training", train, None), ("test", test, "dot")):
            traces.append(go.Scatter(x=epochs, y=values, mode="lines", name=f"{name}: {curve} loss",
                                     line=dict(color=style.colour(i), width=style.line_width, dash=dash)))
    fig = go.Figure(traces)
    if stop_epoch is not None:
        fig.add_vline(x=stop_epoch + 1, line=dict(color="#555", dash="dash", width=style.line_width * 0.7),
                      annotation_text="early stopping stops here", annotation_position="top left",
                      annotation_font_size=style.font_size * 0.8)
    fig.update_xaxes(title="epoch", range=[0, max(len(train) for train, _ in runs.values()) + 1])
    ticks = _log_ticks(np.concatenate([np.asarray(v, dtype=float) for run in runs.values() for v in run]))
    fig.update_yaxes(title="loss (log scale)", type="log", tickvals=ticks,
                     ticktext=[f"{t:g}" for t in ticks])
    return legend_below(layout(fig, style, title, height=420))


def fits_side_by_side(fits: dict[str, tuple[np.ndarray, np.ndarray]], truth: tuple[np.ndarray, np.ndarray],
                      train: tuple[np.ndarray, np.ndarray], style: PlotStyle, title: str | None = None) -> go.Figure:
    """Small multiples: each named fitted curve (titled with its name) over the training points and the true curve."""
    fig = make_subplots(rows=1, cols=len(fits), shared_yaxes=True, horizontal_spacing=0.02,
                        subplot_titles=list(fits))
    for col, (name, (x, y)) in enumerate(fits.items(), start=1):
        first = col == 1
        fig.add_trace(go.Scatter(x=truth[0], y=truth[1], mode="lines", name="true curve", showlegend=first,
                                 line=dict(color="#777", dash="dash", width=style.line_width * 0.7)), row=1, col=col)
        fig.add_trace(go.Scatter(x=train[0], y=train[1], mode="markers", name="training points", showlegend=first,
                                 marker=dict(color="#222", size=style.marker_size * 0.8)), row=1, col=col)
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name="the network's fit", showlegend=first,
                                 line=dict(color=style.colour(0), width=style.line_width)), row=1, col=col)
        fig.update_xaxes(title="x", row=1, col=col)
    fig.update_yaxes(title="y", range=[-4, 4], row=1, col=1)
    fig.update_annotations(font_size=style.font_size * 0.85)
    layout(fig, style, title, height=380)
    return legend_below(fig.update_layout(margin=dict(t=style.font_size * 4)))
