"""The game's two seams, on either engine: every D update draws its batches through
`GAN.minibatch` (one prelude, overridden only where what D sees changes), and `train` measures
through the measurer it is given (gan.measure), never through the game, so measuring leaves
the trajectory alone. (The digits games' use of the hook is checked in test_gan_engine_games.py,
beside their data.)"""

import functools

import numpy as np
import pytest

from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.game import GAN
from gan.measure import Line
from gan.train import train
from gan.variants import (ConditionalGAN, FeatureMatchingGAN, InstanceNoiseGAN,
                          MinibatchDiscriminationGAN, WGAN, WGANGP)

TARGET = Mixture([Normal(-2.0, 0.5), Normal(2.0, 0.5)])
SMALL = dict(target=TARGET, g_hidden=(4,), d_hidden=(4,), batch_size=8, steps=3, grid_size=32)
GAMES = [GAN, WGAN, WGANGP, ConditionalGAN, FeatureMatchingGAN, InstanceNoiseGAN,
         MinibatchDiscriminationGAN]


def counted(game):
    """Wrap game.minibatch so that its calls are counted and its batches kept."""
    seen, original = [], game.minibatch

    def minibatch(step, rng):
        seen.append(original(step, rng))
        return seen[-1]
    game.minibatch = minibatch
    return seen


@pytest.mark.parametrize("engine", ["fast", "textbook"])
@pytest.mark.parametrize("game_class", GAMES, ids=[g.__name__ for g in GAMES])
def test_every_discriminator_update_draws_through_the_minibatch_hook(game_class, engine):
    config = GANConfig(**SMALL, engine=engine)
    game = game_class(config, np.random.default_rng(0))
    seen = counted(game)
    game.discriminator_update(1, np.random.default_rng(1))
    assert len(seen) == 1
    x_real, x_fake = seen[0]
    assert x_real.shape == x_fake.shape and x_real.shape[0] == config.batch_size


class Counting(Line):
    """The line's measurements, counting how often train asks for each."""

    def __init__(self):
        self.calls = {"setup": 0, "snapshot": 0, "final_metrics": 0}

    def setup(self, game, rng):
        self.calls["setup"] += 1
        return super().setup(game, rng)

    def snapshot(self, game, setup):
        self.calls["snapshot"] += 1
        return super().snapshot(game, setup)

    def final_metrics(self, game, setup):
        self.calls["final_metrics"] += 1
        return {"marker": 1.0, **super().final_metrics(game, setup)}


@pytest.mark.parametrize("game_class", [GAN, functools.partial(WGANGP, lam=1.0)],
                         ids=["gan", "wgan-gp"])
def test_train_measures_through_the_measurer_it_is_given_and_measuring_changes_nothing(
        game_class):
    config = GANConfig(**{**SMALL, "steps": 4}, snapshot_every=2)
    measurer = Counting()
    measured = train(config, game=game_class, measurer=measurer)
    # snapshots at steps 0, 2 and the last: three; one setup and one final measurement
    assert measurer.calls == {"setup": 1, "snapshot": 3, "final_metrics": 1}
    assert measured.metrics["marker"] == 1.0 and measured.history.snapshot_steps == [0, 2, 4]
    plain = train(config.replace(snapshot_every=0), game=game_class)
    for name in ("G", "D"):
        assert np.array_equal(getattr(measured, name).flat_params,
                              getattr(plain, name).flat_params)
