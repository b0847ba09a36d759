"""The recurrence, step by step: a sentence read word by word by a simple RNN, an LSTM or a GRU (one layer or a
stack), every sum of the current step drawn as on the slide, and the network unrolled over the sentence."""
import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.plots import PlotStyle
from core.rnn import recurrence, recurrence_picture
from core.ui import presenter, projector, url_state

DIM, HIDDEN, OUTPUTS = 4, 3, 3  # small enough to redo the sums by hand
MAX_WORDS = 16  # longer sentences are cut here: the unrolled graph stays readable
EQUATIONS = {
    "RNN": [r"h_t = \tanh(W_{ih}\,x_t + b_{ih} + W_{hh}\,h_{t-1} + b_{hh})"],
    "LSTM": [r"i_t = \sigma(W_{ii}x_t + b_{ii} + W_{hi}h_{t-1} + b_{hi}) \quad f_t = \sigma(W_{if}x_t + b_{if} + "
             r"W_{hf}h_{t-1} + b_{hf})",
             r"g_t = \tanh(W_{ig}x_t + b_{ig} + W_{hg}h_{t-1} + b_{hg}) \quad o_t = \sigma(W_{io}x_t + b_{io} + "
             r"W_{ho}h_{t-1} + b_{ho})",
             r"c_t = f_t \odot c_{t-1} + i_t \odot g_t \qquad h_t = o_t \odot \tanh(c_t)"],
    "GRU": [r"r_t = \sigma(W_{ir}x_t + b_{ir} + W_{hr}h_{t-1} + b_{hr}) \quad z_t = \sigma(W_{iz}x_t + b_{iz} + "
            r"W_{hz}h_{t-1} + b_{hz})",
            r"n_t = \tanh(W_{in}x_t + b_{in} + r_t \odot (W_{hn}h_{t-1} + b_{hn})) \qquad "
            r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}"],
}
COMBINE = {"RNN": "The squashed sum is the new state h_t.",
           "LSTM": "Then the new cell c_t = f ⊙ c_t−1 + i ⊙ g and the new state h_t = o ⊙ tanh(c_t) (⊙: number by "
                   "number).",
           "GRU": "Then the new state h_t = (1 − z) ⊙ n + z ⊙ h_t−1 (⊙: number by number)."}
WHAT = {
    "RNN": "one set of weights scales the word, another the delayed state; the two are added and squashed by tanh. "
           "Whatever the network should remember has to survive being multiplied again at every word.",
    "LSTM": "a separate **cell state** c runs along the sentence; the **forget gate** f decides how much of it to "
            "keep, the **input gate** i how much of the candidate g to write, the **output gate** o how much to "
            "show as h. Gates are σ: 0 closes, 1 opens.",
    "GRU": "the **update gate** z mixes the old state with a candidate n (z = 1 keeps the old state untouched); "
           "the **reset gate** r decides how much of the past the candidate may use. Fewer gates than the LSTM, "
           "no separate cell.",
}


def _move(by: int, last: int) -> None:
    st.session_state["rec_step"] = int(np.clip(st.session_state.get("rec_step", 1) + by, 1, last))


def _stepper(last: int) -> int:
    """Back, a slider over the words and Step: the word being read (1 to `last`). One word is one step, said in
    their place."""
    if last == 1:
        st.caption("One word, so one step: nothing to step through. Type a few more words to read a sentence.")
        return 1
    if "rec_step" in st.session_state:  # set anew: another sentence is another slider, which would start at 1
        st.session_state["rec_step"] = min(st.session_state["rec_step"], last)
    back, slider, forward = st.columns([1.5, 7, 1.5], vertical_alignment="bottom")
    with back:
        st.button("Back", icon=":material/skip_previous:", on_click=_move, args=(-1, last), key="rec_back",
                  width="stretch")
    with slider:
        t = url_state.slider("Word", 1, last, 1, key="rec_step", format="%d",
                             help="Which word the network is reading; its state so far comes from the words before.")
    with forward:
        st.button("Step", icon=":material/skip_next:", on_click=_move, args=(1, last), key="rec_forward",
                  width="stretch")
    return t


def _weights(cell: recurrence.Cell) -> None:
    """Each gate's rows of W_ih and W_hh and its biases, as tables a student can redo the sums with."""
    gates = recurrence.GATES[cell.kind]
    for g, name in enumerate(gates):
        rows = slice(g * HIDDEN, (g + 1) * HIDDEN)
        table = pd.DataFrame(np.hstack([cell.weight_ih[rows], cell.weight_hh[rows], cell.bias_ih[rows, None],
                                        cell.bias_hh[rows, None]]),
                             columns=[f"W_ih·x[{k}]" for k in range(cell.input_size)]
                             + [f"W_hh·h[{k}]" for k in range(HIDDEN)] + ["b_ih", "b_hh"],
                             index=[f"{name}[{k}]" for k in range(HIDDEN)])
        st.caption(recurrence.GATE_NAMES[name] if cell.kind != "RNN" else "the state")
        st.dataframe(table, width="stretch")


@st.cache_resource(max_entries=64, show_spinner=False)
def read(kind: str, depth: int, tokens: tuple[str, ...]) -> tuple[list[recurrence.Cell], list]:
    """The cells (random weights, the same every time) and every layer's steps over the words."""
    cells = recurrence.random_stack(kind, DIM, HIDDEN, depth)
    readout = recurrence.random_readout(HIDDEN, OUTPUTS)
    return cells, recurrence.unroll_stack(cells, recurrence.embed(list(tokens), DIM), readout=readout)


# The pictures are kept per server and shared, never changed once built (st.cache_resource; st.cache_data would
# unpickle a copy of hundreds of squares on every rerun): a lecture's stop appears at once the second time.

@st.cache_resource(max_entries=32, show_spinner=False)
def unrolled_picture(kind: str, depth: int, tokens: tuple[str, ...], current: int, style: PlotStyle) -> go.Figure:
    """The network unrolled over the sentence, the current word shaded."""
    layers = read(kind, depth, tokens)[1]
    return recurrence_picture.unrolled_figure(layers, [html.escape(w) for w in tokens], current, style,
                                              outputs=np.stack([s.output for s in layers[-1]]))


@st.cache_resource(max_entries=64, show_spinner=False)
def step_picture(kind: str, depth: int, tokens: tuple[str, ...], current: int, layer: int, style: PlotStyle
                 ) -> go.Figure:
    """One step of one layer's cell: the current word read, with the output if it is the top layer."""
    here = read(kind, depth, tokens)[1][layer][current]
    return recurrence_picture.cell_figure(here, kind, html.escape(tokens[current]), style,
                                          output=here.output if layer == depth - 1 else None)


def section() -> None:
    st.markdown("CNNs find patterns in a grid of numbers; **RNNs find patterns in a sequence**: the words of a "
                "sentence, the characters of a word, sound pressure over time.")
    if answer := presenter.answer():  # across regions of what? which word says kitchen? the notes' questions
        with answer:
            st.markdown("A CNN shares its weights across the regions of an image; an RNN shares them across the "
                        "**positions of the sequence**: the same cell reads every word, and hands what it has read "
                        "so far, its **state**, to the next step. *“I am hungry, so I will go to the kitchen”* and "
                        "*“I will go to the kitchen, because I am hungry”*: the word that tells you it's a kitchen "
                        "can come anywhere.")
    left, middle, right = st.columns([4, 2, 1.4], vertical_alignment="bottom")
    with left:
        text = url_state.text(st.text_input, "A sentence to read", recurrence.SENTENCES[0], key="rec_text")
    with middle:
        kind = url_state.choice(st.segmented_control, "Cell", list(recurrence.GATES), key="rec_cell")
    with right:
        depth = url_state.choice(st.selectbox, "Layers", [1, 2, 3], key="rec_layers",
                                 help="A deep RNN stacks cells: each layer keeps its own state and reads the states "
                                      "of the layer below.")
    tokens = recurrence.tokenise(text)
    if not tokens:
        st.info("Type a sentence (a few words) to see it read word by word.", icon=":material/edit:")
        return
    if len(tokens) > MAX_WORDS:
        st.warning(f"Only the first {MAX_WORDS} of its {len(tokens)} words and marks are read, so that the unrolled "
                   "network stays readable.", icon=":material/content_cut:")
        tokens = tokens[:MAX_WORDS]
    t = _stepper(len(tokens))
    cells = read(kind, depth, tuple(tokens))[0]
    style = projector.style()
    word = tokens[t - 1]
    shown = 0 if depth == 1 else url_state.choice(
        st.segmented_control, "Layer shown", list(range(depth)), key="rec_layer_shown",
        format_func=lambda l: f"layer {l + 1}") or 0
    st.subheader(f"Step {t}: reading “{word}”" + (f", layer {shown + 1}" if depth > 1 else ""))
    projector.chart(step_picture(kind, depth, tuple(tokens), t - 1, shown, style), key="rec_cell_picture")
    st.caption(f"Weights in three places: W_ih scales the word (*from x_t*), W_hh the delayed state (*from h_t−1*), "
               f"and W_ho reads the output o_t = softmax(W_ho h_t + b_o) from the new state. {COMBINE[kind]} "
               f"Colours: {recurrence_picture.colours(style)}; hover a square for its exact value.")
    st.markdown(f"**{kind}**: {WHAT[kind]}" + ("" if shown == 0 else " This layer's input x_t is the state of the "
                                                                      "layer below at the same word."))
    st.subheader("Unrolled over the sentence")
    st.caption("The same cell at every word (same weights). Each column is the state after that word"
               + (", one per layer" if depth > 1 else "")
               + ("; beside each state h, the cell state c, carried along by the green arrows" if kind == "LSTM"
                  else "") + f". Colours: {recurrence_picture.colours(style)}. The shaded column is the word above.")
    projector.chart(unrolled_picture(kind, depth, tuple(tokens), t - 1, style), key="rec_unrolled")
    with st.expander("The equations, and the weights to redo the sums by hand"):
        for line in EQUATIONS[kind]:
            st.latex(line)
        st.caption(f"Word vectors x_t have {DIM} numbers (the same word always gets the same vector), states "
                   f"{HIDDEN}. The weights are random numbers with one decimal: a trained network has learned "
                   "them, the arithmetic is the same. These cells are the project's own code, checked against "
                   "torch's RNNCell, LSTMCell and GRUCell in its tests.")
        _weights(cells[shown])
