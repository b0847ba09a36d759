"""Toy 2-D datasets of TensorFlow Playground (its dataset.ts), plus 1-D curves for regression."""
from collections.abc import Callable

import numpy as np

RADIUS = 6  # the Playground's canvas is [-6, 6] x [-6, 6]


def _counts(n: int, k: int) -> list[int]:
    """n points shared as evenly as possible among k classes."""
    return [n // k + (i < n % k) for i in range(k)]


def _classified(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points as float32, labels as int64: what torch expects for a classifier."""
    return X.astype(np.float32), y.astype(np.int64)


def circle(n: int = 500, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A disc of radius 2.5 (label 1) inside a ring 3.5..5 (label 0); noise flips labels near the edge."""
    rng = np.random.default_rng(seed)
    n_in, n_out = _counts(n, 2)
    r = np.concatenate([rng.uniform(0, 2.5, n_in), rng.uniform(3.5, 5, n_out)])
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    jitter = rng.uniform(-5, 5, (n, 2)) * noise  # moves the point the label is read at, not the point
    y = np.linalg.norm(X + jitter, axis=1) < 2.5
    return _classified(X, y)


def xor(n: int = 500, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Label 1 where x and y have the same sign; points keep 0.3 away from the axes."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    jitter = rng.uniform(-5, 5, (n, 2)) * noise
    y = (X + jitter).prod(axis=1) >= 0
    return _classified(X, y)


def gauss(n: int = 500, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs at (2, 2) (label 1) and (-2, -2) (label 0); noise 0..0.5 widens variance 0.5..4."""
    rng = np.random.default_rng(seed)
    variance = 0.5 + 7 * noise
    n_pos, n_neg = _counts(n, 2)
    centres = np.repeat([[2.0, 2.0], [-2.0, -2.0]], [n_pos, n_neg], axis=0)
    X = np.clip(centres + rng.normal(0, np.sqrt(variance), (n, 2)), -RADIUS, RADIUS)
    y = np.repeat([1, 0], [n_pos, n_neg])
    return _classified(X, y)


def spiral(n: int = 500, noise: float = 0.0, seed: int = 0, arms: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spirals, one per label 0..arms-1 (2 or 3 arms), each turning 1.75 times out to radius 5."""
    if arms < 2:
        raise ValueError(f"a spiral needs at least 2 arms, got {arms}")
    rng = np.random.default_rng(seed)
    X, y = [], []
    for arm, count in enumerate(_counts(n, arms)):
        s = np.arange(count) / count  # 0..1 along the arm
        t = 1.75 * s * 2 * np.pi + 2 * np.pi * arm / arms
        r = 5 * s
        X.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + rng.uniform(-1, 1, (count, 2)) * noise)
        y.append(np.full(count, arm))
    return _classified(np.concatenate(X), np.concatenate(y))


def _regression_inputs(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform on the canvas, and the jittered points their targets are read at."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-RADIUS, RADIUS, (n, 2))
    return X, X + rng.uniform(-RADIUS, RADIUS, (n, 2)) * noise


def plane(n: int = 1200, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Regression target (x + y) / 10: a tilted plane, about -1..1 on the canvas."""
    X, read_at = _regression_inputs(n, noise, seed)
    return X.astype(np.float32), (read_at.sum(axis=1) / 10).astype(np.float32)


GAUSSIAN_BUMPS = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]


def multi_gauss(n: int = 1200, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Regression target: six +/- cones of radius 2 in a checkerboard; the strongest one wins."""
    X, read_at = _regression_inputs(n, noise, seed)
    centres = np.array([(cx, cy) for cx, cy, _ in GAUSSIAN_BUMPS])
    signs = np.array([sign for _, _, sign in GAUSSIAN_BUMPS])
    dist = np.linalg.norm(read_at[:, None, :] - centres[None], axis=2)  # (n, 6)
    cones = signs * np.clip(1 - dist / 2, 0, 1)
    y = cones[np.arange(n), np.abs(cones).argmax(axis=1)]
    return X.astype(np.float32), y.astype(np.float32)


CLASSIFICATION = {"circle": circle, "xor": xor, "gauss": gauss, "spiral": spiral}
REGRESSION = {"plane": plane, "multi_gauss": multi_gauss}

CURVES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": lambda x: np.sin(2 * x),
    "step": lambda x: (x > 0).astype(float),
    "bump": lambda x: np.exp(-2 * x**2),
    "cubic": lambda x: x**3 / 9,
    "abs": np.abs,
}


def curve_1d(name: str, n: int = 100, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n sorted points x in [-3, 3] with y = curve(x) plus Gaussian noise of standard deviation noise."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3, 3, n))
    y = CURVES[name](x) + noise * rng.normal(size=n)
    return x.astype(np.float32), y.astype(np.float32)


def split(
    X: np.ndarray, y: np.ndarray, train_fraction: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle once with seed and cut into (X_train, y_train, X_test, y_test)."""
    order = np.random.default_rng(seed).permutation(len(X))
    n_train = round(train_fraction * len(X))
    train, test = order[:n_train], order[n_train:]
    return X[train], y[train], X[test], y[test]
