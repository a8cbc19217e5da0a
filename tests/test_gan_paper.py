"""`--paper` and `GANConfig.paper()`: Algorithm 1 as Goodfellow et al. (2014) state it -- SGD with
momentum, k = 1, minibatches of m, G descending log(1 - D(G(z))), a constant learning rate, no
averaging -- and the pieces it rests on: the momentum of SGD and the minimax generator loss."""

import copy
import json

import numpy as np
import pytest
from scipy.special import expit as sigmoid

import rng
from gan.cli import build_parser, main
from gan.config import PAPER, GANConfig
from gan.game import GAN, make_optimizer
from nn import MLP as TextbookMLP
from nn.fast import MLP as FastMLP

# What the paper's Algorithm 1 and its experiments section say, and what the released code
# chose where the paper is silent (m, momentum), written out here rather than read from PAPER.
STATED = {"optimizer": "sgd", "momentum": 0.5, "lr_g": 0.01, "lr_d": 0.01, "k": 1,
          "batch_size": 100, "g_loss": "minimax", "lr_schedule": "constant",
          "average_last": 0.0, "decay_start": 0.0}
TINY = ["--steps", "3", "--g-hidden", "3", "--d-hidden", "4", "--grid-size", "16",
        "--snapshot-every", "0", "--no-progress", "--no-figures"]


def parsed(*argv):
    """The GANConfig `python -m gan train ARGV` would build (run's own field-by-field build)."""
    args = build_parser(full=("train",)).parse_args(["train", *argv])
    return GANConfig(**{name: getattr(args, name) for name in GANConfig().to_dict()})


def test_paper_sets_exactly_the_stated_values_and_nothing_else():
    assert PAPER == STATED
    config, default = parsed("--paper"), GANConfig()
    for name, value in config.to_dict().items():
        expected = STATED.get(name, default.to_dict()[name])
        assert value == expected, (name, value, expected)
    assert config == GANConfig.paper()


@pytest.mark.parametrize("argv", [
    ("--paper", "--g-loss", "non_saturating", "--batch-size", "64"),
    ("--g-loss", "non_saturating", "--batch-size", "64", "--paper"),    # the order is irrelevant
])
def test_explicit_flags_beside_paper_override_its_values(argv):
    config = parsed(*argv)
    assert (config.g_loss, config.batch_size) == ("non_saturating", 64)
    assert config == GANConfig.paper(g_loss="non_saturating", batch_size=64)
    assert (config.optimizer, config.momentum, config.lr_schedule) == ("sgd", 0.5, "constant")


@pytest.mark.parametrize("argv", [("--paper", "--optimizer", "adam"),
                                  ("--optimizer", "adam", "--paper")])
def test_another_optimizer_beside_paper_drops_sgds_momentum(argv):
    config = parsed(*argv)
    assert (config.optimizer, config.momentum, config.lr_d) == ("adam", 0.0, 0.01)
    assert parsed("--paper", "--momentum", "0.9").momentum == 0.9


def test_without_paper_the_defaults_are_untouched():
    assert parsed() == GANConfig()
    assert parsed("--g-loss", "minimax") == GANConfig(g_loss="minimax")


def test_config_json_of_a_paper_run_holds_its_values_and_rebuilds_the_run(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--paper", *TINY, "--out", str(out)]) == 0
    saved = json.loads((out / "config.json").read_text())
    for name, value in STATED.items():
        assert saved[name] == value, name
    config = GANConfig.from_dict(saved)
    assert config == GANConfig.paper(steps=3, g_hidden=(3,), d_hidden=(4,), grid_size=16,
                                     snapshot_every=0)
    metrics = json.loads((out / "metrics.json").read_text())
    from gan.train import train
    again = train(config).metrics
    assert (again["jsd"], again["mean"]) == (metrics["jsd"], metrics["mean"])  # the same run


# ---- SGD with momentum, by hand --------------------------------------------------------------
# The optimiser's documented form (nn/optim.py, PyTorch's): v <- mu v + g; theta <- theta - lr v,
# v starting at 0. It is the paper's code's form (pylearn2: u <- mu u - lr g; theta <- theta + u)
# with u = -lr v, the same iterates for a constant lr. The loss below has gradients computed by
# hand, so the test relies on nothing of the library but the network's forward.

def hand_gradients(W, b, x):
    """L = 1/2 mean over the batch of y^2, y = x W + b (one linear layer, one output):
    dL/dW = x^T y / m, dL/db = mean y."""
    y = x @ W + b
    return x.T @ y / len(x), y.mean(axis=0)


@pytest.mark.parametrize("MLP", [TextbookMLP, FastMLP], ids=["textbook", "fast"])
def test_sgd_momentum_follows_its_equation_for_two_steps(MLP):
    lr, mu = 0.1, 0.5
    net = MLP([2, 1], "tanh", rng=np.random.default_rng(0))
    optimizer = make_optimizer("sgd", net, lr, momentum=mu)
    x = np.random.default_rng(1).normal(size=(5, 2))
    W, b = (p.copy() for p in net.parameters())
    v_W, v_b = np.zeros_like(W), np.zeros_like(b)
    for _ in range(2):
        y = net.forward(x)
        net.backward(y / len(x))                             # dL/dy = y / m
        optimizer.step()
        g_W, g_b = hand_gradients(W, b, x)
        v_W, v_b = mu * v_W + g_W, mu * v_b + g_b            # v <- mu v + g
        W, b = W - lr * v_W, b - lr * v_b                    # theta <- theta - lr v
        np.testing.assert_allclose(net.parameters()[0], W, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(net.parameters()[1], b, rtol=1e-13, atol=1e-15)
    plain = W + lr * v_W - lr * g_W     # the second step without momentum: visibly elsewhere
    assert np.abs(plain - W).max() > 1e-3


@pytest.mark.parametrize("engine", ["textbook", "fast"])
def test_a_paper_game_builds_sgd_with_the_configs_momentum(engine):
    game = GAN(GANConfig.paper(engine=engine, steps=2), rng.Generator(0))
    for optimizer in (game.opt_d, game.opt_g):
        assert type(optimizer).__name__ == "SGD" and optimizer.momentum == 0.5


def test_an_ensemble_member_keeps_the_configs_momentum():
    from gan.lab.ensemble import EnsembleGAN
    configs = [GANConfig.paper(engine="fast", seed=s, steps=2) for s in range(2)]
    game = EnsembleGAN(configs, [rng.Generator(s) for s in range(2)])
    assert game.opt_d.momentum == game.opt_g.momentum == 0.5


# ---- the minimax generator loss ---------------------------------------------------------------

def generator_update_matches(kind, config):
    """Whether the game's first G update equals SGD's first step (theta <- theta - lr g, v = g) on
    the G loss `kind`, its derivative in the logit l = D's output written here:
    minimax L_G = mean log(1 - sigmoid(l)): dL_G/dl = -sigmoid(l) / m;
    non-saturating L_G = -mean log sigmoid(l): dL_G/dl = -sigmoid(-l) / m."""
    game = GAN(config, rng.Generator(3))
    stream = rng.Generator(4)
    hand, hand_stream = copy.deepcopy(game), copy.deepcopy(stream)
    game.generator_update(1, stream)
    z = hand.sample_noise(config.batch_size, hand_stream)
    logits = hand.D.forward(hand.G.forward(z))
    slope = sigmoid(logits) if kind == "minimax" else sigmoid(-logits)
    grad_x = hand.D.backward(-slope / config.batch_size, param_grads=False)
    hand.G.backward(grad_x)
    expected = [theta - config.lr_g * g for theta, g in
                zip(hand.G.parameters(), hand.G.gradients())]
    return all(np.allclose(a, b, rtol=1e-12, atol=1e-14)
               for a, b in zip(game.G.parameters(), expected))


def small_paper(**changes):
    return GANConfig.paper(g_hidden=(8,), d_hidden=(8,), batch_size=16, steps=2, **changes)


def test_the_paper_generator_descends_log_one_minus_d():
    assert generator_update_matches("minimax", small_paper())
    assert not generator_update_matches("non_saturating", small_paper())
    assert generator_update_matches("non_saturating", small_paper(g_loss="non_saturating"))


def test_a_planted_non_saturating_swap_is_caught(monkeypatch):
    import gan.game

    real = gan.game.generator_step

    def swapped(G, D, optimizer, z, kind="non_saturating"):
        return real(G, D, optimizer, z, "non_saturating")   # the paper's loss silently replaced

    monkeypatch.setattr(gan.game, "generator_step", swapped)
    assert not generator_update_matches("minimax", small_paper())
