"""A GAN on 2-D points, as GAN Lab shows it: a small generator turns noise into points, a small discriminator
tells them from samples of a target distribution, and both train by turns with Adam.

Everything the GAN Lab section draws comes from here: the target's samples, the generator's samples, the
discriminator's output over the canvas, the gradient that moves each generated point, the two losses, how many
of the target's modes the generator covers, and a divergence estimate between the two point clouds.
Seeded and deterministic (on the CPU, with one torch thread, the same seed gives the same run).
"""
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import nn

from core.device import to_numpy
from core.training import Adam
from core.uploads import is_number

CANVAS = 3.0  # every picture shows [-3, 3]²; the targets lie inside [-2.5, 2.5]²
TARGETS = ("ring", "two moons", "grid", "your points")
LOSSES = ("log", "least squares")
RING_RADIUS, RING_STD, RING_MODES = 2.0, 0.1, 8
GRID_STEP, GRID_STD = 2.0, 0.1  # a 3 × 3 grid of Gaussians at -2, 0, 2
MODE_RADIUS = 0.3  # a generated point within 3 standard deviations of a mode's centre counts for that mode
MODE_SHARE = 0.25  # a mode is covered when it holds at least a quarter of its fair share of the samples
USER_JITTER = 0.05  # user points are sampled with this Gaussian jitter: a GAN learns a spread, not a list
MAX_USER_POINTS = 5000
HIST_BINS = 30  # the divergence estimate's grid: 30 × 30 cells over the canvas
DIVERGED_RADIUS = 1e3  # generated points this far out (or NaN) mean training blew up
DIVERGED_LOSS = 1e3  # as does a loss this large (at the start both are about 1)


def _require(ok: bool, reason: str) -> None:
    if not ok:
        raise ValueError(reason)


@dataclass(frozen=True)
class GanConfig:
    """Every setting of the 2-D GAN; validated on creation."""
    target: str = "ring"
    g_layers: int = 2  # hidden layers of the generator, 1..4
    g_width: int = 64  # neurons per hidden layer, 4..128
    d_layers: int = 3
    d_width: int = 64
    g_lr: float = 1e-3  # Adam's step size
    d_lr: float = 1e-3
    d_steps: int = 1  # discriminator updates per generator update, 1..10
    loss: str = "log"  # "log": the original GAN (non-saturating for G); "least squares": LSGAN
    noise_dim: int = 4  # of the generator's input z ~ N(0, I)
    batch: int = 256
    seed: int = 0

    def __post_init__(self) -> None:
        _require(self.target in TARGETS, f"target must be one of {', '.join(TARGETS)}")
        _require(1 <= self.g_layers <= 4 and 1 <= self.d_layers <= 4, "1 to 4 hidden layers")
        _require(4 <= self.g_width <= 128 and 4 <= self.d_width <= 128, "4 to 128 neurons per layer")
        _require(1e-6 <= self.g_lr <= 10 and 1e-6 <= self.d_lr <= 10, "learning rates between 1e-6 and 10")
        _require(1 <= self.d_steps <= 10, "1 to 10 discriminator steps per generator step")
        _require(self.loss in LOSSES, f"loss must be one of {', '.join(LOSSES)}")
        _require(1 <= self.noise_dim <= 8, "noise dimension 1 to 8")
        _require(8 <= self.batch <= 4096, "batch size 8 to 4096")
        _require(self.seed >= 0, "seed must be 0 or more")


# Learning rates that show the failure: measured on the ring over seeds by tests/bench/bench_gan2d.py.
PRESETS = {
    "defaults": dict(g_lr=1e-3, d_lr=1e-3, d_steps=1),
    "mode collapse": dict(g_lr=0.1, d_lr=1e-3, d_steps=1),  # G 100× faster: every point on one spot, wandering
    "partial collapse": dict(g_lr=0.03, d_lr=1e-3, d_steps=1),  # G 30× faster: some modes stay empty
}


# Targets ---------------------------------------------------------------------------------------------------------

def ring_centres(modes: int = RING_MODES, radius: float = RING_RADIUS) -> np.ndarray:
    """(modes, 2) centres evenly around a circle, the first at angle 0."""
    angle = 2 * np.pi * np.arange(modes) / modes
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)


def grid_centres() -> np.ndarray:
    """(9, 2) centres of a 3 × 3 grid at -2, 0, 2."""
    ticks = GRID_STEP * np.arange(-1, 2)
    return np.stack(np.meshgrid(ticks, ticks), axis=-1).reshape(-1, 2)


def centres(target: str) -> np.ndarray | None:
    """The target's modes, where it has separate ones (ring, grid); None otherwise."""
    return {"ring": ring_centres, "grid": grid_centres}.get(target, lambda: None)()


def _mixture(n: int, rng: np.random.Generator, means: np.ndarray, std: float) -> np.ndarray:
    return means[rng.integers(len(means), size=n)] + rng.normal(0, std, (n, 2))


def _moons(n: int, rng: np.random.Generator) -> np.ndarray:
    """Two interleaved half circles (scikit-learn's make_moons), scaled ×1.6 and centred, noise 0.06."""
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    return 1.6 * (np.stack([x - 0.5, y - 0.25], axis=1) + rng.normal(0, 0.06, (n, 2)))


def sample_target(target: str, n: int, rng: np.random.Generator, points: np.ndarray | None = None) -> np.ndarray:
    """n samples (float32, (n, 2)) of a target; "your points" draws from `points` with a small jitter."""
    if target == "ring":
        X = _mixture(n, rng, ring_centres(), RING_STD)
    elif target == "grid":
        X = _mixture(n, rng, grid_centres(), GRID_STD)
    elif target == "two moons":
        X = _moons(n, rng)
    else:
        _require(points is not None and len(points) > 0, "your points: no points given")
        X = _mixture(n, rng, np.asarray(points, np.float64), USER_JITTER)
    return X.astype(np.float32)


# Points the user gives -------------------------------------------------------------------------------------------

@dataclass
class UserPoints:
    """Points read from text, ready to train on, and what the reader had to say about them."""
    points: np.ndarray  # (n, 2) float64 inside [-2.5, 2.5]²
    notes: list[str] = field(default_factory=list)


def read_points(text: str) -> UserPoints:
    """Lines "x, y" (comma, semicolon, tab or space between; a header line and # comments are skipped) → points.

    Raises ValueError with a message to show for no points or unreadable lines. More than MAX_USER_POINTS are cut
    (with a note); points outside the target area are centred and scaled into it (noted); all points the same,
    or all on one line, are allowed and noted (one tight mode; a thin line)."""
    rows, bad = [], []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#")[0].strip()
        if not line:
            continue
        parts = line.replace(";", " ").replace(",", " ").replace("\t", " ").split()
        try:
            x, y = (float(p) for p in parts)
            _require(np.isfinite(x) and np.isfinite(y), "not finite")
        except ValueError:
            if not rows and not bad and not any(is_number(p) for p in parts):
                continue  # a header such as "x, y"
            bad.append(number)
            continue
        rows.append((x, y))
    if bad:
        lines = ", ".join(map(str, bad[:5])) + (" …" if len(bad) > 5 else "")
        raise ValueError(f"Line{'s' * (len(bad) > 1)} {lines}: not two numbers. Write one point per line, "
                         "as x, y (for example 1.5, -0.5).")
    _require(bool(rows), "No points yet: write one point per line as x, y (for example 1.5, -0.5), or click the "
             "canvas to add some.")
    X, notes = np.array(rows, np.float64), []
    if len(X) > MAX_USER_POINTS:
        notes.append(f"{len(X):,} points given; the GAN uses the first {MAX_USER_POINTS:,}.")
        X = X[:MAX_USER_POINTS]
    low, high = X.min(axis=0), X.max(axis=0)
    if np.abs(X).max() > 2.5:
        span = (high - low).max() / 2
        scale = 2.5 / span if span > 0 else 1.0
        X = (X - (low + high) / 2) * scale
        notes.append(f"The points spread over x {low[0]:g}..{high[0]:g}, y {low[1]:g}..{high[1]:g}; they were "
                     f"centred and scaled by {scale:.3g} to fit the canvas.")
    spread = X - X.mean(axis=0)
    singular = np.linalg.svd(spread, compute_uv=False) if len(X) > 1 else np.zeros(2)
    if singular.max() < 1e-9:
        notes.append("Every point is the same point: the target is one tight blob (your point plus a little "
                     "jitter). A GAN learns a *spread* of points; with none to learn, the generator only has to "
                     "squeeze all its points together — which is mode collapse doing the right thing.")
    elif singular.min() < 1e-9 * singular.max():
        notes.append("All the points lie on one straight line: the target is a thin line (plus a little jitter). "
                     "The generator can learn it, folding its 2-D noise onto the line.")
    return UserPoints(X, notes)


# The networks ----------------------------------------------------------------------------------------------------

def mlp(n_in: int, width: int, layers: int, n_out: int, activation: type[nn.Module]) -> nn.Sequential:
    """n_in → (width, activation) × layers → n_out."""
    modules, fan_in = [], n_in
    for _ in range(layers):
        modules += [nn.Linear(fan_in, width), activation()]
        fan_in = width
    return nn.Sequential(*modules, nn.Linear(fan_in, n_out))


class LeakyReLU(nn.LeakyReLU):
    def __init__(self) -> None:
        super().__init__(0.2)


def losses(config: GanConfig, d_real: torch.Tensor, d_fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(discriminator loss, generator loss) from the discriminator's raw outputs (logits for the log loss).

    log:           L_D = −E log D(x) − E log(1 − D(G(z))),  L_G = −E log D(G(z))   (D = sigmoid of the logit)
    least squares: L_D = ½E (D(x) − 1)² + ½E D(G(z))²,      L_G = ½E (D(G(z)) − 1)²
    """
    if config.loss == "log":
        softplus = nn.functional.softplus  # −log sigmoid(a) = softplus(−a), −log(1 − sigmoid(a)) = softplus(a)
        return softplus(-d_real).mean() + softplus(d_fake).mean(), softplus(-d_fake).mean()
    return 0.5 * ((d_real - 1) ** 2).mean() + 0.5 * (d_fake ** 2).mean(), 0.5 * ((d_fake - 1) ** 2).mean()


@dataclass
class Snapshot:
    """Everything one picture of the run shows, computed in one go."""
    iteration: int
    d_map: np.ndarray  # D(x) on the canvas grid, (R, R) in [0, 1], top row first
    real: np.ndarray  # target samples to draw, (n, 2)
    fake: np.ndarray  # generated samples to draw, (n, 2)
    gradients: np.ndarray  # ∂L_G/∂x at the first `arrows` drawn generated points, (arrows, 2)
    covered: np.ndarray | None  # per mode of the target, whether the generator covers it (None: no modes)
    js: float  # the divergence estimate, bits


class Gan:
    """Generator, discriminator, their optimisers and the history of one run.

    The pictures and measurements use fixed samples: EVAL_POINTS target samples and as many fixed noise vectors, so
    that from one picture to the next only the networks change (the first VIEW_POINTS of each are drawn)."""
    EVAL_POINTS, VIEW_POINTS = 2000, 500

    def __init__(self, config: GanConfig, points: np.ndarray | None = None):
        self.config, self.points = config, points
        if config.target == "your points":
            _require(points is not None and len(points) > 0, "your points: no points given")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            self.G = mlp(config.noise_dim, config.g_width, config.g_layers, 2, nn.ReLU)
            self.D = mlp(2, config.d_width, config.d_layers, 1, LeakyReLU)
        self.g_params = list(self.G.parameters())
        self.g_opt = Adam(self.g_params, lr=config.g_lr, betas=(0.5, 0.999))
        self.d_opt = Adam(self.D.parameters(), lr=config.d_lr, betas=(0.5, 0.999))
        self.rng = np.random.default_rng(config.seed)
        self.noise = torch.Generator().manual_seed(config.seed)
        view = np.random.default_rng(config.seed + 1)
        self.eval_real = sample_target(config.target, self.EVAL_POINTS, view, points)
        self.eval_z = torch.randn(self.EVAL_POINTS, config.noise_dim, generator=torch.Generator().manual_seed(7))
        self.real_histogram = histogram(self.eval_real)
        # what two target samples of this size score: the estimate's floor, reached by a perfect generator
        self.js_floor = js_estimate(self.eval_real, sample_target(config.target, self.EVAL_POINTS, view, points))
        self.means = centres(config.target)
        self.iteration = 0
        self.history: list[tuple[int, float, float]] = []  # (iteration, D loss, G loss), one per iteration
        self.diverged = False

    def set_rates(self, g_lr: float, d_lr: float, d_steps: int) -> None:
        """Change the learning rates and D steps mid-run (as GAN Lab allows), keeping Adam's moments."""
        self.config = replace(self.config, g_lr=g_lr, d_lr=d_lr, d_steps=d_steps)
        for opt, lr in ((self.g_opt, g_lr), (self.d_opt, d_lr)):
            for group in opt.param_groups:
                group["lr"] = lr

    def _z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.config.noise_dim, generator=self.noise)

    def _real(self, n: int) -> torch.Tensor:
        return torch.from_numpy(sample_target(self.config.target, n, self.rng, self.points))

    def step(self, k: int = 1) -> list[tuple[float, float]]:
        """k iterations, each d_steps discriminator updates then one generator update; returns each iteration's
        (D loss, G loss) and appends them to the history. Stops early (setting `diverged`) on NaN or blow-up:
        a loss or a generated point's coordinate past DIVERGED_LOSS or DIVERGED_RADIUS (NaN fails the test too)."""
        config, out = self.config, []
        if self.diverged:
            return out
        for _ in range(k):
            for _ in range(config.d_steps):
                with torch.no_grad():
                    fake = self.G(self._z(config.batch))
                d_out = self.D(torch.cat([self._real(config.batch), fake]))  # one pass for both halves
                d_loss, _ = losses(config, d_out[:config.batch], d_out[config.batch:])
                self.d_opt.zero_grad()
                d_loss.backward()
                self.d_opt.step()
            fake = self.G(self._z(config.batch))
            _, g_loss = losses(config, torch.zeros(1), self.D(fake))
            for p, grad in zip(self.g_params, torch.autograd.grad(g_loss, self.g_params)):  # D's own: not needed
                p.grad = grad
            self.g_opt.step()
            self.iteration += 1
            record = (d_loss.item(), g_loss.item())
            self.history.append((self.iteration, *record))
            out.append(record)
            if not (max(record) < DIVERGED_LOSS and float(fake.detach().abs().max()) < DIVERGED_RADIUS):
                self.diverged = True
                break
        return out

    @torch.no_grad()
    def generate(self, n: int | None = None) -> np.ndarray:
        """Generated points (n, 2): from the fixed evaluation noise (the same z every time), or n fresh samples."""
        z = self.eval_z if n is None else torch.randn(n, self.config.noise_dim,
                                                      generator=torch.Generator().manual_seed(self.iteration + 11))
        return to_numpy(self.G(z))

    @torch.no_grad()
    def discriminator_map(self, resolution: int = 64) -> np.ndarray:
        """D(x) over the canvas, (R, R) in [0, 1], top row at y = +CANVAS as an image is drawn: the probability of
        "real" for the log loss; the least-squares output (target 1 real, 0 fake) clipped to [0, 1]."""
        out = self.D(torch.from_numpy(grid(resolution)))[:, 0]
        out = torch.sigmoid(out) if self.config.loss == "log" else out.clamp(0, 1)
        return to_numpy(out.nan_to_num(0.5)).reshape(resolution, resolution)

    def generator_gradients(self, points: np.ndarray) -> np.ndarray:
        """∂L_G/∂x at generated points x: the generator moves its points along −∂L_G/∂x (through its weights),
        so these show where the discriminator is pushing them. Per point (the loss summed, not averaged)."""
        if not len(points):
            return np.zeros((0, 2), np.float32)
        x = torch.from_numpy(np.ascontiguousarray(points, np.float32)).requires_grad_(True)
        _, g_loss = losses(self.config, torch.zeros(1), self.D(x))
        (grad,) = torch.autograd.grad(g_loss * len(x), x)
        return to_numpy(grad)

    def modes_covered(self, samples: np.ndarray | None = None) -> int | None:
        """How many of the target's modes the generated samples (default: the fixed evaluation ones) cover; None for
        targets without separate modes."""
        if self.means is None:
            return None
        return modes_covered(self.generate() if samples is None else samples, self.means)

    def snapshot(self, resolution: int = 64, arrows: int = 100) -> Snapshot:
        """The picture's ingredients and the measurements, from one pass of the fixed evaluation noise; gradients
        at the first `arrows` generated points shown."""
        fake = self.generate()
        shown = fake[:self.VIEW_POINTS]
        covered = None if self.means is None else mode_shares(fake, self.means) >= MODE_SHARE / len(self.means)
        with np.errstate(all="ignore"):
            js = js_divergence(*_with_outside(self.real_histogram, histogram(fake)))
        return Snapshot(self.iteration, self.discriminator_map(resolution), self.eval_real[:self.VIEW_POINTS], shown,
                        self.generator_gradients(shown[:arrows]), covered, js)


def grid(resolution: int) -> np.ndarray:
    """(R*R, 2) float32 points over [-CANVAS, CANVAS]², row by row from the top (y = +CANVAS)."""
    xs = np.linspace(-CANVAS, CANVAS, resolution, dtype=np.float32)
    ys = xs[::-1]
    return np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)


# Measuring -------------------------------------------------------------------------------------------------------

def mode_shares(samples: np.ndarray, means: np.ndarray, radius: float = MODE_RADIUS) -> np.ndarray:
    """For each mode, the share of samples within `radius` of its centre."""
    dist = np.linalg.norm(samples[:, None, :] - means[None], axis=2)  # (n, modes)
    with np.errstate(invalid="ignore"):
        return (dist <= radius).mean(axis=0)


def modes_covered(samples: np.ndarray, means: np.ndarray, radius: float = MODE_RADIUS,
                  share: float = MODE_SHARE) -> int:
    """Modes holding at least `share` of their fair share (1/modes) of the samples within `radius`."""
    return int((mode_shares(samples, means, radius) >= share / len(means)).sum())


def histogram(samples: np.ndarray, bins: int = HIST_BINS) -> np.ndarray:
    """Share of the samples in each cell of a bins × bins grid over the canvas; points outside count in no cell,
    so the shares may add up to less than 1."""
    edges = np.linspace(-CANVAS, CANVAS, bins + 1)
    finite = samples[np.isfinite(samples).all(axis=1)]
    counts, _, _ = np.histogram2d(finite[:, 0], finite[:, 1], bins=[edges, edges])
    return counts / max(len(samples), 1)


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen–Shannon divergence in bits between two histograms (each normalised here), 0 (same) .. 1 (disjoint):
    JS = ½ KL(p‖m) + ½ KL(q‖m) with m = ½(p + q)."""
    p, q = p.ravel() / max(p.sum(), 1e-12), q.ravel() / max(q.sum(), 1e-12)
    m = 0.5 * (p + q)

    def kl(a: np.ndarray) -> float:
        nz = a > 0
        return float((a[nz] * np.log2(a[nz] / m[nz])).sum())
    return 0.5 * kl(p) + 0.5 * kl(q)


def js_estimate(real: np.ndarray, fake: np.ndarray, bins: int = HIST_BINS) -> float:
    """The divergence estimate the page plots: JS between histograms of real and generated samples on a grid.
    Generated points outside the canvas fall in an extra "outside" cell, so pushing points away is not free."""
    return js_divergence(*_with_outside(histogram(real, bins), histogram(fake, bins)))


def _with_outside(p: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two histograms, each with one more cell for the share of its points that fell outside the canvas."""
    p, q = p.ravel(), q.ravel()
    return np.append(p, max(0.0, 1 - p.sum())), np.append(q, max(0.0, 1 - q.sum()))
