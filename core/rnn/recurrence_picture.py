"""The recurrence drawn as on the slides: one step of a cell with every gate's sums, and the network unrolled over
the sentence, layer above layer, each state handed to the next step. Vectors are rows or columns of squares
coloured by value (−1 … +1), their numbers written inside."""
from collections import defaultdict
from functools import cache

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from core.plots import PlotStyle, layout
from core.rnn.recurrence import GATE_NAMES, Step

ARROW = "#555"
CELL_STATE = "#009E73"  # the LSTM's cell state, green wherever it is carried (clear of both colour scales)
CURRENT = "rgba(255, 200, 0, 0.25)"  # the step being shown, in the unrolled graph
ACTIVATION = {"h": "tanh", "g": "tanh", "n": "tanh"}  # every other gate: σ
CELL_WIDTH, ROW_PITCH, UNIT_PX = 1.5, 2.0, 30  # a number's square (1 high), gate rows apart, pixels per unit upwards
ANCHOR = {"left": "right", "center": "center", "right": "left"}  # a label's anchor -> where its text lies
SHADES = 20  # the squares' colours: −1 … +1 in steps of 0.1, so that squares of one colour are drawn together


class Drawing:
    """Squares, lines, arrows and labels collected, then drawn as a few traces: the squares of one colour are one
    filled path, the labels of one look one text trace, the numbers one more. As plotly layout shapes and annotations,
    each laid out and measured on its own, a whole unrolled sentence took most of a second to appear in the browser."""

    def __init__(self) -> None:
        self.squares = defaultdict(list)  # (fill, border) -> corners (x0, y0, x1, y1)
        self.lines = defaultdict(list)  # (colour, width, dash) -> polylines
        self.heads = defaultdict(list)  # (colour, width) -> arrows (start, end), a head at the end
        self.labels = defaultdict(list)  # (size, colour, anchor) -> (x, y, text)
        self.numbers = defaultdict(list)  # size -> (x, y, text or "", ink, hover)

    def square(self, x0: float, y0: float, x1: float, y1: float, fill: str, border: str | None = "#777") -> None:
        self.squares[fill, border].append((x0, y0, x1, y1))

    def line(self, points: list[tuple[float, float]], colour: str, width: float, dash: str | None = None) -> None:
        self.lines[colour, width, dash].append(points)

    def arrow(self, start: tuple[float, float], end: tuple[float, float], colour: str, width: float,
              dash: str | None = None) -> None:
        self.line([start, end], colour, width, dash)
        self.heads[colour, width].append((start, end))

    def label(self, x: float, y: float, text: str, size: int, colour: str, anchor: str) -> None:
        self.labels[size, colour, anchor].append((x, y, text))

    def number(self, x: float, y: float, text: str, size: int, ink: str, hover: str) -> None:
        self.numbers[size].append((x, y, text, ink, hover))

    def figure(self) -> go.Figure:
        quiet = dict(hoverinfo="skip", showlegend=False)
        traces = []
        for (fill, border), corners in self.squares.items():
            x = [v for x0, _, x1, _ in corners for v in (x0, x1, x1, x0, x0, None)]
            y = [v for _, y0, _, y1 in corners for v in (y0, y0, y1, y1, y0, None)]
            traces.append(go.Scatter(x=x, y=y, mode="lines", fill="toself", fillcolor=fill,
                                     line=dict(color=border or fill, width=1 if border else 0), **quiet))
        for (colour, width, dash), polylines in self.lines.items():
            traces.append(go.Scatter(x=[p[0] if p else None for points in polylines for p in [*points, None]],
                                     y=[p[1] if p else None for points in polylines for p in [*points, None]],
                                     mode="lines", line=dict(color=colour, width=width, dash=dash), **quiet))
        for (colour, width), arrows in self.heads.items():  # each head turned along its arrow, its tip at the end
            head = 3 * width + 6
            traces.append(go.Scatter(x=[v for start, end in arrows for v in (start[0], end[0], None)],
                                     y=[v for start, end in arrows for v in (start[1], end[1], None)],
                                     mode="markers", marker=dict(symbol="triangle-up", angleref="previous",
                                                                 size=[0, head, 0] * len(arrows), standoff=head / 2,
                                                                 color=colour, opacity=1, line=dict(width=0)), **quiet))
        for (size, colour, anchor), labels in self.labels.items():
            x, y, text = zip(*labels)
            traces.append(go.Scatter(x=x, y=y, text=text, mode="text", textposition=f"middle {ANCHOR[anchor]}",
                                     textfont=dict(size=size, color=colour), **quiet))
        for size, numbers in self.numbers.items():  # hover gives every square's value, written or not
            x, y, text, ink, hover = zip(*numbers)
            traces.append(go.Scatter(x=x, y=y, text=text, hovertext=hover, mode="markers+text", name="numbers",
                                     marker=dict(opacity=0, size=12), textfont=dict(size=size, color=ink),
                                     hovertemplate="%{hovertext}<extra></extra>", showlegend=False))
        return go.Figure(traces)


def colours(style: PlotStyle) -> str:
    """What the colours of the squares mean, in words."""
    return {"RdBu": "blue positive, red negative", "PuOr": "purple positive, orange negative"}[style.diverging]


def _colour(value: float, style: PlotStyle) -> str:
    return _shade(style.diverging, round(float(np.clip((value + 1) / 2, 0, 1)) * SHADES))


@cache
def _shade(scale: str, step: int) -> str:
    return sample_colorscale(scale, [step / SHADES])[0]


def _ink(value: float) -> str:
    """Text colour on a square: white on the dark ends of the scale."""
    return "white" if abs(value) > 0.6 else "#111"


def vector(fig: Drawing, values: np.ndarray, x: float, y: float, style: PlotStyle, vertical: bool = False,
           width: float = 1.0, numbers: bool = True, hover: str = "") -> None:
    """Squares (`width` wide, 1 high) from (x, y) rightwards, or downwards, one per value, each with its number (two
    decimals, or one in projector mode's large type, or none); hover gives four."""
    decimals = 1 if style.font_size > 16 else 2
    values = np.asarray(values, dtype=float)
    corners = [(x, y - k) if vertical else (x + k * width, y) for k in range(len(values))]
    for k, ((x0, y0), v) in enumerate(zip(corners, values)):
        fig.square(x0, y0 - 1, x0 + width, y0, _colour(v, style))
        fig.number(x0 + width / 2, y0 - 0.5, f"{round(v, decimals) + 0.0:.{decimals}f}".replace("-", "−")
                   if numbers else "", max(10, round(style.font_size * 0.72)), _ink(v), f"{hover}[{k}] = {v:.4f}")


def _label(fig: Drawing, text: str, x: float, y: float, style: PlotStyle, anchor: str = "center",
           colour: str = "#222", scale: float = 0.85) -> None:
    fig.label(x, y, text, round(style.font_size * scale), colour, anchor)


def _arrow(fig: Drawing, start: tuple[float, float], end: tuple[float, float], style: PlotStyle,
           dash: str | None = None, colour: str = ARROW) -> None:
    fig.arrow(start, end, colour, style.line_width * 0.7, dash)


def cell_figure(step: Step, kind: str, word: str, style: PlotStyle, output: np.ndarray | None = None) -> go.Figure:
    """One step of one cell: the input x_t and the delayed state h_{t−1} on the left; per gate, what the input adds
    (weights W_ih, first place) plus what the delayed state adds (W_hh, second place) = the sum, squashed by σ or
    tanh; on the right the new state (and the LSTM's cell), and the output read from it (W_ho, third place)."""
    H, D, W = len(step.h), len(step.x), CELL_WIDTH * (1.3 if style.font_size > 16 else 1)
    fig = Drawing()
    sums = max(D, H) * W + 2.5  # where the per-gate sums start, right of the inputs
    columns = [sums + i * (H * W + 1) for i in range(3)] + [sums + 3 * (H * W + 1) + 1.5]  # W_ih·x, W_hh·h, sum, σ
    right = columns[3] + H * W + (6.5 if style.font_size > 16 else 5)  # the new state, right of the gate names
    rows = [-r * ROW_PITCH for r in range(len(step.gates))]
    for x, text in zip(columns, ["from x<sub>t</sub>", "from h<sub>t−1</sub>", "sum", "squashed"]):
        _label(fig, text, x + H * W / 2, 0.6, style)
    for y, gate in zip(rows, step.gates):
        vector(fig, gate.from_input, columns[0], y, style, width=W, hover=f"{gate.name}: from x_t")
        _label(fig, "+", columns[1] - 0.5, y - 0.5, style, scale=1.2)
        vector(fig, gate.from_state, columns[1], y, style, width=W, hover=f"{gate.name}: from h_t−1")
        _label(fig, "=", columns[2] - 0.5, y - 0.5, style, scale=1.2)
        vector(fig, gate.pre, columns[2], y, style, width=W, hover=f"{gate.name}: sum")
        _arrow(fig, (columns[2] + H * W + 0.1, y - 0.5), (columns[3] - 0.1, y - 0.5), style)
        _label(fig, ACTIVATION.get(gate.name, "σ"), columns[3] - 0.8, y + 0.05, style, scale=0.75)
        vector(fig, gate.value, columns[3], y, style, width=W, hover=gate.name)
        _label(fig, "<b>h<sub>t</sub></b>" if kind == "RNN"
               else f"<b>{gate.name}</b> {GATE_NAMES[gate.name].removesuffix(' gate')}",
               columns[3] + H * W + 0.3, y - 0.5, style, anchor="left", scale=0.8)
    middle = (rows[-1] - 1) / 2

    def stacked(items: list[tuple[str, np.ndarray, str]], x: float, arrows_to: float | None) -> None:
        """Labelled vectors one under another around the middle; arrows from each to the sums."""
        for i, (text, values, name) in enumerate(items):
            y = middle + 0.5 + 1.1 * (len(items) - 1) - 2.2 * i
            _label(fig, text, x, y + 0.5, style, anchor="left", scale=0.8)
            vector(fig, values, x, y, style, width=W, hover=name)
            if arrows_to is not None:
                _arrow(fig, (x + len(values) * W + 0.1, y - 0.5), (arrows_to, middle), style)

    inputs = [("h<sub>t−1</sub> delayed state", step.h_prev, "h_t−1")]
    if step.c_prev is not None:
        inputs.append(("c<sub>t−1</sub> delayed cell", step.c_prev, "c_t−1"))
    stacked(inputs + [(f"x<sub>t</sub> = “{word}”", step.x, "x_t")], 0.0, sums - 0.3)
    outputs = [("h<sub>t</sub> new state", step.h, "h_t")] + (
        [("c<sub>t</sub> new cell", step.c, "c_t")] if step.c is not None else [])
    stacked(outputs, right, None)
    _arrow(fig, (right - 1.6, middle), (right - 0.2, middle), style)
    loop_x = right + H * W + 0.8  # the delay's way round: right of the new state, under everything, back left
    top, bottom = 1.2, rows[-1] - 1.2
    if output is not None:
        y = middle + 0.5 + 1.1 * (len(outputs) - 1) + 2.6
        _label(fig, "o<sub>t</sub> output", right, y + 0.5,
               style, anchor="left", scale=0.8)
        vector(fig, output, right, y, style, width=W, hover="o_t")
        _arrow(fig, (right + H * W / 2, y - 1.6), (right + H * W / 2, y - 1.05), style)
        top = max(top, y + 1.1)
    h_new, h_prev = middle + 1.1 * (len(outputs) - 1), middle + 1.1 * len(inputs)  # the two states' middles
    fig.line([(right + H * W + 0.1, h_new), (loop_x, h_new), (loop_x, bottom), (-0.9, bottom), (-0.9, h_prev),
              (-0.3, h_prev)], ARROW, style.line_width * 0.7, "dot")
    _arrow(fig, (-0.9, h_prev), (-0.02, h_prev), style)
    _label(fig, "delay: h<sub>t</sub> comes back as h<sub>t−1</sub> when the next word is read",
           loop_x / 2, bottom - 0.45, style, scale=0.75, colour=ARROW)
    bottom -= 0.9
    fig = fig.figure()
    fig.update_xaxes(visible=False, range=[-1.2, loop_x + 0.5])
    fig.update_yaxes(visible=False, range=[bottom, top])
    return layout(fig, style, height=int(20 + UNIT_PX * (top - bottom) * (1.3 if style.font_size > 16 else 1)))


def unrolled_figure(layers: list[list[Step]], tokens: list[str], current: int, style: PlotStyle,
                    outputs: np.ndarray | None = None) -> go.Figure:
    """The network unrolled over the sentence: one column per word, one row per layer; each box is that layer's
    state after that word (and beside it the LSTM's cell), arrows carry it to the next word and up to the next
    layer; the words enter at the bottom and the outputs leave at the top. The current step is shaded."""
    H = len(layers[0][0].h)
    lstm = layers[0][0].c is not None
    pitch, height = 2.2 + (1.6 if lstm else 0), H + 1.6  # from one word's column to the next; one layer up
    fig = Drawing()
    T, L = len(tokens), len(layers)
    fig.square(current * pitch - 0.6, -1.6, current * pitch + 1.6 + (1.6 if lstm else 0),
               L * height + (1.8 if outputs is not None else 0.4), CURRENT, border=None)
    for t, token in enumerate(tokens):
        x = t * pitch
        _label(fig, token, x + 0.5 + (0.8 if lstm else 0), -1.0, style, colour="#111")
        _arrow(fig, (x + 0.5, -0.55), (x + 0.5, 0.05), style)
        for l, layer in enumerate(layers):
            y = l * height + H
            vector(fig, layer[t].h, x, y, style, vertical=True, numbers=False, hover=f"layer {l + 1}, h_{t}")
            if lstm:
                vector(fig, layer[t].c, x + 1.6, y, style, vertical=True, numbers=False, hover=f"layer {l + 1}, c_{t}")
            if t + 1 < T and not lstm:
                _arrow(fig, (x + 1.05, y - H / 2), (x + pitch - 0.05, y - H / 2), style)
            elif t + 1 < T:  # two belts: the cell state above the states, the state h below them
                a, b = x + 0.8, x + pitch + 0.2
                fig.line([(a, y - H), (a, y - H - 0.4), (b, y - H - 0.4)], ARROW, style.line_width * 0.7)
                _arrow(fig, (b, y - H - 0.4), (b, y - H), style)
                a, b = x + 2.1, x + pitch + 2.1
                fig.line([(a, y), (a, y + 0.4), (b, y + 0.4)], CELL_STATE, style.line_width * 0.7)
                _arrow(fig, (b, y + 0.4), (b, y), style, colour=CELL_STATE)
            if l + 1 < L:
                _arrow(fig, (x + 0.5, y + 0.05), (x + 0.5, y + height - H - 0.05), style)
        if outputs is not None:
            y = L * height
            _arrow(fig, (x + 0.5, y - 1.55), (x + 0.5, y - 0.1), style)
            _label(fig, f"o<sub>{t + 1}</sub>", x + 0.5, y + 0.35, style, scale=0.75)
    for l in range(L):
        _label(fig, f"layer {l + 1}" if L > 1 else "h", -0.8, l * height + H / 2, style, anchor="right")
    fig = fig.figure()
    fig.update_xaxes(visible=False, range=[-4.2, T * pitch + 0.2])
    fig.update_yaxes(visible=False, range=[-1.7, L * height + (1.2 if outputs is not None else 0.2)])
    return layout(fig, style, height=int(110 + 38 * (L * height + 2)))
