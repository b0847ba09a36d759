"""The recurrence, step by step: a simple RNN, an LSTM and a GRU cell written out gate by gate.

At every step a cell scales its input and its delayed state by weights and adds them; a third set of weights reads
the output from the new state ("weights in three places"). LSTM and GRU add gates, values between 0 and 1 that
decide what to keep, what to write and what to forget. The parameters have torch's layout (weight_ih (G·H, D),
weight_hh (G·H, H), bias_ih and bias_hh (G·H,); gates i, f, g, o for the LSTM and r, z, n for the GRU) and the
equations are torch's, so torch's own cells can be copied in and checked against. A deep RNN stacks cells: each
layer keeps its own state and reads the states of the layer below as its inputs.
"""
import re
import zlib
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
from torch import nn

from core.device import to_numpy

GATES: dict[str, tuple[str, ...]] = {"RNN": ("h",), "LSTM": ("i", "f", "g", "o"), "GRU": ("r", "z", "n")}
GATE_NAMES = {"h": "new state", "i": "input gate", "f": "forget gate", "g": "candidate", "o": "output gate",
              "r": "reset gate", "z": "update gate", "n": "candidate"}
SENTENCES = ("I am hungry, so I will go to the kitchen", "I will go to the kitchen, because I am hungry")


def sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^−a): squashes into (0, 1), how far a gate is open. (Written with tanh: no overflow.)"""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {  # per gate: gates σ, states and candidates tanh
    "h": np.tanh, "i": sigmoid, "f": sigmoid, "g": np.tanh, "o": sigmoid, "r": sigmoid, "z": sigmoid, "n": np.tanh}


@dataclass(frozen=True)
class Cell:
    """One recurrent layer's parameters, in torch's layout: G blocks of H rows, one block per gate."""
    kind: str  # "RNN" (tanh), "LSTM" or "GRU"
    weight_ih: np.ndarray  # (G·H, D): scales the input x_t
    weight_hh: np.ndarray  # (G·H, H): scales the delayed state h_{t−1}
    bias_ih: np.ndarray  # (G·H,)
    bias_hh: np.ndarray  # (G·H,)

    @property
    def input_size(self) -> int:
        return self.weight_ih.shape[1]

    @property
    def hidden_size(self) -> int:
        return self.weight_hh.shape[1]


@dataclass(frozen=True)
class Readout:
    """The third place with weights: the output o_t = softmax(weight · h_t + bias)."""
    weight: np.ndarray  # (O, H)
    bias: np.ndarray  # (O,)


@dataclass(frozen=True)
class Gate:
    """One gate at one step: what the input and the delayed state each add, their sum, and the activation of it."""
    name: str  # a key of GATE_NAMES
    from_input: np.ndarray  # (H,) this gate's rows of weight_ih · x_t + bias_ih
    from_state: np.ndarray  # (H,) its rows of weight_hh · h_{t−1} + bias_hh; the GRU's candidate: r * (that)
    pre: np.ndarray  # (H,) from_input + from_state
    value: np.ndarray  # (H,) σ(pre) for a gate, tanh(pre) for a state or a candidate


@dataclass(frozen=True)
class Step:
    """One step of the recurrence: what came in, every gate, the new state and the output."""
    t: int  # position in the sequence, from 0
    x: np.ndarray  # (D,) the input vector
    h_prev: np.ndarray  # (H,) the delayed state h_{t−1}
    c_prev: np.ndarray | None  # (H,) the LSTM's delayed cell c_{t−1}; None for RNN and GRU
    gates: tuple[Gate, ...]  # in torch's order
    h: np.ndarray  # (H,) the new state, passed to the next step (and to the layer above)
    c: np.ndarray | None  # (H,) the LSTM's new cell
    output: np.ndarray | None  # (O,) the readout's probabilities; None without a readout

    def gate(self, name: str) -> Gate:
        return next(g for g in self.gates if g.name == name)


def _gate(name: str, from_input: np.ndarray, from_state: np.ndarray) -> Gate:
    pre = from_input + from_state
    return Gate(name, from_input, from_state, pre, _ACTIVATIONS[name](pre))


def softmax(a: np.ndarray) -> np.ndarray:
    e = np.exp(a - a.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def step(cell: Cell, x: np.ndarray, h: np.ndarray, c: np.ndarray | None = None, t: int = 0,
         readout: Readout | None = None) -> Step:
    """One step: x (D,) and the delayed state h (H,) (and the LSTM's cell c) → the record of the new state."""
    if cell.kind not in GATES:
        raise ValueError(f"Unknown cell {cell.kind!r}; choose one of {', '.join(GATES)}.")
    if cell.kind == "LSTM" and c is None:
        c = np.zeros_like(h)
    blocks = len(GATES[cell.kind])
    from_input = np.split(x @ cell.weight_ih.T + cell.bias_ih, blocks, axis=-1)
    from_state = np.split(h @ cell.weight_hh.T + cell.bias_hh, blocks, axis=-1)
    c_new = None
    if cell.kind == "RNN":  # h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)
        gates = (_gate("h", from_input[0], from_state[0]),)
        h_new = gates[0].value
    elif cell.kind == "LSTM":
        gates = tuple(_gate(name, a, b) for name, a, b in zip(GATES["LSTM"], from_input, from_state))
        i, f, g, o = (gate.value for gate in gates)
        c_new = f * c + i * g  # forget part of the old memory, write part of the candidate
        h_new = o * np.tanh(c_new)  # show part of the memory
    else:  # GRU
        r = _gate("r", from_input[0], from_state[0])
        z = _gate("z", from_input[1], from_state[1])
        n = _gate("n", from_input[2], r.value * from_state[2])  # the reset gate decides how much past goes in
        gates = (r, z, n)
        h_new = (1 - z.value) * n.value + z.value * h  # the update gate mixes the candidate and the old state
    output = None if readout is None else softmax(h_new @ readout.weight.T + readout.bias)
    return Step(t, x, h, c if cell.kind == "LSTM" else None, gates, h_new, c_new, output)


def unroll(cell: Cell, xs: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None,
           readout: Readout | None = None) -> list[Step]:
    """The same cell applied at every position of xs (T, D), each step handing its state to the next."""
    h = np.zeros(cell.hidden_size) if h0 is None else h0
    c = np.zeros(cell.hidden_size) if cell.kind == "LSTM" and c0 is None else c0
    steps = []
    for t, x in enumerate(xs):
        steps.append(step(cell, x, h, c, t, readout))
        h, c = steps[-1].h, steps[-1].c
    return steps


def unroll_stack(cells: Sequence[Cell], xs: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None,
                 readout: Readout | None = None) -> list[list[Step]]:
    """A deep RNN over xs (T, D): records [layer][t]. Layer l reads the states of layer l − 1 as its inputs;
    h0, c0 (L, H) are each layer's initial state; the readout reads the top layer."""
    layers = []
    for depth, cell in enumerate(cells):
        top = depth == len(cells) - 1
        layers.append(unroll(cell, xs, None if h0 is None else h0[depth], None if c0 is None else c0[depth],
                             readout if top else None))
        xs = np.stack([s.h for s in layers[-1]])
    return layers


def _kind(module: nn.Module) -> str:
    if isinstance(module, (nn.LSTM, nn.LSTMCell)):
        return "LSTM"
    if isinstance(module, (nn.GRU, nn.GRUCell)):
        return "GRU"
    if isinstance(module, (nn.RNN, nn.RNNCell)) and module.nonlinearity == "tanh":
        return "RNN"
    raise ValueError(f"{type(module).__name__} is not a tanh RNN, an LSTM or a GRU.")


def _numpy(p) -> np.ndarray:
    return to_numpy(p.detach().double()).copy()


def cell_from_torch(cell: nn.RNNCellBase) -> Cell:
    """A copy of a torch.nn.RNNCell (tanh), LSTMCell or GRUCell, in float64."""
    if not cell.bias:
        raise ValueError("Cells without biases are not supported.")
    return Cell(_kind(cell), _numpy(cell.weight_ih), _numpy(cell.weight_hh), _numpy(cell.bias_ih),
                _numpy(cell.bias_hh))


def stack_from_torch(rnn: nn.RNNBase) -> list[Cell]:
    """A copy of a torch.nn.RNN (tanh), LSTM or GRU, one Cell per layer, in float64."""
    if rnn.bidirectional or not rnn.bias or getattr(rnn, "proj_size", 0):
        raise ValueError("Only one-directional layers with biases and no projection are supported.")
    return [Cell(_kind(rnn), *(_numpy(getattr(rnn, f"{name}_l{layer}"))
                               for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))
            for layer in range(rnn.num_layers)]


def _readable(rng: np.random.Generator, shape: tuple[int, ...], decimals: int) -> np.ndarray:
    """Uniform in [−1, 1], rounded so that a student can redo the sums by hand."""
    return rng.uniform(-1, 1, shape).round(decimals)


def random_cell(kind: str, input_size: int, hidden_size: int, seed: int = 0, decimals: int = 1) -> Cell:
    """A cell with readable weights for the demo: numbers in [−1, 1] with `decimals` decimals."""
    rng = np.random.default_rng(seed)
    rows = len(GATES[kind]) * hidden_size
    return Cell(kind, _readable(rng, (rows, input_size), decimals), _readable(rng, (rows, hidden_size), decimals),
                _readable(rng, (rows,), decimals), _readable(rng, (rows,), decimals))


def random_stack(kind: str, input_size: int, hidden_size: int, layers: int, seed: int = 0,
                 decimals: int = 1) -> list[Cell]:
    """A deep RNN of readable random cells: the first reads the inputs, the others the layer below."""
    return [random_cell(kind, input_size if depth == 0 else hidden_size, hidden_size, seed + depth, decimals)
            for depth in range(layers)]


def random_readout(hidden_size: int, output_size: int, seed: int = 0, decimals: int = 1) -> Readout:
    rng = np.random.default_rng(seed)
    return Readout(_readable(rng, (output_size, hidden_size), decimals), _readable(rng, (output_size,), decimals))


def tokenise(text: str) -> list[str]:
    """Words and punctuation marks, in order: "I am hungry, so" → ["I", "am", "hungry", ",", "so"]."""
    return re.findall(r"\w+|[^\w\s]", text)


def embed(tokens: Sequence[str], dim: int = 4, seed: int = 0, decimals: int = 1) -> np.ndarray:
    """A word vector (dim,) per token: (T, dim). The same word gets the same vector wherever it stands (case aside),
    as the same weights then see it: readable random numbers, fixed by the word and the seed."""
    return np.stack([_readable(np.random.default_rng([seed, zlib.crc32(token.lower().encode())]), (dim,), decimals)
                     for token in tokens])
