"""Backpropagation by hand on the lecture's small network: 2 inputs, 2 sigmoid hidden neurons, 1 sigmoid output.

    z_h1 = w1·x1 + w2·x2 + b1    h1 = σ(z_h1)
    z_h2 = w3·x1 + w4·x2 + b2    h2 = σ(z_h2)
    z_o  = w5·h1 + w6·h2 + b3    o  = σ(z_o)        L = ½·(o − t)²

The backward pass walks from L back to the inputs with the chain rule. The output layer's δ_o = ∂L/∂z_o is
computed once and re-used by every weight below it: that re-use is what makes backpropagation cheap.
"""
from dataclasses import dataclass

from core.feed_forward.neurons import sigmoid

PARAMS = ("w1", "w2", "w3", "w4", "b1", "b2", "w5", "w6", "b3")


@dataclass(frozen=True)
class Factor:
    name: str  # e.g. "∂o/∂z_o"
    value: float
    reused: bool  # already computed by an earlier step of the backward pass


@dataclass(frozen=True)
class Step:
    node: str  # what this step computes, e.g. "h1" or "∂L/∂w5"
    formula: str  # in symbols, e.g. "σ(z_h1)" or "∂L/∂o · ∂o/∂z_o · ∂z_o/∂w5 = δ_o · h1"
    value: float
    factors: tuple[Factor, ...] = ()  # backward steps: the chain-rule factors whose product is value


@dataclass(frozen=True)
class Example:
    params: dict[str, float]
    x: tuple[float, float]
    target: float


# The classic worked example's numbers (inputs 0.05, 0.10; target 0.01), with a single output neuron.
EXAMPLE = Example(
    params={"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "b1": 0.35, "b2": 0.35, "w5": 0.40, "w6": 0.45, "b3": 0.60},
    x=(0.05, 0.10),
    target=0.01,
)


def forward_steps(params: dict[str, float], x: tuple[float, float], target: float) -> list[Step]:
    """The forward pass node by node, from the inputs to the loss."""
    p, (x1, x2) = params, x
    z_h1 = p["w1"] * x1 + p["w2"] * x2 + p["b1"]
    h1 = float(sigmoid(z_h1))
    z_h2 = p["w3"] * x1 + p["w4"] * x2 + p["b2"]
    h2 = float(sigmoid(z_h2))
    z_o = p["w5"] * h1 + p["w6"] * h2 + p["b3"]
    o = float(sigmoid(z_o))
    return [
        Step("z_h1", "w1·x1 + w2·x2 + b1", z_h1),
        Step("h1", "σ(z_h1)", h1),
        Step("z_h2", "w3·x1 + w4·x2 + b2", z_h2),
        Step("h2", "σ(z_h2)", h2),
        Step("z_o", "w5·h1 + w6·h2 + b3", z_o),
        Step("o", "σ(z_o)", o),
        Step("L", "½·(o − t)²", 0.5 * (o - target) ** 2),
    ]


def _product(node: str, formula: str, *factors: Factor) -> Step:
    """A chain-rule step: its value is the product of its factors."""
    value = 1.0
    for f in factors:
        value *= f.value
    return Step(node, formula, value, factors)


def backward_steps(params: dict[str, float], x: tuple[float, float], target: float) -> list[Step]:
    """The backward pass from the loss to the first layer: every ∂L/∂(weight or bias) as a product of factors."""
    forward = {s.node: s.value for s in forward_steps(params, x, target)}
    h1, h2, o = forward["h1"], forward["h2"], forward["o"]
    x1, x2 = x
    steps = []

    def reuse(node: str) -> Factor:
        """A factor that an earlier step already computed: read it, don't compute it again."""
        return Factor(node, next(s.value for s in steps if s.node == node), reused=True)

    # output neuron: L = ½(o − t)², o = σ(z_o), and σ'(z) = σ(z)·(1 − σ(z))
    steps.append(Step("∂L/∂o", "o − t", o - target))
    steps.append(Step("∂o/∂z_o", "o·(1 − o)", o * (1 - o)))
    steps.append(_product("δ_o", "∂L/∂o · ∂o/∂z_o", reuse("∂L/∂o"), reuse("∂o/∂z_o")))
    for param, local, value in [("w5", "h1", h1), ("w6", "h2", h2), ("b3", "1", 1.0)]:
        steps.append(_product(f"∂L/∂{param}", f"∂L/∂o · ∂o/∂z_o · ∂z_o/∂{param} = δ_o · {local}",
                              reuse("δ_o"), Factor(f"∂z_o/∂{param} = {local}", value, reused=False)))

    # hidden neurons: z_o = w5·h1 + w6·h2 + b3, so ∂z_o/∂h1 = w5; the one δ_o serves both of them
    for h, out_weight, h_value, inputs in [("h1", "w5", h1, [("w1", "x1", x1), ("w2", "x2", x2), ("b1", "1", 1.0)]),
                                          ("h2", "w6", h2, [("w3", "x1", x1), ("w4", "x2", x2), ("b2", "1", 1.0)])]:
        steps.append(_product(f"∂L/∂{h}", f"∂L/∂z_o · ∂z_o/∂{h} = δ_o · {out_weight}",
                              reuse("δ_o"), Factor(f"∂z_o/∂{h} = {out_weight}", params[out_weight], reused=False)))
        steps.append(_product(f"δ_{h}", f"∂L/∂{h} · ∂{h}/∂z_{h}", reuse(f"∂L/∂{h}"),
                              Factor(f"∂{h}/∂z_{h} = {h}·(1 − {h})", h_value * (1 - h_value), reused=False)))
        for param, local, value in inputs:
            steps.append(_product(f"∂L/∂{param}", f"∂L/∂z_o · ∂z_o/∂{h} · ∂{h}/∂z_{h} · ∂z_{h}/∂{param} = δ_{h} · {local}",
                                  reuse(f"δ_{h}"), Factor(f"∂z_{h}/∂{param} = {local}", value, reused=False)))
    return steps


def gradients(params: dict[str, float], x: tuple[float, float], target: float) -> dict[str, float]:
    """∂L/∂p for every weight and bias p, read off the backward pass."""
    values = {s.node: s.value for s in backward_steps(params, x, target)}
    return {name: values[f"∂L/∂{name}"] for name in PARAMS}
