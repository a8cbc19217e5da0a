"""Many GANs trained at once: E independent games as one stacked computation.

Member e of an ensemble is the run `gan.train.train(configs[e])` would make, bitwise: the same
initial weights, minibatches, noise, losses, weights and final metrics. Only the arithmetic is
shared. G and D are stacked MLPs (`nn.MLP.stacked`): every parameter gains a leading member axis
of length E, every minibatch has shape (E, m, dim), and one batched matrix product serves all
members. The optimisers take one learning rate per member, so members may differ in their seed
and their learning rates; everything else (architecture, k, m, steps, loss, ...) is shared.

    results = train_ensemble([GANConfig(seed=s, lr_d=lr, lr_g=lr) for s in range(8)])
    results[3].metrics["jsd"]          # as train(GANConfig(seed=3, ...)).metrics["jsd"]

The game is `GAN` itself with its players stacked: `EnsembleGAN` inherits Algorithm 1's two
updates unchanged and overrides only how players are built, how minibatches are drawn (each
member from its own seed's training stream, in the order a single run draws them), and how
learning rates are set. The loop is `gan.train.iteration`, not a copy of it.

Differences from `train`, all outside the trajectory: snapshots are not recorded (they never
change a run); "seconds" is the whole ensemble's training time; and a member whose losses or
weights blow up (`gan.divergence`'s criterion) is marked diverged (`metrics["diverged_at"]`) while
the others go on, where `train` raises `TrainingDiverged` (also at the first floating-point
overflow).
"""

from __future__ import annotations

import time

import numpy as np

import rng as project_rng
from gan.config import GANConfig
from gan.engine import require_fast
from gan.distributions import Normal
from gan.divergence import Criterion
from gan.game import GAN, build_players
from gan.measure import measurer_for
from gan.train import History, TrainResult, learning_rate_factor, update_for
from nn.fast import MLP
from nn.fast.optim import MemberwiseAdam, MemberwiseRMSProp, MemberwiseSGD
from nn.threads import blas_threads

# Fields a member may set for itself; all others must agree across the ensemble.
MEMBER_FIELDS = ("seed", "lr_g", "lr_d")
# Fields that do not touch training (snapshots are not recorded in an ensemble).
IGNORED_FIELDS = ("snapshot_every",)


class MemberStreams:
    """The training streams of E members, drawn from together (an `rng.GeneratorStack`).

    `sample(distribution, n)` returns an (E, n, dim) array whose row e is
    `distribution.sample(n, generators[e])`, and advances each generator as that call would.
    A normal distribution takes its noise from the stack's vectorised standard normals (as
    `Normal.sample`: x = mu + sigma epsilon); anything else is drawn member by member.
    """

    def __init__(self, generators):
        self.stack = project_rng.GeneratorStack(generators)
        self.generators = self.stack.generators
        self.vectorised = self.stack.vectorised

    def sample(self, distribution, n):
        """Row e: distribution.sample(n, generators[e]), as an (E, n, dim) float64 array."""
        if type(distribution) is Normal:
            epsilon = self.stack.standard_normal((n, distribution.dim))
            return distribution.mu_vector + distribution.sigma * epsilon   # as Normal.sample
        return self.stack.each(lambda generator: distribution.sample(n, generator))

    def synchronise(self):
        """Write the stacked states back into the generators (they are then up to date)."""
        self.stack.synchronise()


class EnsembleGAN(GAN):
    """E games of Goodfellow et al. (2014) with stacked players, one per config in `configs`.
    Fast engine only (nn.fast: the stacked axis); configs with engine="textbook" are refused.

    Each member's G then D are drawn from its own generator in `rngs` exactly as `GAN` draws
    them, then stacked. `rng` arguments of the updates are a `MemberStreams`.
    """

    def __init__(self, configs, rngs):
        self.configs = check_members(configs)
        self.config = self.configs[0]
        require_fast(self.config.engine, "an ensemble of stacked players (gan.lab.ensemble)")
        self.dtype = np.dtype(self.config.dtype)
        players = [build_players(config, rng) for config, rng in zip(self.configs, rngs)]
        self.G = MLP.stacked([G for G, _ in players])
        self.D = MLP.stacked([D for _, D in players])
        self.lr_d = np.array([config.lr_d for config in self.configs])
        self.lr_g = np.array([config.lr_g for config in self.configs])
        c = self.config
        self.opt_d = member_optimizer(c.optimizer, self.D, self.lr_d, c.betas, c.momentum)
        self.opt_g = member_optimizer(c.optimizer, self.G, self.lr_g, c.betas, c.momentum)
        self.p_z = c.p_z

    def sample_real(self, m, streams):
        """Row e: m samples x ~ p_data from member e's stream, shape (E, m, dim)."""
        return streams.sample(self.config.target, m).astype(self.dtype, copy=False)

    def sample_noise(self, m, streams):
        """Row e: m samples z ~ p_z from member e's stream, shape (E, m, noise_dim)."""
        return streams.sample(self.p_z, m).astype(self.dtype, copy=False)

    def set_learning_rates(self, factor):
        """Member e's learning rates: its base rates times the schedule's factor."""
        self.opt_d.lr = self.lr_d * factor
        self.opt_g.lr = self.lr_g * factor

    def member(self, e):
        """Member e as a plain `GAN` (its own copies of G and D, no optimisers); on a 2D target
        `gan.measure.measurer_for` measures it with the plane's measurements."""
        return GAN.from_players(self.configs[e], self.G.member(e), self.D.member(e), None, None)


def member_optimizer(name, net, lr, betas, momentum=0.0):
    """`gan.game.make_optimizer` for stacked players: the optimiser `name` ("adam", "sgd",
    "rmsprop") with one learning rate per member (nn.fast.optim.MemberLearningRates)."""
    if name == "adam":
        return MemberwiseAdam(net, lr=lr, betas=betas)
    if name == "sgd":
        return MemberwiseSGD(net, lr=lr, momentum=momentum)
    if name == "rmsprop":
        return MemberwiseRMSProp(net, lr=lr)
    raise ValueError(f"optimizer must be one of ('adam', 'sgd', 'rmsprop'), got {name!r}")


def check_members(configs):
    """The configs of an ensemble: GANConfigs that agree on every field but seed, lr_g, lr_d
    (and snapshot_every, which an ensemble does not use)."""
    if isinstance(configs, GANConfig) or not isinstance(configs, (list, tuple)) or not configs:
        raise TypeError(f"configs must be a non-empty list of GANConfig, got {configs!r}")
    for index, config in enumerate(configs):
        if not isinstance(config, GANConfig):
            raise TypeError(f"configs[{index}] must be a GANConfig, got {type(config).__name__}")
    shared = _shared_settings(configs[0])
    for index, config in enumerate(configs[1:], start=1):
        settings = _shared_settings(config)
        for name, value in settings.items():
            if value != shared[name]:
                raise ValueError(
                    f"configs[{index}].{name} is {value!r} but configs[0].{name} is "
                    f"{shared[name]!r}: members may differ only in {MEMBER_FIELDS}")
    return tuple(configs)


def _shared_settings(config):
    settings = config.to_dict()
    for name in MEMBER_FIELDS + IGNORED_FIELDS:
        settings.pop(name)
    return settings


def train_ensemble(configs, callback=None, update=None):
    """Train E = len(configs) GANs by Algorithm 1 as one stacked computation.

    Returns one `TrainResult` per member, in order; member e's G, D, losses and final metrics
    equal bitwise those of `gan.train.train(configs[e])` (see the module notes for what differs).
    Each member's random draws come from generators seeded by its own seed, spawned as `train`
    spawns them. ``callback(step, losses)``, if given, is called after every step with a dict of
    arrays of the E members' latest losses. ``update`` plays one iteration, as in `train`:
    Algorithm 1 (`gan.train.iteration`) by default, or a `gan.dynamics.training.UpdateRule`.
    """
    configs = check_members(configs)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None, got {type(callback).__name__}")
    update = update_for(configs[0], update)     # the members share k: check_members
    with blas_threads(1):
        return _train_ensemble(configs, callback, update)


def _train_ensemble(configs, callback, update):
    members = len(configs)
    # The fast stream (bitwise the textbook one): an ensemble is for speed, its stack vectorises.
    streams = [project_rng.fast.Generator(config.seed).spawn(2) for config in configs]
    train_rngs, eval_rngs = [pair[0] for pair in streams], [pair[1] for pair in streams]
    game = EnsembleGAN(configs, train_rngs)
    draws = MemberStreams(train_rngs)
    config = game.config
    losses = {name: np.empty((config.steps, members)) for name in ("d_loss", "g_loss", "value")}
    diverged_at = np.zeros(members, dtype=np.int64)
    criterion = Criterion(config.target, config.dtype)     # gan.divergence's, as train's
    average_from = config.steps - int(round(config.average_last * config.steps)) + 1
    G_average, n_averaged = None, 0

    started = time.perf_counter()
    for step in range(1, config.steps + 1):
        game.set_learning_rates(
            learning_rate_factor(step, config.steps, config.lr_schedule, config.decay_start)
        )
        with np.errstate(all="ignore"):   # one member's overflow must not stop the others
            d_loss, v, g_loss = update(game, step, draws)
        losses["d_loss"][step - 1], losses["g_loss"][step - 1], losses["value"][step - 1] = (
            d_loss, g_loss, v)
        blown = ~(np.maximum(np.abs(d_loss), np.abs(g_loss)) <= criterion.loss_bound)  # NaN too
        diverged_at[(diverged_at == 0) & (blown | criterion.members_beyond(game.G, game.D))] = step
        if step >= average_from:
            n_averaged += 1
            if G_average is None:
                G_average = game.G.flat_params.copy()
            else:  # running mean: a_n = a_{n-1} + (theta - a_{n-1}) / n, as in train
                with np.errstate(all="ignore"):
                    G_average += (game.G.flat_params - G_average) / n_averaged
        if callback is not None:
            callback(step, {"d_loss": d_loss, "g_loss": g_loss, "value": v})
    seconds = time.perf_counter() - started
    draws.synchronise()
    if G_average is not None:
        game.G.flat_params[...] = G_average
    return [_member_result(game, e, eval_rngs[e], losses, int(diverged_at[e]), seconds)
            for e in range(members)]


def _member_result(game, e, eval_rng, losses, diverged_at, seconds):
    member, config = game.member(e), game.configs[e]
    measurer = measurer_for(member)
    setup = measurer.setup(member, eval_rng)
    history = History(d_loss=losses["d_loss"][:, e].copy(), g_loss=losses["g_loss"][:, e].copy(),
                      value=losses["value"][:, e].copy(), grid=setup["grid"],
                      p_data_grid=setup["p_data_grid"], z_line=setup["z_line"])
    finite = np.isfinite(member.G.flat_params).all() and np.isfinite(member.D.flat_params).all()
    if not diverged_at and not finite:
        diverged_at = config.steps
    if diverged_at:
        metrics = {"diverged_at": diverged_at}
    else:
        metrics = measurer.final_metrics(member, setup)
    metrics.update(seconds=seconds, steps=config.steps, seed=config.seed)
    return TrainResult(G=member.G, D=member.D, history=history, config=config, metrics=metrics)
