"""The VAE's ELBO terms on cases computed by hand, the latent plane's grid and cells, interpolation and sampling, and
the shipped VAEs: they load, decode, and fill their plane better than the plain 2-D autoencoders."""
import math

import numpy as np
import pytest
import torch

from core import checkpoints
from core.generative import autoencoders as ae
from core.generative import vae
from core.models.autoencoder import AEConfig, Autoencoder

pytestmark = pytest.mark.usefixtures("one_thread")


def test_kl_divergence_matches_the_formula_worked_by_hand():
    # μ = (1, −2), σ² = (1, 4): ½[(1 + 1 − 1 − 0) + (4 + 4 − 1 − log 4)] = ½(8 − log 4) = 3.306853
    mu = torch.tensor([[1.0, -2.0]])
    logvar = torch.log(torch.tensor([[1.0, 4.0]]))
    assert vae.kl_divergence(mu, logvar).item() == pytest.approx(0.5 * (8 - math.log(4)), abs=1e-6)
    assert vae.kl_divergence(mu, logvar).item() == pytest.approx(3.306853, abs=1e-6)
    # the prior itself is no distance from the prior; two items are two sums
    assert vae.kl_divergence(torch.zeros(1, 2), torch.zeros(1, 2)).item() == 0.0
    both = vae.kl_divergence(torch.cat([mu, torch.zeros(1, 2)]), torch.cat([logvar, torch.zeros(1, 2)]))
    assert both.shape == (2,) and both[1].item() == 0.0


def test_bernoulli_reconstruction_term_matches_the_formula_worked_by_hand():
    # x̂ = sigmoid(0) = 0.5 for x = 1, x̂ = sigmoid(log 3) = 0.75 for x = 0.2:
    # −log 0.5 − (0.2 log 0.75 + 0.8 log 0.25) = 0.693147 + 0.057536 + 1.109035 = 1.859719
    logits = torch.tensor([[0.0, math.log(3)]])
    x = torch.tensor([[1.0, 0.2]])
    by_hand = -math.log(0.5) - (0.2 * math.log(0.75) + 0.8 * math.log(0.25))
    assert vae.reconstruction_bce(logits, x).item() == pytest.approx(by_hand, abs=1e-5)
    assert by_hand == pytest.approx(1.859719, abs=1e-6)


def test_gaussian_reconstruction_term_matches_the_formula_worked_by_hand():
    # (1 − 0.5)² / (2 · 0.25) + ½ log(2π · 0.25) = 0.5 + 0.225791
    got = vae.reconstruction_gaussian(torch.tensor([[0.5]]), torch.tensor([[1.0]]), sigma=0.5).item()
    assert got == pytest.approx(0.5 + 0.5 * math.log(2 * math.pi * 0.25), abs=1e-6)
    assert got == pytest.approx(0.725791, abs=1e-6)


def test_reparameterisation_is_mu_plus_sigma_times_eps():
    z = vae.reparameterise(torch.tensor([1.0, -1.0]), torch.log(torch.tensor([4.0, 0.25])), torch.tensor([0.5, 2.0]))
    assert torch.allclose(z, torch.tensor([1.0 + 2.0 * 0.5, -1.0 + 0.5 * 2.0]))


def test_elbo_terms_are_the_two_terms_of_one_sample_averaged_over_the_batch():
    torch.manual_seed(0)
    net = Autoencoder(AEConfig(code=2, side=4, channels=(), hidden=5, variational=True)).eval()
    x = torch.rand(3, 1, 4, 4)
    reconstruction, kl = vae.elbo_terms(net, x, torch.Generator().manual_seed(7))
    mu, logvar = net.encode(x)
    eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(7))
    x_hat = torch.sigmoid(net.decode_logits(mu + torch.exp(0.5 * logvar) * eps))
    by_hand_rec = -(x * torch.log(x_hat) + (1 - x) * torch.log(1 - x_hat)).sum((1, 2, 3)).mean()
    by_hand_kl = (0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(1)).mean()
    assert reconstruction.item() == pytest.approx(by_hand_rec.item(), rel=1e-5)
    assert kl.item() == pytest.approx(by_hand_kl.item(), rel=1e-5)


def test_grid_points_are_cell_centres_top_row_first_and_match_the_cell_counts():
    points = vae.grid_points((-3, -3), (3, 3), 3)
    assert points.shape == (9, 2)
    assert np.allclose(points[0], [-2, 2]) and np.allclose(points[2], [2, 2]) and np.allclose(points[-1], [2, -2])
    counts = vae.cell_counts(points[[0, 0, 5]], (-3, -3), (3, 3), 3)  # two in the top-left cell, one mid-right
    assert counts.ravel().tolist() == [2, 0, 0, 0, 0, 1, 0, 0, 0]
    assert vae.empty_cells(points[[0, 0, 5]], (-3, -3), (3, 3), 3) == pytest.approx(7 / 9)
    assert vae.cell_counts(np.array([[9.0, 0.0]]), (-3, -3), (3, 3), 3).sum() == 0  # outside: not counted


def test_code_range_covers_the_codes_but_not_their_outliers():
    codes = np.concatenate([np.random.default_rng(0).uniform(-1, 1, (2000, 2)), [[50.0, -50.0]]])
    lo, hi = vae.code_range(codes)
    assert -1.2 < lo[0] < -0.9 and 0.9 < hi[0] < 1.2 and hi[0] < 50 and lo[1] > -50


def test_draws_in_holes_counts_draws_far_from_every_code_in_units_of_their_spacing():
    codes = np.stack(np.meshgrid(np.arange(10.0), np.arange(10.0)), -1).reshape(-1, 2)  # spacing 1
    draws = np.array([[4.5, 4.5], [20.0, 20.0], [9.0, 16.0], [-3.0, 0.0]])  # inside; far; 6 away; 3 away
    assert vae.draws_in_holes(draws, codes) == pytest.approx(0.5)
    assert vae.draws_in_holes(draws * 100, codes * 100) == pytest.approx(0.5)  # any scale alike
    assert vae.draws_in_holes(draws, codes, spacings=2.5) == pytest.approx(0.75)


def test_interpolation_runs_from_one_end_to_the_other_in_equal_steps():
    path = vae.interpolate(np.array([0.0, 2.0]), np.array([1.0, -2.0]), 5)
    assert path.shape == (5, 2) and np.allclose(path[0], [0, 2]) and np.allclose(path[-1], [1, -2])
    assert np.allclose(np.diff(path, axis=0), [0.25, -1.0])
    images = vae.interpolate(np.zeros((3, 3)), np.ones((3, 3)), 3)
    assert images.shape == (3, 3, 3) and np.allclose(images[1], 0.5)


def test_prior_and_fitted_samples_are_reproducible_and_shaped():
    a, b = vae.prior_samples(500, 2, seed=3), vae.prior_samples(500, 2, seed=3)
    assert a.shape == (500, 2) and np.array_equal(a, b) and not np.array_equal(a, vae.prior_samples(500, 2, 4))
    assert abs(a.mean()) < 0.15 and 0.85 < a.std() < 1.15
    codes = np.random.default_rng(0).normal([5, -5], [2, 0.5], (4000, 2))
    fitted = vae.fitted_gaussian_samples(codes, 4000, seed=0)
    assert np.allclose(fitted.mean(0), [5, -5], atol=0.15) and np.allclose(fitted.std(0), [2, 0.5], rtol=0.1)


@pytest.mark.parametrize("dataset", ["fashion", "mnist", "faces"])
def test_the_shipped_vae_decodes_the_plane_and_its_codes_follow_the_prior(dataset):
    info = ae.DATASETS[dataset]
    vaes = checkpoints.load_model(info.vae).cpu()
    plain = (vaes if info.autoencoders is None else checkpoints.load_model(info.autoencoders).cpu())["ae2"]
    net = vaes["vae2"]
    assert net.cfg.variational and net.cfg.code == 2 and not plain.cfg.variational and plain.cfg.code == 2
    pictures = ae.images(dataset, "test")[0]
    side = pictures.shape[-1]
    decoded = vae.decode(net, vae.grid_points((-3, -3), (3, 3), 4))
    assert decoded.shape == (16, side, side) and decoded.dtype == np.uint8
    x = ae.as_batch(pictures)
    with torch.no_grad():
        reconstruction, kl = vae.elbo_terms(net, x, torch.Generator().manual_seed(0))
    assert 0.5 < kl.item() < 20  # the codes carry information, and stay near the prior
    mu = vae.encode(net, x)
    recorded = checkpoints.read_manifest()[info.vae].metrics
    assert recorded["test_kl_nats"] == pytest.approx(kl.item(), abs=2e-3)
    assert recorded["test_mu_std"] == pytest.approx(mu.std(0).tolist(), abs=2e-3)
    if dataset != "faces":  # 10,000 and 1,000 test images: their means μ follow N(0, I), as β·KL asks
        assert np.abs(mu.mean(0)).max() < 0.25 and 0.75 < mu.std(0).min() and mu.std(0).max() < 1.3
        assert vae.draws_in_holes(vae.prior_samples(2000, 2, 0), mu) < 0.2
        plain_codes = vae.encode(plain, x)
        assert plain_codes.std(0).mean() > 2  # the plain autoencoder's plane is wherever training put it
