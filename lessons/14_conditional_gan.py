"""Lesson 14 -- Conditional GAN: ask for a class, get a sample of p(x|c).

Follows the course's part on controlling the output with a label (Mirza & Osindero 2014,
"Conditional Generative Adversarial Nets"). The target is a mixture of three normals and its
components are the classes: c ~ Categorical(0.5, 0.3, 0.2), x ~ p(x|c). G(z, c) and D(x, c) get
the label as a one-hot vector next to their usual input; nothing else about the game changes,
and `train(config, game=ConditionalGAN)` runs the same Algorithm 1. We compare with the plain GAN
on the same target and seeds: both learn the marginal p(x), only one of them can be asked for a
class.

Run: python lessons/14_conditional_gan.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): 条件生成对抗网络 (conditional
GAN).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from _lesson import _, _fig, check, compare, say, start
from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.game import GAN
from gan.plots import plot_densities
from gan.theory import jsd_grid
from gan.train import train
from gan.variants.conditional import ConditionalGAN

FIGURES = ("per_class.png", "marginal.png")

lesson = start(__file__, __doc__)
target = Mixture([Normal(-3.0, 0.5), Normal(0.0, 0.3), Normal(3.0, 0.7)], weights=[0.5, 0.3, 0.2])
seeds = lesson.pick((0, 1), (0,))
config = GANConfig(target=target, steps=lesson.pick(1500, 150), snapshot_every=lesson.pick(500, 75),
                   g_hidden=lesson.pick((32, 32), (16,)), d_hidden=lesson.pick((64, 64), (16,)),
                   average_last=0.0)
say("""Target {target!r}. Both games: G {g_hidden}, D {d_hidden}, Adam, m = {m}, {steps} steps,
seeds {seeds}. The conditional players have 3 more inputs each (the one-hot label); that is the
whole difference.""", target=target, g_hidden=config.g_hidden, d_hidden=config.d_hidden,
    m=config.batch_size, steps=config.steps, seeds=seeds)

# %% [markdown]
# ## The same target, the same seeds: plain against conditional

# %%
runs = {}
for seed in seeds:
    for name, game in (("plain", GAN), ("conditional", ConditionalGAN)):
        runs[name, seed] = train(config.replace(seed=seed), game=game)


def marginal_jsd(result):
    """JSD(p_data || p_g) of the marginal: for the conditional G, p_g = sum_c w_c p_g(x|c)."""
    history = result.history
    p_g = np.asarray(history.p_g_grid[-1])
    if p_g.ndim == 2:
        p_g = target.weights @ p_g
    return jsd_grid(history.grid, history.p_data_grid, p_g), p_g


marginal = {"plain": [], "conditional": []}
game_label = {"plain": _("plain"), "conditional": _("conditional")}
print("  " + _("seed  game         marginal JSD   per-class mean of G(z, c) (targets {targets})")
      .format(targets=[c.mu for c in target.components]))
for (name, seed), result in runs.items():
    jsd = marginal_jsd(result)[0]
    marginal[name].append(jsd)
    means = result.metrics.get("class_mean")
    shown = ("[" + ", ".join(f"{m:+.2f}" for m in means) + "]") if means else \
        _("-- (no label to ask for)")
    print(f"  {seed:>4}  {game_label[name]:<12} {jsd:12.4f}   {shown}")
print()
closer = compare("14 marginal JSD: conditional vs plain", np.mean(marginal["conditional"]),
                 np.mean(marginal["plain"]), ("closer to p(x) than", "as close to p(x) as",
                                              "farther from p(x) than"), tolerance=0.1)
offsets = [max(abs(m - c.mu) / c.sigma for m, c in
               zip(runs["conditional", seed].metrics["class_mean"], target.components))
           for seed in seeds]
obeys = check("14 every class mean within one class std of its target", max(offsets), "<", 1.0,
              ("it answers near that class's mean (within one of the class's standard deviations,"
               " for every class and seed)",
               "its answers are not yet near every class's mean (some class mean is more than one"
               " of that class's standard deviations away)"))
if lesson.fast:
    say("""--fast: {steps} steps on small players are too short for either game to fit
three modes; the sentences below describe this run's numbers only.""", steps=config.steps)
say("""Marginal JSD compares each G's whole output with p(x) (mean over the seeds: plain
{plain:.4f}, conditional {conditional:.4f} nats): the conditional game's marginal is {closer}
the plain game's here. The label turns one three-mode game into three one-mode games; the plain
G must fold one noise line over three separated modes. The last column is what only the
conditional G offers: asked for class c, {obeys}; the largest offset is {offset:.2f} class
standard deviations.""",
    plain=np.mean(marginal["plain"]), conditional=np.mean(marginal["conditional"]),
    closer=closer, obeys=obeys, offset=max(offsets))

# %% [markdown]
# ## Per class: p_g(x|c) against p(x|c)

# %%
result = runs["conditional", seeds[0]]
history = result.history
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), layout="constrained", sharey=True)
for c, (ax, component) in enumerate(zip(axes, target.components)):
    plot_densities(ax, history.grid, component.pdf(history.grid), history.p_g_grid[-1][c],
                   history.D_grid[-1][c], labels=c == 0)
    ax.set_title(_fig("c = {c}: JSD = {jsd:.3f} nats").format(
        c=c, jsd=result.metrics["class_jsd"][c]), fontsize=9)
    ax.set_xlim(-6, 6)
axes[0].set_ylabel(_fig("density / D(x, c)"))
axes[0].legend(fontsize=7)
fig.suptitle(_fig(r"Conditional G: $p_g(x|c)$ (green) on $p_{data}(x|c)$ (black dotted), "
                  r"$D(x, c)$ blue dashed"), fontsize=10)
lesson.save(fig, FIGURES[0])
for c, component in enumerate(target.components):
    print("  " + _("class {c}: target mean {mu:+.2f} std {sigma:.2f};  G(z, {c}) mean {mean:+.3f} "
                   "std {std:.3f},  JSD {jsd:.4f}").format(
        c=c, mu=component.mu, sigma=component.sigma, mean=result.metrics["class_mean"][c],
        std=result.metrics["class_std"][c], jsd=result.metrics["class_jsd"][c]))
print()
say("""Each class is a separate, unimodal 1D game sharing one G and one D: p_g(x|c) is
computed exactly as the pushforward of the 1D noise through G(., c) (gan.pushforward). A class
whose mass sits on its own component obeys the label even where its p_g is narrower or wider
than its target: that is the unfinished fit of a short run. Read the table above for which
classes sit where.""")

fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(history.grid, history.p_data_grid, label=r"$p_{data}(x)$", color="black", ls=":", lw=2.2)
curve_label = {"plain": _fig("$p_g(x)$, plain"), "conditional": _fig("$p_g(x)$, conditional")}
for name, style in (("plain", "-"), ("conditional", "--")):
    p_g = marginal_jsd(runs[name, seeds[0]])[1]
    ax.plot(history.grid, p_g, color="tab:green", ls=style, label=curve_label[name])
ax.set(xlabel="x", ylabel=_fig("density"), xlim=(-6, 6),
       title=_fig("The marginals: both games aim at p(x), the conditional one class by class"))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

# %%
print(_("Exercises"))
say("""1. Give the classes overlapping components (means -1, 0, 1, std 0.7). Does G still obey
its label? What does D(x, c) look like where the classes overlap?""")
say("""2. Feed the trained G the label vector (0.5, 0.5, 0), halfway between classes 0 and 1,
instead of a one-hot. Where do its samples land, and why does the game promise nothing
there?""")
lesson.finish()
