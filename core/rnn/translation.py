"""What do RNNs learn? German → English translation with attention, as Seq2Seq-Vis shows it: the words the encoder
reads, the attention of each English word over the German ones, the beam search tree, the nearest encoder words.

The shipped model (`translator`) is a GRU encoder-decoder trained here on the Ding dictionary's example sentences.
A Hugging Face Marian model (opus-mt-de-en) can stand in for it where the user already has one on disk.
"""
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import sacrebleu
import torch
import torch.nn.functional as F
from torch import nn

from core import retrieval
from core.device import device, to_numpy
from core.models.seq2seq import BOS, EOS, PAD, SPECIALS, UNK, Seq2Seq, Seq2SeqConfig
from core.training import Adam, Progress, Recipe, cosine_rate, shuffled_batches

TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")  # a word (with inner hyphens or apostrophes) or one symbol
MAX_SOURCE_CHARS = 1000  # longer text is cut here, and flagged
MAX_SOURCE_WORDS = 40  # the training sentences have at most 17
MAX_SOURCE_PIECES = 128  # Marian's subword pieces
PRESET = "die längsten reisen fangen an , wenn es auf den straßen dunkel wird ."  # the lecture's Seq2Seq-Vis example

MIN_COUNT = 2  # a word seen once in training is <unk>, so the model meets <unk> while it learns
WORD_DROPOUT = 0.1  # share of German words hidden as <unk> in each training batch
BATCH = 64
NEVER_WRITTEN = (PAD, BOS, UNK)  # the decoder may not choose these: an English <unk> would tell the class nothing
LR = 2e-3


def tokenize(text: str) -> tuple[list[str], bool]:
    """Lower-case words and punctuation split off, at most MAX_SOURCE_WORDS of them; True where text was cut."""
    words = TOKEN.findall(text[:MAX_SOURCE_CHARS].lower())
    return words[:MAX_SOURCE_WORDS], len(text) > MAX_SOURCE_CHARS or len(words) > MAX_SOURCE_WORDS


def detokenize(tokens: list[str]) -> str:
    """Words back to a sentence: no </s>, punctuation attached, a capital first letter."""
    text = re.sub(r" ([.,!?;:])", r"\1", " ".join(t for t in tokens if t != SPECIALS[EOS]))
    return text[:1].upper() + text[1:]


def vocabulary(sentences: list[list[str]], min_count: int = MIN_COUNT) -> list[str]:
    """The specials, then every word seen at least `min_count` times, most frequent first."""
    counts = Counter(w for words in sentences for w in words)
    return [*SPECIALS, *sorted((w for w, n in counts.items() if n >= min_count), key=lambda w: (-counts[w], w))]


def to_ids(words: list[str], index: dict[str, int]) -> list[int]:
    return [index.get(w, UNK) for w in words]


@dataclass
class Node:
    """One hypothesis of the beam search tree: its parent's words and one more."""
    id: int
    parent: int  # -1 for the root (the start symbol)
    step: int  # its number of words; 0 for the root
    word: int  # the word's index in the vocabulary
    token: str
    score: float  # log P(its words | German): the parent's score + log P(this word)
    finished: bool  # this word is </s>


@dataclass
class Hypothesis:
    """One final beam: its words (ending in </s> if finished) and the attention that wrote each of them."""
    tokens: list[str]
    ids: list[int]
    score: float  # cumulative log-probability
    node: int  # its last node in the tree
    attention: np.ndarray  # (len(tokens), source)
    finished: bool

    @property
    def normalised(self) -> float:
        """Log-probability per word: beams are ranked by it, so short translations are not favoured."""
        return self.score / max(1, len(self.tokens))


@dataclass
class Translation:
    """German in, English out, with everything Seq2Seq-Vis draws."""
    words: list[str]  # the German as read (the shipped model: lower-case words; Marian: subword pieces)
    source: list[str]  # as the encoder sees it: unknown words as <unk>
    beams: list[Hypothesis]  # best first; empty for empty input
    tree: list[Node]  # every hypothesis kept at every step; tree[0] is the root
    text: str  # the best translation as a sentence
    truncated: bool = False  # the input was longer than the model reads and was cut
    target: list[str] = field(init=False)  # the best beam's words
    attention: np.ndarray = field(init=False)  # (target, source): row t says where English word t looked; sums to 1

    def __post_init__(self) -> None:
        best = self.beams[0] if self.beams else None
        self.target = best.tokens if best else []
        self.attention = best.attention if best else np.zeros((0, len(self.source)), np.float32)

    @property
    def unknown(self) -> list[str]:
        """The German words the model has no vector for."""
        return [w for w, s in zip(self.words, self.source) if s == SPECIALS[UNK]]


Step = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor, torch.Tensor]]


def beam_search(step: Step, state: torch.Tensor, start: int, end: int, name: Callable[[int], str], beam: int,
                max_len: int, banned: tuple[int, ...] = (),
                forced: tuple[int, ...] = ()) -> tuple[list[Node], list[Hypothesis]]:
    """Keep the `beam` most probable partial translations; extend each by every word; keep the best again. A
    hypothesis that ends in </s> is set aside and the beam narrows by one; beam 1 is greedy decoding.

    `step(last words (k,), state)` gives log-probabilities (k, V), attention (k, S) and the new state, whose first
    axis indexes the k hypotheses. Banned words are never chosen; the first words are `forced` ones (Seq2Seq-Vis's
    *pivot*: a word chosen by hand, and the search goes on from it), each with its own log-probability."""
    if beam < 1:
        raise ValueError(f"The beam holds at least one hypothesis, not {beam}.")
    nodes = [Node(0, -1, 0, start, name(start), 0.0, False)]
    attention: list[np.ndarray] = [np.zeros(0, np.float32)]
    live, words, scores, done = [0], torch.tensor([start]), torch.zeros(1), []
    for t in range(1, max_len + 1):
        logp, attn, state = step(words.to(state.device), state)
        logp, attn = logp.float().cpu(), to_numpy(attn.float())
        logp[:, list(banned)] = float("-inf")
        if t <= len(forced):
            chosen = logp[:, forced[t - 1]].clone()
            logp.fill_(float("-inf"))[:, forced[t - 1]] = chosen
        total = (scores[:, None] + logp).flatten()
        top = total.topk(min(beam - len(done), total.numel(), max(1, int(total.isfinite().sum()))))
        rows, picks = (top.indices // logp.shape[1]).tolist(), (top.indices % logp.shape[1]).tolist()
        keep = []
        for row, word, score in zip(rows, picks, top.values.tolist()):
            nodes.append(Node(len(nodes), live[row], t, word, name(word), score, word == end))
            attention.append(attn[row])
            (done if word == end else keep).append((row, word, len(nodes) - 1))
        live = [n for _, _, n in keep]
        if not keep:
            break
        state = state[torch.tensor([r for r, _, _ in keep], device=state.device)]
        words, scores = torch.tensor([w for _, w, _ in keep]), torch.tensor([nodes[n].score for n in live])
    finals = [_trace(nodes, attention, n) for _, _, n in done] + [_trace(nodes, attention, n) for n in live]
    return nodes, sorted(finals, key=lambda h: -h.normalised)


def _trace(nodes: list[Node], attention: list[np.ndarray], last: int) -> Hypothesis:
    """Walk from a node (not the root) back to the root: the hypothesis it ends."""
    path = []
    while last > 0:
        path.append(last)
        last = nodes[last].parent
    path.reverse()
    end = nodes[path[-1]]
    return Hypothesis([nodes[n].token for n in path], [nodes[n].word for n in path], end.score, end.id,
                      np.stack([attention[n] for n in path]), end.finished)


def default_max_len(source_length: int) -> int:
    return 2 * source_length + 5


@torch.no_grad()
def translate(model: Seq2Seq, german: str, beam: int = 5, max_len: int | None = None, prefix: tuple[int, ...] = (),
              pin: tuple[int, tuple[int, ...]] | None = None) -> Translation:
    """Translate with beam search (beam 1: greedy). The model must be in eval mode; it is not changed.

    Seq2Seq-Vis's interventions: `prefix`, English word ids the translation must start with (a *pivot*: the best
    words up to a step, then another one); `pin` = (position, German positions): the English word at that position
    attends to those German words, evenly, instead of where the decoder would look (a *change*)."""
    words, truncated = tokenize(german)
    vocab, targets = model.source_words, model.target_words
    ids = to_ids(words, {w: i for i, w in enumerate(vocab)})
    source = [vocab[i] for i in ids]
    if not ids:
        return Translation(words, source, [], [Node(0, -1, 0, BOS, SPECIALS[BOS], 0.0, False)], "", truncated)
    dev = next(model.parameters()).device
    memory, state, mask = model.encode(torch.tensor([ids], device=dev), torch.tensor([len(ids)]))

    pinned = None
    if pin is not None and [i for i in pin[1] if 0 <= i < len(ids)]:
        pinned = torch.zeros(1, len(ids), device=dev)
        pinned[0, [i for i in pin[1] if 0 <= i < len(ids)]] = 1
        pinned /= pinned.sum()
    limit = max(max_len or default_max_len(len(ids)), len(prefix) + 1)
    written = iter(range(limit))

    def step(last: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        k, t = len(last), next(written)
        logits, attention, state = model.decode(last[:, None], state, memory.expand(k, -1, -1), mask.expand(k, -1),
                                                pinned.expand(k, -1) if pinned is not None and t == pin[0] else None)
        return logits[:, 0].log_softmax(-1), attention[:, 0], state

    tree, beams = beam_search(step, state, BOS, EOS, targets.__getitem__, beam, limit, banned=NEVER_WRITTEN,
                              forced=tuple(prefix))
    return Translation(words, source, beams, tree, detokenize(beams[0].tokens), truncated)


@torch.no_grad()
def next_words(model: Seq2Seq, german: str, prefix: tuple[int, ...] = (), k: int = 8) -> list[tuple[int, float]]:
    """The `k` most probable English words (ids, probabilities) after the words `prefix`: what a *pivot* chooses
    from. Nothing for empty input."""
    ids = to_ids(tokenize(german)[0], {w: i for i, w in enumerate(model.source_words)})
    if not ids:
        return []
    dev = next(model.parameters()).device
    memory, state, mask = model.encode(torch.tensor([ids], device=dev), torch.tensor([len(ids)]))
    logits, _, _ = model.decode(torch.tensor([[BOS, *prefix]], device=dev), state, memory, mask)
    p = logits[0, -1].float().softmax(-1)
    p[list(NEVER_WRITTEN)] = 0
    top = p.topk(k)
    return list(zip(top.indices.tolist(), top.values.tolist()))


LECTURE_REFERENCE = "the longest journeys begin when it gets dark in the streets"


def chrf(hypothesis: str, reference: str) -> float:
    """chrF (sacreBLEU, case-insensitive as BLEU here): character n-gram F-score of one translation, 0 to 100."""
    return round(sacrebleu.sentence_chrf(hypothesis.lower(), [reference.lower()]).score, 1)


@torch.no_grad()
def greedy(model: Seq2Seq, sentences: list[list[str]], max_len: int | None = None) -> list[list[str]]:
    """Greedy decoding of many tokenised sentences at once (for BLEU): the most probable word at each step.
    The same words as `translate(..., beam=1)`; nothing for an empty sentence."""
    index, targets = {w: i for i, w in enumerate(model.source_words)}, model.target_words
    dev = next(model.parameters()).device
    ids = [torch.tensor(to_ids(s, index) or [UNK]) for s in sentences]  # an empty one is read, then dropped
    lengths = torch.tensor([len(i) for i in ids])
    limits = lengths.mul(2).add(5) if max_len is None else torch.full_like(lengths, max_len)
    memory, state, mask = model.encode(nn.utils.rnn.pad_sequence(ids, True, PAD).to(dev), lengths)
    last, out = torch.full((len(ids), 1), BOS, device=dev), []
    ended = torch.zeros(len(ids), dtype=torch.bool, device=dev)
    for _ in range(int(limits.max())):
        logits, _, state = model.decode(last, state, memory, mask)
        logp = logits[:, 0].log_softmax(-1)
        logp[:, list(NEVER_WRITTEN)] = float("-inf")
        last = logp.argmax(-1, keepdim=True)
        out.append(last[:, 0].cpu())
        ended |= last[:, 0] == EOS
        if ended.all():
            break
    result = []
    for words, row, limit in zip(sentences, torch.stack(out, 1).tolist(), limits.tolist()):
        row = row[:limit]
        result.append([targets[i] for i in (row[:row.index(EOS) + 1] if EOS in row else row)] if words else [])
    return result


def nearest_source_words(model: Seq2Seq, word: str, k: int = 8) -> list[tuple[str, float]]:
    """The German words whose encoder embeddings point the most the same way as `word`'s, with their cosine
    similarity, best first; [] for a word the model does not know."""
    vocab = model.source_words[len(SPECIALS):]
    if word.lower() not in vocab:
        return []
    bank = retrieval.normalise(to_numpy(model.source_embedding.weight[len(SPECIALS):].detach().float()))
    i = vocab.index(word.lower())
    return [(vocab[j], float(bank[j] @ bank[i])) for j in retrieval.nearest(bank[i], bank, k, exclude=i)]


def bleu(model: Seq2Seq, pairs: list[tuple[str, str]], beam: int = 1) -> float:
    """Corpus BLEU of the model on (German, English) pairs: sacreBLEU, 13a tokenisation, case-insensitive (the
    model writes lower case)."""
    german = [tokenize(de)[0] for de, _ in pairs]
    outputs = ([words for i in range(0, len(german), 256) for words in greedy(model, german[i:i + 256])] if beam == 1
               else [translate(model, de, beam).target for de, _ in pairs])
    hypotheses = [detokenize(out) for out in outputs]
    return round(sacrebleu.corpus_bleu(hypotheses, [[en for _, en in pairs]], lowercase=True).score, 2)


def _batch(pairs: list[tuple[list[int], list[int]]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """German ids (B, S), their lengths, English ids between <s> and </s> (B, T); padded."""
    source = [torch.tensor(s) for s, _ in pairs]
    target = [torch.tensor([BOS, *t, EOS]) for _, t in pairs]
    return (nn.utils.rnn.pad_sequence(source, True, PAD), torch.tensor([len(s) for s in source]),
            nn.utils.rnn.pad_sequence(target, True, PAD))


def fit(model: Seq2Seq, pairs: list[tuple[list[int], list[int]]], steps: int, seed: int,
        on_progress: "Progress | None" = None) -> list[float]:
    """Teacher forcing: the decoder reads the true English words and learns to predict each next one. Adam with a
    cosine-decaying learning rate, gradients clipped (RNNs), label smoothing, German words dropped to <unk>."""
    dev = device()
    model.to(dev).train()
    g = torch.Generator().manual_seed(seed)
    opt = Adam(model.parameters(), lr=LR)
    losses = []
    for step, idx in enumerate(shuffled_batches(len(pairs), BATCH, steps, g)):
        opt.param_groups[0]["lr"] = cosine_rate(LR, step, steps)
        source, lengths, target = _batch([pairs[i] for i in idx])
        source = source.masked_fill((torch.rand(source.shape, generator=g) < WORD_DROPOUT) & (source != PAD), UNK)
        logits = model(source.to(dev), lengths, target[:, :-1].to(dev))
        loss = F.cross_entropy(logits.flatten(0, 1), target[:, 1:].flatten().to(dev), ignore_index=PAD,
                               label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        if on_progress is not None and (step % 20 == 0 or step == steps - 1):
            on_progress(step + 1, steps, losses[-1])
    model.eval()
    return losses


@torch.no_grad()
def round_to_half(model: nn.Module) -> None:
    """Round the weights to fp16 and back, as the checkpoint stores them, so what is measured is what ships."""
    for value in model.state_dict().values():
        if value.is_floating_point():
            value.copy_(value.half().float())


def train_translator(recipe: "Recipe", on_progress: "Progress | None" = None) -> tuple[Seq2Seq, dict, dict]:
    """The shipped `translator`: vocabularies from the train split, teacher forcing for recipe.steps batches,
    then BLEU on val (greedy) and test (greedy, beam 5) with the weights rounded to fp16 as saved."""
    from core.data.text import sentence_pairs
    torch.manual_seed(recipe.seed)
    german, english = zip(*[(tokenize(de)[0], tokenize(en)[0]) for de, en in sentence_pairs("train")])
    source_vocab, target_vocab = vocabulary(german), vocabulary(english)
    cfg = Seq2SeqConfig(len(source_vocab), len(target_vocab))
    model = Seq2Seq(cfg, source_vocab, target_vocab)
    source_index, target_index = ({w: i for i, w in enumerate(v)} for v in (source_vocab, target_vocab))
    pairs = [(to_ids(de, source_index), to_ids(en, target_index)) for de, en in zip(german, english)]
    losses = fit(model, pairs, recipe.steps, recipe.seed, on_progress)
    round_to_half(model)
    test = sentence_pairs("test")
    metrics = {"test_bleu_greedy": bleu(model, test), "test_bleu_beam5": bleu(model, test, beam=5),
               "val_bleu_greedy": bleu(model, sentence_pairs("val")), "source_words": len(source_vocab),
               "target_words": len(target_vocab), "final_loss": round(float(np.mean(losses[-50:])), 3)}
    return model, {"class": "Seq2Seq", "config": asdict(cfg)}, metrics


# Marian (Hugging Face, opus-mt-de-en): optional, from disk, downloaded once on request where the hub answers. Its
# tokenizer needs the sentencepiece package; the functions take the tokenizer as an argument, so anything with the
# same three methods works in its place.

MARIAN_DE_EN = "Helsinki-NLP/opus-mt-de-en"
MARIAN_FILES = ("config.json", "source.spm", "target.spm", "vocab.json", "tokenizer_config.json")
MARIAN_WEIGHTS = ("model.safetensors", "pytorch_model.bin")  # the first of these the hub has
MARIAN_MB = 300  # about how much the download is
CHUNK = 1 << 20


def marian_folder() -> Path:
    """Where the download is kept: beside the torch cache's other downloaded weights (TORCH_HOME)."""
    return Path(torch.hub.get_dir()) / "opus-mt-de-en"


def _hub_file(name: str) -> str:
    from huggingface_hub import constants
    return f"{constants.ENDPOINT}/{MARIAN_DE_EN}/resolve/main/{name}"


def marian_downloaded() -> bool:
    folder = marian_folder()
    return all((folder / n).is_file() for n in MARIAN_FILES) and any((folder / n).is_file() for n in MARIAN_WEIGHTS)


def _open(names: tuple[str, ...]) -> tuple[str, Any]:
    """The first of `names` the hub has, opened for reading."""
    import urllib.error
    import urllib.request
    for name in names[:-1]:
        try:
            return name, urllib.request.urlopen(_hub_file(name), timeout=30)
        except urllib.error.HTTPError as e:
            if e.code != 404:
                raise
    return names[-1], urllib.request.urlopen(_hub_file(names[-1]), timeout=30)


def marian_reachable() -> bool:
    """Whether the model hub answers now (asked once every few minutes, waiting at most a second and a half)."""
    from core.models.imagenet import online
    return online(_hub_file(MARIAN_FILES[0]))


def download_marian(on_progress: Callable[[int, int, str], None] | None = None) -> Path:
    """Download opus-mt-de-en's files into `marian_folder()`, telling `on_progress(bytes so far, bytes in all, file)`
    as it goes; each file is written under another name and renamed when complete, so a broken download is never
    taken for a model. Raises MarianUnavailable with the reason."""
    if not marian_reachable():
        raise MarianUnavailable("This computer cannot reach the Hugging Face model hub now, so MarianMT cannot be "
                                "downloaded; it is used offline once downloaded.")
    folder = marian_folder()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        wanted = [(n,) for n in MARIAN_FILES if not (folder / n).is_file()]
        if not any((folder / n).is_file() for n in MARIAN_WEIGHTS):
            wanted.append(MARIAN_WEIGHTS)
        responses = [_open(names) for names in wanted]
        total, done = sum(int(r.headers.get("Content-Length") or 0) for _, r in responses), 0
        for name, response in responses:
            part = folder / f"{name}.part"
            with response, open(part, "wb") as out:
                while chunk := response.read(CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if on_progress is not None:
                        on_progress(done, max(total, done), name)
            part.replace(folder / name)
    except OSError as e:
        raise MarianUnavailable(f"The download of {MARIAN_DE_EN} stopped ({e}); what was complete is kept, and the "
                                "rest is fetched when you try again.") from e
    return folder


class MarianUnavailable(RuntimeError):
    """No Marian model to offer; the message says why, and what to do, in plain words."""


def load_marian(source: str | Path = MARIAN_DE_EN) -> tuple[nn.Module, Any]:
    """A Marian model (eval mode, eager attention so it returns its attention weights) and its tokenizer, from a
    local folder, the dashboard's download (`download_marian`) or the user's Hugging Face cache; never downloaded
    here. Raises MarianUnavailable with the reason."""
    from transformers import MarianMTModel, MarianTokenizer
    if source == MARIAN_DE_EN and marian_downloaded():
        source = marian_folder()
    try:
        tokenizer = MarianTokenizer.from_pretrained(str(source), local_files_only=True)
        model = MarianMTModel.from_pretrained(str(source), local_files_only=True, attn_implementation="eager")
    except ImportError as e:
        raise MarianUnavailable(f"Marian's tokenizer needs the sentencepiece package, which is not installed "
                                f"(pip install sentencepiece). ({e})") from e
    except (OSError, ValueError, TypeError) as e:  # TypeError: a folder without its tokenizer files
        raise MarianUnavailable(f"{source} is neither a local folder nor on this computer (the dashboard's "
                                f"download or the Hugging Face cache). ({e})") from e
    return model.eval(), tokenizer


@torch.no_grad()
def translate_marian(model: nn.Module, tokenizer: Any, german: str, beam: int = 5,
                     max_len: int | None = None) -> Translation:
    """`translate` for a Marian model: the same beam search over its subword pieces; the attention is the last
    decoder layer's cross-attention, averaged over its heads. The tokenizer needs `__call__(text)["input_ids"]`,
    `convert_ids_to_tokens(ids)` and `decode(ids, skip_special_tokens=True)`."""
    cfg = model.config
    ids = tokenizer(german[:MAX_SOURCE_CHARS])["input_ids"]
    truncated = len(german) > MAX_SOURCE_CHARS or len(ids) > MAX_SOURCE_PIECES
    ids = ids[:MAX_SOURCE_PIECES - 1] + [cfg.eos_token_id] if len(ids) > MAX_SOURCE_PIECES else ids
    pieces = tokenizer.convert_ids_to_tokens(ids)
    start = cfg.decoder_start_token_id
    if not german.strip() or ids in ([], [cfg.eos_token_id]):
        return Translation(pieces, pieces, [], [Node(0, -1, 0, start, _piece(tokenizer, start), 0.0, False)], "",
                           truncated)
    dev = next(model.parameters()).device
    source, mask = torch.tensor([ids], device=dev), torch.ones(1, len(ids), dtype=torch.long, device=dev)
    memory = model.get_encoder()(input_ids=source, attention_mask=mask).last_hidden_state

    def step(last: torch.Tensor, prefixes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        from transformers.modeling_outputs import BaseModelOutput
        prefixes = torch.cat([prefixes, last[:, None]], 1)  # (k, t): Marian's decoder rereads its words
        k = len(prefixes)
        out = model(encoder_outputs=BaseModelOutput(last_hidden_state=memory.expand(k, -1, -1)),
                    attention_mask=mask.expand(k, -1), decoder_input_ids=prefixes, output_attentions=True,
                    use_cache=False)
        if not out.cross_attentions:
            raise ValueError("This Marian model does not return attention weights: load it with "
                             "attn_implementation=\"eager\" (load_marian does).")
        return out.logits[:, -1].log_softmax(-1), out.cross_attentions[-1][:, :, -1].mean(1), prefixes

    tree, beams = beam_search(step, torch.zeros(1, 0, dtype=torch.long, device=dev), start, cfg.eos_token_id,
                              lambda i: _piece(tokenizer, i), beam, max_len or default_max_len(len(ids)),
                              banned=(cfg.pad_token_id,))
    text = tokenizer.decode(beams[0].ids, skip_special_tokens=True)
    return Translation(pieces, pieces, beams, tree, text, truncated)


def _piece(tokenizer: Any, index: int) -> str:
    return tokenizer.convert_ids_to_tokens([index])[0]
