"""Sentiment prediction, the lecture's application of RNNs: a network reads a review word by word and says whether it
is positive. Which words swayed it (Integrated Gradients), how its opinion moved as it read (the prediction after
each word), what single units of its memory respond to (LSTMVis), and a pretrained transformer to compare with.

The models learn from the Rotten Tomatoes snippets (one sentence each); `CRICHTON` is the lecture's longer review.
"""
import copy
import html
import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, replace
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from captum.attr import LayerIntegratedGradients
from captum.attr._utils.approximation_methods import approximation_parameters
from torch import nn

from core.device import to_numpy
from core.models.rnn import (
    PAD,
    UNK,
    MiniLMConfig,
    MiniLMSentiment,
    RNNConfig,
    SentimentRNN,
    encode_words,
)
from core.saliency import private_copy
from core.training import Adam, cosine_rate, fit

MAX_TOKENS = 400  # longer texts are cut here, and say so; the training snippets have at most about 70 tokens
MIN_COUNT = 2  # a word seen fewer times in the training split is read as <unk>
IG_STEPS = 128  # points on the path from the baseline to the text: an RNN's path has steep stretches
MINILM_IG_STEPS = 32  # MiniLM's path is smooth, and each of its points costs far more
MINILM_PIECE_PASSES = 2048  # path points × word pieces per explanation: fewer points for a longer text
MINILM_MIN_STEPS = 8
MINILM_IG_BATCH = 4  # path points per MiniLM pass: 16 took 3.3–4.0 s and 115 MB more for the review, 4 took 2.1–2.6 s
GAP_WARNING = 0.05  # attributions that miss the change in P(positive) by more than this come with a warning
WORD_DROPOUT = 0.1  # share of training words hidden as <unk>: the network learns to read past unknown words
DATA = ("Rotten Tomatoes snippets (Pang & Lee, vaderSentiment 3.3.2): 8,454 train / 1,057 val (model selection) / "
        "1,057 test")
REVIEWS = 1500  # reviews of several training snippets each, built for MiniLM (`built_reviews`)
REVIEW_SNIPPETS = (2, 8)
MINILM_DATA = f"{DATA}; and {REVIEWS:,} reviews of 2 to 8 train snippets, labelled by their mean rating"

TOKEN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")  # a word (with its apostrophes: can't, Crichton's) or one other mark
TAG = re.compile(r"<[^>]*>")
CRICHTON = (
    "This is one of Crichton's best books. The characters of Karen Ross, Peter Elliot, Munro, and Amy are beautifully "
    "developed and their interactions are exciting, complex, and fast-paced throughout this impressive novel. And "
    "about 99.8 percent of that got lost in the film. Seriously, the screenplay AND the directing were horrendous and "
    "clearly done by people who could not fathom what was good about the novel. I can't fault the actors because "
    "frankly, they never had a chance to make this turkey live up to Crichton's original work. I know good novels, "
    "especially those with a science fiction edge, are hard to bring to the screen in a way that lives up to the "
    "original. But this may be the absolute worst disparity in quality between novel and screen adaptation ever. The "
    "book is really, really good. The movie is just dreadful.")  # the lecture's example: a negative review of a film


def clean(text: str) -> str:
    """The text without HTML tags or entities (<br/>, &amp;), its accents composed (é, not e + ´)."""
    return unicodedata.normalize("NFC", html.unescape(TAG.sub(" ", text)))


def tokenise(text: str) -> list[str]:
    """Lower-case words and punctuation marks, in reading order; an emoji or other symbol is a token of its own."""
    return TOKEN.findall(clean(text).lower())


def build_vocabulary(texts: list[str], min_count: int = MIN_COUNT) -> list[str]:
    """<pad>, <unk>, then every word seen at least `min_count` times, most frequent first."""
    counts = Counter(word for text in texts for word in tokenise(text))
    return [PAD, UNK] + sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))


@dataclass
class Tokens:
    """A text as a model reads it: its tokens (cut to MAX_TOKENS), their ids, and how many the whole text had."""
    tokens: list[str]
    ids: list[int]  # MiniLM's start with [CLS] and end with [SEP], which `tokens` leave out
    known: list[bool]  # False where the token is not in the vocabulary and was read as <unk> ([UNK])
    total: int


def to_tokens(model: nn.Module, text: str, max_tokens: int = MAX_TOKENS) -> Tokens:
    """Words (LSTM, GRU) or word pieces (MiniLM) of a text, as ids of the model's vocabulary."""
    if isinstance(model, MiniLMSentiment):
        tok = model.tokenizer
        pieces = tok.pieces(clean(text))
        ids = pieces[:max_tokens]
        return Tokens(tok.tokens(ids), [tok.cls_token_id, *ids, tok.sep_token_id],
                      [i != tok.unk_token_id for i in ids], len(pieces))
    words = tokenise(text)
    unk = model.index[UNK]
    ids = [model.index.get(w, unk) for w in words[:max_tokens]]
    return Tokens(words[:max_tokens], ids, [i != unk for i in ids], len(words))


def padded(rows: list[list[int]]) -> torch.Tensor:
    """Id lists as one (B, T) tensor, padded at the end with id 0 (<pad>, [PAD])."""
    out = torch.zeros(len(rows), max(map(len, rows), default=0), dtype=torch.long)
    for i, row in enumerate(rows):
        out[i, :len(row)] = torch.tensor(row, dtype=torch.long)
    return out


def positive(logits: torch.Tensor) -> torch.Tensor:
    """P(positive) from two-class logits."""
    return logits.softmax(-1)[..., 1]


@torch.no_grad()
def predict(model: nn.Module, texts: list[str], batch: int = 256) -> np.ndarray:
    """P(positive) for each text (0.5 for one with no words), in batches of similar length."""
    rows = [to_tokens(model, text).ids for text in texts]
    empty = 2 if isinstance(model, MiniLMSentiment) else 0  # MiniLM's [CLS] and [SEP]
    out = np.full(len(texts), 0.5, dtype=np.float32)
    order = [i for i in np.argsort([len(r) for r in rows], kind="stable") if len(rows[i]) > empty]
    dev = next(model.parameters()).device
    for start in range(0, len(order), batch):
        chunk = order[start:start + batch]
        out[chunk] = to_numpy(positive(model(padded([rows[i] for i in chunk]).to(dev))).float())
    return out


def accuracy(model: nn.Module, texts: list[str], labels: np.ndarray) -> float:
    """The share of texts whose predicted side (P(positive) above one half or not) matches the label."""
    return float(((predict(model, texts) > 0.5) == np.asarray(labels).astype(bool)).mean())


@dataclass
class Reading:
    """What a model made of one text, token by token."""
    tokens: list[str]  # as the model read them: lower-case words (LSTM, GRU) or word pieces (MiniLM)
    known: list[bool]  # False where the token was read as <unk> ([UNK]): not in the vocabulary
    positive: float  # P(positive) for the whole text; 0.5 for a text with no words
    total: int  # tokens in the whole text; more than len(tokens) when it was cut to MAX_TOKENS
    running: np.ndarray | None = None  # (T,) P(positive) after each token: the opinion as it reads (LSTM, GRU)
    states: np.ndarray | None = None  # (T, hidden) the hidden state after each token (LSTM, GRU)
    attributions: np.ndarray | None = None  # (T,) each token's share of positive − baseline (from `explain`)
    baseline: float = 0.5  # P(positive) with every word unknown, where the attributions start

    @property
    def gap(self) -> float:
        """What the attributions leave unexplained: (positive − baseline) − their sum; near 0 when they add up."""
        return 0.0 if self.attributions is None else self.positive - self.baseline - float(self.attributions.sum())

    @property
    def truncated(self) -> bool:
        return self.total > len(self.tokens)

    @property
    def notes(self) -> list[str]:
        """Plain remarks for the reader: no words, a cut text, unknown words."""
        if not self.tokens:
            return ["There are no words to read: type or paste a review."]
        notes = [f"Only the first {len(self.tokens):,} of {self.total:,} tokens were read."] if self.truncated else []
        unknown = len(self.known) - sum(self.known)
        if unknown:
            notes.append(f"{unknown} of {len(self.tokens)} tokens are not in the vocabulary and were read as unknown"
                         + (": the model learnt from English film reviews." if unknown > len(self.tokens) / 2 else "."))
        if abs(self.gap) > GAP_WARNING:
            notes.append(f"The word attributions add up to {self.positive - self.baseline - self.gap:+.2f} of the "
                         f"{self.positive - self.baseline:+.2f} change: read them as rough.")
        return notes


@torch.no_grad()
def read(model: nn.Module, text: str, max_tokens: int = MAX_TOKENS) -> Reading:
    """The model's prediction for a text (its first `max_tokens` tokens) and, for an RNN, its opinion and hidden state
    after each token."""
    t = to_tokens(model, text, max_tokens)
    reading = Reading(t.tokens, t.known, 0.5, t.total)
    if not t.tokens:
        return reading
    ids = torch.tensor([t.ids], device=next(model.parameters()).device)
    if isinstance(model, MiniLMSentiment):
        return replace(reading, positive=positive(model(ids)).item())
    states = model.states(ids)  # (1, T, hidden)
    running = to_numpy(positive(model.head(states))[0].float())
    return replace(reading, positive=float(running[-1]), running=running, states=to_numpy(states[0].float()))


def _embedding(model: nn.Module) -> nn.Module:
    return model.encoder.embeddings.word_embeddings if isinstance(model, MiniLMSentiment) else model.embedding


def attribute(model: nn.Module, t: Tokens, steps: int) -> tuple[np.ndarray, float]:
    """Integrated Gradients on the word embeddings: each token's share of P(positive | text) − P(positive | baseline).
    The baseline is the same text with every word replaced by the unknown word (<unk>, [UNK]): a text of this length
    in which the network knows no word. (From all-<pad> embeddings instead, the LSTM's state flips abruptly part
    of the way along the path, and the shares stop adding up.) Returns the shares (T,) and P(positive | baseline).
    The RNNs' run on a private copy of the model, so the shared one never carries hooks; MiniLM's need none."""
    if isinstance(model, MiniLMSentiment):
        return _minilm_shares(model, t, steps)
    frozen, lock = private_copy(model)
    with lock, torch.backends.cudnn.flags(enabled=False):  # cuDNN's LSTM cannot run backwards in eval mode
        frozen.load_state_dict(model.state_dict())
        dev = next(frozen.parameters()).device
        ids = torch.tensor([t.ids], device=dev)
        baseline = torch.full_like(ids, model.index[UNK])
        extra = (torch.tensor([ids.shape[1]], device=dev),)
        ig = LayerIntegratedGradients(lambda x, e: positive(frozen(x, e)), _embedding(frozen))
        shares = ig.attribute(ids, baselines=baseline, additional_forward_args=extra, n_steps=steps,
                              internal_batch_size=steps)
        with torch.no_grad():
            start = positive(frozen(baseline, *extra)).item()
    return to_numpy(shares[0].sum(-1).float()), start


def _minilm_shares(model: MiniLMSentiment, t: Tokens, steps: int) -> tuple[np.ndarray, float]:
    """`attribute` for MiniLM, on the shared model itself: the path runs through the word-piece embeddings given as
    inputs (no hooks), and torch.autograd.grad leaves the weights untouched, so no copy of its 90 MB is needed. The
    path's points and weights are Captum's (Gauss–Legendre), as LayerIntegratedGradients uses them (tested)."""
    dev = next(model.parameters()).device
    ids = torch.tensor([t.ids], device=dev)
    baseline = torch.full_like(ids, model.tokenizer.unk_token_id)
    baseline[0, [0, -1]] = ids[0, [0, -1]]  # [CLS] and [SEP] stay
    mask = torch.ones_like(ids)
    sizes, alphas = approximation_parameters("gausslegendre")
    with torch.no_grad():
        words, start_words = _embedding(model)(ids), _embedding(model)(baseline)
        start = positive(model.upper(model.lower(None, mask, start_words), mask)).item()
    total = torch.zeros_like(words[0])
    for first in range(0, steps, MINILM_IG_BATCH):
        a = torch.tensor(alphas(steps)[first:first + MINILM_IG_BATCH], device=dev, dtype=words.dtype)
        w = torch.tensor(sizes(steps)[first:first + MINILM_IG_BATCH], device=dev, dtype=words.dtype)
        points = (start_words + a[:, None, None] * (words - start_words)).requires_grad_(True)
        masks = mask.expand(len(a), -1)
        p = positive(model.upper(model.lower(None, masks, points), masks)).sum()
        (gradient,) = torch.autograd.grad(p, points)
        total += (gradient * w[:, None, None]).sum(0)
    shares = (total * (words[0] - start_words[0])).sum(-1)
    return to_numpy(shares[1:-1].float()), start


def minilm_steps(pieces: int) -> int:
    """Path points for MiniLM's Integrated Gradients over `pieces` word pieces: MINILM_IG_STEPS for a snippet, fewer
    for a long text (so a whole review costs about as much as 128 pieces at 32 points), never under
    MINILM_MIN_STEPS. 11 points for the lecture's review still add up to within 0.05 of the change."""
    return max(MINILM_MIN_STEPS, min(MINILM_IG_STEPS, MINILM_PIECE_PASSES // max(1, pieces)))


def explain(model: nn.Module, text: str, steps: int | None = None, max_tokens: int = MAX_TOKENS) -> Reading:
    """`read`, with each token's attribution (Integrated Gradients, `steps` points on the path; by default IG_STEPS,
    for MiniLM `minilm_steps` of its pieces). `max_tokens` can explain only the first tokens."""
    reading = read(model, text, max_tokens)
    if not reading.tokens:
        return replace(reading, attributions=np.zeros(0, np.float32))
    steps = steps or (minilm_steps(len(reading.tokens) + 2) if isinstance(model, MiniLMSentiment) else IG_STEPS)
    shares, start = attribute(model, to_tokens(model, text, max_tokens), steps)
    return replace(reading, attributions=shares, baseline=start)


# What the units learned (LSTMVis, Strobelt et al. 2017): one unit of the hidden state, followed over a text or
# across the whole corpus.

@torch.no_grad()
def word_activations(model: SentimentRNN, texts: list[str], min_count: int = 5,
                     batch: int = 256) -> tuple[list[str], np.ndarray]:
    """Each unit's mean activation on each word, over every place the word occurs in `texts` (words seen at least
    `min_count` times, <unk> aside): the words and a (words, hidden) array. One pass; compute once and keep."""
    dev = next(model.parameters()).device
    sums = torch.zeros(len(model.words), model.cfg.hidden, device=dev)
    counts = torch.zeros(len(model.words), device=dev)
    for start in range(0, len(texts), batch):
        ids = padded([to_tokens(model, text).ids for text in texts[start:start + batch]]).to(dev)
        real = ids != 0  # the RNN reads left to right: padding at the end changes no earlier state
        sums.index_add_(0, ids[real], model.states(ids)[real].float())
        counts.index_add_(0, ids[real], torch.ones(int(real.sum()), device=dev))
    counts[model.index[UNK]] = 0
    keep = (counts >= min_count).nonzero()[:, 0]
    means = to_numpy(sums[keep] / counts[keep, None])
    return [model.words[i] for i in keep.tolist()], means


def top_words(words: list[str], means: np.ndarray, unit: int, k: int = 10,
              lowest: bool = False) -> list[tuple[str, float]]:
    """The k words on which `unit` is most active on average (most negative, if `lowest`), strongest first."""
    column = means[:, unit] * (-1 if lowest else 1)
    order = np.argsort(-column, kind="stable")[:k]
    return [(words[i], float(means[i, unit])) for i in order]


def word_positivity(words: list[str], texts: list[str], labels: np.ndarray) -> np.ndarray:
    """For each word, the share of the texts containing it that people rated positive (0.5 for a word in none)."""
    index = {w: i for i, w in enumerate(words)}
    positive, seen = np.zeros(len(words)), np.zeros(len(words))
    for text, label in zip(texts, labels):
        rows = [index[w] for w in set(tokenise(text)) if w in index]
        positive[rows] += float(label)
        seen[rows] += 1
    return np.where(seen > 0, positive / np.maximum(seen, 1), 0.5)


def end_positivity(means: np.ndarray, positivity: np.ndarray, k: int = 8) -> np.ndarray:
    """For each unit, the mean positivity (`word_positivity`) of the k words that turn it on most and of the k that
    turn it off most (highest and lowest mean activation, `word_activations`): (hidden, 2)."""
    order = np.argsort(-means, axis=0, kind="stable")  # (words, hidden), most active first
    return np.stack([positivity[order[:k]].mean(0), positivity[order[-k:]].mean(0)], axis=1)


def sentiment_unit(votes: np.ndarray, ends: np.ndarray, strongest: float = 0.25) -> int:
    """A unit that shows what a sentiment unit is: among the `strongest` share of units that push the prediction
    hardest (`unit_votes`), the one whose words at the two ends (`end_positivity`) differ most in sentiment, in the
    direction it pushes (on for scorn and pushing towards negative, or on for praise and pushing towards positive)."""
    candidates = np.argsort(-np.abs(votes), kind="stable")[:max(1, round(len(votes) * strongest))]
    contrast = (ends[candidates, 0] - ends[candidates, 1]) * np.sign(votes[candidates])
    return int(candidates[np.argmax(contrast)])


def unit_votes(model: SentimentRNN) -> np.ndarray:
    """How far each unit of the last state pushes the prediction towards positive (+) or negative (−): the head's
    weight for "positive" minus its weight for "negative", (hidden,). Large magnitudes mark the sentiment units."""
    weight = model.head.weight.detach().float().cpu()
    return to_numpy(weight[1] - weight[0])


# Training: the recipes for the shipped checkpoints, with core.recipes' signature (recipe, on_progress) → model,
# architecture, metrics.

@dataclass
class Selection:
    """Model selection on the val split (the test split is never looked at): measured every `every` steps and at
    the end, the best weights kept. Called with each step's progress, which it passes on."""
    model: nn.Module
    val: tuple[list[str], np.ndarray]
    every: int
    on_progress: Callable[[int, int, float], None] | None = None
    val_accuracy: float = -1.0
    best_step: int = 0
    state: dict | None = None

    def __call__(self, step: int, steps: int, loss: float) -> None:
        if step % self.every == 0 or step == steps:
            score = accuracy(self.model.eval(), *self.val)
            if score > self.val_accuracy:
                self.val_accuracy, self.best_step = round(score, 4), step
                self.state = copy.deepcopy(self.model.state_dict())
            self.model.train()
        if self.on_progress is not None:
            self.on_progress(step, steps, loss)

    def best(self) -> dict:
        """Put the best weights back in the model; their val accuracy and step, for the metrics."""
        self.model.load_state_dict(self.state)
        return {"val_accuracy": self.val_accuracy, "best_step": self.best_step}


def _splits() -> dict[str, tuple[list[str], np.ndarray]]:
    from core.data.text import movie_snippets
    return {split: movie_snippets(split) for split in ("train", "val", "test")}


def _metrics(model: nn.Module, data: dict, selection: dict) -> dict:
    """Accuracies of the model with its weights rounded to fp16, as checkpoints.save stores them: as shipped."""
    model.eval().load_state_dict({k: v.half().float() if v.is_floating_point() else v
                                  for k, v in model.state_dict().items()})
    return {"test_accuracy": round(accuracy(model, *data["test"]), 4), **selection,
            "train_accuracy": round(accuracy(model, *data["train"]), 4)}


@torch.no_grad()
def word_vectors(words: list[str], dim: int, batch: int = 512) -> torch.Tensor:
    """Each word as all-MiniLM-L6-v2 sees it on its own (the mean of its token vectors), cut to `dim` numbers by PCA
    and scaled to unit spread: (words, dim). A head start for an RNN's embedding, as Kim (2014) started from
    word2vec: 8,454 snippets are too few to learn what every word means."""
    minilm = MiniLMSentiment(MiniLMConfig()).eval()
    vectors = []
    for start in range(0, len(words), batch):
        ids = padded(minilm.tokenizer.with_specials(words[start:start + batch]))
        mask = (ids != 0).long()
        hidden = minilm.encoder(ids, mask)
        vectors.append((hidden * mask[..., None]).sum(1) / mask[..., None].sum(1))
    centred = torch.cat(vectors) - torch.cat(vectors).mean(0)
    projected = centred @ torch.linalg.svd(centred, full_matrices=False).Vh[:dim].T
    return projected / projected.std()


def train_rnn(recipe, on_progress, cell: str, checks: int = 10) -> tuple[nn.Module, dict, dict]:
    """An LSTM or GRU on the training snippets with core.training.fit, its embedding started from MiniLM's word
    vectors, WORD_DROPOUT of the words hidden as <unk>; of `checks` points on the way, the best on val is kept."""
    data = _splits()
    texts, labels = data["train"]
    words = build_vocabulary(texts)
    cfg = RNNConfig(len(words), len(encode_words(words)), cell=cell)
    torch.manual_seed(recipe.seed)
    model = SentimentRNN(cfg, words)
    with torch.no_grad():
        model.embedding.weight[2:] = word_vectors(words[2:], cfg.embed)  # <pad> stays 0, <unk> is learnt
    X = padded([to_tokens(model, text).ids for text in texts])

    def augment(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        xb = xb[:, :max(1, int((xb != 0).sum(1).max()))]  # cut after the batch's longest snippet
        hide = (torch.rand(xb.shape, generator=g) < WORD_DROPOUT) & (xb != 0)
        return xb.masked_fill(hide, model.index[UNK])

    select = Selection(model, data["val"], max(1, recipe.steps // checks), on_progress)
    fit(model, X, torch.tensor(labels), steps=recipe.steps, batch_size=64, lr=2e-3, seed=recipe.seed,
        augment=augment, on_progress=select, progress_every=1)
    metrics = _metrics(model, data, select.best())
    return model, {"class": "SentimentRNN", "config": asdict(cfg)}, metrics


def train_sentiment_lstm(recipe, on_progress=None) -> tuple[nn.Module, dict, dict]:
    return train_rnn(recipe, on_progress, "lstm")


def train_sentiment_gru(recipe, on_progress=None) -> tuple[nn.Module, dict, dict]:
    return train_rnn(recipe, on_progress, "gru")


def built_reviews(texts: list[str], ratings: np.ndarray, count: int = REVIEWS,
                  seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Reviews of several sentences, as the lecture's is, built from training snippets: `count` runs of 2 to 8
    snippets drawn at random, each labelled by the sign of its snippets' mean human rating (a tie is left out).
    MiniLM averages its token vectors over the whole text: read only single sentences, it has never had to weigh
    a paragraph of praise against a line of scorn."""
    rng = np.random.default_rng(seed)
    reviews, labels = [], []
    for _ in range(count):
        pick = rng.choice(len(texts), rng.integers(*REVIEW_SNIPPETS, endpoint=True), replace=False)
        mean = ratings[pick].mean()
        if mean != 0:
            reviews.append(" ".join(texts[i] for i in pick))
            labels.append(int(mean > 0))
    return reviews, np.array(labels, dtype=np.int64)


@torch.no_grad()
def _frozen_batches(model: MiniLMSentiment, texts: list[str], labels: np.ndarray,
                    batch_size: int) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Batches of snippets of similar length (little padding) as the frozen layers leave them, computed once."""
    rows = [to_tokens(model, text).ids for text in texts]
    order = np.argsort([len(r) for r in rows], kind="stable")
    dev = next(model.parameters()).device
    batches = []
    for start in range(0, len(order), batch_size):
        chunk = order[start:start + batch_size]
        ids = padded([rows[i] for i in chunk]).to(dev)
        mask = (ids != 0).long()
        batches.append((model.lower(ids, mask), mask, torch.tensor(labels[chunk], device=dev)))
    return batches


def train_sentiment_minilm(recipe, on_progress=None, checks: int = 3, batch_size: int = 32,
                           lr: float = 1e-4) -> tuple[nn.Module, dict, dict]:
    """all-MiniLM-L6-v2's top layers fine-tuned, with a new head, on the training snippets and reviews built from
    them: Adam with a cosine-decaying learning rate over shuffled batches of similar-length texts; of `checks` points
    on the way, the best on val (snippets) is kept."""
    from core.data.text import movie_ratings
    from core.device import device
    data = _splits()
    cfg = MiniLMConfig()
    torch.manual_seed(recipe.seed)
    model = MiniLMSentiment(cfg).to(device()).eval()
    texts, labels = data["train"]
    reviews, review_labels = built_reviews(*movie_ratings("train"), seed=recipe.seed)
    batches = _frozen_batches(model, texts + reviews, np.concatenate([labels, review_labels]), batch_size)
    select = Selection(model, data["val"], max(1, recipe.steps // checks), on_progress)
    opt = Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    g = torch.Generator().manual_seed(recipe.seed)
    model.train()
    for step in range(recipe.steps):
        if step % len(batches) == 0:
            order = torch.randperm(len(batches), generator=g).tolist()
        hidden, mask, y = batches[order[step % len(batches)]]
        opt.param_groups[0]["lr"] = cosine_rate(lr, step, recipe.steps)
        loss = F.cross_entropy(model.upper(hidden, mask), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        select(step + 1, recipe.steps, loss.item())
    metrics = _metrics(model, data, select.best())
    return model, {"class": "MiniLMSentiment", "config": asdict(cfg)}, metrics
