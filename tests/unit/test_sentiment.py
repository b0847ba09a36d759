"""Sentiment prediction: the shipped models reach their goals on the test split, the attributions add up, the running
opinion ends at the prediction, and no text (empty, huge, emoji, HTML, German) breaks the reading."""
import re
import subprocess
import sys

import numpy as np
import pytest
import torch

from core import checkpoints
from core.data.text import movie_ratings, movie_snippets
from core.lecture import ROOT
from core.models.rnn import PAD, UNK, Bert, SentimentRNN, minilm_path
from core.rnn import sentiment

GOALS = {"sentiment_lstm": 0.77, "sentiment_gru": 0.77, "sentiment_minilm": 0.79}
BAD_TEXTS = {
    "empty": "",
    "spaces": " \n\t ",
    "huge": "A gripping, wonderful film. " * 400,  # 11,200 characters
    "emoji": "Loved it 😍👍🏽🍿!!!",
    "html": "<p>A <b>dreadful</b> movie&nbsp;&amp; a waste of time.<br/></p>",
    "unknown": "The zorblaxian quuxotic flimflammery.",
    "german": "Das Buch ist wirklich sehr gut, aber der Film ist schrecklich.",
}


@pytest.fixture(scope="module")
def models() -> dict[str, torch.nn.Module]:
    return {name: checkpoints.load_model(name) for name in GOALS}


@pytest.fixture(scope="module")
def lstm(models) -> SentimentRNN:
    return models["sentiment_lstm"]


def hooks(model: torch.nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks) for m in model.modules())


def test_the_shipped_checkpoints_reach_their_goals_on_the_held_out_test_split(models):
    texts, labels = movie_snippets("test")
    for name, model in models.items():
        measured = sentiment.accuracy(model, texts, labels)
        assert measured >= GOALS[name], (name, measured)
        assert measured == pytest.approx(checkpoints.read_manifest()[name].metrics["test_accuracy"], abs=2e-3), name


def test_a_checkpoint_carries_its_vocabulary_and_minilm_only_what_it_changed(models):
    for name in ("sentiment_lstm", "sentiment_gru"):
        model = models[name]
        assert model.words[:2] == [PAD, UNK] and len(model.words) == model.cfg.vocab_size
        assert all(model.index[w] == i for i, w in enumerate(model.words))
        assert "words" not in checkpoints.read_manifest()[name].architecture["config"]
    minilm = models["sentiment_minilm"]
    saved = set(minilm.state_dict())
    assert saved and all(k.startswith(("head.", "encoder.encoder.layer.")) for k in saved)
    assert not saved & minilm.pretrained and "encoder.embeddings.word_embeddings.weight" in minilm.pretrained


def test_unknown_words_are_read_as_unk_and_said_to_be(lstm):
    t = sentiment.to_tokens(lstm, BAD_TEXTS["unknown"])
    assert t.tokens == ["the", "zorblaxian", "quuxotic", "flimflammery", "."]
    assert t.known == [True, False, False, False, True]
    assert t.ids[1:4] == [lstm.index[UNK]] * 3 and t.ids[0] == lstm.index["the"]
    assert "3 of 5 tokens" in " ".join(sentiment.read(lstm, BAD_TEXTS["unknown"]).notes)


def test_the_tokeniser_keeps_words_and_marks_and_drops_markup():
    assert sentiment.tokenise("I can't fault the actors -- really!") == [
        "i", "can't", "fault", "the", "actors", "-", "-", "really", "!"]
    assert sentiment.tokenise(BAD_TEXTS["html"]) == [
        "a", "dreadful", "movie", "&", "a", "waste", "of", "time", "."]
    assert sentiment.tokenise(BAD_TEXTS["emoji"])[2:5] == ["😍", "👍", "🏽"]
    assert sentiment.tokenise(BAD_TEXTS["empty"]) == sentiment.tokenise(BAD_TEXTS["spaces"]) == []
    assert sentiment.tokenise("Cafe\u0301") == ["café"]  # an accent typed as a separate mark is composed


def test_no_text_breaks_the_reading_and_each_gets_a_clear_answer(models):
    for model in models.values():
        for kind, text in BAD_TEXTS.items():
            r = sentiment.explain(model, text, steps=4)
            assert 0 <= r.positive <= 1 and len(r.attributions) == len(r.tokens) == len(r.known), kind
            assert np.isfinite(r.attributions).all() and len(r.tokens) <= sentiment.MAX_TOKENS, kind
        empty = sentiment.read(model, "")
        assert empty.tokens == [] and empty.positive == 0.5 and "no words" in empty.notes[0]
        huge = sentiment.read(model, BAD_TEXTS["huge"])
        assert huge.truncated and len(huge.tokens) == sentiment.MAX_TOKENS and huge.total > sentiment.MAX_TOKENS
        assert "first 400" in huge.notes[0]
        assert not sentiment.read(model, BAD_TEXTS["german"]).truncated
    assert sentiment.predict(models["sentiment_lstm"], ["", "A fine film."])[0] == 0.5


def test_attributions_give_one_number_per_token_and_add_up_to_the_change_from_the_baseline(models):
    for name, text in [("sentiment_lstm", sentiment.CRICHTON), ("sentiment_gru", sentiment.CRICHTON),
                       ("sentiment_minilm", "The book is really, really good. The movie is just dreadful.")]:
        r = sentiment.explain(models[name], text)  # the default number of steps
        assert r.attributions.shape == (len(r.tokens),) and r.attributions.dtype == np.float32
        assert r.attributions.sum() == pytest.approx(r.positive - r.baseline, abs=0.02), name  # completeness
        assert abs(r.gap) < 0.02 and not any("rough" in note for note in r.notes), name


def test_the_lecture_review_reads_negative_with_dreadful_and_worst_pulling_down(lstm):
    r = sentiment.explain(lstm, sentiment.CRICHTON)
    assert r.positive < 0.5
    share = dict(zip(r.tokens, r.attributions))
    assert share["dreadful"] < 0 and share["worst"] < 0 and share["beautifully"] > 0
    assert not r.known[r.tokens.index("horrendous")] and share["horrendous"] == 0  # unknown, as in the baseline


def test_every_model_reads_the_lecture_review_as_the_negative_review_of_a_film_it_is(models):
    for name, model in models.items():
        assert sentiment.predict(model, [sentiment.CRICHTON])[0] < 0.5, name


def test_the_lecture_review_is_in_no_training_text_and_built_reviews_carry_their_mean_rating():
    texts, ratings = movie_ratings("train")
    reviews, labels = sentiment.built_reviews(texts, ratings)
    assert len(reviews) == sentiment.REVIEWS and 0.4 < labels.mean() < 0.6
    sentences = [s.lower() for s in re.split(r"(?<=[.!?]) ", sentiment.CRICHTON)]
    assert len(sentences) == 9
    for text in texts + reviews:  # the reviews are made of the same snippets: checked all the same
        assert not any(s in text.lower() for s in sentences)
    assert "crichton" not in " ".join(texts).lower()
    rng = np.random.default_rng(0)  # the first review, drawn again by hand
    pick = rng.choice(len(texts), rng.integers(*sentiment.REVIEW_SNIPPETS, endpoint=True), replace=False)
    assert reviews[0] == " ".join(texts[i] for i in pick) and labels[0] == (ratings[pick].mean() > 0)
    assert np.array_equal(movie_snippets("train")[1], (ratings > 0).astype(np.int64))


def test_the_running_opinion_is_the_prediction_after_each_word_and_ends_at_the_full_prediction(models):
    for name in ("sentiment_lstm", "sentiment_gru"):
        model = models[name]
        r = sentiment.read(model, sentiment.CRICHTON)
        assert r.running.shape == (len(r.tokens),) and r.states.shape == (len(r.tokens), model.cfg.hidden)
        assert r.running[-1] == pytest.approx(r.positive, abs=1e-6)
        assert r.positive == pytest.approx(float(sentiment.predict(model, [sentiment.CRICHTON])[0]), abs=1e-5)
        prefix = " ".join(r.tokens[:12])
        assert r.running[11] == pytest.approx(sentiment.read(model, prefix).positive, abs=1e-5)


def test_the_shared_model_is_left_untouched_by_the_attributions(lstm):
    before = {k: v.clone() for k, v in lstm.state_dict().items()}
    sentiment.explain(lstm, sentiment.CRICHTON, steps=4)
    assert all(torch.equal(before[k], v) for k, v in lstm.state_dict().items())
    assert all(p.grad is None for p in lstm.parameters()) and not lstm.training and hooks(lstm) == 0


def test_minilm_attributions_on_the_shared_model_equal_captums_on_a_copy_and_leave_it_untouched(models):
    """MiniLM's Integrated Gradients run on the shared model without hooks or a copy: the same shares as Captum's
    LayerIntegratedGradients on a private copy, and the model's weights, gradients and hooks as they were."""
    from captum.attr import LayerIntegratedGradients
    from core.saliency import private_copy
    minilm = models["sentiment_minilm"].eval()
    before = {k: v.clone() for k, v in minilm.state_dict().items()}
    t = sentiment.to_tokens(minilm, "The book is really, really good. The movie is just dreadful.")
    shares, start = sentiment.attribute(minilm, t, steps=12)
    frozen, _ = private_copy(minilm)
    ids = torch.tensor([t.ids])
    baseline = torch.full_like(ids, minilm.tokenizer.unk_token_id)
    baseline[0, [0, -1]] = ids[0, [0, -1]]
    ig = LayerIntegratedGradients(lambda x, m: sentiment.positive(frozen(x, m)),
                                  frozen.encoder.embeddings.word_embeddings)
    reference = ig.attribute(ids, baselines=baseline, additional_forward_args=(torch.ones_like(ids),), n_steps=12,
                             internal_batch_size=5)[0].sum(-1)[1:-1]
    np.testing.assert_allclose(shares, reference.detach().numpy(), atol=1e-5)
    assert start == pytest.approx(sentiment.positive(frozen(baseline, torch.ones_like(ids))).item(), abs=1e-6)
    assert all(torch.equal(before[k], v) for k, v in minilm.state_dict().items())
    assert all(p.grad is None for p in minilm.parameters()) and hooks(minilm) == 0


def test_a_units_activations_and_the_words_that_excite_it_most(lstm):
    texts, _ = movie_snippets("train")
    words, means = sentiment.word_activations(lstm, texts[:1000], min_count=5)
    assert means.shape == (len(words), lstm.cfg.hidden) and UNK not in words and PAD not in words
    assert np.abs(means).max() <= 1  # tanh
    votes = sentiment.unit_votes(lstm)
    unit = int(np.argmax(votes))  # the unit that pushes hardest towards "positive"
    top = sentiment.top_words(words, means, unit, k=5)
    assert [v for _, v in top] == sorted((v for _, v in top), reverse=True)
    low = sentiment.top_words(words, means, unit, k=5, lowest=True)
    assert low[0][1] == means[:, unit].min() and top[0][1] == means[:, unit].max()


def test_the_training_recipe_returns_what_a_checkpoint_needs(monkeypatch, tmp_path):
    from core.training import Recipe
    monkeypatch.setattr(sentiment, "word_vectors", lambda words, dim: torch.randn(len(words), dim))
    recipe = Recipe("sentiment_gru", sentiment.DATA, seed=0, steps=6, train=sentiment.train_sentiment_gru)
    model, architecture, metrics = recipe.train(recipe, None)
    assert {"test_accuracy", "val_accuracy", "best_step", "train_accuracy"} <= set(metrics)
    entry = checkpoints.save(model, checkpoints.Entry("tiny_gru", architecture, recipe.data, 0, 6, metrics), tmp_path)
    loaded = checkpoints.load_model(entry.name, tmp_path)
    assert loaded.words == model.words
    fine = ["A fine film."]
    assert sentiment.predict(loaded, fine)[0] == pytest.approx(sentiment.predict(model, fine)[0], abs=1e-4)


def test_minilms_recipe_learns_from_snippets_and_built_reviews(monkeypatch):
    from core.training import Recipe
    small = {split: (texts[:40], labels[:40]) for split, (texts, labels) in sentiment._splits().items()}
    monkeypatch.setattr(sentiment, "_splits", lambda: small)
    read, frozen_batches = [], sentiment._frozen_batches  # every text counted, the first 60 (some reviews) read
    monkeypatch.setattr(sentiment, "_frozen_batches", lambda model, texts, labels, size: read.append(len(texts)) or
                        frozen_batches(model, texts[:60], labels[:60], size))
    recipe = Recipe("sentiment_minilm", sentiment.MINILM_DATA, seed=0, steps=2, train=sentiment.train_sentiment_minilm)
    model, architecture, metrics = recipe.train(recipe, None)
    assert read == [40 + sentiment.REVIEWS] and architecture["class"] == "MiniLMSentiment"
    assert {"test_accuracy", "val_accuracy", "best_step", "train_accuracy"} <= set(metrics)


def test_minilms_written_out_encoder_and_word_pieces_equal_hugging_faces(models):
    """The hand-written BERT (core/models/rnn.py) against transformers' BertModel and tokenizer on the same weights,
    the lecture's review, odd characters and a batch padded to its longest text."""
    from transformers import AutoModel, AutoTokenizer
    folder = minilm_path()
    ours, theirs = models["sentiment_minilm"].tokenizer, AutoTokenizer.from_pretrained(folder)
    texts = ["The book is really, really good. The movie is just dreadful.", "Ünïcödé, 東京 and [CLS] typed in!",
             "", "word " * 300]
    for text in texts:
        expected = theirs(text, add_special_tokens=False, verbose=False, split_special_tokens=True)["input_ids"]
        assert ours.pieces(text) == expected
        assert ours.tokens(expected) == theirs.convert_ids_to_tokens(expected)
    plain = [texts[0], "A dull film.", "x"]
    ids = sentiment.padded(ours.with_specials(plain))
    mask = (ids != 0).long()
    encoded = theirs(plain, padding=True, return_tensors="pt")
    assert torch.equal(ids, encoded["input_ids"]) and torch.equal(mask, encoded["attention_mask"])
    reference = AutoModel.from_pretrained(folder).eval()
    with torch.no_grad():
        difference = (Bert.pretrained(folder).eval()(ids, mask) - reference(**encoded).last_hidden_state).abs()
    assert (difference * mask[..., None]).max() < 1e-4


def test_reading_with_minilm_imports_no_transformers():
    code = ("import sys; from core import checkpoints; from core.rnn import sentiment; "
            "m = checkpoints.load_model('sentiment_minilm'); sentiment.to_tokens(m, 'Good.'); "
            "assert 'transformers' not in sys.modules, 'transformers imported'")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
