"""gan.divergence: a blown-up run stops with the step, the last sane losses and the likely cause,
for every optimiser and dtype, even when every number stays finite."""

import re

import numpy as np
import pytest

from gan.config import GANConfig
from gan.distributions import Normal
from gan.divergence import Criterion, check_target_scale, likely_causes, representable_scale
from gan.dynamics.training import UpdateRule
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


def test_a_huge_penalty_weight_is_blamed_not_the_learning_rates():
    # R1 = 1e308 overflows the penalty at step 1 at the default learning rates: the evidence
    # is the weight, so the message names it (and the flag to change), not the learning rates.
    with pytest.raises(TrainingDiverged) as caught:
        train(GANConfig(**SMALL), update=UpdateRule(r1=1e308))
    message = str(caught.value)
    assert "Likely cause: the update rule's penalty weight r1=1e+308 is far above 1000" in message
    assert "try --r1 10 or less" in message and "learning rates" not in message


def test_a_target_of_huge_scale_is_blamed_not_the_learning_rates():
    # sigma = 1e140 is inside what float64 represents (~1.3e150), so training starts; D's
    # logits on the data alone are then ~1e139, far beyond the loss bound, at any learning rate.
    with pytest.raises(TrainingDiverged) as caught:
        train(GANConfig(target=Normal(0, 1e140), **SMALL))
    message = str(caught.value)
    assert "Likely cause: the target's scale 4.89e+140 is far above the few units" in message
    assert "rescale the data" in message and "learning rates" not in message


@pytest.mark.parametrize("settings, update, named", [
    (dict(), None, ["learning rates"]),                      # no other evidence: the rates
    (dict(lr_g=1e3, lr_d=1e3), None, ["learning rates"]),
    (dict(), UpdateRule(r2=1e6), ["penalty weight r2=1e+06"]),
    (dict(lr_g=1e3, lr_d=1e3), UpdateRule(r1=1e6), ["penalty weight r1", "learning rates"]),
    (dict(target=Normal(0, 1e6)), None, ["target's scale 4.89e+06 is far above"]),
    (dict(target=Normal(0, 1e12), dtype="float32"), None, ["near the ~1.84e+15 that float32"]),
    (dict(target=Normal(0, 1e6), lr_g=1.0, lr_d=1.0), UpdateRule(r1=1e4),
     ["penalty weight r1", "target's scale", "learning rates"]),
])
def test_the_likely_cause_follows_the_evidence(settings, update, named):
    """Each suspect is named exactly when its evidence is there, the most certain first."""
    causes = likely_causes(GANConfig(**settings), update)
    assert len(causes) == len(named)
    for cause, words in zip(causes, named):
        assert words in cause


def test_a_rule_without_penalties_is_no_evidence_against_itself():
    assert "learning rates" in likely_causes(GANConfig(), UpdateRule())[0]


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
