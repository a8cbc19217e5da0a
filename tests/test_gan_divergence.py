"""gan.divergence: a blown-up run stops with the step, the last sane losses and the likely cause,
for every optimiser and dtype, even when every number stays finite."""

import re

import numpy as np
import pytest

from gan.config import GANConfig
from gan.distributions import Normal
from gan.divergence import Criterion, check_target_scale, representable_scale
from gan.lab.ensemble import train_ensemble
from gan.divergence import TrainingDiverged
from gan.train import train

SMALL = dict(g_hidden=(8,), d_hidden=(8,), batch_size=32, steps=50, snapshot_every=10)


@pytest.mark.parametrize("exponent", range(3, 10))
def test_float64_adam_at_a_huge_learning_rate_stops_naming_the_step(exponent):
    # The case: Adam's steps have the size of lr whatever the gradient, so the weights
    # blow up while every number stays finite; the run used to report G mean 1.2e9, std 0.
    lr = 10.0**exponent
    with pytest.raises(TrainingDiverged) as caught:
        train(GANConfig(lr_g=lr, lr_d=lr, **SMALL))
    message = str(caught.value)
    assert re.search(r"training diverged at step \d+: ", message)
    assert f"lr_g={lr:g}" in message and "try smaller learning rates" in message


def test_the_message_gives_the_last_sane_losses_of_the_step_before():
    with pytest.raises(TrainingDiverged) as caught:
        train(GANConfig(optimizer="sgd", lr_g=0.3, lr_d=0.3, steps=50, snapshot_every=0))
    step = int(re.search(r"at step (\d+)", str(caught.value)).group(1))
    assert step > 1
    assert f"the last sane losses (step {step - 1}) were d_loss=" in str(caught.value)


def test_a_healthy_run_stays_far_inside_every_bound():
    # No false alarms: the default settings' weights and samples stay 100x inside the bounds.
    config = GANConfig(steps=300, snapshot_every=100)
    result = train(config)
    criterion = Criterion(config.target, config.dtype)
    assert np.abs(result.G.flat_params).max() < criterion.weight_bound / 100
    assert np.abs(result.D.flat_params).max() < criterion.weight_bound / 100
    assert abs(result.metrics["mean"]) + result.metrics["std"] < criterion.sample_bound / 100


def test_a_target_near_what_float32_represents_is_named_as_the_cause():
    limit = representable_scale("float32")
    target = Normal(0.0, limit / 600)                   # bulk reaches ~ 1e-2 of the limit
    with pytest.raises(TrainingDiverged, match="the target's scale .* float32 can train on"):
        train(GANConfig(target=target, dtype="float32", **SMALL))


@pytest.mark.parametrize("dtype, sigma", [("float64", 1e300), ("float64", 1e151),
                                          ("float32", 1e16)])
def test_a_target_beyond_what_the_dtype_represents_is_refused_before_training(dtype, sigma):
    with pytest.raises(ValueError, match=f"outside what {dtype} can train on"):
        GANConfig(target=Normal(0.0, sigma), dtype=dtype)
    check_target_scale(Normal(0.0, representable_scale(dtype) / 10), dtype)  # inside: accepted


@pytest.mark.parametrize("lr", [2e-3, 3.0, 1e3, 1e9])
@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop"])
def test_an_ensemble_member_diverges_at_the_step_train_does(lr, optimizer):
    config = GANConfig(engine="fast",
                       optimizer=optimizer, lr_g=lr, lr_d=lr, **{**SMALL, "snapshot_every": 0})
    try:
        train(config)
        expected = None
    except TrainingDiverged as error:
        expected = int(re.search(r"at step (\d+)", str(error)).group(1))
    (member,) = train_ensemble([config])
    assert member.metrics.get("diverged_at") == expected


def test_each_bound_of_the_criterion_fires_alone_just_beyond_it():
    from nn.fast import MLP

    criterion = Criterion(Normal(-1, 1), "float64")
    G, D = (MLP([1, 3, 1], rng=np.random.default_rng(seed)) for seed in (0, 1))
    assert criterion.check_weights(G, D) is None
    D.flat_params[2] = -1.01 * criterion.weight_bound
    assert "a weight of D reached" in criterion.check_weights(G, D)
    D.flat_params[2] = np.nan
    assert "D's weights stopped being finite" in criterion.check_weights(G, D)
    assert criterion.check_losses(0.7, 1e5) is None
    assert "a loss went beyond" in criterion.check_losses(0.7, -1.01 * criterion.loss_bound)
    assert "stopped being finite" in criterion.check_losses(np.inf, 0.7)
    assert criterion.check_samples(-1.0, criterion.sample_bound / 2) is None
    assert "G's samples reached" in criterion.check_samples(criterion.sample_bound, 1.0)
