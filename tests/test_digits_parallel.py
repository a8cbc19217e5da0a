"""gan.digits.parallel: the comparison's trainings on worker processes are the trainings the
main process would make, bitwise, and bad arguments are refused before any work."""

import numpy as np
import pytest

from gan.datasets import load_digits
from gan.digits.parallel import train_seeds

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
