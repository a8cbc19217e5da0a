"""Tests of gan.digits.classifier and gan.digits.fidelity: the referee and its measures."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import linalg
from scipy.spatial.distance import cdist
from scipy.special import log_softmax
from scipy.stats import entropy

from gan.digits.datasets import make_digits
from gan.digits import classifier as classifier_module
from gan.digits.classifier import (accuracy, features, load_classifier, predict,
                                   softmax_cross_entropy, train_classifier)
from gan.digits.comparison import (COMPANIONS, TrainedModel, interpolations, sample_grid,
                                    train_models)
from gan.digits.gans import ConditionalDigitsGAN
from gan.digits.fidelity import (COPY_QUANTILE, Yardstick, class_entropy, comparison_row,
                                format_table, frechet_distance, gaussian_frechet_distance,
                                grey_share, label_accuracy, nearest_distances,
                                nearest_neighbour_check, real_data_row)
from nn.gradcheck import numerical_gradients


@pytest.fixture(scope="module")
def digits():
    """Training and held-out digits from independent seeds (2000 and 500 images)."""
    return make_digits(2000, seed=21), make_digits(500, seed=22)


@pytest.fixture(scope="module")
def tiny_classifier(digits):
    (images, labels), _ = digits
    return train_classifier(images, labels, np.random.default_rng(0), hidden_sizes=(64,),
                            epochs=6)


# ------------------------------------------------------------- softmax cross-entropy


@given(st.integers(1, 6), st.integers(2, 7), st.integers(0, 2**32 - 1))
def test_softmax_cross_entropy_equals_mean_negative_log_softmax(batch, classes, seed):
    generator = np.random.default_rng(seed)
    logits = generator.normal(0, 5, size=(batch, classes))
    labels = generator.integers(0, classes, size=batch)
    value, _ = softmax_cross_entropy(logits, labels)
    expected = -np.mean(log_softmax(logits, axis=1)[np.arange(batch), labels])   # scipy
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)


@given(st.integers(1, 5), st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_softmax_cross_entropy_gradient_matches_finite_differences(batch, classes, seed):
    generator = np.random.default_rng(seed)
    logits = generator.normal(0, 3, size=(batch, classes))
    labels = generator.integers(0, classes, size=batch)
    value, gradient = softmax_cross_entropy(logits, labels)
    numerical = numerical_gradients(lambda: softmax_cross_entropy(logits, labels)[0], [logits])[0]
    # The five-point stencil's rounding error is about (18 / 12) eps_mach |f| / h with h = 2e-4
    # (its truncation error, ~h^4, is far below): an absolute floor that matters only where a
    # gradient entry is tiny (a confident softmax gives entries ~1e-6), with a factor 10 of margin.
    rounding = 10 * 1.5 * np.finfo(np.float64).eps * (1 + abs(value)) / 2e-4
    np.testing.assert_allclose(gradient, numerical, rtol=1e-7, atol=rounding)


def test_softmax_cross_entropy_is_exact_for_huge_logits():
    # -log softmax([1e4, 0])[1] = logsumexp - 0 = 1e4 + log(1 + e^-1e4) = 1e4 in float64;
    # a naive exp(1e4) overflows
    value, gradient = softmax_cross_entropy(np.array([[1e4, 0.0]]), np.array([1]))
    assert value == 1e4
    assert np.array_equal(gradient, np.array([[1.0, -1.0]]))


def test_softmax_cross_entropy_gradient_rows_sum_to_zero():
    # softmax sums to one and so does the one-hot vector
    generator = np.random.default_rng(3)
    _, gradient = softmax_cross_entropy(generator.normal(size=(8, 10)),
                                        generator.integers(0, 10, size=8))
    assert np.allclose(gradient.sum(axis=1), 0.0, atol=1e-16)


@pytest.mark.parametrize("labels, error", [
    (np.array([0, 10]), ValueError), (np.array([0, -1]), ValueError),
    (np.array([0.0, 1.0]), TypeError), (np.array([0]), ValueError)])
def test_softmax_cross_entropy_rejects_bad_labels(labels, error):
    with pytest.raises(error, match="labels"):
        softmax_cross_entropy(np.zeros((2, 10)), labels)


# ------------------------------------------------------------------- the classifier


def test_tiny_classifier_recognises_held_out_digits(digits, tiny_classifier):
    # chance is 0.1; 500 held-out digits give a standard error of at most 0.023, so 0.7
    # leaves room for the tiny network's ~0.85 and still fails for anything near chance
    _, (test_images, test_labels) = digits
    assert accuracy(tiny_classifier, test_images, test_labels) > 0.7


def test_features_are_the_input_of_the_last_layer(digits, tiny_classifier):
    _, (test_images, _) = digits
    last = tiny_classifier.layers[-1]
    recomputed = features(tiny_classifier, test_images[:20]) @ last.W + last.b
    assert np.allclose(recomputed, tiny_classifier.forward(test_images[:20]), atol=1e-12)


def test_cached_classifier_is_read_back_without_retraining(digits, tmp_path, monkeypatch):
    (images, labels), (test_images, _) = digits
    subset = slice(0, 300)
    first = load_classifier(images[subset], labels[subset], cache_dir=tmp_path,
                            hidden_sizes=(16,), epochs=1)
    assert len(list(tmp_path.glob("digits-classifier-v*.npz"))) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("the cached classifier should have been read, not retrained")

    monkeypatch.setattr(classifier_module, "train_classifier", refuse)
    second = load_classifier(images[subset], labels[subset], cache_dir=tmp_path,
                             hidden_sizes=(16,), epochs=1)
    assert np.array_equal(first.flat_params, second.flat_params)
    assert np.array_equal(predict(first, test_images), predict(second, test_images))


def test_classifier_cache_name_changes_with_the_data(digits, tmp_path):
    (images, labels), _ = digits
    load_classifier(images[:100], labels[:100], cache_dir=tmp_path, hidden_sizes=(8,), epochs=1)
    load_classifier(images[100:200], labels[100:200], cache_dir=tmp_path, hidden_sizes=(8,),
                    epochs=1)
    assert len(list(tmp_path.glob("digits-classifier-v*.npz"))) == 2


# --------------------------------------------------------------------- label accuracy


def test_label_accuracy_is_one_for_the_classifiers_own_predictions(digits, tiny_classifier):
    _, (test_images, _) = digits
    overall, per_class = label_accuracy(tiny_classifier, test_images,
                                        predict(tiny_classifier, test_images))
    assert overall == 1.0 and np.all(per_class == 1.0)


def test_label_accuracy_overall_is_the_count_weighted_class_mean(digits, tiny_classifier):
    _, (test_images, test_labels) = digits
    overall, per_class = label_accuracy(tiny_classifier, test_images, test_labels)
    counts = np.bincount(test_labels, minlength=10)
    assert overall == pytest.approx(per_class @ counts / counts.sum(), rel=1e-12)
    assert overall == pytest.approx(accuracy(tiny_classifier, test_images, test_labels))


def test_label_accuracy_rejects_a_missing_class(digits, tiny_classifier):
    _, (test_images, test_labels) = digits
    keep = test_labels != 3
    with pytest.raises(ValueError, match="every class"):
        label_accuracy(tiny_classifier, test_images[keep], test_labels[keep])


# ------------------------------------------------------------------ Frechet distance


def random_covariance(generator, dimension):
    factor = generator.normal(size=(dimension, dimension))
    return factor @ factor.T / dimension + 0.1 * np.eye(dimension)


@given(st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_gaussian_frechet_distance_matches_the_commuting_closed_form(dimension, seed):
    # with a shared eigenbasis Q, (Sigma_1 Sigma_2)^(1/2) = Q diag(sqrt(a b)) Q^T, so
    # d^2 = |mu_1 - mu_2|^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2
    generator = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(generator.normal(size=(dimension, dimension)))
    a, b = generator.uniform(0.05, 4, size=dimension), generator.uniform(0.05, 4, size=dimension)
    mu_1, mu_2 = generator.normal(size=dimension), generator.normal(size=dimension)
    distance = gaussian_frechet_distance(mu_1, (Q * a) @ Q.T, mu_2, (Q * b) @ Q.T)
    expected = np.sum((mu_1 - mu_2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert distance == pytest.approx(expected, rel=1e-9, abs=1e-10)


@given(st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_gaussian_frechet_distance_matches_scipy_sqrtm_of_the_product(dimension, seed):
    generator = np.random.default_rng(seed)
    sigma_1, sigma_2 = random_covariance(generator, dimension), random_covariance(generator,
                                                                                  dimension)
    mu_1, mu_2 = generator.normal(size=dimension), generator.normal(size=dimension)
    cross = np.real(linalg.sqrtm(sigma_1 @ sigma_2))          # the FID's textbook formula
    expected = (np.sum((mu_1 - mu_2) ** 2) + np.trace(sigma_1) + np.trace(sigma_2)
                - 2 * np.trace(cross))
    assert gaussian_frechet_distance(mu_1, sigma_1, mu_2, sigma_2) == pytest.approx(
        expected, rel=1e-8, abs=1e-9)


@given(st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_frechet_distance_is_symmetric_and_zero_for_identical_sets(dimension, seed):
    generator = np.random.default_rng(seed)
    x = generator.normal(size=(50, dimension))
    y = generator.normal(size=(40, dimension)) * 2 + 1
    assert frechet_distance(x, y) == pytest.approx(frechet_distance(y, x), rel=1e-9)
    # rounding of the eigenvalue route: |error| ~ eps * trace, far below any real distance
    assert abs(frechet_distance(x, x)) < 1e-10 * np.trace(np.cov(x, rowvar=False).reshape(
        dimension, dimension))


@pytest.mark.parametrize("t", [0.5, 1.0, 3.0])
def test_frechet_distance_grows_as_the_squared_mean_shift(t):
    # shifting a set by t delta leaves its covariance unchanged, so d^2 = t^2 |delta|^2
    generator = np.random.default_rng(5)
    x = generator.normal(size=(300, 4))
    delta = np.array([1.0, -2.0, 0.5, 0.0])
    assert frechet_distance(x, x + t * delta) == pytest.approx(t**2 * delta @ delta, rel=1e-8)


def test_frechet_distance_of_samples_approaches_the_gaussian_value():
    # 1-D: d^2 = (m1 - m2)^2 + (s1 - s2)^2. With n draws per set the sample means err by
    # s / sqrt(n) and the sample deviations by s / sqrt(2 n); propagated through d^2 (slopes
    # 2|m1 - m2| and 2|s1 - s2|) that is a standard error below 0.02 here, so 5 of them
    # (0.1) makes a false failure a < 1e-6 event.
    n, (m1, s1), (m2, s2) = 20_000, (0.0, 1.0), (1.0, 2.0)
    generator = np.random.default_rng(9)
    x, y = generator.normal(m1, s1, size=(n, 1)), generator.normal(m2, s2, size=(n, 1))
    error = np.hypot(2 * abs(m1 - m2) * np.hypot(s1, s2) / np.sqrt(n),
                     2 * abs(s1 - s2) * np.hypot(s1, s2) / np.sqrt(2 * n))
    assert abs(frechet_distance(x, y) - ((m1 - m2) ** 2 + (s1 - s2) ** 2)) < 5 * error


def test_gaussian_frechet_distance_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="sigma_2"):
        gaussian_frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), np.eye(3))
    with pytest.raises(ValueError, match="sigma_1 must be symmetric"):
        gaussian_frechet_distance(np.zeros(2), np.array([[1.0, 1.0], [0.0, 1.0]]),
                                  np.zeros(2), np.eye(2))


# ---------------------------------------------------------------- nearest neighbours


def test_nearest_distances_match_scipy_cdist():
    generator = np.random.default_rng(4)
    queries = generator.random((37, 1, 4, 4)).astype(np.float32)
    references = generator.random((600, 1, 4, 4)).astype(np.float32)
    expected = cdist(queries.reshape(37, -1).astype(np.float64),
                     references.reshape(600, -1).astype(np.float64)).min(axis=1)
    assert np.allclose(nearest_distances(queries, references, chunk_size=10), expected,
                       rtol=1e-9, atol=1e-6)


def test_copies_of_training_images_are_flagged(digits):
    (images, _), (test_images, _) = digits
    test_to_train = nearest_distances(test_images, images)
    check = nearest_neighbour_check(images[:200], images, test_to_train)
    assert check.copied_share == 1.0 and check.median_ratio == 0.0


def test_fresh_digits_are_flagged_no_more_often_than_the_copy_quantile(digits):
    # Fresh digits are exchangeable with the held-out ones, so they fall strictly below the
    # held-out distances' COPY_QUANTILE quantile with probability at most COPY_QUANTILE
    # (0.01) plus the quantile's own estimation error from 500 values; over 1000 fresh
    # digits the binomial standard error is sqrt(0.01 * 0.99 / 1000) = 0.003, so 0.01 plus
    # 4 standard errors of each estimate (0.012 + 0.018) is a safe bound.
    (images, _), (test_images, _) = digits
    fresh, _ = make_digits(1000, seed=23)
    check = nearest_neighbour_check(fresh, images, nearest_distances(test_images, images))
    assert check.copied_share < COPY_QUANTILE + 0.03
    assert 0.8 < check.median_ratio < 1.25


# ------------------------------------------------------------------ the table row


def test_comparison_row_scores_real_held_out_digits_like_the_classifier(digits,
                                                                         tiny_classifier):
    (images, labels), (test_images, test_labels) = digits
    pool, pool_labels = make_digits(1000, seed=24)
    reference = Yardstick.build(tiny_classifier, images, test_images)

    def real_digits(n, requested, rng):
        # a random pool image of each requested class
        order = np.argsort(pool_labels, kind="stable")
        counts = np.bincount(pool_labels, minlength=10)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        return pool[order[starts[requested] + rng.integers(0, counts[requested])]]

    row = comparison_row("real digits", real_digits, reference, 500, np.random.default_rng(0))
    # label accuracy of real digits is the classifier's accuracy: 500 draws, binomial
    # standard error <= 0.023 each for both estimates, so 0.1 is more than 3 of them
    assert abs(row["label_accuracy"] - accuracy(tiny_classifier, test_images, test_labels)) < 0.1
    assert row["grey_share"] == 0.0
    assert row["copied_share"] < 0.05
    assert "real digits" in format_table([row])


def test_comparison_row_flags_a_copying_sampler(digits, tiny_classifier):
    (images, _), (test_images, _) = digits
    reference = Yardstick.build(tiny_classifier, images, test_images)
    row = comparison_row("copier", lambda n, labels, rng: images[rng.integers(0, 2000, n)],
                         reference, 100, np.random.default_rng(1), conditional=False)
    assert row["copied_share"] == 1.0 and row["label_accuracy"] is None


def test_comparison_row_rejects_a_sampler_of_the_wrong_shape(digits, tiny_classifier):
    (images, _), (test_images, _) = digits
    reference = Yardstick.build(tiny_classifier, images[:100], test_images[:50])
    with pytest.raises(ValueError, match="sampler must return 20 images"):
        comparison_row("bad", lambda n, labels, rng: np.zeros((n, 1, 16, 16)), reference, 20,
                       np.random.default_rng(0))


def test_grey_share_counts_pixels_strictly_between_black_and_white():
    images = np.array([0.0, 1.0, 0.5, 0.05, 0.95, 0.3, 0.1, 0.9]).reshape(2, 1, 2, 2)
    assert grey_share(images) == 2 / 8


def test_class_entropy_is_scipys_entropy_in_bits_of_the_predicted_classes(digits,
                                                                         tiny_classifier):
    (images, _), _ = digits
    counts = np.bincount(predict(tiny_classifier, images[:300]), minlength=10)
    assert class_entropy(tiny_classifier, images[:300]) == pytest.approx(
        entropy(counts, base=2), rel=1e-12)
    ones = images[predict(tiny_classifier, images) == 1]
    assert class_entropy(tiny_classifier, ones) == 0.0           # a single class: no spread


def test_real_data_row_is_the_floor_the_models_are_read_against(digits, tiny_classifier):
    (images, _), (test_images, test_labels) = digits
    reference = Yardstick.build(tiny_classifier, images, test_images)
    row = real_data_row("real", reference, test_images, test_labels, 500,
                        np.random.default_rng(0))
    assert row["label_accuracy"] == accuracy(tiny_classifier, test_images, test_labels)
    assert row["nearest_median_ratio"] == 1.0
    # the share of 500 distances below their own 1% quantile: 5 of them, give or take ties
    assert abs(row["copied_share"] - COPY_QUANTILE) <= 2 / 500
    # a copier drawing training images sits far below the floor in NN ratio
    copier = comparison_row("copier", lambda n, labels, rng: images[:n], reference, 500,
                            np.random.default_rng(0), conditional=False)
    assert copier["nearest_median_ratio"] == 0.0 < row["nearest_median_ratio"]
    with pytest.raises(ValueError, match="test_images must be the 500 digits"):
        real_data_row("real", reference, test_images[:10], test_labels[:10], 10,
                      np.random.default_rng(0))


def test_unconditional_sample_grid_rows_hold_what_the_referee_reads_as_that_class(
        digits, tiny_classifier):
    (images, labels), _ = digits
    model = TrainedModel("pool", lambda n, requested, rng: images[:n], False, 0.0, None)
    grid = sample_grid(model, tiny_classifier, np.random.default_rng(0), columns=5, pool=300)
    assert grid.shape == (10, 5, 32, 32)
    filled = ~(grid == 0.5).all(axis=(2, 3))
    read = predict(tiny_classifier, grid[filled][:, None])
    np.testing.assert_array_equal(read, np.nonzero(filled)[0])
    counts = np.bincount(predict(tiny_classifier, images[:300]), minlength=10)
    np.testing.assert_array_equal(filled.sum(axis=1), np.minimum(counts, 5))


# ------------------------------------------------------------- interpolations


def test_interpolations_run_from_the_codes_of_the_two_images_and_from_two_noise_draws(digits):
    (images, labels), (held_out, _) = digits
    trained = train_models(images[:200], labels[:200], preset="fast", seed=0,
                           models=("cGAN (MLP)", "AE"))
    a, b = held_out[0], held_out[1]
    paths = interpolations(trained, a, b, 3, np.random.default_rng(5), count=5)
    assert paths.shape == (2, 5, 32, 32)
    assert np.all((paths >= 0) & (paths <= 1))
    # The AE's path starts and ends at the reconstructions of the two images ...
    coder = trained[1].model
    np.testing.assert_allclose(paths[1, [0, -1]], coder.reconstruct(np.stack([a, b]))[:, 0],
                               rtol=1e-12, atol=1e-12)
    # ... the cGAN's along G((1 - t) z_a + t z_b, 3), z_a and z_b the stream's first two draws,
    # generated in one batch with COMPANIONS fresh draws (G's BatchNorm uses batch statistics)
    result = trained[0].model
    game = ConditionalDigitsGAN.from_players(result.config, result.G, result.D, None, None)
    stream = np.random.default_rng(5)
    z_a, z_b = game.sample_noise(2, stream)
    t = np.linspace(0, 1, 5)[:, None]
    z = np.concatenate([(1 - t) * z_a + t * z_b, game.sample_noise(COMPANIONS, stream)])
    expected = game.generate_pixels(z, np.full(len(z), 3))[:5, 0]
    np.testing.assert_allclose(paths[0], expected, rtol=1e-6, atol=1e-6)
    assert not np.array_equal(paths[0, 0], paths[0, -1])


def test_interpolations_reject_a_bad_count_or_label(digits):
    with pytest.raises(ValueError, match="count"):
        interpolations([], None, None, 0, np.random.default_rng(0), count=1)
    with pytest.raises(ValueError, match="label"):
        interpolations([], None, None, 10, np.random.default_rng(0), count=3)
