"""Effect sizes and the power of Fisher's test (gan.lab.comparison.effects), against closed
forms."""

import math

import numpy as np
import pytest
from scipy.stats import binom

from gan.lab.comparison.effects import (bootstrap_interval, detectable_rate, fisher_power,
                                        log_median_ratio, rate_difference, smallest_p)


@pytest.mark.parametrize("n", [2, 3, 5, 10])
def test_smallest_p_is_two_over_the_central_binomial_coefficient(n):
    # n/n against 0/n: the hypergeometric probability of the two extreme tables, 2 / C(2n, n)
    assert smallest_p(n, n) == pytest.approx(2 / math.comb(2 * n, n))


def test_power_equals_the_chance_of_the_only_rejecting_outcomes():
    # n = 3: only 3/3 vs 0/3 (and the mirror) reach p = 0.1; at alpha = 0.11 the power is
    # P(a = 3) P(b = 0) + P(a = 0) P(b = 3)
    power = fisher_power(3, 3, 0.9, 0.2, alpha=0.11)
    expected = binom.pmf(3, 3, 0.9) * binom.pmf(0, 3, 0.2) + binom.pmf(0, 3, 0.9) * \
        binom.pmf(3, 3, 0.2)
    assert power == pytest.approx(expected)
    assert fisher_power(3, 3, 0.9, 0.2, alpha=0.05) == 0.0      # 0.1 is the floor at n = 3


def test_power_under_equal_rates_is_at_most_the_level():
    for rate in (0.1, 0.5, 0.9):
        assert fisher_power(10, 10, rate, rate) <= 0.05


def test_no_rate_is_detectable_with_three_seeds():
    assert detectable_rate(3, 0.0) is None
    rate = detectable_rate(10, 0.0)
    assert fisher_power(10, 10, rate, 0.0) >= 0.8 > fisher_power(10, 10, rate - 0.01, 0.0)


def test_bootstrap_interval_holds_the_estimate_and_shrinks_with_n():
    rng = np.random.default_rng(0)
    small = bootstrap_interval(rng.random(10) < 0.7, rng.random(10) < 0.3, rate_difference)
    large = bootstrap_interval(rng.random(400) < 0.7, rng.random(400) < 0.3, rate_difference)
    for estimate, low, high in (small, large):
        assert low <= estimate <= high
    assert large[2] - large[1] < small[2] - small[1]
    assert large[1] < 0.4 < large[2]          # the true difference, inside at n = 400
    assert log_median_ratio([10.0], [1.0]) == pytest.approx(1.0)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="n_a"):
        fisher_power(0, 3, 0.5, 0.5)
    with pytest.raises(ValueError, match="rate_b"):
        fisher_power(3, 3, 0.5, 1.5)
