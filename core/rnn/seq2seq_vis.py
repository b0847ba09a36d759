"""Seq2Seq-Vis's views of a translation as plotly figures: the attention between German and English words, where one
English word looked, the German words the encoder holds nearest, and the beam search tree. Pure functions of a
`core.rnn.translation.Translation`; every figure takes a PlotStyle, so projector mode reaches it."""
import html

import numpy as np
import plotly.graph_objects as go

from core.plots import PlotStyle, layout
from core.rnn.translation import Node, Translation

UNKNOWN = "<unk>"
MARK = "#D55E00"  # Okabe-Ito vermillion: unknown words, in both palettes
GREY = "#9a9a9a"
SHOWN_VALUE = 0.1  # attention weights at least this large are written in their cell


def shown(token: str) -> str:
    """A token as plotly may print it: its HTML escaped ("<unk>" stays visible), never empty."""
    return html.escape(token) if token else "∅"


def source_labels(tr: Translation, bold: frozenset[int] = frozenset()) -> list[str]:
    """The German words as typed, one tick label each; unknown words in colour with a '?', `bold` positions bold."""
    labels = []
    for i, (word, seen) in enumerate(zip(tr.words, tr.source)):
        text = shown(word)
        if seen == UNKNOWN:
            text = f"<span style='color:{MARK}'>{text}?</span>"
        labels.append(f"<b>{text}</b>" if i in bold else text)
    return labels


def _empty(style: PlotStyle, message: str, title: str | None, height: int = 200) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font=dict(size=style.font_size, color="#666"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, style, title, height=height)


def attention_map(tr: Translation, style: PlotStyle, title: str | None = None,
                  bold: frozenset[int] = frozenset(), compact: bool = False) -> go.Figure:
    """Seq2Seq-Vis's attention matrix: German words across the top, English words down the side, each cell how
    much that English word looked at that German word (each row sums to 1). Weights of 0.1 and more are written in
    their cells. Axes are positions, labelled with the words, so a word that occurs twice keeps two columns.
    `compact` (two maps side by side): smaller labels, no numbers in the cells, no colour bar."""
    attention = np.asarray(tr.attention, dtype=float)
    if not tr.target or attention.size == 0:
        return _empty(style, "No translation to show.", title)
    rows, cols = attention.shape
    target = [shown(t) for t in tr.target]
    words = [shown(w) for w in tr.words[:cols]]
    custom = [[[t, w] for w in words] for t in target]
    text = np.where(attention >= SHOWN_VALUE, np.char.mod("%.2f", attention), "").tolist()
    small = max(10, round(style.font_size * 0.75))
    ticks = max(12, small) if compact else style.font_size
    fig = go.Figure(go.Heatmap(
        z=attention.tolist(), x=list(range(cols)), y=list(range(rows)), zmin=0, zmax=1,
        colorscale=style.sequential,
        customdata=custom, text=None if compact else text, texttemplate=None if compact else "%{text}",
        textfont=dict(size=small), xgap=1, ygap=1, showscale=not compact,
        colorbar=dict(title=dict(text="attention", side="right"), thickness=14, tickfont=dict(size=small)),
        hovertemplate="English “%{customdata[0]}” looked at German “%{customdata[1]}”: %{z:.2f}<extra></extra>"))
    cell = max(24 if compact else 30, round(ticks * 2.1))
    slanted = cols > (4 if compact else 6)
    fig.update_xaxes(tickvals=list(range(cols)), ticktext=source_labels(tr, bold)[:cols], side="top",
                     tickangle=-55 if slanted else 0, title=None, showgrid=False, zeroline=False,
                     tickfont=dict(size=ticks))
    fig.update_yaxes(tickvals=list(range(rows)), ticktext=target, autorange="reversed", title=None, showgrid=False,
                     zeroline=False, tickfont=dict(size=ticks))
    longest = max(len(w) for w in tr.words[:cols]) + 1
    top = (round(longest * ticks * 0.5) if slanted else ticks * 2) + 20  # room for the slanted words
    fig = layout(fig, style, None, height=rows * cell + top)
    fig.update_layout(margin=dict(t=top + (style.font_size * 2 if title else 0)))
    if title:
        fig.update_layout(title=dict(text=title, y=1, yanchor="top", yref="container", pad=dict(t=8)))
    return fig


def word_attention(tr: Translation, row: int, style: PlotStyle, title: str | None = None) -> go.Figure:
    """Where one English word looked: its attention over the German words as bars, the strongest in colour."""
    if not 0 <= row < len(tr.target):
        return _empty(style, "No English word to show.", title)
    weights = np.asarray(tr.attention[row], dtype=float)
    colours = [style.colour(1) if i == int(weights.argmax()) else style.colour(0) for i in range(len(weights))]
    fig = go.Figure(go.Bar(x=list(range(len(weights))), y=weights.tolist(), marker_color=colours,
                           text=[f"{w:.2f}" if w >= 0.05 else "" for w in weights], textposition="outside",
                           cliponaxis=False, constraintext="none",
                           textfont=dict(size=max(10, round(style.font_size * 0.8))),
                           customdata=[shown(w) for w in tr.words],
                           hovertemplate="“%{customdata}”: %{y:.3f}<extra></extra>"))
    many = len(weights) > 16  # a long sentence: smaller words under the bars
    fig.update_xaxes(tickvals=list(range(len(weights))), ticktext=source_labels(tr),
                     tickangle=-55 if len(weights) > 6 else 0,
                     tickfont=dict(size=max(10, round(style.font_size * (0.65 if many else 1)))))
    fig.update_yaxes(range=[0, min(1.0, float(weights.max()) * 1.2 + 0.05)], title="attention")
    return layout(fig, style, title, height=340)


def nearest_words(pairs: list[tuple[str, float]], word: str, style: PlotStyle, title: str | None = None) -> go.Figure:
    """The German words whose encoder embeddings point most the same way as `word`'s: cosine similarity bars,
    the nearest on top."""
    if not pairs:
        return _empty(style, f"“{shown(word)}” has no vector in this model.", title)
    pairs = pairs[::-1]
    fig = go.Figure(go.Bar(x=[s for _, s in pairs], y=list(range(len(pairs))), orientation="h",
                           marker_color=style.colour(0), text=[f"{s:.2f}" for _, s in pairs], textposition="outside",
                           cliponaxis=False, textfont=dict(size=max(10, round(style.font_size * 0.8))),
                           customdata=[shown(w) for w, _ in pairs],
                           hovertemplate="“%{customdata}”: cosine %{x:.3f}<extra></extra>"))
    fig.update_yaxes(tickvals=list(range(len(pairs))), ticktext=[shown(w) for w, _ in pairs])
    top = max(s for _, s in pairs)
    fig.update_xaxes(range=[min(0.0, min(s for _, s in pairs)), max(0.05, top * 1.3)], title="cosine similarity")
    fig.update_traces(constraintext="none")
    return layout(fig, style, title, height=max(240, round(len(pairs) * style.font_size * 2.2) + 80))


def tree_rows(tree: list[Node]) -> dict[int, float]:
    """Each node's height in the drawing: within a step, children in their parents' order (the best child first),
    so no two edges cross; each step centred on the root's height, the first on top."""
    by_step: dict[int, list[Node]] = {}
    for node in tree:
        by_step.setdefault(node.step, []).append(node)
    row: dict[int, float] = {}
    for step in sorted(by_step):
        nodes = sorted(by_step[step], key=lambda n: (-row.get(n.parent, 0.0), -n.score))
        for i, node in enumerate(nodes):
            row[node.id] = (len(nodes) - 1) / 2 - i  # the first on top
    return row


def best_path(tr: Translation) -> list[int]:
    """The node ids from the root to the end of the best beam."""
    if not tr.beams:
        return [0] if tr.tree else []
    path, node = [], tr.beams[0].node
    while node >= 0:
        path.append(node)
        node = tr.tree[node].parent
    return path[::-1]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:max(1, limit - 1)] + "…"


def beam_tree(tr: Translation, style: PlotStyle, title: str | None = None, width: int = 1100) -> go.Figure:
    """The beam search as a tree: one column per step, each hypothesis kept a node labelled with its newest word,
    an edge from the hypothesis it extends. The best translation's path is drawn thick and in colour; finished
    hypotheses (</s>) are squares; hypotheses dropped from the beam are faint. Hovering shows the words so far and
    their cumulative log-probability. Labels are shortened when the steps get too narrow for them (`width`: the
    expected drawing width in pixels)."""
    tree = tr.tree
    if len(tree) <= 1:
        return _empty(style, "No beam search for an empty sentence.", title)
    row = tree_rows(tree)
    path = set(best_path(tr))
    has_child = {n.parent for n in tree}
    steps = max(n.step for n in tree)
    per_step = width / (steps + 1)
    label_size = max(10, round(style.font_size * 0.8))
    limit = int(per_step / (label_size * 0.62))  # characters that fit between two columns

    def words(node: Node) -> str:
        out = []
        while node.parent >= 0:
            out.append(node.token)
            node = tree[node.parent]
        return shown(" ".join(reversed(out))) or "(start)"

    edges: dict[bool, tuple[list, list]] = {False: ([], []), True: ([], [])}
    for node in tree[1:]:
        xs, ys = edges[node.id in path]
        xs += [node.step - 1, node.step, None]
        ys += [row[node.parent], row[node.id], None]
    traces = [go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                         line=dict(color=style.colour(1) if on else "#c4c4c4",
                                   width=style.line_width * (1.8 if on else 0.7)))
              for on, (xs, ys) in edges.items() if xs]
    kinds = {"kept, extended": [], "dropped from the beam": [], "finished (</s>)": [], "best translation": []}
    for node in tree:
        if node.id in path:
            kinds["best translation"].append(node)
        elif node.finished:
            kinds["finished (</s>)"].append(node)
        elif node.id in has_child:
            kinds["kept, extended"].append(node)
        else:
            kinds["dropped from the beam"].append(node)
    looks = {"kept, extended": dict(color="#7a7a7a", symbol="circle", size=0.8, text="#444"),
             "dropped from the beam": dict(color="#c8c8c8", symbol="circle-open", size=0.8, text="#999"),
             "finished (</s>)": dict(color=style.colour(0), symbol="square", size=1.0, text=style.colour(0)),
             "best translation": dict(color=style.colour(1), symbol="circle", size=1.3, text="#111")}
    for name, nodes in kinds.items():
        if not nodes:
            continue
        look = looks[name]
        on_path = name == "best translation"
        labels = [shown(_clip(n.token, limit if not on_path else max(limit, 4))) if (limit >= 2 or on_path) else ""
                  for n in nodes]
        traces.append(go.Scatter(
            x=[n.step for n in nodes], y=[row[n.id] for n in nodes], mode="markers+text", name=shown(name),
            text=labels, textposition="top center",
            textfont=dict(size=label_size + (2 if on_path else 0), color=look["text"]),
            marker=dict(size=style.marker_size * look["size"], color=look["color"], symbol=look["symbol"],
                        line=dict(width=1.5, color=look["color"])),
            customdata=[[words(n), n.score, n.score / max(1, n.step)] for n in nodes],
            hovertemplate="%{customdata[0]}<br>log P = %{customdata[1]:.2f} (%{customdata[2]:.2f} per word)"
                          "<extra></extra>"))
    fig = go.Figure(traces)
    rows = max(np.bincount([n.step for n in tree]))
    spacing = max(44, round(style.font_size * 3.0))
    span = (rows - 1) / 2 + 0.7
    fig.update_xaxes(title="step: words written", dtick=1, range=[-0.6, steps + 0.6], showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False, range=[-span, span + 0.3], autorange=False)
    fig.update_layout(legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left"))
    fig = layout(fig, style, title, height=round((2 * span + 0.3) * spacing) + 2 * style.font_size + 80)
    return fig.update_layout(margin=dict(b=3 * style.font_size + 30))
