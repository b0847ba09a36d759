"""One neuron: activations agree with torch, a non-linear neuron fits what a linear one cannot, linear stacks collapse."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.data.toy import curve_1d
from core.feed_forward import neurons


TORCH_ACTIVATIONS = {"linear": lambda z: z, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
                     "leaky_relu": lambda z: F.leaky_relu(z, neurons.LEAK)}


@pytest.mark.parametrize("name", list(neurons.ACTIVATIONS))
def test_each_activation_and_its_derivative_match_their_torch_twins(name):
    z = torch.linspace(-50, 50, 1001, dtype=torch.float64, requires_grad=True)
    out = TORCH_ACTIVATIONS[name](z)
    out.sum().backward()
    np.testing.assert_allclose(neurons.ACTIVATIONS[name](z.detach().numpy()), out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(neurons.DERIVATIVES[name](z.detach().numpy()), z.grad.numpy(), atol=1e-12)


def torch_fit(x, y, activation, steps, lr, seed):
    """The same fit by torch's autograd and torch.optim.Adam, from the same start."""
    w, b = (torch.tensor(p, dtype=torch.float64, requires_grad=True)
            for p in np.random.default_rng(seed).standard_normal(2))
    xt, yt = torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64)
    opt = torch.optim.Adam([w, b], lr=lr)
    losses = []
    for _ in range(steps):
        loss = ((TORCH_ACTIVATIONS[activation](w * xt + b) - yt) ** 2).mean()
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    return w.item(), b.item(), losses


@pytest.mark.parametrize("activation", list(neurons.ACTIVATIONS))
@pytest.mark.parametrize("curve", ["step", "bump"])
def test_the_hand_written_fit_takes_torch_adams_steps(activation, curve):
    x, y = curve_1d(curve, 40, noise=0.2, seed=3)
    fit = neurons.fit_one_neuron(x, y, activation, steps=300, lr=0.05, seed=5)
    w, b, losses = torch_fit(x, y, activation, 300, 0.05, 5)
    assert fit.w == pytest.approx(w, abs=1e-9) and fit.b == pytest.approx(b, abs=1e-9)
    np.testing.assert_allclose(fit.losses[:-1], losses, atol=1e-12)


def test_a_neuron_computes_f_of_w_x_plus_b():
    x = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(neurons.neuron(x, 2.0, 1.0, "relu"), [0.0, 1.0, 5.0])
    np.testing.assert_allclose(neurons.neuron(x, 2.0, 1.0, "sigmoid"), 1 / (1 + np.exp(-(2 * x + 1))))
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    np.testing.assert_allclose(neurons.neuron(X, np.array([0.5, 1.0]), -1.0, "linear"), [1.5, -0.5])


def test_a_sigmoid_neuron_fits_a_step_that_a_linear_neuron_cannot():
    x, y = curve_1d("step", 60, noise=0.1, seed=0)
    linear = neurons.fit_one_neuron(x, y, "linear", steps=300, seed=0)
    sigmoid = neurons.fit_one_neuron(x, y, "sigmoid", steps=300, seed=0)
    assert sigmoid.final_loss < linear.final_loss / 3
    assert len(sigmoid.losses) == 301 and sigmoid.losses[-1] == sigmoid.final_loss < sigmoid.losses[0]
    x_grid, y_pred = sigmoid.curve
    assert x_grid.shape == y_pred.shape == (200,)
    np.testing.assert_allclose(y_pred, neurons.neuron(x_grid, sigmoid.w, sigmoid.b, "sigmoid"))


def test_the_linear_fit_reaches_least_squares():
    x, y = curve_1d("step", 60, noise=0.1, seed=0)
    fit = neurons.fit_one_neuron(x, y, "linear", steps=600, lr=0.05, seed=1)
    slope, intercept = np.polyfit(x.astype(float), y.astype(float), 1)
    assert fit.w == pytest.approx(slope, abs=1e-3) and fit.b == pytest.approx(intercept, abs=1e-3)


def test_fitting_is_deterministic_for_a_seed():
    x, y = curve_1d("bump", 40, noise=0.1, seed=2)
    a, b = neurons.fit_one_neuron(x, y, "tanh", seed=4), neurons.fit_one_neuron(x, y, "tanh", seed=4)
    assert (a.w, a.b, a.losses) == (b.w, b.b, b.losses)


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_a_stack_of_linear_layers_is_one_linear_map(depth):
    comparison = neurons.stack_vs_single_map(depth, "linear", seed=depth)
    assert comparison.inputs.shape == comparison.stacked.shape == comparison.single.shape == (121, 2)
    assert comparison.max_difference < 1e-9


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_an_activation_between_layers_breaks_the_collapse(activation):
    assert neurons.stack_vs_single_map(3, activation, seed=0).max_difference > 0.5


def test_the_single_map_is_the_product_of_the_layers():
    layers, (W, b) = neurons.stacked_linear(2, seed=1)
    (W1, b1), (W2, b2) = layers
    np.testing.assert_allclose(W, W2 @ W1)
    np.testing.assert_allclose(b, W2 @ b1 + b2)
