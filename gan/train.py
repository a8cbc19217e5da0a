"""Algorithm 1 of Goodfellow et al. (2014), and its pieces.

    for number of training iterations do
        for k steps do
            sample m noise samples z_1..z_m from p_z and m examples x_1..x_m from p_data
            update D by ascending   grad_theta_d 1/m sum_i [log D(x_i) + log(1 - D(G(z_i)))]
        sample m noise samples z_1..z_m from p_z
        update G by descending  grad_theta_g 1/m sum_i log(1 - D(G(z_i)))
                                (or ascending log D(G(z_i)): the non-saturating loss)

The pieces are functions of plain arrays (`discriminator_step`, `generator_step`) so the
same step serves Algorithm 1 (`train`) and D trained alone against a fixed p_g
(`fit_discriminator`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from gan.checks import positive_integer
from gan.config import LR_SCHEDULES, GANConfig
from gan.divergence import Criterion, diverged
from gan.game import GAN, discriminator_step
from gan.engine import assign_parameters, engine, engine_of
from gan.measure import measurer_for
from nn.threads import blas_threads


__all__ = [
    "History", "TrainResult", "learning_rate_factor", "fit_discriminator",
    "train", "algorithm1_step", "iteration", "update_for",
]
# The pieces of Algorithm 1 (GAN, build_players, discriminator_step, generator_step,
# make_optimizer) are defined in gan.game and imported from there; what is measured, in
# gan.measure.


@dataclass
class History:
    """What a run recorded.

    Every step: ``d_loss``, ``g_loss`` and the minibatch estimate ``value`` of V(D, G)
    (from the last of the k discriminator steps). At each snapshot step (``snapshot_steps``):
    D(x) on ``grid`` (``D_grid``), p_g's density on the same grid (``p_g_grid``), the mean
    and standard deviation of G(z), JSD(p_data || p_g) in nats, and, for 1D noise, the
    images ``x_of_z`` = G(z) of fixed points ``z_line`` of the noise (Figure 1's arrows).
    """

    d_loss: np.ndarray
    g_loss: np.ndarray
    value: np.ndarray
    grid: np.ndarray
    p_data_grid: np.ndarray
    z_line: np.ndarray
    snapshot_steps: list = field(default_factory=list)
    D_grid: list = field(default_factory=list)
    p_g_grid: list = field(default_factory=list)
    mean: list = field(default_factory=list)
    std: list = field(default_factory=list)
    jsd: list = field(default_factory=list)
    x_of_z: list = field(default_factory=list)

    SNAPSHOT_FIELDS = ("D_grid", "p_g_grid", "mean", "std", "jsd", "x_of_z")

    def record(self, step, snap):
        self.snapshot_steps.append(step)
        for name in self.SNAPSHOT_FIELDS:
            getattr(self, name).append(snap[name])

    def to_arrays(self):
        """A dict of arrays, for `np.savez`."""
        out = {name: np.asarray(getattr(self, name)) for name in self.__dataclass_fields__}
        out["snapshot_steps"] = np.asarray(self.snapshot_steps, dtype=np.int64)
        return out


@dataclass
class TrainResult:
    """The trained players, what happened on the way, and the final measurements."""

    G: object   # an MLP of the config's engine
    D: object
    history: History
    config: GANConfig
    metrics: dict


def learning_rate_factor(step, steps, schedule, decay_start=0.0):
    """Multiplier of the base learning rate at ``step`` (1-based) of ``steps``.

    constant: 1.  After ``decay_start * steps`` steps, "linear" falls as 1 - s and "cosine"
    as (1 + cos(pi s)) / 2, where s in [0, 1] is the fraction of the decay phase done; both
    reach 0 after the last step.
    """
    if schedule == "constant":
        return 1.0
    start = decay_start * steps
    s = min(max((step - 1 - start) / (steps - start), 0.0), 1.0)
    if schedule == "linear":
        return 1.0 - s
    return 0.5 * (1.0 + math.cos(math.pi * s))


def fit_discriminator(
    D, p_data, p_g, steps, batch_size, rng, optimizer=None, lr_schedule="cosine", dtype=None
):
    """Algorithm 1's inner loop alone: D trained against a fixed generator distribution p_g.

    Each step draws m = ``batch_size`` samples from p_data and from p_g (anything with
    ``sample(n, rng)``). By Proposition 1 of the paper, D approaches
    D*(x) = p_data(x) / (p_data(x) + p_g(x)) where p_data + p_g carries mass. The
    optimiser defaults to Adam(lr=5e-3, betas=(0.5, 0.999)); its learning rate follows
    ``lr_schedule`` (see `learning_rate_factor`), by default decaying to zero so that the
    minibatch noise in D averages out. Returns the array of per-step losses.
    """
    positive_integer("steps", steps)
    positive_integer("batch_size", batch_size)
    if lr_schedule not in LR_SCHEDULES:
        raise ValueError(f"lr_schedule must be one of {LR_SCHEDULES}, got {lr_schedule!r}")
    optimizer = (optimizer if optimizer is not None
                 else engine(engine_of(D)).Adam(D, lr=5e-3, betas=(0.5, 0.999)))
    dtype = dtype or D.dtype
    base_lr = optimizer.lr
    losses = np.empty(steps)
    with blas_threads(1):
        for step in range(1, steps + 1):
            optimizer.lr = base_lr * learning_rate_factor(step, steps, lr_schedule)
            x_real = p_data.sample(batch_size, rng).astype(dtype, copy=False)
            x_fake = p_g.sample(batch_size, rng).astype(dtype, copy=False)
            losses[step - 1], _ = discriminator_step(D, optimizer, x_real, x_fake)
    optimizer.lr = base_lr
    return losses


def train(config=None, callback=None, game=GAN, measurer=None, update=None):
    """Train G and D by Algorithm 1 with the settings of ``config`` (a `GANConfig`).

    ``game`` builds the game from (config, rng): `GAN` (the paper's) by default, or a
    variant. ``measurer`` takes the snapshots and the final metrics (see `gan.measure`): by
    default `gan.measure.measurer_for` the game (the variant's own, else the line's or the
    plane's by the target's dim); e.g. ``train(config, game=WGANGP, measurer=Plane())``.
    Every random draw comes from generators seeded by ``config.seed``: one stream for training
    (initial weights, minibatches, noise) and one for evaluation, so how often snapshots are
    taken never changes the trajectory. ``callback(step, losses)``, if given,
    is called after every step with the step number and a dict of the latest losses.
    ``update(game, step, rng)`` plays one iteration: `iteration` (Algorithm 1) by default, or
    another rule (`gan.dynamics.training.UpdateRule`).

    Raises `TrainingDiverged` naming the step, the last sane losses and the likely cause when
    the run blows up by the criterion of `gan.divergence` (a loss, a weight or G's samples beyond
    bounds derived from the target's scale and the dtype, or a floating-point overflow).
    """
    config = config if config is not None else GANConfig()
    if not isinstance(config, GANConfig):
        raise TypeError(f"config must be a GANConfig, got {type(config).__name__}")
    update = update_for(config, update)
    with blas_threads(1):
        return _train(config, callback, game, measurer, update)


def update_for(config, update=None):
    """The update that plays each iteration of a run with ``config``: `iteration` (Algorithm 1)
    for None, else ``update`` once it is callable and its own conditions on the config hold
    (an `UpdateRule`'s ``check``: k = 1 for the rules that take one D step per G step)."""
    if update is None:
        return iteration
    if not callable(update):
        raise TypeError(f"update must be callable as update(game, step, rng), got {update!r}")
    check = getattr(update, "check", None)
    if check is not None:
        check(config)
    return update


def algorithm1_step(G, D, opt_d, opt_g, config, rng):
    """One iteration of Algorithm 1 on existing players: k updates of D, then one of G.

    Each D update draws m fresh samples from p_data and m fresh noise samples from p_z;
    the G update draws m fresh noise samples. Returns (L_D, V estimate) of the last D
    update and L_G.
    """
    return iteration(GAN.from_players(config, G, D, opt_d, opt_g), 0, rng)


def iteration(game, step, rng):
    """One iteration of Algorithm 1 on a game (a `GAN` or a variant, stacked or not): k calls of
    ``game.discriminator_update(step, rng)``, then one of ``game.generator_update(step, rng)``.
    Returns (L_D, V estimate) of the last D update and L_G. `train` and
    `gan.lab.ensemble.train_ensemble` loop over it, or over another update rule given to them
    (`gan.dynamics.training.UpdateRule`)."""
    # HINT: Algorithm 1: k updates of D, then one of G; return (L_D, V, L_G)
    # BEGIN SOLUTION
    for _ in range(game.config.k):
        d_loss, v = game.discriminator_update(step, rng)
    return d_loss, v, game.generator_update(step, rng)
    # END SOLUTION


def _train(config, callback, make_game, measurer, update):
    # The engine's random stream: rng.Generator, or rng.fast.Generator (bitwise the same numbers).
    train_rng, eval_rng = engine(config.engine).Generator(config.seed).spawn(2)
    game = make_game(config, train_rng)
    measurer = measurer if measurer is not None else measurer_for(game)
    setup = measurer.setup(game, eval_rng)
    history = History(
        d_loss=np.empty(config.steps),
        g_loss=np.empty(config.steps),
        value=np.empty(config.steps),
        grid=setup["grid"],
        p_data_grid=setup["p_data_grid"],
        z_line=setup["z_line"],
    )
    average_from = config.steps - int(round(config.average_last * config.steps)) + 1
    G_average, n_averaged = None, 0

    criterion = Criterion(config.target, config.dtype)
    if config.snapshot_every:
        history.record(0, measurer.snapshot(game, setup))
    started = time.perf_counter()
    for step in range(1, config.steps + 1):
        game.set_learning_rates(
            learning_rate_factor(step, config.steps, config.lr_schedule, config.decay_start)
        )
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise"):
                d_loss, v, g_loss = update(game, step, train_rng)
        except FloatingPointError as error:
            raise diverged(step, f"a floating-point {error}", history.d_loss, history.g_loss,
                           config, update) from None
        blown = (criterion.check_losses(d_loss, g_loss)
                 or criterion.check_weights(game.G, game.D))
        if blown:
            raise diverged(step, blown, history.d_loss, history.g_loss, config, update)
        history.d_loss[step - 1], history.g_loss[step - 1], history.value[step - 1] = (
            d_loss,
            g_loss,
            v,
        )
        if step >= average_from:
            n_averaged += 1
            if G_average is None:
                G_average = game.G.flat_params.copy()
            else:  # running mean: a_n = a_{n-1} + (theta - a_{n-1}) / n
                G_average += (game.G.flat_params - G_average) / n_averaged
        if config.snapshot_every and step % config.snapshot_every == 0 and step != config.steps:
            _record(history, step, measurer.snapshot(game, setup), criterion, config, update)
        if callback is not None:
            callback(step, {"d_loss": float(d_loss), "g_loss": float(g_loss), "value": float(v)})
    seconds = time.perf_counter() - started

    if G_average is not None:
        assign_parameters(game.G, G_average)
    blown = criterion.check_weights(game.G, game.D)
    if blown:
        raise diverged(config.steps, f"after averaging G, {blown}", history.d_loss,
                       history.g_loss, config, update)
    if config.snapshot_every:
        _record(history, config.steps, measurer.snapshot(game, setup), criterion, config, update)
    metrics = measurer.final_metrics(game, setup)
    if "mean" in metrics and "std" in metrics:
        blown = criterion.check_samples(metrics["mean"], metrics["std"])
        if blown:
            raise diverged(config.steps, blown, history.d_loss, history.g_loss, config, update)
    metrics.update(seconds=seconds, steps=config.steps, seed=config.seed)
    return TrainResult(G=game.G, D=game.D, history=history, config=config, metrics=metrics)


def _record(history, step, snap, criterion, config, update=None):
    """Record a snapshot, unless G's samples in it are beyond the criterion's bound."""
    if "mean" in snap and "std" in snap:
        blown = criterion.check_samples(snap["mean"], snap["std"])
        if blown:
            raise diverged(step, blown, history.d_loss, history.g_loss, config, update)
    history.record(step, snap)
