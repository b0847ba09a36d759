"""You just discriminated using a generative model: the notes' two coins (likelihoods, Bayes' rule, the bias learned
by maximum likelihood, new tosses sampled from it), and the same idea in 2-D (class-conditional Gaussians beside
logistic regression). Pure numpy; no Streamlit."""
import re
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logsumexp, xlogy

from core.data import toy

# Part A: two coins

NOTES_SEQUENCES = ("H, H, T, T, H, T, H, T, T, H, H", "H, H, H, H, H, H, H, H, T, H, H, H")  # the notes' two coins
MAX_TOSSES = 10_000
HEADS, TAILS = "Hh1", "Tt0"
_SEPARATORS = re.compile(r"[\s,]+")
_AS_BITS = str.maketrans({**{c: "1" for c in HEADS}, **{c: "0" for c in TAILS}})


class SequenceError(ValueError):
    """A typed sequence that cannot be read as coin tosses; the message says why, in words for a student."""


@dataclass(frozen=True)
class Tosses:
    """A sequence read from text: 1 = heads, 0 = tails, at most `limit` of them; `typed` counts all that were typed."""
    bits: np.ndarray
    typed: int

    @property
    def n(self) -> int:
        return len(self.bits)

    @property
    def heads(self) -> int:
        return int(self.bits.sum())

    @property
    def tails(self) -> int:
        return self.n - self.heads

    @property
    def truncated(self) -> bool:
        return self.typed > self.n


def parse_tosses(text: str, limit: int = MAX_TOSSES) -> Tosses:
    """Read tosses from text: H/T, h/t or 1/0, one character per toss, separated by commas, spaces or nothing.
    Raises SequenceError when nothing is typed or a character is none of these (all such characters are listed).
    Longer sequences are cut to the first `limit` tosses (`typed` keeps the full count)."""
    letters = _SEPARATORS.sub("", text)
    if not letters:
        raise SequenceError("no tosses: type a sequence such as H, T, H, H (or 1 0 1 1).")
    bad = sorted(set(letters) - set(HEADS + TAILS), key=letters.index)
    if bad:
        shown = ", ".join(f"“{c}”" for c in bad[:12]) + (f" and {len(bad) - 12} more" if len(bad) > 12 else "")
        raise SequenceError(f"{'this character is' if len(bad) == 1 else 'these characters are'} not a toss: {shown}. "
                            "Use H/T, h/t or 1/0, separated by commas or spaces.")
    bits = np.frombuffer(letters[:limit].translate(_AS_BITS).encode("ascii"), np.uint8) - ord("0")
    return Tosses(bits.astype(np.int8), len(letters))


def format_tosses(bits: np.ndarray) -> str:
    """Tosses written the notes' way: "H, T, H"."""
    return ", ".join("H" if b else "T" for b in bits)


def log_likelihood(heads: int, tails: int, p: float) -> float:
    """ln P(sequence | P(heads) = p) = heads·ln p + tails·ln(1 − p), for one particular sequence (not the count),
    with 0·ln 0 = 0, so p = 0 or 1 gives −inf only to sequences that contradict it."""
    return float(xlogy(heads, p) + xlogy(tails, 1 - p))


def mle(heads: int, n: int) -> float:
    """The bias learned from data: the P(heads) that makes the tosses most likely, p̂ = heads / tosses."""
    if n <= 0:
        raise ValueError("no tosses to learn from")
    return heads / n


@dataclass(frozen=True)
class CoinPosterior:
    """Bayes' rule on two hypotheses, "A is the fair coin and B the biased one" (h1) and the other way round (h2).
    log_joint_* = ln [P(A's tosses | its coin) · P(B's tosses | its coin) · prior]; p_biased_* is the biased coin's
    P(heads) under that hypothesis (the same value for both unless learned from the data)."""
    p_biased_h1: float
    p_biased_h2: float
    log_joint_h1: float
    log_joint_h2: float

    @property
    def a_fair(self) -> float:
        """P(A is the fair one | both sequences)."""
        with np.errstate(invalid="ignore"):  # both impossible (−inf): nan, nothing to decide
            return float(expit(self.log_joint_h1 - self.log_joint_h2))

    @property
    def b_fair(self) -> float:
        return 1 - self.a_fair


def posterior(a: Tosses, b: Tosses, p_biased: float | None = 0.8, prior_a_fair: float = 0.5) -> CoinPosterior:
    """P(A is fair, B biased | data) against P(B is fair, A biased | data). The fair coin has P(heads) = 0.5; the
    biased one `p_biased`, or, when None, the value learned from the coin it is assumed to be (its MLE)."""
    if not 0 < prior_a_fair < 1:
        raise ValueError("the prior must be strictly between 0 and 1")
    p1 = mle(b.heads, b.n) if p_biased is None else p_biased  # h1: B is the biased coin
    p2 = mle(a.heads, a.n) if p_biased is None else p_biased  # h2: A is the biased coin
    h1 = log_likelihood(a.heads, a.tails, 0.5) + log_likelihood(b.heads, b.tails, p1) + np.log(prior_a_fair)
    h2 = log_likelihood(a.heads, a.tails, p2) + log_likelihood(b.heads, b.tails, 0.5) + np.log(1 - prior_a_fair)
    return CoinPosterior(p1, p2, float(h1), float(h2))


def scientific(log_value: float, digits: int = 3) -> tuple[float, int]:
    """exp(log_value) as (mantissa, exponent of ten), for numbers far below what a float holds (0.5¹⁰⁰⁰⁰)."""
    if not np.isfinite(log_value):
        return 0.0, 0
    log10 = log_value / np.log(10)
    exponent = int(np.floor(log10))
    mantissa = round(10 ** (log10 - exponent), digits - 1)
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return mantissa, exponent


def relative_likelihood(heads: int, tails: int, p: np.ndarray) -> np.ndarray:
    """L(p) / L(p̂) over a grid of p: the likelihood curve scaled to 1 at its maximum, the MLE."""
    n = heads + tails
    best = log_likelihood(heads, tails, heads / n)
    return np.exp(xlogy(heads, p) + xlogy(tails, 1 - p) - best)


def sample_tosses(p: float, n: int, seed: int) -> np.ndarray:
    """n new tosses of a coin with P(heads) = p: the generative model used to generate."""
    return (np.random.default_rng(seed).random(n) < p).astype(np.int8)


# Part B: the same idea in 2-D

@dataclass(frozen=True)
class GaussianClasses:
    """A generative classifier: p(class) and p(x | class) = N(means[k], covs[k]) with a full covariance per class
    (quadratic discriminant analysis), each fitted by maximum likelihood: class frequencies, class means, and
    covariances with n in the denominator (as scikit-learn's QDA computes them)."""
    priors: np.ndarray  # (K,)
    means: np.ndarray  # (K, d)
    covs: np.ndarray  # (K, d, d)

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray) -> "GaussianClasses":
        X = np.asarray(X, dtype=float)
        classes = np.unique(y)
        if not np.array_equal(classes, np.arange(len(classes))) or len(classes) < 2:
            raise ValueError("labels must be 0, 1, …, K − 1 with at least two classes")
        parts = [X[y == k] for k in classes]
        if min(len(p) for p in parts) <= X.shape[1]:
            raise ValueError(f"each class needs more than {X.shape[1]} points to fit a full covariance")
        return cls(np.array([len(p) / len(X) for p in parts]), np.array([p.mean(axis=0) for p in parts]),
                   np.array([np.cov(p, rowvar=False, ddof=0) for p in parts]))

    def log_density(self, X: np.ndarray) -> np.ndarray:
        """ln p(x | class k) for every point and class: (n, K)."""
        X = np.asarray(X, dtype=float)
        d = X.shape[1]
        out = np.empty((len(X), len(self.priors)))
        for k, (mu, cov) in enumerate(zip(self.means, self.covs)):
            chol = np.linalg.cholesky(cov)
            z = np.linalg.solve(chol, (X - mu).T)  # whitened: ‖z‖² is the squared Mahalanobis distance
            out[:, k] = -0.5 * (z ** 2).sum(axis=0) - np.log(np.diag(chol)).sum() - 0.5 * d * np.log(2 * np.pi)
        return out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """p(class | x) by Bayes' rule: p(x | k) p(k) / Σⱼ p(x | j) p(j), computed in logs: (n, K)."""
        joint = self.log_density(X) + np.log(self.priors)
        return np.exp(joint - logsumexp(joint, axis=1, keepdims=True))

    def sample(self, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """n new points: a class from p(class), then a point from that class's Gaussian."""
        rng = np.random.default_rng(seed)
        y = rng.choice(len(self.priors), size=n, p=self.priors)
        chols = np.linalg.cholesky(self.covs)  # (K, d, d)
        z = rng.standard_normal((n, self.means.shape[1]))
        return self.means[y] + np.einsum("nij,nj->ni", chols[y], z), y

    def ellipse(self, k: int, mahalanobis: float, points: int = 80) -> np.ndarray:
        """The curve of equal density p(x | k) at this Mahalanobis distance from the class mean: (points, 2)."""
        t = np.linspace(0, 2 * np.pi, points)
        circle = np.stack([np.cos(t), np.sin(t)]) * mahalanobis
        return (self.means[k][:, None] + np.linalg.cholesky(self.covs[k]) @ circle).T


def quadratic_features(X: np.ndarray) -> np.ndarray:
    """(x₁, x₂) → (x₁, x₂, x₁², x₁x₂, x₂²): lets a linear model draw the same kind of curve QDA draws."""
    return np.column_stack([X, X[:, 0] ** 2, X[:, 0] * X[:, 1], X[:, 1] ** 2])


def logistic_regression(X: np.ndarray, y: np.ndarray, quadratic: bool = False, penalty: float = 1.0):
    """A discriminative classifier: p(class | x) = σ(w·x + b) straight away, with no model of x. Inputs standardized,
    then the log-loss plus `penalty`·|w|²/2 minimised by Newton's method (the bias not penalised), as scikit-learn's
    LogisticRegression(C=1) does on standardized inputs (tested against it), without importing scikit-learn into a
    server. Returns a function X → p(class | x), (n, 2)."""
    features = quadratic_features if quadratic else (lambda Z: np.asarray(Z, dtype=float))
    F = features(X)
    mean, scale = F.mean(0), F.std(0)
    scale[scale == 0] = 1.0
    A = np.column_stack([(F - mean) / scale, np.ones(len(F))])
    prior = np.diag([penalty] * (A.shape[1] - 1) + [0.0])
    w = np.zeros(A.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-A @ w))
        gradient = A.T @ (p - y) + prior @ w
        step = np.linalg.solve(A.T @ (A * (p * (1 - p))[:, None]) + prior + 1e-12 * np.eye(len(w)), gradient)
        w -= step
        if np.abs(step).max() < 1e-12:
            break

    def probabilities(Z: np.ndarray) -> np.ndarray:
        p = 1 / (1 + np.exp(-np.column_stack([(features(Z) - mean) / scale, np.ones(len(Z))]) @ w))
        return np.column_stack([1 - p, p])
    return probabilities


def blobs(n: int = 300, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs with different covariances: a long tilted one (label 0) and a small round one beside its
    middle (label 1); noise 0..0.5 widens both. The dataset where the generative model's assumption is right."""
    rng = np.random.default_rng(seed)
    n0, n1 = toy._counts(n, 2)
    scale = 1 + 3 * noise
    wide = np.array([[2.5, 1.8], [1.8, 2.5]]) * scale
    small = np.array([[0.4, -0.2], [-0.2, 0.4]]) * scale
    X = np.concatenate([rng.multivariate_normal([-0.5, -0.5], wide, n0),
                        rng.multivariate_normal([1.2, -1.6], small, n1)])
    return X.astype(np.float32), np.repeat([0, 1], [n0, n1]).astype(np.int64)


def moons(n: int = 300, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half-circles (as scikit-learn's make_moons), scaled ×2.5 and centred; Gaussian noise of
    standard deviation 2.5 × noise. Neither class looks like a Gaussian."""
    rng = np.random.default_rng(seed)
    n0, n1 = toy._counts(n, 2)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], 1), np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], 1)])
    X = (X - [0.5, 0.25]) * 2.5 + rng.normal(0, 2.5 * noise, X.shape)
    return X.astype(np.float32), np.repeat([0, 1], [n0, n1]).astype(np.int64)


def ring(n: int = 300, noise: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One class inside a ring of the other (the Playground's circle: a disc, label 1, in a ring, label 0)."""
    return toy.circle(n, noise, seed)


DATASETS = {"Gaussian blobs": blobs, "Two moons": moons, "Disc inside a ring": ring}


@dataclass(frozen=True)
class Comparison:
    """Both models fitted to one dataset's training part and scored on its held-out part."""
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    generative: GaussianClasses
    accuracy_generative: float
    accuracy_discriminative: float
    box: tuple[tuple[float, float], tuple[float, float]]  # the data's x₁ and x₂ ranges, with a margin
    grid_x: np.ndarray  # (G,): a square around the box, wider than it, so that the boundaries reach the plot's edges
    grid_y: np.ndarray  # (G,)
    p_generative: np.ndarray  # (G, G): p(class 1 | x) on the grid, rows along y
    p_discriminative: np.ndarray  # (G, G)


def compare(dataset: str, n: int = 300, noise: float = 0.1, seed: int = 0, quadratic: bool = False,
            train_fraction: float = 0.7, grid: int = 160) -> Comparison:
    """Generate the dataset, fit class-conditional Gaussians and logistic regression on 70 % of it, measure both
    on the rest, and evaluate both p(class 1 | x) on a grid around the data for drawing their boundaries."""
    X, y = DATASETS[dataset](n, noise, seed)
    X = X.astype(float)
    X_train, y_train, X_test, y_test = toy.split(X, y, train_fraction, seed)
    gen = GaussianClasses.fit(X_train, y_train)
    disc = logistic_regression(X_train, y_train, quadratic)
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.08 * (hi - lo)
    box = tuple((float(lo[i] - pad[i]), float(hi[i] + pad[i])) for i in range(2))
    middle, half = (lo + hi) / 2, (hi - lo).max()  # covers the box in a plot up to 1.7 times wider than tall
    gx, gy = (np.linspace(middle[i] - half, middle[i] + half, grid) for i in range(2))
    points = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    return Comparison(
        X_train, y_train, X_test, y_test, gen,
        float((gen.predict_proba(X_test).argmax(1) == y_test).mean()),
        float((disc(X_test).argmax(1) == y_test).mean()),
        box, gx, gy, gen.predict_proba(points)[:, 1].reshape(grid, grid), disc(points)[:, 1].reshape(grid, grid))
