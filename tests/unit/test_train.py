"""The one training loop: learns on real data within a tiny budget, and is deterministic."""
import torch

from core import features, train
from core.data.images import fashion_mnist
from core.models.cnn import CNNConfig, SmallCNN


def _small_run(seed=0):
    X, y = fashion_mnist(train=True)
    Xte, yte = fashion_mnist(train=False)
    torch.manual_seed(seed)
    model = SmallCNN(CNNConfig(channels=(8, 16, 16), hidden=32))
    seen = []
    losses = train.fit(model, features.as_batch(X[:3000]), torch.tensor(y[:3000]), steps=60, batch_size=64,
                       seed=seed, on_progress=lambda s, n, loss: seen.append((s, n)))
    return model, losses, seen, train.accuracy(model, features.as_batch(Xte[:1000]), torch.tensor(yte[:1000]))


def test_fit_learns_fashion_mnist_well_above_chance():
    model, losses, seen, acc = _small_run()
    assert acc > 0.55  # chance is 0.10
    assert sum(losses[-10:]) < sum(losses[:10])
    assert seen[-1] == (60, 60) and not model.training


def test_fit_is_deterministic_for_a_seed():
    _, a, _, _ = _small_run(seed=3)
    _, b, _, _ = _small_run(seed=3)
    assert a == b


def test_random_shift_keeps_shape_and_moves_pixels():
    x = features.as_batch(fashion_mnist(train=False)[0][:8])
    moved = train.random_shift(x, torch.Generator().manual_seed(0))
    assert moved.shape == x.shape
    assert not torch.allclose(moved, x)
    assert abs(moved.mean().item() - x.mean().item()) < 0.05  # moved, not destroyed


def test_every_recipe_is_registered_with_its_prerequisites_first():
    names = list(train.RECIPES)
    for name, recipe in train.RECIPES.items():
        assert all(names.index(n) < names.index(name) for n in recipe.needs)
    assert train.main(["no_such_model"]) == 2
