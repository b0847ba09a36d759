"""Attribution maps: the right shapes, class-specific, where the object is, and the shared models left untouched."""
import numpy as np
import pytest
import torch

from core import checkpoints, features, saliency
from core.data.images import PAIR, fashion_mnist, photos
from core.models.imagenet import efficientnet_lite0, to_input

EGYPTIAN_CAT, ESPRESSO = 285, 967


@pytest.fixture(scope="module")
def fashion():
    X, y = fashion_mnist(train=False)
    return checkpoints.load_model("fashion_cnn"), X[:100], y[:100]


@pytest.fixture(scope="module")
def lite0():
    return efficientnet_lite0()


def hooks(model: torch.nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               + len(m._backward_pre_hooks) for m in model.modules())


def test_every_method_gives_an_input_sized_map_that_depends_on_the_class(fashion):
    model, X, y = fashion
    x = features.as_batch(X[:1])
    for method in saliency.METHODS:
        maps = [saliency.attribute(model, x, target, method) for target in (int(y[0]), (int(y[0]) + 5) % 10)]
        assert all(m.shape == (28, 28) and m.dtype == np.float32 and np.isfinite(m).all() for m in maps), method
        assert np.abs(maps[0]).sum() > 0 and not np.allclose(maps[0], maps[1]), method


def test_the_shared_model_keeps_its_weights_and_no_hooks_stay_behind(fashion, lite0):
    model, X, y = fashion
    x = features.as_batch(X[:1])
    photo = to_input(photos()["chelsea"].image)
    for net, inp, methods in [(model, x, saliency.METHODS), (lite0, photo, ("Grad-CAM",))]:
        before = {k: v.clone() for k, v in net.state_dict().items()}
        for method in methods:
            saliency.attribute(net, inp, 0, method)
        assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
        assert all(p.grad is None for p in net.parameters()) and not net.training and not inp.requires_grad
        assert hooks(net) == 0 and hooks(saliency.private_copy(net)[0]) == 0


def test_saliency_mass_sits_on_the_garment_and_integrated_gradients_only_there(fashion):
    model, X, y = fashion
    share, density = [], []
    for image, label in zip(X, y):
        sal = saliency.attribute(model, features.as_batch(image[None]), int(label), "Saliency")
        on = image > 0  # the garment's pixels; the background is exactly 0
        share.append(sal[on].sum() / sal.sum())
        density.append(sal[on].mean() / sal[~on].mean())
    assert np.mean(share) > 0.5 and np.mean(share) > (X > 0).mean()  # more than the garment's share of the area
    assert np.median(density) > 1.3
    ig = saliency.attribute(model, features.as_batch(X[:1]), int(y[0]), "Integrated Gradients")
    assert np.all(ig[X[0] == 0] == 0)  # (x − black) is 0 on a black background


def test_integrated_gradients_add_up_to_the_score_difference_from_black(fashion):
    model, X, y = fashion
    x = features.as_batch(X[:1])
    ig = saliency.attribute(model, x, int(y[0]), "Integrated Gradients", steps=64)
    with torch.no_grad():
        gap = (model(x) - model(torch.zeros_like(x)))[0, int(y[0])].item()
    assert ig.sum() == pytest.approx(gap, rel=0.05)  # completeness (Sundararajan et al. 2017)


def test_grad_cam_finds_the_cat_for_cat_and_the_cup_for_espresso(lite0):
    x = to_input(photos()[PAIR[0]].image)  # the cat in the left half, the espresso in the right
    with torch.no_grad():
        assert {EGYPTIAN_CAT, ESPRESSO} <= set(lite0(x).topk(5).indices[0].tolist())
    for target, left, right in [(EGYPTIAN_CAT, 0, 112), (ESPRESSO, 112, 224)]:
        cam = saliency.attribute(lite0, x, target, "Grad-CAM")
        assert cam.shape == (224, 224) and cam.min() >= 0
        row, col = np.unravel_index(cam.argmax(), cam.shape)
        assert 56 <= row < 168 and left <= col < right, (target, row, col)
        assert cam[:, left:right].sum() > 0.6 * cam.sum()


def test_every_method_runs_on_lite0_except_guided_grad_cam_which_says_why(lite0):
    x = to_input(photos()["chelsea"].image)
    light = {"Integrated Gradients": dict(steps=4), "Occlusion": dict(window=112, stride=56)}  # the bench times defaults
    for method in saliency.METHODS[:-1]:
        assert saliency.attribute(lite0, x, EGYPTIAN_CAT, method, **light.get(method, {})).shape == (224, 224), method
    with pytest.raises(saliency.MethodNotApplicable, match="ReLU6"):
        saliency.attribute(lite0, x, EGYPTIAN_CAT, "Guided Grad-CAM")
    assert not any(isinstance(m, torch.nn.ReLU) for m in lite0.modules())
    assert sum(isinstance(m, torch.nn.ReLU6) for m in lite0.modules()) > 0  # Lite0 uses ReLU6, not swish
    with pytest.raises(ValueError):
        saliency.attribute(lite0, x, EGYPTIAN_CAT, "Deconvolution")
    with pytest.raises(ValueError):
        saliency.attribute(lite0, x, EGYPTIAN_CAT, "Grad-CAM", layer=torch.nn.Conv2d(1, 1, 1))


def test_grad_cam_layer_defaults_to_the_last_convolution(fashion, lite0):
    assert saliency.grad_cam_layer(fashion[0]) is fashion[0].conv3
    assert saliency.grad_cam_layer(lite0) is lite0._conv_head


def test_overlay_is_an_rgb_picture_hot_where_the_attribution_is():
    attribution = np.zeros((28, 28), np.float32)
    attribution[10:14, 10:14] = 1.0
    gray = np.full((28, 28), 40, np.uint8)
    out = saliency.overlay(gray, attribution)
    assert out.shape == (28, 28, 3) and out.dtype == np.uint8
    assert np.all(out[0, 0] == 40) and out[12, 12].astype(int).sum() > 3 * 150
    big = saliency.overlay(np.zeros((56, 84, 3), np.uint8), attribution)  # attribution resized to the picture
    assert big.shape == (56, 84, 3)
