"""The out-of-distribution transforms, their severities, the camera pan, the flicker count, the sweep and the
augmentation; and the recorded accuracy-vs-severity curves of the two shipped Fashion CNNs."""
import numpy as np
import pytest
import torch

from core import checkpoints
from core.adversarial import out_of_distribution as ood


@pytest.fixture
def gray() -> torch.Tensor:
    return torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))


@pytest.fixture
def colour() -> torch.Tensor:
    return torch.rand(2, 3, 32, 40, generator=torch.Generator().manual_seed(1))


def test_every_transform_at_severity_zero_is_the_identity(gray, colour):
    for name, t in ood.TRANSFORMS.items():
        for x in ([colour] if t.colour_only else [gray, colour]):
            assert t(x, t.amount(0.0)) is x, name
            assert t(x, torch.full((len(x),), t.amount(0.0))) is x, name  # per-image amounts too
    assert ood.apply(gray, ood.Settings()) is gray
    assert ood.apply(colour, ood.Settings(blur_angle=45)) is colour  # a direction without a length changes nothing


def test_every_transform_at_severity_one_changes_the_image_and_stays_in_range(gray, colour):
    for name, t in ood.TRANSFORMS.items():
        for x in ([colour] if t.colour_only else [gray, colour]):
            y = t(x, t.amount(1.0))
            assert y.shape == x.shape and not torch.allclose(y, x), name
            assert y.min() >= -1e-6 and y.max() <= 1 + 1e-6, name


def test_severities_map_to_the_amounts_between_identity_and_full():
    rotation, scale = ood.TRANSFORMS["rotation"], ood.TRANSFORMS["scale"]
    assert rotation.amount(0.5) == 90 and scale.amount(1.0) == pytest.approx(0.3)
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            rotation.amount(bad)
    assert ood.GRAYSCALE == ("rotation", "scale", "inversion", "contrast", "texture", "noise", "motion blur")


def test_a_quarter_turn_is_a_rot90_anticlockwise_and_a_shift_moves_right():
    x = torch.zeros(1, 1, 8, 8)
    x[0, 0, 1, 6] = 1.0  # top right
    turned = ood.rotate(x, 90.0)
    assert torch.allclose(turned, torch.rot90(x, 1, dims=(2, 3)), atol=1e-5)  # → top left
    moved = ood.affine(x, shift=(-0.25, 0.0))
    assert moved[0, 0, 1, 4] == pytest.approx(1.0, abs=1e-5)


def test_scaling_down_shrinks_the_object_on_black():
    x = torch.ones(1, 1, 28, 28)
    small = ood.scale(x, 0.5)
    assert small.mean().item() == pytest.approx(0.25, abs=0.03) and small[0, 0, 0, 0] == 0


def test_hue_keeps_greys_turns_red_to_green_and_refuses_grayscale(gray):
    greys = torch.full((1, 3, 4, 4), 0.4)
    assert torch.allclose(ood.hue_shift(greys, 77.0), greys, atol=1e-6)
    red = torch.zeros(1, 3, 2, 2)
    red[:, 0] = 1
    assert torch.allclose(ood.hue_shift(red, 120.0)[0, :, 0, 0], torch.tensor([0.0, 1.0, 0.0]), atol=1e-5)
    with pytest.raises(ValueError, match="no hue"):
        ood.hue_shift(gray, 30.0)


def test_inversion_contrast_texture_and_noise(gray):
    assert torch.allclose(ood.invert(gray, 1.0), 1 - gray)
    assert torch.allclose(ood.invert(gray, 0.5), torch.full_like(gray, 0.5))
    flat = ood.contrast(gray, 0.0)
    assert torch.allclose(flat, gray.mean((1, 2, 3), keepdim=True).expand_as(gray))
    black = torch.zeros(1, 1, 28, 28)
    assert torch.equal(ood.texture(black, 1.0), black)  # the outline stays: black is untouched
    assert torch.equal(ood.noise(gray, 0.2), ood.noise(gray, 0.2))  # a fixed draw: a sweep is repeatable


def test_motion_blur_spreads_a_dot_along_its_direction_only():
    x = torch.zeros(1, 1, 21, 21)
    x[0, 0, 10, 10] = 1.0
    across = ood.motion_blur(x, 7.0, 0.0)[0, 0]
    assert across.sum().item() == pytest.approx(1.0, abs=1e-5)
    assert across[10].sum().item() == pytest.approx(1.0, abs=1e-5)  # all of it in the dot's row
    assert (across[10] > 0.05).sum() == 7
    down = ood.motion_blur(x, 7.0, 90.0)[0, 0]
    assert down[:, 10].sum().item() == pytest.approx(1.0, abs=1e-5)
    kernels = ood.motion_kernels(torch.tensor([0.0, 5.0, 11.0]), torch.tensor([0.0, 30.0, 135.0]))
    assert torch.allclose(kernels.sum((1, 2)), torch.ones(3))
    centre = kernels.shape[-1] // 2
    assert kernels[0, centre, centre] == 1  # length 0: no blur


def test_per_image_amounts_match_one_image_at_a_time(gray):
    amounts = torch.tensor([0.0, 30.0, -90.0, 180.0])
    together = ood.rotate(gray, amounts)
    for i, a in enumerate(amounts):
        assert torch.allclose(together[i:i + 1], ood.rotate(gray[i:i + 1], float(a)), atol=1e-5)
    lengths = torch.tensor([0.0, 3.0, 6.0, 9.0])
    blurred = ood.motion_blur(gray, lengths, 45.0)
    for i, length in enumerate(lengths):
        assert torch.allclose(blurred[i:i + 1], ood.motion_blur(gray[i:i + 1], float(length), 45.0), atol=1e-6)


def test_the_transforms_are_differentiable(colour):
    x = colour.clone().requires_grad_()
    y = ood.motion_blur(ood.hue_shift(ood.affine(x, 10.0, 0.9), 40.0), 5.0, 30.0)
    y = ood.gaussian_blur(ood.contrast(ood.texture(y, 0.5), 0.7), 1.0)
    y.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_a_still_camera_films_the_picture_itself_and_a_pan_moves_across_it():
    image = torch.rand(3, 24, 24, generator=torch.Generator().manual_seed(2))
    still, offsets = ood.pan_frames(image, frames=5, pan=0.0, shake=0.0)
    assert still.shape == (5, 3, 24, 24) and np.allclose(offsets, 0)
    assert torch.allclose(still, image.expand(5, -1, -1, -1), atol=1e-5)
    frames, offsets = ood.pan_frames(image, frames=7, pan=0.5)
    assert offsets[0, 0] == pytest.approx(-0.25) and offsets[-1, 0] == pytest.approx(0.25)
    assert np.all(np.diff(offsets[:, 0]) > 0)
    assert torch.allclose(frames[3], image, atol=1e-5)  # the middle frame is centred
    assert torch.allclose(frames[-1][:, :, :18], image[:, :, 6:], atol=1e-5)  # the last looks 6 pixels right
    shaky, jolts = ood.pan_frames(image, frames=7, pan=0.0, shake=0.05, seed=3)
    assert np.abs(jolts).max() > 0 and np.array_equal(jolts, ood.pan_frames(image, 7, 0.0, 0.05, seed=3)[1])


def test_flips_count_changes_between_consecutive_frames():
    f = ood.Flicker(np.array([1, 1, 2, 2, 1, 3]), np.ones(6), np.ones(6))
    assert f.flips == 3 and f.labels_seen == 3


class Constant(torch.nn.Module):
    """Always says class 0, whatever it sees."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return torch.nn.functional.one_hot(torch.zeros(len(x), dtype=torch.long), 10).float() + self.w


def test_the_sweep_measures_severity_zero_once_and_reports_progress():
    images = np.random.default_rng(0).integers(0, 256, (30, 28, 28), dtype=np.uint8)
    labels = np.array([0] * 12 + [1] * 18)
    calls = []
    curves = ood.sweep({"zero": Constant()}, images, labels, ("rotation", "noise"), (0.0, 0.5, 1.0), batch=8,
                       on_progress=lambda done, total: calls.append((done, total)))
    assert curves == {"zero": {"rotation": [0.4, 0.4, 0.4], "noise": [0.4, 0.4, 0.4]}}
    assert calls == [(i, 5) for i in range(1, 6)]  # 1 clean pass + 2 transforms × 2 severities


def test_flips_over_the_test_items_counts_each_items_video():
    images = np.random.default_rng(1).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    flips = ood.flips_over({"zero": Constant()}, images, frames=6, pan=0.5, shake=0.05)
    assert flips["zero"].tolist() == [0, 0, 0]


def test_augmentation_keeps_shape_and_range_and_repeats_with_the_seed(gray):
    a = ood.augment(gray, torch.Generator().manual_seed(5))
    b = ood.augment(gray, torch.Generator().manual_seed(5))
    assert a.shape == gray.shape and torch.equal(a, b)
    assert a.min() >= 0 and a.max() <= 1 + 1e-6 and not torch.allclose(a, gray)


def test_the_recorded_curves_cover_both_models_every_grayscale_change_and_severity():
    entries = checkpoints.read_manifest()
    m = entries["fashion_cnn_augmented"].metrics
    assert m["ood_plain_sha256"] == entries["fashion_cnn"].sha256
    assert tuple(m["ood_severities"]) == ood.SEVERITIES
    curves = m["ood_accuracy"]
    assert set(curves) == {"fashion_cnn", "fashion_cnn_augmented"}
    for name, by_transform in curves.items():
        assert tuple(by_transform) == ood.GRAYSCALE
        assert all(len(a) == len(ood.SEVERITIES) and 0 <= min(a) <= max(a) <= 1 for a in by_transform.values())
    # severity 0 is the test accuracy (the plain model's as shipped, in half precision: within a few items)
    assert curves["fashion_cnn"]["rotation"][0] == pytest.approx(entries["fashion_cnn"].metrics["test_accuracy"],
                                                                 abs=0.002)
    assert curves["fashion_cnn_augmented"]["rotation"][0] == pytest.approx(m["test_accuracy"], abs=0.002)
    for trained in ood.AUGMENTED:  # augmentation helps where it trained, at full severity
        assert curves["fashion_cnn_augmented"][trained][-1] > curves["fashion_cnn"][trained][-1] + 0.2
