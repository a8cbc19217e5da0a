"""gan.train where a one-line slip once passed every other test: the learning-rate schedules
past their last step, the number of steps G's weights are averaged over, and G's samples out
of bounds at the end of a run. Each test fails on the mutant it is written against
(experiments/mutate.py finds them).
"""

import numpy as np
import pytest

from gan.config import GANConfig
from gan.divergence import TrainingDiverged
from gan.measure import Line, Unmeasured
from gan.train import learning_rate_factor, train


@pytest.mark.parametrize("schedule", ["linear", "cosine"])
@pytest.mark.parametrize("decay_start", [0.0, 0.5])
def test_a_decayed_learning_rate_stays_zero_after_the_last_step(schedule, decay_start):
    """s, the fraction of the decay phase done, is held in [0, 1]: from step = steps + 1 on,
    s = 1 and the factor is 1 - 1 = 0 (linear) or (1 + cos pi) / 2 = 0 (cosine), however far
    past the end; it neither turns negative nor rises again."""
    steps = 10
    for step in (steps + 1, steps + 2, 2 * steps, 5 * steps):
        assert learning_rate_factor(step, steps, schedule, decay_start) == pytest.approx(
            0.0, abs=1e-15)


# ---------------------------------------------------------------- averaging G's last weights
def _tiny(**changes):
    """A constant learning rate, so that a shorter run is the start of a longer one."""
    settings = dict(g_hidden=(3,), d_hidden=(3,), batch_size=8, lr_schedule="constant",
                    snapshot_every=0, average_last=0.0, seed=4)
    return GANConfig(**dict(settings, **changes))


def test_averaging_the_last_fraction_of_steps_averages_exactly_that_many_iterates():
    """average_last = 1/2 of 4 steps: G's final weights are the mean of its weights after steps
    3 and 4, theta_3 and theta_4, read off runs of 3 and 4 steps without averaging."""
    theta_3 = train(_tiny(steps=3), measurer=Unmeasured()).G.flat_params
    theta_4 = train(_tiny(steps=4), measurer=Unmeasured()).G.flat_params
    averaged = train(_tiny(steps=4, average_last=0.5), measurer=Unmeasured()).G.flat_params
    assert not np.allclose(theta_3, theta_4)
    np.testing.assert_allclose(averaged, (theta_3 + theta_4) / 2, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- G's samples out of bounds
class _FarLeft(Line):
    """The line's measurements, with G's samples reported at mean -1e6 and std 1: far beyond
    1e4 times the scale of the default target N(-1, 1) (gan.divergence.target_scale, about 6),
    on the negative side."""

    def snapshot(self, game, setup):
        return dict(super().snapshot(game, setup), mean=-1e6, std=1.0)

    def final_metrics(self, game, setup):
        return dict(super().final_metrics(game, setup), mean=-1e6, std=1.0)


def test_final_samples_far_on_the_negative_side_are_a_divergence():
    """|mean| + std = 1e6 + 1 > 1e4 scale: the run ends in TrainingDiverged naming the samples,
    whatever the mean's sign (std + mean < 0 would pass unnoticed)."""
    with pytest.raises(TrainingDiverged, match="G's samples reached"):
        train(_tiny(steps=2), measurer=_FarLeft())


def test_a_last_snapshot_out_of_bounds_is_a_divergence_with_its_likely_cause():
    """With snapshot_every beyond steps, the one checked snapshot is the last: it raises
    TrainingDiverged at the last step, with the likely cause found from the config."""
    with pytest.raises(TrainingDiverged, match="diverged at step 2: .*Likely cause"):
        train(_tiny(steps=2, snapshot_every=5), measurer=_FarLeft())
