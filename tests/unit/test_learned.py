"""What the network has learned: filters, receptive fields, top-exciting patches and activation maximisation."""
import numpy as np
import pytest
import torch

from core import checkpoints, features
from core.cnn import learned
from core.data.images import fashion_mnist


@pytest.fixture(scope="module")
def model():
    return checkpoints.load_model("fashion_cnn")


@pytest.fixture(scope="module")
def images():
    return fashion_mnist(train=False)[0][:2000]


def test_filters_have_the_shape_of_each_convolution_and_are_a_copy(model):
    shapes = {name: learned.filters(model, name).shape for name in model.feature_layers}
    assert shapes == {"conv1": (24, 1, 3, 3), "conv2": (48, 24, 3, 3), "conv3": (96, 48, 3, 3)}
    w = learned.filters(model, "conv1")
    np.testing.assert_array_equal(w, model.conv1[0].weight.detach().cpu().numpy())
    w[:] = 0
    assert model.conv1[0].weight.abs().sum() > 0


def test_feature_maps_without_hooks_equal_those_captured_by_hooks(model, images):
    x = features.as_batch(images[:16]).to(next(model.parameters()).device)
    hooked = features.feature_maps(model, x, model.feature_layers)
    with torch.no_grad():
        for name in model.feature_layers:
            torch.testing.assert_close(learned.feature_map(model, name, x), hooked[name])
    with pytest.raises(ValueError):
        learned.feature_map(model, "dense", x)


def test_a_unit_sees_only_its_receptive_field(model, images):
    fields = [learned.receptive_field(model, name) for name in model.feature_layers]
    assert [(f.size, f.jump, f.start) for f in fields] == [(3, 1, -1), (8, 2, -3), (18, 4, -7)]
    rng = np.random.default_rng(0)
    dev = next(model.parameters()).device
    for name, field, (row, col) in zip(model.feature_layers, fields, [(5, 9), (4, 7), (3, 2)]):
        top, left = field.box(row, col)
        outside = np.ones((28, 28), bool)
        outside[max(top, 0):top + field.size, max(left, 0):left + field.size] = False
        changed = images[0].copy()
        changed[outside] = rng.integers(0, 256, outside.sum())
        with torch.no_grad():
            maps = learned.feature_map(model, name, features.as_batch(np.stack([images[0], changed])).to(dev))
        torch.testing.assert_close(maps[0, :, row, col], maps[1, :, row, col])  # the unit did not notice
        assert not torch.allclose(maps[0], maps[1])  # units elsewhere did


@pytest.mark.parametrize("layer, channel", [("conv1", 3), ("conv2", 10), ("conv3", 5)])
def test_top_patches_are_the_channels_strongest_responses_sorted(model, images, layer, channel):
    found = learned.top_patches(model, layer, channel, images, k=9, batch=700)
    x = features.as_batch(images).to(next(model.parameters()).device)
    maps = features.feature_maps(model, x, (layer,))[layer][:, channel].cpu()  # recomputed, with hooks
    peaks = maps.flatten(1).max(1).values
    activations = [p.activation for p in found]
    assert len(found) == 9 and activations == sorted(activations, reverse=True)
    assert activations[-1] >= peaks.sort(descending=True).values[8].item() - 1e-5  # no image beats the 9th
    field = learned.receptive_field(model, layer)
    for p in found:
        row, col = p.position
        assert maps[p.image_index, row, col].item() == pytest.approx(p.activation, abs=1e-5)
        assert p.activation == pytest.approx(peaks[p.image_index].item(), abs=1e-5)
        assert p.patch.shape == (field.size, field.size) and p.patch.dtype == np.uint8
        top, left = field.box(row, col)
        for r, c in [(0, 0), (field.size - 1, field.size - 1), (field.size // 2, 1)]:
            inside = 0 <= top + r < 28 and 0 <= left + c < 28
            assert p.patch[r, c] == (images[p.image_index][top + r, left + c] if inside else 0)


def test_activation_maximisation_excites_its_target_far_more_than_noise(model):
    before = {k: v.clone() for k, v in model.state_dict().items()}
    noise = torch.rand(32, 1, 28, 28, generator=torch.Generator().manual_seed(1)).to(next(model.parameters()).device)
    for target in [("class", 1), ("class", 7), ("channel", "conv3", 5), ("channel", "conv2", 3)]:
        image = learned.activation_maximisation(model, target)
        assert image.shape == (28, 28) and 0 <= image.min() and image.max() <= 1
        x = torch.from_numpy(image)[None, None].to(noise.device)
        with torch.no_grad():
            reached, random = learned.score(model, target, x).item(), learned.score(model, target, noise)
        assert reached > random.max().item() + 5 and reached > 2 * random.mean().abs().item(), (target, reached)
        if target[0] == "class":
            with torch.no_grad():
                assert model(x).argmax().item() == target[1]
    np.testing.assert_array_equal(learned.activation_maximisation(model, ("class", 1), steps=5),
                                  learned.activation_maximisation(model, ("class", 1), steps=5))  # seeded
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())


def test_a_model_in_training_mode_is_refused_not_changed():
    from core.models.cnn import SmallCNN
    net = SmallCNN().train()
    with pytest.raises(ValueError, match="training mode"):
        learned.activation_maximisation(net, ("class", 0), steps=1)
    with pytest.raises(ValueError, match="training mode"):
        learned.top_patches(net, "conv1", 0, np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError):
        learned.score(net.eval(), ("neuron", 0), torch.zeros(1, 1, 28, 28))
