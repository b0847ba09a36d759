"""One layer of sigmoids: each unit's scaled output, their sum, and a fit that improves with more units."""
import numpy as np
import pytest
import torch

from core.feed_forward import sum_of_sigmoids as sos


def test_units_output_is_one_scaled_sigmoid_per_unit():
    x = np.linspace(-3, 3, 7)
    w, b, a = np.array([1.0, -2.0]), np.array([0.5, 1.0]), np.array([2.0, -0.5])
    out = sos.units_output(x, w, b, a)
    assert out.shape == (2, 7)
    expected = a[:, None] * torch.sigmoid(torch.from_numpy(w[:, None] * x + b[:, None])).numpy()
    np.testing.assert_allclose(out, expected, atol=1e-14)
    np.testing.assert_allclose(sos.layer_output(x, w, b, a, c=0.3), out.sum(0) + 0.3)


def test_a_unit_steps_at_minus_b_over_w_by_its_scale():
    x = np.array([-100.0, 1.5, 100.0])
    out = sos.units_output(x, np.array([4.0]), np.array([-6.0]), np.array([0.7]))[0]
    np.testing.assert_allclose(out, [0.0, 0.35, 0.7], atol=1e-12)


@pytest.mark.parametrize("n_units", [1, 4, 10])
def test_defaults_spread_the_steps_across_the_range_into_a_ramp(n_units):
    d = sos.defaults(n_units)
    assert d.w.shape == d.b.shape == d.a.shape == (n_units,)
    steps_at = -d.b / d.w
    assert np.all(np.diff(steps_at) > 0) and -3 < steps_at.min() and steps_at.max() < 3
    f = sos.layer_output(sos.grid(), d.w, d.b, d.a, d.c)
    assert np.all(np.diff(f) > 0) and f[0] < 0.25 and f[-1] > 0.75


@pytest.mark.parametrize("target", list(sos.TARGETS))
def test_targets_are_curves_on_the_grid(target):
    y = np.asarray(sos.TARGETS[target](sos.grid()))
    assert y.shape == (200,) and np.all(np.isfinite(y))


def test_two_sigmoids_make_a_bump():
    fit = sos.fit_units("bump", 2, seed=0)
    assert fit.losses[-1] < 1e-3 < fit.losses[0]
    assert np.sign(fit.a[0] * fit.w[0]) != np.sign(fit.a[1] * fit.w[1])  # one steps up, the other down


def test_more_units_fit_a_sine_better():
    losses = [sos.fit_units("sine", n, seed=0).losses[-1] for n in (2, 5, 10)]
    assert losses[0] > losses[1] > losses[2]
    assert losses[2] < 5e-3


def test_the_reported_loss_is_the_numpy_layers_error():
    fit = sos.fit_units("two bumps", 5, steps=200, seed=1)
    w, b, a, c, losses = fit
    assert len(losses) == 201
    mse = np.mean((sos.layer_output(sos.grid(), w, b, a, c) - sos.TARGETS["two bumps"](sos.grid())) ** 2)
    assert losses[-1] == pytest.approx(mse, rel=1e-12)


def test_fitting_is_deterministic_for_a_seed():
    one, two = sos.fit_units("step", 3, steps=50, seed=7), sos.fit_units("step", 3, steps=50, seed=7)
    np.testing.assert_array_equal(one.w, two.w)
    assert one.losses == two.losses
