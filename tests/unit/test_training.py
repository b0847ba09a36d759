"""The one training loop: learns on real data within a tiny budget, and is deterministic; and the from-scratch
run the CNN page starts: SmallCNNs of 1 to 3 layers, curves, held-out accuracy, divergence, interruption."""
import subprocess
import sys

import pytest
import torch

from core import features, recipes, training
from core.cnn import from_scratch
from core.data.images import fashion_mnist
from core.lecture import ROOT
from core.models.cnn import CNNConfig, SmallCNN


def _small_run(seed=0):
    X, y = fashion_mnist(train=True)
    Xte, yte = fashion_mnist(train=False)
    torch.manual_seed(seed)
    model = SmallCNN(CNNConfig(channels=(8, 16, 16), hidden=32))
    seen = []
    losses = training.fit(model, features.as_batch(X[:3000]), torch.tensor(y[:3000]), steps=60, batch_size=64,
                       seed=seed, on_progress=lambda s, n, loss: seen.append((s, n)))
    return model, losses, seen, training.accuracy(model, features.as_batch(Xte[:1000]), torch.tensor(yte[:1000]))


def test_fit_learns_fashion_mnist_well_above_chance():
    model, losses, seen, acc = _small_run()
    assert acc > 0.55  # chance is 0.10
    assert sum(losses[-10:]) < sum(losses[:10])
    assert seen[-1] == (60, 60) and not model.training


def test_fit_is_deterministic_for_a_seed():
    _, a, _, _ = _small_run(seed=3)
    _, b, _, _ = _small_run(seed=3)
    assert a == b


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.999)])
def test_adam_takes_torchs_steps(betas):
    """Two layers, a rate changed half way, a parameter without a gradient in some steps: the same weights and
    moments as torch.optim.Adam after every step."""
    torch.manual_seed(0)
    ours, theirs = (torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)) for _ in "ab")
    theirs.load_state_dict(ours.state_dict())
    mine = training.Adam(ours.parameters(), lr=0.05, betas=betas)
    torch_adam = torch.optim.Adam(theirs.parameters(), lr=0.05, betas=betas, foreach=True)
    x, target = torch.randn(16, 3), torch.randn(16, 2)
    for step in range(30):
        for net, opt in ((ours, mine), (theirs, torch_adam)):
            opt.param_groups[0]["lr"] = 0.05 if step < 15 else 0.01
            opt.zero_grad()
            (net(x) - target).pow(2).mean().backward()
            if step % 7 == 3:
                net[2].bias.grad = None  # skipped this step: its moments and count stay
            opt.step()
        for a, b in zip(ours.parameters(), theirs.parameters()):
            assert torch.allclose(a, b, rtol=0, atol=1e-7)
            assert torch.allclose(mine.state[a]["exp_avg_sq"], torch_adam.state[b]["exp_avg_sq"], rtol=0, atol=1e-9)
            assert mine.state[a]["step"] == torch_adam.state[b]["step"].item()


def test_the_rate_decays_along_half_a_cosine():
    assert [training.cosine_rate(0.1, step, 4) for step in (0, 2, 4)] == pytest.approx([0.1, 0.05, 0.0])


def test_training_on_a_page_imports_no_compiler():
    """torch.optim's first optimiser imports torch's compiler and sympy (83 MB a server keeps); the app's does not."""
    code = """
import sys
import torch
from core import training
model = torch.nn.Linear(4, 2)
training.fit(model, torch.randn(64, 4), torch.randint(0, 2, (64,)), steps=5, batch_size=16)
assert "torch._dynamo" not in sys.modules and "sympy" not in sys.modules, "the compiler was imported"
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_random_shift_keeps_shape_and_moves_pixels():
    x = features.as_batch(fashion_mnist(train=False)[0][:8])
    moved = training.random_shift(x, torch.Generator().manual_seed(0))
    assert moved.shape == x.shape
    assert not torch.allclose(moved, x)
    assert abs(moved.mean().item() - x.mean().item()) < 0.05  # moved, not destroyed


def test_every_recipe_is_registered_with_its_prerequisites_first():
    names = list(recipes.RECIPES)
    for name, recipe in recipes.RECIPES.items():
        assert all(names.index(n) < names.index(name) for n in recipe.needs)
    assert recipes.main(["no_such_model"]) == 2


def test_the_command_line_names_the_recipes_when_asked_for_an_unknown_one():
    done = subprocess.run([sys.executable, "-m", "core.recipes", "no_such_model"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "python -m core.recipes NAME" in done.stderr and "fashion_cnn" in done.stderr


# From scratch, as the CNN page trains one

def test_smallcnn_has_one_to_three_layers_and_three_are_the_shipped_layout():
    three = SmallCNN(CNNConfig(channels=(4, 8, 8), hidden=16))
    assert [k for k in three.state_dict() if not k.startswith("conv")] == [
        "dense.2.weight", "dense.2.bias", "head.weight", "head.bias"]
    assert three.feature_layers == ("conv1", "conv2", "conv3") == SmallCNN.feature_layers
    for channels, flat in [((4,), 4 * 14 * 14), ((4, 8), 8 * 7 * 7)]:
        net = SmallCNN(CNNConfig(channels=channels, hidden=16))
        assert net.feature_layers == SmallCNN.feature_layers[:len(channels)] and not hasattr(net, "conv3")
        assert net.dense[2].in_features == flat and net(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    with pytest.raises(ValueError):
        SmallCNN(CNNConfig(channels=(4, 8, 8, 8)))


def test_the_layer_and_width_choice_sets_the_channels():
    assert from_scratch.Scratch(layers=3, width=1.0).config().channels == (16, 32, 64)
    assert from_scratch.Scratch(layers=2, width=0.5).config().channels == (8, 16)
    assert from_scratch.Scratch(layers=1, width=1.5).config().channels == (24,)
    assert from_scratch.Scratch("mnist").total_steps == from_scratch.SCRATCH_DATA["mnist"].steps
    assert from_scratch.Scratch("mnist", steps=7).total_steps == 7


def test_a_tiny_run_from_scratch_returns_its_curves_and_its_held_out_accuracy():
    seen, measured = [], []
    run = from_scratch.train(from_scratch.Scratch("mnist", layers=2, width=0.5, steps=24), on_progress=lambda s, n, loss:
                             seen.append((s, n)), on_evaluate=lambda s, acc: measured.append(s))
    assert run.status == "done" and not run.model.training
    assert len(run.losses) == run.step == 24 and seen == [(s, 24) for s in range(1, 25)]
    every = round(24 / from_scratch.EVAL_POINTS)
    assert [s for s, _ in run.curve] == measured == list(range(0, 25, every))
    assert all(0 <= a <= 1 for _, a in run.curve) and run.curve[-1][1] > run.curve[0][1]
    assert 0.2 < run.accuracy <= 1 and run.seconds > 0  # 24 steps: well above chance


def test_held_out_accuracy_counts_right_answers_on_uint8_images():
    class ReadsCorner(torch.nn.Module):
        """Answers the class written (×20) in the top-left pixel."""
        def __init__(self):
            super().__init__()
            self.unused = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):
            return torch.nn.functional.one_hot((x[:, 0, 0, 0] * 255 / 20).round().long(), 10).float()

    X = torch.zeros(2500, 1, 28, 28, dtype=torch.uint8)
    labels = torch.arange(2500) % 10
    X[:, 0, 0, 0] = (labels * 20).to(torch.uint8)
    y = labels.clone()
    y[:500] = (y[:500] + 1) % 10  # 500 of 2,500 answers wrong, across two of the 1,000-image batches
    assert from_scratch.held_out_accuracy(ReadsCorner(), X, y) == 0.8
    assert len(from_scratch.evaluation_items(10_000)) == from_scratch.EVAL_ITEMS and len(from_scratch.evaluation_items(300)) == 300
    assert torch.equal(from_scratch.evaluation_items(10_000), from_scratch.evaluation_items(10_000))


def test_a_diverging_learning_rate_stops_the_run_and_an_interrupted_one_keeps_its_progress():
    data = from_scratch.scratch_data("mnist")
    run = from_scratch.train(from_scratch.Scratch("mnist", width=0.5, steps=60, lr=3.0), data)
    assert run.status == "diverged" and run.accuracy is None and run.step < 60
    assert not run.losses[-1] <= from_scratch.DIVERGED_LOSS

    class Stop(Exception):
        pass

    def stop_at_five(step, total, loss):
        if step == 5:
            raise Stop

    run = from_scratch.ScratchRun.start(from_scratch.Scratch("mnist", layers=1, width=0.5, steps=40))
    with pytest.raises(Stop):
        from_scratch.train(run, data, on_progress=stop_at_five)
    assert run.step == 5 and run.status == "training"
    run.status = "stopped"
    from_scratch.finish(run, data)
    assert run.status == "stopped" and 0 <= run.accuracy <= 1 and run.curve[-1][0] == 5
