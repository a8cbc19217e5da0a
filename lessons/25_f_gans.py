"""Lesson 25 -- f-GANs: every f-divergence is a game, through its variational bound.

Course section (by the course's Chinese terms): 价值函数 (the value function) and JS 散度
(the Jensen- Shannon divergence), generalised to f-散度 (f-divergences); beyond the
course.

Follows lesson 5 (the value function, C(G) = -log 4 + 2 JSD) with Nowozin, Cseke & Tomioka
(2016). For convex f with f(1) = 0, D_f(P || Q) = int q f(p/q). Fenchel-Young, f(u) >= u t -
f*(t) with equality at t = f'(u), integrated against q with u = p/q and t = T(x), gives

    D_f(P || Q) >= sup_T E_P[T] - E_Q[f*(T)],    tight at T* = f'(p/q).

A critic V (an nn.fast MLP) with T = g_f(V) is trained alone between P = N(-1, 1) and
Q = N(0, 1) and reaches KL = 0.5, reverse KL = 0.5, Pearson chi^2 = e - 1, and for the GAN's f
2 JSD - log 4: Theorem 1's C(G). Then Arjovsky & Bottou's Theorem 2.5: against a fixed D* the
non-saturating loss descends KL(p_g || p_data) - 2 JSD. The code is gan/dynamics/fgan.py and
gan/dynamics/generator_gradients.py.

Run: python lessons/25_f_gans.py   (--fast: fewer critic steps, as the tests run it; --show:
open the figures in windows; --out DIR: where the figures go)
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from _lesson import check, compare, say, start
from gan import theory
from gan.distributions import Mixture, Normal
from gan.dynamics.quadrature import quantile_nodes
from gan.dynamics import fgan
from gan.dynamics.generator_gradients import divergence_gradients, loss_gradients
from nn.fast import MLP
from nn.fast.optim import Adam

FIGURES = ("critics.png", "bounds.png")

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
print(f"  divergence   closed form   critic's bound after {steps} steps   shortfall")
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
say(f"""Within 1% of the closed form in this run: {', '.join(close) or 'none'}; further below:
{', '.join(short) or 'none'}.""" + (" (--fast: few critic steps.)" if lesson.fast else ""))

fig, axes = plt.subplots(1, 4, figsize=(14, 3.4))
xs = np.linspace(-4, 3, 300)
log_ratio = P.logpdf(xs) - Q.logpdf(xs)
for ax, name in zip(axes, fgan.DIVERGENCES):
    ax.plot(xs, fgan.critic_terms(name, fgan.optimal_critic(name, log_ratio))[0], "k:",
            label="T* = f'(p/q)")
    ax.plot(xs, fgan.critic_terms(name, critics[name].forward(xs[:, None])[:, 0])[0],
            color="tab:blue", ls="--", label="trained T")
    ax.set(xlabel="x", title=name, ylim=(-6, 8))
axes[0].set_ylabel("T(x)")
axes[0].legend(fontsize=8)
fig.suptitle("Each critic against the optimal one, T* = f'(p/q)")
lesson.save(fig, FIGURES[0])

fig, ax = plt.subplots(figsize=(6.5, 4))
for name in fgan.DIVERGENCES:
    line, = ax.plot(np.array(curves[name]) - closed[name], label=name)
ax.axhline(0, color="k", lw=0.8)
ax.set(xlabel="critic step", ylabel="bound on the grid - D_f", ylim=(-1, 0.1),
       title="The bound climbs to the divergence from below")
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
print(f"  G = N(0.5, 1.5^2), p_data = N(-1, 1); gradients in (mu, sigma):")
print(f"    -log D* loss       {np.round(non_saturating, 7)}   grad(KL - 2 JSD) "
      f"{np.round(kl_minus_jsd, 7)}")
print(f"    log(1 - D*) loss   {np.round(saturating, 7)}   grad 2 JSD       {np.round(two_jsd, 7)}")
agree = max(np.abs(non_saturating - kl_minus_jsd).max(), np.abs(saturating - two_jsd).max())
print(f"  largest difference: {agree:.1e}")

# %% [markdown]
# ## Mass-covering against mode-seeking, on two modes
# A Gaussian G(z) = mu + sigma z (an nn.fast MLP [1, 1] without activation) trained as an f-GAN
# on 0.5 N(-2, 0.5^2) + 0.5 N(2, 0.5^2): critic on P's grid plus G's samples at 100 quantile
# nodes of z. KL(P || Q) over Gaussians is minimised by matching moments (mu = 0, sigma =
# sqrt(4 + 0.25) = 2.06): it must cover both modes. Reverse KL(Q || P) punishes mass where P has
# none: one mode (mu = +-2, sigma ~ 0.5) is its best Gaussian (reverse KL = log 2), but a wide
# Gaussian in the middle is a local minimum of it too (reverse KL ~ 1.87 at mu = 0, sigma ~ 1.7).
# The reverse-KL G starts once ON the mode at +2, where its divergence is lowest: does the
# adversarial game keep it there? The run below says, with the divergence measured at both ends.

# %%
two_modes = Mixture([Normal(-2.0, 0.5), Normal(2.0, 0.5)], [0.5, 0.5])
grid, weight_grid, _ = fgan.grid_weights(two_modes, two_modes, -6.0, 6.0, 200)
z_nodes = quantile_nodes(Normal(0.0, 1.0), 100)
print("  divergence   start (mu, sigma)   end mu    end sigma   p_g mass within 1 of -2 / +2")
for name in ("kl", "reverse_kl"):
    for start_mu, start_sigma in ((0.5, 1.0), (2.0, 0.5)):
        rng = np.random.default_rng(0)
        V = MLP([1, 16, 16, 1], "softplus", rng=rng)
        G = MLP([1, 1], "identity", rng=rng)
        G.layers[0].W[...], G.layers[0].b[...] = start_sigma, start_mu
        opt_v, opt_g = Adam(V, lr=5e-3, betas=(0.5, 0.999)), Adam(G, lr=1e-2, betas=(0.5, 0.999))
        n = len(z_nodes)
        weight_p = np.concatenate([weight_grid, np.zeros(n)])
        weight_q = np.concatenate([np.zeros(len(grid)), np.full(n, 1 / n)])
        for step in range(lesson.pick(600, 60)):
            for _ in range(2):
                fgan.critic_step(V, opt_v, name, np.concatenate([grid, G.forward(z_nodes)]),
                                 weight_p, weight_q)
            fgan.generator_step(G, V, opt_g, name, z_nodes)
        mu, sigma = float(G.layers[0].b.ravel()[0]), abs(float(G.layers[0].W.ravel()[0]))
        p_g = Normal(mu, sigma)
        masses = [float(p_g.cdf(m + 1) - p_g.cdf(m - 1)) for m in (-2.0, 2.0)]
        print(f"  {name:11s}  ({start_mu:3.1f}, {start_sigma:3.1f})          {mu:+.3f}    "
              f"{sigma:.3f}       {masses[0]:.2f} / {masses[1]:.2f}")
        if name == "reverse_kl" and start_mu == 2.0:
            reverse_masses = masses
            exact = [fgan.divergence_by_quadrature("reverse_kl", two_modes, q)
                     for q in (Normal(start_mu, start_sigma), p_g)]
        if name == "kl" and start_mu == 0.5:
            kl_masses = masses
covered = check("the KL-trained G's mass on its smaller mode", min(kl_masses), ">", 0.2,
                ("covered both modes", "did not cover both modes"))
stays = check("the reverse-KL G's mass on its larger mode", max(reverse_masses), ">", 0.6,
              ("kept most of its mass", "did not keep most of its mass"))
leaves = check("the reverse-KL G's mass on its smaller mode", min(reverse_masses), "<", 0.1,
               ("put almost none", "put some"))
seeking = stays == "kept most of its mass" and leaves == "put almost none"
say(f"""In this run the KL-trained G {covered} (its smaller mode holds {min(kl_masses):.2f} of
its mass, more than 0.2 is covering). The reverse-KL G started on the mode at +2 {stays} on its
larger mode ({max(reverse_masses):.2f}, more than 0.6 is staying) and {leaves} on the other
({min(reverse_masses):.2f}, below 0.1 is avoiding it).""" + (
    " (--fast: few steps.)" if lesson.fast else ""))
better = compare("KL(p_g || p_data) at the reverse-KL G's start against its end", exact[0],
                 exact[1], words=("lower", "the same", "higher"))
say(f"""Measured by quadrature, KL(p_g || p_data) was {exact[0]:.3f} at that start and is
{exact[1]:.3f} where the game ended: the start was {better}. """ + (
    """The adversarial game moved G off the better
point of its own divergence: the critic's estimate of the bound, not the divergence itself,
drives G, and at this scale (a 16-16 critic, 2 critic steps per G step, 100 noise nodes) the
mode-seeking of reverse KL is NOT shown.""" if better == "lower" and not seeking else ""))

# %% [markdown]
# ## Exercises
# 1. Derive f* for the Hellinger distance f(u) = (sqrt(u) - 1)^2 and add it to the table.
# 2. Start the reverse-KL G at (0, 3) and at (-1.5, 0.7): where does it end, and why does the
#    KL-trained G end in the same place from every start? Give the critic 10 steps per G step:
#    does the reverse-KL G then stay on its mode?

# %%
print("Exercise 1: the Hellinger distance's conjugate.")
print("Exercise 2: where the reverse-KL G ends from other starts.")
lesson.finish()
