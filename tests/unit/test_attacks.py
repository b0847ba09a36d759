"""Adversarial attacks: they respect their budget, they work (untargeted and targeted), EOT averages over
transformations, and the shared models are left untouched."""
import numpy as np
import pytest
import torch

from core import checkpoints, features
from core.adversarial import attacks
from core.data.images import fashion_mnist, photos
from core.models.imagenet import efficientnet_lite0, to_input


@pytest.fixture(scope="module")
def fashion():
    X, y = fashion_mnist(train=False)
    return checkpoints.load_model("fashion_cnn").cpu(), features.as_batch(X[:500]), torch.tensor(y[:500])


@pytest.fixture(scope="module")
def lite0():
    return efficientnet_lite0()


def test_pixel_space_round_trip_and_the_wrapper_matches_the_network(lite0, fashion):
    cnn = fashion[0]
    assert attacks.pixel_model(cnn) is cnn  # SmallCNN reads [0, 1] pixels and normalises inside
    x = to_input(photos()["chelsea"].image)
    pixels = attacks.to_pixels(lite0, x)
    assert pixels.min() >= 0 and pixels.max() <= 1
    assert torch.allclose(attacks.from_pixels(lite0, pixels), x, atol=1e-6)
    with torch.no_grad():
        assert torch.allclose(attacks.pixel_model(lite0)(pixels), lite0(x), atol=1e-4)


@pytest.mark.parametrize("attack", attacks.ATTACKS)
@pytest.mark.parametrize("eps", [0.0, 0.03, 0.1, 1.0])
def test_the_change_stays_within_eps_and_the_image_within_0_1(fashion, attack, eps):
    model, X, y = fashion
    out = attacks.run(attack, model, X[:64], y[:64], eps, steps=5)
    delta = out.delta(X[:64])
    assert delta.abs().max().item() <= eps + 1e-6
    assert out.x.min().item() >= 0 and out.x.max().item() <= 1 and out.x.shape == X[:64].shape
    if eps == 0:
        assert torch.equal(out.x, X[:64])  # ε = 0: the same image, so the same predictions
    assert not out.x.requires_grad and len(out.losses) == (2 if attack == "FGSM" or eps == 0 else 6) - (eps == 0)


def test_fgsm_at_a_moderate_eps_at_least_halves_the_fashion_cnn_accuracy(fashion):
    model, X, y = fashion
    clean = attacks.accuracy_under_attack(model, X, y, 0.0)
    attacked = attacks.accuracy_under_attack(model, X, y, 0.1, "FGSM")
    assert clean > 0.85 and attacked <= clean / 2


def test_pgd_is_at_least_as_strong_as_fgsm_and_its_loss_rises(fashion):
    model, X, y = fashion
    fgsm = attacks.accuracy_under_attack(model, X[:100], y[:100], 0.05, "FGSM")
    pgd = attacks.accuracy_under_attack(model, X[:100], y[:100], 0.05, "PGD")
    assert pgd <= fgsm
    out = attacks.pgd(model, X[:50], y[:50], 0.05, steps=10)
    assert out.losses[-1] > out.losses[0] and len(out.losses) == 11


def test_targeted_pgd_reaches_its_target_on_a_shipped_photo(lite0):
    net = attacks.pixel_model(lite0)
    x = attacks.to_pixels(lite0, to_input(photos()["chelsea"].image))
    with torch.no_grad():
        before = net(x).argmax(1).item()
    target = 954  # banana
    for kind in attacks.OBJECTIVES:
        out = attacks.pgd(net, x, before, 4 / 255, steps=6, step_size=1 / 255, target=target, objective_kind=kind)
        with torch.no_grad():
            assert net(out.x).argmax(1).item() == target, kind
        assert out.delta(x).abs().max().item() <= 4 / 255 + 1e-6
        assert out.losses[-1] > out.losses[0]


def test_the_shared_model_is_left_as_it_was(fashion):
    model, X, y = fashion
    before = {k: v.clone() for k, v in model.state_dict().items()}
    attacks.pgd(model, X[:8], y[:8], 0.1, steps=3, target=0)
    attacks.fgsm(model, X[:8], y[:8], 0.1)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters()) and not model.training and not X.requires_grad


def test_eot_averages_the_gradient_over_the_transformations(fashion):
    model, X, y = fashion
    calls = []

    def identity(xb, g):
        calls.append((xb.shape[0], g))
        return xb

    g = torch.Generator().manual_seed(0)
    plain = attacks.pgd(model, X[:4], y[:4], 0.05, steps=3, step_size=0.02)
    eot = attacks.pgd(model, X[:4], y[:4], 0.05, steps=3, step_size=0.02, transform=identity, samples=5, generator=g)
    assert torch.allclose(plain.x, eot.x) and np.allclose(plain.losses, eot.losses, atol=1e-5)
    assert calls and all(n == 20 and gen is g for n, gen in calls)  # 5 draws of the 4 images in one batch

    def shift(xb, g):  # a random translation of up to 2 pixels, a different one per draw
        dx, dy = (int(v) for v in torch.randint(-2, 3, (2,), generator=g))
        return torch.roll(xb, (dy, dx), (2, 3))

    robust = attacks.pgd(model, X[:50], y[:50], 0.1, steps=5, transform=shift, samples=4,
                         generator=torch.Generator().manual_seed(1))
    assert robust.delta(X[:50]).abs().max().item() <= 0.1 + 1e-6
    with torch.no_grad():  # the attack survives the shifts it was averaged over
        shifted = shift(robust.x, torch.Generator().manual_seed(2))
        assert (model(shifted).argmax(1) == y[:50]).float().mean().item() < 0.5


def test_random_start_and_the_sweep(fashion):
    model, X, y = fashion
    g = torch.Generator().manual_seed(0)
    out = attacks.pgd(model, X[:16], y[:16], 0.05, steps=2, random_start=True, generator=g)
    assert out.delta(X[:16]).abs().max().item() <= 0.05 + 1e-6
    seen = []
    curves = attacks.sweep(model, X[:100], y[:100], (0.0, 0.1), steps=2, batch=50,
                           on_progress=lambda f, what: seen.append(f))
    assert set(curves) == {"FGSM", "PGD"} and curves["FGSM"][0] == curves["PGD"][0]
    assert curves["PGD"][1] <= curves["FGSM"][1] < curves["FGSM"][0]
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)


def test_sizes_and_pictures():
    delta = torch.zeros(1, 3, 4, 4)
    delta[0, 0, 0, 0] = 0.1
    delta[0, 1, 1, 1] = -0.1
    linf, l2 = attacks.sizes(delta)
    assert linf == pytest.approx(0.1) and l2 == pytest.approx(0.1 * 2 ** 0.5)
    pic = attacks.amplified(delta, 0.1)
    assert pic.shape == (4, 4, 3) and pic[0, 0, 0] == 255 and pic[1, 1, 1] == 0 and pic[2, 2, 2] in (127, 128)
    assert attacks.to_picture(torch.ones(1, 1, 5, 5)).shape == (5, 5)
    with pytest.raises(ValueError):
        attacks.run("DeepFool", None, delta, 0, 0.1)


def test_adversarial_training_steps_and_the_shipped_defended_model(fashion):
    model, X, y = fashion
    g = torch.Generator().manual_seed(0)
    adv = attacks.fgsm_random_start(model, X[:32], y[:32], 0.1, 0.125, g)
    assert (adv - X[:32]).abs().max().item() <= 0.1 + 1e-6 and adv.min() >= 0 and adv.max() <= 1
    from core.models.cnn import SmallCNN
    torch.manual_seed(0)
    student = SmallCNN()
    losses = attacks.adversarial_fit(student, X, y, steps=5, batch_size=32)
    assert len(losses) == 5 and all(np.isfinite(losses)) and not student.training
    defended = checkpoints.load_model("fashion_cnn_adversarial").cpu()
    plain_pgd = attacks.accuracy_under_attack(model, X[:100], y[:100], 0.1, "PGD")
    defended_pgd = attacks.accuracy_under_attack(defended, X[:100], y[:100], 0.1, "PGD")
    assert plain_pgd < 0.1 and defended_pgd > 0.5
