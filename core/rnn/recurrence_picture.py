"""The recurrence drawn as on the slides: one step of a cell with every gate's sums, and the network unrolled over
the sentence, layer above layer, each state handed to the next step. Vectors are rows or columns of squares
coloured by value (−1 … +1), their numbers written inside."""
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


class Drawing:
    """Shapes, annotations and traces collected, then made into one figure at once: plotly's add_shape and
    add_annotation re-check every shape already there, so a figure of hundreds of squares took seconds to draw."""

    def __init__(self) -> None:
        self.shapes, self.annotations, self.traces = [], [], []

    def add_shape(self, **shape) -> None:
        self.shapes.append(shape)

    def add_annotation(self, **annotation) -> None:
        self.annotations.append(annotation)

    def add_trace(self, trace: go.Scatter) -> None:
        self.traces.append(trace)

    def figure(self) -> go.Figure:
        return go.Figure(self.traces, layout=dict(shapes=self.shapes, annotations=self.annotations))


def colours(style: PlotStyle) -> str:
    """What the colours of the squares mean, in words."""
    return {"RdBu": "blue positive, red negative", "PuOr": "purple positive, orange negative"}[style.diverging]


def _colour(value: float, style: PlotStyle) -> str:
    return sample_colorscale(style.diverging, [float(np.clip((value + 1) / 2, 0, 1))])[0]


def _ink(value: float) -> str:
    """Text colour on a square: white on the dark ends of the scale."""
    return "white" if abs(value) > 0.6 else "#111"


def vector(fig: Drawing, values: np.ndarray, x: float, y: float, style: PlotStyle, vertical: bool = False,
           width: float = 1.0, numbers: bool = True, hover: str = "") -> None:
    """Squares (`width` wide, 1 high) from (x, y) rightwards, or downwards, one per value, each with its number (two
    decimals, or one in projector mode's large type); hover gives four. The numbers are one trace per vector: a figure
    of a whole unrolled sentence has hundreds of squares."""
    decimals = 1 if style.font_size > 16 else 2
    values = np.asarray(values, dtype=float)
    corners = [(x, y - k) if vertical else (x + k * width, y) for k in range(len(values))]
    for (x0, y0), v in zip(corners, values):
        fig.add_shape(type="rect", x0=x0, y0=y0 - 1, x1=x0 + width, y1=y0, line=dict(color="#777", width=1),
                      fillcolor=_colour(v, style), layer="below")
    fig.add_trace(go.Scatter(
        x=[x0 + width / 2 for x0, _ in corners], y=[y0 - 0.5 for _, y0 in corners],
        mode="text" if numbers else "markers", marker=dict(opacity=0, size=12),
        text=[f"{round(v, decimals) + 0.0:.{decimals}f}".replace("-", "−") for v in values] if numbers else None,
        textfont=dict(size=max(10, round(style.font_size * 0.72)), color=[_ink(v) for v in values]),
        hovertext=[f"{hover}[{k}] = {v:.4f}" for k, v in enumerate(values)],
        hovertemplate="%{hovertext}<extra></extra>", showlegend=False))


def _label(fig: Drawing, text: str, x: float, y: float, style: PlotStyle, anchor: str = "center",
           colour: str = "#222", scale: float = 0.85) -> None:
    fig.add_annotation(x=x, y=y, text=text, showarrow=False, xanchor=anchor,
                       font=dict(size=round(style.font_size * scale), color=colour))


def _arrow(fig: Drawing, start: tuple[float, float], end: tuple[float, float], style: PlotStyle,
           dash: str | None = None, colour: str = ARROW) -> None:
    fig.add_annotation(x=end[0], y=end[1], ax=start[0], ay=start[1], xref="x", yref="y", axref="x", ayref="y",
                       text="", showarrow=True, arrowhead=2, arrowsize=1.2, arrowwidth=style.line_width * 0.7,
                       arrowcolor=colour, standoff=2, startstandoff=2)
    if dash:  # plotly's arrows are solid; a dashed line under a short arrow head
        fig.add_shape(type="line", x0=start[0], y0=start[1], x1=end[0], y1=end[1],
                      line=dict(color=colour, width=style.line_width * 0.7, dash=dash))


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
    fig.add_shape(type="path", line=dict(color=ARROW, width=style.line_width * 0.7, dash="dot"),
                  path=f"M {right + H * W + 0.1},{h_new} L {loop_x},{h_new} L {loop_x},{bottom} "
                       f"L -0.9,{bottom} L -0.9,{h_prev} L -0.3,{h_prev}")
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
    fig.add_shape(type="rect", x0=current * pitch - 0.6, x1=current * pitch + 1.6 + (1.6 if lstm else 0),
                  y0=-1.6, y1=L * height + (1.8 if outputs is not None else 0.4), line=dict(width=0),
                  fillcolor=CURRENT, layer="below")
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
                fig.add_shape(type="path", path=f"M {a},{y - H} L {a},{y - H - 0.4} L {b},{y - H - 0.4}",
                              line=dict(color=ARROW, width=style.line_width * 0.7))
                _arrow(fig, (b, y - H - 0.4), (b, y - H), style)
                a, b = x + 2.1, x + pitch + 2.1
                fig.add_shape(type="path", path=f"M {a},{y} L {a},{y + 0.4} L {b},{y + 0.4}",
                              line=dict(color=CELL_STATE, width=style.line_width * 0.7))
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
