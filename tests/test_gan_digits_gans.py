"""GANs on the digits (gan.digits.gans) and their sample grids (gan.digits.grids): each game's
two updates against finite differences of the composed loss, shapes, the DCGAN's five rules read
off the built networks, determinism for a seed, and a short conditional run that a classifier
reads far above chance."""

import numpy as np
import pytest

from gan.digits.datasets import load_digits
from gan.digits.classifier import train_classifier
from gan.digits.dcgan import DCGAN, dcgan_players
from gan.digits.gans import (ConditionalDigitsGAN, Digits, DigitsConfig, DigitsGAN, to_data_range,
                             to_pixels)
from gan.digits.grids import tile
from gan.digits.fidelity import label_accuracy
from gan.objectives import softplus
from gan.train import train
from gan.variants.conditional import sample_labels
from nn.fast import (BatchNorm1d, BatchNorm2d, Conv2d, ConvTranspose2d, Flatten, LeakyReLU, Linear,
                ReLU, Reshape, Tanh)
from nn.gradcheck import compare


@pytest.fixture(scope="module")
def digits():
    return load_digits(n_train=1000, n_test=300)


def tiny_config(digits, flat, **changes):
    (images, labels), _ = digits
    settings = dict(target=Digits(images, labels, flat=flat), width=2, noise_dim=4, g_hidden=(8,),
                    d_hidden=(8,), batch_size=4, dtype="float64", snapshot_every=0)
    return DigitsConfig(**{**settings, **changes})


GAMES = [(DigitsGAN, True), (ConditionalDigitsGAN, True), (DCGAN, False)]
GAME_IDS = ["mlp", "conditional", "dcgan"]
# the conditional settings lesson 17 uses (Adam rates of G and D, one-hot label scale)
CONDITIONAL_SETTINGS = dict(lr_g=5e-4, lr_d=1e-3, label_scale=8.0)


class _Still:
    """An optimiser that moves nothing, so an update leaves its gradient to be read."""

    def step(self):
        pass


def central_differences(f, flat, indices, eps=1e-5):
    """(f(theta + eps e_i) - f(theta - eps e_i)) / (2 eps) for the chosen coordinates i."""
    values = []
    for i in indices:
        original = flat[i]
        flat[i] = original + eps
        above = f()
        flat[i] = original - eps
        below = f()
        flat[i] = original
        values.append((above - below) / (2 * eps))
    return np.array(values)


def still_game(game_class, config):
    game = game_class(config, np.random.default_rng(0))
    game.opt_d = game.opt_g = _Still()
    return game


def drawn_pairs(game, rng):
    """The real and fake minibatches an update draws from ``rng``, as D's inputs."""
    m, target = game.config.batch_size, game.config.target
    if game.conditional:
        x_real, c_real = target.sample_labelled(m, rng)
        c_fake = sample_labels(target.weights, m, rng)
        x_fake = game.generate(game.sample_noise(m, rng), c_fake)
        return game.joined(x_real, c_real), game.joined(x_fake, c_fake)
    return game.sample_real(m, rng), game.G.forward(game.sample_noise(m, rng))


@pytest.mark.parametrize("game_class, flat", GAMES, ids=GAME_IDS)
def test_discriminator_update_descends_the_finite_difference_gradient_of_L_D(digits, game_class,
                                                                               flat):
    """L_D(theta_d) = mean softplus(-D(x)) + mean softplus(D(G(z))), real and fake batches each
    through D on their own (BatchNorm's statistics included), differentiated numerically."""
    game = still_game(game_class, tiny_config(digits, flat))
    game.discriminator_update(1, np.random.default_rng(5))
    analytic = game.D.flat_grads.copy()
    x_real, x_fake = drawn_pairs(game, np.random.default_rng(5))

    def loss():
        return float(softplus(-game.D.forward(x_real)).mean()
                     + softplus(game.D.forward(x_fake)).mean())

    chosen = np.random.default_rng(1).choice(game.D.flat_params.size, 80, replace=False)
    result = compare([analytic[chosen]], [central_differences(loss, game.D.flat_params, chosen)])
    assert result.max_relative_error < 1e-5, str(result)


@pytest.mark.parametrize("game_class, flat", GAMES, ids=GAME_IDS)
def test_generator_update_descends_the_finite_difference_gradient_of_L_G(digits, game_class,
                                                                           flat):
    """The non-saturating L_G(theta_g) = mean softplus(-D(G(z))) (with D(., c) and G(., c) at
    the drawn labels in the conditional game), differentiated numerically through D."""
    game = still_game(game_class, tiny_config(digits, flat))
    game.generator_update(1, np.random.default_rng(7))
    analytic = game.G.flat_grads.copy()
    rng = np.random.default_rng(7)
    if game.conditional:
        c = sample_labels(game.config.target.weights, game.config.batch_size, rng)
        z = game.sample_noise(game.config.batch_size, rng)

        def loss():
            return float(softplus(-game.D.forward(game.joined(game.generate(z, c), c))).mean())
    else:
        z = game.sample_noise(game.config.batch_size, rng)

        def loss():
            return float(softplus(-game.D.forward(game.G.forward(z))).mean())

    chosen = np.random.default_rng(1).choice(game.G.flat_params.size, 80, replace=False)
    result = compare([analytic[chosen]], [central_differences(loss, game.G.flat_params, chosen)])
    assert result.max_relative_error < 1e-5, str(result)


@pytest.mark.parametrize("game_class, flat", GAMES, ids=GAME_IDS)
def test_players_map_noise_to_images_in_the_data_range_and_images_to_one_logit(digits,
                                                                               game_class, flat):
    game = game_class(tiny_config(digits, flat), np.random.default_rng(0))
    labels = np.arange(6) % 10
    pixels = game.sample(6, np.random.default_rng(1), labels)
    assert pixels.shape == (6, 1, 32, 32)
    assert pixels.min() >= 0 and pixels.max() <= 1               # Tanh output, rescaled
    x = game.config.target.sample(6, np.random.default_rng(2))
    assert x.shape == ((6, 1024) if flat else (6, 1, 32, 32))
    logits = game._discriminate(x, labels)
    assert logits.shape == (6, 1)


def test_digits_target_serves_the_images_rescaled_to_minus_one_one(digits):
    (images, labels), _ = digits
    target = Digits(images, labels, flat=False)
    x, c = target.sample_labelled(100, np.random.default_rng(0))
    assert set(np.unique(x)) <= {-1.0, 1.0}                      # binary pixels 0, 1 -> -1, 1
    assert np.array_equal(to_pixels(to_data_range(images)), images)
    # a drawn pair is a data-set pair: the image with its own label
    matches = (target.x.reshape(len(target), -1)[None] == x.reshape(100, 1, -1)).all(axis=2)
    assert all(c[i] in target.labels[matches[i]] for i in range(100))
    assert np.isclose(target.weights.sum(), 1.0)


def test_dcgan_players_follow_the_five_rules_of_radford_et_al():
    G, D = dcgan_players(noise_dim=8, width=4, rng=np.random.default_rng(0))
    g_types, d_types = [type(layer) for layer in G.layers], [type(layer) for layer in D.layers]
    # 1. strided convolutions in D, fractional-strided in G, no pooling layer at all
    assert all(layer.stride == (2, 2) for layer in D.layers if isinstance(layer, Conv2d))
    assert sum(t is ConvTranspose2d for t in g_types) == 3
    assert sum(t is Conv2d for t in d_types) == 3
    assert all(layer.stride == (2, 2) for layer in G.layers if isinstance(layer, ConvTranspose2d))
    # 2. BatchNorm in both, but not on G's output nor on D's input
    assert BatchNorm2d in g_types and BatchNorm2d in d_types
    assert type(D.layers[0]) is Conv2d and type(D.layers[1]) is LeakyReLU
    assert g_types[-2:] == [ConvTranspose2d, Tanh]
    # 3. no fully connected hidden layer: G's only Linear projects z (then Reshape), D's only
    #    Linear reads the flattened last maps into the logit
    assert [i for i, t in enumerate(g_types) if t is Linear] == [0] and g_types[1] is Reshape
    assert [i for i, t in enumerate(d_types) if t is Linear] == [len(d_types) - 1]
    assert d_types[-2] is Flatten
    # 4. ReLU in G with a Tanh output; 5. LeakyReLU(0.2) in D, no other activations
    assert {t for t in g_types if t in (ReLU, LeakyReLU, Tanh)} == {ReLU, Tanh}
    assert {t for t in d_types if t in (ReLU, LeakyReLU, Tanh)} == {LeakyReLU}
    assert all(layer.slope == 0.2 for layer in D.layers if isinstance(layer, LeakyReLU))
    assert BatchNorm1d not in g_types + d_types
    image = G.forward(np.random.default_rng(1).standard_normal((3, 8)))
    assert image.shape == (3, 1, 32, 32) and D.forward(image).shape == (3, 1)


def test_dcgan_weights_start_from_normal_with_standard_deviation_0_02():
    """Radford et al. 2016, section 4. With n weights the sample standard deviation has relative
    standard error about 1 / sqrt(2 n): for n >= 16384 (G's projection) that is 0.0055; allow 5%."""
    G, _ = dcgan_players(noise_dim=16, width=16, rng=np.random.default_rng(0))
    weights = G.layers[0].W
    assert weights.size >= 16384
    assert abs(weights.std() / 0.02 - 1) < 0.05


@pytest.mark.parametrize("game_class, flat", GAMES, ids=GAME_IDS)
def test_training_is_a_function_of_the_seed(digits, game_class, flat):
    config = tiny_config(digits, flat, steps=3, batch_size=8)
    first, again = (train(config, game=game_class) for _ in range(2))
    other = train(config.replace(seed=1), game=game_class)
    assert np.array_equal(first.G.flat_params, again.G.flat_params)
    assert np.array_equal(first.D.flat_params, again.D.flat_params)
    assert not np.array_equal(first.G.flat_params, other.G.flat_params)


def test_snapshots_keep_a_grid_of_the_same_noise_per_class_without_moving_training(digits):
    config = tiny_config(digits, False, steps=4, batch_size=8, grid_columns=3)
    watched = train(config.replace(snapshot_every=2), game=DCGAN)
    unwatched = train(config, game=DCGAN)
    assert np.array_equal(watched.G.flat_params, unwatched.G.flat_params)
    grids = np.asarray(watched.history.x_of_z)
    assert grids.shape == (3, 10, 3, 32, 32)                     # steps 0, 2 and 4
    assert grids.min() >= 0 and grids.max() <= 1
    assert not np.array_equal(grids[0], grids[-1])


def test_short_conditional_run_makes_digits_a_classifier_reads_as_their_label(digits):
    """A classifier trained here on the real digits reads the cGAN's samples of each requested
    class. Chance is 1/10; with 1000 samples its binomial standard error is
    sqrt(0.1 * 0.9 / 1000) = 0.0095, so 0.3 is 21 standard errors above chance."""
    (images, labels), (test_images, test_labels) = digits
    classifier = train_classifier(images, labels, np.random.default_rng(0), hidden_sizes=(128,),
                                  epochs=15)
    read_correctly, _ = label_accuracy(classifier, test_images, test_labels)
    assert read_correctly > 0.8                          # the referee itself reads real digits
    config = DigitsConfig(target=Digits(images, labels), steps=300, snapshot_every=0,
                          dtype="float32", **CONDITIONAL_SETTINGS)
    result = train(config, game=ConditionalDigitsGAN)
    game = ConditionalDigitsGAN.from_players(config, result.G, result.D)
    requested = np.arange(1000) % 10
    samples = game.sample(1000, np.random.default_rng(3), requested)
    overall, _ = label_accuracy(classifier, samples, requested)
    assert overall > 0.3



def test_tile_puts_image_r_c_at_its_offset():
    grid = np.random.default_rng(0).random((3, 4, 5, 6))
    canvas = tile(grid, gap=2, background=0.5)
    assert canvas.shape == (3 * 7 - 2, 4 * 8 - 2)
    for r, c in ((0, 0), (2, 3), (1, 2)):
        assert np.array_equal(canvas[7 * r:7 * r + 5, 8 * c:8 * c + 6], grid[r, c])
    assert np.all(canvas[5:7, :] == 0.5)


@pytest.mark.parametrize("bad, error", [
    (dict(width=0), ValueError), (dict(grid_columns=-1), ValueError),
    (dict(lr_d=-1.0), ValueError), (dict(target="digits"), TypeError),
    (dict(label_scale=0.0), ValueError),
])
def test_config_rejects_bad_settings_naming_them(digits, bad, error):
    with pytest.raises(error, match=next(iter(bad))):
        tiny_config(digits, True, **bad)


def test_games_reject_the_wrong_target_shape(digits):
    with pytest.raises(ValueError, match="flat"):
        DCGAN(tiny_config(digits, True), np.random.default_rng(0))
    with pytest.raises(ValueError, match="flat"):
        DigitsGAN(tiny_config(digits, False), np.random.default_rng(0))


def test_digits_rejects_pixels_outside_zero_one_and_bad_labels(digits):
    (images, labels), _ = digits
    with pytest.raises(ValueError, match="images"):
        Digits(images * 2, labels)
    with pytest.raises(ValueError, match="labels"):
        Digits(images, labels + 10)


def test_mean_discriminator_output_in_snapshot_is_a_probability(digits):
    game = DigitsGAN(tiny_config(digits, True), np.random.default_rng(0))
    snap = game.measurer.snapshot(game, game.measurer.setup(game, np.random.default_rng(1)))
    assert np.all((snap["D_grid"] > 0) & (snap["D_grid"] < 1))
    assert np.isclose(snap["mean"], snap["p_g_grid"].mean())
