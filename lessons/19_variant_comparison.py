"""Lesson 19 -- the variants side by side: what each one fixes, measured on the same seeds.

Follows the course's warning, after the tour of GAN variants, that many of them do not beat a
well-tuned GAN (Lucic et al. 2018, "Are GANs Created Equal?", reached that conclusion at scale).
Here the claim is not taken on trust: the plain GAN of Goodfellow et al. (2014) and the variants
of lessons 09, 11, 12, 14 and 15 are trained on the same targets with the same seeds and the
settings of their own lessons, and judged by success criteria stated before any run. The default
run trains 10 seeds of each of these games on the two 1D targets, the plain game's seeds as one
stacked ensemble (`gan.lab.ensemble`). WGAN and WGAN-GP (lessons 10 and 21) take five critic steps
per generator step and cost five to ten times the others per run, so they, and the 2D ring of 8
as a third target, are in the full table, `python -m experiments.compare_variants` (much longer:
a ring run trains 5000 steps). Each difference is reported as an effect size with a bootstrap
confidence interval, next to what Fisher's exact test can detect at that number of seeds.

Course section (by the course's Chinese terms): GAN 变体的比较 (comparing
GAN variants).
"""

# %%
import numpy as np

from _lesson import N_, _, check, say, show, start
from gan.lab.comparison import (COURSE_CONTROLS, course_targets, course_variants, format_table,
                            plot_comparison, run_comparison, stackable, summarise)
from gan.lab.comparison.effects import (against_baseline, detectable_rate, detection_note,
                                        format_effects, smallest_p)
from gan.lab.success import EveryModeHolds, JSDBelow

FIGURES = ("comparison.png",)

lesson = start(__file__, __doc__)
# The names gan.lab.comparison gives the games, the targets and the verdicts, marked here for
# translation; the tables gan prints keep them in English.
NAMES = (N_("plain GAN"), N_("instance noise"), N_("feature matching"), N_("minibatch discr."),
         N_("plain, lesson 12's G"), N_("conditional GAN"), N_("two modes"), N_("ring of 8"),
         N_("better"), N_("worse"), N_("no clear difference"))
# The success criteria of the 1D targets as gan.lab.success describes them.
CRITERIA = {JSDBelow: N_("JSD < {threshold:g} nats"),
            EveryModeHolds: N_("every mode holds >= {share:.0%} of p_g's mass (within 4 sigma)")}
# The parts of gan.lab.comparison.effects.detection_note's sentence.
DETECTION = {
    "floor": N_("with {n} seeds per game the smallest attainable p is {floor:.2g}: no "
                "difference in success rate can reach p < 0.05"),
    "note": N_("with {n} seeds per game the smallest attainable p is {floor:.2g}; against a base "
               "success rate of {rate:.0%}, with 80% power at p < 0.05 {better}, {worse}; "
               "{tail}"),
    "no better": N_("no rate up to 100% is detected as better"),
    "better": N_("a variant is found better only if its true rate is >= {up:.0%} (a difference "
                 "of {gain:+.0%})"),
    "no worse": N_("no rate down to 0% is detected as worse"),
    "worse": N_("worse only if <= {down:.0%} ({loss:+.0%})"),
    "cannot tell": N_("so at this n the test cannot tell this game from another by success rate"),
    "undetected": N_("smaller differences go undetected most of the time"),
}


def listed(items, separator=", "):
    """The items as one list: joined by ``separator`` in English, by 、 (or ；) in Chinese."""
    if lesson.lang == "zh":
        separator = "；" if separator.strip() == ";" else "、"
    return separator.join(items)


def criterion_text(criterion):
    """criterion.describe() in the lesson's language (its English if it has no marked twin)."""
    english = criterion.describe()
    template = CRITERIA.get(type(criterion))
    numbers = vars(criterion)
    if template is not None and template.format(**numbers) == english:
        return _(template).format(**numbers)
    return english


def detection_text(n, rate):
    """detection_note(n, rate) in the lesson's language: the marked parts that write the same
    English, translated (gan's English itself should its words have changed)."""
    floor = smallest_p(n, n)
    up, down = detectable_rate(n, rate), detectable_rate(n, rate, direction="down")

    def sentence(say_it):
        if floor >= 0.05:
            return say_it(DETECTION["floor"]).format(n=n, floor=floor)
        better = (say_it(DETECTION["no better"]) if up is None else
                  say_it(DETECTION["better"]).format(up=up, gain=up - rate))
        worse = (say_it(DETECTION["no worse"]) if down is None else
                 say_it(DETECTION["worse"]).format(down=down, loss=down - rate))
        tail = say_it(DETECTION["cannot tell" if up is None and down is None else "undetected"])
        return say_it(DETECTION["note"]).format(n=n, floor=floor, rate=rate, better=better,
                                                worse=worse, tail=tail)

    english = detection_note(n, rate)
    return sentence(_) if sentence(lambda text: text) == english else english


WASSERSTEIN = ("WGAN", "WGAN-GP")      # in experiments/compare_variants.py, see the docstring
targets = course_targets()[:2]          # the 1D targets; the ring: see above
variants = tuple(v for v in course_variants() if v.name not in WASSERSTEIN)
seeds = range(lesson.pick(10, 2))
steps = lesson.pick(None, 15)
if lesson.fast:
    say("--fast: 2 seeds of 15 steps, too short for any game to succeed; the sentences below "
        "describe whatever the numbers are, but only the default run is worth reading.")
criteria = [_("{target}: {criterion}").format(target=_(t.name),
                                              criterion=criterion_text(t.criterion))
            for t in targets]
say("""The targets and what counts as success, fixed before any run: {criteria}. Every game
starts from the target's base settings (m = 64, 800 steps) and changes only what its own lesson
changed. The conditional GAN and InfoGAN run on the two-mode mixture only: they need classes or
codes, and N(-1, 1) has one mode. Seeds {seeds}.""",
    criteria=listed(criteria, "; "), seeds=list(seeds))
stacked = [_("{variant} on {target}").format(variant=_(v.name), target=_(t.name))
           for t in targets for v in variants if v.runs_on(t) and stackable(v, t)]
say("""Trained as one ensemble per game (gan.lab.ensemble: all seeds stacked, each member bitwise
the single run): {stacked}. Every variant has updates of its own, which the ensemble does not
stack, so each of its seeds is a single run. WGAN and WGAN-GP, five critic steps per generator
step, are left to `python -m experiments.compare_variants`, which runs every game.""",
    stacked=listed(stacked))

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
entries = {(e["target"], e["variant"]): e for e in summary}


def rows_of(target, name, diverged_too=False):
    """The rows of one (target, variant), diverged ones too if asked."""
    return [r for r in rows if r["target"] == target and r["variant"] == name
            and (diverged_too or not r["diverged"])]


# %% [markdown]
# ## Better than the plain GAN, or not? Effect sizes, their uncertainty, and what n can detect
# Three numbers per (variant, target): the success-rate difference with a bootstrap 95%
# interval; log10 of the ratio of median scores (JSD: below 0 means closer than the plain GAN)
# with its interval; and Fisher's exact test on the 2x2 table of successes. Before reading them,
# what the test could possibly say with this many seeds.

# %%
n = len(seeds)
floor_p = smallest_p(n, n)
plain_rates = {t.name: entries[(t.name, "plain GAN")]["success_rate"] for t in targets}
power_word = check("19 smallest attainable Fisher p below 0.05", floor_p, "<", 0.05,
                   ("can", "cannot"))
say("""With {n} seeds per game, the most uneven split possible ({n}/{n} against 0/{n}) gives
Fisher's p = {floor:.2g}: the test {power_word} reach p < 0.05 at this n, whatever the games
do.""", n=n, floor=floor_p, power_word=power_word)
for name, rate in plain_rates.items():
    say("""{target}: the plain GAN succeeded in {rate:.0%} of seeds; {note}. "No clear
difference" below means only that.""", target=_(name), rate=rate, note=detection_text(n, rate))
say("""Minibatch discrimination on the two modes is measured against its control, the plain game
with the same deeper G and steps ('against: control'), not the plain GAN.""")

table = against_baseline(rows, targets, controls=COURSE_CONTROLS)
print(format_effects(table))
print()
verdicts = {(e["target"], e["variant"]): e["verdict"] for e in table}
effects = {(e["target"], e["variant"]): e["log10_median_ratio"] for e in table}
counts = {kind: sum(v == kind for v in verdicts.values())
          for kind in ("better", "worse", "no clear difference")}
say("""Of {pairs} (variant, target) pairs, {better} have a success rate higher than their
baseline's (the plain GAN's, or the control's) at p < 0.05, {worse} lower, and {unclear} cannot
be told apart from it by success rate with {n} seeds -- which, by the power computed above,
rules out only large differences.""",
    pairs=len(verdicts), better=counts["better"], worse=counts["worse"],
    unclear=counts["no clear difference"], n=n)
closer = {key: ratio for key, ratio in effects.items() if ratio[2] < 0}
farther = {key: ratio for key, ratio in effects.items() if ratio[1] > 0}


def ratios(chosen):
    """The (target, variant) pairs chosen, each with how many times lower or higher its median
    score is than its baseline's."""
    return listed([
        _("{variant} on {target} ({ratio:.2g}x lower)").format(
            variant=_(v), target=_(t), ratio=10 ** -r[0]) if r[0] < 0
        else _("{variant} on {target} ({ratio:.2g}x higher)").format(
            variant=_(v), target=_(t), ratio=10 ** r[0])
        for (t, v), r in chosen.items()]) or _("none")


say("""Success rates are coarse; the median scores say more. Median JSD lower than the
baseline's with the whole bootstrap interval of the log ratio below 0: {closer}. Higher, with
the interval above 0: {farther}. (On the ring the score is modes covered, so there "lower"
means fewer modes.) A bootstrap over {n} seeds is itself rough: with so few values its
intervals run a little narrow.""", closer=ratios(closer), farther=ratios(farther), n=n)
if lesson.fast:
    say("""--fast: these runs are far too short for any of the numbers above to mean anything
beyond showing the computation.""")

# %% [markdown]
# ## What each variant was meant to fix, and what the numbers say

# %%
purpose = {
    "instance noise": N_("G's vanishing gradient when p_data and p_g start on disjoint "
                         "supports"),
    "WGAN": N_("a loss that measures distance (W1) and keeps G's gradient when D wins"),
    "feature matching": N_("instability: G matches D's feature means instead of chasing D"),
    "minibatch discr.": N_("mode collapse, by letting D see a whole batch (on the two modes with "
                           "lesson 12's deeper G: compare it with the next row, not only the "
                           "plain GAN)"),
    "plain, lesson 12's G": N_("nothing: the control for minibatch discrimination, the plain "
                               "game with lesson 12's deeper G and 1500 steps"),
    "WGAN-GP": N_("WGAN's clipping, which limits the critic: a gradient penalty keeps it "
                  "1-Lipschitz"),
    "conditional GAN": N_("control: ask for a class c and get p(x|c)"),
    "InfoGAN": N_("an unsupervised code that names the modes"),
}
for variant in variants[1:]:
    measured = [_("{target}: {verdict} ({successes}/{runs})").format(
                    target=_(name), verdict=_(verdicts[(name, variant.name)]),
                    successes=entries[(name, variant.name)]["successes"],
                    runs=entries[(name, variant.name)]["runs"])
                for name in (t.name for t in targets) if (name, variant.name) in verdicts]
    heading = _(variant.name)                  # with the tables' English name beside a twin
    heading += f"（{variant.name}）" if heading != variant.name else ""
    show("""{heading}
    meant to fix: {purpose}
    measured: {measured}""", heading="  " + heading, purpose=_(purpose[variant.name]),
         measured=listed(measured, "; "))
print()
held = [v.name for v in variants if entries[("two modes", v.name)]["success_rate"] > 0.5]
held_jsd = [r["metrics"]["jsd"] for name in held for r in rows_of("two modes", name)
            if r["success"]]
plain_two = [r["metrics"] for r in rows_of("two modes", "plain GAN")]
info_word = check("19 InfoGAN holds both modes in most seeds",
                  entries[("two modes", "InfoGAN")]["success_rate"], ">", 0.5,
                  ("its code does, in most seeds", "its code does not, in most seeds"))
plain_std = float(np.median([m["std"] for m in plain_two])) if plain_two else float("nan")
spike_word = check("19 plain G's median std below 1 (the mixture's is ~3)", plain_std, "<", 1.0,
                   ("a spike on one mode or between them", "spread over both modes"))
held_text = (_("the successful runs' median JSD is {held:.2f} nats, against {plain:.2f} for "
               "the plain GAN").format(held=np.median(held_jsd),
                                       plain=entries[("two modes", "plain GAN")]["median"])
             if held_jsd else _("no run held both modes, so there is no successful run's JSD "
                                "to compare"))
say("""The two-mode mixture. Games that held both modes in more than half of the seeds: {held}.
The conditional GAN is handed the modes as labels -- a different, easier problem, not a better
solver; InfoGAN has to find them, and {info_word}. The plain G ends with a median std of
{plain_std:.2f}: {spike_word} (each mode's std is 0.25, the mixture's {mixture_std:.2f}).
Holding a mode is not fitting it: {held_text}. The criterion and the JSD can disagree, because
a narrow spike inside each mode puts the mass there and still differs from the mode's shape.
Which number matters depends on what you wanted -- say it before the run, as here.""",
    held=listed([_(name) for name in held]) or _("none"), info_word=info_word,
    plain_std=plain_std, spike_word=spike_word, mixture_std=targets[1].config.target.std,
    held_text=held_text)
say("""The ring of 8 is left to `python -m experiments.compare_variants` (it trains 2D players
for 5000 steps per run, minutes per game): run it, and read its third block of the table the
same way -- modes covered and the share of high-quality samples, both needed. There the plain
GAN is the bar to beat: with lesson 13's settings it covered >= 7 of 8 modes with >= 50%
high-quality samples in 8 of 10 seeds in our runs, so a variant has to do better than that,
not merely succeed.""")

# %%
show("Exercises")
say("""1. Lower the N(-1, 1) threshold to 0.001 nats (JSDBelow(0.001)). Which games still pass?
What does a 0.001-nat JSD mean for the mean and the std of p_g (JSD ~ chi^2 / 8)?""")
say("""2. Give the plain GAN the InfoGAN settings (lr 3e-3, no weight averaging) on the two-mode
mixture. How much of InfoGAN's result was its code, and how much its learning rate?""")
say("""3. Run the full table (experiments/compare_variants.py --seeds 20): do 20 seeds change any
verdict of this 10-seed run? Then rerun the ring with
course_targets(steps_2d=1500) for the plain GAN and
instance noise only. Which of them needs the full 5000 steps? Does it lose modes or quality?""")
lesson.finish()
