"""Lesson 06 -- Algorithm 1 on p_data = N(-1, 1): one iteration by hand, then a full run.

Follows Algorithm 1 and Figure 1 of Goodfellow et al. (2014). Each iteration: k times, sample m
real examples and m noise samples and take a gradient step of D up the minibatch value V; then
sample m fresh noise samples and take one step of G (here with the non-saturating loss of
lesson 07). We take one iteration apart with the library's pieces (`discriminator_step`,
`generator_step`), then run `train` with the default `GANConfig` and watch D(x) flatten to 1/2
as p_g settles on p_data -- the picture of the paper's Figure 1, from a real run.

Run: python lessons/06_algorithm1.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit as sigmoid

import rng
from _lesson import say, start
from gan.config import GANConfig
from gan.plots import (discriminator_figure, evolution_animation, evolution_html, figure1,
                       jsd_figure, losses_figure)
from gan.train import build_players, discriminator_step, generator_step, make_optimizer, train

FIGURES = ("figure1.png", "evolution.gif", "evolution.html", "losses.png", "jsd.png",
           "discriminator.png", "d_to_half.png")

lesson = start(__file__, __doc__)
config = GANConfig()                                     # the library's defaults
config = config.replace(steps=lesson.pick(config.steps, 300), snapshot_every=lesson.pick(100, 75))
steps = config.steps
p_data, p_z, m = config.target, config.p_z, config.batch_size
say(f"""The defaults: target {p_data!r}, noise {p_z!r}, G {config.g_hidden} hidden units
({config.g_activation}), D {config.d_hidden} ({config.d_activation}), k = {config.k}, m = {m}, Adam
(lr_G = {config.lr_g}, lr_D = {config.lr_d}, {config.lr_schedule} decay), the generator's
weights averaged over the last {config.average_last:.0%} of {steps} steps.""")

# %% [markdown]
# ## One iteration, step by step

# %%
generator = rng.Generator(config.seed)
G, D = build_players(config, generator)
opt_d = make_optimizer(config.optimizer, D, config.lr_d, config.betas)
opt_g = make_optimizer(config.optimizer, G, config.lr_g, config.betas)

x = p_data.sample(m, generator)                  # m examples from p_data
z = p_z.sample(m, generator)                     # m noise samples from p_z
x_fake = G.forward(z)
D_real, D_fake = sigmoid(D.forward(x)), sigmoid(D.forward(x_fake))
say(f"""Sampled x {x.shape} from p_data and z {z.shape} from p_z; G(z) has shape
{x_fake.shape}. Before any update: mean D(x) = {D_real.mean():.3f}, mean D(G(z)) =
{D_fake.mean():.3f} -- a fresh D guesses.""")

d_loss, v = discriminator_step(D, opt_d, x, x_fake)
D_real_after, D_fake_after = sigmoid(D.forward(x)), sigmoid(D.forward(x_fake))
say(f"""D step (ascend V = {v:.4f}, i.e. descend L_D = {d_loss:.4f}; {D.flat_params.size}
parameters): on the same batch mean D(x) moves {D_real.mean():.4f} -> {D_real_after.mean():.4f}
and mean D(G(z)) {D_fake.mean():.4f} -> {D_fake_after.mean():.4f}. With k = {config.k} this is
the whole inner loop.""")

z = p_z.sample(m, generator)                     # fresh noise for G's step
x_before = G.forward(z).copy()
g_loss = generator_step(G, D, opt_g, z, config.g_loss)
say(f"""G step ({config.g_loss} loss L_G = {g_loss:.4f}; {G.flat_params.size} parameters):
the gradient flows dL_G/dl -> D.backward -> dL_G/dx -> G.backward, D stays fixed. The samples
move by {np.abs(G.forward(z) - x_before).mean():.4f} on average. Repeat {steps} times.""")

# %% [markdown]
# ## The full run

# %%
result = train(config)
history, metrics = result.history, result.metrics
say(f"""Trained in {metrics['seconds']:.1f} s. Final generator: mean {metrics['mean']:.4f}
(target {p_data.mu}), std {metrics['std']:.4f} (target {p_data.sigma}), JSD(p_data || p_g) =
{metrics['jsd']:.2e} nats, max |D(x) - 1/2| on the central 95% of p_data =
{metrics['d_max_dev']:.4f}.""")

lesson.save(figure1(history), FIGURES[0])
frames = evolution_animation(history, lesson.out / FIGURES[1])
evolution_html(history, lesson.out / FIGURES[2])
print(f"  [animation] {lesson.out / FIGURES[1]} and {FIGURES[2]} ({frames} frames)")
say("Open evolution.html in a browser to play, pause, step and scrub through the run.")
say("""Figure 1, read left to right: D (blue dashed) first separates the densities; G's arrows
pull the noise line towards where D says 'real'; p_g (green) slides onto p_data (black dotted)
and D flattens to 1/2, where it can no longer tell them apart (Theorem 1).""")
lesson.save(losses_figure(history, g_loss=config.g_loss), FIGURES[3])
lesson.save(jsd_figure(history), FIGURES[4])
lesson.save(discriminator_figure(result), FIGURES[5])

# %% [markdown]
# ## D -> 1/2

# %%
low, high = p_data.interval(0.95)
central = (history.grid >= low) & (history.grid <= high)
deviation = np.abs(np.asarray(history.D_grid)[:, central] - 0.5).max(axis=1)
snapshot_steps = np.asarray(history.snapshot_steps)
for i in (0, len(deviation) // 4, len(deviation) // 2, len(deviation) - 1):
    print(f"  step {snapshot_steps[i]:5d}: max |D - 1/2| = {deviation[i]:.4f},"
          f"  JSD = {history.jsd[i]:.2e} nats")
print()
say(f"""At step 0 D is near 1/2 out of ignorance (random weights). It first moves away -- its
largest deviation, {deviation.max():.3f}, comes at step {snapshot_steps[np.argmax(deviation)]} --
and then is pushed back towards 1/2 as p_g closes in, which is the equilibrium of Theorem 1.
What remains ({deviation[-1]:.3f}) marks where p_g still differs from p_data (see
discriminator.png: D follows D* = p_data / (p_data + p_g)).""")

fig, ax = plt.subplots(figsize=(7, 3.8))
ax.semilogy(snapshot_steps, deviation, "o-", color="tab:blue", markersize=3,
            label=r"max $|D(x) - 1/2|$ on the central 95% of $p_{data}$")
ax.semilogy(snapshot_steps, history.jsd, "s-", color="tab:green", markersize=3,
            label=r"JSD$(p_{data}\,\|\,p_g)$ (nats)")
ax.set(xlabel="step", ylabel="log scale",
       title="As $p_g$ approaches $p_{data}$, D flattens towards 1/2")
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[6])

# %%
print("Exercises")
say("""1. Run with config.replace(average_last=0.0, lr_schedule="constant") and compare the final
metrics and the last frames of the animation. What do the schedule and the averaging buy?""")
say("""2. Set k = 5. Does D get closer to D* between G steps (discriminator.png)? Does G reach the
target faster per step, or per second?""")
lesson.finish()
