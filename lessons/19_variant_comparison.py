"""Lesson 19 -- the variants side by side: what each one fixes, measured on the same seeds.

Follows the course's warning, after the tour of GAN variants, that many of them do not beat a
well-tuned GAN (Lucic et al. 2018, "Are GANs Created Equal?", reached that conclusion at scale).
Here the claim is not taken on trust: the plain GAN of Goodfellow et al. (2014) and the seven
variants of lessons 09-15 and 21 are trained on the same targets with the same seeds and the
settings of their own lessons, and judged by success criteria stated before any run. To stay near a
lesson's minute the default run trains 3 seeds of every game on the two 1D targets; the full
table -- 10 seeds, and the 2D ring of 8 as a third target -- is
`python benchmarks/compare_variants.py` (much longer: a ring run trains 5000 steps, 20-40 s for
the plain GAN and ~2 minutes for WGAN's five critic steps on a shared 2-core machine).
"""

# %%
import numpy as np
from scipy.stats import fisher_exact

from _lesson import say, start
from gan.comparison import (course_targets, course_variants, format_table, plot_comparison,
                            run_comparison, summarise)

FIGURES = ("comparison.png",)

lesson = start(__file__, __doc__)
targets, variants = course_targets()[:2], course_variants()   # the 1D targets; the ring: see above
seeds = range(lesson.pick(3, 2))
steps = lesson.pick(None, 15)
if lesson.fast:
    say("--fast: 2 seeds of 15 steps, too short for any game to succeed; the sentences below "
        "describe whatever the numbers are, but only the default run is worth reading.")
say(f"""The targets and what counts as success, fixed before any run:
{'; '.join(f'{t.name}: {t.criterion.describe()}' for t in targets)}. Every game starts from the
target's base settings (m = 64, 800 steps) and changes only what its own lesson changed. The
conditional GAN and InfoGAN run on the two-mode mixture only: they need classes or codes, and
N(-1, 1) has one mode. Seeds {list(seeds)}.""")

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
# ## Better than the plain GAN, or not? Count with the noise of a few seeds in mind

# %%
entries = {(e["target"], e["variant"]): e for e in summary}
say(f"""{len(seeds)} seeds are few (even 10 are: 6 successes against 3 can happen by luck).
Fisher's exact test asks how
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
normal_name = targets[0].name
plain_median = entries[(normal_name, "plain GAN")]["median"]
closer = [f"{v.name} {entries[(normal_name, v.name)]['median']:.1e}" for v in variants[1:]
          if (normal_name, v.name) in entries
          and entries[(normal_name, v.name)]["median"] < plain_median / 3]
say(f"""Success rates are coarse. On {normal_name} the plain GAN's median JSD is
{plain_median:.1e} nats; variants whose median is over three times lower: {', '.join(closer) or
'none'}. A closer fit of a one-mode target (the 'seconds' column says at what cost) -- and no
rescue on the harder targets below.""")

# %% [markdown]
# ## What each variant was meant to fix, and what the numbers say

# %%
purpose = {
    "instance noise": "G's vanishing gradient when p_data and p_g start on disjoint supports",
    "WGAN": "a loss that measures distance (W1) and keeps G's gradient when D wins",
    "feature matching": "instability: G matches D's feature means instead of chasing D",
    "minibatch discr.": "mode collapse, by letting D see a whole batch",
    "WGAN-GP": "WGAN's clipping, which limits the critic: a gradient penalty keeps it 1-Lipschitz",
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
rows_of = lambda target, name: [r for r in rows if r["target"] == target and  # noqa: E731
                                 r["variant"] == name and not r["diverged"]]
held = [v.name for v in variants if entries[("two modes", v.name)]["success_rate"] > 0.5]
held_jsd = [r["metrics"]["jsd"] for name in held for r in rows_of("two modes", name)
            if r["success"]]
plain_two = [r["metrics"] for r in rows_of("two modes", "plain GAN")]
say(f"""The two-mode mixture. Games that held both modes in most seeds: {', '.join(held) or
'none'}. The conditional GAN is handed the modes as labels -- a different, easier problem, not
a better solver; InfoGAN has to find them, and its code does. The other games hold one mode or
none: the plain G ends with a median std of {np.median([m['std'] for m in plain_two]):.2f},
a spike on one mode (each mode's std is 0.25, the mixture's
{targets[1].config.target.std:.2f}). But holding a mode is not fitting it: the successful runs'
median JSD is {np.median(held_jsd) if held_jsd else float('nan'):.2f} nats,
against {entries[('two modes', 'plain GAN')]['median']:.2f} for the plain GAN. Look at the
dot plot: the criterion and the JSD disagree, because a narrow spike inside each mode puts all
its mass there and still differs from the mode's shape. Which number matters depends on what
you wanted -- say it before the run, as here.""")
say("""The ring of 8 is left to `python benchmarks/compare_variants.py` (it trains 2D players
for 5000 steps per run, minutes per game): run it, and read its third block of the table the
same way -- modes covered and the share of high-quality samples, both needed. There the plain
GAN is the bar to beat: with lesson 13's settings it covered >= 7 of 8 modes with >= 50%
high-quality samples in 8 of 10 seeds in our runs, so a variant has to do better than that,
not merely succeed.""")

# %%
print("Exercises")
say("""1. Lower the N(-1, 1) threshold to 0.001 nats (JSDBelow(0.001)). Which games still pass?
What does a 0.001-nat JSD mean for the mean and the std of p_g (JSD ~ chi^2 / 8)?""")
say("""2. Give the plain GAN the InfoGAN settings (lr 3e-3, no weight averaging) on the two-mode
mixture. How much of InfoGAN's result was its code, and how much its learning rate?""")
say("""3. Run the full table (benchmarks/compare_variants.py): do 10 seeds change any verdict of
this 3-seed run? Then rerun the ring with course_targets(steps_2d=1500) for the plain GAN and
instance noise only. Which of them needs the full 5000 steps? Does it lose modes or quality?""")
lesson.finish()
