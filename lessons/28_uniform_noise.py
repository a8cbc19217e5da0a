"""Lesson 28 -- Uniform noise: G must stretch a bounded interval onto the target.

Follows the course's 1D tutorial, which draws z from a uniform distribution (as Goodfellow et
al. 2014 feed their players "noise" of unspecified law). With z ~ U(-1, 1), p_g is the image of
a bounded interval under a continuous G: its support is the bounded interval G([-1, 1]) and it
can put no mass in the target's tails. We derive the density of G(z), check it on a map whose
answer we know, then train the same GAN on N(-1, 1) with uniform and with normal z
(`GANConfig(prior="uniform")`) and measure the JSD and the mass beyond 3 sigma.

Run: python lessons/28_uniform_noise.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): 噪声 / 先验分布 (noise, the prior p_z) and
生成分布 (the generator's distribution p_g).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm

from _lesson import _fig, check, compare, say, show, start
from gan.config import GANConfig
from gan.distributions import Normal, Uniform
from gan.pushforward import pushforward_density
from gan.train import train

FIGURES = ("uniform_vs_normal_noise.png",)

lesson = start(__file__, __doc__)
target = Normal(-1.0, 1.0)
mu, sigma = target.mu, target.sigma

# %% [markdown]
# ## Derivation: the density of x = G(z)
#
# For a G that is increasing on [-1, 1], P(G(z) <= x) = P(z <= G^{-1}(x)), and differentiating
# in x gives p_g(x) = p_z(G^{-1}(x)) / G'(G^{-1}(x)); for any monotone G,
# p_g(G(z)) = p_z(z) / |G'(z)|. With p_z = 1/2 on [-1, 1]: p_g(x) = 1 / (2 |G'(z)|) on
# G([-1, 1]) and 0 elsewhere. The target's exact map is G*(z) = mu + sigma Phi^{-1}((z + 1)/2),
# whose slope sigma / (2 phi(Phi^{-1}((z + 1)/2))) grows without bound as z -> +-1: reaching
# the tails needs an infinite slope at the ends. An MLP has a bounded slope on [-1, 1], so its
# p_g lives on a bounded interval and the tails beyond it are missing. Normal z has unbounded
# support of its own, and an MLP that is asymptotically linear keeps tails.

# %%
a, b = 1.5, -1.0                                   # G(z) = a z + b: p_g = 1/(2a) on [b - a, b + a]
grid = np.linspace(-4.0, 2.0, 601)
numeric = pushforward_density(lambda z: a * z + b, Uniform(-1.0, 1.0), grid)
closed = np.where(np.abs(grid - b) < a, 1 / (2 * a), 0.0)
inside = np.abs(np.abs(grid - b) - a) > 0.02       # leave out the two bins the edges cut
error = np.max(np.abs(numeric.density[inside] - closed[inside]))
matches = check("28 p_z / |G'| vs the numerical pushforward", error, "<", 1e-6,
                ("matches", "does NOT match"))
say("""Check on G(z) = {a} z + {b}: the formula's p_g = 1/(2 * {a}) = {height:.4f} on
[{low}, {high}] {matches} gan.pushforward's numerical density of G(z) (largest difference
{error:.1e} away from the two edge bins).""",
    a=a, b=b, height=1 / (2 * a), low=b - a, high=b + a, matches=matches, error=error)

# %% [markdown]
# ## Training on N(-1, 1) with uniform and with normal noise

# %%
steps = lesson.pick(1500, 80)
results = {prior: train(GANConfig(target=target, prior=prior, steps=steps, seed=0,
                                  snapshot_every=steps))
           for prior in ("uniform", "normal")}
target_tail = 2 * norm.sf(3.0)                     # P(|x - mu| > 3 sigma) under the target
rows = {}
for prior, result in results.items():
    p_z = result.config.p_z
    z = p_z.sample(200_000, np.random.default_rng(1)).astype(np.float32)
    x = result.G.forward(z)[:, 0]
    ends = result.G.forward(np.array([[-1.0], [1.0]], dtype=np.float32))[:, 0]
    rows[prior] = dict(jsd=result.metrics["jsd"], tail=float(np.mean(np.abs(x - mu) > 3 * sigma)),
                       low=float(x.min()), high=float(x.max()), ends=ends, x=x)
# the rows start at the margin: a Chinese twin keeps no leading spaces; a row's name is the
# value of GANConfig's prior
show("prior    JSD (nats)  mass beyond 3 sigma       sample range")
for prior, row in rows.items():
    print(f"{prior:<8} {row['jsd']:10.4f} {row['tail']:20.5f} "
          f"  [{row['low']:+.2f}, {row['high']:+.2f}]")
show("target              {tail:20.5f}   (-inf, +inf)", tail=target_tail)
print()
uniform, normal = rows["uniform"], rows["normal"]
short = compare("28 uniform z: tail mass vs the target's", uniform["tail"], target_tail,
                ("less than", "about the same as", "more than"), tolerance=0.25)
normal_word = compare("28 normal z: tail mass vs the target's", normal["tail"], target_tail,
                      ("less than", "about the same as", "more than"), tolerance=0.25)
closer = compare("28 JSD uniform vs normal z", uniform["jsd"], normal["jsd"],
                 ("smaller than", "about the same as", "larger than"), tolerance=0.2)
outside = float(target.cdf(uniform["low"]) + 1 - target.cdf(uniform["high"]))
if lesson.fast:
    say("""--fast: {steps} steps are too short for either G to fit the target; the sentences
below describe this run's numbers only.""", steps=steps)
say("""With uniform z every sample lies in G([-1, 1]), a bounded interval (G(-1) =
{left:+.2f}, G(1) = {right:+.2f}; the extremes of 200 000 samples: [{low:+.2f}, {high:+.2f}]),
and the mass it puts beyond mu +- 3 sigma ({tail:.5f}) is {short} the target's
{target_tail:.5f} ("about the same" within 25%). With normal z the same network's mass there
({normal_tail:.5f}) is {normal_word} the target's. The uniform game's JSD ({jsd:.2e} nats) is
{closer} the normal game's ({normal_jsd:.2e}; "about the same" within 20%). Outside the
uniform G's range the target holds {outside:.4f} of its mass and p_g none: a slope that must
grow without bound at z = +-1 is what a finite network, in {steps} steps, does not reach.""",
    left=uniform["ends"][0], right=uniform["ends"][1], low=uniform["low"],
    high=uniform["high"], tail=uniform["tail"], short=short, target_tail=target_tail,
    normal_tail=normal["tail"], normal_word=normal_word, jsd=uniform["jsd"], closer=closer,
    normal_jsd=normal["jsd"], outside=outside, steps=steps)

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
x_plot = np.linspace(-6, 4, 400)
for ax, (prior, row) in zip(axes, rows.items()):
    ax.hist(row["x"], bins=120, range=(-6, 4), density=True, color="tab:green", alpha=0.5,
            label=_fig(r"$p_g$ (histogram of G(z))"))
    ax.plot(x_plot, target.pdf(x_plot), "k:", lw=2, label=r"$p_{data}$ = N(-1, 1)")
    for edge in (mu - 3 * sigma, mu + 3 * sigma):
        ax.axvline(edge, color="grey", lw=0.7)
    ax.set_yscale("log")
    ax.set(ylim=(1e-4, 1), xlabel="x", ylabel=_fig("density (log)"),
           title=_fig("{prior} z: mass beyond 3 sigma {tail:.4f} (target {target_tail:.4f})")
           .format(prior=prior, tail=row["tail"], target_tail=target_tail))
    ax.title.set_fontsize(9)
    ax.legend(fontsize=7, loc="lower center")
lesson.save(fig, FIGURES[0])

# %%
show("Exercises")
say("""1. Give G the exact map G*(z) = mu + sigma Phi^{{-1}}((z + 1)/2) and plot G*'(z). How large
must the slope be at z = 0.999 to reach 3 sigma, and what would an MLP with tanh units need?""")
say("""2. Train on a target with heavier tails (a Student t with 3 degrees of freedom, as a
tabulated distribution). Which prior loses more, and how does the JSD say so?""")
lesson.finish()
