"""f-GANs' variational bound (gan.dynamics.fgan): closed forms and a critic trained alone."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

from gan import theory
from gan.distributions import Normal
from gan.dynamics import fgan
from gan.dynamics.quadrature import quantile_nodes
from nn.fast import MLP
from nn.fast.optim import Adam

P, Q = Normal(-1.0, 1.0), Normal(0.0, 1.0)
Q_WIDE = Normal(0.0, 1.5)


def closed_form(name, p, q):
    if name == "kl":
        return fgan.kl_normal(p.mean, p.std, q.mean, q.std)
    if name == "reverse_kl":
        return fgan.kl_normal(q.mean, q.std, p.mean, p.std)
    if name == "pearson":
        return fgan.pearson_normal(p.mean, p.std, q.mean, q.std)
    return 2 * theory.jsd(p, q) - np.log(4)            # the GAN's f: C(G) of Theorem 1


def test_the_named_closed_values():
    assert fgan.kl_normal(-1, 1, 0, 1) == 0.5
    np.testing.assert_allclose(fgan.pearson_normal(-1, 1, 0, 1), np.e - 1, rtol=1e-15)
    np.testing.assert_allclose(closed_form("gan", P, Q), theory.c_of_g(P, Q), atol=1e-9)


@pytest.mark.parametrize("name", fgan.DIVERGENCES)
@pytest.mark.parametrize("q", [Q, Q_WIDE], ids=["N(0,1)", "N(0,1.5^2)"])
def test_bound_is_tight_at_the_optimal_critic(name, q):
    log_ratio = lambda x: P.logpdf(x[:, 0]) - q.logpdf(x[:, 0])          # noqa: E731
    critic = lambda x: fgan.optimal_critic(name, log_ratio(x))[:, None]  # noqa: E731
    np.testing.assert_allclose(fgan.bound_by_quadrature(name, critic, P, q),
                               closed_form(name, P, q), rtol=1e-6)
    np.testing.assert_allclose(fgan.divergence_by_quadrature(name, P, q),
                               closed_form(name, P, q), rtol=1e-7)


@pytest.mark.parametrize("name", fgan.DIVERGENCES)
@given(a=st.floats(-0.5, 0.5), b=st.floats(-0.5, 0.5))
def test_any_other_critic_gives_a_smaller_bound(name, a, b):
    log_ratio = lambda x: P.logpdf(x[:, 0]) - Q.logpdf(x[:, 0])          # noqa: E731
    critic = lambda x: (fgan.optimal_critic(name, log_ratio(x))          # noqa: E731
                        + a + b * np.tanh(x[:, 0]))[:, None]
    assert fgan.bound_by_quadrature(name, critic, P, Q) <= closed_form(name, P, Q) + 1e-9


def test_kl_and_reverse_kl_differ_when_the_variances_do():
    assert abs(closed_form("kl", P, Q_WIDE) - closed_form("reverse_kl", P, Q_WIDE)) > 0.05


# A softplus critic [1, 32, 32, 1], full batch on a shared grid (`grid_weights`), 1000 Adam
# steps: the bound it reaches, measured by the trapezoid rule on 24001 points, must be within
# `tolerance` below the closed form. Pearson's T* = 2(e^{-x - 1/2} - 1) grows exponentially to
# the left, which a softplus net follows only linearly: it stops 0.6% short.
@pytest.mark.parametrize("name, tolerance", [("kl", 1e-4), ("reverse_kl", 1e-4),
                                             ("pearson", 1e-2), ("gan", 1e-5)])
def test_critic_trained_alone_reaches_the_divergence(name, tolerance):
    x, weight_p, weight_q = fgan.grid_weights(P, Q)
    V = MLP([1, 32, 32, 1], "softplus", rng=np.random.default_rng(0))
    optimizer, steps = Adam(V, lr=3e-3, betas=(0.9, 0.999)), 1000
    for step in range(steps):
        optimizer.lr = 3e-3 * 0.5 * (1 + np.cos(np.pi * step / steps))
        fgan.critic_step(V, optimizer, name, x, weight_p, weight_q)
    reached = fgan.bound_by_quadrature(name, V.forward, P, Q)
    target = closed_form(name, P, Q)
    assert reached <= target + 1e-7
    assert target - reached < tolerance * abs(target)


def test_unknown_divergence_is_rejected_by_name():
    with pytest.raises(ValueError, match="divergence"):
        fgan.critic_terms("hellinger", np.zeros(3))


class FixedCritic:
    """A critic x -> v(x) that does not learn, in the network protocol f_generator_step uses:
    backward turns dL/dv into dL/dx = dL/dv v'(x), v' by central differences (h = 1e-5,
    error ~ h^2 v''' ~ 1e-10)."""

    def __init__(self, v, h=1e-5):
        self.v, self.h = v, h

    def forward(self, x):
        self.x = x
        return self.v(x)

    def backward(self, grad, param_grads=True):
        return grad * (self.v(self.x + self.h) - self.v(self.x - self.h)) / (2 * self.h)


class NoStep:
    def step(self):
        pass


# Against the optimal critic V* held fixed, G's loss -E_z f*(g_f(V*(G(z)))) has the gradient of
# D_f(P || Q_theta) itself (the envelope theorem: the sup's gradient is the partial derivative
# at the maximiser), for G(z) = mu + sigma z. The outside truths: the closed forms of KL and
# reverse KL between Gaussians, and adaptive quadrature of D_f for Pearson and the GAN's f, each
# differentiated by central differences (h = 1e-4). Tolerance: z is 4000 quantile nodes, whose
# midpoint rule errs O(1/n) in the tails (Pearson's p^2/q weighs the tails most: 1.5e-3 here).
@pytest.mark.parametrize("name", fgan.DIVERGENCES)
def test_generator_gradient_against_the_optimal_critic_is_the_divergence_gradient(name):
    mu, sigma, h = 0.5, 1.2, 1e-4
    q = Normal(mu, sigma)
    G = MLP([1, 1], "identity", rng=np.random.default_rng(0))
    G.layers[0].W[...], G.layers[0].b[...] = sigma, mu
    critic = FixedCritic(lambda x: fgan.optimal_critic(name, P.logpdf(x) - q.logpdf(x)))
    fgan.f_generator_step(G, critic, NoStep(), name, quantile_nodes(Normal(0.0, 1.0), 4000))
    if name in ("kl", "reverse_kl"):
        def divergence(m, s):
            return closed_form(name, P, Normal(m, s))
    else:
        def divergence(m, s):
            return fgan.divergence_by_quadrature(name, P, Normal(m, s))
    expected = [(divergence(mu, sigma + h) - divergence(mu, sigma - h)) / (2 * h),   # W: sigma
                (divergence(mu + h, sigma) - divergence(mu - h, sigma)) / (2 * h)]   # b: mu
    np.testing.assert_allclose(G.flat_grads, expected, rtol=3e-3)
