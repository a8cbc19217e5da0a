"""Algorithm 1 and its pieces: D alone reaches D*, runs are reproducible, bad input is named."""

import numpy as np
import pytest

import rng
from gan.config import GANConfig
from gan.distributions import Normal
from gan.measure import discriminator_on
from gan.theory import optimal_discriminator
from gan.game import generator_step
from gan.divergence import TrainingDiverged
from gan.train import fit_discriminator, learning_rate_factor, train
from nn.fast import MLP
from nn.fast.optim import SGD


def test_fit_discriminator_reaches_the_optimal_discriminator():
    """Proposition 1: for a fixed G, D -> D* = p_data / (p_data + p_g).

    2000 steps of m = 256 from each distribution; the learning rate decays to 0, so the
    remaining error is the network's bias plus the last steps' minibatch noise. The bound
    0.03 (the default run's tolerance) is checked where (p_data + p_g)/2 > 0.05, where samples fall often
    enough for D to be pinned down; outside, D* is not learnable from data.
    """
    p_data, p_g = Normal(-1.0, 1.0), Normal(1.0, 0.7)
    generator = rng.Generator(3)
    D = MLP([1, 32, 32, 1], rng=generator)
    fit_discriminator(D, p_data, p_g, steps=2000, batch_size=256, rng=generator)
    x = np.linspace(-4.0, 3.5, 600)
    carries_mass = (p_data.pdf(x) + p_g.pdf(x)) / 2 > 0.05
    deviation = np.abs(discriminator_on(D, x) - optimal_discriminator(p_data, p_g)(x))
    assert deviation[carries_mass].max() < 0.03


def test_same_seed_gives_bitwise_the_same_run():
    config = GANConfig(steps=60, snapshot_every=20, seed=5)
    first, second = train(config), train(config)
    np.testing.assert_array_equal(first.G.flat_params, second.G.flat_params)
    np.testing.assert_array_equal(first.D.flat_params, second.D.flat_params)
    np.testing.assert_array_equal(first.history.d_loss, second.history.d_loss)
    assert first.metrics["jsd"] == second.metrics["jsd"]


def test_snapshots_do_not_change_the_trajectory():
    with_snapshots = train(GANConfig(steps=40, snapshot_every=7, seed=1))
    without = train(GANConfig(steps=40, snapshot_every=0, seed=1))
    np.testing.assert_array_equal(with_snapshots.G.flat_params, without.G.flat_params)
    assert with_snapshots.history.snapshot_steps == [0, 7, 14, 21, 28, 35, 40]


def test_different_seeds_give_different_runs():
    a, b = train(GANConfig(steps=5, snapshot_every=0, seed=0)), train(
        GANConfig(steps=5, snapshot_every=0, seed=1)
    )
    assert not np.array_equal(a.G.flat_params, b.G.flat_params)


def test_generator_step_moves_fakes_towards_where_d_says_real():
    """The G update follows dL_G/dx = dL_G/dl * dl/dx: fakes drift up D's logit slope."""
    generator = np.random.default_rng(0)
    G = MLP([1, 8, 1], rng=generator)
    D = MLP([1, 1], rng=generator)  # a logistic regression, l = w x + b
    D.layers[0].W[...] = 2.0  # D(x) grows with x: "real" lies to the right
    z = generator.normal(size=(64, 1))
    before = G.forward(z).mean()
    for _ in range(20):
        generator_step(G, D, SGD(G, lr=0.05), z)
    assert G.forward(z).mean() > before + 0.1


@pytest.mark.parametrize("schedule", ["linear", "cosine"])
def test_learning_rate_holds_then_decays_towards_zero(schedule):
    """Step t of 100 with decay from step 50: s = (t - 1 - 50) / 50 of the decay is done
    when step t is taken, so the last step runs at 1/50 of it (linear) and the next would
    run at 0."""
    factors = np.array([learning_rate_factor(t, 100, schedule, decay_start=0.5)
                        for t in range(1, 101)])
    s = np.clip((np.arange(1, 101) - 1 - 50) / 50, 0, 1)
    expected = 1 - s if schedule == "linear" else (1 + np.cos(np.pi * s)) / 2
    np.testing.assert_allclose(factors, expected, rtol=1e-15, atol=1e-15)
    assert factors[:51].min() == 1.0 and np.all(np.diff(factors) <= 0)


def test_divergence_stops_with_the_step_named():
    config = GANConfig(steps=50, optimizer="sgd", lr_g=1e8, lr_d=1e8, snapshot_every=0)
    with pytest.raises(TrainingDiverged, match=r"diverged at step \d+.*smaller learning rates"):
        train(config)


@pytest.mark.parametrize(
    "field, bad, message",
    [
        ("k", 0, "k must be a positive integer, got 0"),
        ("batch_size", -3, "batch_size must be a positive integer"),
        ("steps", 2.5, "steps must be a positive integer"),
        ("lr_d", -1e-3, "lr_d must be a positive finite number"),
        ("lr_g", float("nan"), "lr_g must be a positive finite number"),
        ("betas", (0.5, 1.0), r"betas must be two numbers in \[0, 1\)"),
        ("g_loss", "wasserstein", "g_loss must be one of"),
        ("optimizer", "adagrad", "optimizer must be one of"),
        ("dtype", "float16", "dtype must be one of"),
        ("g_activation", "swish", "g_activation must be one of"),
        ("d_activation", "gelu", "d_activation must be one of"),
        ("g_hidden", (32, 0), "g_hidden must be a tuple of positive integers"),
        ("seed", -1, "seed must be a non-negative integer"),
        ("snapshot_every", -5, "snapshot_every must be a non-negative integer"),
        ("average_last", 1.0, r"average_last must be in \[0, 1\)"),
        ("lr_schedule", "step", "lr_schedule must be one of"),
        ("prior", "cauchy", "prior must be one of"),
    ],
)
def test_bad_config_is_named(field, bad, message):
    with pytest.raises(ValueError, match=message):
        GANConfig(**{field: bad})


def test_config_round_trips_through_a_dict():
    config = GANConfig(target=Normal(2.0, 0.5), g_hidden=(8, 8), seed=9)
    assert GANConfig.from_dict(config.to_dict()) == config


def test_unknown_config_field_is_an_error():
    with pytest.raises(ValueError, match="unknown config fields"):
        GANConfig.from_dict({"stpes": 10})


def test_float32_runs_stay_float32():
    result = train(GANConfig(steps=5, snapshot_every=0, dtype="float32"))
    assert result.G.flat_params.dtype == np.float32
    assert result.D.flat_params.dtype == np.float32


@pytest.mark.parametrize("seed", [0, 1])
def test_default_run_converges_to_the_target(seed):
    """The default run's criteria (gan.lab.success.DefaultRun): JSD < 0.005 nats, mean and std within 0.05 of
    N(-1, 1)'s, and D within 0.05 of 1/2 on p_data's central 95%. The mean and std are of
    100k generated samples, whose own sampling error (1/sqrt(1e5) ~ 0.003) is far inside
    the tolerance; experiments/convergence_table.py runs all 20 seeds."""
    metrics = train(GANConfig(seed=seed, snapshot_every=0)).metrics
    assert metrics["jsd"] < 0.005
    assert abs(metrics["mean"] + 1) < 0.05
    assert abs(metrics["std"] - 1) < 0.05
    assert metrics["d_max_dev"] < 0.05


def test_a_2d_target_is_measured_in_the_plane_and_the_line_measurer_points_there():
    from gan.measure import Line
    from gan.targets2d import ring

    config = GANConfig(target=ring(), noise_dim=2, g_hidden=(4,), d_hidden=(4,), steps=2,
                       snapshot_every=0)
    assert 0 <= train(config).metrics["modes_covered"] <= 8       # gan.targets2d.Plane's
    with pytest.raises(ValueError, match=r"measurer=gan.targets2d.Plane\(\)"):
        train(config, measurer=Line())


class _RecordingSGD(SGD):
    """SGD that records the learning rate of every step it takes."""

    def step(self):
        self.rates = getattr(self, "rates", []) + [self.lr]
        return super().step()


@pytest.mark.parametrize("schedule", ["constant", "linear", "cosine"])
def test_fit_discriminator_steps_at_the_learning_rates_of_its_schedule(schedule):
    """Step t of T runs at base_lr times 1 (constant), 1 - (t - 1) / T (linear) or
    (1 + cos(pi (t - 1) / T)) / 2 (cosine), written out here from their definitions; the
    optimiser's base rate is restored afterwards."""
    steps, base_lr = 8, 0.1
    generator = np.random.default_rng(2)
    D = MLP([1, 3, 1], rng=generator)
    optimizer = _RecordingSGD(D, lr=base_lr)
    fit_discriminator(D, Normal(0, 1), Normal(1, 1), steps=steps, batch_size=4, rng=generator,
                      optimizer=optimizer, lr_schedule=schedule)
    fraction_done = np.arange(steps) / steps
    factor = {"constant": np.ones(steps), "linear": 1 - fraction_done,
              "cosine": (1 + np.cos(np.pi * fraction_done)) / 2}[schedule]
    np.testing.assert_allclose(optimizer.rates, base_lr * factor, rtol=1e-15, atol=1e-17)
    assert optimizer.lr == base_lr
