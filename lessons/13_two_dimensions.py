"""Lesson 13 -- GANs in the plane: the ring, the 5 x 5 grid, and mode collapse as a number.

Goes past the course's one-dimensional examples, to the 2D targets of the papers below. On a
line we could compute p_g exactly and measure JSD; in the plane, on targets with many narrow
modes, the field counts instead: how many
modes does G cover, and what share of its samples is of high quality (within 3 sigma of a mode)?
The ring (radius 2, sigma 0.02) is from Metz et al. (2017, Unrolled GANs); the grid and the
metrics' rules from VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018). We check the
metrics on cases whose answer we know, then train the plain GAN of Goodfellow et al. (2014) on
the ring and watch it with GAN Lab's picture: D as a heat map, p_g's samples on top.

Run: python lessons/13_two_dimensions.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows)

Course terms: 模式崩溃 (mode collapse). The 2D targets and the coverage metrics are the
papers' above, not the course's.
"""

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

from _lesson import _, _fig, check, compare, say, start
from gan.plots.plane import evolution_2d, generator_transformation
from gan.targets2d import grid, mode_centres, mode_coverage, plane_config, ring
from gan.train import train

FIGURES = ("targets.png", "ring_training.png", "z_grid.png", "coverage.png")

lesson = start(__file__, __doc__)
generator = np.random.default_rng(0)

# %% [markdown]
# ## The targets and the metrics on cases we can answer by hand

# %%
targets = {"ring": ring(), "grid": grid()}
target_label = {"ring": _("ring"), "grid": _("grid")}
target_figure = {"ring": _fig("ring"), "grid": _fig("grid")}
fig, axes = plt.subplots(1, 2, figsize=(8.5, 4.2), layout="constrained")
for ax, (name, target) in zip(axes, targets.items()):
    x = target.sample(2500, generator)
    centres, sigma = mode_centres(target)
    ax.scatter(x[:, 0], x[:, 1], s=2, color="black", alpha=0.5,
               label=_fig(r"samples of $p_{data}$"))
    ax.set(aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
           title=_fig("{name}: {count} modes, sigma = {sigma}").format(
               name=target_figure[name], count=len(centres), sigma=sigma))
    ax.legend(fontsize=7, loc="upper right")
    at_modes = mode_coverage(np.repeat(centres, 20, axis=0), centres, sigma)
    one_mode = mode_coverage(np.repeat(centres[:1], 2500, axis=0), centres, sigma)
    own = mode_coverage(x, centres, sigma)
    print("  " + _("{name}: 20 samples exactly at each mode -> {at_modes} modes, {at_quality:.0%} "
                   "high quality; all 2500 at one mode -> {one_mode} mode; 2500 samples of "
                   "p_data itself -> {own} modes, {own_quality:.1%} high quality").format(
        name=target_label[name], at_modes=at_modes["modes_covered"],
        at_quality=at_modes["high_quality"], one_mode=one_mode["modes_covered"],
        own=own["modes_covered"], own_quality=own["high_quality"]))
print()
lesson.save(fig, FIGURES[0])
say("""The rules: a sample is of high quality if it lies within 3 sigma of its nearest mode; a
mode is covered if at least 20 of 2500 samples are high-quality samples of it. Even p_data itself
is expected to score {expected:.1%}, not 100% (the {name}'s samples above, drawn from it,
scored {own:.1%}): in 2D the distance to the centre over sigma follows a chi
distribution with 2 degrees of freedom, and P(chi_2 <= 3) = 1 - exp(-9/2). A generator that
puts everything on one mode scores 100% quality and 1 mode: quality alone cannot see collapse,
which is why both numbers are reported.""",
    expected=1 - math.exp(-4.5), name=target_label[name], own=own["high_quality"])

# %% [markdown]
# ## The plain GAN on the ring

# %%
target = targets["ring"]
centres, sigma = mode_centres(target)
config = plane_config(target, steps=lesson.pick(5000, 150), snapshot_every=lesson.pick(250, 50),
                      seed=0, **({} if not lesson.fast else {"g_hidden": (16, 16),
                                                             "d_hidden": (16, 16)}))
say("""Training: 2D noise, G and D {hidden} LeakyReLU MLPs, Adam (lr {lr},
cosine decay), m = {m}, {steps} steps, no weight averaging (the average of
two generators that cover different modes covers neither; with the learning rate decayed to zero
it changes little here). The budget matters. Recorded runs, not this
one (gan/targets2d.py, plane_config's docstring): with these settings the plain GAN covered >= 7
modes with >= 50% high-quality samples in 8 of seeds 0-9 after 5000 steps, 2 of 5 seeds after
3000 and 0 of 2 after 1500; a softplus G or 16-dimensional noise did worse.""",
    hidden=config.g_hidden, lr=config.lr_g, m=config.batch_size, steps=config.steps)
result = train(config)              # a 2D target: measured in the plane
history, metrics = result.history, result.metrics
say("""Trained: {covered} of {modes} modes covered, {quality:.1%} high-quality samples, binned
JSD {jsd:.3f} nats (log 2 = {log_2:.3f} means disjoint).""",
    covered=metrics["modes_covered"], modes=metrics["modes"],
    quality=metrics["high_quality"], jsd=metrics["jsd"], log_2=math.log(2))
lesson.save(evolution_2d(history, target), FIGURES[1])
snapshot_steps = list(history.snapshot_steps)
shown = np.unique(np.linspace(0, len(snapshot_steps) - 1, min(4, len(snapshot_steps)))
                  .round().astype(int))                  # the panels evolution_2d draws
columns = np.abs(history.grid[None, :] - centres[:, :1]).argmin(axis=1)   # x_1 of each mode
rows = np.abs(history.grid[None, :] - centres[:, 1:]).argmin(axis=1)      # x_2 of each mode
print("  " + _("panel   modes covered   D at covered modes   D at missed modes   share of the "
              "square with D > 1/2"))
panel = {}
for index in shown:
    D_grid = np.asarray(history.D_grid[index])
    covered = mode_coverage(history.x_of_z[index], centres, sigma)["counts"] >= 20
    at_modes = D_grid[rows, columns]
    panel[index] = (covered, at_modes, float(np.mean(D_grid > 0.5)))
    print("  " + _("step {step:5d}").format(step=snapshot_steps[index])
          + f"   {covered.sum():13d}   "
          + (f"{at_modes[covered].mean():18.2f}" if covered.any() else f"{'-':>18s}")
          + "   " + (f"{at_modes[~covered].mean():17.2f}" if (~covered).any() else f"{'-':>17s}")
          + f"   {panel[index][2]:.0%}")
print()
first, last = shown[0], shown[-1]
say("""Read ring_training.png left to right. At step {step} D is the untrained network: it
calls {real:.0%} of the square 'real' (red) with a boundary that has nothing to do with the
ring.""", step=snapshot_steps[first], real=panel[first][2])
middle = [index for index in shown[1:] if panel[index][0].any() and not panel[index][0].all()]
if middle:
    index = middle[0]
    covered, at_modes = panel[index][:2]
    word = compare(f"13 step {snapshot_steps[index]}: D at missed modes vs at covered modes",
                   float(at_modes[~covered].mean()), float(at_modes[covered].mean()),
                   ("lower at the modes G still misses than at those it covers",
                    "about the same at the modes G misses and at those it covers",
                    "higher at the modes G still misses than at those it covers"), tolerance=0.1)
    meaning = (_("where D says 'real' and G's samples are absent is the signal that draws G there")
               if word == _("higher at the modes G still misses than at those it covers") else
               _("at the centres themselves D does not yet single out the missing modes"))
    say("""At step {step}, with {covered} of {modes} modes covered, D is {word} ({missed:.2f}
against {hit:.2f}): {meaning}.""", step=snapshot_steps[index], covered=covered.sum(),
        modes=len(covered), word=word, missed=at_modes[~covered].mean(),
        hit=at_modes[covered].mean(), meaning=meaning)
covered, at_modes = panel[last][:2]
if covered.any():
    white = check(f"13 step {snapshot_steps[last]}: |D - 1/2| at covered modes below 0.15",
                  float(abs(at_modes[covered].mean() - 0.5)), "<", 0.15,
                  ("near 1/2 (white)", "not near 1/2"))
    say("""At step {step}, where green sits on a mode, D is {white}: on average {D:.2f} at the
{covered} covered modes' centres.""", step=snapshot_steps[last], white=white,
        D=at_modes[covered].mean(), covered=covered.sum())
lesson.save(generator_transformation(result.G, config.p_z, target), FIGURES[2])
reached = check("13 modes covered at the end, at least 7", metrics["modes_covered"], ">=", 7,
                ("has reached the ring", "has not reached the ring yet"))
below = compare("13 high-quality share vs p_data's expected share", metrics["high_quality"],
                1 - math.exp(-4.5), ("below", "at", "above"), tolerance=0.01)
say("""z_grid.png: after {steps} steps G {reached} ({covered} modes
covered). Where G has reached it, G folds the noise plane onto the ring: lines that pass
through a mode crowd together (G contracts: high density), and the stretches between modes are
pulled thin -- G cannot tear the plane, so a continuous G always leaves a little mass between
the modes. Its high-quality share, {quality:.1%}, is {below} p_data's {expected:.1%}.""",
    steps=config.steps, reached=reached, covered=metrics["modes_covered"],
    quality=metrics["high_quality"], below=below, expected=1 - math.exp(-4.5))

# %% [markdown]
# ## Collapse as a number, over training

# %%
coverage = [mode_coverage(x, centres, sigma) for x in history.x_of_z]
steps = np.asarray(history.snapshot_steps)
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.plot(steps, [c["modes_covered"] for c in coverage], "o-", color="tab:green", markersize=3,
        label=_fig("modes covered (of 8)"))
ax.set(xlabel=_fig("step"), ylabel=_fig("modes covered"), ylim=(-0.3, 8.3),
       title=_fig("The plain GAN on the ring: how many modes, and how clean"))
quality_axis = ax.twinx()
quality_axis.plot(steps, [c["high_quality"] for c in coverage], "s--", color="tab:blue",
                  markersize=3, label=_fig("high-quality share"))
quality_axis.set(ylabel=_fig("high-quality share"), ylim=(0, 1))
handles = ax.get_lines() + quality_axis.get_lines()
ax.legend(handles=handles, labels=[h.get_label() for h in handles], loc="upper center",
          bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)
lesson.save(fig, FIGURES[3])
for c, step in list(zip(coverage, steps))[:: max(len(steps) // 5, 1)]:
    print("  " + _("step {step:5d}: {covered} modes, {quality:.1%} high quality, per mode {counts}")
          .format(step=step, covered=c["modes_covered"], quality=c["high_quality"],
                  counts=c["counts"].tolist()))
print()

# %%
print(_("Exercises"))
say("""1. Train on grid() instead of ring() (25 modes, sigma 0.05). How many modes does the same
budget cover? Plot evolution_2d and find the region D still calls 'real'.""")
say("""2. Set noise_dim=1: G must map a line onto eight separated blobs. Look at
generator_transformation's idea in 1D -- what must the line do between two modes -- and compare
the high-quality share with the 2D-noise run.""")
lesson.finish()
