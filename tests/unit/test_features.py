"""Hand-made and learned features: shapes, meaning, and hooks that never stay behind."""
import numpy as np
import torch

from core import features
from core.data.images import fashion_mnist
from core.models.cnn import SmallCNN


def test_edges_are_strong_at_a_step_and_zero_on_flat_areas():
    img = np.zeros((28, 28), np.uint8)
    img[:, 14:] = 255
    e = features.edges(img)
    assert e[:, 13:15].mean() > 0.3 and e[:, :10].max() == 0


def test_hog_features_and_picture_have_the_expected_sizes():
    X = fashion_mnist(train=False)[0][:5]
    assert features.hog_features(X).shape == (5, 1296)
    picture = features.hog_picture(X[0])
    assert picture.shape == (168, 168)  # enlarged 6× so the strokes show
    assert picture.min() >= 0 and picture.max() == 1


def test_feature_maps_capture_each_level_and_remove_their_hooks():
    model = SmallCNN().eval()
    x = features.as_batch(fashion_mnist(train=False)[0][:2])
    maps = features.feature_maps(model, x, SmallCNN.feature_layers)
    assert [tuple(maps[k].shape[1:]) for k in SmallCNN.feature_layers] == [(24, 28, 28), (48, 14, 14), (96, 7, 7)]
    assert all(not m._forward_hooks for m in model.modules())
    assert torch.all(maps["conv1"] >= 0)  # after ReLU
