"""Lesson 11 -- feature matching: G matches the mean of D's features instead of fooling D.

Follows Salimans et al. (2016, "Improved Techniques for Training GANs", §3.1). With f(x) D's
activations on an intermediate layer (here its last hidden layer), G minimises
||E_{p_data} f(x) - E_{p_z} f(G(z))||^2 while D trains as usual. The gradient runs back through
D's first layers by hand (`features_backward`) and then through G. We compare it with the plain
GAN on the same seeds, on the course's N(-1, 1) and on a two-mode mixture.

Run: python lessons/11_feature_matching.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course section (by the course's Chinese terms): 特征匹配 (feature
matching).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from _lesson import _, _fig, check, compare, say, start
from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.plots import plot_densities
from gan.train import train
from gan.variants.feature_matching import FeatureMatchingGAN

FIGURES = ("densities.png",)

lesson = start(__file__, __doc__)
steps, seeds = lesson.pick(800, 20), lesson.pick((0, 1, 2), (0,))
targets = {"N(-1, 1)": Normal(-1.0, 1.0),
           "two modes at -3, +3": Mixture([Normal(-3.0, 0.25), Normal(3.0, 0.25)])}
games = ("plain", "feature matching")
game_label = {"plain": _("plain"), "feature matching": _("feature matching")}
target_label = {"N(-1, 1)": "N(-1, 1)", "two modes at -3, +3": _("two modes at -3, +3")}
results = {}
for target_name, target in targets.items():
    base = GANConfig(target=target, steps=steps, batch_size=64, snapshot_every=steps)
    for seed in seeds:
        results[(target_name, "plain", seed)] = train(base.replace(seed=seed))
        results[(target_name, "feature matching", seed)] = train(base.replace(seed=seed),
                                                                 game=FeatureMatchingGAN)
print("  " + _("JSD (nats) after {steps} steps, by seed").format(steps=steps) + " "
      + " ".join(f"{s:>8d}" for s in seeds))
for target_name in targets:
    for game in games:
        row = " ".join(f"{results[(target_name, game, s)].metrics['jsd']:8.1e}" for s in seeds)
        print(f"  {target_label[target_name]:20s} {game_label[game]:17s}        {row}")
print()
if lesson.fast:
    say("""--fast: {steps} steps leave both generators near where they started; the sentences
below describe this run only.""", steps=steps)
plain_closer = sum(results[("N(-1, 1)", "plain", s)].metrics["jsd"]
                   < results[("N(-1, 1)", "feature matching", s)].metrics["jsd"] for s in seeds)
closer_word = check("11 N(-1, 1): seeds where the plain GAN ends closer, over half",
                    plain_closer, ">", len(seeds) / 2,
                    ("the plain GAN ends closer in most seeds",
                     "the plain GAN does not end closer in most seeds"))
say("""What to notice: feature matching does not promise a closer p_g. On N(-1, 1) the plain GAN
ends with the lower JSD in {closer} of {seeds} seeds: {closer_word}. G matches only the first
moment of D's features, which a 64-unit layer does not pin down to the last decimal.""",
    closer=plain_closer, seeds=len(seeds), closer_word=closer_word)


def mass_near_modes(history):
    """p_g's mass within 1 (four sigmas) of -3 and of +3, from the final exact p_g on the grid."""
    grid, p_g = history.grid, history.p_g_grid[-1]
    return [float(np.trapezoid(np.where(np.abs(grid - mode) < 1.0, p_g, 0.0), grid))
            for mode in (-3.0, 3.0)]


print("  " + _("two modes: mass of p_g within 1 of -3, within 1 of +3, and elsewhere"))
near = {}
for game in games:
    for seed in seeds:
        near[(game, seed)] = mass_near_modes(results[("two modes at -3, +3", game, seed)].history)
        left, right = near[(game, seed)]
        print("  " + _("{game:17s} seed {seed}:  {left:.3f}  {right:.3f}  {rest:.3f}").format(
            game=game_label[game], seed=seed, left=left, right=right, rest=1 - left - right))
print()
on_one_mode = {game: sum(max(near[(game, s)]) >= 0.5 and min(near[(game, s)]) < 0.05
                         for s in seeds) for game in games}
elsewhere = {game: float(np.mean([1 - sum(near[(game, s)]) for s in seeds])) for game in games}
one_mode_word = check("11 two modes: plain seeds on one mode, over half", on_one_mode["plain"],
                      ">", len(seeds) / 2, ("the plain G sits on one mode in most seeds",
                                            "the plain G does not sit on one mode in most seeds"))
spread_word = compare("11 two modes: mean mass away from both modes, feature matching vs plain",
                      elsewhere["feature matching"], elsewhere["plain"],
                      ("less of its mass away from the modes than",
                       "about as much of its mass away from the modes as",
                       "more of its mass away from the modes than"), tolerance=0.1)
say("""On the two-mode target, call a G "on one mode" when one mode holds at least half of p_g
and the other under 5%: plain {plain} of {seeds} seeds, feature matching {matching} of {seeds};
{one_mode_word}. The feature-matching G puts {spread_word} the plain G ({away_matching:.2f}
against {away_plain:.2f} of p_g on average, in the gap and beyond). The paper presents feature
matching as a stabiliser, not a route to precision.""",
    plain=on_one_mode["plain"], seeds=len(seeds), matching=on_one_mode["feature matching"],
    one_mode_word=one_mode_word, spread_word=spread_word,
    away_matching=elsewhere["feature matching"], away_plain=elsewhere["plain"])

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
target_figure = {"N(-1, 1)": "N(-1, 1)", "two modes at -3, +3": _fig("two modes at -3, +3")}
for ax, target_name in zip(axes, targets):
    for game, color in (("plain", "tab:red"), ("feature matching", "tab:green")):
        history = results[(target_name, game, seeds[0])].history
        if game == "plain":
            plot_densities(ax, history.grid, history.p_data_grid, history.p_g_grid[-1],
                           history.D_grid[-1])
            ax.lines[1].set(color=color, label=_fig("$p_g$ plain"))
        else:
            ax.plot(history.grid, history.p_g_grid[-1], color=color,
                    label=_fig("$p_g$ feature matching"))
    ax.set(ylim=(0, 2), ylabel=_fig("density;  D(x)"),
           title=_fig("{target}, seed {seed}").format(target=target_figure[target_name],
                                                     seed=seeds[0]))
    ax.legend(fontsize=7)
fig.suptitle(_fig("Feature matching (green) against the plain GAN (red)"))
lesson.save(fig, FIGURES[0])

# %%
print(_("Exercises"))
say("""1. Match an earlier layer (layer=2: the first hidden layer's activations). Better or
worse?""")
say("""2. Add the squared distance of the features' second moments to the loss (derive its gradient
first). Does the N(-1, 1) run get closer?""")
lesson.finish()
