"""Lesson 08 -- failure modes: k, learning rates, capacity, a rate that never decays, mode collapse.

Follows Section 6 of Goodfellow et al. (2014), which warns that G trained too long against a
stale D maps many values of z to the same x (their "Helvetica scenario", now called mode
collapse), and the practice after it. The paper's convergence result is Proposition 2 (derived
below); it holds for players with enough capacity, D at its optimum at every step, and steps
taken in the space of densities -- real runs break each premise. We run small grids of
Algorithm 1 and ask, for each failure, what D(x) shows -- and when it shows nothing, because a D
near 1/2 is evidence of convergence only if D could have told.

Course section (by the course's Chinese terms): 模式崩溃 (mode collapse)
and 训练不稳定 (unstable training).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LogNorm

from _lesson import N_, _, _fig, check, compare, say, start
from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.plots import plot_densities
from gan.theory import jsd
from gan.train import train

FIGURES = ("grid.png", "oscillation.png", "collapse.png")

lesson = start(__file__, __doc__)
base = GANConfig(snapshot_every=0, seed=0)        # the library's defaults, N(-1, 1)
if lesson.fast:
    say("--fast: these runs are too short for the comparisons below; run without --fast.")


# A text kept in a variable is marked with N_ where it is written and looked up through these
# names (translations.py reads only literal texts in _(...) and _fig(...)).
translated, translated_for_figure = _, _fig


def run(**changes):
    """Final metrics of one short run of Algorithm 1 with some settings changed."""
    return train(base.replace(**changes)).metrics


# %% [markdown]
# ## What the paper proves, and what it does not (Proposition 2)
# Proposition 2 (Goodfellow et al. 2014, Section 4.2): if G and D have enough capacity, and at
# each step D is allowed to reach its optimum D*_G given G, and p_g is updated so as to improve
# C(G) = sup_D V(D, G) = -log 4 + 2 JSD(p_data || p_g), then p_g converges to p_data.
#
# Why. Look at V(D, G) as a function U(p_g, D) of the density p_g itself:
#     U(p_g, D) = E_{x~p_data} log D(x) + E_{x~p_g} log(1 - D(x)),
# which is linear, hence convex, in p_g. C(p_g) = sup_D U(p_g, D) is a supremum of convex
# functions, so it is convex; and the subgradients of a supremum include the gradient of the
# function at the point where the supremum is attained -- here at D = D*_G. So a gradient step of
# p_g on U(p_g, D*_G) is a subgradient step on the convex C, whose unique minimum (lesson 05)
# is p_g = p_data. Small enough steps of subgradient descent on a convex function converge.
#
# What it does not cover. The argument moves p_g in the space of all densities. Algorithm 1
# moves the parameters theta_g of an MLP G: p_g is then a non-linear function of theta_g, and
# C(theta_g) is no longer convex -- it can have stationary points that are not p_data, and a
# step in theta_g is not a step along a subgradient of C in p_g. D is an MLP too, trained for k
# steps, not to D*_G, and G's family may not contain p_data at all. The paper says so ("in
# practice, adversarial nets represent a limited family of p_g distributions via the function
# G(z; theta_g) ... the proof does not apply"). The grids below are what is left: experiment.

# %% [markdown]
# ## A grid over k and the learning rate, and one over capacity

# %%
rates, ks = (2e-4, 2e-3, 2e-2), (1, 5)
grid_steps = lesson.pick(400, 30)
jsd_k_lr = np.array([[run(steps=grid_steps, k=k, lr_g=lr, lr_d=lr)["jsd"] for lr in rates]
                     for k in ks])
widths = ((3,), (32, 32))
capacity_steps = lesson.pick(800, 30)
capacity = {(g, d): run(steps=capacity_steps, g_hidden=g, d_hidden=d)
            for g in widths for d in widths}
print("  " + _("JSD (nats) after {steps} steps, by k (rows) and learning rate (columns):")
      .format(steps=grid_steps))
print("            " + "".join(f"{lr:>10.0e}" for lr in rates))
for k, row in zip(ks, jsd_k_lr):
    print(f"    k = {k}   " + "".join(f"{value:10.1e}" for value in row))
print("\n  " + _("After {steps} steps, by hidden widths:").format(steps=capacity_steps))
for (g, d), metrics in capacity.items():
    print("    " + _("G {g:8s} D {d:8s}  JSD {jsd:.1e}  mean {mean:+.3f}  std {std:.3f}  "
                    "max|D - 1/2| {d_max_dev:.3f}").format(
        g=str(g), d=str(d), jsd=metrics["jsd"], mean=metrics["mean"], std=metrics["std"],
        d_max_dev=metrics["d_max_dev"]))
print()
best, worst = np.unravel_index(jsd_k_lr.argmin(), jsd_k_lr.shape), np.unravel_index(
    jsd_k_lr.argmax(), jsd_k_lr.shape)
weak_D, rich_D = capacity[(widths[1], widths[0])], capacity[(widths[1], widths[1])]
say("""Closest: k = {best_k}, lr = {best_lr:.0e}; farthest: k = {worst_k}, lr = {worst_lr:.0e}.
A small rate has simply not arrived; every run here decays its rate to 0 (cosine), which tames
a large one -- the next section removes that. k = 5 gives D more steps per G step, a better
approximation of D*_G (Proposition 1's optimal D, which Proposition 2 assumes at every step),
at five times the cost. Capacity: the target N(-1, 1) is G(z) = z - 1, which even a 3-unit G
can represent; the player that can mislead you is a weak D. With G 32-32: a 3-unit D ends at
max |D - 1/2| = {weak_deviation:.3f} with JSD = {weak_jsd:.1e} (std of G(z) {weak_std:.3f},
target 1), a 32-32 D at {rich_deviation:.3f} with JSD = {rich_jsd:.1e}. D near 1/2 proves
convergence only if D is rich enough to see the difference.""",
    best_k=ks[best[0]], best_lr=rates[best[1]], worst_k=ks[worst[0]], worst_lr=rates[worst[1]],
    weak_deviation=weak_D["d_max_dev"], weak_jsd=weak_D["jsd"], weak_std=weak_D["std"],
    rich_deviation=rich_D["d_max_dev"], rich_jsd=rich_D["jsd"])

capacity_jsd = np.array([[capacity[(g, d)]["jsd"] for d in widths] for g in widths])
norm = LogNorm(min(jsd_k_lr.min(), capacity_jsd.min()), max(jsd_k_lr.max(), capacity_jsd.max()))
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"wspace": 0.35})
for ax, table in zip(axes, (jsd_k_lr, capacity_jsd)):
    image = ax.imshow(table, cmap="viridis", norm=norm, aspect="auto")
    for (row, column), value in np.ndenumerate(table):
        ax.text(column, row, f"{value:.1e}", ha="center", va="center",
                color="white" if norm(value) < 0.6 else "black")
name = lambda widths: "-".join(map(str, widths))  # noqa: E731
axes[0].set(xticks=range(len(rates)), xticklabels=[f"{lr:.0e}" for lr in rates],
            yticks=range(len(ks)), yticklabels=[f"k = {k}" for k in ks],
            xlabel=_fig("learning rate (both players)"),
            title=_fig("JSD after {steps} steps").format(steps=grid_steps))
axes[1].set(xticks=range(2), xticklabels=[f"D {name(w)}" for w in widths], yticks=range(2),
            yticklabels=[f"G {name(w)}" for w in widths], xlabel=_fig("hidden units"),
            title=_fig("JSD after {steps} steps").format(steps=capacity_steps))
fig.colorbar(image, ax=axes, label=_fig("JSD (nats, log scale)"))
fig.suptitle(_fig("Which settings reach $p_{data}$: darker is closer"), y=1.02)
lesson.save(fig, FIGURES[0])

# %% [markdown]
# ## A constant, large learning rate and no averaging: does G settle?
# The defaults decay the learning rate and average G's weights over the last quarter of the run.
# Remove both and raise the rate. If G and D chased each other round the equilibrium, (mean, std)
# would circle the target and consecutive snapshots would lie close together; if G only jitters,
# consecutive snapshots are unrelated. The lag-1 autocorrelation of the mean's deviation from -1
# over the second half tells the two apart (near 1: a smooth path; near 0: noise).

# %%
steps = lesson.pick(800, 60)
tracked = dict(steps=steps, snapshot_every=lesson.pick(20, 10), grid_size=101)
runs = {
    N_("constant lr 1e-2, no averaging"): train(base.replace(
        lr_g=1e-2, lr_d=1e-2, lr_schedule="constant", average_last=0.0, **tracked)).history,
    N_("defaults (cosine decay, averaging)"): train(base.replace(**tracked)).history,
}
low, high = Normal(-1.0, 1.0).interval(0.95)
measured = {}
fig, (ax_path, ax_time) = plt.subplots(1, 2, figsize=(11, 4))
for (name, history), color in zip(runs.items(), ("tab:red", "tab:green")):
    mean, std = np.array(history.mean), np.array(history.std)
    late = slice(len(mean) // 2, None)
    distance = np.sqrt(np.mean((mean[late] + 1.0) ** 2 + (std[late] - 1.0) ** 2))
    central = (history.grid >= low) & (history.grid <= high)
    deviation = np.abs(np.array(history.D_grid)[:, central] - 0.5).max(axis=1)
    say("""{name}: over the second half of {steps} steps the mean of G(z) ranges over
[{mean_low:.2f}, {mean_high:.2f}], its std over [{std_low:.2f}, {std_high:.2f}]; RMS distance
of (mean, std) from (-1, 1): {distance:.3f}; JSD averages {jsd:.1e} nats; D's max |D - 1/2| on
the central 95% of p_data averages {deviation:.3f}.""",
        name=translated(name), steps=steps, mean_low=mean[late].min(),
        mean_high=mean[late].max(), std_low=std[late].min(), std_high=std[late].max(),
        distance=distance, jsd=np.mean(history.jsd[len(mean) // 2:]),
        deviation=deviation[late].mean())
    ax_path.plot(mean[late], std[late], "-", color=color, linewidth=1, alpha=0.8,
                 label=translated_for_figure(name))
    ax_time.plot(history.snapshot_steps, mean, color=color, linewidth=1,
                 label=translated_for_figure(name))
    deviation_of_mean = mean[late] + 1.0
    centred = deviation_of_mean - deviation_of_mean.mean()
    autocorrelation = float(np.sum(centred[1:] * centred[:-1]) / np.sum(centred**2))
    measured[name] = (distance, float(np.mean(history.jsd[len(mean) // 2:])), autocorrelation)
constant_name, default_name = list(runs)
rest_word = compare("08 second-half distance: defaults vs constant",
                    measured[default_name][0], measured[constant_name][0],
                    ("closer to the target (-1, 1) than", "as close to the target as",
                     "farther from the target than"), tolerance=0.1)
jsd_word = compare("08 second-half mean JSD: defaults vs constant",
                   measured[default_name][1], measured[constant_name][1],
                   ("lower than", "about the same as", "higher than"), tolerance=0.1)
smooth_word = check("08 constant rate: lag-1 autocorrelation of the mean's deviation > 0.5",
                    measured[constant_name][2], ">", 0.5,
                    ("a smooth path, as circling would give",
                     "no smooth path: if G circles, it does so faster than the snapshots "
                     "can follow, and the path in the figure is that jitter"))
say("""What D shows: at any one snapshot, little -- D is close to the best response to the G
of that moment, so its deviation from 1/2 can look much the same in both runs. Circling would
live in time: G moves, D answers, G overshoots. Measured every {every} steps, the
constant-rate run's mean of G(z) has a lag-1 autocorrelation of {autocorrelation:.2f} over the
second half: {smooth_word}. In this run the defaults' (mean, std) stay {rest_word} the
constant-rate run's over the second half (RMS distance {default_distance:.3f} against
{constant_distance:.3f}), and their mean JSD there is {jsd_word} the constant-rate run's
({default_jsd:.1e} against {constant_jsd:.1e} nats). The two measures need not agree: the RMS
distance sees only the mean and std, the JSD the whole shape.""",
    every=tracked["snapshot_every"], autocorrelation=measured[constant_name][2],
    smooth_word=smooth_word, rest_word=rest_word, default_distance=measured[default_name][0],
    constant_distance=measured[constant_name][0], jsd_word=jsd_word,
    default_jsd=measured[default_name][1], constant_jsd=measured[constant_name][1])
ax_path.plot(-1.0, 1.0, "k*", markersize=12, label=_fig("target (-1, 1)"))
ax_path.set(xlabel=_fig("mean of G(z)"), ylabel=_fig("std of G(z)"),
            title=_fig("(mean, std) of $p_g$ over the second half of each run"))
ax_time.axhline(-1.0, color="black", linestyle=":", label=_fig("target mean -1"))
ax_time.set(xlabel=_fig("step"), ylabel=_fig("mean of G(z)"), ylim=(-1.6, -0.4),
            title=_fig("The mean of G(z) over training"))
ax_path.legend(fontsize=8)
ax_time.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

# %% [markdown]
# ## Mode collapse on a bimodal target

# %%
p_data = Mixture([Normal(-3.0, 0.4), Normal(3.0, 0.4)])
collapse_steps = lesson.pick(800, 120)
collapsed = train(base.replace(target=p_data, steps=collapse_steps,
                               snapshot_every=collapse_steps // 4))
history = collapsed.history
grid, p_g, D = history.grid, history.p_g_grid[-1], history.D_grid[-1]
left = grid < 0
mass_left = np.trapezoid(np.where(left, p_g, 0.0), grid)
index = 1 if mass_left < 0.5 else 0                         # the mode G covers
covered, uncovered = p_data.components[index], p_data.components[1 - index]
mean_D = {mode: np.trapezoid(mode.pdf(grid) * D, grid) for mode in (covered, uncovered)}
w = p_data.weights[index]
collapse_word = check("08 one mode holds most of p_g", max(mass_left, 1 - mass_left), ">", 0.9,
                      ("collapsed onto one mode", "not collapsed onto one mode"))
covered_word = check("08 D over the covered mode", mean_D[covered], "<", 0.5,
                     ("below 1/2", "not below 1/2"))
missed_word = check("08 D over the missed mode", mean_D[uncovered], ">", 0.9,
                    ("D is sure every sample there is real",
                     "D is not sure those samples are real"))
say("""Target: two normals at -3 and +3. After {steps} steps p_g puts {left:.3f} of its mass
left of 0 and {right:.3f} right of it: it has {collapse_word}. JSD = {jsd:.3f} nats; a p_g
sitting exactly on one mode would have JSD {one_mode_jsd:.3f}. What D shows, averaged over each
mode: over the mode G covers most, D = {covered_D:.2f} ({covered_word}; for an exact collapse
all of G's mass piles up where the data has only {w:.0%} of its own, and D* = w / (w + 1) =
{collapse_D:.2f}); over the other mode, D = {missed_D:.2f}: {missed_word}. Where G has
collapsed it gets no pull towards the missing mode: its gradient is D's slope at its own samples
G(z), and none of them are near it.""",
    steps=collapse_steps, left=mass_left, right=1 - mass_left, collapse_word=collapse_word,
    jsd=history.jsd[-1], one_mode_jsd=jsd(p_data, covered), covered_D=mean_D[covered],
    covered_word=covered_word, w=w, collapse_D=w / (w + 1), missed_D=mean_D[uncovered],
    missed_word=missed_word)

fig, ax = plt.subplots(figsize=(8, 4))
plot_densities(ax, grid, history.p_data_grid, p_g, D)
peak = np.argmax(p_g)
if p_g[peak] > 1.1:                                          # say where p_g leaves the panel
    ax.annotate(_fig("$p_g$ peaks at {peak:.1f}").format(peak=p_g[peak]), (grid[peak], 1.08),
                xytext=(grid[peak] - 4.5, 0.9), color="tab:green", fontsize=8,
                arrowprops=dict(arrowstyle="->", color="tab:green"))
figure_word = (_fig("collapsed onto one mode") if collapse_word == _("collapsed onto one mode")
               else _fig("not collapsed onto one mode"))   # English on an English figure
ax.set(ylabel=_fig("density;  D(x)"), ylim=(0, 1.1), xlim=(-6, 6),
       title=_fig("Two modes after {steps} steps: p_g has {word}").format(
           steps=collapse_steps, word=figure_word))
ax.legend(fontsize=8, loc="center left")
lesson.save(fig, FIGURES[2])

# %%
print(_("Exercises"))
say("""1. Repeat the bimodal run for seeds 0-4. How many collapse? Does k = 5 or a wider G
(g_hidden=(64, 64)) change the count?""")
say("""2. In the constant-rate run, lower only lr_g (keep lr_d = 1e-2). Does the second half's RMS
distance of (mean, std) from (-1, 1) shrink, and its mean JSD? Then snapshot every step
(snapshot_every=1): does the path's lag-1 autocorrelation rise, i.e. is there a cycle faster than
the snapshots above could see? What does that say about which player should be faster?""")
lesson.finish()
