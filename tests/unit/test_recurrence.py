"""The recurrence by hand agrees with torch's cells and layers, and its step records add up."""
import numpy as np
import pytest
import torch
from torch import nn

from core.rnn import recurrence
from core.rnn.recurrence import sigmoid

KINDS = ("RNN", "LSTM", "GRU")


def torch_cell(kind: str, d: int, h: int) -> nn.RNNCellBase:
    return getattr(nn, f"{kind}Cell")(d, h).double()


@pytest.mark.parametrize("kind", KINDS)
def test_a_cell_equals_torchs_cell_step_by_step_on_random_sequences(kind):
    rng = np.random.default_rng(KINDS.index(kind))
    for trial in range(10):
        d, h, t = (int(n) for n in rng.integers(1, [7, 6, 12]))
        torch.manual_seed(trial)
        theirs = torch_cell(kind, d, h)
        ours = recurrence.cell_from_torch(theirs)
        assert (ours.input_size, ours.hidden_size) == (d, h)
        xs, h0, c0 = rng.normal(size=(t, d)), rng.normal(size=h), rng.normal(size=h)
        steps = recurrence.unroll(ours, xs, h0, c0 if kind == "LSTM" else None)
        state = torch.from_numpy(h0)[None]
        cell = torch.from_numpy(c0)[None]
        with torch.no_grad():
            for s, x in zip(steps, torch.from_numpy(xs)):
                if kind == "LSTM":
                    state, cell = theirs(x[None], (state, cell))
                    np.testing.assert_allclose(s.c, cell[0].numpy(), atol=1e-6)
                else:
                    state = theirs(x[None], state)
                np.testing.assert_allclose(s.h, state[0].numpy(), atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_a_stack_equals_torchs_multi_layer_rnn(kind):
    rng = np.random.default_rng(10 + KINDS.index(kind))
    for trial, layers in enumerate([2, 3, 2, 3]):
        d, h, t = (int(n) for n in rng.integers(1, [6, 5, 10]))
        torch.manual_seed(trial)
        theirs = getattr(nn, kind)(d, h, num_layers=layers).double()
        ours = recurrence.stack_from_torch(theirs)
        xs, h0, c0 = rng.normal(size=(t, d)), rng.normal(size=(layers, h)), rng.normal(size=(layers, h))
        records = recurrence.unroll_stack(ours, xs, h0, c0 if kind == "LSTM" else None)
        state = (torch.from_numpy(h0), torch.from_numpy(c0)) if kind == "LSTM" else torch.from_numpy(h0)
        with torch.no_grad():
            out, final = theirs(torch.from_numpy(xs), state)
        assert len(records) == layers and all(len(r) == t for r in records)
        np.testing.assert_allclose(np.stack([s.h for s in records[-1]]), out.numpy(), atol=1e-6)
        h_n = final[0] if kind == "LSTM" else final
        np.testing.assert_allclose([r[-1].h for r in records], h_n.numpy(), atol=1e-6)  # each layer's own state
        if kind == "LSTM":
            np.testing.assert_allclose([r[-1].c for r in records], final[1].numpy(), atol=1e-6)
        for below, above in zip(records, records[1:]):  # a layer reads the states of the layer below
            np.testing.assert_array_equal(np.stack([s.x for s in above]), np.stack([s.h for s in below]))


@pytest.mark.parametrize("kind", KINDS)
def test_step_records_add_up(kind):
    cell = recurrence.random_cell(kind, 4, 3, seed=5)
    readout = recurrence.random_readout(3, 6, seed=6)
    xs = recurrence.embed(recurrence.tokenise(recurrence.SENTENCES[0]))
    steps = recurrence.unroll(cell, xs, readout=readout)
    assert [s.t for s in steps] == list(range(len(xs)))
    np.testing.assert_array_equal(steps[0].h_prev, np.zeros(3))
    for before, after in zip(steps, steps[1:]):
        assert after.h_prev is before.h and after.c_prev is before.c  # the delayed state
    for s in steps:
        assert [g.name for g in s.gates] == list(recurrence.GATES[kind])
        blocks = np.split(cell.weight_ih @ s.x + cell.bias_ih, len(s.gates))
        for g, block in zip(s.gates, blocks):
            np.testing.assert_allclose(g.from_input, block)
            np.testing.assert_allclose(g.pre, g.from_input + g.from_state)
            squash = np.tanh if g.name in "hgn" else sigmoid
            np.testing.assert_allclose(g.value, squash(g.pre))
        np.testing.assert_allclose(s.output, recurrence.softmax(readout.weight @ s.h + readout.bias))
        assert s.output.sum() == pytest.approx(1.0)
        if kind == "RNN":
            np.testing.assert_allclose(s.h, s.gate("h").value)
            np.testing.assert_allclose(s.gate("h").from_state, cell.weight_hh @ s.h_prev + cell.bias_hh)
        if kind == "LSTM":
            i, f, g, o = (s.gate(n).value for n in "ifgo")
            np.testing.assert_allclose(s.c, f * s.c_prev + i * g)
            np.testing.assert_allclose(s.h, o * np.tanh(s.c))
        if kind == "GRU":
            r, z, n = (s.gate(name).value for name in "rzn")
            np.testing.assert_allclose(s.gate("n").from_state, r * (cell.weight_hh[6:] @ s.h_prev + cell.bias_hh[6:]))
            np.testing.assert_allclose(s.h, (1 - z) * n + z * s.h_prev)
            assert s.c is None and s.c_prev is None


def test_gates_near_one_keep_the_memory():
    """An LSTM whose forget gate is open and input gate shut carries its cell unchanged, whatever comes in."""
    cell = recurrence.random_cell("LSTM", 4, 3, seed=1)
    bias = cell.bias_ih.copy()
    bias[:3], bias[3:6] = -30, 30  # input gate ≈ 0, forget gate ≈ 1
    keeper = recurrence.Cell("LSTM", cell.weight_ih, cell.weight_hh, bias, cell.bias_hh)
    c0 = np.array([0.7, -0.2, 0.4])
    steps = recurrence.unroll(keeper, np.random.default_rng(0).normal(size=(20, 4)), c0=c0)
    np.testing.assert_allclose(steps[-1].c, c0, atol=1e-9)


def test_the_demo_sentence_has_readable_word_vectors_the_same_for_the_same_word():
    tokens = recurrence.tokenise(recurrence.SENTENCES[0])
    assert tokens == ["I", "am", "hungry", ",", "so", "I", "will", "go", "to", "the", "kitchen"]
    xs = recurrence.embed(tokens, dim=5)
    assert xs.shape == (11, 5) and np.all(np.abs(xs) <= 1)
    np.testing.assert_array_equal(xs, xs.round(1))
    np.testing.assert_array_equal(xs[0], xs[5])  # "I" twice
    assert len({tuple(v) for v in xs}) == 10
    np.testing.assert_array_equal(recurrence.embed(["Kitchen"], dim=5)[0], xs[-1])
    assert not np.array_equal(recurrence.embed(tokens, seed=1), recurrence.embed(tokens))
    other = recurrence.embed(recurrence.tokenise(recurrence.SENTENCES[1]))
    np.testing.assert_array_equal(other[5], recurrence.embed(["kitchen"])[0])  # word vectors do not depend on place


def test_random_cells_are_seeded_and_readable_and_stacks_chain_their_sizes():
    a, b = recurrence.random_cell("GRU", 4, 3, seed=2), recurrence.random_cell("GRU", 4, 3, seed=2)
    assert a.weight_ih.shape == (9, 4) and a.weight_hh.shape == (9, 3) and a.bias_hh.shape == (9,)
    np.testing.assert_array_equal(a.weight_hh, b.weight_hh)
    np.testing.assert_array_equal(a.weight_ih, a.weight_ih.round(1))
    stack = recurrence.random_stack("LSTM", 4, 3, layers=3)
    assert [(c.input_size, c.hidden_size) for c in stack] == [(4, 3), (3, 3), (3, 3)]
    records = recurrence.unroll_stack(stack, recurrence.embed(["I", "am"]), readout=recurrence.random_readout(3, 2))
    assert records[0][0].output is None and records[-1][0].output.shape == (2,)


def test_unsupported_torch_modules_are_refused():
    for module in [nn.RNNCell(2, 3, nonlinearity="relu"), nn.LSTMCell(2, 3, bias=False)]:
        with pytest.raises(ValueError):
            recurrence.cell_from_torch(module)
    for module in [nn.GRU(2, 3, bidirectional=True), nn.LSTM(2, 3, proj_size=2), nn.RNN(2, 3, nonlinearity="relu")]:
        with pytest.raises(ValueError):
            recurrence.stack_from_torch(module)
    with pytest.raises(ValueError):
        recurrence.step(recurrence.Cell("Elman", np.zeros((2, 2)), np.zeros((2, 2)), np.zeros(2), np.zeros(2)),
                        np.zeros(2), np.zeros(2))
