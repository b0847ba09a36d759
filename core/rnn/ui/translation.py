"""What do RNNs learn? Seq2Seq-Vis on the shipped German → English translator: the words the encoder reads, the
attention of every English word over the German ones, one word's attention and the encoder's nearest words, the
beam search tree, the *change* and *pivot* interventions, two sentences compared (and swapped), and a pretrained
MarianMT beside it, downloaded once on request where the model hub answers."""
import html
import re

import numpy as np
import streamlit as st

from core import checkpoints
from core.models.seq2seq import SPECIALS, UNK
from core.rnn import seq2seq_vis, translation
from core.rnn.translation import MAX_SOURCE_CHARS, MAX_SOURCE_WORDS, PRESET, Translation
from core.ui import cache, projector, url_state

COMPARE = "die kürzesten reisen fangen an , wenn es auf den straßen hell wird ."  # the preset, its words reversed
UNKNOWN = SPECIALS[UNK]
NEAREST = 8
BEAM = 5
FULL_WIDTH, HALF_WIDTH = 1150, 560  # about how wide a chart is drawn, in pixels: the tree fits its labels to it


@st.cache_data(max_entries=256, show_spinner=False)
def _translate(checkpoint: str, german: str, beam: int, _model, prefix: tuple[int, ...] = (),
               pin: tuple[int, tuple[int, ...]] | None = None) -> Translation:
    """translate() once per checkpoint, text, beam size and intervention: the beam slider and a text typed again
    are instant."""
    return translation.translate(_model, german, beam, prefix=prefix, pin=pin)


@st.cache_data(max_entries=256, show_spinner=False)
def _next(checkpoint: str, german: str, prefix: tuple[int, ...], _model) -> list[tuple[int, float]]:
    return translation.next_words(_model, german, prefix, NEAREST)


@st.cache_data(max_entries=256, show_spinner=False)
def _nearest(checkpoint: str, word: str, _model) -> list[tuple[str, float]]:
    return translation.nearest_source_words(_model, word, NEAREST)


@st.cache_resource(max_entries=2, show_spinner="Looking for MarianMT on this computer…")
def _marian(source: str) -> tuple | str:
    """Marian's model and tokenizer, or the reason there is none (kept too, so the page does not look again on every
    run; "Look again" clears it)."""
    try:
        return translation.load_marian(source)
    except translation.MarianUnavailable as e:
        return str(e)
    except Exception as e:  # transformers missing or broken: still a reason, not a traceback
        return f"MarianMT could not be loaded: {e}"


@st.cache_data(max_entries=64, show_spinner="MarianMT is translating…")
def _translate_marian(source: str, german: str, beam: int, _model, _tokenizer) -> Translation:
    return translation.translate_marian(_model, _tokenizer, german, beam)


def _checkpoint() -> str:
    """The translator's checkpoint hash: cached translations belong to one checkpoint."""
    entry = checkpoints.read_manifest().get("translator")
    return entry.sha256 if entry else "unknown"


def _reset() -> None:
    st.session_state["tr_text"] = PRESET


def _swap() -> None:
    state = st.session_state
    state["tr_text"], state["tr_text2"] = state.get("tr_text2", COMPARE), state.get("tr_text", PRESET)


def _md(text: str) -> str:
    """Text of the model's or the user's, safe inside markdown (no formatting, no HTML)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])", r"\\\1", text)


def _big(text: str, size: str) -> str:
    """A translation as large text; the model's <unk> stands out."""
    shown = html.escape(text) if text else "…"
    shown = shown.replace(html.escape(UNKNOWN), f"<span style='color:{seq2seq_vis.MARK}'>{html.escape(UNKNOWN)}</span>")
    return f"<div style='font-size:{size};font-weight:600;line-height:1.3;margin:0.2em 0 0.4em 0'>{shown}</div>"


def _encoder_words(tr: Translation, large: bool) -> str:
    """Seq2Seq-Vis's "Enc words": the German as the encoder reads it, unknown words crossed out in colour."""
    chips = []
    for word, seen in zip(tr.words, tr.source):
        unknown = seen == UNKNOWN
        border = f"2px dashed {seq2seq_vis.MARK}" if unknown else "1px solid rgba(128,128,128,0.45)"
        colour = f"color:{seq2seq_vis.MARK};text-decoration:line-through;" if unknown else ""
        title = " title='not in the vocabulary: read as &lt;unk&gt;'" if unknown else ""
        chips.append(f"<span{title} style='display:inline-block;padding:0.05em 0.45em;margin:0.12em;"
                     f"border-radius:0.3em;border:{border};{colour}'>{html.escape(word)}</span>")
    return (f"<div style='font-size:{'1.35rem' if large else '1.05rem'};line-height:1.9'>"
            f"<span style='opacity:0.7'>Encoder reads:</span> {''.join(chips)}</div>")


def _bleu_label(key: str) -> str:
    m = re.fullmatch(r"(test|val)_bleu_(greedy|beam(\d+))", key)
    if not m:
        return key.replace("_", " ")
    split = "Test" if m[1] == "test" else "Validation"
    return f"{split} BLEU, " + ("greedy" if m[2] == "greedy" else f"beam {m[3]}")


def show_bleu() -> None:
    """The shipped model's BLEU as recorded with its checkpoint: whatever figures are there, test set first."""
    recorded = cache.metrics("translator")
    figures = {k: v for k, v in recorded.items() if "bleu" in k.lower() and isinstance(v, (int, float))}
    if not figures:
        st.caption("No BLEU score is recorded for this checkpoint.")
        return
    keys = sorted(figures, key=lambda k: (not k.startswith("test"), "beam" in k, k))
    unknown = recorded.get("test_unknown_share")
    shown = len(keys) + isinstance(unknown, (int, float))
    columns = st.columns(max(3, shown))
    for column, key in zip(columns, keys):
        column.metric(_bleu_label(key), f"{figures[key]:.1f}",
                      help="Corpus BLEU (sacreBLEU, case-insensitive): how many of the reference translations' "
                           "words and word sequences (up to 4 words) the model's translations contain, 0 to 100.")
    if isinstance(unknown, (int, float)):
        columns[len(keys)].metric("Unknown German words, test", f"{unknown:.1%}",
                                  help="The share of the test sentences' German words that the model reads as "
                                       "`<unk>`: not in its vocabulary.")
    entry = checkpoints.read_manifest().get("translator")
    data = f" ({entry.data})" if entry and entry.data else ""
    st.caption(f"Measured once, when the model was trained, on held-out sentence pairs it never saw{data}. For "
               "scale: large systems trained on millions of sentence pairs reach 30–40 on news text; this small "
               "GRU has seen far fewer.")


def _peaked_word(tr: Translation) -> int:
    """The English word whose attention is most concentrated on one German word (not the end symbol)."""
    rows = tr.attention[:-1] if len(tr.target) > 1 else tr.attention
    return int(np.argmax(rows.max(axis=1)))


def _nearest_default(words: list[str]) -> str:
    return max(words, key=len)


def show_translation(tr: Translation, style, large: bool) -> None:
    st.markdown(_big(tr.text, "2.4rem" if large else "1.8rem"), unsafe_allow_html=True)
    st.markdown(_encoder_words(tr, large), unsafe_allow_html=True)
    if tr.unknown:
        unknown = list(dict.fromkeys(tr.unknown))
        size = cache.metrics("translator").get("source_words")
        vocabulary = f"its German vocabulary of {size:,} words" if isinstance(size, int) else "its German vocabulary"
        st.caption(f"Unknown to the model, read as `{UNKNOWN}`: " + ", ".join(f"**{_md(w)}**" for w in unknown)
                   + f" ({len(tr.unknown)} of {len(tr.words)} words). They are not in {vocabulary}, so the "
                     "encoder reads them all as one and the same vector, and only the words around them tell it "
                     "what they might mean.")
    if tr.truncated:
        st.warning(f"The text was truncated: the model reads at most {MAX_SOURCE_WORDS} words (and the first "
                   f"{MAX_SOURCE_CHARS:,} characters); the rest was cut.", icon=":material/content_cut:")


def attention_views(tr: Translation, model, checkpoint: str, style) -> None:
    st.subheader("Attention")
    st.caption("Each English word (row) was written while the decoder **looked at** the German words (columns): a "
               "softmax over them, so every row sums to 1. A bright cell is where that word's information came "
               "from. Unknown German words are marked with **?**.")
    projector.chart(seq2seq_vis.attention_map(tr, style), key="tr_attention")

    st.subheader("One word at a time")
    left, right = st.columns(2, gap="large")
    with left:
        row = url_state.choice(st.pills, "Where did this English word look?", list(range(len(tr.target))),
                               _peaked_word(tr), key="tr_word", required=True, wrap=True,
                               format_func=lambda i: _md(tr.target[i]))
        projector.chart(seq2seq_vis.word_attention(tr, row, style), key="tr_word_chart")
        st.caption("Seq2Seq-Vis's *word attn*: pick an output word to see which input words it used.")
    with right:
        known = list(dict.fromkeys(w for w, s in zip(tr.words, tr.source) if s != UNKNOWN and w.isalpha()))
        if not known:
            st.info("None of these German words is in the model's vocabulary, so the encoder has no vector for them.",
                    icon=":material/help:")
            return
        word = url_state.choice(st.selectbox, "The encoder's nearest words to", known, _nearest_default(known),
                                key="tr_near")
        projector.chart(seq2seq_vis.nearest_words(_nearest(checkpoint, word, model), word, style),
                        key="tr_near_chart")
        st.caption("Seq2Seq-Vis's *Enc words*: the German words whose learned embeddings (the encoder's input "
                   "vectors) point most the same way as this one's, by cosine similarity.")


def beam_views(tr: Translation, beam: int, style) -> None:
    st.subheader("Beam search")
    st.caption(f"The decoder writes one word at a time. Beam search keeps the **{beam}** most probable partial "
               "translations at each step, extends each by every word, and keeps the best again; a hypothesis that "
               "writes `</s>` is finished. Beam 1 is greedy decoding. Hover a node for its words and log-probability.")
    projector.chart(seq2seq_vis.beam_tree(tr, style, width=FULL_WIDTH), key="tr_tree")
    lines = [f"{i}. **{_md(translation.detokenize(h.tokens)) or '(nothing)'}** — log P = {h.score:.2f}, "
             f"{h.normalised:.2f} per word" + ("" if h.finished else " (unfinished)")
             for i, h in enumerate(tr.beams, 1)]
    head = ("**The final hypothesis** (greedy decoding keeps only one):" if len(tr.beams) == 1 else
            f"**The {len(tr.beams)} final hypotheses**, best first (ranked by log-probability per word, so short "
            "ones are not favoured):")
    st.markdown(head + "\n\n" + "\n".join(lines))


def pivot_view(tr: Translation, german: str, model, checkpoint: str, beam: int, style, large: bool) -> None:
    """Seq2Seq-Vis's *pivot*: keep the best translation up to a step, write another word there, search on."""
    best = tr.beams[0]
    at = url_state.choice(st.pills, "At which step?", list(range(len(best.tokens))), max(0, len(best.tokens) // 2),
                          key="tr_pivot_step", required=True, wrap=True,
                          format_func=lambda i: f"{i + 1}: {_md(best.tokens[i])}")
    options = [i for i, _ in _next(checkpoint, german, tuple(best.ids[:at]), model) if i != best.ids[at]]
    if not options:
        return
    word = url_state.choice(st.pills, "Write instead", options, key="tr_pivot_word", required=True, wrap=True,
                            format_func=lambda i: _md(model.target_words[i]))
    pivoted = _translate(checkpoint, german, beam, model, prefix=(*best.ids[:at], word))
    st.markdown(_big(pivoted.text, "1.6rem" if large else "1.3rem"), unsafe_allow_html=True)
    projector.chart(seq2seq_vis.beam_tree(pivoted, style, width=HALF_WIDTH), key="tr_pivot_tree")
    st.caption(f"The first {at} words are the best translation's, word {at + 1} is the one chosen (those offered "
               "are the model's most probable there), and beam search writes the rest.")


def change_view(tr: Translation, german: str, model, checkpoint: str, beam: int, style, large: bool) -> None:
    """Seq2Seq-Vis's *change*: pin one English word's attention to German words of the lecturer's choosing."""
    best = tr.beams[0]
    row = url_state.choice(st.pills, "Which English word?", list(range(len(best.tokens))), _peaked_word(tr),
                           key="tr_change_word", required=True, wrap=True,
                           format_func=lambda i: f"{i + 1}: {_md(best.tokens[i])}")
    pinned = st.pills("Let it look only at", list(range(len(tr.words))), selection_mode="multi", key="tr_change_to",
                      format_func=lambda i: _md(tr.words[i]))
    if not pinned:
        st.caption(":material/touch_app: Pick German words for this English word to look at.")
        return
    changed = _translate(checkpoint, german, beam, model, prefix=tuple(best.ids[:row]), pin=(row, tuple(pinned)))
    st.markdown(_big(changed.text, "1.6rem" if large else "1.3rem"), unsafe_allow_html=True)
    projector.chart(seq2seq_vis.attention_map(changed, style, compact=True), key="tr_change_attention")
    st.caption(f"Words 1–{row} are kept; word {row + 1} reads the chosen German words, evenly weighted, instead of "
               "where the decoder looked; the decoder writes on from there with its own attention.")


def intervention_views(tr: Translation, german: str, model, checkpoint: str, beam: int, style, large: bool) -> None:
    if folded := projector.fold("**Change and pivot**", key="tr_fold_interventions", icon=":material/alt_route:",
                                opened_by=("tr_pivot_step", "tr_pivot_word", "tr_change_word")):
        with folded:
            _interventions(tr, german, model, checkpoint, beam, style, large)


def _interventions(tr: Translation, german: str, model, checkpoint: str, beam: int, style, large: bool) -> None:
    st.caption("Seq2Seq-Vis's interventions: ask *what if the model had looked elsewhere* (change) or *had written "
               "another word* (pivot), and watch the decoder continue from there.")
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**Pivot:** another word at one step of the beam tree")
        pivot_view(tr, german, model, checkpoint, beam, style, large)
    with right:
        st.markdown("**Change:** one English word's attention, pinned")
        change_view(tr, german, model, checkpoint, beam, style, large)


def compare_views(tr: Translation, model, checkpoint: str, beam: int, style, large: bool) -> None:
    if folded := projector.fold("**Compare two sentences**", key="tr_fold_compare", icon=":material/compare:",
                                opened_by=("tr_text2",)):
        with folded:
            _compare(tr, model, checkpoint, beam, style, large)


def _compare(tr: Translation, model, checkpoint: str, beam: int, style, large: bool) -> None:
    st.caption("Seq2Seq-Vis's *compare* and *swap*: change a few words and see what changes in the translation "
               "and where the attention moves. Words not in the other sentence are **bold**; the colours run from 0 "
               "to 1 as in the map above.")
    left, right = st.columns([6, 1], vertical_alignment="bottom")
    with left:
        other = url_state.text(st.text_input, "Second German sentence", COMPARE, key="tr_text2")
    with right:
        st.button("Swap", key="tr_swap", icon=":material/swap_horiz:", on_click=_swap, width="stretch",
                  help="Exchange the two sentences: the second becomes the one translated above.")
    if not other.strip():
        st.info("Type a second German sentence to compare with the first.", icon=":material/edit:")
        return
    try:
        second = _translate(checkpoint, other, beam, model)
    except Exception as e:
        st.error(f"The second sentence could not be translated: {e}", icon=":material/error:")
        return
    for column, this, that, key in zip(st.columns(2, gap="large"), (tr, second), (second, tr),
                                       ("tr_compare_a", "tr_compare_b")):
        with column:
            st.markdown(_big(this.text, "1.6rem" if large else "1.3rem"), unsafe_allow_html=True)
            others = set(that.words)
            bold = frozenset(i for i, w in enumerate(this.words) if w not in others)
            projector.chart(seq2seq_vis.attention_map(this, style, bold=bold, compact=True), key=key)
            if this.unknown:
                st.caption("Unknown: " + ", ".join(f"**{_md(w)}**" for w in dict.fromkeys(this.unknown)))


def _offer_download() -> None:
    """A download button where the model hub answers; otherwise why there is none."""
    if not translation.marian_reachable():
        st.caption("This computer cannot reach the Hugging Face model hub now, so MarianMT cannot be downloaded "
                   "here. Where it can (a laptop online, a cloud deployment), a button here downloads it once, "
                   f"about {translation.MARIAN_MB} MB, and it is used offline from then on.")
        return
    if not st.button(f"Download {translation.MARIAN_DE_EN} (about {translation.MARIAN_MB} MB)",
                     key="tr_marian_download", icon=":material/download:"):
        return
    bar = st.progress(0.0, text="Starting the download…")
    try:
        translation.download_marian(lambda done, total, name: bar.progress(
            done / total, text=f"{name}: {done / 1e6:,.0f} of {total / 1e6:,.0f} MB"))
    except translation.MarianUnavailable as e:
        st.error(str(e), icon=":material/error:")
        return
    _marian.clear()
    st.rerun()


def marian_views(german: str, beam: int, style, large: bool) -> None:
    st.subheader("Pretrained MarianMT")
    on = url_state.toggle("Pretrained MarianMT (Hugging Face)", False, key="tr_marian",
                          help=f"{translation.MARIAN_DE_EN}: a Transformer trained on millions of sentence pairs. "
                               "Used from this computer; downloaded once, when you ask, where the model hub answers.")
    if not on:
        st.caption(f"Turn on to translate the sentence above with {translation.MARIAN_DE_EN} as well, and see its "
                   "cross-attention in the same view: what millions of sentence pairs buy.")
        return
    path = url_state.text(st.text_input, "Local folder with the model (optional)", "", key="tr_marian_path",
                          placeholder=f"empty: {translation.MARIAN_DE_EN} from your Hugging Face cache")
    source = path.strip() or translation.MARIAN_DE_EN
    found = _marian(source)
    if isinstance(found, str):
        st.info(f"**MarianMT is not available here.** {found}", icon=":material/cloud_off:")
        if source == translation.MARIAN_DE_EN:
            _offer_download()
        st.button("Look again", key="tr_marian_retry", icon=":material/refresh:", type="tertiary",
                  on_click=_marian.clear, help="Look for the model and its tokenizer again.")
        return
    model, tokenizer = found
    try:
        tr = _translate_marian(source, german, beam, model, tokenizer)
    except Exception as e:
        st.error(f"MarianMT could not translate this: {e}", icon=":material/error:")
        return
    st.markdown(_big(tr.text, "2.0rem" if large else "1.5rem"), unsafe_allow_html=True)
    projector.chart(seq2seq_vis.attention_map(tr, style), key="tr_marian_attention")
    st.caption("Marian reads subword pieces (▁ starts a word). Shown: its last decoder layer's cross-attention, "
               "averaged over its attention heads; a Transformer attends with many heads in many layers, so one "
               "map tells less than the GRU's single attention.")


def section() -> None:
    st.markdown("**What do RNNs learn?** An encoder RNN reads a German sentence word by word; a decoder RNN writes "
                "the English one, and before each word it **attends** to the German words it needs. As in "
                "Seq2Seq-Vis (Strobelt et al. 2018), look at the words the encoder reads, the attention, the beam "
                "search that picks the translation, and how the translation changes when the sentence does.")
    model = cache.model("translator")
    if model is None:
        return
    checkpoint, style = _checkpoint(), projector.style()
    large = style.font_size > 16
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    with left:
        german = url_state.text(st.text_input, "German sentence", PRESET, key="tr_text",
                                placeholder="Type a German sentence…")
    with right:
        beam = url_state.slider("Beam size", 1, 10, BEAM, key="tr_beam",
                                help="How many partial translations beam search keeps; 1 is greedy decoding.")
    if german != PRESET:
        st.button("Back to the lecture's sentence", key="tr_reset", icon=":material/undo:", type="tertiary",
                  on_click=_reset)
    if not german.strip() or not translation.tokenize(german)[0]:
        st.info("Type a German sentence to translate, for example the lecture's: *" + _md(PRESET) + "*",
                icon=":material/edit:")
        show_bleu()
        return
    try:
        tr = _translate(checkpoint, german, beam, model)
    except Exception as e:  # never a traceback in the lecture hall
        st.error(f"This text could not be translated: {e}", icon=":material/error:")
        return
    show_translation(tr, style, large)
    show_bleu()
    if not tr.target:
        st.info("The model wrote nothing for this text.", icon=":material/help:")
        return
    attention_views(tr, model, checkpoint, style)
    beam_views(tr, beam, style)
    intervention_views(tr, german, model, checkpoint, beam, style, large)
    compare_views(tr, model, checkpoint, beam, style, large)
    marian_views(german, beam, style, large)
