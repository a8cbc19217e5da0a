"""gan.game where a one-line slip once passed every other test: `backward_on_both` splits the
joined batch on the batch axis, the second from the end, also when a leading axis of stacked
games (the fast engine's ensemble) comes first. Each test fails on the mutant it is written
against (experiments/mutate.py finds them).
"""

import numpy as np
import pytest

from gan.game import backward_on_both
from gan.objectives import discriminator_loss
from nn.fast import MLP


@pytest.mark.parametrize("m_real, m_fake", [(3, 5), (4, 4)])
def test_backward_on_both_of_stacked_games_splits_at_each_members_real_samples(m_real, m_fake):
    """E = 2 stacked discriminators, each with its own m_real real and m_fake fake samples
    (E differs from m_real): member e's loss is L_D(D_e(x_real[e]), D_e(x_fake[e])) and its
    gradient is the one backward_on_both leaves in the unstacked D_e alone."""
    rng = np.random.default_rng(11)
    members = [MLP([1, 5, 1], "tanh", rng=rng) for _ in range(2)]
    D = MLP.stacked(members)
    x_real, x_fake = rng.normal(size=(2, m_real, 1)), rng.normal(1, 1, size=(2, m_fake, 1))
    losses = backward_on_both(D, x_real, x_fake, discriminator_loss)
    for e, member in enumerate(members):
        loss = backward_on_both(member, x_real[e], x_fake[e], discriminator_loss)
        assert np.ravel(losses)[e] == pytest.approx(float(loss), rel=1e-12)
        for stacked_gradient, gradient in zip(D.gradients(), member.gradients()):
            np.testing.assert_allclose(stacked_gradient[e], gradient, rtol=1e-12, atol=1e-15)
