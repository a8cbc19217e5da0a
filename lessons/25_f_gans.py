"""Lesson 25 -- f-GANs: every f-divergence is a game, through its variational bound.

Course section (by the course's Chinese terms): 目标函数 (the objective, the paper's value
function) and JS 散度 (the Jensen-Shannon divergence), generalised to f-散度
(f-divergences); beyond the course.

Follows lesson 5 (the value function, C(G) = -log 4 + 2 JSD) with Nowozin, Cseke & Tomioka
(2016). For convex f with f(1) = 0, D_f(P || Q) = int q f(p/q). Fenchel-Young, f(u) >= u t -
f*(t) with equality at t = f'(u), integrated against q with u = p/q and t = T(x), gives

    D_f(P || Q) >= sup_T E_P[T] - E_Q[f*(T)],    tight at T* = f'(p/q).

A critic V (an nn MLP) with T = g_f(V) is trained alone between P = N(-1, 1) and
Q = N(0, 1) and reaches KL = 0.5, reverse KL = 0.5, Pearson chi^2 = e - 1, and for the GAN's f
2 JSD - log 4: Theorem 1's C(G). Then Arjovsky & Bottou's Theorem 2.5: against a fixed D* the
non-saturating loss descends KL(p_g || p_data) - 2 JSD. Last, KL against reverse KL as games on
two modes: mass-covering against mode-seeking, and what a critic that lags G does to it. The
code is gan/dynamics/fgan.py and gan/dynamics/generator_gradients.py.

Run: python lessons/25_f_gans.py   (--fast: fewer critic steps, as the tests run it; --show:
open the figures in windows; --out DIR: where the figures go)
"""

# %%
import unicodedata

import matplotlib.pyplot as plt
import numpy as np

from _lesson import _, _fig, check, compare, say, show, start
from gan import theory
from gan.distributions import Mixture, Normal
from gan.dynamics.quadrature import quantile_nodes
from gan.dynamics import fgan
from gan.dynamics.generator_gradients import divergence_gradients, loss_gradients
from nn import MLP
from nn.optim import Adam

FIGURES = ("critics.png", "bounds.png")


def padded(text, width):
    """``text`` followed by spaces to ``width`` columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
    return text + " " * max(width - columns, 0)


lesson = start(__file__, __doc__)
steps = lesson.pick(1000, 100)
P, Q = Normal(-1.0, 1.0), Normal(0.0, 1.0)
closed = {"kl": fgan.kl_normal(-1, 1, 0, 1), "reverse_kl": fgan.kl_normal(0, 1, -1, 1),
          "pearson": fgan.pearson_normal(-1, 1, 0, 1), "gan": 2 * theory.jsd(P, Q) - np.log(4)}

# %% [markdown]
# ## The critic alone, on a grid shared by P and Q
# With separate samples of P and Q a flexible critic can make T large on P's points and small on
# Q's, and the sup is infinite; on shared nodes x_i with weights p(x_i) dx and q(x_i) dx the
# pointwise optimum is T_i = f'(p_i / q_i), as in the continuous problem.

# %%
x, weight_p, weight_q = fgan.grid_weights(P, Q)
critics, curves, shortfalls = {}, {}, {}
print("  " + _("divergence   closed form   critic's bound after {steps} steps   shortfall").format(
    steps=steps))
for name in fgan.DIVERGENCES:
    V = MLP([1, 32, 32, 1], "softplus", rng=np.random.default_rng(0))
    optimizer = Adam(V, lr=3e-3, betas=(0.9, 0.999))
    curve = []
    for step in range(steps):
        optimizer.lr = 3e-3 * 0.5 * (1 + np.cos(np.pi * step / steps))
        curve.append(fgan.critic_step(V, optimizer, name, x, weight_p, weight_q))
    reached = fgan.bound_by_quadrature(name, V.forward, P, Q)
    critics[name], curves[name] = V, curve
    shortfalls[name] = (closed[name] - reached) / abs(closed[name])
    print(f"  {name:11s} {closed[name]:12.6f}   {reached:32.6f}   "
          f"{shortfalls[name]:9.2%}")
short = [name for name, gap in shortfalls.items() if gap > 0.01]
close = [name for name, gap in shortfalls.items() if gap <= 0.01]
say("""Within 1% of the closed form in this run: {close}; further below: {short}. {fast_note}""",
    close=", ".join(close) or _("none"), short=", ".join(short) or _("none"),
    fast_note=_("(--fast: few critic steps.)") if lesson.fast else "")

fig, axes = plt.subplots(1, 4, figsize=(14, 3.4))
xs = np.linspace(-4, 3, 300)
log_ratio = P.logpdf(xs) - Q.logpdf(xs)
for ax, name in zip(axes, fgan.DIVERGENCES):
    ax.plot(xs, fgan.critic_terms(name, fgan.optimal_critic(name, log_ratio))[0], "k:",
            label="T* = f'(p/q)")
    ax.plot(xs, fgan.critic_terms(name, critics[name].forward(xs[:, None])[:, 0])[0],
            color="tab:blue", ls="--", label=_fig("trained T"))
    ax.set(xlabel="x", title=name, ylim=(-6, 8))
axes[0].set_ylabel("T(x)")
axes[0].legend(fontsize=8)
fig.suptitle(_fig("Each critic against the optimal one, T* = f'(p/q)"))
lesson.save(fig, FIGURES[0])

fig, ax = plt.subplots(figsize=(6.5, 4))
for name in fgan.DIVERGENCES:
    line, = ax.plot(np.array(curves[name]) - closed[name], label=name)
ax.axhline(0, color="k", lw=0.8)
ax.set(xlabel=_fig("critic step"), ylabel=_fig("bound on the grid - D_f"), ylim=(-1, 0.1),
       title=_fig("The bound climbs to the divergence from below"))
ax.legend()
lesson.save(fig, FIGURES[1])

# %% [markdown]
# ## The generator's gradient against a fixed D* (Arjovsky & Bottou 2017, Theorem 2.5)
# With D* = p_data / (p_data + p_g0) held fixed, the reparameterised gradient of E_z[-log D*(G(z))]
# equals grad [KL(p_g || p_data) - 2 JSD(p_data || p_g)] at theta_0, and that of
# E_z[log(1 - D*(G(z)))] equals grad 2 JSD.

# %%
theta_0, p_data = (0.5, 1.5), Normal(-1.0, 1.0)
non_saturating, saturating = loss_gradients(theta_0, p_data)
kl_minus_jsd, two_jsd = divergence_gradients(theta_0, p_data)
print("  " + _("G = N(0.5, 1.5^2), p_data = N(-1, 1); gradients in (mu, sigma):"))
print("    " + _("-log D* loss       {loss}   grad(KL - 2 JSD) {divergence}").format(
    loss=np.round(non_saturating, 7), divergence=np.round(kl_minus_jsd, 7)))
print("    " + _("log(1 - D*) loss   {loss}   grad 2 JSD       {divergence}").format(
    loss=np.round(saturating, 7), divergence=np.round(two_jsd, 7)))
agree = max(np.abs(non_saturating - kl_minus_jsd).max(), np.abs(saturating - two_jsd).max())
print("  " + _("largest difference: {agree:.1e}").format(agree=agree))

# %% [markdown]
# ## Mass-covering against mode-seeking, on two modes
# A Gaussian G(z) = mu + sigma z (an nn MLP [1, 1] without activation) trained as an f-GAN
# on 0.5 N(-2, 0.5^2) + 0.5 N(2, 0.5^2): critic on P's grid plus G's samples at 100 quantile
# nodes of z. KL(P || Q) over Gaussians is minimised by matching moments (mu = 0, sigma =
# sqrt(4 + 0.25) = 2.06): it must cover both modes. Reverse KL(Q || P) punishes mass where P has
# none: one mode (mu = +-2, sigma ~ 0.5) is its best Gaussian (reverse KL = log 2), but a wide
# Gaussian in the middle is a local minimum of it too (reverse KL ~ 1.87 at mu = 0, sigma ~ 1.7).
# G's loss is -E_z f*(T(G(z))) (the only term of the bound that depends on G); for reverse KL,
# f*(g_f(v)) = v - 1, so G climbs the critic's V, whose optimum is log p_data / p_g.
# Both divergences start G at the same point (1, 0.8), with 10 critic steps per G step. Two more
# runs: reverse KL started ON the mode at +2 with a weak critic (2 steps per G step), and
# reverse KL started at (0.5, 1), nearer the middle.

# %%
two_modes = Mixture([Normal(-2.0, 0.5), Normal(2.0, 0.5)], [0.5, 0.5])
grid, weight_grid = fgan.grid_weights(two_modes, two_modes, -6.0, 6.0, 200)[:2]
z_nodes = quantile_nodes(Normal(0.0, 1.0), 100)
g_steps = lesson.pick(1000, 60)


def train_gaussian_g(name, start_mu, start_sigma, critic_steps):
    """The f-GAN game for G(z) = mu + sigma z: ``critic_steps`` ascent steps of the bound for V,
    then one descent step for G (Adam for both). Returns G's end (mu, sigma)."""
    rng = np.random.default_rng(0)
    V = MLP([1, 16, 16, 1], "softplus", rng=rng)
    G = MLP([1, 1], "identity", rng=rng)
    G.layers[0].W[...], G.layers[0].b[...] = start_sigma, start_mu
    opt_v, opt_g = Adam(V, lr=5e-3, betas=(0.5, 0.999)), Adam(G, lr=1e-2, betas=(0.5, 0.999))
    n = len(z_nodes)
    weight_p = np.concatenate([weight_grid, np.zeros(n)])
    weight_q = np.concatenate([np.zeros(len(grid)), np.full(n, 1 / n)])
    for unused in range(g_steps):
        for unused in range(critic_steps):
            fgan.critic_step(V, opt_v, name, np.concatenate([grid, G.forward(z_nodes)]),
                             weight_p, weight_q)
        fgan.f_generator_step(G, V, opt_g, name, z_nodes)
    return float(G.layers[0].b.ravel()[0]), abs(float(G.layers[0].W.ravel()[0]))


runs = {"kl": ("kl", 1.0, 0.8, 10), "reverse_kl": ("reverse_kl", 1.0, 0.8, 10),
        "weak critic": ("reverse_kl", 2.0, 0.5, 2), "middle start": ("reverse_kl", 0.5, 1.0, 10)}
# the runs as a learner reads them: the first two by their divergence's name in the code
run_names = {"kl": "kl", "reverse_kl": "reverse_kl", "weak critic": _("weak critic"),
             "middle start": _("middle start")}
ends = {}
print("  " + _("run            divergence  start (mu, sigma)  critic steps  end mu  end sigma   "
              "mass within 1 of -2 / +2   reverse KL start -> end (quadrature)"))
for label, (name, start_mu, start_sigma, critic_steps) in runs.items():
    mu, sigma = train_gaussian_g(name, start_mu, start_sigma, critic_steps)
    p_g = Normal(mu, sigma)
    masses = [float(p_g.cdf(m + 1) - p_g.cdf(m - 1)) for m in (-2.0, 2.0)]
    reverse = [fgan.divergence_by_quadrature("reverse_kl", two_modes, q)
               for q in (Normal(start_mu, start_sigma), p_g)]
    ends[label] = {"masses": masses, "reverse": reverse}
    print(f"  {padded(run_names[label], 13)}  {name:10s}  ({start_mu:3.1f}, {start_sigma:3.1f})         "
          f"{critic_steps:6d}      {mu:+.3f}    {sigma:.3f}       {masses[0]:.2f} / {masses[1]:.2f}"
          f"              {reverse[0]:.3f} -> {reverse[1]:.3f}")
kl_masses, reverse_masses = ends["kl"]["masses"], ends["reverse_kl"]["masses"]
covered = check("the KL-trained G's mass on its smaller mode", min(kl_masses), ">", 0.2,
                ("covered both modes", "did not cover both modes"))
stays = check("the reverse-KL G's mass on its larger mode", max(reverse_masses), ">", 0.6,
              ("put most of its mass", "did not put most of its mass"))
leaves = check("the reverse-KL G's mass on its smaller mode", min(reverse_masses), "<", 0.1,
               ("almost none", "some"))
too_short = _("(--fast: far too few steps to show this.)") if lesson.fast else ""
say("""From the same start (1, 0.8), the KL-trained G {covered} (its smaller mode holds
{kl_smaller:.2f} of its mass, more than 0.2 is covering); the reverse-KL G {stays} on one mode
({reverse_larger:.2f}, more than 0.6 is seeking it) and {leaves} on the other
({reverse_smaller:.2f}, below 0.1 is dropping it). {too_short}""",
    covered=covered, kl_smaller=min(kl_masses), stays=stays, reverse_larger=max(reverse_masses),
    leaves=leaves, reverse_smaller=min(reverse_masses), too_short=too_short)
own = compare("reverse KL at the end: the reverse-KL G's against the KL-trained G's",
              ends["reverse_kl"]["reverse"][1], ends["kl"]["reverse"][1],
              words=("lower", "the same", "higher"))
say("""Measured by quadrature, the reverse-KL G ends at reverse KL {reverse_end:.3f}
(log 2 = {log2:.3f} is one mode exactly), {own} than the KL-trained G's {kl_end:.3f}.
{too_short}""",
    reverse_end=ends["reverse_kl"]["reverse"][1], log2=np.log(2), own=own,
    kl_end=ends["kl"]["reverse"][1], too_short=too_short)
weak = compare("reverse KL of the weak-critic run: end against its start on the mode",
               ends["weak critic"]["reverse"][1], ends["weak critic"]["reverse"][0],
               words=("lower", "the same", "higher"))
say("""With only 2 critic steps per G step, the reverse-KL G started ON the mode ends at reverse
KL {end:.3f}, {weak} than at its start ({start:.3f}): G climbs the critic's estimate of
log p_data / p_g, not the divergence itself, and a critic that lags G can lead it off its best
point. {too_short}""",
    end=ends["weak critic"]["reverse"][1], weak=weak, start=ends["weak critic"]["reverse"][0],
    too_short=too_short)
middle = compare("reverse KL of the run started at (0.5, 1): its end against one mode's log 2",
                 ends["middle start"]["reverse"][1], np.log(2),
                 words=("lower", "the same", "higher"))
say("""Started at (0.5, 1), the reverse-KL G ends at reverse KL {end:.3f}, {middle} than one
mode's log 2: reverse KL has more than one local minimum over Gaussians, and which one the game
finds depends on where it starts. {too_short}""",
    end=ends["middle start"]["reverse"][1], middle=middle, too_short=too_short)

# %% [markdown]
# ## Exercises

# %%
show("Exercises")
say("""1. Derive f* for the Hellinger distance f(u) = (sqrt(u) - 1)^2 and add it to the table.""")
say("""2. Start the reverse-KL G at (0, 3) and at (-1.5, 0.7): where does it end, and why does
the KL-trained G end in the same place from every start? Give the weak-critic run 5 critic
steps per G step, or G a learning rate of 1e-3: does it then stay on its mode?""")
lesson.finish()
