"""Recap: Data B is hard for a straight line until it is transformed, by hand or by a hidden layer."""
import numpy as np
import pytest
import torch

from core.recap import separability as recap


def test_a_line_separates_data_a_but_not_data_b():
    Xa, ya = recap.data_a(300, 0.1, 0)
    Xb, yb = recap.data_b(300, 0.1, 0)
    assert recap.linear_accuracy(Xa, ya) > 0.95
    assert recap.linear_accuracy(Xb, yb) < 0.75


def test_adding_the_squared_radius_makes_data_b_separable():
    Xb, yb = recap.data_b(300, 0.1, 0)
    lifted = recap.lift(Xb)
    assert lifted.shape == (300, 3)
    np.testing.assert_allclose(lifted[:, 2], Xb[:, 0] ** 2 + Xb[:, 1] ** 2, rtol=1e-5)
    assert recap.linear_accuracy(lifted, yb) > 0.95


def test_the_hidden_layer_learns_to_separate_data_b():
    Xb, yb = recap.data_b(300, 0.1, 0)
    snaps = recap.hidden_layer_over_training(Xb, yb, steps=600, every=30)
    assert len(snaps) == 21 and snaps[0].hidden.shape == (300, 3)
    assert snaps[0].accuracy < 0.8 and snaps[-1].accuracy > 0.95
    assert np.abs(snaps[-1].hidden).max() <= 1.0  # tanh outputs
    # the output neuron's plane separates the hidden points: its sign agrees with the labels
    w, b = snaps[-1].plane[:3], snaps[-1].plane[3]
    assert ((snaps[-1].hidden @ w + b > 0) == yb.astype(bool)).mean() > 0.95


def test_hand_written_gradients_equal_autograd():
    rng = np.random.default_rng(1)
    params = {"W1": rng.normal(size=(2, 3)), "b1": rng.normal(size=3), "w2": rng.normal(size=3), "b2": np.array(0.3)}
    x, t = rng.normal(size=(40, 2)), (rng.random(40) > 0.5).astype(float)
    loss, grads, _, _ = recap.hidden_layer_gradients(params, x, t)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    logits = torch.tanh(torch.tensor(x) @ p["W1"] + p["b1"]) @ p["w2"] + p["b2"]
    expected = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor(t))
    expected.backward()
    assert loss == pytest.approx(expected.item(), rel=1e-10)
    for k in params:
        np.testing.assert_allclose(grads[k], p[k].grad.numpy(), rtol=1e-9, atol=1e-12)
