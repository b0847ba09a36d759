"""The recurrence pictures show the numbers the cells computed, and one state per word and layer."""
import numpy as np
import pytest

from core.plots import NORMAL, PROJECTOR
from core.rnn import recurrence, recurrence_picture


def numbers(fig) -> list[str]:
    return [t for trace in fig.data if trace.name == "numbers" for t in trace.text if t]


def squares(fig) -> int:
    """The squares drawn (the shaded current step aside): each is a closed path of five corners in a filled trace."""
    return sum(trace.x.count(None) for trace in fig.data
               if trace.fill == "toself" and trace.fillcolor != recurrence_picture.CURRENT)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_one_step_shows_every_gate_sum_and_the_new_state(kind):
    cell = recurrence.random_cell(kind, 4, 3)
    step = recurrence.unroll(cell, recurrence.embed(["I", "am"]), readout=recurrence.random_readout(3, 3))[1]
    shown = numbers(recurrence_picture.cell_figure(step, kind, "am", NORMAL, output=step.output))
    for gate in step.gates:
        for values in (gate.from_input, gate.from_state, gate.pre, gate.value):
            assert [f"{round(v, 2) + 0.0:.2f}".replace("-", "−") for v in values] == shown[:3]
            shown = shown[3:]
    expected = [step.h_prev, *([step.c_prev] if kind == "LSTM" else []), step.x, step.h,
                *([step.c] if kind == "LSTM" else []), step.output]
    assert len(shown) == sum(len(v) for v in expected)


def test_projector_mode_writes_one_decimal():
    step = recurrence.unroll(recurrence.random_cell("GRU", 4, 3), recurrence.embed(["hungry"]))[0]
    assert all(len(t.split(".")[1]) == 1 for t in numbers(recurrence_picture.cell_figure(step, "GRU", "x", PROJECTOR)))


@pytest.mark.parametrize("kind, squares_per_state", [("RNN", 3), ("LSTM", 6)])
def test_the_unrolled_network_has_a_state_per_word_and_layer(kind, squares_per_state):
    tokens = recurrence.tokenise("I am hungry, so")
    layers = recurrence.unroll_stack(recurrence.random_stack(kind, 4, 3, 2), recurrence.embed(tokens))
    fig = recurrence_picture.unrolled_figure(layers, tokens, 2, NORMAL, outputs=np.zeros((len(tokens), 3)))
    assert squares(fig) == len(tokens) * 2 * squares_per_state
