"""Lesson 07 -- the saturating and the non-saturating generator loss.

Follows Section 3 of Goodfellow et al. (2014): early on, when G is poor, D rejects its samples
with high confidence and log(1 - D(G(z))) saturates, so the paper trains G to maximise
log D(G(z)) instead. Same fixed point, very different gradients. We measure both losses'
gradients against a confident D, check them against their closed forms and finite differences,
then train G both ways from the same start on a target far from where it begins.

Run: python lessons/07_saturating_loss.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): 非饱和损失 (the non-
saturating loss) and 梯度消失 (vanishing gradients).
"""

# %%
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit as sigmoid

import rng
from _lesson import check, compare, say, start
from gan.config import GANConfig
from gan.distributions import Normal
from gan.measure import generator_density, jsd_with_outside_mass
from gan.objectives import generator_loss
from gan.game import build_players, make_optimizer
from gan.train import algorithm1_step, fit_discriminator
from nn.optim import SGD
from nn.threads import blas_threads

FIGURES = ("gradient_vs_d.png", "jsd_minimax_vs_non_saturating.png")
LOSSES = ("minimax", "non_saturating")
STYLE = {"minimax": dict(color="tab:red", linestyle="-."), "non_saturating": dict(color="tab:blue")}

lesson = start(__file__, __doc__)
p_data = Normal(8.0, 0.5)            # far from a fresh G, whose samples sit near 0
config = GANConfig(target=p_data, batch_size=128, seed=7)
generator = rng.Generator(config.seed)
G, D = build_players(config, generator)
p_z = config.p_z
p_g = SimpleNamespace(sample=lambda n, r: G.forward(p_z.sample(n, r)))   # x = G(z), z ~ p_z

# %% [markdown]
# ## Early in training: a poor G and a confident D
# Train D alone (lesson 04) against the fresh generator, as the first k steps would.

# %%
fit_discriminator(D, p_data, p_g, steps=lesson.pick(400, 200), batch_size=128, rng=generator)
z = p_z.sample(config.batch_size, generator)
m = z.shape[0]
logits = D.forward(G.forward(z))
D_of_fakes = sigmoid(logits)
say(f"""The fresh G's samples have mean {G.forward(z).mean():.2f}; the target's is {p_data.mu}.
D has learned to reject the fakes: over a batch of m = {m}, D(G(z)) has median
{np.median(D_of_fakes):.1e} and largest value {D_of_fakes.max():.1e}.""")

say("""Why one loss saturates and the other does not, from the logit l of D(x) = sigmoid(l).
Since 1 - sigmoid(l) = sigmoid(-l) and d/dl log sigmoid(l) = sigmoid(-l), one sample's two
losses and their slopes are""")
print("    minimax:         log(1 - D) = -softplus(l),   d/dl = -sigmoid(l)  = -D")
print("    non-saturating:  -log D     =  softplus(-l),  d/dl = -sigmoid(-l) = -(1 - D)")
print()
say("""A confident D rejects a fake with l very negative. There -softplus(l) ~ -e^l is flat, so
its slope -D ~ -e^l vanishes exponentially: the loss has saturated. softplus(-l) ~ -l is a line
of slope -1 there, so its gradient stays of size 1. The ratio of the two slopes is
(1 - D) / D = e^(-l): at D = 1e-3 the non-saturating gradient is about 1000 times larger. Both
reach G through the same factor dl/dx (the chain rule dL/dx = dL/dl dl/dx), so the ratio
survives to G, and both push l up: the same direction, the same fixed point. The batch below
shows it with the D just trained.""")
for kind in LOSSES:
    loss, grad_logits = generator_loss(logits, kind)
    grad_x = D.backward(grad_logits, param_grads=False)   # dL_G/dx = dL_G/dl * dl/dx
    say(f"""{kind}: L_G = {loss:+.4f}; per sample, |dL_G/dl| * m has median
{np.median(np.abs(grad_logits)) * m:.1e}, and |dL_G/dx| * m (what reaches G) has median
{np.median(np.abs(grad_x)) * m:.1e}.""")

# %% [markdown]
# ## The closed forms, checked against the functions
# minimax: dL_G/dl = -D / m;  non-saturating: dL_G/dl = -(1 - D) / m  (gan/objectives.py).

# %%
logit_grid = np.linspace(-12.0, 12.0, 241)[:, None]
closed_forms = {"minimax": -sigmoid(logit_grid), "non_saturating": -(1 - sigmoid(logit_grid))}
h = 1e-5                                   # central differences: error ~ h^2 + rounding / h
for kind in LOSSES:
    _, gradient = generator_loss(logit_grid, kind)
    difference = np.abs(gradient * logit_grid.size - closed_forms[kind]).max()
    # shape (n, 1, 1): n independent games of one sample each, so each value is one sample's loss
    plus, _ = generator_loss(logit_grid[:, :, None] + h, kind)
    minus, _ = generator_loss(logit_grid[:, :, None] - h, kind)
    numeric_error = np.abs((plus - minus) / (2 * h) - closed_forms[kind][:, 0]).max()
    say(f"""{kind}: over logits in [-12, 12], max |m dL_G/dl - closed form| = {difference:.1e},
and max |closed form - central difference of the loss| = {numeric_error:.1e}.""")

fig, ax = plt.subplots(figsize=(7.5, 4.5))
d = sigmoid(logit_grid[:, 0])
ax.loglog(d, np.abs(closed_forms["minimax"][:, 0]), linewidth=2, **STYLE["minimax"],
          label=r"minimax $\log(1-D(G(z)))$: $|\partial L/\partial l| = D$")
ax.loglog(d, np.abs(closed_forms["non_saturating"][:, 0]), linewidth=2,
          **STYLE["non_saturating"], label=r"non-saturating $-\log D(G(z))$: $= 1-D$")
for kind in LOSSES:
    _, grad_logits = generator_loss(logits, kind)
    ax.plot(D_of_fakes[:, 0], np.abs(grad_logits[:, 0]) * m, "o", markersize=3, alpha=0.6,
            color=STYLE[kind]["color"])
ax.axvspan(D_of_fakes.min(), D_of_fakes.max(), color="0.9", label="this batch of fakes (dots)")
ax.set(xlabel=r"$D(G(z))$", ylabel=r"per-sample $|\partial L_G / \partial l|$",
       ylim=(1e-6, 3), title="Where D rejects the fakes, the minimax gradient vanishes")
ax.legend(fontsize=8, loc="lower right")
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## Training both ways from the same start
# Same G, same confident D, same minibatches (same seed); only G's loss differs. G uses plain SGD
# so that the size of the gradient is the size of the step (Adam rescales it; see the exercises).

# %%
steps, every = lesson.pick(1500, 600), 50
grid = np.linspace(-4.0, p_data.mu + 4.0, 601)
jsd_over_time, final_mean = {}, {}
for kind in LOSSES:
    G_run, D_run = G.copy(), D.copy()
    opt_g, opt_d = SGD(G_run, lr=0.005), make_optimizer("adam", D_run, 2e-3)
    run_config, run_rng = config.replace(g_loss=kind), rng.Generator(config.seed + 1)
    jsd_over_time[kind] = []
    with blas_threads(1):                 # tiny matrices: one BLAS thread is fastest
        for step in range(steps + 1):
            if step % every == 0:
                density, outside = generator_density(G_run, p_z, grid, None, n_z=2000)
                jsd_over_time[kind].append(
                    jsd_with_outside_mass(grid, p_data.pdf(grid), density, outside))
            if step < steps:
                algorithm1_step(G_run, D_run, opt_d, opt_g, run_config, run_rng)
    mean = G_run.forward(p_z.sample(10_000, run_rng)).mean()
    final_mean[kind] = mean
    below = np.flatnonzero(np.array(jsd_over_time[kind]) < 0.5)
    first = f"at step {below[0] * every}" if below.size else "never"
    say(f"""{kind}: JSD first below 0.5 nats {first}; after {steps} steps
JSD = {jsd_over_time[kind][-1]:.3f} nats (log 2 =
{np.log(2):.3f} means no overlap at all), mean of G(z) = {mean:.2f} (target {p_data.mu}).""")

end = {kind: jsd_over_time[kind][-1] for kind in LOSSES}
closer = compare("07 final JSD: non-saturating vs minimax", end["non_saturating"], end["minimax"],
                 ("ends closer to the target than", "ends as far from the target as",
                  "ends farther from the target than"), tolerance=0.05)
reached = {kind: check(f"07 {kind} reaches the target", end[kind], "<", 0.01,
                       ("reaches the target (JSD < 0.01 nats)",
                        "does not reach the target (JSD >= 0.01 nats)")) for kind in LOSSES}
say(f"""From the same start, the non-saturating G {closer} the minimax G (JSD
{end['non_saturating']:.3f} against {end['minimax']:.3f} nats; means
{final_mean['non_saturating']:.2f}
and {final_mean['minimax']:.2f} for a target of {p_data.mu}). In {steps} steps the minimax G
{reached['minimax']}, and the non-saturating G {reached['non_saturating']}.""")

fig, ax = plt.subplots(figsize=(7.5, 4))
for kind in LOSSES:
    ax.plot(np.arange(0, steps + 1, every), jsd_over_time[kind], linewidth=2, **STYLE[kind],
            label=kind)
ax.axhline(np.log(2), color="0.5", linestyle=":", label=r"$\log 2$: disjoint supports")
ax.set(xlabel="step of Algorithm 1", ylabel=r"JSD$(p_{data}\,\|\,p_g)$ (nats)",
       title="Same poor start: does G reach $p_{data}$? (red minimax, blue non-saturating)")
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

say("""Why the paper recommends maximising log D(G(z)): both losses have the same fixed point
(p_g = p_data, D = 1/2), but when D is confident the minimax gradient is proportional to
D(G(z)) ~ 0 while the non-saturating one is proportional to 1 - D(G(z)) ~ 1.""")

# %%
print("Exercises")
say("""1. Replace SGD(G_run, lr=0.005) by make_optimizer("adam", G_run, 2e-3). Adam divides each
step by a running RMS of the gradient: how much of the minimax handicap survives, and why?""")
say("""2. Skip fit_discriminator (start D untrained, D(G(z)) ~ 1/2). Does the difference between
the two losses remain? Explain with the plot of |dL_G/dl| against D(G(z)).""")
lesson.finish()
