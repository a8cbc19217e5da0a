"""WGAN-GP: the Wasserstein critic kept 1-Lipschitz by a gradient penalty instead of clipping
(Gulrajani, Ahmed, Arjovsky, Dumoulin & Courville 2017, "Improved Training of Wasserstein GANs",
eq. 3 and Algorithm 1).

The critic f (D's MLP, no sigmoid, no clipping) descends

    L = 1/m sum_i [ f(G(z_i)) - f(x_i) + lambda (||grad_x f(x^_i)||_2 - 1)^2 ],
        x^_i = eps_i x_i + (1 - eps_i) G(z_i),   eps_i ~ U[0, 1], one per sample,

and the generator descends -1/m sum_i f(G(z_i)) as in WGAN. Algorithm 1's defaults: lambda = 10,
n_critic = 5, Adam with alpha = 1e-4, beta1 = 0, beta2 = 0.9 (`PAPER_SETTINGS`, `PAPER_LAMBDA`).
The optimal critic has gradient norm 1 along the lines between coupled points of p_data and p_g
(the paper's Proposition 1), which is where x^ samples; there the penalty leaves it alone, so
E f(x) - E f(G(z)) estimates W1 itself, not the K W1 of a clipped critic.

The penalty needs d/dtheta of ||grad_x f||: the gradient of a gradient. Derived here by hand for
an MLP critic (row vectors, as in nn: y = x W + b). Forward pass, l = 1..L:

    h_0 = x^,   a_l = h_{l-1} W_l + b_l,   h_l = sigma_l(a_l),   f = h_L    (sigma_L = identity)

Backward pass for the input gradient, g = df/dx^, as a function of the weights:

    u_L = 1,   delta_l = u_l * sigma_l'(a_l),   u_{l-1} = delta_l W_l^T,   g = u_0,

so g = W_L^T D_{L-1} W_{L-1}^T ... D_1 W_1^T with D_l = diag sigma_l'(a_l). The penalty
P = lambda/m sum_i (||g_i|| - 1)^2 has dP/dg = (2 lambda / m)(||g|| - 1) g / ||g||. The double
backward runs the chain rule through the backward pass above, with a bar for dP/d(.). The
backward pass ran from l = L down to 1, so its adjoint runs from l = 1 up to L:

    u-bar_0     = dP/dg
    delta-bar_l = u-bar_{l-1} W_l                        (from u_{l-1} = delta_l W_l^T)
    W-bar_l     = u-bar_{l-1}^T delta_l                  (W_l's use in the backward pass)
    u-bar_l     = delta-bar_l * sigma_l'(a_l)            (from delta_l = u_l sigma_l'(a_l))
    a-bar_l     = delta-bar_l * u_l * sigma_l''(a_l)     (sigma_l' depends on a_l)

The a-bar_l are sources for an ordinary backward pass through the forward pass, l = L..1:

    A_l     = a-bar_l + (A_{l+1} W_{l+1}^T) * sigma_l'(a_l)      (A_{L+1} = 0)
    W-bar_l += h_{l-1}^T A_l,      b-bar_l = 1^T A_l.

Piecewise-linear activations (ReLU, LeakyReLU, identity) have sigma'' = 0 except at the kinks,
so a-bar = A = 0 almost everywhere: the penalty moves the weights only through the product of
weight matrices that g is, and the biases not at all (they only shift the kinks). A smooth
activation (tanh, softplus, sigmoid) adds the second pass: g depends on a_l, hence on every
earlier weight and bias. Where g = 0 exactly (a critic with no active path) ||g|| is not
differentiable; dP/dg is taken as 0 there.

Two closed forms for a linear critic f(x) = w x on a 1D shift, p_g = p_data moved by mu
(W1 = |mu|), where ||g|| = |w| everywhere: the penalised objective  -w mu - lambda (|w| - 1)^2
(mu > 0, so the right slope is negative) is stationary at w = -(1 + mu / (2 lambda)), whose
estimate W1 (1 + W1 / (2 lambda)) overshoots W1 by 5% at W1 = 1 with lambda = 10 -- and at
w = +(1 - mu / (2 lambda)), a local optimum with the wrong sign. In one dimension the unit
"sphere" {-1, +1} is two points: a critic that must flip the sign of its slope somewhere has to
pass through ||g|| = 0 there, against a barrier of height lambda, so a critic that starts (or
falls behind a generator that overshoots) with the wrong sign stays there until W1 > 2 lambda.
In two or more dimensions the unit sphere is connected and g can turn round instead. The
one-sided penalty lambda max(0, ||g|| - 1)^2, which the paper mentions as an alternative
(Section 4, "two-sided penalty"), has no barrier: ``one_sided=True``.
"""

from __future__ import annotations

import numbers

import numpy as np

from gan.game import GAN, backward_on_both
from gan.variants.wgan import WGAN, critic_loss, train_critic_alone
from gan.engine import add_to_gradients, engine, engine_of

# Gulrajani et al. (2017), Algorithm 1: lambda = 10, n_critic = 5, alpha = 1e-4, beta1 = 0,
# beta2 = 0.9.
PAPER_SETTINGS = {"optimizer": "adam", "lr_d": 1e-4, "lr_g": 1e-4, "betas": (0.0, 0.9), "k": 5}
PAPER_LAMBDA = 10.0


# Each supported activation's sigma, sigma', sigma'' at a pre-activation a come from its own
# `derivatives(a)` in nn (sigma'' None where it vanishes almost everywhere).
# (by class name: the classes of either engine, nn or nn.fast)
SUPPORTED_ACTIVATIONS = ("Identity", "ReLU", "LeakyReLU", "Tanh", "Softplus", "Sigmoid")


# ---- the critic as (Linear, activation) pairs -----------------------------------------------
def _critic_pieces(f):
    """f's layers as [(Linear, activation or None)]: each Linear with the elementwise layer
    after it."""
    classes = engine(engine_of(f))
    if not isinstance(f, classes.Sequential):
        raise TypeError(f"f must be an nn Sequential or MLP, got {type(f).__name__}")
    if getattr(f, "stack", None) is not None:
        raise ValueError(f"f must be an unstacked network, got stack={f.stack}")
    pieces = []
    for index, layer in enumerate(f.layers):
        if isinstance(layer, classes.Linear):
            pieces.append([layer, None])
        elif type(layer).__name__ in SUPPORTED_ACTIVATIONS and pieces and pieces[-1][1] is None:
            pieces[-1][1] = layer
        else:
            supported = sorted(SUPPORTED_ACTIVATIONS)
            raise ValueError(f"f.layers[{index}] must be a Linear or one activation after a Linear "
                             f"(one of {supported}), got {type(layer).__name__}")
    if not pieces or not isinstance(f.layers[0], classes.Linear):
        raise ValueError("f must start with a Linear layer")
    if pieces[-1][0].out_features != 1:
        raise ValueError(f"f must output one number per sample (a critic), got "
                         f"{pieces[-1][0].out_features} outputs")
    return [(linear, activation or classes.Identity()) for linear, activation in pieces]


def _check_input(f, pieces, x, name):
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"{name} must be an array of shape (m, dim) with m >= 1, got "
                         f"{getattr(x, 'shape', type(x).__name__)}")
    if x.shape[1] != pieces[0][0].in_features:
        raise ValueError(f"{name} must have {pieces[0][0].in_features} features (f's input), got "
                         f"shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must be finite")
    return x.astype(f.dtype, copy=False)


def _forward_and_input_gradient(pieces, x):
    """The forward pass (h_{l-1}, sigma', sigma'' per layer), then g = u_0 by the backward pass."""
    h, cache = x, []
    for linear, activation in pieces:
        a = h @ linear.W + linear.b                        # a_l = h_{l-1} W_l + b_l
        h_next, slope, curvature = activation.derivatives(a)
        cache.append({"h_previous": h, "slope": slope, "curvature": curvature})
        h = h_next
    u = np.ones((len(x), 1), dtype=x.dtype)                # u_L = df/df = 1
    for (linear, _), layer in zip(reversed(pieces), reversed(cache)):
        layer["u"] = u
        layer["delta"] = u * layer["slope"]                # delta_l = u_l sigma_l'(a_l)
        u = layer["delta"] @ linear.W.T                    # u_{l-1} = delta_l W_l^T
    return h, u, cache


# ---- the public pieces --------------------------------------------------------------------
def input_gradient(f, x):
    """g_i = grad_x f(x_i), the critic's input gradient at each row of x (shape (m, dim)).

    g = W_L^T D_{L-1} ... D_1 W_1^T per sample, D_l = diag sigma_l'(a_l) (module docstring).
    """
    pieces = _critic_pieces(f)
    x = _check_input(f, pieces, x, "x")
    return _forward_and_input_gradient(pieces, x)[1]


def interpolate(x_real, x_fake, rng):
    """x^_i = eps_i x_i + (1 - eps_i) x~_i with eps_i ~ U[0, 1] drawn from ``rng``, one per sample
    (Gulrajani et al. 2017, Algorithm 1, lines 4-6)."""
    for name, x in (("x_real", x_real), ("x_fake", x_fake)):
        if not isinstance(x, np.ndarray) or x.ndim != 2:
            raise ValueError(f"{name} must be an array of shape (m, dim), got "
                             f"{getattr(x, 'shape', type(x).__name__)}")
    if x_real.shape != x_fake.shape:
        raise ValueError(f"x_real and x_fake must have one shape, got {x_real.shape} and "
                         f"{x_fake.shape}")
    if not callable(getattr(rng, "random", None)):
        raise TypeError(f"rng must be a generator with numpy.random.Generator's methods, got "
                        f"{type(rng).__name__}")
    dtype = np.result_type(x_real, x_fake)
    eps = np.asarray(rng.random(size=(len(x_real), 1))).astype(dtype, copy=False)
    return eps * x_real + (1 - eps) * x_fake


def gradient_penalty(f, x_hat, lam=PAPER_LAMBDA, one_sided=False):
    """P = lambda/m sum_i (||grad_x f(x^_i)||_2 - 1)^2 and dP/dtheta by the double backward.

    Gulrajani et al. (2017), eq. 3's penalty term; its gradient with respect to f's parameters is
    derived in the module docstring. ``one_sided`` penalises only norms above 1,
    lambda/m sum_i max(0, ||g_i|| - 1)^2 (the alternative of the paper's Section 4). Returns
    ``(P, dP/dtheta, ||g_i||)``: dP/dtheta is a flat array laid out as ``f.flat_params`` (layer
    order, W then b), ||g_i|| one norm per row of x^. f's own gradients and caches are left
    untouched.
    """
    lam, one_sided = _check_lambda(lam), _check_one_sided(one_sided)
    pieces = _critic_pieces(f)
    x_hat = _check_input(f, pieces, x_hat, "x_hat")
    _, g, cache = _forward_and_input_gradient(pieces, x_hat)
    m = len(x_hat)
    norm = np.sqrt(np.sum(g * g, axis=1, keepdims=True))
    excess = np.maximum(norm - 1, 0) if one_sided else norm - 1
    penalty = lam * float(np.mean(excess**2))
    # HINT: dP/dg = (2 lambda / m) (||g|| - 1) g / ||g||, then back to dP/dW, dP/db
    # BEGIN SOLUTION
    direction = np.divide(g, norm, out=np.zeros_like(g), where=norm > 0)     # g / ||g||, 0 at g = 0
    u_bar = (2 * lam / m) * excess * direction                               # dP/dg
    grad_W, a_bars = [], []
    for (linear, _), layer in zip(pieces, cache):          # the backward pass, adjoint, l = 1..L
        delta_bar = u_bar @ linear.W                       # delta-bar_l = u-bar_{l-1} W_l
        grad_W.append(u_bar.T @ layer["delta"])            # W-bar_l = u-bar_{l-1}^T delta_l
        # a-bar_l = delta-bar_l u_l sigma_l''(a_l)
        a_bars.append(None if layer["curvature"] is None
                      else delta_bar * layer["u"] * layer["curvature"])
        u_bar = delta_bar * layer["slope"]                 # u-bar_l = delta-bar_l sigma_l'(a_l)
    grad_b = [np.zeros_like(linear.b) for linear, _ in pieces]
    A = None
    for layer_index in reversed(range(len(pieces))):       # the forward pass, adjoint, l = L..1
        through_next = (None if A is None
                        else (A @ pieces[layer_index + 1][0].W.T) * cache[layer_index]["slope"])
        # A_l = a-bar_l + (A_{l+1} W_{l+1}^T) sigma_l'
        A = _sum_of(a_bars[layer_index], through_next)
        if A is not None:
            # W-bar_l += h_{l-1}^T A_l
            grad_W[layer_index] += cache[layer_index]["h_previous"].T @ A
            grad_b[layer_index] = A.sum(axis=0)            # b-bar_l = 1^T A_l
    flat = np.concatenate([part.ravel() for W, b in zip(grad_W, grad_b) for part in (W, b)])
    # END SOLUTION
    return penalty, flat.astype(f.dtype, copy=False), norm[:, 0]


def _sum_of(first, second):
    if first is None:
        return second
    return first if second is None else first + second


def critic_step(f, optimizer, x_real, x_fake, rng, lam=PAPER_LAMBDA, one_sided=False):
    """One critic update of Algorithm 1 (lines 3-9): descend mean f(x~) - mean f(x) + P.

    The Wasserstein terms go through f's own forward and backward (which SET f's gradients), the
    penalty's gradient is added to them, then the optimiser steps. Returns ``(L, W1 estimate)``:
    L the full critic loss, the estimate mean f(x) - mean f(x~) without the penalty.
    """
    loss = backward_on_both(f, x_real, x_fake, critic_loss)
    penalty, grad_penalty, _ = gradient_penalty(f, interpolate(x_real, x_fake, rng), lam, one_sided)
    add_to_gradients(f, grad_penalty)
    optimizer.step()
    return loss + penalty, -loss


def fit_critic(f, p_data, p_g, steps, batch_size, rng, optimizer, lam=PAPER_LAMBDA,
               one_sided=False):
    """The penalised critic trained alone between two fixed distributions (``sample(n, rng)``).

    Returns the per-step minibatch estimates mean f(x) - mean f(x~) of W1(p_data, p_g).
    """
    lam, one_sided = _check_lambda(lam), _check_one_sided(one_sided)
    _critic_pieces(f)
    return train_critic_alone(
        lambda x_real, x_fake: critic_step(f, optimizer, x_real, x_fake, rng, lam, one_sided)[1],
        f, p_data, p_g, steps, batch_size, rng)


class WGANGP(GAN):
    """The Wasserstein GAN game with a gradient penalty of weight ``lam`` (default 10) on D = f,
    two-sided as in the paper or ``one_sided`` (see the module docstring on 1D targets).

    The loop records the critic's full loss L as ``d_loss`` and its estimate of W1,
    mean f(x) - mean f(G(z)) on the last critic minibatch, as ``value``. Use
    ``config.replace(**PAPER_SETTINGS)`` for the paper's Adam settings and n_critic = k = 5.
    The x^ of each critic step take their eps from the training stream. On a 2D target,
    `gan.train.train` measures it in the plane (`gan.targets2d.Plane`), as any game.
    """

    def __init__(self, config, rng, lam=PAPER_LAMBDA, one_sided=False):
        self.lam, self.one_sided = _check_lambda(lam), _check_one_sided(one_sided)
        super().__init__(config, rng)
        _critic_pieces(self.D)

    def discriminator_update(self, step, rng):
        """One penalised critic update; returns ``(L, W1 estimate)``."""
        x_real, x_fake = self.minibatch(step, rng)
        return critic_step(self.D, self.opt_d, x_real, x_fake, rng, self.lam, self.one_sided)

    generator_update = WGAN.generator_update      # descend -mean f(G(z)): WGAN's, unchanged


def _check_lambda(lam):
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not (
            np.isfinite(lam) and lam >= 0):
        raise ValueError(f"lam must be a finite number >= 0, got {lam!r}")
    return float(lam)


def _check_one_sided(one_sided):
    if not isinstance(one_sided, (bool, np.bool_)):
        raise TypeError(f"one_sided must be True or False, got {one_sided!r}")
    return bool(one_sided)
