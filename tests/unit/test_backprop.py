"""Backpropagation by hand: every gradient equals torch autograd's, and the output layer's δ is re-used below it."""
import math

import numpy as np
import pytest
import torch

from core.feed_forward import backprop
from core.feed_forward.backprop import EXAMPLE, PARAMS


def _autograd(params, x, target):
    """The same network written with torch tensors: (loss, {name: ∂L/∂name})."""
    p = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    x1, x2 = (torch.tensor(v, dtype=torch.float64) for v in x)
    h1 = torch.sigmoid(p["w1"] * x1 + p["w2"] * x2 + p["b1"])
    h2 = torch.sigmoid(p["w3"] * x1 + p["w4"] * x2 + p["b2"])
    o = torch.sigmoid(p["w5"] * h1 + p["w6"] * h2 + p["b3"])
    loss = 0.5 * (o - target) ** 2
    loss.backward()
    return loss.item(), {k: v.grad.item() for k, v in p.items()}


def _random_example(seed):
    rng = np.random.default_rng(seed)
    params = dict(zip(PARAMS, rng.normal(0, 2, len(PARAMS)).tolist()))
    return params, tuple(rng.uniform(-2, 2, 2).tolist()), float(rng.uniform())


@pytest.mark.parametrize("example", [(EXAMPLE.params, EXAMPLE.x, EXAMPLE.target)] + [_random_example(s) for s in range(5)])
def test_every_gradient_equals_autograds(example):
    params, x, target = example
    loss, expected = _autograd(params, x, target)
    assert backprop.forward_steps(params, x, target)[-1].value == pytest.approx(loss, abs=1e-12)
    ours = backprop.gradients(params, x, target)
    assert set(ours) == set(PARAMS)
    for name in PARAMS:
        assert abs(ours[name] - expected[name]) < 1e-9, name


def test_the_example_reproduces_the_classic_worked_numbers():
    forward = {s.node: s.value for s in backprop.forward_steps(EXAMPLE.params, EXAMPLE.x, EXAMPLE.target)}
    assert forward["z_h1"] == pytest.approx(0.3775)
    assert forward["h1"] == pytest.approx(0.593269992, abs=1e-9)
    assert forward["h2"] == pytest.approx(0.596884378, abs=1e-9)
    assert forward["o"] == pytest.approx(0.75136507, abs=1e-8)
    assert forward["L"] == pytest.approx(0.274811083, abs=1e-9)
    assert backprop.gradients(EXAMPLE.params, EXAMPLE.x, EXAMPLE.target)["w5"] == pytest.approx(0.082167041, abs=1e-9)


def test_the_forward_pass_goes_node_by_node_from_inputs_to_loss():
    steps = backprop.forward_steps(EXAMPLE.params, EXAMPLE.x, EXAMPLE.target)
    assert [s.node for s in steps] == ["z_h1", "h1", "z_h2", "h2", "z_o", "o", "L"]
    assert all(s.formula for s in steps)


def test_the_backward_pass_runs_from_output_to_input_and_each_step_is_its_factors_product():
    steps = backprop.backward_steps(EXAMPLE.params, EXAMPLE.x, EXAMPLE.target)
    nodes = [s.node for s in steps]
    assert nodes[0] == "∂L/∂o"
    assert max(nodes.index(f"∂L/∂{p}") for p in ("w5", "w6", "b3")) < min(nodes.index(f"∂L/∂{p}") for p in ("w1", "w4", "b2"))
    for s in steps:
        if s.factors:
            assert s.value == pytest.approx(math.prod(f.value for f in s.factors), rel=1e-15)


def test_reused_factors_come_from_earlier_steps_and_the_output_delta_feeds_the_hidden_layer():
    steps = backprop.backward_steps(EXAMPLE.params, EXAMPLE.x, EXAMPLE.target)
    for i, s in enumerate(steps):
        for f in s.factors:
            if f.reused:
                earlier = [t for t in steps[:i] if t.node == f.name]
                assert earlier and earlier[0].value == f.value
    hidden = {s.node: s for s in steps}
    for h in ("h1", "h2"):
        assert [f.name for f in hidden[f"∂L/∂{h}"].factors if f.reused] == ["δ_o"]
    assert sum(f.name == "δ_o" for s in steps for f in s.factors) == 5  # w5, w6, b3, and both hidden neurons
