"""Lesson 12 -- minibatch discrimination: let D see the whole batch, so collapse is visible.

Follows Salimans et al. (2016, "Improved Techniques for Training GANs", §3.2). A D that judges one
sample at a time cannot see that all of G's samples sit on one mode. The layer of
`nn.minibatch_discrimination` gives each sample, per kernel b, o(x_i)_b = sum_j exp(-||M_{i,b} - M_{j,b}||_1),
M = f(x) T; here o is the share of the other samples close to x_i (1 for a collapsed batch, about
1/2 for a real batch from two equal modes), computed on x itself. Target: two narrow normals,
N(-3, 0.25) and N(3, 0.25), the collapse of lesson 08, with a generator deep enough to split its
noise line across the gap (softplus, three hidden layers of 64; `BIMODAL_SETTINGS` in
gan/variants/minibatch_gan.py). We measure the mass p_g puts near each mode -- plain vs with the
layer, same G, same seeds, same steps.

Run: python lessons/12_minibatch_discrimination.py   (--fast: small sizes, as the tests run it;
--show: open the figures in windows)

Course section (by the course's Chinese terms): 小批量判别 (minibatch
discrimination) against 模式崩溃 (mode collapse).
"""

# %%

import matplotlib.pyplot as plt
import numpy as np

from _lesson import _, _fig, say, start
from gan.config import GANConfig
from gan.game import GAN
from gan.train import train
from gan.variants.minibatch_gan import BIMODAL_SETTINGS, BIMODAL_TARGET, MinibatchDiscriminationGAN

FIGURES = ("modes.png",)

lesson = start(__file__, __doc__)
modes = tuple(component.mu for component in BIMODAL_TARGET.components)
steps, seeds = lesson.pick(BIMODAL_SETTINGS["steps"], 20), lesson.pick((0, 1), (0,))
base = GANConfig(target=BIMODAL_TARGET, **{**BIMODAL_SETTINGS, "steps": steps},
                 snapshot_every=steps)
games = {"plain": GAN, "minibatch discrimination": MinibatchDiscriminationGAN}
game_label = {"plain": _("plain"), "minibatch discrimination": _("minibatch discrimination")}


def mass_near_modes(G, seed):
    """The share of 20k samples G(z) within 1 (four sigmas) of each mode."""
    x = G.forward(np.random.default_rng(seed).normal(size=(20_000, 1)))[:, 0]
    return [float(np.mean(np.abs(x - mode) < 1.0)) for mode in modes]


results = {(name, seed): train(base.replace(seed=seed), game=game)
           for name, game in games.items() for seed in seeds}
print("  " + _("after {steps} steps, m = {m}, G softplus {hidden}; mass of p_g within 1 of -3 "
              "and of +3 (target: 0.5 each)").format(steps=steps, m=base.batch_size,
                                                      hidden=base.g_hidden))
recovered = dict.fromkeys(games, 0)
for (name, seed), result in results.items():
    near = mass_near_modes(result.G, 1000 + seed)
    both = min(near) > 0.25                    # at least half the target's share on each mode
    recovered[name] += both
    print("  " + _("{name:26s} seed {seed}:  {left:.3f}  {right:.3f}   JSD {jsd:.3f}   {both}")
          .format(name=game_label[name], seed=seed, left=near[0], right=near[1],
                  jsd=result.metrics["jsd"], both=_("both modes") if both else ""))
print()
too_short = (_("""(--fast: far too few steps for either game to spread; these counts describe
this run only.)""") + " " if lesson.fast else "")
say("""Both modes covered (over 0.25 of p_g's mass on each): plain {plain} of {seeds} seeds,
with minibatch discrimination {minibatch}. {too_short}A recorded run of 8 seeds (`python -m
experiments.mbd_modes`; its numbers, typed here, not this run's): the plain game put all of p_g
on one mode in every seed (1.00 and 0.00), and with the layer every seed covered both (0.42 to
0.52 on each). The plain D judges one sample at a time, so a G sitting on one real mode looks
real to it; D with the layer sees that the whole fake batch is crowded, which no real batch is,
and G is pushed to spread. The recorded run's other rows are a warning: with the default,
smaller softplus G (32, 32) the layer moved only 0.04 to 0.11 of the mass onto the second mode
(0 of 8 seeds covered), and a tanh G (32, 32) covered both modes in 8 of 8 seeds without the
layer. What D sees matters only if G can do what D asks.""",
    plain=recovered["plain"], seeds=len(seeds), minibatch=recovered["minibatch discrimination"],
    too_short=too_short)

fig, axes = plt.subplots(1, len(seeds), figsize=(4 * len(seeds), 3.5), squeeze=False)
curve_label = {"plain": _fig("$p_g$ plain"),
               "minibatch discrimination": _fig("$p_g$ minibatch discrimination")}
for ax, seed in zip(axes[0], seeds):
    for name, color in zip(games, ("tab:red", "tab:green")):
        history = results[(name, seed)].history
        ax.plot(history.grid, history.p_g_grid[-1], color=color, label=curve_label[name])
    ax.plot(history.grid, history.p_data_grid, "k:", label="$p_{data}$")
    ax.set(xlabel="x", ylabel=_fig("density"), ylim=(0, 2.5),
           title=_fig("seed {seed}").format(seed=seed))
axes[0][0].legend(fontsize=7)
fig.suptitle(_fig("Two modes: both covered in {plain} of {seeds} seeds plain (red), {minibatch} "
                  "of {seeds} with minibatch discrimination (green)").format(
    plain=recovered["plain"], seeds=len(seeds), minibatch=recovered["minibatch discrimination"]))
lesson.save(fig, FIGURES[0])

# %%
print(_("Exercises"))
say("""1. Put the layer where the paper put it, on D's last hidden features
(MinibatchDiscriminationGAN(config, rng, on="hidden", share=False, kernel_dim=3, init_std=0.05)).
Print o for a real and a fake batch every 100 steps: when does it stop telling them apart?""")
say("""2. Train both games with the default G, base.replace(g_hidden=(32, 32)), and then with
g_activation="tanh". Which game's count of both-modes seeds moves each time, and what does that
say about whose fault a collapse is?""")
lesson.finish()
