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
from _lesson import _, _fig, check, compare, say, start
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
say("""The fresh G's samples have mean {fake_mean:.2f}; the target's is {target_mean}. D has
learned to reject the fakes: over a batch of m = {m}, D(G(z)) has median {median:.1e} and
largest value {largest:.1e}.""", fake_mean=G.forward(z).mean(), target_mean=p_data.mu, m=m,
    median=np.median(D_of_fakes), largest=D_of_fakes.max())

say("""Why one loss saturates and the other does not, from the logit l of D(x) = sigmoid(l).
Since 1 - sigmoid(l) = sigmoid(-l) and d/dl log sigmoid(l) = sigmoid(-l), one sample's two
losses and their slopes are""")
print("    " + _("minimax:         log(1 - D) = -softplus(l),   d/dl = -sigmoid(l)  = -D"))
print("    " + _("non-saturating:  -log D     =  softplus(-l),  d/dl = -sigmoid(-l) = -(1 - D)"))
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
    say("""{kind}: L_G = {loss:+.4f}; per sample, |dL_G/dl| * m has median {logit_median:.1e},
and |dL_G/dx| * m (what reaches G) has median {x_median:.1e}.""",
        kind=kind, loss=loss, logit_median=np.median(np.abs(grad_logits)) * m,
        x_median=np.median(np.abs(grad_x)) * m)

# %% [markdown]
# ## The closed forms, checked against the functions
# minimax: dL_G/dl = -D / m;  non-saturating: dL_G/dl = -(1 - D) / m  (gan/objectives.py).

# %%
logit_grid = np.linspace(-12.0, 12.0, 241)[:, None]
closed_forms = {"minimax": -sigmoid(logit_grid), "non_saturating": -(1 - sigmoid(logit_grid))}
h = 1e-5                                   # central differences: error ~ h^2 + rounding / h
for kind in LOSSES:
    gradient = generator_loss(logit_grid, kind)[1]
    difference = np.abs(gradient * logit_grid.size - closed_forms[kind]).max()
    # shape (n, 1, 1): n independent games of one sample each, so each value is one sample's loss
    plus = generator_loss(logit_grid[:, :, None] + h, kind)[0]
    minus = generator_loss(logit_grid[:, :, None] - h, kind)[0]
    numeric_error = np.abs((plus - minus) / (2 * h) - closed_forms[kind][:, 0]).max()
    say("""{kind}: over logits in [-12, 12], max |m dL_G/dl - closed form| = {difference:.1e},
and max |closed form - central difference of the loss| = {numeric_error:.1e}.""",
        kind=kind, difference=difference, numeric_error=numeric_error)

fig, ax = plt.subplots(figsize=(7.5, 4.5))
d = sigmoid(logit_grid[:, 0])
ax.loglog(d, np.abs(closed_forms["minimax"][:, 0]), linewidth=2, **STYLE["minimax"],
          label=_fig(r"minimax $\log(1-D(G(z)))$: $|\partial L/\partial l| = D$"))
ax.loglog(d, np.abs(closed_forms["non_saturating"][:, 0]), linewidth=2,
          **STYLE["non_saturating"], label=_fig(r"non-saturating $-\log D(G(z))$: $= 1-D$"))
for kind in LOSSES:
    grad_logits = generator_loss(logits, kind)[1]
    ax.plot(D_of_fakes[:, 0], np.abs(grad_logits[:, 0]) * m, "o", markersize=3, alpha=0.6,
            color=STYLE[kind]["color"])
ax.axvspan(D_of_fakes.min(), D_of_fakes.max(), color="0.9",
           label=_fig("this batch of fakes (dots)"))
ax.set(xlabel=r"$D(G(z))$", ylabel=_fig(r"per-sample $|\partial L_G / \partial l|$"),
       ylim=(1e-6, 3), title=_fig("Where D rejects the fakes, the minimax gradient vanishes"))
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
    first = _("at step {step}").format(step=below[0] * every) if below.size else _("never")
    say("""{kind}: JSD first below 0.5 nats {first}; after {steps} steps JSD = {jsd:.3f} nats
(log 2 = {log_2:.3f} means no overlap at all), mean of G(z) = {mean:.2f} (target
{target_mean}).""", kind=kind, first=first, steps=steps, jsd=jsd_over_time[kind][-1],
        log_2=np.log(2), mean=mean, target_mean=p_data.mu)

end = {kind: jsd_over_time[kind][-1] for kind in LOSSES}
closer = compare("07 final JSD: non-saturating vs minimax", end["non_saturating"], end["minimax"],
                 ("ends closer to the target than", "ends as far from the target as",
                  "ends farther from the target than"), tolerance=0.05)
reached = {kind: check(f"07 {kind} reaches the target", end[kind], "<", 0.01,
                       ("reaches the target (JSD < 0.01 nats)",
                        "does not reach the target (JSD >= 0.01 nats)")) for kind in LOSSES}
say("""From the same start, the non-saturating G {closer} the minimax G (JSD
{jsd_non_saturating:.3f} against {jsd_minimax:.3f} nats; means {mean_non_saturating:.2f} and
{mean_minimax:.2f} for a target of {target_mean}). In {steps} steps the minimax G
{reached_minimax}, and the non-saturating G {reached_non_saturating}.""",
    closer=closer, jsd_non_saturating=end["non_saturating"], jsd_minimax=end["minimax"],
    mean_non_saturating=final_mean["non_saturating"], mean_minimax=final_mean["minimax"],
    target_mean=p_data.mu, steps=steps, reached_minimax=reached["minimax"],
    reached_non_saturating=reached["non_saturating"])

fig, ax = plt.subplots(figsize=(7.5, 4))
for kind in LOSSES:
    ax.plot(np.arange(0, steps + 1, every), jsd_over_time[kind], linewidth=2, **STYLE[kind],
            label=kind)
ax.axhline(np.log(2), color="0.5", linestyle=":", label=_fig(r"$\log 2$: disjoint supports"))
ax.set(xlabel=_fig("step of Algorithm 1"), ylabel=_fig(r"JSD$(p_{data}\,\|\,p_g)$ (nats)"),
       title=_fig("Same poor start: does G reach $p_{data}$? (red minimax, blue non-saturating)"))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

say("""Why the paper recommends maximising log D(G(z)): both losses have the same fixed point
(p_g = p_data, D = 1/2), but when D is confident the minimax gradient is proportional to
D(G(z)) ~ 0 while the non-saturating one is proportional to 1 - D(G(z)) ~ 1.""")

# %%
print(_("Exercises"))
say("""1. Replace SGD(G_run, lr=0.005) by make_optimizer("adam", G_run, 2e-3). Adam divides each
step by a running RMS of the gradient: how much of the minimax handicap survives, and why?""")
say("""2. Skip fit_discriminator (start D untrained, D(G(z)) ~ 1/2). Does the difference between
the two losses remain? Explain with the plot of |dL_G/dl| against D(G(z)).""")
lesson.finish()
