"""Retrieval: nearest neighbours in the CNN's feature space share the query's class far more often than in pixels."""

import numpy as np
import pytest
import torch

from core import checkpoints, features, retrieval
from core.data.images import fashion_mnist


@pytest.fixture(scope="module")
def test_set():
    X, y = fashion_mnist(train=False)
    model = checkpoints.load_model("fashion_cnn")
    return model, X, y, retrieval.embeddings(model, X), retrieval.pixels(X)


def test_embeddings_are_the_unit_length_penultimate_features(test_set):
    model, X, _, bank, pix = test_set
    assert bank.shape == (10_000, 128) and pix.shape == (10_000, 784)
    np.testing.assert_allclose(np.linalg.norm(bank, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(pix, axis=1), 1, atol=1e-5)
    with torch.no_grad():
        raw = model.features(features.as_batch(X[:5]).to(next(model.parameters()).device)).cpu()
    np.testing.assert_allclose(bank[:5], torch.nn.functional.normalize(raw).numpy(), atol=1e-5)


def test_feature_space_retrieval_beats_pixel_space_by_a_clear_margin(test_set):
    _, _, y, bank, pix = test_set
    learned = retrieval.precision_at_k(bank, y, k=10)
    raw = retrieval.precision_at_k(pix, y, k=10)
    assert learned > 0.85 and learned > raw + 0.08
    assert retrieval.precision_at_k(bank, y, k=10, sample=1000) == pytest.approx(learned, abs=0.03)


def test_precision_at_k_equals_a_plain_loop_and_never_counts_an_item_as_its_own_neighbour():
    rng = np.random.default_rng(0)
    bank, labels = retrieval.normalise(rng.normal(size=(60, 5))), rng.integers(0, 3, 60)
    expected = np.mean([np.mean(labels[[j for j in np.argsort(-(bank @ bank[i])) if j != i][:4]] == labels[i])
                        for i in range(60)])
    assert retrieval.precision_at_k(bank, labels, k=4, chunk=7) == pytest.approx(expected)
    twins = retrieval.normalise(np.repeat(np.eye(3), 2, axis=0))  # three pairs of identical items
    assert retrieval.precision_at_k(twins, np.array([0, 0, 1, 1, 2, 2]), k=1) == 1.0


def test_nearest_neighbours_of_an_item_are_sorted_and_mostly_of_its_class(test_set):
    _, _, y, bank, _ = test_set
    same_class = []
    for i in range(50):
        found = retrieval.nearest(bank[i], bank, 8, exclude=i)
        similarity = bank[found] @ bank[i]
        assert i not in found and np.all(np.diff(similarity) <= 0)
        assert np.isclose(similarity[0], np.delete(bank @ bank[i], i).max())
        same_class.append(np.mean(y[found] == y[i]))
    assert np.mean(same_class) > 0.85 and np.median(same_class) == 1.0  # shirts meet T-shirts and pullovers
    footwear = {5, 7, 9}  # sandal, sneaker, ankle boot: item 0 is an ankle boot
    assert y[0] == 9 and set(y[retrieval.nearest(bank[0], bank, 20, exclude=0)]) <= footwear
    assert sorted(retrieval.nearest(bank[0], bank[:5], 10, exclude=0)) == [1, 2, 3, 4]  # k larger than the bank
