"""gan.digits.parallel: the comparison's trainings on worker processes are the trainings the
main process would make, bitwise, and bad arguments are refused before any work."""

import copy

import numpy as np
import pytest

from gan.digits.datasets import load_digits
from gan.digits.parallel import fit_coders, train_and_score_seeds, train_games, train_seeds

MODELS = ("MLP GAN", "AE")          # one GAN rebuilt around its players, one coder


@pytest.fixture(scope="module")
def digits():
    (images, labels), _ = load_digits(n_train=200, n_test=20, seed=0)
    return images, labels


def test_workers_train_what_the_main_process_trains(digits):
    here = train_seeds(*digits, seeds=(0, 1), preset="fast", models=MODELS, workers=1)
    there = train_seeds(*digits, seeds=(0, 1), preset="fast", models=MODELS, workers=2)
    labels = np.arange(20) % 10
    for seed in (0, 1):
        assert [model.name for model in there[seed]] == list(MODELS)
        for ours, theirs in zip(here[seed], there[seed]):
            assert theirs.conditional == ours.conditional
            np.testing.assert_array_equal(theirs.grids, ours.grids)
            np.testing.assert_array_equal(theirs.sampler(20, labels, np.random.default_rng(3)),
                                          ours.sampler(20, labels, np.random.default_rng(3)))
    # and the seeds differ from one another, so the equality above is not vacuous
    assert not np.array_equal(there[0][0].grids, there[1][0].grids)


@pytest.mark.parametrize("arguments, message", [
    (dict(seeds=()), "seeds"), (dict(seeds=(0, 0)), "seeds"), (dict(seeds=(-1,)), "seeds"),
    (dict(workers=0), "workers"), (dict(models=("GAN",)), "models"),
    (dict(preset="long"), "preset")])
def test_bad_arguments_are_refused(digits, arguments, message):
    call = {**dict(seeds=(0,), preset="fast", models=MODELS, workers=1), **arguments}
    with pytest.raises(ValueError, match=message):
        train_seeds(*digits, **call)


def _two_dcgan_configs(digits):
    from gan.digits.comparison import gan_config

    images, labels = digits
    config = gan_config("DCGAN", images, labels, preset="fast").replace(steps=4,
                                                                         snapshot_every=2)
    return [config, config.replace(prior="uniform", noise_dim=100)]


def test_configs_trained_on_workers_are_the_in_process_trainings(digits):
    from gan.digits.dcgan import DCGAN
    from gan.digits.parallel import train_configs

    configs = _two_dcgan_configs(digits)
    here = train_configs(configs, DCGAN, workers=1)
    there = train_configs(configs, DCGAN, workers=2)
    for ours, theirs, config in zip(here, there, configs):
        assert theirs.config is config
        np.testing.assert_array_equal(theirs.G.flat_params, ours.G.flat_params)
        np.testing.assert_array_equal(theirs.D.flat_params, ours.D.flat_params)
        np.testing.assert_array_equal(theirs.history.d_loss, ours.history.d_loss)
        np.testing.assert_array_equal(np.asarray(theirs.history.x_of_z),
                                      np.asarray(ours.history.x_of_z))
    # the two configurations train different players, so the equalities are not vacuous
    assert there[0].G.flat_params.size != there[1].G.flat_params.size
    assert not np.array_equal(there[0].history.d_loss, there[1].history.d_loss)


@pytest.mark.parametrize("arguments, error, message", [
    (dict(configs=[]), ValueError, "configs"), (dict(configs=["dcgan"]), TypeError, "configs"),
    (dict(game="DCGAN"), TypeError, "game"), (dict(workers=0), ValueError, "workers")])
def test_bad_train_configs_arguments_are_refused(digits, arguments, error, message):
    from gan.digits.dcgan import DCGAN
    from gan.digits.parallel import train_configs

    call = {**dict(configs=_two_dcgan_configs(digits), game=DCGAN, workers=1), **arguments}
    with pytest.raises(error, match=message):
        train_configs(**call)


def test_train_games_on_workers_are_the_in_process_trainings(digits):
    from gan.digits.comparison import gan_config
    from gan.digits.gans import ConditionalDigitsGAN, DigitsGAN
    from gan.digits.infogan import DigitsInfoGAN

    plain = gan_config("MLP GAN", *digits, preset="fast").replace(steps=6, snapshot_every=3)
    conditional = gan_config("cGAN (MLP)", *digits, preset="fast").replace(steps=6, seed=1)
    jobs = [(plain, DigitsGAN), (conditional, ConditionalDigitsGAN),
            (plain, lambda config, rng: DigitsInfoGAN(config, rng, continuous=2))]
    here, there = train_games(jobs, workers=1), train_games(jobs, workers=2)
    for ours, theirs, (config, _) in zip(here, there, jobs):
        assert theirs.config is config
        for player in ("G", "D"):
            np.testing.assert_array_equal(getattr(theirs, player).flat_params,
                                          getattr(ours, player).flat_params)
        np.testing.assert_array_equal(theirs.history.x_of_z, ours.history.x_of_z)
        assert ({k: v for k, v in theirs.metrics.items() if k != "seconds"}
                == {k: v for k, v in ours.metrics.items() if k != "seconds"})


@pytest.mark.parametrize("jobs, workers, message", [
    ([], 2, "jobs"), ([("config",)], 2, "jobs"), ([("config", None)], 2, "jobs"),
    ([("config", print)], 0, "workers")])
def test_train_games_refuses_bad_arguments(jobs, workers, message):
    with pytest.raises(ValueError, match=message):
        train_games(jobs, workers=workers)


def test_seeds_scored_on_workers_are_scored_as_here(digits):
    labels = np.arange(20) % 10

    def score(seed, trained):
        # what a score of the table draws: from a generator of the seed's own
        rng = np.random.default_rng(100 + seed)
        return [model.sampler(20, labels, rng) for model in trained]

    models = ("MLP GAN",)           # the cheapest: a GAN rebuilt in the scoring worker
    trained_here, here = train_and_score_seeds(*digits, seeds=(0, 1), score=score,
                                               preset="fast", models=models, workers=1)
    trained_there, there = train_and_score_seeds(*digits, seeds=(0, 1), score=score,
                                                 preset="fast", models=models, workers=2)
    assert list(there) == [0, 1]
    for seed in (0, 1):
        assert [model.name for model in trained_there[seed]] == list(models)
        np.testing.assert_array_equal(trained_there[seed][0].grids, trained_here[seed][0].grids)
        for ours, theirs in zip(here[seed], there[seed]):
            np.testing.assert_array_equal(theirs, ours)
    assert not np.array_equal(there[0][0], there[1][0])     # the seeds' scores differ


def test_train_and_score_refuses_bad_arguments(digits):
    with pytest.raises(ValueError, match="score"):
        train_and_score_seeds(*digits, seeds=(0,), score=None, preset="fast", models=MODELS)
    with pytest.raises(ValueError, match="seeds"):
        train_and_score_seeds(*digits, seeds=(0, 0), score=print, preset="fast")


def test_coders_fit_on_workers_are_the_fits_one_after_the_other(digits):
    from gan.digits.autoencoder import Autoencoder, VariationalAutoencoder

    images, settings = digits[0], dict(steps=5, batch_size=16)

    def coders():
        rng = np.random.default_rng(4)
        return (rng, Autoencoder(rng, hidden_sizes=(8,)),
                VariationalAutoencoder(rng, hidden_sizes=(8,)))

    # one process, one generator: the AE's fit, then the VAE's
    rng, *sequential = coders()
    losses = [coder.fit(images, rng, **settings) for coder in sequential]
    after = rng.random()
    # two processes: each generator advanced past the fits before it, without training
    rng, ae, vae = coders()
    ae_rng = copy.deepcopy(rng)
    ae.advance_past_fit(rng, len(images), **settings)
    vae_rng = copy.deepcopy(rng)
    vae.advance_past_fit(rng, len(images), **settings)
    fitted = fit_coders([(ae, images, ae_rng, settings), (vae, images, vae_rng, settings)])
    assert rng.random() == after            # the main generator ends where the fits leave it
    for (coder, coder_losses), expected, expected_losses in zip(fitted, sequential, losses):
        np.testing.assert_array_equal(coder_losses, expected_losses)
        for net in ("encoder", "decoder"):
            np.testing.assert_array_equal(getattr(coder, net).flat_params,
                                          getattr(expected, net).flat_params)
    assert not np.array_equal(losses[0][1:], losses[1][1:])     # two different fits
