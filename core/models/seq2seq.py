"""Sequence to sequence with attention: one GRU reads the German sentence, another writes the English one word by
word, looking back at the German words it needs (Bahdanau et al. 2015; "general" attention of Luong et al. 2015)."""
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

SPECIALS = ("<pad>", "<unk>", "<s>", "</s>")  # the first four words of both vocabularies
PAD, UNK, BOS, EOS = range(len(SPECIALS))


@dataclass
class Seq2SeqConfig:
    source_words: int  # German vocabulary, specials included
    target_words: int  # English vocabulary, specials included
    embed: int = 256
    hidden: int = 256
    dropout: float = 0.3


def words_to_tensor(words: list[str]) -> torch.Tensor:
    """A vocabulary as UTF-8 bytes (one word a line), so it travels inside the checkpoint."""
    return torch.tensor(list("\n".join(words).encode("utf-8")), dtype=torch.uint8)


def tensor_to_words(data: torch.Tensor) -> list[str]:
    return bytes(data.cpu().tolist()).decode("utf-8").split("\n")


class Seq2Seq(nn.Module):
    """Encoder: embedding → bidirectional GRU, one memory vector per German word. Decoder: embedding → GRU; at
    each step its state asks every memory vector "how relevant are you?" (a dot product), the softmax of the
    answers is the attention, the weighted sum of memories is the context; state and context give the next word.
    The output layer shares its weights with the English embedding. The vocabularies are buffers."""

    def __init__(self, cfg: Seq2SeqConfig, source_vocab: list[str] | None = None,
                 target_vocab: list[str] | None = None):
        super().__init__()
        self.source_embedding = nn.Embedding(cfg.source_words, cfg.embed, padding_idx=PAD)
        self.encoder = nn.GRU(cfg.embed, cfg.hidden, batch_first=True, bidirectional=True)
        self.memory = nn.Linear(2 * cfg.hidden, cfg.hidden, bias=False)  # what the decoder's state is compared with
        self.bridge = nn.Linear(2 * cfg.hidden, cfg.hidden)  # the encoder's last states → the decoder's first
        self.target_embedding = nn.Embedding(cfg.target_words, cfg.embed, padding_idx=PAD)
        self.decoder = nn.GRU(cfg.embed, cfg.hidden, batch_first=True)
        self.combine = nn.Linear(2 * cfg.hidden, cfg.embed)  # [context; state] → attentional state
        self.out_bias = nn.Parameter(torch.zeros(cfg.target_words))
        self.drop = nn.Dropout(cfg.dropout)
        self.register_buffer("source_vocab", words_to_tensor(source_vocab or []))
        self.register_buffer("target_vocab", words_to_tensor(target_vocab or []))
        self.register_load_state_dict_pre_hook(_fit_vocabularies)

    @property
    def source_words(self) -> list[str]:
        return tensor_to_words(self.source_vocab)

    @property
    def target_words(self) -> list[str]:
        return tensor_to_words(self.target_vocab)

    def encode(self, source: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """German ids (B, S), padded, and their lengths (B,) → memory (B, S, H), first decoder state (B, H),
        mask (B, S)."""
        x = self.drop(self.source_embedding(source))
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        outputs, last = self.encoder(packed)  # last: (2, B, H), forward and backward
        outputs, _ = nn.utils.rnn.pad_packed_sequence(outputs, batch_first=True, total_length=source.shape[1])
        state = torch.tanh(self.bridge(torch.cat([last[0], last[1]], -1)))
        return self.memory(outputs), state, source != PAD

    def decode(self, target: torch.Tensor, state: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor,
               pinned: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """English ids so far (B, T) → next-word logits (B, T, V), attention (B, T, S), last state (B, H).
        `pinned` (B, S), rows summing to 1: the attention to use instead of the decoder's own (Seq2Seq-Vis's
        *change*)."""
        outputs, last = self.decoder(self.drop(self.target_embedding(target)), state[None])  # (B, T, H)
        scores = (outputs @ memory.transpose(1, 2)).masked_fill(~mask[:, None], float("-inf"))  # (B, T, S)
        attention = scores.softmax(-1) if pinned is None else pinned[:, None].expand_as(scores)
        context = attention @ memory  # (B, T, H)
        attended = self.drop(torch.tanh(self.combine(torch.cat([context, outputs], -1))))
        return F.linear(attended, self.target_embedding.weight, self.out_bias), attention, last[0]

    def forward(self, source: torch.Tensor, lengths: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: the logits of each next English word given the true words before it. (B, T, V)"""
        memory, state, mask = self.encode(source, lengths)
        return self.decode(target, state, memory, mask)[0]


def _fit_vocabularies(module: Seq2Seq, state_dict: dict, prefix: str, *_) -> None:
    """Make room for the vocabularies of the checkpoint being loaded (their byte length is not in the config)."""
    for name in ("source_vocab", "target_vocab"):
        if prefix + name in state_dict:
            setattr(module, name, torch.empty_like(state_dict[prefix + name]))
