"""Translation with attention: attention rows are distributions, beam search is a consistent tree whose beam 1 is
greedy decoding, the interventions (pivot, change) do what they say, the shipped model keeps its BLEU and never saw
the lecture's sentence, bad input never crashes, and the optional Marian path (downloaded, or offline) works."""
import copy
import json

import numpy as np
import pytest
import torch
from transformers import MarianConfig, MarianMTModel

from core import checkpoints
from core.data.text import sentence_pairs
from core.models.seq2seq import BOS, SPECIALS, Seq2Seq, Seq2SeqConfig
from core.rnn import translation
from core.rnn.translation import MAX_SOURCE_WORDS, PRESET, Translation, translate

BAD_INPUTS = ["", "   \n\t", "Hallo " * 2000, "😀🎉 👍🏽", "<b>Hallo</b> <script>alert('x')</script>",
              "Quetzalcoatl xyzzyplatz blorf.", "The longest journeys begin when it gets dark in the streets.",
              "\x00\x1b[31m ⟨⟩ ∑ 中文", " ".join(["Straßenbahnhaltestelle"] * 500), "?! … ,; -- !!!",
              "Les plus longs voyages commencent quand il fait nuit dans les rues."]


@pytest.fixture(scope="module", autouse=True)
def one_core_spare():
    """Torch threads as the app sets them (every core but one): on a busy 2-core machine a second thread made beam
    search about 50 times slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, before - 1))
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def model() -> Seq2Seq:
    return checkpoints.load_model("translator").cpu()


@pytest.fixture(scope="module")
def test_pairs() -> list[tuple[str, str]]:
    return sentence_pairs("test")


def teacher_forced_log_prob(model: Seq2Seq, german: str, target_ids: list[int]) -> float:
    """log P(target | german) by one teacher-forced pass: what a beam's score must equal."""
    words, _ = translation.tokenize(german)
    source = translation.to_ids(words, {w: i for i, w in enumerate(model.source_words)})
    with torch.no_grad():
        logits = model(torch.tensor([source]), torch.tensor([len(source)]), torch.tensor([[BOS, *target_ids[:-1]]]))
    return logits[0].log_softmax(-1).gather(1, torch.tensor(target_ids)[:, None]).sum().item()


def check_tree(result: Translation, beam: int) -> None:
    """Every node hangs off an earlier one a step shorter, at most `beam` per step, each final beam is a path from
    the root, and its score is the sum of its words' log-probabilities along that path."""
    tree = result.tree
    assert tree[0].parent == -1 and tree[0].step == 0 and tree[0].score == 0
    for node in tree[1:]:
        parent = tree[node.parent]
        assert node.id == tree.index(node) and node.parent < node.id and node.step == parent.step + 1
        assert not parent.finished and node.score <= parent.score + 1e-6
    steps = np.bincount([n.step for n in tree[1:]])
    assert steps.max() <= beam
    assert 1 <= len(result.beams) <= beam
    for hyp in result.beams:
        path, n = [], hyp.node
        while n > 0:
            path.append(tree[n])
            n = tree[n].parent
        assert [p.token for p in reversed(path)] == hyp.tokens and path[0].score == hyp.score
        assert hyp.finished == (hyp.tokens[-1:] == [path[0].token] and path[0].finished)
        assert hyp.attention.shape == (len(hyp.tokens), len(result.source))
    assert [h.normalised for h in result.beams] == sorted((h.normalised for h in result.beams), reverse=True)


def test_tokenize_lower_cases_and_splits_off_punctuation():
    words, cut = translation.tokenize("Die längsten Reisen fangen an, wenn es auf den Straßen dunkel wird.")
    assert words == PRESET.split() and not cut
    assert translation.tokenize("I can’t, it's well-known!")[0] == ["i", "can’t", ",", "it's", "well-known", "!"]
    assert translation.detokenize(["the", "dog", "barks", ",", "loudly", ".", "</s>"]) == "The dog barks, loudly."


def test_vocabulary_has_the_specials_first_then_words_by_frequency():
    vocab = translation.vocabulary([["a", "b", "a"], ["c", "a", "b"]], min_count=2)
    assert vocab == [*SPECIALS, "a", "b"]


def test_a_checkpoint_carries_its_vocabularies(tmp_path):
    source, target = [*SPECIALS, "hund", "straßen"], [*SPECIALS, "dog", "streets", "can’t"]
    tiny = Seq2Seq(Seq2SeqConfig(len(source), len(target), embed=8, hidden=8), source, target).eval()
    entry = checkpoints.Entry("tiny_translator", {"class": "Seq2Seq", "config": vars(Seq2SeqConfig(
        len(source), len(target), embed=8, hidden=8))}, data="none", seed=0, steps=0)
    checkpoints.save(tiny, entry, tmp_path)
    loaded = checkpoints.load_model("tiny_translator", tmp_path).cpu()
    assert loaded.source_words == source and loaded.target_words == target
    assert translate(loaded, "Der Hund").source == ["<unk>", "hund"]


def test_attention_rows_are_distributions_over_the_source(model):
    result = translate(model, PRESET)
    assert result.words == PRESET.split() and len(result.source) == len(result.words)
    assert result.attention.shape == (len(result.target), len(result.source)) and result.target[-1] == "</s>"
    for hyp in result.beams:
        assert np.all(hyp.attention >= 0)
        np.testing.assert_allclose(hyp.attention.sum(1), 1, atol=1e-5)
    assert result.unknown == [w for w in result.words if w not in model.source_words]
    assert all(s == "<unk>" for w, s in zip(result.words, result.source) if w in result.unknown)


def test_beam_1_is_greedy_decoding(model, test_pairs):
    german = [de for de, _ in test_pairs[:12]] + [PRESET]
    batched = translation.greedy(model, [translation.tokenize(de)[0] for de in german])
    for de, together in zip(german, batched):
        result = translate(model, de, beam=1)
        assert result.target == translation.greedy(model, [translation.tokenize(de)[0]])[0] == together
        assert len(result.beams) == 1 and len(result.tree) == len(result.target) + 1  # a chain
        check_tree(result, beam=1)
    assert translation.greedy(model, [[], ["hund"]])[0] == []  # as translate gives nothing for empty input


def test_the_lecture_sentence_is_not_in_the_training_data():
    lecture = " ".join(translation.tokenize(PRESET)[0])
    german = [" ".join(translation.tokenize(de)[0]) for de, _ in sentence_pairs("train")]
    assert len(german) > 10_000 and not [de for de in german if "längsten reisen" in de or de == lecture]


def test_a_pivot_writes_the_chosen_word_and_searches_on(model):
    best = translate(model, PRESET).beams[0]
    choices = translation.next_words(model, PRESET, tuple(best.ids[:2]), k=5)
    assert [p for _, p in choices] == sorted((p for _, p in choices), reverse=True) and len(choices) == 5
    assert choices[0][0] == translate(model, PRESET, beam=1, prefix=tuple(best.ids[:2])).beams[0].ids[2]
    other = next(i for i, _ in choices if i != best.ids[2])
    pivoted = translate(model, PRESET, beam=3, prefix=(*best.ids[:2], other))
    check_tree(pivoted, beam=3)
    for hyp in pivoted.beams:
        assert hyp.ids[:3] == [*best.ids[:2], other]
        assert hyp.score == pytest.approx(teacher_forced_log_prob(model, PRESET, hyp.ids), abs=1e-3)
    assert translation.next_words(model, "") == []


def test_a_change_pins_one_words_attention_and_the_decoder_goes_on(model):
    best = translate(model, PRESET).beams[0]
    row, german = 1, (1, 2)  # "längsten reisen"
    changed = translate(model, PRESET, beam=3, prefix=tuple(best.ids[:row]), pin=(row, german))
    for hyp in changed.beams:
        assert hyp.ids[:row] == best.ids[:row]
        np.testing.assert_allclose(hyp.attention[row], np.isin(np.arange(len(changed.source)), german) / 2, atol=1e-6)
        np.testing.assert_allclose(hyp.attention[:row], best.attention[:row], atol=1e-5)
    assert translate(model, PRESET, pin=(row, (99,))).target == translate(model, PRESET).target  # nothing to pin


def test_beam_search_tree_is_consistent_and_scores_are_cumulative_log_probs(model, test_pairs):
    for de in [PRESET, test_pairs[0][0], test_pairs[1][0]]:
        result = translate(model, de, beam=5)
        check_tree(result, beam=5)
        for hyp in result.beams:
            assert hyp.score == pytest.approx(teacher_forced_log_prob(model, de, hyp.ids), abs=1e-3)
        greedy = translate(model, de, beam=1).beams[0]
        assert result.beams[0].normalised >= greedy.normalised - 1e-6 or greedy.tokens in [
            h.tokens for h in result.beams]  # beam search keeps greedy's path or finds one at least as likely


def test_the_shipped_model_keeps_its_recorded_bleu(model, test_pairs):
    recorded = checkpoints.read_manifest()["translator"].metrics
    assert translation.bleu(model, test_pairs) >= recorded["test_bleu_greedy"] - 0.5
    assert recorded["test_bleu_beam5"] >= recorded["test_bleu_greedy"] - 1.0
    assert translation.bleu(model, test_pairs[:100], beam=5) > 0.5 * recorded["test_bleu_beam5"]


@pytest.mark.parametrize("text", BAD_INPUTS)
def test_bad_input_gives_a_translation_not_an_error(model, text):
    result = translate(model, text)
    assert isinstance(result.text, str) and len(result.source) <= MAX_SOURCE_WORDS
    assert result.attention.shape == (len(result.target), len(result.source))
    if not result.source:
        assert result.target == [] and result.beams == [] and len(result.tree) == 1
    assert result.truncated == (len(text) > translation.MAX_SOURCE_CHARS)


def test_the_model_never_writes_unknown_words(model, test_pairs):
    for de in [PRESET, *BAD_INPUTS, *(de for de, _ in test_pairs[:20])]:
        assert not {"<unk>", "<pad>", "<s>"} & set(translate(model, de).target)
    outputs = translation.greedy(model, [translation.tokenize(de)[0] for de, _ in test_pairs[:50]])
    assert not any("<unk>" in words for words in outputs)


def test_emoji_and_unknown_words_are_shown_as_unknown(model):
    result = translate(model, "😀 xyzzyplatz")
    assert result.words == ["😀", "xyzzyplatz"] and result.source == ["<unk>", "<unk>"]
    assert result.unknown == result.words


def test_nearest_encoder_words_are_sorted_by_cosine_similarity(model):
    found = translation.nearest_source_words(model, "Hund", k=6)
    assert len(found) == 6 and "hund" not in [w for w, _ in found]
    similarity = [s for _, s in found]
    assert similarity == sorted(similarity, reverse=True) and all(-1 <= s <= 1 for s in similarity)
    assert translation.nearest_source_words(model, "xyzzyplatz") == []


class WordTokenizer:
    """The three methods of Marian's tokenizer that translate_marian uses: one piece per word, then </s>."""

    def __init__(self, words: list[str]):
        self.pieces = ["</s>", "<unk>", *words, "<pad>"]
        self.index = {p: i for i, p in enumerate(self.pieces)}

    def __call__(self, text: str) -> dict[str, list[int]]:
        return {"input_ids": [self.index.get(w, 1) for w in text.split()] + [0]}

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str]:
        return [self.pieces[i] for i in ids]

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        specials = {"</s>", "<pad>"} if skip_special_tokens else set()
        return " ".join(p for p in self.convert_ids_to_tokens(ids) if p not in specials)


@pytest.fixture(scope="module")
def tiny_marian() -> tuple[MarianMTModel, WordTokenizer]:
    """A randomly initialised Marian model a few kilobytes big, with its stand-in tokenizer."""
    tokenizer = WordTokenizer(PRESET.split() + ["the", "longest", "journeys", "dark", "streets"])
    pad = len(tokenizer.pieces) - 1
    torch.manual_seed(0)
    cfg = MarianConfig(vocab_size=len(tokenizer.pieces), d_model=16, encoder_layers=1, decoder_layers=2,
                       encoder_attention_heads=2, decoder_attention_heads=4, encoder_ffn_dim=32, decoder_ffn_dim=32,
                       max_position_embeddings=256, pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
                       forced_eos_token_id=None, attn_implementation="eager")
    return MarianMTModel(cfg).eval(), tokenizer


def test_marian_path_gives_the_same_format_as_the_shipped_model(tiny_marian):
    marian, tokenizer = tiny_marian
    result = translation.translate_marian(marian, tokenizer, PRESET, beam=5, max_len=12)
    assert result.source == PRESET.split() + ["</s>"]
    assert result.attention.shape == (len(result.target), len(result.source))
    for hyp in result.beams:
        np.testing.assert_allclose(hyp.attention.sum(1), 1, atol=1e-5)
    check_tree(result, beam=5)
    assert isinstance(result.text, str) and "<pad>" not in result.target


def test_marian_beam_1_equals_its_own_greedy_generate(tiny_marian):
    marian, tokenizer = tiny_marian
    pad = marian.config.pad_token_id
    result = translation.translate_marian(marian, tokenizer, PRESET, beam=1, max_len=10)
    ids = torch.tensor([tokenizer(PRESET)["input_ids"]])
    generated = marian.generate(ids, num_beams=1, do_sample=False, max_new_tokens=10, bad_words_ids=[[pad]])
    assert result.beams[0].ids == generated[0, 1:].tolist()[:len(result.target)]


@pytest.mark.parametrize("text", ["", "Hallo " * 2000, "😀 <b>x</b>"])
def test_marian_path_takes_bad_input(tiny_marian, text):
    marian, tokenizer = tiny_marian
    result = translation.translate_marian(marian, tokenizer, text, beam=2, max_len=5)
    assert result.attention.shape == (len(result.target), len(result.source))
    assert len(result.source) <= translation.MAX_SOURCE_PIECES
    assert result.truncated == (len(text) > translation.MAX_SOURCE_CHARS)


def test_marian_is_unavailable_with_a_plain_reason_and_never_downloads(tmp_path, tiny_marian):
    with pytest.raises(translation.MarianUnavailable, match="neither a local folder|sentencepiece"):
        translation.load_marian(tmp_path / "no-such-model")
    tiny_marian[0].save_pretrained(tmp_path / "tiny")  # weights but no tokenizer files
    with pytest.raises(translation.MarianUnavailable):
        translation.load_marian(tmp_path / "tiny")


def test_a_downloaded_marian_is_loaded_from_the_dashboards_folder_and_translates(tmp_path, monkeypatch, tiny_marian):
    """The files the download writes (a tiny Marian model and a real sentencepiece tokenizer made here) load
    without the network and translate."""
    import sentencepiece
    from transformers import MarianTokenizer
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    folder = translation.marian_folder()
    folder.mkdir(parents=True)
    text = tmp_path / "text.txt"
    text.write_text("\n".join([PRESET, "the longest journeys begin when it gets dark in the streets ."] * 20))
    sentencepiece.SentencePieceTrainer.train(input=str(text), model_prefix=str(tmp_path / "spm"), vocab_size=40,
                                             character_coverage=1.0, bos_id=-1, eos_id=-1, unk_id=0, pad_id=-1)
    processor = sentencepiece.SentencePieceProcessor(model_file=str(tmp_path / "spm.model"))
    pieces = ["</s>", "<unk>", *[processor.id_to_piece(i) for i in range(1, processor.get_piece_size())], "<pad>"]
    (folder / "vocab.json").write_text(json.dumps({p: i for i, p in enumerate(dict.fromkeys(pieces))}))
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes((tmp_path / "spm.model").read_bytes())
    tokenizer = MarianTokenizer(str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json"))
    tokenizer.save_pretrained(folder)
    marian = copy.deepcopy(tiny_marian[0])  # the fixture's stays as it is
    marian.config.vocab_size = marian.config.decoder_vocab_size = len(tokenizer)
    marian.resize_token_embeddings(len(tokenizer))
    marian.config.pad_token_id = marian.config.decoder_start_token_id = tokenizer.pad_token_id
    marian.config.eos_token_id = tokenizer.eos_token_id
    marian.save_pretrained(folder)
    assert translation.marian_downloaded()
    model, loaded = translation.load_marian()
    result = translation.translate_marian(model, loaded, PRESET, beam=2, max_len=6)
    assert result.words[-1] == "</s>" and result.attention.shape == (len(result.target), len(result.source))


def test_marian_download_offline_says_why_and_writes_nothing(tmp_path, monkeypatch):
    from core.models import imagenet
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet, "_reachable", lambda url, timeout: False)  # this machine is offline anyway
    imagenet.forget_connectivity()
    with pytest.raises(translation.MarianUnavailable, match="cannot reach"):
        translation.download_marian()
    assert not translation.marian_folder().exists()
    imagenet.forget_connectivity()
