"""The image GAN: the DCGAN's shapes, pixels in and out, latent interpolation, the discriminator's scores, the
judge's verdict (entropy of the class shares, mean top-class probability), a short training that learns and is
deterministic, divergence and collapse caught, and the shipped checkpoint meeting its goals."""
import math

import numpy as np
import pytest
import torch

from core import checkpoints
from core.data.images import fashion_mnist
from core.generative import gan_images
from core.models import build
from core.models.gan import DCGAN, Discriminator, GANConfig, Generator

TINY = GANConfig(latent=16, g_width=16, d_width=8)


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    return torch.from_numpy(np.array(fashion_mnist(train=True)[0][:4000]))[:, None]


def test_generator_and_discriminator_shapes_and_ranges():
    torch.manual_seed(0)
    G, D = Generator(TINY).eval(), Discriminator(TINY).eval()
    x = G(torch.randn(5, 16))
    assert x.shape == (5, 1, 28, 28) and x.min() >= -1 and x.max() <= 1
    assert D(x).shape == (5,)
    model = build({"class": "DCGAN", "config": {"latent": 16, "g_width": 16, "d_width": 8}})
    assert isinstance(model, DCGAN) and model.generator.cfg == TINY


def test_both_ways_of_upsampling_give_28_by_28_images_and_a_bad_one_is_refused():
    torch.manual_seed(0)
    nearest = Generator(GANConfig(latent=16, g_width=16, upsample="nearest")).eval()
    assert nearest(torch.randn(3, 16)).shape == (3, 1, 28, 28)
    assert not any(isinstance(m, torch.nn.ConvTranspose2d) for m in nearest.modules())
    with pytest.raises(ValueError, match="upsample"):
        Generator(GANConfig(upsample="bilinear"))


def test_pixels_round_trip_through_the_networks_range():
    pictures = np.array([[[0, 255], [128, 64]]], np.uint8).repeat(14, 1).repeat(14, 2)
    x = gan_images.to_input(pictures)
    assert x.shape == (1, 1, 28, 28) and x.min() == -1 and x.max() == 1
    assert np.array_equal(gan_images.to_pixels(x), pictures)
    assert gan_images.to_input(fashion_mnist(train=False)[0][:2]).shape == (2, 1, 28, 28)  # read-only input


def test_latent_vectors_depend_only_on_the_seed():
    assert torch.equal(gan_images.latent(4, 7), gan_images.latent(4, 7))
    assert not torch.equal(gan_images.latent(4, 7), gan_images.latent(4, 8))
    assert gan_images.latent(3, 0, 16).shape == (3, 16)


def test_interpolation_ends_at_both_vectors_and_slerp_keeps_the_length():
    z0, z1 = gan_images.latent(2, 0, 64)
    line = gan_images.interpolate(z0, z1, 9)
    arc = gan_images.interpolate(z0, z1, 9, spherical=True)
    for path in (line, arc):
        assert path.shape == (9, 64)
        assert torch.allclose(path[0], z0, atol=1e-5) and torch.allclose(path[-1], z1, atol=1e-5)
    assert torch.allclose(line[4], (z0 + z1) / 2)
    # two random 64-d vectors are nearly orthogonal: the line's middle is about 1/√2 as long, the arc's is not
    assert line[4].norm() < 0.85 * (z0.norm() + z1.norm()) / 2
    assert abs(arc[4].norm() - (z0.norm() + z1.norm()) / 2) < 0.1 * z0.norm()
    same = gan_images.interpolate(z0, z0, 3, spherical=True)
    assert torch.allclose(same, z0.expand(3, -1))


def test_discriminator_scores_are_probabilities():
    torch.manual_seed(0)
    D = Discriminator(TINY)
    x = torch.rand(7, 1, 28, 28) * 2 - 1
    D(x)  # one pass in training mode: the spectral norm's power iteration estimates each layer's norm
    scores = gan_images.discriminator_scores(D.eval(), x, batch=3)
    assert scores.shape == (7,) and ((scores > 0) & (scores < 1)).all()


def test_verdict_measures_evenness_and_confidence():
    even = np.eye(10)[np.arange(1000) % 10] * 0.9 + 0.01  # every class equally often, each at 0.91
    v = gan_images.verdict(even)
    assert v.histogram == [100] * 10 and math.isclose(v.entropy_ratio, 1.0)
    assert math.isclose(v.mean_top_probability, 0.91, rel_tol=1e-6) and v.met and v.n == 1000
    collapsed = np.tile(np.eye(10)[3], (50, 1))
    c = gan_images.verdict(collapsed)
    assert c.entropy_ratio == 0.0 and c.histogram[3] == 50 and not c.met
    unsure = np.full((20, 10), 0.1)
    unsure[np.arange(20), np.arange(20) % 10] += 0.05
    assert not gan_images.verdict(unsure).met  # even, but the judge is unsure of every image


def test_judge_reads_images_in_zero_one():
    class Spy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))
            self.seen = []

        def forward(self, x):
            self.seen.append(x)
            return torch.zeros(len(x), 10) + self.w

    spy = Spy()
    probs = gan_images.judge(spy, torch.full((3, 1, 28, 28), -1.0))
    assert probs.shape == (3, 10) and np.allclose(probs, 0.1)
    assert spy.seen[0].min() == 0 and spy.seen[0].max() == 0


def _tiny_run(images, steps=40, seed=0, lr=2e-4, **kw) -> gan_images.Run:
    settings = gan_images.Settings(config=TINY, steps=steps, lr=lr, seed=seed, snapshots=2, batch=32, **kw)
    return gan_images.train(gan_images.Run.start(settings), images)


def test_a_short_training_records_losses_scores_and_snapshots(images):
    seen = []
    settings = gan_images.Settings(config=TINY, steps=30, seed=0, snapshots=3, batch=32, ema=0.9)
    run = gan_images.train(gan_images.Run.start(settings), images,
                           on_progress=lambda *a: seen.append(a), progress_every=10)
    assert run.status == "done" and run.step == 30 and len(run.scores) == 30
    assert [s for s, _ in run.snapshots] == [0, 10, 20, 30]
    assert run.snapshots[0][1].shape == (gan_images.SNAPSHOT_Z, 28, 28) and run.snapshots[0][1].dtype == np.uint8
    assert [a[0] for a in seen] == [10, 20, 30] and len(seen[0]) == 4
    assert not run.model.training and run.average is not None and run.generator is run.average
    d_real, d_fake = np.mean(run.scores[-10:], axis=0)
    assert d_real > d_fake  # the discriminator has learned something
    assert not np.array_equal(run.snapshots[0][1], run.snapshots[-1][1])


def test_training_is_deterministic_for_a_seed(images):
    a, b = _tiny_run(images, 15, seed=3), _tiny_run(images, 15, seed=3)
    assert a.losses == b.losses
    assert np.array_equal(a.snapshots[-1][1], b.snapshots[-1][1])


def test_a_callback_can_stop_a_run_which_keeps_what_was_done(images):
    def stop(step, *_):
        if step == 7:
            raise gan_images.Stop
    settings = gan_images.Settings(config=TINY, steps=50, snapshots=2, batch=32)
    run = gan_images.train(gan_images.Run.start(settings), images, on_progress=stop)
    assert run.status == "stopped" and run.step == 7 and not run.model.generator.training


def test_a_huge_learning_rate_is_caught_as_diverged(images):
    run = _tiny_run(images, 200, lr=1.0)
    assert run.status == "diverged" and run.step < 200 and run.reason


def test_learning_rates_hold_then_fall_linearly_to_zero_over_the_last_part():
    s = gan_images.Settings(steps=1000, decay=0.25)
    assert [gan_images.rate(s, step) for step in (0, 750, 875, 1000)] == [1.0, 1.0, 0.5, 0.0]
    assert gan_images.rate(gan_images.Settings(steps=1000), 999) == 1.0  # no decay: constant
    run = gan_images.Run.start(gan_images.Settings(steps=4, decay=0.5, lr=1e-3, ema=0.0, snapshots=1))
    seen = []
    gan_images.train(run, torch.randint(0, 256, (32, 1, 28, 28), dtype=torch.uint8),
                     on_progress=lambda *_: seen.append([o.param_groups[0]["lr"] for o in run.optimisers]))
    assert seen == [[1e-3, 1e-3], [1e-3, 1e-3], [1e-3, 1e-3], [5e-4, 5e-4]]  # steps 1-4 used the rate of 0-3


def test_divergence_rules():
    run = gan_images.Run.start(gan_images.Settings(config=TINY))
    run.losses = [(1.3, 0.7)] * 30
    assert gan_images.diverged(run) == ""
    run.losses.append((float("nan"), 0.7))
    assert "NaN" in gan_images.diverged(run)
    run.losses = [(0.01, 40.0)] * gan_images.DIVERGE_WINDOW
    assert "generator's loss blew up" in gan_images.diverged(run)
    assert gan_images.collapsed(torch.zeros(8, 1, 28, 28)) and not gan_images.collapsed(torch.rand(8, 1, 28, 28))


@pytest.mark.skipif(not checkpoints.exists("fashion_gan"), reason="the fashion_gan checkpoint is not built")
def test_the_shipped_gan_meets_its_goals_as_recorded_and_on_fresh_samples():
    entry = checkpoints.read_manifest()["fashion_gan"]
    m = entry.metrics
    assert m["entropy_ratio"] >= gan_images.GOALS["entropy_ratio"] and sum(m["class_histogram"]) == 5000
    assert m["mean_top_probability"] >= gan_images.GOALS["mean_top_probability"]
    model = checkpoints.load_model("fashion_gan").cpu()
    judge = checkpoints.load_model("fashion_cnn").cpu()
    v = gan_images.evaluate(model.generator, judge, n=1000, seed=99)  # other samples than the recorded ones
    assert v.entropy_ratio >= 0.9 and v.mean_top_probability >= 0.79  # 1,000 samples: about ±0.01 around 0.81
    assert sum(p.numel() for p in model.parameters()) * 2 < 4e6  # fp16 under 4 MB
