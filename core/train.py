"""One training loop for every model, and the recipes that rebuild the shipped checkpoints.

    python -m core.train NAME      # one checkpoint, e.g. fashion_cnn
    python -m core.train all       # every checkpoint, in dependency order
"""
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import autoencoders, checkpoints, features, sentiment
from core.device import device, set_threads
from core.models.cnn import CNNConfig, LinearProbes, SmallCNN

Progress = Callable[[int, int, float], None]  # (step, total steps, latest loss)


def random_shift(x: torch.Tensor, g: torch.Generator, pixels: float = 2.0, degrees: float = 10.0) -> torch.Tensor:
    """Each image moved by up to `pixels` and turned by up to `degrees`: cheap data augmentation."""
    n = x.shape[0]
    angle = (torch.rand(n, generator=g) * 2 - 1) * np.deg2rad(degrees)
    shift = (torch.rand(n, 2, generator=g) * 2 - 1) * (2 * pixels / x.shape[-1])
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta.to(x), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False)


def shuffled_batches(n: int, batch_size: int, steps: int, g: torch.Generator) -> Iterator[torch.Tensor]:
    """Indices of `steps` mini-batches of n items: a fresh random order for every pass, an incomplete tail skipped."""
    order, cursor = torch.randperm(n, generator=g), 0
    for _ in range(steps):
        if cursor + batch_size > n:
            order, cursor = torch.randperm(n, generator=g), 0
        yield order[cursor:cursor + batch_size]
        cursor += batch_size


def optimise(model: nn.Module, n: int, loss_of: Callable[[torch.Tensor, int, torch.Generator], torch.Tensor], *,
             steps: int, batch_size: int = 128, lr: float = 1e-3, seed: int = 0, on_progress: Progress | None = None,
             progress_every: int = 20) -> list[float]:
    """Adam with a cosine-decaying learning rate over shuffled mini-batches of n items; `loss_of(indices, step, g)`
    gives a batch's loss (g: the training's random generator, for whatever else it draws). Returns the loss per step.
    `on_progress` hears every `progress_every`-th step and the last; it may raise to end the training early."""
    model.train()
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    losses = []
    for step, idx in enumerate(shuffled_batches(n, batch_size, steps, g)):
        loss = loss_of(idx, step, g)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
        if on_progress is not None and (step % progress_every == 0 or step == steps - 1):
            on_progress(step + 1, steps, losses[-1])
    model.eval()
    return losses


def fit(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, steps: int, augment: Callable | None = None,
        **schedule) -> list[float]:
    """A classifier on (X, y) with cross-entropy, by `optimise` (its keyword arguments pass through); `augment(x, g)`
    may change each batch. Returns the loss per step."""
    dev = device()
    model.to(dev)

    def loss_of(idx: torch.Tensor, step: int, g: torch.Generator) -> torch.Tensor:
        xb = X[idx] if augment is None else augment(X[idx], g)
        return F.cross_entropy(model(xb.to(dev)), y[idx].to(dev))

    return optimise(model, len(X), loss_of, steps=steps, **schedule)


@torch.no_grad()
def predict(model: nn.Module, X: torch.Tensor, batch: int = 1000) -> torch.Tensor:
    """Logits for X, in batches, on the model's device; returned on the CPU."""
    dev = next(model.parameters()).device
    return torch.cat([model(X[i:i + batch].to(dev)).cpu() for i in range(0, len(X), batch)])


def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    return (predict(model, X).argmax(1) == y).float().mean().item()


@dataclass
class Recipe:
    """How one shipped checkpoint is made: data, seed, steps, and the function that trains it."""
    name: str
    data: str
    seed: int
    steps: int
    train: Callable[["Recipe", Progress | None], tuple[nn.Module, dict, dict]]  # → model, architecture, metrics
    needs: tuple[str, ...] = ()  # checkpoints this one is built from


def _train_cnn(recipe: Recipe, on_progress: Progress | None, Xtr, ytr, Xte, yte, augment=None) -> tuple:
    torch.manual_seed(recipe.seed)
    cfg = CNNConfig()
    model = SmallCNN(cfg)
    Xtr, Xte = features.as_batch(Xtr), features.as_batch(Xte)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    fit(model, Xtr, ytr, steps=recipe.steps, seed=recipe.seed, augment=augment, on_progress=on_progress)
    metrics = {"test_accuracy": round(accuracy(model, Xte, yte), 4), "train_accuracy": round(accuracy(model, Xtr, ytr), 4)}
    return model, {"class": "SmallCNN", "config": asdict(cfg)}, metrics


def train_fashion_cnn(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    from core.data.images import fashion_mnist
    return _train_cnn(recipe, on_progress, *fashion_mnist(train=True), *fashion_mnist(train=False))


def train_fashion_cnn_augmented(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    from core import out_of_distribution  # the same network, trained on changed copies of the images
    return out_of_distribution.train_fashion_cnn_augmented(recipe, on_progress)


def train_fashion_cnn_adversarial(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    from core import attacks  # the same network, trained on FGSM examples of its training images
    return attacks.train_fashion_cnn_adversarial(recipe, on_progress)


def train_mnist_cnn(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    from core.data.images import mnist_5k
    return _train_cnn(recipe, on_progress, *mnist_5k("train"), *mnist_5k("test"), augment=random_shift)


def probe_inputs(images: np.ndarray, cnn: SmallCNN) -> dict[str, torch.Tensor]:
    """The three representations of the same images that the linear probes read."""
    x = features.as_batch(images)
    with torch.no_grad():
        learned = torch.cat([cnn.features(x[i:i + 1000]) for i in range(0, len(x), 1000)])
    return {"pixels": x.flatten(1), "hog": torch.from_numpy(features.hog_features(images)), "learned": learned}


def train_feature_probes(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    """A linear classifier on raw pixels, on HOG, and on the Fashion CNN's learned features."""
    from core.data.images import fashion_mnist
    cnn = checkpoints.load_model("fashion_cnn").cpu()
    (Xtr, ytr), (Xte, yte) = fashion_mnist(train=True), fashion_mnist(train=False)
    tr, te = probe_inputs(Xtr, cnn), probe_inputs(Xte, cnn)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    probes = LinearProbes({k: v.shape[1] for k, v in tr.items()})
    metrics = {}
    for i, (name, probe) in enumerate(probes.items()):
        probe.mean.copy_(tr[name].mean(0))
        probe.std.copy_(tr[name].std(0) + 1e-3)
        progress = None if on_progress is None else (
            lambda s, n, loss, i=i: on_progress(i * recipe.steps + s, 3 * recipe.steps, loss))
        torch.manual_seed(recipe.seed)
        fit(probe, tr[name], ytr, steps=recipe.steps, batch_size=256, lr=3e-3, seed=recipe.seed, on_progress=progress)
        metrics[f"{name}_test_accuracy"] = round(accuracy(probe, te[name], yte), 4)
    return probes, {"class": "LinearProbes", "config": {k: v.shape[1] for k, v in tr.items()}}, metrics


def train_fashion_gan(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    from core import gan_images  # a DCGAN on Fashion-MNIST, judged by fashion_cnn
    return gan_images.train_fashion_gan(recipe, on_progress)


def train_translator(recipe: Recipe, on_progress: Progress | None = None) -> tuple:
    from core import translation  # sacreBLEU and the rest: only when this checkpoint is rebuilt
    return translation.train_translator(recipe, on_progress)


RECIPES = {r.name: r for r in [
    Recipe("fashion_cnn", "Fashion-MNIST: 60,000 train / 10,000 official test", seed=0, steps=3600, train=train_fashion_cnn),
    Recipe("fashion_cnn_augmented", "Fashion-MNIST: 60,000 train / 10,000 official test; each training image randomly "
           "turned, scaled, shifted, dulled, inverted or blurred", seed=0, steps=7200,
           train=train_fashion_cnn_augmented, needs=("fashion_cnn",)),  # its metrics: both models' OOD sweeps
    Recipe("mnist_cnn", "MNIST 5k: 4,000 train / 1,000 held out, stratified", seed=0, steps=1500, train=train_mnist_cnn),
    Recipe("fashion_cnn_adversarial", "Fashion-MNIST: 60,000 train (as FGSM examples, ε = 0.1) / 10,000 official "
           "test", seed=0, steps=1800, train=train_fashion_cnn_adversarial, needs=("fashion_cnn", "mnist_cnn")),
    Recipe("feature_probes", "Fashion-MNIST, as pixels / HOG / fashion_cnn features", seed=0, steps=1500,
           train=train_feature_probes, needs=("fashion_cnn",)),
    Recipe("translator", "Ding dictionary example sentences, German→English: 10,956 train / 1,369 val / 1,370 test "
           "pairs", seed=0, steps=2500, train=train_translator),  # 15 passes over the train split
    Recipe("sentiment_lstm", sentiment.DATA, seed=0, steps=1330, train=sentiment.train_sentiment_lstm),
    Recipe("sentiment_gru", sentiment.DATA, seed=0, steps=1330, train=sentiment.train_sentiment_gru),
    Recipe("sentiment_minilm", sentiment.DATA, seed=0, steps=795, train=sentiment.train_sentiment_minilm),
    Recipe("fashion_gan", "Fashion-MNIST: the 60,000 training images (labels unused); judged by fashion_cnn",
           seed=0, steps=8000, train=train_fashion_gan, needs=("fashion_cnn",)),
    Recipe("ae_fashion", autoencoders.DATASETS["fashion"].data, seed=0, steps=3000,
           train=autoencoders.train_ae_fashion),  # ae2, ae8, ae32 and dae32, 3000 steps each
    Recipe("ae_mnist", autoencoders.DATASETS["mnist"].data, seed=0, steps=1500, train=autoencoders.train_ae_mnist),
    Recipe("vae_fashion", autoencoders.DATASETS["fashion"].data, seed=0, steps=4000,
           train=autoencoders.train_vae_fashion),
    Recipe("vae_mnist", autoencoders.DATASETS["mnist"].data, seed=0, steps=2000, train=autoencoders.train_vae_mnist),
    Recipe("vae_faces", autoencoders.DATASETS["faces"].data, seed=0, steps=3000, train=autoencoders.train_vae_faces),
]}  # in dependency order


def rebuild(name: str, on_progress: Progress | None = None) -> checkpoints.Entry:
    """Train one checkpoint from its recipe, measure it, and save it with its manifest entry."""
    set_threads()
    recipe = RECIPES[name]
    start = time.perf_counter()
    model, architecture, metrics = recipe.train(recipe, on_progress)
    metrics["train_seconds"] = round(time.perf_counter() - start, 1)
    metrics["device"] = device().type
    entry = checkpoints.Entry(name, architecture, recipe.data, recipe.seed, recipe.steps, metrics)
    return checkpoints.save(model, entry)


# From scratch, on demand: the CNN page's "Layers of convolutions" trains one in a student's session, and
# tests/bench/bench_from_scratch.py times the default runs against the goals.

BASE_CHANNELS = (16, 32, 64)  # width ×1; ×1.5 gives the shipped checkpoints' (24, 48, 96)
EVAL_ITEMS = 2000  # held-out items measured during training, for the live accuracy curve (all, if fewer)
EVAL_POINTS = 12  # measurements of them per run, besides the first (untrained) and the last
DIVERGED_LOSS = 100.0  # a 10-class cross-entropy starts near 2.3; beyond this (or NaN) the training has blown up


@dataclass(frozen=True)
class ScratchData:
    """A dataset the page trains on: where the held-out figure comes from, the default length, augmentation."""
    title: str
    held_out: str
    checkpoint: str  # the shipped model trained on it
    goal: float  # held-out accuracy a default from-scratch run should reach
    steps: int  # default number of steps
    shift: bool  # random_shift augmentation (small data)


SCRATCH_DATA = {
    "fashion": ScratchData("Fashion-MNIST", "the official 10,000-image test set", "fashion_cnn", 0.92, 3600, False),
    "mnist": ScratchData("MNIST 5k", "the 1,000 held-out digits", "mnist_cnn", 0.97, 600, True),
}


@dataclass(frozen=True)
class Scratch:
    """One from-scratch training: which data, how many convolution layers and how wide, how long, how fast."""
    dataset: str = "fashion"  # a key of SCRATCH_DATA
    layers: int = 3  # convolution layers, 1 to 3
    width: float = 1.0  # × BASE_CHANNELS
    steps: int = 0  # mini-batches of 128; 0: the dataset's default
    lr: float = 3e-3
    dropout: float = 0.1  # less than the shipped 0.3: a short run underfits more than it overfits
    seed: int = 0

    @property
    def total_steps(self) -> int:
        return self.steps or SCRATCH_DATA[self.dataset].steps

    def config(self) -> CNNConfig:
        if not 1 <= self.layers <= 3:
            raise ValueError(f"1 to 3 convolution layers, not {self.layers}")
        return CNNConfig(channels=tuple(max(1, round(c * self.width)) for c in BASE_CHANNELS[:self.layers]),
                         dropout=self.dropout)


@dataclass
class ScratchRun:
    """A from-scratch training as it goes: the network, its loss per step and its held-out accuracy curve.
    Filled in while it trains, so whoever started it keeps what was done if it is interrupted."""
    spec: Scratch
    model: SmallCNN
    losses: list[float] = field(default_factory=list)
    curve: list[tuple[int, float]] = field(default_factory=list)  # (step, accuracy on EVAL_ITEMS held-out items)
    status: str = "training"  # then "done", "diverged" (the loss blew up) or "stopped" (by whoever started it)
    accuracy: float | None = None  # on the whole held-out set, once finished
    seconds: float = 0.0  # wall time so far: data, training, measuring

    @classmethod
    def start(cls, spec: Scratch) -> "ScratchRun":
        torch.manual_seed(spec.seed)
        model = SmallCNN(spec.config()).to(device())
        if device().type == "cpu":
            model = model.to(memory_format=torch.channels_last)  # 1.5-1.8× faster steps on a CPU (pooling, norms)
        return cls(spec, model)

    @property
    def step(self) -> int:
        return len(self.losses)


class _Diverged(Exception):
    pass


def scratch_data(dataset: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Training and held-out images as uint8 (N, 1, 28, 28) tensors (a quarter of floats' memory) and labels."""
    from core.data.images import fashion_mnist, mnist_5k
    (Xtr, ytr), (Xte, yte) = ((fashion_mnist(train=True), fashion_mnist(train=False)) if dataset == "fashion"
                              else (mnist_5k("train"), mnist_5k("test")))
    return (torch.from_numpy(np.array(Xtr))[:, None], torch.from_numpy(np.array(ytr)),
            torch.from_numpy(np.array(Xte))[:, None], torch.from_numpy(np.array(yte)))


def as_input(images: torch.Tensor) -> torch.Tensor:
    """uint8 (N, 1, 28, 28) → float in [0, 1], as features.as_batch makes them."""
    return images.float().div_(255)


def held_out_accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    """Accuracy on uint8 images (converted a batch at a time); leaves the model in eval mode."""
    model.eval()
    dev = next(model.parameters()).device
    with torch.no_grad():
        right = sum((model(as_input(X[i:i + batch]).to(dev)).argmax(1).cpu() == y[i:i + batch]).sum().item()
                    for i in range(0, len(X), batch))
    return right / len(X)


def evaluation_items(n_held_out: int, seed: int = 0) -> torch.Tensor:
    """The fixed held-out items measured during training: EVAL_ITEMS of them, drawn once, in order."""
    order = torch.randperm(n_held_out, generator=torch.Generator().manual_seed(seed))
    return order[:EVAL_ITEMS].sort().values


def finish(run: ScratchRun, data: tuple) -> ScratchRun:
    """Measure a finished (or stopped) run on the whole held-out set, and end its accuracy curve where it ended."""
    _, _, Xte, yte = data
    if not run.curve or run.curve[-1][0] != run.step:
        probe = evaluation_items(len(Xte))
        run.curve.append((run.step, held_out_accuracy(run.model, Xte[probe], yte[probe])))
    run.accuracy = held_out_accuracy(run.model, Xte, yte)
    if run.status == "training":
        run.status = "done"
    return run


def from_scratch(spec: "Scratch | ScratchRun", data: tuple | None = None, *, on_progress: Progress | None = None,
                 on_evaluate: Callable[[int, float], None] | None = None) -> ScratchRun:
    """Train a SmallCNN of the chosen layers and width with `fit`, measuring EVAL_ITEMS held-out items about
    EVAL_POINTS times on the way; then the whole held-out set. `data` is scratch_data(dataset) (read if not
    given). Stops with status "diverged" if the loss is NaN or above DIVERGED_LOSS. Callbacks may raise to stop
    it: `run` (pass a ScratchRun to keep hold of it) then holds what was done."""
    start = time.perf_counter()
    run = spec if isinstance(spec, ScratchRun) else ScratchRun.start(spec)
    spec, recipe = run.spec, SCRATCH_DATA[run.spec.dataset]
    Xtr, ytr, Xte, yte = data if data is not None else scratch_data(spec.dataset)
    probe = evaluation_items(len(Xte))
    Xprobe, yprobe = Xte[probe], yte[probe]
    total = spec.total_steps
    every = max(1, round(total / EVAL_POINTS))

    def evaluate(step: int) -> None:
        run.curve.append((step, held_out_accuracy(run.model, Xprobe, yprobe)))
        if on_evaluate is not None:
            on_evaluate(*run.curve[-1])

    def progress(step: int, steps: int, loss: float) -> None:
        run.losses.append(loss)
        run.seconds = time.perf_counter() - start
        if not loss <= DIVERGED_LOSS:  # NaN compares false
            run.status = "diverged"
            raise _Diverged
        if step % every == 0 and step < steps:
            evaluate(step)
            run.model.train()
        if on_progress is not None:
            on_progress(step, steps, loss)

    def augment(xb: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        xb = as_input(xb)
        return random_shift(xb, g) if recipe.shift else xb

    evaluate(0)
    try:
        fit(run.model, Xtr, ytr, steps=total, lr=spec.lr, seed=spec.seed, augment=augment, on_progress=progress,
            progress_every=1)
    except _Diverged:
        run.model.eval()
        return run
    evaluate(total)
    finish(run, (Xtr, ytr, Xte, yte))
    run.seconds = time.perf_counter() - start
    return run


def _progress_bar(step: int, total: int, loss: float) -> None:
    done = int(30 * step / total)
    sys.stderr.write(f"\r  [{'#' * done}{'.' * (30 - done)}] {step}/{total} steps  loss {loss:.3f}")
    if step == total:
        sys.stderr.write("\n")


def main(argv: list[str]) -> int:
    names = list(RECIPES) if argv == ["all"] else argv
    unknown = [n for n in names if n not in RECIPES]
    if not names or unknown:
        print(f"usage: python -m core.train NAME [NAME ...] | all   (names: {', '.join(RECIPES)})", file=sys.stderr)
        return 2
    for name in names:
        print(f"{name}: {RECIPES[name].data}", file=sys.stderr)
        entry = rebuild(name, _progress_bar)
        print(f"{name}: {entry.metrics}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
