"""Memorizing and forgetting: the recall task, LSTM/GRU remembering where a simple RNN forgets, vanishing gradients."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.rnn import memory

TASK = memory.Task()
CHANCE = 1 / TASK.classes

pytestmark = pytest.mark.usefixtures("one_thread")


def test_sequences_open_with_a_class_followed_by_distractors():
    x, y = memory.sequences(TASK, 12, 500, torch.Generator().manual_seed(0))
    assert x.shape == (500, 12, TASK.symbols) and y.shape == (500,)
    symbols = x.argmax(-1)
    torch.testing.assert_close(x.sum(-1), torch.ones(500, 12))  # one-hot
    assert torch.equal(symbols[:, 0], y) and bool((y < TASK.classes).all())
    assert bool((symbols[:, 1:] >= TASK.classes).all())
    assert set(y.tolist()) == set(range(TASK.classes))
    again, _ = memory.sequences(TASK, 12, 500, torch.Generator().manual_seed(0))
    assert torch.equal(x, again)


def test_new_models_depend_on_their_seed_only_and_start_their_gates_remembering():
    torch.manual_seed(1)
    a = memory.new_model("LSTM", seed=3)
    torch.manual_seed(2)
    b = memory.new_model("LSTM", seed=3)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    assert not torch.equal(memory.new_model("LSTM", seed=4).rnn.weight_hh_l0, a.rnn.weight_hh_l0)
    assert a.head.weight.abs().max() <= 32 ** -0.5
    h = a.rnn.hidden_size
    forget, input_ = a.rnn.bias_ih_l0[h:2 * h], a.rnn.bias_ih_l0[:h]
    assert bool((forget >= 0).all()) and bool((forget <= np.log(99)).all())
    torch.testing.assert_close(input_, -forget)
    plain = memory.new_model("LSTM", recipe=memory.Recipe(chrono=False), seed=3)
    assert plain.rnn.bias_ih_l0.abs().max() < 1


def test_lstm_and_gru_recall_across_80_steps_where_a_simple_rnn_is_at_chance():
    far = {cell: memory.train(cell, 80, seed=0) for cell in memory.CELLS}
    assert far["LSTM"].accuracy >= 0.9 and far["GRU"].accuracy >= 0.9
    assert far["RNN"].accuracy <= CHANCE + 0.2
    assert far["RNN"].steps == memory.Recipe().steps  # it never got there
    assert memory.train("RNN", 10, seed=0).accuracy >= 0.9  # a short distance is no problem


def test_accuracy_vs_distance_reports_progress_and_is_deterministic():
    recipe = memory.Recipe(steps=50, check_every=10)
    heard = []
    first = memory.accuracy_vs_distance(("RNN", "GRU"), (3, 6), recipe=recipe, seed=1,
                                        on_progress=lambda done, total: heard.append((done, total)))
    assert {cell: [t.distance for t in row] for cell, row in first.items()} == {"RNN": [3, 6], "GRU": [3, 6]}
    assert all(total == 200 for _, total in heard) and heard[-1] == (200, 200)
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)
    again = memory.accuracy_vs_distance(("RNN", "GRU"), (3, 6), recipe=recipe, seed=1)
    for cell in first:
        assert [(t.steps, t.accuracy) for t in first[cell]] == [(t.steps, t.accuracy) for t in again[cell]]
        for t in first[cell]:
            assert not t.model.training and 0 <= t.accuracy <= 1


def test_the_gradient_vanishes_through_a_simple_rnn_and_survives_through_an_lstm():
    reach = {}
    for cell in ("RNN", "LSTM"):
        for seed in range(3):
            norms = memory.gradient_through_time(memory.new_model(cell, seed=seed), TASK, 80)
            assert norms.shape == (80,) and np.all(norms > 0)
            reach[cell, seed] = norms[0] / norms[-1]  # from the answer back to the first symbol
    for seed in range(3):
        assert reach["RNN", seed] < 1e-12 and reach["LSTM", seed] > 1e-5
        assert reach["LSTM", seed] > 1e8 * reach["RNN", seed]


def test_the_gradient_at_the_last_state_is_the_heads_error_signal():
    model = memory.new_model("GRU", seed=0)
    norms = memory.gradient_through_time(model, TASK, 7, count=64, seed=4)
    x, y = memory.sequences(TASK, 7, 64, torch.Generator().manual_seed(4))
    with torch.no_grad():
        error = F.softmax(model(x), 1) - F.one_hot(y, TASK.classes)  # ∂loss/∂logits of each sequence
        expected = (error @ model.head.weight).norm(dim=1).mean().item()
    assert norms[-1] == pytest.approx(expected, rel=1e-5)
