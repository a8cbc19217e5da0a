"""Lesson 15 -- InfoGAN: a latent code that finds the modes without being told.

Follows the course's part on information-maximising codes (Chen et al. 2016, "InfoGAN"). G gets a
categorical code c ~ Uniform{0, 1, 2} besides its noise z, and a second head Q on D's body tries to
read c back from G(z, c). The lower bound on the mutual information,
I(c; G(z, c)) >= log K - L_I with L_I the cross-entropy of Q against c, is added with weight
lambda to both sides' losses. No labels are used -- yet on a three-mode mixture the code ends up
naming the modes. Compared with the plain GAN on the same target and seeds.

Run: python lessons/15_infogan.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): InfoGAN: 互信息 (mutual
information) and 隐编码 (latent codes).
"""

# %%
import functools

import matplotlib.pyplot as plt
import numpy as np

from _lesson import check, compare, say, start
from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.evaluate import generator_density
from gan.game import GAN
from gan.train import train
from gan.variants.conditional import Conditioned
from gan.variants.infogan import InfoGAN, information_loss, sample_codes

FIGURES = ("codes.png", "information.png")

lesson = start(__file__, __doc__)
K = 3
target = Mixture([Normal(-3.0, 0.5), Normal(0.0, 0.5), Normal(3.0, 0.5)])
means = np.array([c.mu for c in target.components])
seeds = lesson.pick((0, 1, 2), (0,))
config = GANConfig(target=target, g_hidden=lesson.pick((32, 32), (16,)),
                   d_hidden=lesson.pick((32, 32), (16,)), batch_size=lesson.pick(128, 64),
                   steps=lesson.pick(1500, 150), lr_g=3e-3, lr_d=3e-3, average_last=0.0,
                   snapshot_every=lesson.pick(100, 50))
say(f"""Target {target!r} (equal weights, so H(c) = log 3 matches the modes' entropy). G
{config.g_hidden}, D {config.d_hidden} with 1 + {K} outputs (D's logit, Q's {K} logits), lambda
= 1, {config.steps} steps, seeds {seeds}.""")

# %% [markdown]
# ## Same target, same seeds: the plain GAN and InfoGAN

# %%
z = config.p_z.sample(3000, np.random.default_rng(7))


def nearest_mode(x):
    return np.argmin(np.abs(x[:, :1] - means[None, :]), axis=1)


results, code_modes = {}, {}
for seed in seeds:
    results["plain", seed] = train(config.replace(seed=seed), game=GAN)
    results["infogan", seed] = train(config.replace(seed=seed),
                                     game=functools.partial(InfoGAN, categories=K))
print(f"  {'seed':>4}  {'game':<8} {'JSD':>7}  {'share per mode':<20} code -> mode (share), Q acc.")
for (name, seed), result in results.items():
    if name == "plain":
        x = result.G.forward(z)
        share = np.bincount(nearest_mode(x), minlength=K) / len(x)
        print(f"  {seed:>4}  {name:<8} {result.metrics['jsd']:7.4f}  {np.round(share, 2)!s:<20}")
        continue
    game = InfoGAN.from_players(config, result.G, result.D)
    cells, code_modes[seed] = [], []
    for c in range(K):
        x = game.generate(z, np.full(len(z), c))
        share = np.bincount(nearest_mode(x), minlength=K) / len(z)
        cells.append(f"{c}->{np.argmax(share)} ({share.max():.2f})")
        code_modes[seed].append(int(np.argmax(share)))
    print(f"  {seed:>4}  {name:<8} {result.metrics['jsd']:7.4f}  {'':<20} {', '.join(cells)}, "
          f"{result.metrics['q_accuracy']:.3f}")
print()
say(f"""Q's accuracy is how often argmax Q(c | G(z, c)) = c; chance is 1/{K} = {1 / K:.3f}.
'code -> mode' sends each code to the mode most of its samples land nearest, with that share.
When the three codes go to three different modes, the code has discovered the mixture's
components -- nobody told it where they are or that there are three. Which code names which
mode is arbitrary (it changes with the seed): the bound only asks that c be readable from x.""")
if lesson.fast:
    say(f"""--fast: {config.steps} steps on small players are too short for the code to find
the modes; the sentences below describe this run's numbers only.""")
found = {seed: len(set(modes)) == K for seed, modes in code_modes.items()}
found_word = check("15 codes name all modes in every seed", sum(found.values()), ">=", len(seeds),
                   ("in every seed the three codes went to three different modes",
                    "not in every seed did the three codes go to three different modes"))
say(f"""In this run: {found_word} (in {sum(found.values())} of {len(seeds)}).""")
jsd = {name: np.mean([r.metrics["jsd"] for (n, _), r in results.items() if n == name])
       for name in ("plain", "infogan")}
fit_word = compare("15 mean JSD: InfoGAN vs plain", jsd["infogan"], jsd["plain"],
                   ("closer to p_data than", "as close to p_data as", "farther from p_data than"),
                   tolerance=0.1)
say(f"""Mean JSD(p_data || p_g) over the seeds: plain {jsd['plain']:.4f}, InfoGAN
{jsd['infogan']:.4f} nats: InfoGAN's p_g is {fit_word} the plain GAN's here. A readable code is
not by itself a better fit: each code must also make its own p_g(x|c) match a third of p_data,
and nothing in L_I asks for that -- a code whose samples pile up in a narrow spike inside its
mode is perfectly readable. Compare, seed by seed, the table's JSD with its code -> mode
column: a seed can find the codes and still miss the widths.""")

# %% [markdown]
# ## What each code generates

# %%
result = results["infogan", seeds[0]]
history = result.history
fig, ax = plt.subplots(figsize=(7.5, 3.8))
ax.plot(history.grid, history.p_data_grid, color="black", ls=":", lw=2.2, label=r"$p_{data}$")
colours = ("tab:green", "tab:olive", "tab:cyan")
for c in range(K):
    density, _ = generator_density(Conditioned(result.G, c, K), config.p_z, history.grid, None)
    ax.plot(history.grid, density / K, color=colours[c], lw=1.8, label=rf"$p_g(x|c={c})\,/\,{K}$")
ax.set(xlabel="x", ylabel="density", xlim=(-6, 6),
       title=("Each value of the unsupervised code generates its own mode"
              if found[seeds[0]] else "The codes do not (yet) split the modes between them")
       + f" (seed {seeds[0]})")
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## The information bound during training

# %%
say("""The bound log K - L_I on 3000 fresh codes: log K would mean Q reads every code back
with certainty (all of H(c) kept in x); 0 means it learned nothing about c. G's training loss
below is L_G + lambda L_I: it can settle at log 2 (L_G at D = 1/2) only when the information
term has gone to 0 as well.""")
game = InfoGAN.from_players(config, result.G, result.D)
c_eval = sample_codes(K, 3000, np.random.default_rng(8))
_, q = game.heads(game.generate(z, c_eval))
final_bound = np.log(K) - information_loss(q, c_eval)[0]
print(f"  final: log K - L_I = {final_bound:.4f} nats (log K = {np.log(K):.4f})")
print()
g_loss = np.asarray(history.g_loss)
window = max(len(g_loss) // 50, 1)
smooth = np.convolve(g_loss, np.ones(window) / window, mode="valid")
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(np.arange(len(smooth)) + window, smooth, color="tab:green",
        label=r"G's loss $L_G + \lambda L_I$ (running mean)")
ax.axhline(np.log(2), color="gray", ls="--", lw=1, label=r"$\log 2$: $L_G$ at $D = 1/2$, $L_I = 0$")
ax.set(xlabel="step", ylabel="loss",
       title=f"InfoGAN, seed {seeds[0]}: final bound log K - L_I = {final_bound:.3f} nats")
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

# %%
print("Exercises")
say("""1. Use K = 2 codes on the same three modes. Which modes share a code? Then K = 4: what
does the extra code do?""")
say("""2. Set information_weight to 0.05 and to 5. How do Q's accuracy and the marginal JSD
move? At what point does reading c back start to cost the fit of p_g?""")
lesson.finish()
