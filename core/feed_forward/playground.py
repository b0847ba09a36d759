"""TensorFlow Playground's engine in numpy: a small network on 2-D points, trained by hand-written backprop.

The rules follow the Playground's nn.ts: weights start uniform in [-0.5, 0.5] and biases at 0.1; two classes
are labels -1/+1 read off one tanh output neuron, regression has one linear output, both scored by the squared
error ½(o − y)²; an epoch is one pass over the training points, updating after every mini-batch with the mean
gradient plus the regularisation term. Beyond the Playground: three or more classes (the 3-arm spiral, an upload)
get a softmax output scored by cross-entropy.
"""
import csv
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from core.data import toy
from core.uploads import is_number

PROBLEMS = ("classification", "regression")
ACTIVATION_NAMES = ("relu", "tanh", "sigmoid", "linear")
REGULARIZATIONS = ("none", "L1", "L2")

# Input neurons: each a function of the point (x1, x2).
FEATURE_FUNCTIONS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}
FEATURES = tuple(FEATURE_FUNCTIONS)

# name: (f(z), f'(z) written with the output a = f(z), which is all backprop keeps)
ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "tanh": (np.tanh, lambda a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda a: a > 0),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "linear": (lambda z: z, lambda a: 1),
}


def _require(ok: bool, reason: str) -> None:
    """Raise ValueError(reason) unless ok."""
    if not ok:
        raise ValueError(reason)


@dataclass
class PlaygroundConfig:
    """Every control of the Playground page; validated on creation, and flat strings for the URL."""
    dataset: str = "circle"  # a name in toy.CLASSIFICATION or toy.REGRESSION, or "upload"
    problem: str = "classification"  # or "regression"
    train_fraction: float = 0.5  # share of the points used for training, 0.1..0.9
    noise: float = 0.0  # 0..0.5
    batch_size: int = 10  # 1..30
    features: tuple[str, ...] = ("x1", "x2")  # input neurons, from FEATURES
    hidden: tuple[int, ...] = (4, 2)  # 0..6 hidden layers of 1..8 neurons
    activation: str = "tanh"  # of every hidden neuron
    learning_rate: float = 0.03  # η, 1e-5..10
    regularization: str = "none"  # "none", "L1" or "L2"
    reg_rate: float = 0.0  # λ, 0..10
    seed: int = 0  # of the points, their split and the initial weights
    n_points: int = 500  # 10..5000
    arms: int = 2  # of the spiral: 2 or 3

    def __post_init__(self) -> None:
        self.features, self.hidden = tuple(self.features), tuple(self.hidden)
        sets = toy.CLASSIFICATION if self.problem == "classification" else toy.REGRESSION
        _require(self.problem in PROBLEMS, f"problem must be one of {', '.join(PROBLEMS)}")
        _require(self.dataset == "upload" or self.dataset in sets,
                 f"dataset must be one of {', '.join([*sets, 'upload'])} for {self.problem}")
        _require(0.1 <= self.train_fraction <= 0.9, "train_fraction must be between 0.1 and 0.9")
        _require(0 <= self.noise <= 0.5, "noise must be between 0 and 0.5")
        _require(1 <= self.batch_size <= 30, "batch_size must be between 1 and 30")
        _require(len(self.features) > 0, "choose at least one feature")
        _require(set(self.features) <= set(FEATURES), f"features must be among {', '.join(FEATURES)}")
        _require(len(set(self.features)) == len(self.features), "a feature is listed twice")
        _require(len(self.hidden) <= 6, "at most 6 hidden layers")
        _require(all(1 <= width <= 8 for width in self.hidden), "a hidden layer has 1 to 8 neurons")
        _require(self.activation in ACTIVATION_NAMES, f"activation must be one of {', '.join(ACTIVATION_NAMES)}")
        _require(1e-5 <= self.learning_rate <= 10, "learning_rate must be between 1e-05 and 10")
        _require(self.regularization in REGULARIZATIONS, f"regularization must be one of {', '.join(REGULARIZATIONS)}")
        _require(0 <= self.reg_rate <= 10, "reg_rate must be between 0 and 10")
        _require(self.seed >= 0, "seed must be 0 or more")
        _require(10 <= self.n_points <= 5000, "n_points must be between 10 and 5000")
        _require(self.arms in (2, 3), "arms must be 2 or 3")


def toy_data(config: PlaygroundConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The configured toy set split into (X_train, y_train, X_test, y_test); uploads come from read_points_csv."""
    _require(config.dataset != "upload", "uploaded points come from read_points_csv")
    make = {**toy.CLASSIFICATION, **toy.REGRESSION}[config.dataset]
    options = {"arms": config.arms} if config.dataset == "spiral" else {}
    X, y = make(config.n_points, config.noise, config.seed, **options)
    return toy.split(X, y, config.train_fraction, config.seed)


def features(X: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """Points (n, 2) → the input layer (n, len(names)) in float64."""
    x1, x2 = X[:, 0].astype(np.float64), X[:, 1].astype(np.float64)
    return np.stack([FEATURE_FUNCTIONS[name](x1, x2) for name in names], axis=1)


@dataclass
class Network:
    """A fully connected network; weights[l] (fan_in, fan_out) and biases[l] (fan_out,) feed layer l+1."""
    features: tuple[str, ...]  # the input layer
    activation: str  # of every hidden layer
    output: str  # "tanh" (2 classes, labels -1/+1), "linear" (regression) or "softmax" (3+ classes)
    weights: list[np.ndarray]
    biases: list[np.ndarray]

    @classmethod
    def create(cls, config: PlaygroundConfig, y: np.ndarray) -> "Network":
        """A fresh network for labels y, initialised as the Playground does: w ~ U(-0.5, 0.5), b = 0.1."""
        classes = int(y.max()) + 1 if config.problem == "classification" else 0
        output = "linear" if classes == 0 else "tanh" if classes <= 2 else "softmax"
        widths = [len(config.features), *config.hidden, classes if output == "softmax" else 1]
        rng = np.random.default_rng(config.seed)
        return cls(config.features, config.activation, output,
                   weights=[rng.uniform(-0.5, 0.5, (n_in, n_out)) for n_in, n_out in zip(widths, widths[1:])],
                   biases=[np.full(n_out, 0.1) for n_out in widths[1:]])

    @property
    def classes(self) -> int:
        """How many classes the output tells apart (0 for regression)."""
        return {"linear": 0, "tanh": 2}.get(self.output, self.weights[-1].shape[1])


def softmax(z: np.ndarray) -> np.ndarray:
    """p_c = e^{z_c} / Σ_k e^{z_k} for each row, shifted by the row's max so e^z cannot overflow."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(net: Network, F: np.ndarray) -> list[np.ndarray]:
    """Every layer's activations for the input layer F (n, features): [F, hidden 1, ..., output]."""
    f, _ = ACTIVATIONS[net.activation]
    out = softmax if net.output == "softmax" else ACTIVATIONS[net.output][0]
    activations = [F]
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        activations.append(f(activations[-1] @ W + b))  # (n, fan_out)
    activations.append(out(activations[-1] @ net.weights[-1] + net.biases[-1]))
    return activations


def targets(net: Network, y: np.ndarray) -> np.ndarray:
    """Labels as the output layer's targets (n, outputs): -1/+1 for 2 classes, one-hot for softmax, y for regression."""
    if net.output == "softmax":
        return np.eye(net.classes)[y]
    return (2.0 * y - 1 if net.output == "tanh" else y.astype(np.float64))[:, None]


def backward(net: Network, activations: list[np.ndarray], T: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Gradients (dL/dW, dL/db) per layer of the batch's mean loss, by the chain rule from the output back."""
    o = activations[-1]
    if net.output == "softmax":
        delta = (o - T) / len(T)  # dL/dz of cross-entropy after softmax, (n, classes)
    else:
        delta = (o - T) * ACTIVATIONS[net.output][1](o) / len(T)  # dL/do · do/dz of ½(o − t)², (n, 1)
    _, f_prime = ACTIVATIONS[net.activation]
    dW, db = [], []
    for layer in reversed(range(len(net.weights))):
        a = activations[layer]  # the layer's input, (n, fan_in)
        dW.append(a.T @ delta)  # (fan_in, fan_out)
        db.append(delta.sum(axis=0))  # (fan_out,)
        if layer:
            delta = (delta @ net.weights[layer].T) * f_prime(a)  # dL/dz one layer down, (n, fan_in)
    return dW[::-1], db[::-1]


def penalty_gradient(W: np.ndarray, config: PlaygroundConfig) -> np.ndarray | float:
    """d/dW of the penalty λ Σ|w| (L1) or λ Σ ½w² (L2); biases are not penalised."""
    if config.regularization == "L1":
        return config.reg_rate * np.sign(W)
    return config.reg_rate * W if config.regularization == "L2" else 0.0


def sgd_step(net: Network, dW: list[np.ndarray], db: list[np.ndarray], config: PlaygroundConfig) -> None:
    """w ← w − η(dL/dw + λR'(w)), b ← b − η dL/db; an L1 step carrying a weight across zero stops at 0."""
    lr = config.learning_rate
    for W, gW, b, gb in zip(net.weights, dW, net.biases, db):
        decay = lr * penalty_gradient(W, config)  # at the weight before the step, as in the Playground
        W -= lr * gW
        stepped = W - decay
        if config.regularization == "L1":
            stepped[W * stepped < 0] = 0  # the Playground's rule, which makes L1 weights exactly zero
        W[...] = stepped
        b -= lr * gb


def train_epoch(net: Network, X: np.ndarray, y: np.ndarray, config: PlaygroundConfig,
                rng: np.random.Generator) -> None:
    """One pass of mini-batch SGD over the training points in a fresh random order; never raises on overflow."""
    order = rng.permutation(len(X))
    F, T = features(X[order], net.features), targets(net, y[order])  # (n, features), (n, outputs)
    with np.errstate(all="ignore"):  # a diverging run turns to inf/NaN, which is_diverged reports
        for start in range(0, len(F), config.batch_size):
            batch = slice(start, start + config.batch_size)
            sgd_step(net, *backward(net, forward(net, F[batch]), T[batch]), config)


def outputs(net: Network, X: np.ndarray) -> np.ndarray:
    """The output layer for points X: (n, 1) tanh or linear, or (n, classes) softmax probabilities."""
    with np.errstate(all="ignore"):
        return forward(net, features(X, net.features))[-1]


def _decide(net: Network, o: np.ndarray) -> np.ndarray:
    """Output layer (n, outputs) → class labels (n,) int64, or values for regression."""
    if net.output == "softmax":
        return o.argmax(axis=1)
    return (o[:, 0] >= 0).astype(np.int64) if net.output == "tanh" else o[:, 0]


def predict(net: Network, X: np.ndarray) -> np.ndarray:
    """Class labels 0..k-1 (2 classes: 1 where the tanh output is ≥ 0), or values for regression, for points X."""
    return _decide(net, outputs(net, X))


def loss(net: Network, X: np.ndarray, y: np.ndarray) -> float:
    """The mean loss on points X, without the penalty (what the Playground plots); see loss_formula."""
    o = outputs(net, X)
    with np.errstate(all="ignore"):
        if net.output == "softmax":
            return float(-np.log(o[np.arange(len(y)), y]).mean())
        return float((0.5 * (o - targets(net, y)) ** 2).mean())


def accuracy(net: Network, X: np.ndarray, y: np.ndarray) -> float:
    """Share of points X a classifier labels y."""
    return float((predict(net, X) == y).mean())


def confusion_matrix(net: Network, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(classes, classes) counts: row = true class, column = predicted class."""
    k = net.classes
    return np.bincount(k * y + predict(net, X), minlength=k * k).reshape(k, k)


_DATA_LOSS = {  # (the sum, what its symbols are)
    "tanh": (r"\frac{1}{n}\sum_{i=1}^{n} \tfrac{1}{2}\,(o_i - y_i)^2",
             r",\quad o_i = \tanh(z_i),\ y_i \in \{-1, +1\}"),
    "linear": (r"\frac{1}{n}\sum_{i=1}^{n} \tfrac{1}{2}\,(o_i - y_i)^2", r",\quad o_i = z_i"),
    "softmax": (r"-\frac{1}{n}\sum_{i=1}^{n} \log p_{i,y_i}",
                r",\quad p_{i,c} = \frac{e^{z_{i,c}}}{\sum_k e^{z_{i,k}}}"),
}
_PENALTY = {"none": "", "L1": r" + \lambda \sum_w |w|", "L2": r" + \lambda \sum_w \tfrac{1}{2} w^2"}


def loss_formula(net: Network, config: PlaygroundConfig) -> str:
    """LaTeX of the objective SGD minimises: the mean loss over a batch of n points plus the penalty."""
    mean_loss, symbols = _DATA_LOSS[net.output]
    return "L = " + mean_loss + _PENALTY[config.regularization] + symbols


def is_diverged(net: Network, loss_value: float = 0.0) -> bool:
    """Whether training blew up: a weight, bias or the given loss is NaN or infinite."""
    return not (np.isfinite(loss_value) and all(np.isfinite(p).all() for p in net.weights + net.biases))


def grid(resolution: int = 100) -> np.ndarray:
    """(R*R, 2) points covering [-6, 6]² row by row, top row first (x2 = +6), as an image is drawn."""
    x1 = np.linspace(-toy.RADIUS, toy.RADIUS, resolution)
    x2 = np.linspace(toy.RADIUS, -toy.RADIUS, resolution)
    return np.stack(np.meshgrid(x1, x2), axis=-1).reshape(-1, 2)


def heatmaps(net: Network, resolution: int = 100) -> tuple[np.ndarray, list[np.ndarray]]:
    """What every neuron says over the canvas, from one forward pass of the grid.

    Returns the output map (R, R) — the tanh output in [-1, 1] for 2 classes, the value for regression, the
    predicted class for softmax — and per layer, input features first, an array (neurons, R, R).
    """
    with np.errstate(all="ignore"):
        activations = forward(net, features(grid(resolution), net.features))
    layers = [a.T.reshape(-1, resolution, resolution) for a in activations[:-1]]  # (neurons, R, R)
    o = activations[-1]
    decision = o[:, 0] if net.output == "tanh" else _decide(net, o).astype(np.float64)
    return decision.reshape(resolution, resolution), layers


PYTORCH_FILE, JSON_FILE = "playground_net.py", "playground_net.json"
_TORCH_MODULES = {"tanh": "nn.Tanh()", "relu": "nn.ReLU()", "sigmoid": "nn.Sigmoid()", "softmax": "nn.Softmax(dim=1)",
                  "linear": None}
_PYTORCH_SCRIPT = '''"""A network trained on the Playground page, rebuilt in PyTorch.

Keep {json_file} (its weights) next to this file, then:  python {pytorch_file}
"""
import json
from pathlib import Path

import torch
from torch import nn

torch.set_default_dtype(torch.float64)  # the page trains in float64

FEATURES = {features!r}  # the input layer


def features(points: torch.Tensor) -> torch.Tensor:
    """Points (n, 2) -> the input layer (n, {n_features})."""
    x1, x2 = points[:, 0], points[:, 1]
    columns = {{"x1": x1, "x2": x2, "x1^2": x1 * x1, "x2^2": x2 * x2, "x1x2": x1 * x2,
               "sin_x1": torch.sin(x1), "sin_x2": torch.sin(x2)}}
    return torch.stack([columns[name] for name in FEATURES], dim=1)


model = nn.Sequential(
{layers}
)


def load_weights(path: Path = Path(__file__).with_name("{json_file}")) -> None:
    """Copy the page's weights in; the JSON keeps each layer's weights as (fan_in, fan_out), torch as (out, in)."""
    saved = json.loads(path.read_text())
    linears = [module for module in model if isinstance(module, nn.Linear)]
    with torch.no_grad():
        for linear, weights, biases in zip(linears, saved["weights"], saved["biases"]):
            linear.weight.copy_(torch.tensor(weights).T)
            linear.bias.copy_(torch.tensor(biases))


load_weights()

if __name__ == "__main__":
    points = torch.tensor([[0.0, 0.0], [3.0, -2.0]])
    print(model(features(points)))
'''


def to_pytorch_code(net: Network) -> str:
    """A self-contained torch script: the feature transform and the same network as nn.Sequential."""
    layers = []
    for layer, W in enumerate(net.weights):
        last = layer == len(net.weights) - 1
        module = _TORCH_MODULES[net.output if last else net.activation]
        layers += [f"    nn.Linear({W.shape[0]}, {W.shape[1]}),"] + ([f"    {module},"] if module else [])
    return _PYTORCH_SCRIPT.format(json_file=JSON_FILE, pytorch_file=PYTORCH_FILE, features=list(net.features),
                                  n_features=len(net.features), layers="\n".join(layers))


def to_json(net: Network, config: PlaygroundConfig) -> str:
    """The network (weights[l] as (fan_in, fan_out) nested lists, biases) and the config it was trained with."""
    return json.dumps({"config": asdict(config), "features": list(net.features), "activation": net.activation,
                       "output": net.output, "weights": [W.tolist() for W in net.weights],
                       "biases": [b.tolist() for b in net.biases]})


MIN_ROWS, MAX_ROWS, MAX_CLASSES = 10, 5000, 10
MAX_CSV_BYTES = 2_000_000
COLUMN_NAMES = (("x1", "x2", "label"), ("x", "y", "label"))


def read_points_csv(data: bytes, problem: str) -> tuple[np.ndarray, np.ndarray, str]:
    """An uploaded CSV (header x1,x2,label or x,y,label; comma or semicolon) → (X, y, note), or a ValueError
    that says what to fix. X is float32 (n, 2) inside [-6, 6]² (the note says when it was rescaled); y is int64
    classes 0..k-1 (-1/1 become 0/1) for classification, float32 for regression."""
    _require(problem in PROBLEMS, f"problem must be one of {', '.join(PROBLEMS)}")
    lines = [(number, line) for number, line in enumerate(_text(data).splitlines(), 1) if line.strip()]
    _require(bool(lines), "The file is empty. Upload a CSV with a header line x1,x2,label and one point per line.")
    delimiter = ";" if lines[0][1].count(";") > lines[0][1].count(",") else ","
    rows = list(csv.reader((line for _, line in lines), delimiter=delimiter))
    header = [name.strip().lower() for name in rows[0]]
    columns = _columns(header)
    n = len(rows) - 1
    _require(n >= MIN_ROWS, f"The file has {n} point{'s' * (n != 1)}; at least {MIN_ROWS} are needed.")
    _require(n <= MAX_ROWS, f"The file has {n:,} points; the limit is {MAX_ROWS:,}.")
    values = np.array([[_number(row, column, header[column], number, delimiter) for column in columns]
                       for (number, _), row in zip(lines[1:], rows[1:])])  # (n, 3)
    numbers = [number for number, _ in lines[1:]]
    y = _classes(values[:, 2], numbers) if problem == "classification" else values[:, 2].astype(np.float32)
    X, note = _fit_canvas(values[:, :2])
    return X.astype(np.float32), y, note


def _text(data: bytes) -> str:
    """Uploaded bytes as text, refusing binary files and encodings other than UTF-8."""
    _require(len(data) <= MAX_CSV_BYTES, f"The file is {len(data) / 1e6:.1f} MB; a CSV of {MAX_ROWS:,} points is "
             f"far smaller (the limit is {MAX_CSV_BYTES / 1e6:.0f} MB).")
    _require(b"\x00" not in data, "This looks like a binary file (a spreadsheet or an image?), not CSV text. "
             "Save it as CSV and upload that.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The file is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it again.") from None


def _columns(header: list[str]) -> tuple[int, int, int]:
    """Positions of the x1, x2 and label columns (or x, y, label) in the header."""
    for names in COLUMN_NAMES:
        if set(names) <= set(header):
            return tuple(header.index(name) for name in names)
    if all(is_number(name) for name in header):
        raise ValueError("The first line must be a header naming the columns: x1,x2,label (or x,y,label).")
    raise ValueError(f"The file needs the columns x1, x2 and label (or x, y and label); its header has "
                     f"{', '.join(header)}.")


def _number(row: list[str], column: int, name: str, line: int, delimiter: str) -> float:
    """One cell as a finite float; with semicolons a decimal comma (1,5) is read as 1.5."""
    _require(column < len(row), f"Line {line} has {len(row)} value{'s' * (len(row) != 1)}; "
             f"the column {name} is missing.")
    text = row[column].strip().replace(",", ".") if delimiter == ";" else row[column].strip()
    _require(bool(text), f"Line {line}: the {name} value is empty.")
    _require(is_number(text), f"Line {line}: the {name} value {text!r} is not a number.")
    _require(bool(np.isfinite(float(text))), f"Line {line}: the {name} value is {text}; "
             "every value must be a finite number.")
    return float(text)


def _classes(labels: np.ndarray, lines: list[int]) -> np.ndarray:
    """Classification labels as classes 0..k-1: whole numbers 0..9, or -1/1 read as 0/1."""
    rule = "classification labels are classes 0..9 (or -1 and 1)."
    fractional = np.flatnonzero(labels != np.round(labels))
    if fractional.size:
        i = fractional[0]
        raise ValueError(f"Line {lines[i]}: the label {labels[i]:g} is not a whole number; {rule}")
    found = set(np.unique(labels))
    if -1 in found and found <= {-1, 1}:
        labels = (labels > 0).astype(np.float64)  # -1 → class 0, 1 → class 1
    _require(len(found) <= MAX_CLASSES, f"The labels name {len(found)} classes; the limit is {MAX_CLASSES}.")
    outside = np.flatnonzero((labels < 0) | (labels >= MAX_CLASSES))
    if outside.size:
        i = outside[0]
        raise ValueError(f"Line {lines[i]}: the label {labels[i]:g} is not a class; {rule}")
    _require(len(found) >= 2, f"Every point has the label {labels[0]:g}; a classifier needs at least two classes.")
    return labels.astype(np.int64)


def _fit_canvas(X: np.ndarray) -> tuple[np.ndarray, str]:
    """Points centred and scaled (the same on both axes, so shapes keep) into [-6, 6]² if any lie outside."""
    if np.abs(X).max() <= toy.RADIUS:
        return X, ""
    low, high = X.min(axis=0), X.max(axis=0)
    scale = toy.RADIUS / ((high - low).max() / 2 or 1.0)
    note = (f"The points spread over x1 {low[0]:g}..{high[0]:g} and x2 {low[1]:g}..{high[1]:g}; they were "
            f"centred and scaled by {scale:.3g} to fit the canvas [-6, 6]².")
    return (X - (low + high) / 2) * scale, note
