"""Arjovsky & Bottou (2017), Theorem 2.5, on a Gaussian generator against quadrature."""

import numpy as np
import pytest

from gan.distributions import Normal
from gan.dynamics.generator_gradients import divergence_gradients, loss_gradients


@pytest.mark.parametrize("theta_0", [(0.5, 1.5), (-2.0, 0.6), (1.0, 1.0)])
def test_generator_loss_gradients_are_divergence_gradients(theta_0):
    p_data = Normal(-1.0, 1.0)
    non_saturating, saturating = loss_gradients(theta_0, p_data)
    reverse_kl_minus_2jsd, two_jsd = divergence_gradients(theta_0, p_data)
    # central differences of step 1e-4 on quadrature accurate to ~1e-10: error ~1e-7
    np.testing.assert_allclose(non_saturating, reverse_kl_minus_2jsd, atol=1e-6)
    np.testing.assert_allclose(saturating, two_jsd, atol=1e-6)
    assert np.abs(non_saturating - two_jsd).max() > 1e-2      # the two losses really differ
