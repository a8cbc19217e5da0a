"""Lesson 05 -- the value function V(D, G) and the virtual training criterion C(G).

Follows Section 4.1 of Goodfellow et al. (2014): the game is min_G max_D V(D, G) with

    V(D, G) = E_{x ~ p_data}[log D(x)] + E_{z ~ p_z}[log(1 - D(G(z)))]          (Eq. 1)

For each G the inner max is reached at D* (Proposition 1, lesson 04), which leaves a function
of G alone, C(G) = V(D*, G) (Eq. 4). Theorem 1: C(G) = -log 4 + 2 JSD(p_data || p_g), so its
global minimum is -log 4, reached exactly when p_g = p_data. We map C over a family of
generators p_g = N(mu, sigma) for the target p_data = N(-1, 1).

Run: python lessons/05_value_function.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): 目标函数 (the objective,
the paper's value function) V(D, G), KL散度 and JS散度 (KL and JS divergence).
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import rng
from _lesson import _fig, check, compare, say, show, start
from gan.distributions import Normal
from gan.objectives import value_estimate as minibatch_value
from gan.theory import c_of_g, jsd, jsd_grid, optimal_discriminator_logit, value

FIGURES = ("c_of_g_map.png", "c_of_g_slice.png")

lesson = start(__file__, __doc__)
LOG_4 = math.log(4.0)
p_data = Normal(-1.0, 1.0)

# %% [markdown]
# ## V is an expectation: a minibatch estimates it
# Take one generator, p_g = N(1, 0.7), and its best discriminator D*. V(D*, G) is an integral;
# Algorithm 1 only ever sees its minibatch estimate.

# %%
generator = rng.Generator(5)
p_g = Normal(1.0, 0.7)
D_star_logit = optimal_discriminator_logit(p_data, p_g)
m, repeats = 256, lesson.pick(1000, 200)
x_real = p_data.sample(repeats * m, generator).reshape(repeats, m, 1)   # a batch of minibatches
x_fake = p_g.sample(repeats * m, generator).reshape(repeats, m, 1)
estimates = minibatch_value(D_star_logit(x_real), D_star_logit(x_fake))  # one V per minibatch
C = c_of_g(p_data, p_g)
say("""p_g = N(1, 0.7): by quadrature C(G) = V(D*, G) = {C:.4f}. {count} minibatch estimates
with m = {m} average {mean:.4f} +- {error:.4f} (standard error), but one estimate spreads by
{spread:.4f} (std): unbiased, yet every single step of Algorithm 1 sees a noisy V.""",
    C=C, count=len(estimates), m=m, mean=estimates.mean(),
    error=estimates.std() / np.sqrt(repeats), spread=estimates.std())

# %% [markdown]
# ## Theorem 1, derived: from C(G) to KL terms to -log 4 + 2 JSD
# The Kullback-Leibler divergence KL(p || q) = E_{x~p} log(p(x) / q(x)) >= 0 (Jensen: -log is
# convex, so E_p[-log(q/p)] >= -log E_p[q/p] = -log 1 = 0), with equality iff p = q. Put
# D* = p_data / (p_data + p_g) (lesson 04) into V:
#   C(G) = E_{p_data} log[p_data / (p_data + p_g)] + E_{p_g} log[p_g / (p_data + p_g)].
# Write p_data + p_g = 2 m with m = (p_data + p_g) / 2, a density; each log gains -log 2:
#   C(G) = -log 2 + E_{p_data} log(p_data / m) - log 2 + E_{p_g} log(p_g / m)
#        = -log 4 + KL(p_data || m) + KL(p_g || m) = -log 4 + 2 JSD(p_data || p_g),
# since JSD(p || q) = [KL(p || m) + KL(q || m)] / 2. JSD >= 0 with equality iff p_g = p_data,
# so C(G) >= -log 4, reached only at p_g = p_data: the global minimum of the virtual training
# criterion.
#
# ## Theorem 1, numerically: C(G) = -log 4 + 2 JSD(p_data || p_g)
# c_of_g integrates V(D*, G) directly; jsd integrates the Jensen-Shannon divergence. Nothing in
# the first computation knows about the second.

# %%
check_mu = np.linspace(-4.0, 2.0, lesson.pick(9, 4))
check_sigma = np.linspace(0.25, 3.0, lesson.pick(8, 2))
pairs = [(mu, sigma) for mu in check_mu for sigma in check_sigma]
gaps = np.array([
    c_of_g(p_data, Normal(mu, sigma)) - (-LOG_4 + 2 * jsd(p_data, Normal(mu, sigma)))
    for mu, sigma in pairs
])
say("""Over {count} generators N(mu, sigma), mu in [{mu_low}, {mu_high}], sigma in
[{sigma_low}, {sigma_high}]: max |C(G) - (-log 4 + 2 JSD)| = {gap:.1e} (rounding level). Two
different integrals, one number: that is Theorem 1.""",
    count=len(pairs), mu_low=check_mu[0], mu_high=check_mu[-1], sigma_low=check_sigma[0],
    sigma_high=check_sigma[-1], gap=np.abs(gaps).max())

# %% [markdown]
# ## The landscape of C over the family N(mu, sigma)
# Densities on a fine x grid and the trapezoid rule (`jsd_grid`), one row of sigma at a time.

# %%
mu = np.linspace(-4.0, 2.0, lesson.pick(121, 31))          # steps of 0.05 (fast: 0.2)
sigma = np.linspace(0.25, 3.0, lesson.pick(111, 23))       # steps of 0.025 (fast: 0.125)
x = np.linspace(-16.0, 14.0, 3001)                         # 4 sigma beyond every member
p_data_x = p_data.pdf(x)
C_map = np.array([
    -LOG_4 + 2 * jsd_grid(x, p_data_x, stats.norm.pdf(x, mu[:, None], s)) for s in sigma
])                                                          # shape (len(sigma), len(mu))
row, column = np.unravel_index(np.argmin(C_map), C_map.shape)
say("""On the {columns} x {rows} grid the smallest C(G) is {smallest:.5f} at mu = {mu:.2f},
sigma = {sigma:.3f}; -log 4 = {minus_log_4:.5f}. The minimum sits where p_g = p_data, and
nowhere else: C is below -log 4 + 0.01 only for {near} of {size} grid points, all near
(-1, 1).""", columns=len(mu), rows=len(sigma), smallest=C_map[row, column], mu=mu[column],
    sigma=sigma[row], minus_log_4=-LOG_4, near=np.count_nonzero(C_map < -LOG_4 + 0.01),
    size=C_map.size)
say("""Far from the target C flattens towards its ceiling 0 (JSD -> log 2): at mu = {mu},
sigma = {sigma} it is {C:.4f}. A generator there feels almost no slope of C -- keep that in
mind for lesson 07.""", mu=mu[-1], sigma=sigma[0], C=C_map[0, -1])

fig, ax = plt.subplots(figsize=(7.5, 5))
mesh = ax.pcolormesh(mu, sigma, C_map, cmap="viridis", shading="auto")
ax.contour(mu, sigma, C_map, levels=np.linspace(-1.35, -0.05, 14), colors="white",
           linewidths=0.6, linestyles="solid", alpha=0.6)
fig.colorbar(mesh, ax=ax, label=r"$C(G) = -\log 4 + 2\,JSD(p_{data}\,\|\,p_g)$ (nats)")
ax.plot(mu[column], sigma[row], "*", color="red", markersize=14,
        label=_fig("grid minimum C = {C:.4f}").format(C=C_map[row, column]))
ax.plot(p_data.mu, p_data.sigma, "o", markerfacecolor="none", markeredgecolor="white",
        markersize=16, markeredgewidth=1.5, label=_fig(r"$p_g = p_{data}$: (-1, 1), C = $-\log 4$"))
ax.axhline(1.0, color="white", linestyle="--", linewidth=1, label=_fig(r"the slice $\sigma = 1$"))
ax.set(xlabel=_fig(r"$\mu$ of $p_g$"), ylabel=_fig(r"$\sigma$ of $p_g$"),
       title=_fig(r"C(G) over $p_g = N(\mu, \sigma)$: one minimum, at $p_g = p_{data}$"))
ax.legend(loc="upper left", fontsize=8)
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## A slice along mu (sigma = 1), and why C is a max over D
# Freeze one discriminator -- the best one against N(1, 1) -- and move G: its V(D, G) stays
# below C(G) everywhere and touches it only at mu = 1, where that D is optimal.

# %%
sigma_one = np.argmin(np.abs(sigma - 1.0))
frozen_logit = optimal_discriminator_logit(p_data, Normal(1.0, 1.0))
slice_mu = np.linspace(-4.0, 2.0, lesson.pick(61, 7))     # steps of 0.1 (fast: 1)
V_frozen = np.array([value(frozen_logit, p_data, Normal(mu_g, 1.0)) for mu_g in slice_mu])
C_slice = np.array([c_of_g(p_data, Normal(mu_g, 1.0)) for mu_g in slice_mu])
lowest = int(np.argmin(V_frozen))
edge_word = check("05 frozen-D minimum of V: steps from the slice's edge", min(lowest,
                  slice_mu.size - 1 - lowest), "<=", 0,
                  ("at the slice's edge", "inside the slice"))
V_beyond = value(frozen_logit, p_data, Normal(slice_mu[0] - 4.0, 1.0))
beyond_word = compare(f"05 frozen-D V at mu = {slice_mu[0] - 4:g} vs at the slice's edge",
                      V_beyond, V_frozen[0], ("lower still", "no lower", "higher"))
say("""Along sigma = 1: V(D_frozen, G) <= C(G) at every mu (largest V - C = {gap:.1e}); they
meet at mu = {meet:.2f}. Maximising over D first is what turns V into a criterion for G alone.
Against that stale D, V is not even bounded below: the frozen D*(x) = p_data / (p_data +
p_N(1,1)) tends to 1 as x -> -inf, so the term E_{{p_g}} log(1 - D) -> -inf as G runs past the
target to the left. On the slice the smallest V, {lowest_V:.2f} (far below -log 4), lies
{edge_word} (mu = {lowest_mu:.1f}), and at mu = {beyond_mu:g}, beyond the slice, V =
{beyond_V:.2f}: {beyond_word}. Minimising V for a fixed D is not minimising C. That is why
Algorithm 1 updates D (k steps) before every step of G.""",
    gap=(V_frozen - C_slice).max(), meet=slice_mu[np.argmin(C_slice - V_frozen)],
    lowest_V=V_frozen[lowest], edge_word=edge_word, lowest_mu=slice_mu[lowest],
    beyond_mu=slice_mu[0] - 4, beyond_V=V_beyond, beyond_word=beyond_word)

fig, ax = plt.subplots(figsize=(7.5, 4))
ax.plot(mu, C_map[sigma_one], color="tab:green", label=r"$C(G) = \max_D V(D, G)$")
ax.plot(slice_mu, V_frozen, color="tab:blue", linestyle="--",
        label=_fig(r"$V(D, G)$, D frozen at $D^*$ for $N(1, 1)$"))
ax.axhline(-LOG_4, color="black", linestyle=":",
           label=_fig(r"$-\log 4$, reached at $\mu = -1$"))
ax.axhline(0.0, color="0.6", linewidth=0.8)
bottom = min(V_frozen.min(), C_slice.min()) - 0.3          # the frozen-D curve, all of it
ax.set(xlabel=_fig(r"$\mu$ of $p_g = N(\mu, 1)$"), ylabel=_fig("nats"), ylim=(bottom, 0.2),
       title=_fig(r"Slice $\sigma = 1$: C is minimal at $\mu = -1$; any fixed D lies below C"))
ax.legend(fontsize=8, loc="lower right")
lesson.save(fig, FIGURES[1])

# %%
show("Exercises")
say("""1. Replace the target by Mixture([Normal(-2, 0.5), Normal(2, 0.5)]) and map C over the
same normal family. Where is the best normal p_g now, and is its C(G) still -log 4? Why not?""")
say("""2. Compute the gradient dC/dmu along the slice (np.gradient) at mu = -3 and at mu = 2. How
does it compare with its size near mu = -1.5? What would that mean for a generator that starts
far away?""")
lesson.finish()
