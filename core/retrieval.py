"""Retrieval (Krizhevsky 2012): images whose learned features are close look alike, far more than in pixel space."""
import numpy as np
import torch
from torch import nn

from core.device import to_numpy
from core.features import as_batch


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1, so a dot product is the cosine similarity: (N, D) float32."""
    vectors = vectors.astype(np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


@torch.no_grad()
def embeddings(model: nn.Module, images: np.ndarray, batch: int = 250) -> np.ndarray:
    """The penultimate-layer features of (N, 28, 28) uint8 images, L2-normalised: (N, D) float32."""
    dev = next(model.parameters()).device
    feats = [model.features(as_batch(images[i:i + batch]).to(dev)).cpu() for i in range(0, len(images), batch)]
    return normalise(to_numpy(torch.cat(feats)))


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


def neighbours(bank: np.ndarray, k: int, queries: np.ndarray | None = None, chunk: int = 1000) -> np.ndarray:
    """Leave-one-out: for each row of `bank` (or each index in `queries`), its k nearest other rows, best first."""
    queries = np.arange(len(bank)) if queries is None else queries
    vectors = torch.tensor(bank, dtype=torch.float32)  # a copy: cached arrays are read-only
    found = []
    for start in range(0, len(queries), chunk):
        rows = torch.from_numpy(queries[start:start + chunk])  # (c,)
        similarity = vectors[rows] @ vectors.T  # (c, N): cosine, the vectors being unit length
        similarity[torch.arange(len(rows)), rows] = -float("inf")  # an item is not its own neighbour
        found.append(similarity.topk(k, dim=1).indices)  # (c, k)
    return to_numpy(torch.cat(found))


def precision_by_item(found: np.ndarray, labels: np.ndarray, k: int, queries: np.ndarray | None = None) -> np.ndarray:
    """For each query, the share of its first k neighbours (`found`, from `neighbours`) that are in its class."""
    own = labels if queries is None else labels[queries]
    return (labels[found[:, :k]] == own[:, None]).mean(1)


def precision_at_k(bank: np.ndarray, labels: np.ndarray, k: int = 10, sample: int | None = None, seed: int = 0,
                   chunk: int = 1000) -> float:
    """Leave-one-out precision@k: per item (or `sample` random ones), the share of its k nearest others in its class."""
    queries = np.arange(len(bank))
    if sample is not None and sample < len(bank):
        queries = np.sort(np.random.default_rng(seed).choice(len(bank), sample, replace=False))
    return float(precision_by_item(neighbours(bank, k, queries, chunk), labels, k, queries).mean())
