"""Lesson 20 -- many GANs at once: which settings reliably converge?

GAN training is a gamble: the same settings succeed on one seed and fail on the next, and the
course notes that hundreds of proposed variants show no reliable improvement once you look past
a lucky run. So we stop looking at single runs. An ensemble trains E independent GANs as one
stacked computation -- every weight gains a leading axis of E members, one batched matrix
product serves all of them -- and member e is, bit for bit, the run `train` would make alone
with its seed. That makes hundreds of 1D trainings cheap enough to ask, for each setting of k,
the learning rate and the generator loss: in what share of seeds does training succeed?

Success is judged as experiments/convergence_table.py judges the default run:
JSD < 0.005 nats, mean and std of G(z) within 0.05 of p_data's, and max |D(x) - 1/2| < 0.05
on p_data's central 95%.

Run: python lessons/20_many_gans.py   (--fast: small sizes, as the tests run it; --show: open
the figures in windows). The same sweep from the command line:
python -m gan sweep --seeds 10 --k 1,2,4 --lr 1e-3,3e-3,1e-2,3e-2 --steps 1000 --out DIR

Course section (by the course's Chinese terms): 超参数与训练的可靠性
(hyperparameters and reliable training).
"""

# %%
import multiprocessing
import time

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import binomtest

from _lesson import N_, _, _fig, say, show, start
from gan.config import GANConfig
from gan.lab.ensemble import train_ensemble
from gan.lab.sweep import heatmap, success_rates, sweep
from gan.train import train

FIGURES = ("success_rates.png", "jsd_by_setting.png")

lesson = start(__file__, __doc__)
# 240 trainings: the fast engine (nn.fast), whose stacked axis trains many games at once.
base = GANConfig(g_hidden=(16, 16), d_hidden=(32, 32), batch_size=64, snapshot_every=0,
                 steps=lesson.pick(1000, 150), engine="fast")

# %% [markdown]
# ## 1. An ensemble member is the single run

# %%
say("""Train four members with different seeds and learning rates as one ensemble, then member 2
alone with `train`, and compare every weight and every loss.""")
configs = [base.replace(seed=seed, lr_g=lr, lr_d=lr, steps=lesson.pick(300, 60))
           for seed, lr in [(0, 1e-3), (1, 2e-3), (2, 4e-3), (3, 8e-3)]]
started = time.perf_counter()
members = train_ensemble(configs)
ensemble_seconds = time.perf_counter() - started
started = time.perf_counter()
alone = train(configs[2])
alone_seconds = time.perf_counter() - started
same = (np.array_equal(members[2].G.flat_params, alone.G.flat_params)
        and np.array_equal(members[2].D.flat_params, alone.D.flat_params)
        and np.array_equal(members[2].history.g_loss, alone.history.g_loss))
print("  " + _("member 2 of the ensemble equals train(seed=2, lr=4e-3) bitwise: {same}")
      .format(same=same))
print("  " + _("four members together: {together:.2f} s; one run alone: {alone:.2f} s (both "
               "include the final measurements, which run member by member)")
      .format(together=ensemble_seconds, alone=alone_seconds))
print()

# %% [markdown]
# ## 2. The sweep: seeds x k x learning rate x generator loss

# %%
seeds = list(range(lesson.pick(10, 2)))
ks = lesson.pick([1, 2, 4], [1])
learning_rates = lesson.pick([1e-3, 3e-3, 1e-2, 3e-2], [3e-3, 3e-2])
g_losses = ["minimax", "non_saturating"]
runs = len(seeds) * len(ks) * len(learning_rates) * len(g_losses)
# This script has no `if __name__ == "__main__"` guard, so its two workers are forked (copies of
# this process) rather than started afresh, which would run the script again. Where there is
# no fork (Windows), the sweep runs here.
workers = 2 if "fork" in multiprocessing.get_all_start_methods() else 1
where = (_(N_("shared between two worker processes")) if workers == 2
         else _(N_("one after the other")))
say("""Now {runs} trainings of {steps} steps each: G 1-16-16-1, D 1-32-32-1, m = 64, Adam with
the same learning rate for both players, the runs of one k and one loss stacked into one
ensemble, the ensembles {where} (each row is bitwise the same wherever it ran). Each run is
measured exactly as `python -m gan train` measures it.""", runs=runs, steps=base.steps,
    where=where)
started = time.perf_counter()
rows = sweep(seeds, ks, learning_rates, g_losses, base=base, workers=workers,
             start_method="fork")
print("  " + _("{runs} runs in {seconds:.0f} s").format(
    runs=runs, seconds=time.perf_counter() - started))
print()

# %%
say("""A success rate from n seeds is an estimate with an uncertainty: below, each rate comes
with its 95% Clopper-Pearson interval (scipy's binomtest), the range of true success
probabilities the seeds cannot rule out.""")
table = success_rates(rows)
reliable = []
for g_loss, (ks_, lrs, rates) in table.items():
    print("  " + _("{g_loss} loss: success rate [95% interval] over {n} seeds").format(
        g_loss=g_loss, n=len(seeds)))
    print("  " + "k \\ lr".rjust(7) + "".join(f"{lr:>18g}" for lr in lrs))
    for k, line in zip(ks_, rates):
        cells = []
        for lr, rate in zip(lrs, line):
            successes = int(round(rate * len(seeds)))
            interval = binomtest(successes, len(seeds)).proportion_ci(0.95)
            cells.append(f"{rate:4.0%} [{interval.low:3.0%},{interval.high:4.0%}]")
            if interval.low >= 0.5:
                reliable.append((g_loss, k, lr, rate, interval.low))
        print("  " + f"{k:>7}" + "".join(f"{cell:>18}" for cell in cells))
    print()
diverged = sum(row["diverged_at"] != "" for row in rows)
print("  " + _("runs that diverged (a loss or weight stopped being finite): {diverged} of "
               "{runs}").format(diverged=diverged, runs=runs))
if reliable:
    print("  " + _("settings whose success probability is at least 50% with 95% confidence:"))
    for g_loss, k, lr, rate, low in sorted(reliable, key=lambda entry: -entry[4]):
        print("    " + _("{g_loss:15s} k = {k}  lr = {lr:g}: {rate:.0%} of seeds (at least "
                         "{low:.0%})").format(g_loss=g_loss, k=k, lr=lr, rate=rate, low=low))
else:
    print("  " + _("no setting is shown to succeed at least half of the time with 95% "
                   "confidence"))
print()
say("""What to notice: read the table by rows and columns, not by its best cell. Where the
rate changes smoothly along a row (the learning rate) or a column (k), the setting matters;
where neighbouring cells jump between 0% and 100% the seed matters as much as the setting.
Compare the two panels cell by cell: the intervals say how large a difference between the
losses the seeds can resolve -- with ten seeds, two rates must be far apart before the
difference is more than luck.""")

fig = heatmap(rows)
lesson.save(fig, FIGURES[0])

# %%
fig, axes = plt.subplots(1, len(g_losses), figsize=(5.5 * len(g_losses), 4), sharey=True,
                         squeeze=False)
offsets = np.linspace(-0.2, 0.2, len(ks)) if len(ks) > 1 else [0.0]
for ax, g_loss in zip(axes[0], g_losses):
    for offset, k, color in zip(offsets, ks, plt.cm.viridis(np.linspace(0, 0.85, len(ks)))):
        for j, lr in enumerate(learning_rates):
            chosen = [row for row in rows if row["g_loss"] == g_loss and row["k"] == k
                      and row["lr"] == lr and row["jsd"] != ""]
            jsd = np.array([row["jsd"] for row in chosen])
            ax.scatter(np.full(len(jsd), j + offset), jsd, s=14, color=color,
                       label=f"k = {k}" if j == 0 else None)
    ax.axhline(0.005, color="black", linestyle=":",
               label=_fig("JSD = 0.005 (one of the four success criteria)"))
    ax.set(yscale="log", xticks=range(len(learning_rates)),
           xticklabels=[f"{lr:g}" for lr in learning_rates],
           xlabel=_fig("learning rate (G and D)"),
           title=_fig("{g_loss} loss").format(g_loss=g_loss))
    ax.legend(fontsize=7)
axes[0][0].set_ylabel(_fig("final JSD(p_data || p_g), nats"))
fig.suptitle(_fig("Every run's final JSD: the spread over seeds at one setting"))
lesson.save(fig, FIGURES[1])

# %%
show("Exercises")
say("""1. Double the steps (base.replace(steps=2000)) and run the sweep again. Which cells
change? Is a failure at 1000 steps slow convergence or a different end point? (Look at the
JSDs of the failing runs in the second figure.)""")
say("""2. Pick the two settings whose rates differ most between the two losses and test the
difference with Fisher's exact test (scipy.stats.fisher_exact) on the 2x2 table of successes
and failures. How many seeds would you need to tell 70% from 90% apart?""")
lesson.finish()
