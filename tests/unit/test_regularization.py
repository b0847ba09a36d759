"""Overfitting and its cures: a big network memorises 15 points, regularization and early stopping generalise better."""
import numpy as np
import pytest
import torch

from core.feed_forward import regularization as reg

NONE = reg.train("none", seed=0)


def test_the_data_are_three_samples_of_the_same_curve():
    d = reg.data()
    assert d.x_train.shape == (15,) and d.x_validation.shape == (15,) and d.x_test.shape == (200,)
    assert not np.isin(d.x_train, d.x_test).any()


def test_without_regularization_the_network_overfits():
    assert len(NONE.train_losses) == len(NONE.test_losses) == 800
    assert NONE.train_losses[-1] < NONE.test_losses[-1] / 5
    assert NONE.test_losses[-1] > min(NONE.test_losses) * 1.2  # test loss rose again while training loss fell
    assert NONE.x_grid.shape == NONE.y_fit.shape == (200,)


def test_l2_at_a_moderate_rate_generalises_better_than_none():
    l2 = reg.train("L2", 1e-3, seed=0)
    assert l2.test_losses[-1] < NONE.test_losses[-1] * 0.8
    assert l2.train_losses[-1] > NONE.train_losses[-1]  # it fits the training points less closely


def test_l1_and_dropout_also_end_with_a_lower_test_loss():
    assert reg.train("L1", 1e-3, seed=0).test_losses[-1] < NONE.test_losses[-1]
    assert reg.train("dropout", 0.3, seed=0).test_losses[-1] < NONE.test_losses[-1]


def test_early_stopping_stops_after_patience_and_keeps_its_best_epoch():
    run = reg.train("early stopping", seed=0, patience=100)
    assert run.best_epoch < len(run.train_losses) - 1 < 800 - 1
    assert len(run.train_losses) == run.best_epoch + 101
    assert run.validation_losses[run.best_epoch] == min(run.validation_losses)
    assert run.test_losses[run.best_epoch] < NONE.test_losses[-1]


def test_the_curve_is_the_network_at_its_best_epoch_for_early_stopping():
    short = reg.train("early stopping", epochs=400, seed=1, patience=50)
    plain = reg.train("none", epochs=short.best_epoch + 1, seed=1)
    np.testing.assert_allclose(short.y_fit, plain.y_fit, atol=1e-6)


def test_penalties_are_the_sums_over_weights_only():
    model = reg.mlp()
    weights = [model[0].weight, model[3].weight, model[6].weight]
    assert reg.penalty(model, "L2", 0.1).item() == pytest.approx(0.1 * sum((w ** 2).sum().item() for w in weights), rel=1e-5)
    assert reg.penalty(model, "L1", 0.1).item() == pytest.approx(0.1 * sum(w.abs().sum().item() for w in weights), rel=1e-5)
    assert reg.penalty(model, "dropout", 0.1).item() == 0


def test_a_run_is_a_pure_function_of_its_arguments():
    before = torch.random.get_rng_state()
    one, two = reg.train("dropout", 0.2, epochs=50, seed=3), reg.train("dropout", 0.2, epochs=50, seed=3)
    assert torch.equal(before, torch.random.get_rng_state())  # the global generator is left alone
    assert one.train_losses == two.train_losses and np.array_equal(one.y_fit, two.y_fit)
    assert reg.train("dropout", 0.2, epochs=50, seed=4).train_losses != one.train_losses


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown method"):
        reg.train("mixup")
