"""The data layer on the real offline data: counts, shapes, determinism, and a clear error when data is missing."""
import socket
from collections import Counter

import numpy as np
import pytest

from core.data import DataUnavailable, imagenet, images, sources, text, toy

# --- toy 2-D sets (TensorFlow Playground) ----------------------------------------------------------------------


@pytest.mark.parametrize("name", toy.CLASSIFICATION)
def test_classification_sets_have_playground_shape_range_and_types(name):
    X, y = toy.CLASSIFICATION[name](n=301, noise=0.5, seed=1)
    assert X.shape == (301, 2) and X.dtype == np.float32
    assert y.shape == (301,) and y.dtype == np.int64
    assert np.abs(X).max() <= 6
    assert set(np.unique(y)) == {0, 1}


@pytest.mark.parametrize("name", toy.REGRESSION)
def test_regression_sets_have_playground_shape_range_and_types(name):
    X, y = toy.REGRESSION[name](n=400, noise=0.3, seed=1)
    assert X.shape == (400, 2) and X.dtype == np.float32 and y.dtype == np.float32
    assert np.abs(X).max() <= 6 and np.abs(y).max() <= 2
    assert y.std() > 0.1


@pytest.mark.parametrize("name", list(toy.CLASSIFICATION) + list(toy.REGRESSION))
def test_toy_sets_are_deterministic_in_the_seed(name):
    make = {**toy.CLASSIFICATION, **toy.REGRESSION}[name]
    X1, y1 = make(n=200, noise=0.2, seed=7)
    X2, y2 = make(n=200, noise=0.2, seed=7)
    X3, _ = make(n=200, noise=0.2, seed=8)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", ["circle", "gauss", "spiral"])
def test_classes_are_balanced(name):
    _, y = toy.CLASSIFICATION[name](n=500, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [250, 250]


def test_xor_labels_are_roughly_balanced_and_follow_the_quadrants():
    X, y = toy.xor(n=1000, noise=0.0, seed=0)
    assert 400 < y.sum() < 600
    assert np.array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(np.int64))
    assert np.abs(X).min() >= 0.3  # the padding keeps points off the axes


def test_circle_without_noise_is_separable_by_radius():
    X, y = toy.circle(n=500, noise=0.0, seed=0)
    radius = np.linalg.norm(X, axis=1)
    assert radius[y == 1].max() <= 2.5 < 3.5 <= radius[y == 0].min()


def test_noise_moves_points_or_flips_labels_as_in_the_playground():
    _, clean = toy.circle(n=500, noise=0.0, seed=0)
    _, noisy = toy.circle(n=500, noise=0.4, seed=0)
    assert 0 < (clean != noisy).sum() < 250  # circle: points stay, labels near the edge flip
    for make in (toy.gauss, toy.spiral):
        assert not np.allclose(make(n=200, noise=0.0, seed=0)[0], make(n=200, noise=0.4, seed=0)[0])
    tight, wide = toy.gauss(n=2000, noise=0.0, seed=0)[0], toy.gauss(n=2000, noise=0.5, seed=0)[0]
    assert wide.std() > tight.std() * 1.3


def test_spiral_with_three_arms_has_three_balanced_labels():
    X, y = toy.spiral(n=300, noise=0.0, seed=0, arms=3)
    assert np.bincount(y).tolist() == [100, 100, 100]
    assert np.linalg.norm(X, axis=1).max() <= 5
    with pytest.raises(ValueError):
        toy.spiral(arms=1)


def test_regression_targets_match_the_playground_formulas():
    X, y = toy.plane(n=300, noise=0.0, seed=0)
    assert np.allclose(y, X.sum(axis=1) / 10, atol=1e-6)
    X, y = toy.multi_gauss(n=3000, noise=0.0, seed=0)
    near = np.linalg.norm(X - [-4, 2.5], axis=1) < 0.4  # a positive cone's centre
    assert y[near].min() > 0.75 and np.abs(y).max() <= 1


@pytest.mark.parametrize("name", toy.CURVES)
def test_curves_are_sorted_on_minus_three_to_three_and_noise_is_added(name):
    x, y = toy.curve_1d(name, n=150, noise=0.0, seed=3)
    assert x.shape == y.shape == (150,) and x.dtype == y.dtype == np.float32
    assert np.all(np.diff(x) >= 0) and -3 <= x.min() and x.max() <= 3
    assert np.allclose(y, toy.CURVES[name](x.astype(np.float64)), atol=1e-5)
    _, noisy = toy.curve_1d(name, n=150, noise=0.3, seed=3)
    assert 0.2 < np.std(noisy - y) < 0.4


def test_split_is_a_deterministic_partition():
    X, y = np.arange(200).reshape(100, 2), np.arange(100)
    Xtr, ytr, Xte, yte = toy.split(X, y, train_fraction=0.7, seed=4)
    assert len(ytr) == 70 and len(yte) == 30
    assert sorted(np.concatenate([ytr, yte]).tolist()) == list(range(100))
    assert np.array_equal(Xtr[:, 0] // 2, ytr)  # rows stay with their labels
    assert np.array_equal(toy.split(X, y, 0.7, seed=4)[1], ytr)


# --- images ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("train, n", [(True, 60_000), (False, 10_000)])
def test_fashion_mnist_has_ten_balanced_classes(train, n):
    X, y = images.fashion_mnist(train)
    assert X.shape == (n, 28, 28) and X.dtype == np.uint8 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [n // 10] * 10
    assert X.max() == 255 and 50 < X.mean() < 100
    assert len(images.FASHION_CLASSES) == 10 and images.FASHION_CLASSES[9] == "Ankle boot"


def test_fashion_mnist_is_cached_and_read_only():
    X, y = images.fashion_mnist(False)
    assert images.fashion_mnist(train=False)[0] is X
    with pytest.raises(ValueError):
        X[0, 0, 0] = 1
    with pytest.raises(ValueError):
        y[0] = 1


def test_mnist_5k_is_a_stratified_disjoint_deterministic_split():
    Xtr, ytr = images.mnist_5k("train")
    Xte, yte = images.mnist_5k("test")
    assert Xtr.shape == (4000, 28, 28) and Xte.shape == (1000, 28, 28) and Xtr.dtype == np.uint8
    assert np.bincount(ytr).tolist() == [400] * 10 and np.bincount(yte).tolist() == [100] * 10
    assert not {x.tobytes() for x in Xtr} & {x.tobytes() for x in Xte}
    images._mnist_5k_table.cache_clear()  # parse the file again: same split
    assert np.array_equal(images.mnist_5k("test")[1], yte) and np.array_equal(images.mnist_5k("test")[0], Xte)
    with pytest.raises(ValueError):
        images.mnist_5k("val")


def test_digits():
    X, y = images.digits()
    assert X.shape == (1797, 8, 8) and X.max() == 16 and set(y.tolist()) == set(range(10))


def test_photos_are_colour_uint8_with_credits():
    photos = images.photos()
    assert set(photos) == {"astronaut", "chelsea", "coffee", "rocket", "china", "flower",
                           "cat and coffee"}
    for name, photo in photos.items():
        assert photo.name == name and photo.credit and photo.licence
        assert photo.image.ndim == 3 and photo.image.shape[2] == 3 and photo.image.dtype == np.uint8
        assert photo.image.shape[0] >= 256 and photo.image.std() > 20


def test_lfw_faces_are_100_faces_then_100_patches():
    X, is_face = images.lfw_faces()
    assert X.shape == (200, 25, 25) and X.dtype == np.float32 and 0 <= X.min() and X.max() <= 1
    assert is_face.dtype == bool and is_face[:100].all() and not is_face[100:].any()


# --- text -----------------------------------------------------------------------------------------------------


def test_movie_snippets_drop_the_neutral_lines_and_are_nearly_balanced():
    texts, labels = text.movie_snippets("all")
    assert len(texts) == len(labels) == 10_568 and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [5_326, 5_242]
    assert texts[0].startswith("The Rock is destined") and labels[0] == 1
    assert all(isinstance(t, str) and t for t in texts)


def test_movie_snippet_splits_are_80_10_10_partitions_and_deterministic():
    everything = Counter(text.movie_snippets("all")[0])
    parts = {split: text.movie_snippets(split) for split in ("train", "val", "test")}
    assert [len(t) for t, _ in parts.values()] == [8_454, 1_057, 1_057]
    assert sum((Counter(t) for t, _ in parts.values()), Counter()) == everything
    assert text.movie_snippets("val")[0] == parts["val"][0]
    assert np.array_equal(text.movie_snippets("val")[1], parts["val"][1])
    assert 0.4 < parts["test"][1].mean() < 0.6
    with pytest.raises(ValueError):
        text.movie_snippets("dev")


def test_sentence_pairs_are_whole_short_sentences():
    pairs = text.sentence_pairs("all")
    assert 13_000 < len(pairs) < 14_500
    assert ("Du musst mehr üben.", "You need to practice more.") in pairs
    german = [de for de, _ in pairs]
    assert len(set(german)) == len(german)
    for de, en in pairs:
        assert de[0].isupper() and de[-1] in ".?!" and en[-1] in ".?!"
        assert 3 <= len(de.split()) <= 12 and not set("{}[]()/") & set(de + en)


def test_sentence_pair_splits_are_disjoint_80_10_10():
    splits = {s: {de for de, _ in text.sentence_pairs(s)} for s in ("train", "val", "test")}
    n = len(text.sentence_pairs("all"))
    assert sum(map(len, splits.values())) == n and len(set().union(*splits.values())) == n
    assert abs(len(splits["train"]) - 0.8 * n) <= 1 and abs(len(splits["val"]) - 0.1 * n) <= 1


def test_imagenet_classes():
    names = imagenet.imagenet_classes()
    assert len(names) == 1000 and "tabby" in names and names[0] == "tench"


# --- sources and the error path (last: they empty the caches) -------------------------------------------------


def test_first_available_takes_the_first_source_that_loads():
    def missing():
        raise FileNotFoundError("no such file: a.gz")

    assert sources.first_available("x", [missing, lambda: 42, missing], "make data") == 42
    with pytest.raises(DataUnavailable) as caught:
        sources.first_available("Thing", [missing, missing], "make data")
    assert "Thing" in str(caught.value) and "make data" in str(caught.value) and "a.gz" in str(caught.value)
    assert caught.value.install_hint == "make data" and len(caught.value.tried) == 2


def test_download_copies_atomically_and_fails_as_oserror(tmp_path, monkeypatch):
    monkeypatch.delenv("DASHBOARD_OFFLINE", raising=False)
    source = tmp_path / "source.bin"
    source.write_bytes(b"idx" * 1000)
    dest = sources.download(source.as_uri(), tmp_path / "sub" / "dest.bin")
    assert dest.read_bytes() == b"idx" * 1000
    with pytest.raises(OSError):
        sources.download((tmp_path / "absent").as_uri(), tmp_path / "sub" / "absent.bin")
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["dest.bin"]  # no partial file left
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    with pytest.raises(OSError, match="DASHBOARD_OFFLINE"):
        sources.download(source.as_uri(), tmp_path / "sub" / "again.bin")


@pytest.fixture
def nothing_installed(tmp_path, monkeypatch):
    """An empty data folder, no Debian packages, and no network."""
    monkeypatch.setattr(sources, "DATA_DIR", tmp_path / "data")
    monkeypatch.setattr(images, "FASHION_DEBIAN", tmp_path / "fashion-mnist")
    monkeypatch.setattr(text, "DING_DEBIAN", tmp_path / "de-en")
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    for cached in (images._fashion_mnist, text._movie_snippets, text._sentence_pairs):
        cached.cache_clear()
    yield
    for cached in (images._fashion_mnist, text._movie_snippets, text._sentence_pairs):
        cached.cache_clear()


@pytest.mark.parametrize(
    "load, hint",
    [
        (lambda: images.fashion_mnist(True), "apt-get install -y dataset-fashion-mnist"),
        (lambda: text.movie_snippets("train"), "make data"),
        (lambda: text.sentence_pairs("train"), "apt-get install -y trans-de-en"),
    ],
)
def test_missing_data_raises_with_the_install_step_without_touching_the_network(nothing_installed, monkeypatch,
                                                                              load, hint):
    def no_network(*args, **kwargs):
        raise AssertionError("a missing data set must not wait on the network")
    monkeypatch.setattr(socket.socket, "connect", no_network)
    with pytest.raises(DataUnavailable, match=hint.replace("-", r"\-")):
        load()
