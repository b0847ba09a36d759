"""The coins' maths against hand calculation (the notes' two sequences), the parsing rules, and the class-conditional
Gaussians against scikit-learn's quadratic discriminant analysis."""
import math

import numpy as np
import pytest

from core.generative import generative_vs_discriminative as gd

NOTES_A, NOTES_B = gd.NOTES_SEQUENCES  # 6 heads 5 tails (11), 11 heads 1 tail (12)


@pytest.fixture(scope="module")
def notes():
    return gd.parse_tosses(NOTES_A), gd.parse_tosses(NOTES_B)


def test_the_notes_sequences_are_counted(notes):
    a, b = notes
    assert (a.n, a.heads, a.tails) == (11, 6, 5)
    assert (b.n, b.heads, b.tails) == (12, 11, 1)


def test_likelihoods_match_hand_calculation(notes):
    a, b = notes
    assert math.exp(gd.log_likelihood(a.heads, a.tails, 0.5)) == pytest.approx(0.5 ** 11)  # 4.8828e-4
    assert math.exp(gd.log_likelihood(b.heads, b.tails, 0.5)) == pytest.approx(0.5 ** 12)  # 2.4414e-4
    assert math.exp(gd.log_likelihood(a.heads, a.tails, 0.8)) == pytest.approx(0.8 ** 6 * 0.2 ** 5)  # 8.389e-5
    assert math.exp(gd.log_likelihood(b.heads, b.tails, 0.8)) == pytest.approx(0.8 ** 11 * 0.2)  # 0.017180
    assert gd.log_likelihood(3, 0, 1.0) == 0.0 and gd.log_likelihood(3, 1, 1.0) == -math.inf


def test_posterior_with_p_08_and_an_even_prior_matches_hand_calculation(notes):
    # A fair, B biased: 0.5^11 · 0.8^11 · 0.2; B fair, A biased: 0.8^6 · 0.2^5 · 0.5^12.
    # Their ratio is 0.8^5 / 0.2^4 / 0.5 = 0.32768 · 625 · 2 = 409.6, so P(A fair) = 409.6 / 410.6.
    post = gd.posterior(*notes, p_biased=0.8, prior_a_fair=0.5)
    assert post.a_fair == pytest.approx(409.6 / 410.6, rel=1e-12)  # 0.997565
    assert post.b_fair == pytest.approx(1 / 410.6, rel=1e-9)
    assert math.exp(post.log_joint_h1) == pytest.approx(0.5 ** 11 * 0.8 ** 11 * 0.2 * 0.5)
    assert math.exp(post.log_joint_h2) == pytest.approx(0.8 ** 6 * 0.2 ** 5 * 0.5 ** 12 * 0.5)


def test_the_prior_multiplies_the_odds(notes):
    post = gd.posterior(*notes, p_biased=0.8, prior_a_fair=0.1)  # prior odds 1 : 9
    assert post.a_fair == pytest.approx(409.6 / (409.6 + 9))


def test_a_biased_coin_at_one_half_leaves_the_prior_unchanged(notes):
    assert gd.posterior(*notes, p_biased=0.5, prior_a_fair=0.3).a_fair == pytest.approx(0.3)


def test_posterior_with_the_learned_bias_matches_hand_calculation(notes):
    # A fair, B biased with p̂_B = 11/12; B fair, A biased with p̂_A = 6/11.
    h1 = 0.5 ** 11 * (11 / 12) ** 11 * (1 / 12)
    h2 = (6 / 11) ** 6 * (5 / 11) ** 5 * 0.5 ** 12
    post = gd.posterior(*notes, p_biased=None)
    assert (post.p_biased_h1, post.p_biased_h2) == (11 / 12, 6 / 11)
    assert post.a_fair == pytest.approx(h1 / (h1 + h2))  # 0.99208


def test_swapping_the_coins_swaps_the_answer(notes):
    a, b = notes
    assert gd.posterior(b, a, 0.8).b_fair == pytest.approx(gd.posterior(a, b, 0.8).a_fair)


def test_the_mle_is_heads_over_tosses(notes):
    a, b = notes
    assert gd.mle(a.heads, a.n) == 6 / 11 and gd.mle(b.heads, b.n) == 11 / 12
    p = np.linspace(0, 1, 100_001)
    assert p[np.argmax(gd.relative_likelihood(6, 5, p))] == pytest.approx(6 / 11, abs=1e-5)
    assert gd.relative_likelihood(6, 5, np.array([6 / 11]))[0] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        gd.mle(0, 0)


@pytest.mark.parametrize("text", ["H, H, T, T", "HHTT", "h h t t", "1,1,0,0", "1100", " H,h 0\tT\n", "H,,H , T,  T"])
def test_every_accepted_spelling_reads_the_same(text):
    t = gd.parse_tosses(text)
    assert t.bits.tolist() == [1, 1, 0, 0] and not t.truncated


@pytest.mark.parametrize("text", ["", "   ", ", , ,"])
def test_an_empty_sequence_is_an_error(text):
    with pytest.raises(gd.SequenceError, match="no tosses"):
        gd.parse_tosses(text)


def test_bad_characters_are_listed_once_each_in_order():
    with pytest.raises(gd.SequenceError) as e:
        gd.parse_tosses("H, x, 2, T, x; é, 🙂")
    message = str(e.value)
    assert "“x”, “2”, “;”, “é”, “🙂”" in message and message.count("“x”") == 1
    with pytest.raises(gd.SequenceError, match="this character is not a toss: “a”"):
        gd.parse_tosses("H a T")


def test_a_huge_sequence_is_cut_to_the_limit():
    t = gd.parse_tosses("HT" * 30_000)
    assert t.n == gd.MAX_TOSSES and t.typed == 60_000 and t.truncated
    assert t.heads == gd.MAX_TOSSES // 2
    # 10,000 fair tosses: a likelihood far below the smallest float, still a finite log and a posterior
    a, b = gd.parse_tosses("HT" * 5000), gd.parse_tosses("H" * 9000 + "T" * 1000)
    assert gd.posterior(a, b, 0.8).a_fair == pytest.approx(1.0)
    assert gd.scientific(gd.log_likelihood(a.heads, a.tails, 0.5)) == (5.01, -3011)  # 0.5^10000 = 5.0124e-3011


def test_scientific_notation():
    assert gd.scientific(math.log(0.5 ** 11)) == (4.88, -4)
    assert gd.scientific(math.log(9.996e-3)) == (1.0, -2)  # rounding up carries into the exponent
    assert gd.scientific(-math.inf) == (0.0, 0)


def test_sampled_tosses_are_reproducible_and_follow_p():
    assert np.array_equal(gd.sample_tosses(0.7, 12, seed=3), gd.sample_tosses(0.7, 12, seed=3))
    assert gd.sample_tosses(0.7, 100_000, seed=0).mean() == pytest.approx(0.7, abs=0.01)
    assert gd.format_tosses(np.array([1, 0, 1])) == "H, T, H"
    assert gd.parse_tosses(gd.format_tosses(gd.sample_tosses(0.3, 50, 1))).bits.tolist() == \
        gd.sample_tosses(0.3, 50, 1).tolist()


# Part B

def test_gaussian_posteriors_equal_sklearn_qda():
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.multivariate_normal([0, 0], [[2, 0.8], [0.8, 1]], 30),
                        rng.multivariate_normal([2, 1], [[0.5, -0.2], [-0.2, 0.7]], 20)])
    y = np.repeat([0, 1], [30, 20])
    ours = gd.GaussianClasses.fit(X, y)
    qda = QuadraticDiscriminantAnalysis(store_covariance=True).fit(X, y)
    Z = rng.uniform(-4, 5, (200, 2))
    np.testing.assert_allclose(ours.predict_proba(Z), qda.predict_proba(Z), atol=1e-10)
    np.testing.assert_allclose(ours.priors, qda.priors_)
    np.testing.assert_allclose(ours.means, qda.means_)
    np.testing.assert_allclose(ours.covs, np.array(qda.covariance_))


def test_log_density_is_the_gaussian_density():
    from scipy.stats import multivariate_normal
    X, y = gd.blobs(200, 0.1, seed=1)
    g = gd.GaussianClasses.fit(X, y)
    Z = np.array([[0.0, 0.0], [1.0, -2.0], [-3.0, 2.0]])
    for k in (0, 1):
        np.testing.assert_allclose(g.log_density(Z)[:, k], multivariate_normal(g.means[k], g.covs[k]).logpdf(Z))


def test_samples_have_the_fitted_priors_means_and_covariances():
    X, y = gd.moons(400, 0.1, seed=2)
    g = gd.GaussianClasses.fit(X, y)
    S, labels = g.sample(200_000, seed=0)
    for k in (0, 1):
        part = S[labels == k]
        assert len(part) / len(S) == pytest.approx(g.priors[k], abs=0.005)
        np.testing.assert_allclose(part.mean(axis=0), g.means[k], atol=0.02)
        np.testing.assert_allclose(np.cov(part, rowvar=False), g.covs[k], atol=0.03)


def test_the_equal_density_curve_is_at_the_mahalanobis_distance():
    g = gd.GaussianClasses.fit(*gd.blobs(300, 0.0, seed=0))
    e = g.ellipse(0, 2.0)
    d = e - g.means[0]
    mahalanobis = np.sqrt(np.einsum("ni,ij,nj->n", d, np.linalg.inv(g.covs[0]), d))
    np.testing.assert_allclose(mahalanobis, 2.0)


def test_too_few_points_in_a_class_is_refused():
    with pytest.raises(ValueError, match="more than 2 points"):
        gd.GaussianClasses.fit(np.array([[0.0, 0], [1, 1], [2, 0], [3, 3], [0, 1]]), np.array([0, 0, 0, 1, 1]))


@pytest.mark.parametrize("quadratic", [False, True])
@pytest.mark.parametrize("dataset", list(gd.DATASETS))
def test_logistic_regression_is_sklearns(dataset, quadratic):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    X, y = gd.DATASETS[dataset](200, 0.1, seed=0)
    X = X.astype(float)  # scikit-learn keeps float32 inputs in float32
    features = gd.quadratic_features(X) if quadratic else X
    scaler = StandardScaler().fit(features)
    reference = LogisticRegression(tol=1e-10, max_iter=10_000).fit(scaler.transform(features), y)
    np.testing.assert_allclose(gd.logistic_regression(X, y, quadratic)(X),
                               reference.predict_proba(scaler.transform(features)), atol=1e-6)


@pytest.mark.parametrize("dataset", list(gd.DATASETS))
def test_every_dataset_is_seeded_balanced_and_compared(dataset):
    X1, y1 = gd.DATASETS[dataset](300, 0.1, seed=4)
    X2, y2 = gd.DATASETS[dataset](300, 0.1, seed=4)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2) and X1.shape == (300, 2)
    c = gd.compare(dataset, 300, 0.1, seed=4)
    assert len(c.X_train) == 210 and len(c.X_test) == 90
    assert c.p_generative.shape == c.p_discriminative.shape == (len(c.grid_y), len(c.grid_x))
    X = np.concatenate([c.X_train, c.X_test])
    for i, (lo, hi), grid in zip((0, 1), c.box, (c.grid_x, c.grid_y)):  # the plot shows the box, at least
        assert lo < X[:, i].min() and X[:, i].max() < hi
        # the boundaries are drawn on a square holding the box widened to fill a plot 1.7 times wider than tall
        assert grid[-1] - grid[0] == pytest.approx(c.grid_x[-1] - c.grid_x[0])
        assert grid[0] <= (lo + hi) / 2 - 0.85 * max(b - a for a, b in c.box) and \
            (lo + hi) / 2 + 0.85 * max(b - a for a, b in c.box) <= grid[-1]
    assert 0.5 < c.accuracy_generative <= 1 and 0 < c.accuracy_discriminative <= 1


def test_where_each_model_wins():
    """The Gaussians fit the blobs and the ring's quadratic boundary; a straight line cannot do the ring."""
    blobs = gd.compare("Gaussian blobs", 600, 0.1, seed=0)
    assert blobs.accuracy_generative > 0.9 and blobs.accuracy_generative > blobs.accuracy_discriminative
    ring = gd.compare("Disc inside a ring", 600, 0.0, seed=0)
    assert ring.accuracy_generative > 0.9 and ring.accuracy_discriminative < 0.75
    assert gd.compare("Disc inside a ring", 600, 0.0, seed=0, quadratic=True).accuracy_discriminative > 0.95
