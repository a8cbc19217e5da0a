"""The research scores against known answers: the closed-form Frechet distance of two 1D
normals, precision/recall/density/coverage of identical sets, subsets, shifted copies and a
small example computed by hand, density's expectation 1 for independent draws, and the
classifier accuracy score of real and of mislabelled digits."""

import statistics

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gan.digits.datasets import load_digits
from gan.digits.fidelity import frechet_distance, gaussian_frechet_distance
from gan.digits.scores import (classifier_accuracy_score, density_coverage, manifold_scores,
                               mean_and_spread, neighbour_radii, precision_recall, real_radii)

finite = st.floats(-5, 5, allow_nan=False)
positive = st.floats(0.05, 5, allow_nan=False)


@given(finite, positive, finite, positive)
def test_frechet_distance_of_two_1d_normals_is_the_closed_form(mu_1, s_1, mu_2, s_2):
    # W2^2(N(mu1, s1^2), N(mu2, s2^2)) = (mu1 - mu2)^2 + (s1 - s2)^2 (Dowson and Landau 1982)
    value = gaussian_frechet_distance([mu_1], [[s_1 ** 2]], [mu_2], [[s_2 ** 2]])
    assert value == pytest.approx((mu_1 - mu_2) ** 2 + (s_1 - s_2) ** 2, rel=1e-9, abs=1e-9)


def test_frechet_distance_of_1d_samples_approaches_the_closed_form():
    # n = 200 000 draws: the sample mean and sd are off by about 1/sqrt(n) = 0.002, so the
    # distance (0.5^2 + 1^2 = 1.25) is within about 0.01 of its limit; 0.02 is 4 sd
    generator = np.random.default_rng(5)
    first = generator.normal(0.0, 1.0, size=(200_000, 1))
    second = generator.normal(0.5, 2.0, size=(200_000, 1))
    assert frechet_distance(first, second) == pytest.approx(1.25, abs=0.02)


@pytest.fixture(scope="module")
def points():
    return np.random.default_rng(0).standard_normal((1000, 4))


def test_identical_sets_have_precision_recall_and_coverage_one(points):
    assert precision_recall(points, points.copy()) == (1.0, 1.0)
    assert density_coverage(points, points.copy())[1] == 1.0


def test_identical_sets_have_density_k_plus_one_over_k(points):
    # each y_j = x_j lies in its own ball and in the balls of the k points whose k nearest
    # neighbours include it: sum_i |B(x_i) & Y| = N (k + 1), so density = (k + 1) / k
    for k in (1, 3, 5):
        assert density_coverage(points, points.copy(), k=k)[0] == pytest.approx((k + 1) / k)


def test_independent_draws_of_one_distribution_have_density_near_one():
    # E[density] = 1 (Naeem et al. 2020, section 3.2); over 10 seeds at N = M = 2000 in 4D the
    # density was 0.997 +- 0.011, so 0.05 is more than 4 standard deviations
    generator = np.random.default_rng(1)
    real, fake = generator.standard_normal((2, 2000, 4))
    assert density_coverage(real, fake)[0] == pytest.approx(1.0, abs=0.05)


def test_a_subset_of_the_real_set_has_precision_one_and_recall_below_one(points):
    half = points[points[:, 0] < 0]                 # one half-space: the other half is missed
    precision, recall = precision_recall(points, half)
    assert precision == 1.0 and recall < 0.8
    assert density_coverage(points, half)[1] < 0.8


def test_a_shifted_copy_has_precision_and_recall_below_one(points):
    precision, recall = precision_recall(points, points + 1.0)
    assert precision < 0.9 and recall < 0.9
    density, coverage = density_coverage(points, points + 1.0)
    assert density < 0.8 and coverage < 0.8


def test_a_small_example_worked_by_hand():
    # real 0, 1, 2, 3: every NND_1 = 1. fake 0.5 and 10: NND_1 = 9.5 each.
    # precision: 0.5 is within 1 of 0 (and 1), 10 is not: 1/2. recall: all of 0..3 lie
    # within 9.5 of 0.5: 1. density (k = 1): 0.5 lies in the balls of 0 and 1, 10 in none:
    # 2 / (1 * 2) = 1. coverage: the balls of 0 and 1 hold a fake point: 2/4.
    real, fake = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([[0.5], [10.0]])
    assert precision_recall(real, fake, k=1) == (0.5, 1.0)
    assert density_coverage(real, fake, k=1) == (1.0, 0.5)


def test_neighbour_radii_are_the_sorted_distances_kth_entries():
    # brute force: every pairwise squared distance by broadcasting, each row sorted; entry 0
    # is the point itself, entry k its k-th nearest neighbour
    points = np.random.default_rng(2).standard_normal((300, 3))
    brute = np.sort(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2), axis=1)
    radii = neighbour_radii(points, (3, 5, 1))
    assert sorted(radii) == [1, 3, 5]
    for k, radius in radii.items():
        np.testing.assert_allclose(radius, brute[:, k], rtol=1e-12, atol=1e-12)


def test_one_matrix_for_four_scores_gives_the_two_functions_numbers():
    generator = np.random.default_rng(3)
    points, fake = generator.standard_normal((300, 4)), generator.standard_normal((200, 4)) + 0.3
    expected = precision_recall(points, fake) + density_coverage(points, fake)
    assert manifold_scores(points, fake) == expected
    assert manifold_scores(points, fake, real_radii(points)) == expected
    assert 0 < expected[0] < 1 and 0 < expected[1] < 1      # not a trivial case
    assert manifold_scores(points, points.copy())[:2] == (1.0, 1.0)
    with pytest.raises(ValueError, match="radii"):
        manifold_scores(points, fake, real_radii(points[:100]))


@pytest.mark.parametrize("k", [0, 4, True])
def test_scores_reject_a_bad_k_naming_it(k):
    points = np.zeros((4, 2)) + np.arange(4)[:, None]
    with pytest.raises(ValueError, match="k must"):
        precision_recall(points, points, k=k)
    with pytest.raises(ValueError, match="k must"):
        density_coverage(points, points, k=k)


def test_scores_reject_features_of_different_dimension():
    with pytest.raises(ValueError, match="same dimension"):
        precision_recall(np.zeros((5, 2)), np.zeros((5, 3)))


@pytest.fixture(scope="module")
def digits():
    return load_digits(n_train=1500, n_test=500, seed=0)


def test_classifier_accuracy_score_is_high_for_real_pairs_and_chance_for_shuffled_labels(
        digits):
    (images, labels), (test_images, test_labels) = digits
    generator = np.random.default_rng(0)
    training = dict(epochs=3, hidden_sizes=(64,))
    real = classifier_accuracy_score(images, labels, test_images, test_labels, generator,
                                     training)
    shuffled = classifier_accuracy_score(images, generator.permutation(labels), test_images,
                                         test_labels, generator, training)
    # ten balanced classes: chance is 0.1, and a classifier that learnt nothing from
    # independent labels stays within a few binomial sd (sqrt(0.09 / 500) = 0.013) of it
    assert real > 0.6 and abs(shuffled - 0.1) < 0.06


def test_mean_and_spread_is_the_mean_and_the_sample_standard_deviation():
    values = [0.3, 0.5, 0.4, 0.9]
    assert mean_and_spread(values) == pytest.approx((statistics.mean(values),
                                                     statistics.stdev(values)))
    assert mean_and_spread([None, None, None]) == (None, None)
    with pytest.raises(ValueError, match="at least 2 seeds"):
        mean_and_spread([1.0])


def test_seed_summary_holds_mean_and_spread_of_each_score_and_keeps_missing_ones_missing():
    from gan.digits.tables import format_table, summarise_seeds

    seeds = [[{"model": "real", "frechet_distance": value, "label_accuracy": 0.9},
              {"model": "GAN", "frechet_distance": 10 * value, "label_accuracy": None}]
             for value in (1.0, 2.0, 3.0)]
    real, gan = summarise_seeds(seeds)
    assert real["frechet_distance"] == pytest.approx((2.0, 1.0))
    assert gan["frechet_distance"] == pytest.approx((20.0, 10.0))
    assert gan["label_accuracy"] == (None, None)
    table = format_table([real, gan])
    assert "20.0 ± 10.0" in table and "2.0 ± 1.0" in table
    with pytest.raises(ValueError, match="same models"):
        summarise_seeds([seeds[0], seeds[1][::-1]])


def test_copy_verdict_says_new_digits_only_inside_its_bounds():
    from gan.digits.tables import copy_verdict

    assert copy_verdict({"nearest_median_ratio": 1.0, "copied_share": 0.01}).startswith("new")
    assert copy_verdict({"nearest_median_ratio": 2.09,
                         "copied_share": 0.0}).startswith("not copies")
    assert copy_verdict({"nearest_median_ratio": 0.5, "copied_share": 0.0}).startswith("closer")
    assert copy_verdict({"nearest_median_ratio": 1.0, "copied_share": 0.2}).startswith("closer")


def test_grid_figures_draw_every_digit_at_least_48_pixels_tall():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gan.digits.grids import grid_evolution_figure, side_by_side_figure

    grids = np.random.default_rng(0).random((5, 10, 10, 32, 32))
    for figure, columns in ((grid_evolution_figure(grids, np.arange(5), "t"), 4),
                            (side_by_side_figure({"a": grids[0], "b": grids[1]}, "t"), 10)):
        figure.set_dpi(110)                        # the lessons save at 110 dpi
        figure.canvas.draw()
        box = figure.axes[0].get_window_extent()
        # a panel shows 10 rows of 32-pixel digits with 2-pixel gaps (338 image pixels tall)
        assert box.height * 32 / (10 * 34 - 2) >= 48
        assert box.width * 32 / (columns * 34 - 2) >= 48
        plt.close(figure)
