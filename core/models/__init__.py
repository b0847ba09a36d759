"""nn.Module definitions, one concept per file; no I/O here."""
from torch import nn

from core.models.cnn import CNNConfig, LinearProbes, SmallCNN


def build(architecture: dict) -> nn.Module:
    """An untrained module from a manifest's {"class": ..., "config": {...}} description."""
    cls, cfg = architecture["class"], architecture["config"]
    if cls == "SmallCNN":
        return SmallCNN(CNNConfig(**{**cfg, "channels": tuple(cfg["channels"])}))
    if cls == "LinearProbes":
        return LinearProbes(cfg)
    if cls == "Seq2Seq":
        from core.models.seq2seq import Seq2Seq, Seq2SeqConfig
        return Seq2Seq(Seq2SeqConfig(**cfg))
    if cls == "SentimentRNN":
        from core.models.rnn import RNNConfig, SentimentRNN
        return SentimentRNN(RNNConfig(**cfg))
    if cls == "MiniLMSentiment":
        from core.models.rnn import MiniLMConfig, MiniLMSentiment
        return MiniLMSentiment(MiniLMConfig(**cfg))
    if cls == "AutoencoderSet":
        from core.models.autoencoder import from_config
        return from_config(cfg)
    if cls == "DCGAN":
        from core.models.gan import DCGAN, GANConfig
        return DCGAN(GANConfig(**cfg))
    raise ValueError(f"Unknown architecture {cls!r}")
