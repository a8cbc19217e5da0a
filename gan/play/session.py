"""One live run of the game, advanced an update at a time at the page's request.

A `Session` holds the game (`LiveGame`: the players, their optimisers, the minibatch stream)
and what happened so far. Its updates are Algorithm 1's pieces, unchanged:

    iteration:  k calls of discriminator_update, then one of generator_update (gan.train.iteration)
    step-d:     one discriminator_update        step-g: one generator_update

Random numbers: ``rng.Generator(seed).spawn(3)`` gives the training stream (initial weights,
minibatches, noise z), the evaluation stream (the fixed samples the views draw) and the
instance-noise stream, the same streams `gan.train.train` and `gan.variants.instance_noise`
use. So the same seed and the same sequence of requests give the same run bit for bit, and with
the settings held fixed, n iterations here are n steps of ``gan.train.train`` with a constant
learning rate and no weight averaging.
"""

from __future__ import annotations

import collections
import contextlib
import copy
import hashlib

import numpy as np

import rng as project_rng
from gan.config import GANConfig
from gan.game import make_optimizer
from gan.play import params
from gan.play.history import SessionLog
from gan.targets2d import plane_config
from gan.train import iteration
from gan.variants.instance_noise import InstanceNoiseGAN


class LiveGame(InstanceNoiseGAN):
    """The game with instance noise of a constant sigma (0: the plain game of the paper, bit for
    bit), which the page may change at any time. The variant's per-step records are kept to the
    last one, so a long session does not grow."""

    def __init__(self, config, rng, sigma, noise_rng):
        super().__init__(config, rng, sigma=sigma, noise_rng=noise_rng)
        self.generator_gradient_norms = collections.deque(maxlen=1)
        self.sigmas = collections.deque(maxlen=1)

    def sigma_at(self, step):
        return self.sigma


def base_config(target, settings, seed):
    """The `GANConfig` of a session: the course's 1D game (`GANConfig`'s defaults) or the plane's
    (`gan.targets2d.plane_config`), with a constant learning rate, no averaging, no snapshots."""
    fields = dict(target=target, k=settings["k"], lr_d=settings["lr_d"], lr_g=settings["lr_g"],
                  batch_size=settings["batch_size"], g_loss=settings["g_loss"],
                  optimizer=settings["optimizer"], seed=seed, lr_schedule="constant",
                  average_last=0.0, snapshot_every=0,
                  engine="fast")    # a live page: the fast engine (nn.fast), where speed is the point
    if target.dim == 2:
        return plane_config(**fields)
    return GANConfig(**fields)


class Diverged(RuntimeError):
    """An update produced a non-finite number; the players were put back as they were before it."""


class Session:
    """A live game: settings, players, counters and a bounded history (see the module docstring).

    Not thread-safe: the server holds a lock around every call. Run it under
    ``nn.threads.blas_threads(1)`` (the server does): its matrix products are small.
    """

    def __init__(self, seed=0, **settings):
        self.settings = dict(params.DEFAULTS)
        self.reset(seed, **settings)

    # ---- building -----------------------------------------------------------------------
    def reset(self, seed=None, **changes):
        """Start again from ``seed`` (default: the current one) with ``changes`` applied."""
        seed = self.seed if seed is None else params.check_seed(seed)
        settings = {**self.settings, **params.check_settings(changes)}
        target = params.parse_target(settings["target"])
        config = base_config(target, settings, seed)            # all built before any is kept
        self.seed, self.settings, self.target, self.config = seed, settings, target, config
        # The fast stream (bitwise the textbook one): the playground trains live, for speed.
        self.train_rng, self.eval_rng, noise_rng = project_rng.fast.Generator(seed).spawn(3)
        self.game = LiveGame(self.config, self.train_rng, self.settings["noise_sigma"], noise_rng)
        self.iterations = self.d_steps = self.g_steps = 0
        self.history = SessionLog()
        self.last = {"D": None, "G": None}
        self.diverged = None
        self.fixed = None                      # the views' fixed samples, drawn when first asked

    def update(self, **changes):
        """Change settings mid-run. A target of another dimension needs other players (G's output
        and D's input change size), so it starts the run again from the current seed; any other
        change keeps the players and their optimiser states, except a new optimiser, which
        starts from fresh moments. Returns True when the run was restarted."""
        changes = params.check_settings(changes)       # all checked before any is applied
        if "target" in changes and params.parse_target(changes["target"]).dim != self.target.dim:
            self.reset(**changes)
            return True
        previous, settings = self.settings, {**self.settings, **changes}
        target = params.parse_target(settings["target"]) if "target" in changes else self.target
        game = self.game
        config = self.config.replace(
            target=target, k=settings["k"], lr_d=settings["lr_d"], lr_g=settings["lr_g"],
            batch_size=settings["batch_size"], g_loss=settings["g_loss"],
            optimizer=settings["optimizer"])                    # built before any is kept
        self.settings, self.config = settings, config
        if target is not self.target:
            self.target, self.fixed = target, None     # the views' samples follow the target
        game.config = config
        if settings["optimizer"] != previous["optimizer"]:
            game.opt_d = make_optimizer(self.config.optimizer, game.D, self.config.lr_d,
                                        self.config.betas, self.config.momentum)
            game.opt_g = make_optimizer(self.config.optimizer, game.G, self.config.lr_g,
                                        self.config.betas, self.config.momentum)
        game.opt_d.lr, game.opt_g.lr = self.config.lr_d, self.config.lr_g
        game.sigma = float(self.settings["noise_sigma"])
        return False

    @contextlib.contextmanager
    def transaction(self):
        """A block whose changes are undone if it raises: `update` (and the `reset` it may call)
        only assigns attributes of the session and of its game and sets the optimisers'
        learning rates, and drawing a view only advances the evaluation stream, so those are
        what is saved and put back. Steps are not covered: they undo themselves (`Diverged`)."""
        saved, game = dict(vars(self)), self.game
        saved_game = {name: getattr(game, name) for name in ("config", "opt_d", "opt_g", "sigma")}
        learning_rates = (game.opt_d.lr, game.opt_g.lr)
        eval_rng = copy.deepcopy(self.eval_rng)
        try:
            yield self
        except BaseException:
            vars(self).clear()
            vars(self).update(saved, eval_rng=eval_rng)
            for name, value in saved_game.items():
                setattr(game, name, value)
            game.opt_d.lr, game.opt_g.lr = learning_rates
            raise

    # ---- the updates --------------------------------------------------------------------
    def step(self, kind="iteration", n=1):
        """n iterations of Algorithm 1 ("iteration"), n D updates ("d") or n G updates ("g")."""
        if kind not in ("iteration", "d", "g"):
            raise ValueError(f"kind must be one of ('iteration', 'd', 'g'), got {kind!r}")
        n = params.check_steps(n)
        if self.diverged:
            raise Diverged(f"{self.diverged} Reset to go on.")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            for _ in range(n):
                self._one(kind)

    def _one(self, kind):
        game, rng = self.game, self.train_rng
        before = {"D": game.D.flat_params.copy(), "G": game.G.flat_params.copy()}
        d_loss = value = g_loss = np.nan
        try:
            if kind == "iteration":
                d_loss, value, g_loss = iteration(game, self.iterations + 1, rng)
            elif kind == "d":
                d_loss, value = game.discriminator_update(self.iterations + 1, rng)
            else:
                g_loss = game.generator_update(self.iterations + 1, rng)
            losses = [v for v, used in ((d_loss, kind != "g"), (g_loss, kind != "d")) if used]
            if not (np.isfinite(losses).all() and np.isfinite(game.D.flat_params).all()
                    and np.isfinite(game.G.flat_params).all()):
                raise FloatingPointError("a loss or a weight stopped being finite")
        except FloatingPointError as error:
            game.D.flat_params[...], game.G.flat_params[...] = before["D"], before["G"]
            self.diverged = (f"Training diverged at iteration {self.iterations + 1} ({error}); "
                             f"the players are shown as they were before that update. Lower the "
                             f"learning rates.")
            raise Diverged(f"{self.diverged} Reset to go on.") from None
        ds = game.config.k if kind == "iteration" else int(kind == "d")
        gs = int(kind != "d")
        self.iterations += kind == "iteration"
        self.d_steps, self.g_steps = self.d_steps + ds, self.g_steps + gs
        for name, net in (("D", game.D), ("G", game.G)):
            if (name == "D" and ds) or (name == "G" and gs):
                self.last[name] = {
                    "step_norm": float(np.linalg.norm(net.flat_params - before[name])),
                    "grad_norm": float(np.linalg.norm(net.flat_grads)),
                }
        self.history.record(kind, d_loss, value, g_loss)

    # ---- what the page reads ------------------------------------------------------------
    def fingerprints(self):
        """A short hash of each player's parameters: equal exactly when the bits are equal."""
        return {name: hashlib.sha1(net.flat_params.tobytes()).hexdigest()[:16]
                for name, net in (("D", self.game.D), ("G", self.game.G))}

    def summary(self):
        """Settings, counters, the last update of each player, fingerprints (JSON-ready)."""
        return {
            "seed": self.seed,
            "settings": dict(self.settings),
            "dim": self.target.dim,
            "iterations": self.iterations,
            "d_steps": self.d_steps,
            "g_steps": self.g_steps,
            "last_update": self.last,
            "fingerprints": self.fingerprints(),
            "diverged": self.diverged,
        }
