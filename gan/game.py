"""The game the training loop plays: players, optimisers, one D update, one G update.

`GAN` is the game of Goodfellow et al. (2014). `gan.train.train` runs Algorithm 1 over any
game: k calls of `discriminator_update`, then one of `generator_update`, with the
learning-rate schedule, weight averaging, snapshots and divergence checks around them.
A variant of the game (instance noise, WGAN, feature matching, a conditional GAN, ...)
subclasses `GAN` and overrides only the pieces it changes, so the loop is never copied:

    class MyVariant(GAN):
        def generator_update(self, step, rng):
            ...

and is trained with ``train(config, game=MyVariant)`` (or
``game=functools.partial(MyVariant, setting=...)`` for a variant with settings of its own), and
measured by any measurer: ``train(config, game=MyVariant, measurer=gan.targets2d.Plane())``.

Every game here, in gan.variants and in gan.digits builds its players with ``config.engine``:
"fast" (nn.fast, the default) or "reference" (nn, the textbook engine), held equal by
tests/test_gan_engine.py and tests/test_gan_engine_games.py. Only the stacked ensemble
(gan.lab.ensemble, `python -m gan sweep`) needs the fast engine, which alone has a stacked axis.
"""

from __future__ import annotations

import numpy as np

from gan.objectives import discriminator_loss, generator_loss
from gan.engine import engine, engine_of


def make_optimizer(name, net, lr, betas=(0.5, 0.999), momentum=0.0):
    """An optimiser by name, of net's engine: "adam" (with ``betas``), "sgd" (with ``momentum``
    mu: v <- mu v + g, theta <- theta - lr v, the paper's momentum-based updates), or
    "rmsprop"."""
    classes = engine(engine_of(net))
    if name == "adam":
        return classes.Adam(net, lr=lr, betas=betas)
    if name == "sgd":
        return classes.SGD(net, lr=lr, momentum=momentum)
    if name == "rmsprop":
        return classes.RMSProp(net, lr=lr)
    raise ValueError(f"optimizer must be one of ('adam', 'sgd', 'rmsprop'), got {name!r}")


def discriminator_step(D, optimizer, x_real, x_fake):
    """One update of D on a minibatch: descend L_D = -[mean log D(x) + mean log(1 - D(G(z)))].

    Real and fake samples go through D as one batch, so one forward and one backward
    serve both terms (`backward_on_both`). Returns ``(L_D, V estimate)``, where the minibatch
    estimate of V (`gan.objectives.value_estimate`) is -L_D.
    """
    loss = backward_on_both(D, x_real, x_fake, discriminator_loss)
    optimizer.step()
    return loss, -loss  # the minibatch V is -L_D exactly: the same terms, negated


def backward_on_both(D, x_real, x_fake, loss):
    """Real and fake samples through D as one batch: one forward, ``loss(D(x_real), D(x_fake))``
    -> ``(L, dL/dD(x_real), dL/dD(x_fake))``, one backward that SETS D's gradients (and leaves
    out dL/dx of the samples, which nothing needs). Returns L. D's update and the WGAN critics'
    updates all start this way."""
    m = x_real.shape[-2]
    outputs = D.forward(np.concatenate([x_real, x_fake], axis=-2))
    value, grad_real, grad_fake = loss(outputs[..., :m, :], outputs[..., m:, :])
    D.backward(np.concatenate([grad_real, grad_fake], axis=-2), input_grad=False)
    return value


def generator_step(G, D, optimizer, z, kind="non_saturating"):
    """One update of G through D: dL_G/dtheta_g = dL_G/dl * dl/dx * dx/dtheta_g.

    D's backward returns dL/dx at x = G(z) (its own parameter gradients are not needed and
    not computed); G's backward takes it from there. D is not updated. Returns L_G.
    """
    x_fake = G.forward(z)
    logits = D.forward(x_fake)
    loss, grad_logits = generator_loss(logits, kind)
    grad_x = D.backward(grad_logits, param_grads=False)
    G.backward(grad_x, input_grad=False)       # dL/dz: not needed, not computed
    optimizer.step()
    return loss


def build_players(config, rng):
    """G: R^noise_dim -> R^dim and D: R^dim -> logit, MLPs of ``config.engine`` drawn from
    ``rng`` (G first)."""
    dtype, dim, MLP = np.dtype(config.dtype), config.target.dim, engine(config.engine).MLP
    G = MLP([config.noise_dim, *config.g_hidden, dim], config.g_activation, rng=rng, dtype=dtype)
    D = MLP([dim, *config.d_hidden, 1], config.d_activation, rng=rng, dtype=dtype)
    return G, D


class GAN:
    """The minimax game of Goodfellow et al. (2014) with the settings of a `GANConfig`.

    Holds the players G: R^noise_dim -> R^dim and D: R^dim -> logit (MLPs drawn from
    ``rng``) and their optimisers. Each update draws fresh minibatches from ``rng``. The game
    measures nothing itself: `gan.train.train` takes a measurer (`gan.measure`), by default
    ``measurer`` if a variant names one, else the line's or the plane's by the target's dim.
    """

    measurer = None     # a variant with measurements of its own names its measurer here

    def __init__(self, config, rng):
        self.config = config
        self.dtype = np.dtype(config.dtype)
        self.G, self.D = self.build_players(rng)
        self.opt_d = make_optimizer(config.optimizer, self.D, config.lr_d, config.betas,
                                    config.momentum)
        self.opt_g = make_optimizer(config.optimizer, self.G, config.lr_g, config.betas,
                                    config.momentum)

    @classmethod
    def from_players(cls, config, G, D, opt_d, opt_g):
        """The game around players and optimisers that already exist."""
        game = cls.__new__(cls)
        game.config, game.dtype = config, G.dtype
        game.G, game.D, game.opt_d, game.opt_g = G, D, opt_d, opt_g
        return game

    # ---- the players and the data -------------------------------------------------------
    def build_players(self, rng):
        """G then D, drawn from ``rng`` in that order (see `build_players`)."""
        return build_players(self.config, rng)

    def sample_real(self, m, rng):
        """m samples x ~ p_data, as an (m, dim) array of the players' dtype."""
        return self.config.target.sample(m, rng).astype(self.dtype, copy=False)

    def sample_noise(self, m, rng):
        """m samples z ~ p_z, as an (m, noise_dim) array."""
        return self.config.p_z.sample(m, rng).astype(self.dtype, copy=False)

    # ---- Algorithm 1's two updates ------------------------------------------------------
    def minibatch(self, step, rng):
        """What one D update sees: m examples x ~ p_data, then G(z) of m noise samples z ~ p_z,
        drawn from ``rng`` in that order (Algorithm 1's first line). Returns (x_real, x_fake).

        Every D update starts here. A variant that changes what D sees overrides this (instance
        noise blurs both batches, a conditional game joins labels); one whose loss differs
        overrides `discriminator_update` and keeps this prelude."""
        m = self.config.batch_size
        x_real = self.sample_real(m, rng)
        return x_real, self.G.forward(self.sample_noise(m, rng))

    def discriminator_update(self, step, rng):
        """Update D on `minibatch`'s batches. Returns ``(L_D, V estimate)``."""
        return discriminator_step(self.D, self.opt_d, *self.minibatch(step, rng))

    def generator_update(self, step, rng):
        """Sample m noise samples, update G through D. Returns L_G."""
        z = self.sample_noise(self.config.batch_size, rng)
        return generator_step(self.G, self.D, self.opt_g, z, self.config.g_loss)

    def set_learning_rates(self, factor):
        """Scale both players' base learning rates by ``factor`` (the schedule's)."""
        self.opt_d.lr = self.config.lr_d * factor
        self.opt_g.lr = self.config.lr_g * factor
