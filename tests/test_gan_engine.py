"""The game on either engine: GANConfig(engine=...) chooses nn.fast or the textbook nn, and 20
iterations of Algorithm 1 from one seed agree between the two (default game and two variants).

Tolerance: the engines differ by a few roundings per step (Adam's folded bias correction, the
bias gradient summed in another order; tests/test_nn_parity.py), i.e. ~1e-16 relative; twenty
iterations of training amplify that by the Jacobian of the updates (WGAN-GP's penalty, a second
derivative, the most: measured 1.2e-11 relative on D with this seed), so the players must agree
to a relative 1e-9 (float64): 10^7 ulps of headroom for the amplification, 30 times below the
3e-8 that a 1e-7 relative change of one engine's learning rate produces. A wrong
kernel changes the first step by far more (an order-1 relative error in some gradient).
"""

import numpy as np
import pytest

import rng as project_rng
from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.engine import engine_of
from gan.game import GAN
from gan.train import iteration
from gan.variants.conditional import ConditionalGAN
from gan.variants.wgan_gp import WGANGP

ITERATIONS = 20
TOLERANCE = 1e-9


def run(game_class, config):
    train_rng = project_rng.Generator(config.seed).spawn(2)[0]
    game = game_class(config, train_rng)
    for step in range(1, ITERATIONS + 1):
        iteration(game, step, train_rng)
    return game


@pytest.mark.parametrize("game_class", [GAN, WGANGP, ConditionalGAN],
                         ids=["gan", "wgan-gp", "conditional"])
def test_twenty_iterations_agree_between_engines(game_class):
    target = Mixture([Normal(-2.0, 0.5), Normal(2.0, 0.5)])     # the conditional GAN's classes
    config = GANConfig(engine="fast", target=target, steps=ITERATIONS, batch_size=64, seed=3)
    fast = run(game_class, config)
    reference = run(game_class, config.replace(engine="textbook"))
    assert engine_of(fast.G) == "fast" and engine_of(reference.D) == "textbook"
    for name in ("G", "D"):
        theta_fast = getattr(fast, name).flat_params
        theta_reference = getattr(reference, name).flat_params
        moved = np.abs(theta_fast - getattr(run_start(game_class, config), name).flat_params)
        assert moved.max() > 1e3 * TOLERANCE * np.abs(theta_fast).max()   # training did move
        error = np.abs(theta_fast - theta_reference).max() / np.abs(theta_fast).max()
        assert error < TOLERANCE, (name, error)


def run_start(game_class, config):
    return game_class(config, project_rng.Generator(config.seed).spawn(2)[0])


def test_engine_is_validated_and_kept_by_to_dict():
    with pytest.raises(ValueError, match="engine"):
        GANConfig(engine="slow")
    config = GANConfig(engine="textbook")
    assert GANConfig.from_dict(config.to_dict()).engine == "textbook"


def test_the_stacked_ensemble_refuses_the_reference_engine():
    from gan.lab.ensemble import EnsembleGAN
    configs = [GANConfig(engine="textbook", seed=s) for s in range(2)]
    with pytest.raises(ValueError, match="fast engine only"):
        EnsembleGAN(configs, [np.random.default_rng(s) for s in range(2)])
