"""The games of gan.variants.minibatch_gan, gan.digits.gans, gan.digits.dcgan and
gan.digits.infogan on either engine: a few iterations of Algorithm 1 from one seed agree between
nn.fast and the textbook nn (tests/test_gan_engine.py does the same for the default game,
WGAN-GP and the conditional GAN).

Tolerances, with their reasons:
- minibatch discrimination (no BatchNorm): the engines differ by a few roundings per step (the
  bias gradient summed in another order, Adam's folded bias correction; tests/test_nn_parity.py),
  ~1e-16 relative; five iterations keep that below 1e-15 (measured: < 1e-16), so 1e-12.
- the digits games have BatchNorm after their hidden Linear / Conv2d layers. BatchNorm subtracts
  the batch mean, so the loss is flat along those layers' biases: their true gradient is 0 and
  the computed one is rounding noise (~1e-17), which the two engines round differently and Adam
  divides by its own square root. Those biases drift apart (measured ~1e-9 after 5 steps) without
  changing anything the networks compute. They are left out of the comparison; every other
  parameter and the players' outputs on fixed inputs must agree to 1e-12 relative (measured:
  <= 3e-17 for the parameters, <= 7e-16 for the outputs; BatchNorm's 1/sigma over a batch of 4
  amplifies roundings, hence the headroom).
A wrong kernel or game piece changes the first step by an order-1 relative amount.
"""

import functools

import numpy as np
import pytest

import rng as project_rng
from gan.config import GANConfig
from gan.digits.datasets import load_digits
from gan.digits.dcgan import DCGAN
from gan.digits.gans import ConditionalDigitsGAN, Digits, DigitsConfig, DigitsGAN
from gan.digits.infogan import DigitsInfoGAN
from gan.engine import engine_of
from gan.train import iteration
from gan.variants.minibatch_gan import BIMODAL_TARGET, MinibatchDiscriminationGAN

ITERATIONS = 5


def run(game_class, config):
    """The game after ITERATIONS iterations from config.seed, and its players at the start."""
    train_rng = project_rng.Generator(config.seed).spawn(2)[0]
    game = game_class(config, train_rng)
    start = {name: getattr(game, name).flat_params.copy() for name in "GD"}
    for step in range(1, ITERATIONS + 1):
        iteration(game, step, train_rng)
    return game, start


def compared_parameters(network):
    """The parameters the loss depends on: all but the biases that feed a BatchNorm."""
    kept = []
    for layer, after in zip(network.layers, network.layers[1:] + [None]):
        before_norm = type(after).__name__.startswith("BatchNorm")
        kept += [getattr(layer, name) for name in layer.parameter_names
                 if not (before_norm and name == "b")]
    return np.concatenate([theta.ravel() for theta in kept])


def relative_error(a, b):
    return np.abs(a - b).max() / np.abs(a).max()


def assert_engines_agree(game_class, config, tolerance):
    (fast, start), (reference, _) = run(game_class, config), run(
        game_class, config.replace(engine="textbook"))
    assert engine_of(fast.D) == "fast" and engine_of(reference.D) == "textbook"
    for name in "GD":
        theta_fast = getattr(fast, name).flat_params
        assert relative_error(theta_fast, start[name]) > 1e-6      # training did move
        error = relative_error(compared_parameters(getattr(fast, name)),
                               compared_parameters(getattr(reference, name)))
        assert error < tolerance, (name, error)
    return fast, reference


@pytest.mark.parametrize("placement", [dict(on="input"), dict(on="hidden", share=False)],
                         ids=["input", "hidden"])
def test_minibatch_discrimination_agrees_between_engines(placement):
    config = GANConfig(engine="fast",
                       target=BIMODAL_TARGET, batch_size=16, g_hidden=(8,), d_hidden=(8,),
                       seed=1)
    game = functools.partial(MinibatchDiscriminationGAN, kernel_dim=2, **placement)
    fast, reference = assert_engines_agree(game, config, 1e-12)
    # D judged inside a fake batch: the fast layer's `against`, the textbook engine's
    # definition (D on each batch [x, G(z_1), ..., G(z_{m-1})])
    points = np.linspace(-4.0, 4.0, 41)
    z = config.p_z.sample(16, np.random.default_rng(2))
    judged_fast = fast.discriminator_in_batch(points, z)
    judged_reference = reference.discriminator_in_batch(points, z)
    assert np.ptp(judged_fast) > 1e-3                   # D does tell the points apart
    np.testing.assert_allclose(judged_reference, judged_fast, rtol=1e-12, atol=0)


@pytest.fixture(scope="module")
def digits():
    return load_digits(n_train=200, n_test=10)


DIGITS_GAMES = [(DigitsGAN, True), (ConditionalDigitsGAN, True), (DCGAN, False),
                (DigitsInfoGAN, True)]


@pytest.mark.parametrize("game_class, flat", DIGITS_GAMES,
                         ids=["mlp", "conditional", "dcgan", "infogan"])
def test_digits_games_agree_between_engines(digits, game_class, flat):
    (images, labels), _ = digits
    config = DigitsConfig(target=Digits(images, labels, flat=flat), width=2, noise_dim=4,
                          g_hidden=(8,), d_hidden=(8,), batch_size=4, dtype="float64",
                          snapshot_every=0)
    fast, reference = assert_engines_agree(game_class, config, 1e-12)
    # what the players compute on fixed inputs (BatchNorm on the batch's own statistics)
    setup_rng = np.random.default_rng(4)
    setup = fast.measurer.setup(fast, setup_rng)
    labels = setup["grid"]
    for name, inputs in (("G", (setup["z_line"], labels)), ("D", (setup["x_real"], labels))):
        method = "_generate" if name == "G" else "_discriminate"
        out_fast = getattr(fast, method)(*inputs)
        out_reference = getattr(reference, method)(*inputs)
        assert relative_error(out_fast, out_reference) < 1e-12, name


@pytest.mark.parametrize("game_class, flat", [(DigitsGAN, True), (ConditionalDigitsGAN, True),
                                              (DCGAN, False)], ids=["mlp", "conditional", "dcgan"])
def test_the_digits_games_draw_through_the_minibatch_hook(digits, game_class, flat):
    (images, labels), _ = digits
    config = DigitsConfig(target=Digits(images, labels, flat=flat), width=2, noise_dim=4,
                          g_hidden=(4,), d_hidden=(4,), batch_size=4, snapshot_every=0)
    game = game_class(config, np.random.default_rng(0))
    seen, original = [], game.minibatch
    game.minibatch = lambda step, rng: seen.append(original(step, rng)) or seen[-1]
    game.discriminator_update(1, np.random.default_rng(1))
    assert len(seen) == 1 and len(seen[0][0]) == len(seen[0][1]) == 4     # the one prelude
