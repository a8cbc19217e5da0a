"""f-GANs (Nowozin, Cseke & Tomioka 2016): any f-divergence as a game, through its variational
bound.

For a convex f with f(1) = 0, D_f(P || Q) = int q(x) f(p(x) / q(x)) dx. Its convex conjugate
f*(t) = sup_u [u t - f(u)] gives f(u) >= u t - f*(t) for every t (Fenchel-Young), with equality at
t = f'(u). Put u = p/q, t = T(x) and integrate against q:

    D_f(P || Q) >= sup_T  E_P[T(x)] - E_Q[f*(T(x))],     tight at T*(x) = f'(p(x) / q(x)).

A critic network outputs V(x) in R and T = g_f(V), an output activation that keeps T inside the
domain of f*. The table (Nowozin et al. 2016, Tables 1 and 2), with T* written as V*:

    name         f(u)                        g_f(v)             f*(t)              V*
    kl           u log u                     v                  exp(t - 1)         1 + log r
    reverse_kl   -log u                      -exp(-v)           -1 - log(-t)       log r
    pearson      (u - 1)^2                   v                  t^2/4 + t          2 (r - 1)
    gan          u log u - (u+1) log(u+1)    -log(1 + e^{-v})   -log(1 - e^t)      log r

with r = p/q. For "gan", f*(g_f(v)) = softplus(v) and T = log sigmoid(v): the bound is
E_P log D + E_Q log(1 - D) with D = sigmoid(V), the GAN's value, and D_f = 2 JSD(P || Q) - log 4,
Theorem 1's C(G). Every term below is written in v, so nothing overflows: e.g. for reverse_kl
f*(g_f(v)) = -1 + v.

Closed forms between Gaussians P = N(m1, s1^2), Q = N(m2, s2^2):
KL(P || Q) = log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2 (KL(N(-1,1) || N(0,1)) = 1/2);
reverse KL is KL(Q || P); Pearson chi^2 = int p^2/q - 1 = s2^2 / (s1 sqrt(2 s2^2 - s1^2))
exp((m1 - m2)^2 / (2 s2^2 - s1^2)) - 1 when 2 s2^2 > s1^2 (e - 1 for unit variances, unit shift).
"""

from __future__ import annotations

import numpy as np
from scipy import integrate
from scipy.special import expit as sigmoid

from gan.objectives import softplus

DIVERGENCES = ("kl", "reverse_kl", "pearson", "gan")


def check_divergence(name):
    if name not in DIVERGENCES:
        raise ValueError(f"divergence must be one of {DIVERGENCES}, got {name!r}")
    return name


def critic_terms(name, v):
    """(T, dT/dv, f*(T), d f*(T)/dv) at critic outputs v, for the divergence ``name``."""
    check_divergence(name)
    if name == "kl":
        conjugate = np.exp(v - 1)
        return v, np.ones_like(v), conjugate, conjugate
    if name == "reverse_kl":
        minus_t = np.exp(-v)
        return -minus_t, minus_t, v - 1, np.ones_like(v)
    if name == "pearson":
        return v, np.ones_like(v), v**2 / 4 + v, v / 2 + 1
    return -softplus(-v), sigmoid(-v), softplus(v), sigmoid(v)          # gan


def f(name, u):
    """f(u) of the table."""
    check_divergence(name)
    u = np.asarray(u, dtype=np.float64)
    if name == "kl":
        return u * np.log(u)
    if name == "reverse_kl":
        return -np.log(u)
    if name == "pearson":
        return (u - 1) ** 2
    return u * np.log(u) - (u + 1) * np.log(u + 1)


def optimal_critic(name, log_ratio):
    """V*(x) with g_f(V*) = T* = f'(p/q), from log r = log p - log q (the table)."""
    check_divergence(name)
    if name == "kl":
        return 1 + log_ratio
    if name == "pearson":
        return 2 * (np.exp(log_ratio) - 1)
    return log_ratio


def bound(name, v_p, v_q):
    """E_P[T] - E_Q[f*(T)] with the expectations as means over critic outputs at P's and Q's
    samples (or equally weighted quadrature nodes)."""
    return float(np.mean(critic_terms(name, v_p)[0]) - np.mean(critic_terms(name, v_q)[2]))


def bound_by_quadrature(name, critic, p, q, low=-12.0, high=12.0, points=24001):
    """int [p(x) T(x) - q(x) f*(T(x))] dx for a critic x -> v ((n, 1) arrays), by the
    trapezoid rule on ``points`` equally spaced x in [low, high] (one vectorised critic call;
    for smooth integrands the error is O(spacing^2), ~1e-7 here)."""
    x = np.linspace(low, high, points)
    v = np.asarray(critic(x[:, None]), dtype=np.float64)[:, 0]
    t, _, conjugate, _ = critic_terms(name, v)
    integrand = p.pdf(x) * t - q.pdf(x) * conjugate
    return float(np.sum((integrand[1:] + integrand[:-1]) * np.diff(x)) / 2)


def divergence_by_quadrature(name, p, q, low=-12.0, high=12.0):
    """D_f(P || Q) = int q f(p / q) dx by adaptive quadrature (for checking closed forms)."""
    def integrand(x):
        qx = float(q.pdf(x))
        return qx * float(f(name, float(p.pdf(x)) / qx)) if qx > 0 else 0.0
    return integrate.quad(integrand, low, high, limit=200, epsabs=1e-12, epsrel=1e-10)[0]


def kl_normal(m1, s1, m2, s2):
    """KL(N(m1, s1^2) || N(m2, s2^2)) in closed form."""
    return np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5


def pearson_normal(m1, s1, m2, s2):
    """Pearson chi^2(N(m1, s1^2) || N(m2, s2^2)) = int p^2 / q - 1, finite iff 2 s2^2 > s1^2."""
    spread = 2 * s2**2 - s1**2
    if spread <= 0:
        return np.inf
    return s2**2 / (s1 * np.sqrt(spread)) * np.exp((m1 - m2) ** 2 / spread) - 1


def grid_weights(p, q, low=-10.0, high=10.0, points=400):
    """x (points, 1) equally spaced in [low, high] and trapezoid weights p(x_i) dx_i, q(x_i) dx_i.

    P and Q weigh the SAME nodes. With separate samples (or nodes) of P and Q the sup over T of
    E_P T - E_Q f*(T) is infinite for a flexible critic (T large on P's points, small on Q's),
    a discrete problem unlike the continuous one; on shared nodes the sup is reached pointwise
    at T_i = f'(p_i / q_i) and equals the trapezoid rule for D_f(P || Q).
    """
    x = np.linspace(low, high, points)
    dx = np.full(points, (high - low) / (points - 1))
    dx[[0, -1]] /= 2
    return x[:, None], p.pdf(x) * dx, q.pdf(x) * dx


def critic_step(V, optimizer, name, x, weight_p, weight_q):
    """One ascent step of the bound sum_i [weight_p_i T(x_i) - weight_q_i f*(T(x_i))] for the
    critic network V (samples of P: weight_p = 1/m, weight_q = 0; of Q: the other way round;
    quadrature: `grid_weights`). Returns the bound before the step."""
    v = V.forward(x)[:, 0]
    t, dt, conjugate, dconjugate = critic_terms(name, v)
    V.backward((weight_q * dconjugate - weight_p * dt)[:, None], input_grad=False)  # d(-bound)/dv
    optimizer.step()
    return float(weight_p @ t - weight_q @ conjugate)


def f_generator_step(G, V, optimizer, name, z):
    """One descent step of the bound for G: only -E_Q f*(T(G(z))) depends on G, so
    L_G = -mean f*(g_f(V(G(z)))) and dL_G/dv = -(d f*(T)/dv) / m. Returns L_G."""
    x = G.forward(z)
    _, _, conjugate, dconjugate = critic_terms(name, V.forward(x))
    grad_x = V.backward(-dconjugate / len(z), param_grads=False)
    G.backward(grad_x, input_grad=False)
    optimizer.step()
    return float(-conjugate.mean())
