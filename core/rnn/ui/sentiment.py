"""Sentiment prediction, the lecture's last application of RNNs: an LSTM or GRU trained here reads a review word by
word and says whether it is positive. Which words swayed it (Integrated Gradients), how its opinion moved as it read,
a pretrained transformer (all-MiniLM-L6-v2) beside it, and what single units of its memory respond to (LSTMVis)."""
import functools
import html
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import sample_colorscale

from core import plots
from core.data.text import movie_snippets
from core.plots import PlotStyle
from core.rnn import sentiment
from core.ui import cache, projector, url_state

NETWORKS = {"LSTM": "sentiment_lstm", "GRU": "sentiment_gru"}
MINILM = "sentiment_minilm"
MAX_CHARS = 100_000  # far more than MAX_TOKENS words: a pasted book is cut here before it is split into words
TOP_WORDS = 8  # words shown at each end of a unit's favourites
PRESETS = {  # key in the URL: (label, text)
    "crichton": ("The lecture's review (Crichton)", sentiment.CRICHTON),
    "positive": ("A clearly positive line", "A warm, funny and beautifully acted film: one of the best of the year."),
    "negative": ("A clearly negative line", "Dull, lifeless and far too long: a waste of a fine cast."),
    "negation": ("A negation: “Not bad at all.”", "Not bad at all."),
    "german": ("The wrong language (German)", "Das Buch ist wirklich sehr gut, aber der Film ist schrecklich."),
    "own": ("Your own text", ""),
}
ATTACH_BEFORE = set(".,!?;:%)]}”’…")  # no space before these marks
ATTACH_AFTER = set("([{“‘$")  # nor after these
CLITICS = {"s", "t", "re", "ve", "ll", "d", "m"}  # MiniLM reads "can't" as can ' t: shown together again
TOKEN_CSS = "padding:0.1em 0.06em;border-radius:0.2em;unicode-bidi:isolate"  # isolate: a typed RTL mark stays put
UNKNOWN_CSS = "border-bottom:0.14em dashed #888;color:#666;font-style:italic;"
UNIT_SCALE = "PiYG"  # a unit's activation, −1 (pink) … +1 (green): colour-blind safe, unlike the sentiment colours


@dataclass(frozen=True)
class Units:
    """What each unit of a network's hidden state responds to, over the training snippets."""
    words: list[str]
    means: np.ndarray  # (words, hidden) each unit's mean activation on each word
    votes: np.ndarray  # (hidden,) how far each unit pushes the prediction towards positive
    ends: np.ndarray  # (hidden, 2) share of positive snippets among the words turning it most on, most off
    default: int  # the unit shown first: a strong voter that follows sentiment


# Cached work: shared by all sessions, keyed by model name and text.

@st.cache_data(max_entries=128, show_spinner=False)
def _explained(name: str, text: str, max_tokens: int, _net) -> sentiment.Reading:
    return sentiment.explain(_net, text, max_tokens=max_tokens)


@st.cache_resource(max_entries=4, show_spinner="Reading the training snippets to see what each unit responds to…")
def _units(name: str, _net) -> Units:
    texts, labels = movie_snippets("train")
    words, means = sentiment.word_activations(_net, texts)
    votes = sentiment.unit_votes(_net)
    ends = sentiment.end_positivity(means, sentiment.word_positivity(words, texts, labels), TOP_WORDS)
    return Units(words, means, votes, ends, sentiment.sentiment_unit(votes, ends))


# Colours and the coloured text.

@functools.cache
def _table(scale: str) -> tuple[str, ...]:
    """201 colours along a plotly colour scale: looked up, not sampled again for every word."""
    return tuple(sample_colorscale(scale, list(np.linspace(0, 1, 201))))


def _colour(scale: str, position: float) -> str:
    return _table(scale)[round(float(np.clip(np.nan_to_num(position, nan=0.5), 0, 1)) * 200)]


def _signed(style: PlotStyle, value: float) -> str:
    """A signed value in [-1, 1] on the diverging scale, its darkest ends left out so text stays readable."""
    return _colour(style.diverging, 0.5 + 0.42 * value)


def _activation(value: float) -> str:
    """A unit's activation in [-1, 1] on the unit scale."""
    return _colour(UNIT_SCALE, 0.5 + 0.45 * value)


def _ink(background: str) -> str:
    """Black or white text, whichever reads better on the background."""
    r, g, b = (float(c) for c in background[background.index("(") + 1:-1].split(",")[:3])
    return "#111" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#fff"


def _entities(text: str) -> str:
    """Text safe inside HTML and Markdown alike: every mark (< > & * _ $ ` …) written as a character reference."""
    return "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in text)


def _spaces(tokens: list[str]) -> list[bool]:
    """Whether a space goes before each token, so the text reads as written: none before a full stop or a word
    piece (##ing), none after an opening bracket, none around a hyphen (fast-paced), the point of a number (99.8)
    or the apostrophe of MiniLM's can ' t."""
    out = []
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        before = tokens[i - 2] if i > 1 else ""
        out.append(bool(i) and not (tok.startswith("##") or tok in ATTACH_BEFORE or tok == "-" or prev == "-"
                                    or prev in ATTACH_AFTER or (prev == "." and tok.isdigit() and before.isdigit())
                                    or (tok == "'" and nxt in CLITICS) or (prev == "'" and tok in CLITICS)))
    return out


def _text_html(tokens: list[str], known: list[bool], backgrounds: list[str | None], tips: list[str],
               style: PlotStyle, unknown_css: str = UNKNOWN_CSS) -> str:
    """The tokens as coloured spans, unknown ones underlined with dashes; every token escaped, so typed HTML shows
    as text. One line with no blank lines: Markdown leaves an HTML block alone."""
    parts = []
    for tok, ok, bg, tip, space in zip(tokens, known, backgrounds, tips, _spaces(tokens)):
        shown = tok[2:] if tok.startswith("##") and len(tok) > 2 else tok
        css = ("" if ok else unknown_css) + (f"background:{bg};color:{_ink(bg)};" if bg else "")
        parts.append(f'{" " if space else ""}<span class="sent-token{"" if ok else " sent-unknown"}" '
                     f'title="{_entities(tip)}" style="{css}{TOKEN_CSS}">'
                     f"{_entities(shown)}</span>")
    return (f'<div class="sent-text" style="font-size:{round(style.font_size * 1.15)}px;line-height:2.0;'
            f'margin:0.3em 0 0.6em 0">{"".join(parts)}</div>')


def _contributions_html(reading: sentiment.Reading, style: PlotStyle) -> str:
    """Each token coloured by its share of the prediction (scaled to the text's largest share)."""
    shares = reading.attributions
    top = max(float(np.abs(shares).max()) if len(shares) else 0.0, 1e-6)
    tips = [f"{share:+.3f} to P(positive)" if ok else "not in the vocabulary: read as unknown, contributes nothing"
            for share, ok in zip(shares, reading.known)]
    backgrounds = [_signed(style, share / top) if ok else None for share, ok in zip(shares, reading.known)]
    return _text_html(reading.tokens, reading.known, backgrounds, tips, style)


def _legend_html(style: PlotStyle) -> str:
    swatch = "padding:0.08em 0.4em;border-radius:0.25em;white-space:nowrap;"
    neg, pos = _signed(style, -0.8), _signed(style, 0.8)
    return (f'<div style="font-size:{round(style.font_size * 0.95)}px;line-height:2.0">Colour = how much a word moved '
            f'the prediction: <span style="{swatch}background:{neg};color:{_ink(neg)}">towards negative</span> '
            f'<span style="{swatch}background:{pos};color:{_ink(pos)}">towards positive</span> '
            f'<span style="{swatch}{UNKNOWN_CSS}">unknown word</span> (not in the vocabulary, read as '
            "&#60;unk&#62;). Hover a word for its share.</div>")


# The parts of the section.

INTRO = ("RNNs find patterns in a **sequence**. Here the sequence is a review, read **word by word**: after each word "
         "the network updates its state, which carries what it has read so far, and after the last word it says "
         "whether the review is **positive** or **negative**. The lecture's example, a review of the film of "
         "Crichton's *Congo*, praises the book at length before it damns the film: the network has to keep track "
         "of what matters across a long sequence.")


def _preset_chosen() -> None:
    preset = st.session_state["sent_preset"]
    if preset != "own":
        st.session_state["sent_text"] = PRESETS[preset][1]


def _text_typed() -> None:
    if st.session_state["sent_text"] != PRESETS[st.session_state["sent_preset"]][1]:
        st.session_state["sent_preset"] = "own"


def _controls() -> tuple[str, str, bool]:
    """The review (an example or the user's), the recurrent network, and whether MiniLM reads it too."""
    typed = st.query_params.get("sent_text")  # a link with a text but no example: it is the user's own
    start = "crichton" if typed is None else next((k for k, (_, t) in PRESETS.items() if t == typed), "own")
    left, middle, right = st.columns([3, 2, 3], vertical_alignment="bottom")
    with left:
        preset = url_state.choice(st.selectbox, "Example", list(PRESETS), start, key="sent_preset",
                                  format_func=lambda k: PRESETS[k][0], on_change=_preset_chosen)
    with middle:
        arch = url_state.choice(st.segmented_control, "Recurrent network", list(NETWORKS), key="sent_model")
    with right:
        compare = url_state.toggle("Compare with MiniLM", True, key="sent_minilm",
                                   help="all-MiniLM-L6-v2, a pretrained transformer, with a classifier head trained "
                                        "on the same snippets. Explaining it takes a few seconds.")
    text = url_state.text(st.text_area, "Review", PRESETS[preset][1], key="sent_text", height=150,
                          on_change=_text_typed, placeholder="Type or paste a review…")
    return text or "", arch, compare


def _verdict(label: str, p: float, style: PlotStyle, help: str) -> None:
    towards = "positive" if p > 0.5 else "negative"
    colour = ("violet" if towards == "positive" else "orange") if style.diverging == "PuOr" else \
             ("blue" if towards == "positive" else "red")
    st.metric(label, f"{p:.0%}", delta=towards, delta_color=colour, delta_arrow="up" if p > 0.5 else "down",
              help=help)


def _rnn_card(arch: str, reading: sentiment.Reading, style: PlotStyle) -> None:
    with st.container(border=True):
        st.markdown(f"**{arch}**, trained here on the snippets, reads the review word by word")
        _verdict(f"{arch}: P(positive)", reading.positive, style,
                 "The network's probability that the review is positive, from its state after the last word.")
        st.markdown(_contributions_html(reading, style), unsafe_allow_html=True)


def _minilm_card(text: str, style: PlotStyle) -> None:
    with st.container(border=True):
        st.markdown("**all-MiniLM-L6-v2**, a pretrained transformer, reads all its word pieces at once")
        try:
            net = cache.model(MINILM)
        except (ImportError, OSError) as e:  # its pretrained weights come from a package that may be missing
            st.info(f"MiniLM is not available here: {e}", icon=":material/extension_off:")
            return
        if net is None:
            return
        with st.spinner("MiniLM is weighing each word piece (Integrated Gradients: a few seconds)…"):
            whole = _explained(MINILM, text, sentiment.MAX_TOKENS, net)
        if not whole.tokens:
            st.info("MiniLM finds no word pieces in this text to read.", icon=":material/info:")
            return
        _verdict("MiniLM: P(positive)", whole.positive, style,
                 "The transformer's probability that the review is positive, from the mean of its token vectors.")
        st.markdown(_contributions_html(whole, style), unsafe_allow_html=True)
        steps = sentiment.minilm_steps(len(whole.tokens) + 2)
        notes = [(f"Each of the {len(whole.tokens):,} word pieces is coloured by Integrated Gradients with {steps} "
                  "points on the path (fewer for a longer text, so a whole review takes a few seconds at most).")]
        if whole.truncated:
            notes.append(f"MiniLM reads the first {len(whole.tokens):,} of {whole.total:,} word pieces.")
        unknown = len(whole.known) - sum(whole.known)
        if unknown:
            notes.append(f"{unknown} of {len(whole.tokens)} word pieces are unknown to MiniLM and were read as "
                         "[UNK].")
        for note in notes:
            st.caption(f":material/info: {note}")


def _accuracies() -> None:
    st.markdown("**Measured accuracy** on the 1,057 held-out test snippets, never used in training or to pick "
                "the weights:")
    for column, (label, name) in zip(st.columns(3), [*NETWORKS.items(), ("MiniLM + trained head", MINILM)]):
        accuracy = cache.metrics(name).get("test_accuracy")
        column.metric(label, "—" if accuracy is None else f"{accuracy:.1%}", border=True,
                      help=f"Checkpoint `{name}`: the share of test snippets whose side it gets right.")


def _running_chart(arch: str, reading: sentiment.Reading, style: PlotStyle) -> go.Figure:
    """P(positive) after each word, the words along the x axis."""
    n = len(reading.tokens)
    x = np.arange(1, n + 1)
    shown = [html.escape(t) + ("" if ok else " (unknown)") for t, ok in zip(reading.tokens, reading.known)]
    fig = go.Figure()
    fig.add_hrect(y0=0.5, y1=1, fillcolor=_signed(style, 0.8), opacity=0.08, line_width=0)
    fig.add_hrect(y0=0, y1=0.5, fillcolor=_signed(style, -0.8), opacity=0.08, line_width=0)
    fig.add_hline(y=0.5, line_dash="dot", line_color="#888")
    fig.add_trace(go.Scatter(
        x=x, y=reading.running, mode="lines+markers", customdata=shown, showlegend=False,
        line=dict(color="#777", width=style.line_width * 0.7),
        marker=dict(size=style.marker_size, color=reading.running, cmin=0, cmax=1, line=dict(width=0.5, color="#444"),
                    colorscale=[[i / 10, _signed(style, i / 5 - 1)] for i in range(11)]),
        hovertemplate="after word %{x}, “%{customdata}”: P(positive) %{y:.0%}<extra></extra>"))
    every = max(1, -(-n // (30 if style.font_size > 16 else 60)))
    ticks = sorted({*range(n, 0, -every)})  # the last word always labelled
    fig.update_xaxes(tickvals=ticks, ticktext=[html.escape(reading.tokens[i - 1]) for i in ticks],
                     tickangle=-60 if n > 12 else 0, range=[0.5, n + 0.5], title=None,
                     tickfont=dict(size=round(style.font_size * 0.85)))
    fig.update_yaxes(range=[0, 1], tickformat=".0%", title="P(positive)")
    title = f"The {arch}'s opinion as it reads: P(positive) after each word"
    return plots.layout(fig, style, title, height=360)


def _units_section(arch: str, net, reading: sentiment.Reading, style: PlotStyle) -> None:
    st.subheader("What the units learned")
    st.markdown(f"The {arch}'s memory is its hidden state: {net.cfg.hidden} numbers, the **units**, each between −1 "
                "and 1. As in LSTMVis (Strobelt et al. 2017), follow one unit as the network reads, and see which "
                "words of the training snippets excite it most. Some units have become **sentiment units**: on for "
                "praise, off for scorn (or the reverse), and the prediction listens to them closely.")
    units = _units(NETWORKS[arch], net)
    if st.session_state.get("sent_unit_of", arch) != arch:  # another network: its own sentiment unit first
        st.session_state.pop("sent_unit", None)
    st.session_state["sent_unit_of"] = arch
    order = np.argsort(-units.votes)
    unit = url_state.slider("Hidden unit", 0, net.cfg.hidden - 1, units.default, key="sent_unit",
                            help=f"Unit {units.default} is shown first: it pushes the prediction hard and follows "
                                 "the words' sentiment. Strongest pushes towards positive: units "
                                 + ", ".join(map(str, order[:5])) + "; towards negative: "
                                 + ", ".join(map(str, order[::-1][:5])) + ".")
    vote, (on, off) = float(units.votes[unit]), units.ends[unit]
    rank = int(np.sum(np.abs(units.votes) > abs(vote))) + 1
    weight = f"{vote:+.2f}".replace("-", "−")
    pushes = ("barely moves the final prediction" if abs(vote) < 0.02 else
              f"pushes the final prediction towards **{'positive' if vote > 0 else 'negative'}** when it is on")
    st.markdown(f"Unit **{unit}** {pushes} (head weight {weight}, the {_ordinal(rank)} strongest push of "
                f"{net.cfg.hidden}). "
                f"The {TOP_WORDS} words that turn it on most stand in positive training snippets {on:.0%} of the "
                f"time; the {TOP_WORDS} that turn it off most, {off:.0%}.")
    left, right = st.columns([1, 1] if style.font_size > 16 else [3, 2], gap="large")
    with left:
        values = reading.states[:, unit]
        backgrounds = [_activation(v) for v in values]
        tips = [f"unit {unit}: {v:+.2f}" + ("" if ok else " (unknown word)") for v, ok in zip(values, reading.known)]
        st.markdown(f"**Unit {unit} as the {arch} reads this review**")
        st.markdown(_text_html(reading.tokens, reading.known, backgrounds, tips, style,
                               unknown_css="border-bottom:0.14em dashed #888;"), unsafe_allow_html=True)
        st.markdown(_scale_html(style), unsafe_allow_html=True)
    with right:
        projector.chart(_favourites_chart(units, unit, style), key="sent_favourites")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _scale_html(style: PlotStyle) -> str:
    """The legend of a unit's colours: a gradient from −1 to +1."""
    stops = ", ".join(_activation(i / 4 - 1) for i in range(9))
    return (f'<div style="display:flex;align-items:center;gap:0.5em;font-size:{round(style.font_size * 0.95)}px">'
            f'<span>off −1</span><span style="flex:0 1 14em;height:0.9em;border-radius:0.2em;'
            f'background:linear-gradient(to right, {stops})"></span><span>+1 on</span></div>')


def _favourites_chart(units: Units, unit: int, style: PlotStyle) -> go.Figure:
    """The words on which the unit is most on and most off, on average over the training snippets."""
    high = sentiment.top_words(units.words, units.means, unit, TOP_WORDS)
    low = sentiment.top_words(units.words, units.means, unit, TOP_WORDS, lowest=True)[::-1]
    words, values = zip(*(high + low))
    fig = go.Figure(go.Bar(
        x=values, y=[html.escape(w) for w in words], orientation="h",
        marker_color=[_activation(v) for v in values], marker_line=dict(width=0.5, color="#444"),
        hovertemplate="“%{y}”: mean activation %{x:+.2f}<extra></extra>"))
    fig.add_vline(x=0, line_color="#888")
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=round(style.font_size * 0.9)))
    fig.update_xaxes(range=[-1, 1], title="mean activation")
    per_bar = 34 if style.font_size > 16 else 24
    return plots.layout(fig, style, f"What turns unit {unit} on, and off", height=per_bar * len(words) + 90)


def _how_it_works(net) -> None:
    with st.expander("How this works"):
        st.markdown(
            f"- **The recurrent networks**: each word becomes a vector of {net.cfg.embed} numbers, one "
            f"{net.cfg.cell.upper()} layer of {net.cfg.hidden} units reads them left to right, and a linear layer "
            "turns the state after the last word into P(positive). The same layer applied after *every* word gives "
            "the opinion as it reads.\n"
            f"- **Vocabulary**: the {len(net.words) - 2:,} words seen at least twice in the training snippets; any "
            "other word is read as *unknown* (&lt;unk&gt;). Words are lower-cased; punctuation and emoji are tokens "
            f"of their own; HTML tags are taken out. Texts longer than {sentiment.MAX_TOKENS} tokens are cut.\n"
            "- **Word contributions**: Integrated Gradients (Captum's LayerIntegratedGradients on the word "
            "embeddings), from the same text with every word unknown to the text itself. The contributions add "
            "up to P(positive) minus P(positive) of that all-unknown text.\n"
            "- **MiniLM**: all-MiniLM-L6-v2 (6 transformer layers, pretrained on a billion sentence pairs), its top "
            "2 layers fine-tuned and a linear head trained on the same snippets and on reviews of 2 to 8 of them "
            "(labelled by their mean rating), since it averages over the whole text. It reads *word pieces* "
            f"(Crichton → cr ##ich ##ton); its contributions are Integrated Gradients over every piece, with fewer path points for a "
            "longer text (32 for a snippet, 11 for the lecture's review) so that a review takes no longer than a snippet.\n"
            f"- **Data**: {sentiment.DATA}. Results are kept, so a text read once comes back at once.")


def section() -> None:
    st.subheader("Applications: sentiment prediction")
    st.markdown(INTRO)
    style = projector.style()
    text, arch, compare = _controls()
    net = cache.model(NETWORKS[arch])
    if net is None:
        return
    if len(text) > MAX_CHARS:
        st.warning(f"The text was cut at {MAX_CHARS:,} of its {len(text):,} characters before reading.",
                   icon=":material/content_cut:")
        text = text[:MAX_CHARS]
    with st.spinner(f"The {arch} is reading the review…"):
        reading = _explained(NETWORKS[arch], text, sentiment.MAX_TOKENS, net)
    tags = len(sentiment.TAG.findall(text))
    if tags:
        st.info(f"{tags} HTML tag{'s were' if tags > 1 else ' was'} taken out before reading: the networks read "
                "only the text, and it is shown below as plain text.", icon=":material/code_off:")
    if not reading.tokens:
        st.info(reading.notes[0], icon=":material/edit_note:")
        _accuracies()
        return
    for note in reading.notes:
        truncated, unknown = note.startswith("Only the first"), "not in the vocabulary" in note
        (st.warning if truncated else st.info)(
            note + (" The networks learnt from one-sentence snippets of about 20 words." if truncated else "")
            + (" They are underlined with dashes below." if unknown else ""),
            icon=":material/content_cut:" if truncated else ":material/info:")
    left, right = st.columns(2, gap="medium") if compare else (st.container(), None)
    with left:
        _rnn_card(arch, reading, style)
    st.markdown(_legend_html(style), unsafe_allow_html=True)
    _accuracies()
    projector.chart(_running_chart(arch, reading, style), key="sent_running")
    st.caption("The same final layer read after every word: where the line crosses 50%, the network changes its "
               "mind. Hover a point for the word.")
    _units_section(arch, net, reading, style)
    _how_it_works(net)
    if right is not None:  # last, so the LSTM's part of the page is there while the transformer works
        with right:
            _minilm_card(text, style)
