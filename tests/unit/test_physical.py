"""The camera and printer transformations, the straight-through JPEG, random cameras, the survival check and the
EOT attack (on the shipped Fashion CNN, where an attack takes well under a second)."""
import numpy as np
import pytest
import torch

from core import checkpoints, features
from core.adversarial import physical as ph
from core.data.images import fashion_mnist


@pytest.fixture(scope="module")
def cnn() -> torch.nn.Module:
    return checkpoints.load_model("fashion_cnn").cpu()


@pytest.fixture(scope="module")
def boot() -> tuple[torch.Tensor, int]:
    X, y = fashion_mnist(train=False)
    return features.as_batch(X[:1]), int(y[0])  # an ankle boot


def test_a_camera_that_changes_nothing_is_the_identity():
    x = torch.rand(2, 3, 16, 16)
    assert ph.Camera().is_identity and ph.photograph(x, ph.Camera()) is x
    assert ph.jpeg(x, 100) is x


def test_jpeg_is_close_to_the_image_and_keeps_its_shape_in_grey_and_colour():
    g = torch.Generator().manual_seed(0)
    for x in (torch.rand(2, 1, 28, 28, generator=g), torch.rand(1, 3, 40, 32, generator=g)):
        x = ph.ood.gaussian_blur(x, 1.0)  # smooth images, as photos are: JPEG keeps them close
        y = ph.jpeg(x, 30)
        assert y.shape == x.shape and y.dtype == x.dtype
        assert 0 < (y - x).abs().mean() < 0.08
        assert (ph.jpeg(x, 90) - x).abs().mean() < (y - x).abs().mean()


def test_straight_through_jpeg_compresses_forward_and_passes_the_gradient_back_unchanged():
    x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(1)).requires_grad_()
    quality = torch.tensor([20, 100, 60])
    y = ph.straight_through_jpeg(x, quality)
    assert torch.allclose(y[0:1], ph.jpeg(x[0:1], 20)) and torch.allclose(y[1], x[1])
    (y * torch.arange(3.0)[:, None, None, None]).sum().backward()
    assert torch.equal(x.grad, torch.arange(3.0)[:, None, None, None].expand_as(x))


def test_random_cameras_repeat_with_their_seed_and_stay_in_their_ranges():
    cams = ph.random_cameras(200, seed=4)
    assert cams == ph.random_cameras(200, seed=4) and cams != ph.random_cameras(200, seed=5)
    r = ph.RANGES
    assert all(abs(c.rotation) <= r.rotation and r.scale[0] <= c.scale <= r.scale[1] for c in cams)
    assert all(r.brightness[0] <= c.brightness <= r.brightness[1] and 0 <= c.blur <= r.blur for c in cams)
    compressed = [c.jpeg for c in cams if c.jpeg < 100]
    assert 0.35 < len(compressed) / len(cams) < 0.65 and min(compressed) >= r.jpeg[0] and max(compressed) <= r.jpeg[1]
    assert all(c.jpeg == 100 for c in ph.random_cameras(50, with_jpeg=False))


def test_the_random_camera_transform_is_differentiable_and_seeded():
    x = torch.rand(4, 3, 32, 32, generator=torch.Generator().manual_seed(2)).requires_grad_()
    transform = ph.random_camera()
    a = transform(x, torch.Generator().manual_seed(7))
    b = transform(x, torch.Generator().manual_seed(7))
    assert a.shape == x.shape and torch.equal(a, b)
    a.sum().backward()
    assert x.grad.abs().sum() > 0


def test_one_change_at_a_time_and_all_together():
    assert ph.one_at_a_time(ph.Camera(rotation=5)) == {"rotation": ph.Camera(rotation=5)}
    both = ph.one_at_a_time(ph.Camera(rotation=5, jpeg=40))
    assert both == {"rotation": ph.Camera(rotation=5), "jpeg": ph.Camera(jpeg=40),
                    "all together": ph.Camera(rotation=5, jpeg=40)}
    assert ph.one_at_a_time(ph.Camera()) == {}


def test_fooled_means_not_the_label_or_the_target():
    top = np.array([1, 2, 3])
    assert ph.fooled(top, 2).tolist() == [True, False, True]
    assert ph.fooled(top, 2, target=3).tolist() == [False, False, True]


def test_attacks_stay_in_their_budget_and_report_each_step(cnn, boot):
    x, label = boot
    steps = []
    plain = ph.plain_attack(cnn, x, label, 0.1, steps=5, on_step=lambda: steps.append("plain"))
    eot = ph.eot_attack(cnn, x, label, 0.1, steps=5, samples=4, on_step=lambda: steps.append("eot"))
    assert steps == ["plain"] * 6 + ["eot"] * 6  # each step, and the final evaluation
    for out in (plain, eot):
        assert (out.x - x).abs().max() <= 0.1 + 1e-6 and out.x.min() >= 0 and out.x.max() <= 1


def test_the_eot_attack_survives_random_cameras_better_than_the_plain_attack(cnn, boot):
    x, label = boot
    plain = ph.plain_attack(cnn, x, label, 0.15, steps=10)
    progress = []
    result = ph.survival(cnn, x, plain.x, label, 0.15, steps=10, samples=16, cameras=40,
                         on_progress=lambda f, what: progress.append(f))
    assert len(result.cameras) == 40 and result.clean.shape == result.plain.shape == result.eot.shape == (40,)
    assert progress[-1] == 1.0 and progress == sorted(progress)
    rates = result.rates
    assert rates["original (no attack)"] == 0.0  # the cameras alone never fool it on this boot
    assert rates["EOT attack"] >= max(0.8, rates["plain attack"])
    assert result.eot_x.shape == x.shape and set(result.seconds) == {"EOT attack", "measuring"}
