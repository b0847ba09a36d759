"""Seq2Seq-Vis figures: the attention map shows the attention exactly (rows summing to 1), one column per German
word even when a word repeats, unknown words marked and every label escaped; the beam tree draws every hypothesis
once, without crossing edges, the best path from the root to the best beam, and stays readable for wide beams.
Trees come from the real beam search driven by a small fixed table of log-probabilities, and from the shipped model."""
import json

import numpy as np
import pytest
import torch

from core import checkpoints
from core.plots import NORMAL, PROJECTOR
from core.rnn import seq2seq_vis
from core.rnn.translation import PRESET, Translation, beam_search, translate

VOCAB = ["<pad>", "<unk>", "<s>", "</s>", "the", "cat", "sat", "<b>on</b>", "mat", "a", *(f"w{i}" for i in range(20))]
WORDS = ["die", "katze", "saß", "die", "<b>x</b>"]  # "die" twice; the last word unknown and not HTML-safe


def fake_translation(beam: int, seed: int = 0) -> Translation:
    """A Translation made by the real beam search over a fixed random language model on VOCAB."""
    g = torch.Generator().manual_seed(seed)
    table = torch.randn(len(VOCAB), len(VOCAB), generator=g) * 2
    table[:, 3] += torch.linspace(-3, 3, len(VOCAB))  # </s> gets likelier after later words
    looks = torch.randn(len(VOCAB), len(WORDS), generator=g).softmax(-1)

    def step(last: torch.Tensor, state: torch.Tensor):
        return table[last].log_softmax(-1), looks[last], state

    tree, beams = beam_search(step, torch.zeros(1, 1), 2, 3, VOCAB.__getitem__, beam, max_len=9, banned=(0, 2))
    source = [w if i != 4 else "<unk>" for i, w in enumerate(WORDS)]
    return Translation(list(WORDS), source, beams, tree, " ".join(beams[0].tokens))


def empty_translation() -> Translation:
    return Translation([], [], [], [], "")


def plain(fig) -> dict:
    return json.loads(fig.to_json())


def heatmap(fig) -> dict:
    return next(t for t in plain(fig)["data"] if t["type"] == "heatmap")


@pytest.mark.parametrize("style", [NORMAL, PROJECTOR])
def test_the_attention_map_shows_the_attention_with_one_column_per_german_word(style):
    tr = fake_translation(4)
    fig = seq2seq_vis.attention_map(tr, style, "attention")
    h = heatmap(fig)
    z = np.array(h["z"], dtype=float)
    assert z.shape == (len(tr.target), len(tr.source)) == tr.attention.shape
    np.testing.assert_allclose(z, tr.attention, atol=1e-6)
    np.testing.assert_allclose(z.sum(1), 1, atol=1e-5)
    layout = plain(fig)["layout"]
    assert layout["xaxis"]["tickvals"] == list(range(len(WORDS)))  # "die" twice: two columns
    ticks = layout["xaxis"]["ticktext"]
    assert ticks[0] == ticks[3] == "die"
    assert seq2seq_vis.MARK in ticks[4] and "&lt;b&gt;x&lt;/b&gt;?" in ticks[4] and "<b>x" not in ticks[4]
    assert layout["yaxis"]["ticktext"] == [seq2seq_vis.shown(t) for t in tr.target]
    assert layout["yaxis"]["autorange"] == "reversed"
    assert layout["font"]["size"] == style.font_size


def test_the_attention_map_writes_the_larger_weights_and_can_be_compact_and_bold():
    tr = fake_translation(3)
    h = heatmap(seq2seq_vis.attention_map(tr, NORMAL))
    written = np.array(h["text"]) != ""
    assert (written == (tr.attention >= seq2seq_vis.SHOWN_VALUE)).all()
    compact = seq2seq_vis.attention_map(tr, NORMAL, bold=frozenset({1}), compact=True)
    h = heatmap(compact)
    assert h["showscale"] is False and "text" not in h
    assert plain(compact)["layout"]["xaxis"]["ticktext"][1] == "<b>katze</b>"


def test_an_empty_translation_gives_a_message_not_a_map():
    for fig in (seq2seq_vis.attention_map(empty_translation(), NORMAL),
                seq2seq_vis.beam_tree(empty_translation(), NORMAL),
                seq2seq_vis.word_attention(empty_translation(), 0, NORMAL)):
        assert not plain(fig)["data"] and plain(fig)["layout"]["annotations"]


def test_one_words_attention_is_its_row_with_the_strongest_in_colour():
    tr = fake_translation(5)
    bar = plain(seq2seq_vis.word_attention(tr, 1, PROJECTOR))["data"][0]
    np.testing.assert_allclose(bar["y"], tr.attention[1], atol=1e-6)
    strongest = int(np.argmax(tr.attention[1]))
    assert bar["marker"]["color"][strongest] == PROJECTOR.colour(1)
    assert sum(c == PROJECTOR.colour(1) for c in bar["marker"]["color"]) == 1


def test_nearest_words_are_listed_nearest_on_top():
    pairs = [("straße", 0.9), ("weg", 0.5), ("<gasse>", 0.25)]
    fig = plain(seq2seq_vis.nearest_words(pairs, "straßen", NORMAL))
    bar = fig["data"][0]
    assert bar["x"] == [0.25, 0.5, 0.9]
    assert fig["layout"]["yaxis"]["ticktext"] == ["&lt;gasse&gt;", "weg", "straße"]  # plotly shows the top last
    assert "no vector" in plain(seq2seq_vis.nearest_words([], "xyz", NORMAL))["layout"]["annotations"][0]["text"]


@pytest.mark.parametrize("beam", [1, 2, 5, 10])
def test_the_tree_rows_never_cross_and_each_step_is_centred(beam):
    tr = fake_translation(beam, seed=beam)
    row = seq2seq_vis.tree_rows(tr.tree)
    by_step: dict[int, list] = {}
    for node in tr.tree:
        by_step.setdefault(node.step, []).append(node)
    for nodes in by_step.values():
        rows = sorted(row[n.id] for n in nodes)
        assert len(set(rows)) == len(rows) and abs(sum(rows)) < 1e-9
        for a in nodes:  # no crossing: a node above another has its parent not below the other's parent
            for b in nodes:
                if row[a.id] > row[b.id] and a.step > 0:
                    assert row[a.parent] >= row[b.parent]


@pytest.mark.parametrize("beam", [1, 3, 10])
def test_the_beam_tree_draws_every_hypothesis_once_and_the_best_path_in_colour(beam):
    tr = fake_translation(beam, seed=7)
    fig = plain(seq2seq_vis.beam_tree(tr, PROJECTOR, "beam"))
    nodes = [t for t in fig["data"] if "markers" in t["mode"]]
    assert sum(len(t["x"]) for t in nodes) == len(tr.tree)
    path = seq2seq_vis.best_path(tr)
    assert path[0] == 0 and path[-1] == tr.beams[0].node
    assert [tr.tree[n].step for n in path] == list(range(len(path)))
    best = next(t for t in nodes if t["name"] == "best translation")
    assert len(best["x"]) == len(path) and best["marker"]["color"] == PROJECTOR.colour(1)
    hover = [c[0] for t in nodes for c in t["customdata"]]
    assert " ".join(tr.beams[0].tokens).replace("<", "&lt;").replace(">", "&gt;") in hover
    scores = sorted(c[1] for t in nodes for c in t["customdata"])
    np.testing.assert_allclose(scores, sorted(n.score for n in tr.tree), atol=1e-6)
    if beam == 1:
        assert {t["name"] for t in nodes} == {"best translation"}


def test_the_tree_grows_with_the_beam_and_shortens_labels_when_narrow():
    small, wide = fake_translation(2, seed=3), fake_translation(10, seed=3)
    assert len(wide.tree) > len(small.tree)
    assert plain(seq2seq_vis.beam_tree(wide, NORMAL))["layout"]["height"] > \
        plain(seq2seq_vis.beam_tree(small, NORMAL))["layout"]["height"]
    narrow = plain(seq2seq_vis.beam_tree(wide, PROJECTOR, width=260))
    labels = [s for t in narrow["data"] if "text" in t for s in t["text"]]
    assert any(s.endswith("…") for s in labels) or all(s == "" for s in labels[:3])


@pytest.fixture(scope="module")
def shipped():
    return checkpoints.load_model("translator").cpu()


def test_the_shipped_models_translation_of_the_lecture_sentence_draws(shipped):
    tr = translate(shipped, PRESET, beam=5)
    h = heatmap(seq2seq_vis.attention_map(tr, NORMAL))
    z = np.array(h["z"], dtype=float)
    assert z.shape == (len(tr.target), len(tr.words))
    np.testing.assert_allclose(z.sum(1), 1, atol=1e-4)
    tree = plain(seq2seq_vis.beam_tree(tr, NORMAL))
    assert sum(len(t["x"]) for t in tree["data"] if "markers" in t["mode"]) == len(tr.tree)


class Pieces:
    """Stand-in for Marian's tokenizer (which needs sentencepiece): one '▁'-piece per word, then </s>."""

    def __init__(self, words: list[str]):
        self.pieces = ["</s>", "<unk>", *(f"▁{w}" for w in words), "<pad>"]
        self.index = {p: i for i, p in enumerate(self.pieces)}

    def __call__(self, text: str) -> dict[str, list[int]]:
        return {"input_ids": [self.index.get(f"▁{w}", 1) for w in text.split()] + [0]}

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str]:
        return [self.pieces[i] for i in ids]

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        return " ".join(p.lstrip("▁") for p in self.convert_ids_to_tokens(ids) if p not in ("</s>", "<pad>"))


def test_a_marian_translation_draws_in_the_same_views():
    """What the page shows when MarianMT is found: its cross-attention over subword pieces, and its beam tree."""
    from transformers import MarianConfig, MarianMTModel

    from core.rnn.translation import translate_marian
    tokenizer = Pieces(PRESET.split() + ["the", "journeys", "dark"])
    pad = len(tokenizer.pieces) - 1
    torch.manual_seed(0)
    cfg = MarianConfig(vocab_size=len(tokenizer.pieces), d_model=16, encoder_layers=1, decoder_layers=1,
                       encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32,
                       max_position_embeddings=64, pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
                       forced_eos_token_id=None, attn_implementation="eager")
    tr = translate_marian(MarianMTModel(cfg).eval(), tokenizer, "die reisen <x>", beam=3, max_len=6)
    fig = seq2seq_vis.attention_map(tr, PROJECTOR)
    z = np.array(heatmap(fig)["z"], dtype=float)
    assert z.shape == (len(tr.target), 4)  # three pieces and </s>
    np.testing.assert_allclose(z.sum(1), 1, atol=1e-4)
    ticks = plain(fig)["layout"]["xaxis"]["ticktext"]
    assert ticks[0] == "▁die" and seq2seq_vis.MARK in ticks[2]  # <unk>: Marian's unknown piece is marked too
    tree = plain(seq2seq_vis.beam_tree(tr, PROJECTOR))
    assert sum(len(t["x"]) for t in tree["data"] if "markers" in t["mode"]) == len(tr.tree)
