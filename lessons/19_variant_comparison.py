"""Lesson 19 -- the variants side by side: what each one fixes, measured on the same seeds.

Follows the course's warning, after the tour of GAN variants, that many of them do not beat a
well-tuned GAN (Lucic et al. 2018, "Are GANs Created Equal?", reached that conclusion at scale).
Here the claim is not taken on trust: the plain GAN of Goodfellow et al. (2014) and the six
variants of lessons 09-15 are trained on the same targets with the same seeds and the settings
of their own lessons, and judged by success criteria stated before any run. The default run
trains 10 seeds of every game (about 8 minutes on 2 cores, in 2 processes -- the one lesson
over a minute, because 10 seeds are the point); `benchmarks/compare_variants.py` prints the same
table.
"""

# %%
import matplotlib.pyplot as plt  # noqa: F401  (the backend is chosen by start())
import numpy as np
from scipy.stats import fisher_exact

from _lesson import say, start
from gan.comparison import (course_targets, course_variants, format_table, plot_comparison,
                            run_comparison, summarise)

FIGURES = ("comparison.png",)

lesson = start(__file__, __doc__)
targets, variants = course_targets(), course_variants()
seeds = range(lesson.pick(10, 2))
steps = lesson.pick(None, 15)
if lesson.fast:
    say("--fast: 2 seeds of 15 steps, too short for any game to succeed; the sentences below "
        "describe whatever the numbers are, but only the default run is worth reading.")
say(f"""The targets and what counts as success, fixed before any run:
{'; '.join(f'{t.name}: {t.criterion.describe()}' for t in targets)}. Every game starts from the
target's base settings (1D: m = 64, 800 steps; ring: lesson 13's players, m = 256, 1500 steps
instead of 3000 to keep the run short) and changes only what its own lesson changed. The
conditional GAN and InfoGAN run on the two-mode mixture only: they need classes or codes, and
N(-1, 1) has one mode. The ring is a mixture too, but those two games measure p_g(x|c) on a
line. Seeds {list(seeds)}.""")

# %% [markdown]
# ## The table

# %%
rows = run_comparison(variants, targets, seeds, workers=2, steps=steps)
summary = summarise(rows, targets)
print(format_table(summary, targets))
say("""'success' counts the seeds that met the target's criterion; 'median' and 'worst' are over
the seeds (JSD in nats, log 2 = disjoint supports; on the ring, modes covered out of 8);
'seconds' is training time summed over the seeds. A diverged run counts as a failure.""")
lesson.save(plot_comparison(rows, targets), FIGURES[0])

# %% [markdown]
# ## Better than the plain GAN, or not? Count with the noise of 10 seeds in mind

# %%
entries = {(e["target"], e["variant"]): e for e in summary}
say("""Ten seeds are few: 6 successes against 3 can happen by luck. Fisher's exact test asks how
often a split at least this uneven would arise if both games had the same success rate; we call
a difference real only when that chance (p) is below 0.05.""")
verdicts = {}
for target in targets:
    plain = entries[(target.name, "plain GAN")]
    for variant in variants:
        entry = entries.get((target.name, variant.name))
        if entry is None or variant.name == "plain GAN":
            continue
        table = [[entry["successes"], entry["runs"] - entry["successes"]],
                 [plain["successes"], plain["runs"] - plain["successes"]]]
        p = fisher_exact(table)[1]
        difference = entry["success_rate"] - plain["success_rate"]
        verdict = ("better" if difference > 0 else "worse") if p < 0.05 else "no clear difference"
        verdicts[(target.name, variant.name)] = verdict
        print(f"  {target.name:10s} {variant.name:18s} {entry['successes']:2d}/{entry['runs']} vs "
              f"plain {plain['successes']:2d}/{plain['runs']}   p = {p:.2f}   {verdict}; median "
              f"{entry['median']:.3g} vs {plain['median']:.3g}")
print()
counts = {kind: sum(v == kind for v in verdicts.values())
          for kind in ("better", "worse", "no clear difference")}
say(f"""Of {len(verdicts)} (variant, target) pairs, {counts['better']} are clearly better than
the plain GAN, {counts['worse']} clearly worse, and {counts['no clear difference']} cannot be
told apart from it with {len(seeds)} seeds. That is the course's warning, measured.""")

# %% [markdown]
# ## What each variant was meant to fix, and what the numbers say

# %%
purpose = {
    "instance noise": "G's vanishing gradient when p_data and p_g start on disjoint supports",
    "WGAN": "a loss that measures distance (W1) and keeps G's gradient when D wins",
    "feature matching": "instability: G matches D's feature means instead of chasing D",
    "minibatch discr.": "mode collapse, by letting D see a whole batch",
    "conditional GAN": "control: ask for a class c and get p(x|c)",
    "InfoGAN": "an unsupervised code that names the modes",
}
for variant in variants[1:]:
    measured = [f"{name}: {verdicts[(name, variant.name)]} "
                f"({entries[(name, variant.name)]['successes']}/"
                f"{entries[(name, variant.name)]['runs']})"
                for name in (t.name for t in targets) if (name, variant.name) in verdicts]
    print(f"  {variant.name}\n    meant to fix: {purpose[variant.name]}\n"
          f"    measured: {'; '.join(measured)}")
print()
two_modes = {v.name: entries[("two modes", v.name)] for v in variants}
best = max(two_modes, key=lambda name: (two_modes[name]["success_rate"], -two_modes[name]["median"]))
say(f"""Read the lines together with the table. On the two-mode mixture the most reliable game
is {best} ({two_modes[best]['successes']}/{two_modes[best]['runs']}); the plain GAN holds both
modes in {two_modes['plain GAN']['successes']}/{two_modes['plain GAN']['runs']}. A variant that
does well there does so for the reason in its lesson -- the conditional GAN is handed the modes
as labels, which is a different problem, not a better solver; InfoGAN and minibatch
discrimination have to find them. Where a variant meets its target's bar no more often than
the plain GAN, it has changed the game without changing the outcome on that target; its cost
is in the 'seconds' column (WGAN's five critic steps, the minibatch layer's pairs).""")

# %%
print("Exercises")
say("""1. Lower the N(-1, 1) threshold to 0.001 nats (JSDBelow(0.001)). Which games still pass?
What does a 0.001-nat JSD mean for the mean and the std of p_g (JSD ~ chi^2 / 8)?""")
say("""2. Give the plain GAN the InfoGAN settings (lr 3e-3, no weight averaging) on the two-mode
mixture. How much of InfoGAN's result was its code, and how much its learning rate?""")
lesson.finish()
