"""Retrieval (Krizhevsky 2012): images whose learned features are close look alike, far more than in pixel space."""
import numpy as np
import torch
from torch import nn

from core.features import as_batch


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1, so a dot product is the cosine similarity: (N, D) float32."""
    vectors = vectors.astype(np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


@torch.no_grad()
def embeddings(model: nn.Module, images: np.ndarray, batch: int = 1000) -> np.ndarray:
    """The penultimate-layer features of (N, 28, 28) uint8 images, L2-normalised: (N, D) float32."""
    dev = next(model.parameters()).device
    feats = [model.features(as_batch(images[i:i + batch]).to(dev)).cpu() for i in range(0, len(images), batch)]
    return normalise(torch.cat(feats).numpy())


def pixels(images: np.ndarray) -> np.ndarray:
    """The raw pixels of (N, 28, 28) images as L2-normalised vectors: (N, 784) float32, the baseline."""
    return normalise(images.reshape(len(images), -1))


def nearest(query: np.ndarray, bank: np.ndarray, k: int, exclude: int | None = None) -> np.ndarray:
    """The k rows of `bank` (N, D) nearest in angle to `query` (D,), best first (unit vectors; `exclude` skipped)."""
    similarity = bank @ query  # (N,)
    if exclude is not None:
        similarity[exclude] = -np.inf
    k = min(k, len(bank) - (exclude is not None))
    top = np.argpartition(-similarity, k)[:k] if k < len(bank) else np.arange(len(bank))
    return top[np.argsort(-similarity[top], kind="stable")]


def precision_at_k(bank: np.ndarray, labels: np.ndarray, k: int = 10, sample: int | None = None, seed: int = 0,
                   chunk: int = 1000) -> float:
    """Leave-one-out precision@k: per item (or `sample` random ones), the share of its k nearest others in its class."""
    queries = np.arange(len(bank))
    if sample is not None and sample < len(bank):
        queries = np.sort(np.random.default_rng(seed).choice(len(bank), sample, replace=False))
    vectors, y = torch.tensor(bank, dtype=torch.float32), torch.tensor(labels)  # copies: cached arrays are read-only
    hits = 0
    for start in range(0, len(queries), chunk):
        rows = torch.from_numpy(queries[start:start + chunk])  # (c,)
        similarity = vectors[rows] @ vectors.T  # (c, N): cosine, the vectors being unit length
        similarity[torch.arange(len(rows)), rows] = -float("inf")  # an item is not its own neighbour
        neighbours = similarity.topk(k, dim=1).indices  # (c, k)
        hits += (y[neighbours] == y[rows, None]).sum().item()
    return hits / (len(queries) * k)
