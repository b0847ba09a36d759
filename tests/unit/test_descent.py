"""Loss surfaces and optimizers: gradients match autograd, updates match torch.optim, SGD's noise escapes a local minimum."""
import numpy as np
import pytest
import torch

from core.feed_forward import descent

NEURON = descent.one_neuron_surface()
LANDSCAPE = descent.local_minimum_landscape()
GLOBAL_CENTRE, LOCAL_CENTRE = descent.WELLS[0][0], descent.WELLS[1][0]
POINTS = np.array([[-3.0, 3.0], [0.5, -1.0], [1.2, 0.7], [2.0, 2.5]])


@pytest.mark.parametrize("surface", [NEURON, LANDSCAPE], ids=lambda s: s.name)
def test_the_grid_holds_the_loss_in_contour_layout(surface):
    assert surface.z.shape == (len(surface.y), len(surface.x))
    i, j = 7, 40
    assert surface.z[i, j] == pytest.approx(surface.loss(np.array([surface.x[j], surface.y[i]])))
    assert surface.grad(np.zeros((3, 4, 2))).shape == (3, 4, 2)


def _neuron_loss_torch(p: torch.Tensor) -> torch.Tensor:
    xs, ys = (torch.from_numpy(v) for v in descent.neuron_data())
    return ((torch.sigmoid(p[0] * xs + p[1]) - ys) ** 2).mean()


@pytest.mark.parametrize("point", POINTS)
def test_the_neurons_gradient_is_autograds(point):
    p = torch.tensor(point, requires_grad=True)
    loss = _neuron_loss_torch(p)
    loss.backward()
    assert NEURON.loss(point) == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(NEURON.grad(point), p.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_a_minibatch_gradient_averages_real_examples():
    p = POINTS[1]
    rng = np.random.default_rng(0)
    np.testing.assert_allclose(NEURON.minibatch_grad(p, 1000, rng), NEURON.grad(p))  # the whole batch
    singles = np.array([NEURON.minibatch_grad(p, 1, rng) for _ in range(4000)])
    assert len(np.unique(singles[:, 0])) == 24  # one example at a time, every one of them
    np.testing.assert_allclose(singles.mean(0), NEURON.grad(p), atol=0.2 * np.abs(singles).std(0).max())


@pytest.mark.parametrize("point", POINTS)
def test_the_landscapes_gradient_matches_finite_differences(point):
    h = 1e-6
    numeric = [(LANDSCAPE.loss(point + h * e) - LANDSCAPE.loss(point - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(LANDSCAPE.grad(point), numeric, atol=1e-7)


def test_the_landscape_has_a_deeper_global_and_a_shallower_local_minimum():
    local_end = descent.path(LANDSCAPE, "gradient descent", start=LOCAL_CENTRE, lr=0.1, steps=500)[-1]
    global_end = descent.path(LANDSCAPE, "gradient descent", start=GLOBAL_CENTRE, lr=0.1, steps=500)[-1]
    assert np.linalg.norm(LANDSCAPE.grad(local_end)) < 1e-8 and np.linalg.norm(LANDSCAPE.grad(global_end)) < 1e-8
    assert LANDSCAPE.loss(global_end) < LANDSCAPE.loss(local_end) - 0.5
    assert LANDSCAPE.z.min() == pytest.approx(LANDSCAPE.loss(global_end), abs=0.01)


def test_the_landscapes_minibatch_noise_shrinks_as_one_over_root_batch_size():
    p, rng = POINTS[1], np.random.default_rng(0)
    for batch_size in (1, 16):
        noise = np.array([LANDSCAPE.minibatch_grad(p, batch_size, rng) for _ in range(4000)]) - LANDSCAPE.grad(p)
        np.testing.assert_allclose(noise.std(0), descent.GRADIENT_NOISE / np.sqrt(batch_size), rtol=0.05)


TORCH_OPTIMIZERS = {
    "gradient descent": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=descent.MOMENTUM),
    "Adam": lambda params, lr: torch.optim.Adam(params, lr=lr, betas=descent.BETAS, eps=descent.EPS),
}


@pytest.mark.parametrize("optimizer", list(TORCH_OPTIMIZERS))
@pytest.mark.parametrize("surface, lr", [(NEURON, 0.5), (LANDSCAPE, 0.05)], ids=["neuron", "landscape"])
def test_each_hand_written_update_is_torch_optims(optimizer, surface, lr):
    ours = descent.path(surface, optimizer, lr=lr, steps=60)
    p = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
    opt = TORCH_OPTIMIZERS[optimizer]([p], lr)
    theirs = [p.detach().numpy().copy()]
    for _ in range(60):
        p.grad = torch.from_numpy(surface.grad(p.detach().numpy()))  # the same gradient, torch's update
        opt.step()
        theirs.append(p.detach().numpy().copy())
    np.testing.assert_allclose(ours, np.array(theirs), atol=1e-10)


def test_paths_start_at_the_start_and_take_the_given_number_of_steps():
    for optimizer in descent.OPTIMIZERS:
        points = descent.path(NEURON, optimizer, start=(1.0, -2.0), lr=0.5, steps=25, batch_size=4, seed=1)
        assert points.shape == (26, 2) and tuple(points[0]) == (1.0, -2.0)


def test_sgd_on_the_full_batch_is_gradient_descent_and_a_seed_repeats_a_path():
    np.testing.assert_array_equal(descent.path(NEURON, "SGD", lr=1.0, steps=30),
                                  descent.path(NEURON, "gradient descent", lr=1.0, steps=30))
    one, two = (descent.path(NEURON, "SGD", lr=1.0, steps=30, batch_size=3, seed=5) for _ in range(2))
    np.testing.assert_array_equal(one, two)
    assert not np.array_equal(one, descent.path(NEURON, "SGD", lr=1.0, steps=30, batch_size=3, seed=6))


def test_gradient_descent_is_stuck_in_the_local_minimum_while_sgd_jumps_to_the_global_one():
    gd = descent.path(LANDSCAPE, "gradient descent", lr=0.1, steps=300)
    sgd = descent.path(LANDSCAPE, "SGD", lr=0.1, steps=300, batch_size=1, seed=0)
    big_batch = descent.path(LANDSCAPE, "SGD", lr=0.1, steps=300, batch_size=64, seed=0)
    assert np.linalg.norm(gd[-1] - LOCAL_CENTRE) < 0.2
    assert np.linalg.norm(sgd[-50:].mean(0) - GLOBAL_CENTRE) < 0.5  # jittering around the global minimum
    assert np.linalg.norm(big_batch[-1] - LOCAL_CENTRE) < 0.4  # little noise: stuck like gradient descent


def test_every_optimizer_goes_downhill_on_the_neuron_surface():
    start_loss = NEURON.loss(np.array(NEURON.start))
    for optimizer, lr in [("gradient descent", 3.0), ("SGD", 3.0), ("momentum", 0.3), ("Adam", 0.3)]:
        end = descent.path(NEURON, optimizer, lr=lr, steps=100, batch_size=8, seed=0)[-1]
        assert NEURON.loss(end) < start_loss / 10
