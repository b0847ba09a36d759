"""The 2-D GAN engine: targets, reading the student's points, the losses, the measures (modes covered, the
Jensen–Shannon estimate), determinism, divergence, and a short run that covers more modes than it started with."""
import numpy as np
import pytest
import torch

from core.generative import gan2d
from core.generative.gan2d import Gan, GanConfig

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("bad", [dict(target="spiral"), dict(g_layers=0), dict(d_layers=5), dict(g_width=2),
                                 dict(d_width=256), dict(g_lr=0.0), dict(d_lr=20.0), dict(d_steps=0),
                                 dict(d_steps=11), dict(loss="hinge"), dict(noise_dim=0), dict(batch=4),
                                 dict(seed=-1)])
def test_config_refuses_values_out_of_range(bad):
    with pytest.raises(ValueError):
        GanConfig(**bad)


@pytest.mark.parametrize("target", ["ring", "two moons", "grid"])
def test_targets_are_seeded_and_inside_the_canvas(target):
    a = gan2d.sample_target(target, 3000, np.random.default_rng(1))
    b = gan2d.sample_target(target, 3000, np.random.default_rng(1))
    assert a.shape == (3000, 2) and a.dtype == np.float32 and np.array_equal(a, b)
    assert np.abs(a).max() < gan2d.CANVAS


def test_ring_samples_cover_all_eight_modes_evenly():
    samples = gan2d.sample_target("ring", 4000, np.random.default_rng(0))
    shares = gan2d.mode_shares(samples, gan2d.ring_centres())
    assert gan2d.modes_covered(samples, gan2d.ring_centres()) == 8
    assert np.allclose(shares, 1 / 8, atol=0.03)  # 3 standard deviations hold 99 % of each mode
    assert np.allclose(np.linalg.norm(gan2d.ring_centres(), axis=1), gan2d.RING_RADIUS)
    assert gan2d.centres("two moons") is None and gan2d.centres("grid").shape == (9, 2)


def test_modes_covered_counts_modes_with_a_fair_share():
    means = gan2d.ring_centres()
    three = np.repeat(means[:3], 100, axis=0)
    assert gan2d.modes_covered(three, means) == 3
    one_point_elsewhere = np.vstack([np.repeat(means[:1], 999, axis=0), means[1:2]])  # 0.1 % on mode 2
    assert gan2d.modes_covered(one_point_elsewhere, means) == 1
    assert gan2d.modes_covered(np.zeros((50, 2)), means) == 0


def test_jensen_shannon_is_zero_for_equal_one_for_disjoint_and_symmetric():
    p, q = np.array([0.5, 0.5, 0, 0]), np.array([0, 0, 0.3, 0.7])
    assert gan2d.js_divergence(p, p) == pytest.approx(0)
    assert gan2d.js_divergence(p, q) == pytest.approx(1)
    r = np.array([0.1, 0.2, 0.3, 0.4])
    assert gan2d.js_divergence(p, r) == pytest.approx(gan2d.js_divergence(r, p))
    assert 0 < gan2d.js_divergence(p, r) < 1


def test_js_estimate_tells_close_from_far_and_counts_points_off_the_canvas():
    rng = np.random.default_rng(0)
    real = gan2d.sample_target("ring", 2000, rng)
    assert gan2d.js_estimate(real, gan2d.sample_target("ring", 2000, rng)) < 0.05
    collapsed = np.repeat(gan2d.ring_centres()[:1], 2000, axis=0).astype(np.float32)
    assert gan2d.js_estimate(real, collapsed) > 0.6
    assert gan2d.js_estimate(real, np.full((2000, 2), 50.0)) == pytest.approx(1)  # all off the canvas
    assert gan2d.js_estimate(real, np.full((2000, 2), np.nan)) == pytest.approx(1)


def test_losses_at_the_equilibrium_where_d_says_one_half():
    log, ls = GanConfig(), GanConfig(loss="least squares")
    d, g = gan2d.losses(log, torch.zeros(8, 1), torch.zeros(8, 1))  # logit 0: D = ½
    assert float(d) == pytest.approx(2 * np.log(2)) and float(g) == pytest.approx(np.log(2))
    d, g = gan2d.losses(ls, torch.full((8, 1), 0.5), torch.full((8, 1), 0.5))
    assert float(d) == pytest.approx(0.25) and float(g) == pytest.approx(0.125)


def test_same_seed_same_run_other_seed_other_run():
    a, b, c = Gan(GanConfig(seed=3)), Gan(GanConfig(seed=3)), Gan(GanConfig(seed=4))
    for gan in (a, b, c):
        gan.step(20)
    assert a.history == b.history and np.array_equal(a.generate(), b.generate())
    assert a.history != c.history


def test_a_short_run_covers_more_modes_of_the_ring_than_at_the_start():
    gan = Gan(GanConfig())
    before = gan.modes_covered()
    gan.step(800)
    after = gan.modes_covered()
    assert not gan.diverged and after > before, (before, after)
    assert gan.snapshot().js < Gan(GanConfig()).snapshot().js  # the clouds moved closer


def test_arrows_point_where_the_generators_loss_falls():
    gan = Gan(GanConfig())
    gan.step(50)
    x = gan.generate()[:200]
    grad = gan.generator_gradients(x)
    assert grad.shape == x.shape and np.isfinite(grad).all()

    def loss(points):
        with torch.no_grad():
            return float(gan2d.losses(gan.config, torch.zeros(1), gan.D(torch.from_numpy(points)))[1])
    step = -grad / np.linalg.norm(grad, axis=1, keepdims=True).max() * 1e-2
    assert loss(x + step) < loss(x) < loss(x - step)


def test_discriminator_map_and_snapshot():
    for loss in gan2d.LOSSES:
        gan = Gan(GanConfig(loss=loss))
        gan.step(5)
        d_map = gan.discriminator_map(32)
        assert d_map.shape == (32, 32) and d_map.min() >= 0 and d_map.max() <= 1
    snap = gan.snapshot(arrows=40)
    assert snap.real.shape == snap.fake.shape == (Gan.VIEW_POINTS, 2) and snap.gradients.shape == (40, 2)
    assert np.array_equal(snap.gradients, gan.generator_gradients(snap.fake[:40]))
    assert gan.snapshot(arrows=0).gradients.shape == (0, 2)
    assert snap.covered.shape == (8,) and snap.iteration == 5 and 0 <= snap.js <= 1
    assert 0 < gan.js_floor < 0.05
    assert gan2d.grid(3)[0].tolist() == [-gan2d.CANVAS, gan2d.CANVAS]  # top-left first, as an image


def test_learning_rates_change_in_place():
    gan = Gan(GanConfig())
    gan.step(3)
    gan.set_rates(0.01, 0.0003, 4)
    assert gan.g_opt.param_groups[0]["lr"] == 0.01 and gan.d_opt.param_groups[0]["lr"] == 0.0003
    assert gan.config.d_steps == 4 and gan.iteration == 3


@pytest.mark.parametrize("config", [GanConfig(g_lr=1.0, d_lr=1.0), GanConfig(loss="least squares", d_lr=1.0)])
def test_huge_learning_rates_diverge_and_stop(config):
    gan = Gan(config)
    gan.step(200)
    assert gan.diverged and gan.iteration < 200
    stopped = gan.iteration
    assert gan.step(10) == [] and gan.iteration == stopped
    gan.snapshot()  # still drawable


def test_reading_points_with_header_comments_and_separators():
    read = gan2d.read_points("x, y\n# a comment\n1, 2\n-1;0.5\n0.25\t-1\n 2 2 \n\n1.5, -0.5  # inline\n")
    assert read.points.tolist() == [[1, 2], [-1, 0.5], [0.25, -1], [2, 2], [1.5, -0.5]]
    assert read.notes == []


@pytest.mark.parametrize("text, message", [("", "No points"), ("# only a comment\n\n", "No points"),
                                           ("x, y\n", "No points"), ("1, 2\nabc\n3, 4, 5\n", "Lines 2, 3"),
                                           ("1, nan\n", "Line 1"), ("1, inf\n", "Line 1")])
def test_reading_bad_points_says_what_to_fix(text, message):
    with pytest.raises(ValueError, match=message):
        gan2d.read_points(text)


def test_huge_degenerate_and_far_point_sets_are_handled_with_a_note():
    many = gan2d.read_points("\n".join(f"{i % 50 / 25 - 1}, {i // 50 / 60 - 1}" for i in range(6000)))
    assert len(many.points) == gan2d.MAX_USER_POINTS and "first 5,000" in many.notes[0]
    same = gan2d.read_points("1, 1\n" * 20)
    assert len(same.points) == 20 and "same point" in same.notes[0]
    line = gan2d.read_points("\n".join(f"{t}, {0.5 * t - 1}" for t in np.linspace(-1, 1, 15)))
    assert "straight line" in line.notes[0]
    far = gan2d.read_points("100, 200\n300, 250\n200, 400\n")
    assert np.abs(far.points).max() == pytest.approx(2.5) and "scaled" in far.notes[0]
    assert "same point" not in " ".join(far.notes) and "line" not in " ".join(far.notes)
    one = gan2d.read_points("0.5, 0.5")
    assert len(one.points) == 1 and "same point" in one.notes[0]


def test_a_gan_learns_from_the_students_points():
    points = np.array([[-1.5, 1.0], [1.5, 1.0], [0.0, -1.5]])
    samples = gan2d.sample_target("your points", 3000, np.random.default_rng(0), points)
    assert gan2d.modes_covered(samples, points, radius=4 * gan2d.USER_JITTER) == 3
    gan = Gan(GanConfig(target="your points"), points)
    gan.step(5)
    assert gan.means is None and gan.snapshot().covered is None
    with pytest.raises(ValueError):
        Gan(GanConfig(target="your points"), None)


