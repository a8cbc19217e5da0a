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
from scipy.stats import norm

from _lesson import _, _fig, check, compare, say, start
from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.measure import generator_density
from gan.game import GAN
from gan.train import train
from gan.variants.conditional import Conditioned
from gan.variants.infogan import InfoGAN, information_loss, sample_codes
from gan.variants.infogan_continuous import (ContinuousInfoGAN, gaussian_information_loss,
                                            sample_continuous_codes)
from nn.gradcheck import compare as gradient_error
from nn.gradcheck import numerical_gradients

FIGURES = ("codes.png", "information.png", "continuous_code.png")

lesson = start(__file__, __doc__)
K = 3
target = Mixture([Normal(-3.0, 0.5), Normal(0.0, 0.5), Normal(3.0, 0.5)])
means = np.array([c.mu for c in target.components])
seeds = lesson.pick((0, 1, 2), (0,))
config = GANConfig(target=target, g_hidden=lesson.pick((32, 32), (16,)),
                   d_hidden=lesson.pick((32, 32), (16,)), batch_size=lesson.pick(128, 64),
                   steps=lesson.pick(1500, 150), lr_g=3e-3, lr_d=3e-3, average_last=0.0,
                   snapshot_every=lesson.pick(100, 50))
say("""Target {target!r} (equal weights, so H(c) = log 3 matches the modes' entropy). G
{g_hidden}, D {d_hidden} with 1 + {K} outputs (D's logit, Q's {K} logits), lambda = 1, {steps}
steps, seeds {seeds}.""", target=target, g_hidden=config.g_hidden, d_hidden=config.d_hidden, K=K,
    steps=config.steps, seeds=seeds)

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
game_label = {"plain": _("plain"), "infogan": "infogan"}
print("  " + _("seed  game         JSD  share per mode       code -> mode (share), Q acc."))
for (name, seed), result in results.items():
    if name == "plain":
        x = result.G.forward(z)
        share = np.bincount(nearest_mode(x), minlength=K) / len(x)
        print(f"  {seed:>4}  {game_label[name]:<8} {result.metrics['jsd']:7.4f}  "
              f"{np.round(share, 2)!s:<20}")
        continue
    game = InfoGAN.from_players(config, result.G, result.D)
    cells, code_modes[seed] = [], []
    for c in range(K):
        x = game.generate(z, np.full(len(z), c))
        share = np.bincount(nearest_mode(x), minlength=K) / len(z)
        cells.append(f"{c}->{np.argmax(share)} ({share.max():.2f})")
        code_modes[seed].append(int(np.argmax(share)))
    print(f"  {seed:>4}  {game_label[name]:<8} {result.metrics['jsd']:7.4f}  {'':<20} "
          f"{', '.join(cells)}, "
          f"{result.metrics['q_accuracy']:.3f}")
print()
say("""Q's accuracy is how often argmax Q(c | G(z, c)) = c; chance is 1/{K} = {chance:.3f}.
'code -> mode' sends each code to the mode most of its samples land nearest, with that share.
When the three codes go to three different modes, the code has discovered the mixture's
components -- nobody told it where they are or that there are three. Which code names which
mode is arbitrary (it changes with the seed): the bound only asks that c be readable from x.""",
    K=K, chance=1 / K)
if lesson.fast:
    say("""--fast: {steps} steps on small players are too short for the code to find
the modes; the sentences below describe this run's numbers only.""", steps=config.steps)
found = {seed: len(set(modes)) == K for seed, modes in code_modes.items()}
found_word = check("15 codes name all modes in every seed", sum(found.values()), ">=", len(seeds),
                   ("in every seed the three codes went to three different modes",
                    "not in every seed did the three codes go to three different modes"))
say("""In this run: {found_word} (in {found} of {seeds}).""", found_word=found_word,
    found=sum(found.values()), seeds=len(seeds))
jsd = {name: np.mean([r.metrics["jsd"] for (n, seed), r in results.items() if n == name])
       for name in ("plain", "infogan")}
fit_word = compare("15 mean JSD: InfoGAN vs plain", jsd["infogan"], jsd["plain"],
                   ("closer to p_data than", "as close to p_data as", "farther from p_data than"),
                   tolerance=0.1)
say("""Mean JSD(p_data || p_g) over the seeds: plain {plain:.4f}, InfoGAN
{infogan:.4f} nats: InfoGAN's p_g is {fit_word} the plain GAN's here. A readable code is
not by itself a better fit: each code must also make its own p_g(x|c) match a third of p_data,
and nothing in L_I asks for that -- a code whose samples pile up in a narrow spike inside its
mode is perfectly readable. Compare, seed by seed, the table's JSD with its code -> mode
column: a seed can find the codes and still miss the widths.""",
    plain=jsd["plain"], infogan=jsd["infogan"], fit_word=fit_word)

# %% [markdown]
# ## What each code generates

# %%
result = results["infogan", seeds[0]]
history = result.history
fig, ax = plt.subplots(figsize=(7.5, 3.8))
ax.plot(history.grid, history.p_data_grid, color="black", ls=":", lw=2.2, label=r"$p_{data}$")
colours = ("tab:green", "tab:olive", "tab:cyan")
for c in range(K):
    density = generator_density(Conditioned(result.G, c, K), config.p_z, history.grid, None)[0]
    ax.plot(history.grid, density / K, color=colours[c], lw=1.8, label=rf"$p_g(x|c={c})\,/\,{K}$")
title = (_fig("Each value of the unsupervised code generates its own mode (seed {seed})")
         if found[seeds[0]] else
         _fig("The codes do not (yet) split the modes between them (seed {seed})"))
ax.set(xlabel="x", ylabel=_fig("density"), xlim=(-6, 6), title=title.format(seed=seeds[0]))
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
q = game.heads(game.generate(z, c_eval))[1]
final_bound = np.log(K) - information_loss(q, c_eval)[0]
print("  " + _("final: log K - L_I = {bound:.4f} nats (log K = {log_K:.4f})").format(
    bound=final_bound, log_K=np.log(K)))
print()
g_loss = np.asarray(history.g_loss)
window = max(len(g_loss) // 50, 1)
smooth = np.convolve(g_loss, np.ones(window) / window, mode="valid")
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(np.arange(len(smooth)) + window, smooth, color="tab:green",
        label=_fig(r"G's loss $L_G + \lambda L_I$ (running mean)"))
ax.axhline(np.log(2), color="gray", ls="--", lw=1,
           label=_fig(r"$\log 2$: $L_G$ at $D = 1/2$, $L_I = 0$"))
ax.set(xlabel=_fig("step"), ylabel=_fig("loss"),
       title=_fig("InfoGAN, seed {seed}: final bound log K - L_I = {bound:.3f} nats").format(
           seed=seeds[0], bound=final_bound))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

# %% [markdown]
# ## A continuous code: c ~ U(-1, 1) and a Gaussian Q
#
# Chen et al. also give G continuous codes, c ~ U(-1, 1), read back by a Q that is a Gaussian
# of fixed variance: Q(c | x) = N(c; mu(x), sigma^2). Then
# -log Q(c | x) = (c - mu(x))^2 / (2 sigma^2) + (1/2) log(2 pi sigma^2), so over a minibatch
# L_I = (1/m) sum_i (c_i - mu_i)^2 / (2 sigma^2) + const and dL_I/dmu_i = (mu_i - c_i) /
# (sigma^2 m): the mutual-information term is a squared-error regression of c on x, and
# I(c; G(z, c)) >= H(c) - L_I with H(c) = log 2. Q's head is one more output of D, its mean.

# %%
check_rng = np.random.default_rng(3)
mu_q, c_q = check_rng.normal(size=(6, 1)), sample_continuous_codes(1, 6, check_rng)
sigma_q = 0.7
loss_q, grad_q = gaussian_information_loss(mu_q, c_q, sigma_q)
from_scipy = -np.mean(norm.logpdf(c_q, loc=mu_q, scale=sigma_q))
worst = gradient_error([grad_q], numerical_gradients(
    lambda: gaussian_information_loss(mu_q, c_q, sigma_q)[0], [mu_q]))
same_loss = check("15 Gaussian L_I vs scipy's log-density", abs(loss_q - from_scipy), "<", 1e-12,
                  ("equals", "does NOT equal"))
same_gradient = check("15 Gaussian L_I gradient vs finite differences",
                      worst.max_relative_error, "<", 1e-6, ("agrees with", "DISAGREES with"))
say("""Check: the squared-error form ({loss:.10f}) {same_loss} minus the mean of scipy's
normal log-density ({scipy:.10f}); the gradient (mu - c)/(sigma^2 m) {same_gradient}
finite differences ({worst}).""", loss=loss_q, same_loss=same_loss, scipy=from_scipy,
    same_gradient=same_gradient, worst=worst)

continuous_target = Normal(0.0, 1.0)
continuous = train(GANConfig(target=continuous_target, steps=lesson.pick(1500, 150), seed=0,
                             snapshot_every=lesson.pick(1500, 150)), game=ContinuousInfoGAN)
moves = check("15 continuous code: |corr(c, G(z, c))|",
              abs(continuous.metrics["code_correlation"]), ">", 0.5,
              ("moves the sample along x", "does not move the sample along x consistently"))
reads = check("15 continuous code: |corr(c, Q's mean)|", abs(continuous.metrics["q_correlation"]),
              ">", 0.5, ("reads the code back", "does not read the code back"))
if lesson.fast:
    say("""--fast: {steps} steps are short; the sentences below describe this run's numbers
only.""", steps=continuous.config.steps)
say("""On {target!r}, the continuous code {moves}: the correlation of c and G(z, c) is
{code_correlation:+.3f} (0.5 in size the threshold of the word), and Q {reads} (correlation
{q_correlation:+.3f}). The mean of G(z, c) at c = -0.875 .. 0.875: {code_means}. The JSD
of the mixture over c is {jsd:.3f} nats: nothing in L_I asks c to be a
small part of x's variation, so G may let c carry most of it; where it does (a correlation
near 1), p_g is close to G's image of the bounded, uniform c, the missing tails of lesson 28.""",
    target=continuous_target, moves=moves, reads=reads,
    code_correlation=continuous.metrics["code_correlation"],
    q_correlation=continuous.metrics["q_correlation"],
    code_means=", ".join(f"{m:+.2f}" for m in continuous.metrics["code_mean"]),
    jsd=continuous.metrics["jsd"])

game = ContinuousInfoGAN.from_players(continuous.config, continuous.G, continuous.D)
sweep_z = continuous.config.p_z.sample(400, np.random.default_rng(4))
fig, ax = plt.subplots(figsize=(6, 3.6))
for c_value in np.linspace(-1, 1, 9):
    x_c = game.generate(sweep_z, np.full((400, 1), c_value))[:, 0]
    ax.plot(np.full(400, c_value) + np.random.default_rng(5).uniform(-0.03, 0.03, 400), x_c,
            ".", ms=2, color="tab:green")
ax.set(xlabel=_fig("continuous code c"), ylabel="G(z, c)",
       title=_fig("Each c gives a column of samples; corr(c, G(z, c)) = {correlation:+.2f}")
       .format(correlation=continuous.metrics["code_correlation"]))
ax.title.set_fontsize(9)
lesson.save(fig, FIGURES[2])

# %%
print(_("Exercises"))
say("""1. Use K = 2 codes on the same three modes. Which modes share a code? Then K = 4: what
does the extra code do?""")
say("""2. Set information_weight to 0.05 and to 5. How do Q's accuracy and the marginal JSD
move? At what point does reading c back start to cost the fit of p_g?""")
lesson.finish()
