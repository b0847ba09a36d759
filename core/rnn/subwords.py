"""Subword units: byte-pair encoding (Sennrich et al. 2016) learned here from the training text, so that no German
word is unknown: a rare word is read as pieces it shares with others ("▁läng" "sten"), and a piece that starts a
word carries "▁" as Marian's do. Only a character never seen in training is read as <unk>."""
from collections.abc import Iterable

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from core.models.seq2seq import SPECIALS, UNK

WORD_START = "▁"


def learn(texts: Iterable[str], size: int) -> Tokenizer:
    """Merge the most frequent pair of adjacent symbols, over and over, until there are `size` units; the specials
    keep the first ids. `texts` are words separated by spaces."""
    tokenizer = Tokenizer(models.BPE(unk_token=SPECIALS[UNK]))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement=WORD_START, prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement=WORD_START, prepend_scheme="always")
    tokenizer.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=size, special_tokens=list(SPECIALS),
                                                             min_frequency=2, show_progress=False))
    return tokenizer


def from_bytes(data: bytes) -> Tokenizer:
    return Tokenizer.from_str(data.decode("utf-8"))


def to_bytes(tokenizer: Tokenizer) -> bytes:
    return tokenizer.to_str().encode("utf-8")


def units(tokenizer: Tokenizer) -> list[str]:
    """Every unit, in id order (the specials first)."""
    index = tokenizer.get_vocab()
    return sorted(index, key=index.__getitem__)


def split(tokenizer: Tokenizer, words: list[str]) -> tuple[list[str], list[int]]:
    """Words → their pieces and ids."""
    if not words:
        return [], []
    encoding = tokenizer.encode(" ".join(words))
    return encoding.tokens, encoding.ids


def join(pieces: list[str]) -> list[str]:
    """Pieces → words: a piece without "▁" continues the word before it; specials are dropped."""
    return "".join(p for p in pieces if p not in SPECIALS).replace(WORD_START, " ").split()
