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
