"""Lesson 22 -- five digit generators, one table: the averaging decoder blurs, the adversary
does not.

Follows the course's comparison of GANs with autoencoders and VAEs, on the digits of lessons
16-18. The MLP GAN and conditional GAN of lesson 17, the DCGAN of lesson 18 and the autoencoder
and VAE of lesson 16 are trained on the same digits from the same seed, and one referee -- a
classifier that never saw any of them -- scores them all: does a conditional sample show the
class asked for, how many classes do the samples cover, how far are their features from real
digits (a Frechet distance), are they copies of training digits, how grey are their pixels?
The default run trains every model at the full settings of its lesson (1500 steps each): about
5 minutes on two cores (312 s measured), most of it the DCGAN.
Shorter runs were tried and mislead: after 600 steps the GANs are far from trained and the
autoencoder looks best on every count.
`python benchmarks/compare_digits.py` prints the same table.

Run: python lessons/22_digits_comparison.py   (--fast: small sizes, as the tests run it; --show:
open the figures in windows; --data PATH: real MNIST files or an .npz instead of the procedural
digits, see gan.digits.data)
"""

# %%

import matplotlib.pyplot as plt
import numpy as np

from _lesson import say, start
from gan.digits import format_table, lesson_digits, add_data_argument
from gan.digits.comparison import comparison_rows, interpolations, sample_grid, train_models
from gan.digits.grids import side_by_side_figure
from gan.digits.quality import GREY_RANGE, grey_share

FIGURES = ("comparison_grids.png", "comparison_pixel_values.png", "interpolations.png")

lesson = start(__file__, __doc__, options=add_data_argument)
data_path = lesson.options.data
generator = np.random.default_rng(0)

# %% [markdown]
# ## The data and the referee

# %%
data, classifier, referee_accuracy = lesson_digits(data_path, lesson.fast, generator)
say(f"""{data.describe()}. The referee reads {referee_accuracy:.1%} of the held-out digits
correctly.""")

# %% [markdown]
# ## Five generators, the same digits, the same seed

# %%
preset = lesson.pick("full", "fast")
trained = train_models(data.train_images, data.train_labels, preset=preset, seed=0,
                       report=lambda name, seconds: print(f"  trained {name:<11s} {seconds:.1f} s"))
print()
samples = lesson.pick(1000, 100)
rows = comparison_rows(trained, classifier, data.train_images, data.test_images,
                       data.test_labels, samples, generator)
print(format_table(rows))
print()
say(f"""Columns. label acc: share of {samples} class-conditional samples the referee reads as the
class asked for (only the cGAN takes a class; for the real digits it is the referee's own
accuracy). classes H: entropy in bits of the classes the referee reads in the samples,
log2 10 = {np.log2(10):.2f} when the ten classes are equally frequent -- the measure of class
coverage for the models that cannot be asked for a class. Frechet: distance between Gaussians
fitted to the referee's features of the samples and of the {len(data.test_images)} test digits;
the real row puts {min(samples, len(data.train_images))} training digits in the samples' place,
the floor that sampling noise alone gives. NN ratio and copies: distance to the nearest training
digit, relative to real test digits (about 1 and about 0.01 for new digits). grey: share of
pixels strictly between {GREY_RANGE[0]} and {GREY_RANGE[1]}. seconds: training time.""")

# %% [markdown]
# ## What the table says

# %%
by_name = {row["model"]: row for row in rows}
real, dcgan, cgan = by_name["real test digits"], by_name["DCGAN"], by_name["cGAN (MLP)"]
models = [row for row in rows if row is not real]
by_grey = sorted(models, key=lambda row: row["grey_share"])
say("Grey pixels, fewest first: " + ", ".join(
    f"{row['model']} {row['grey_share']:.1%}" for row in by_grey)
    + f"; the real digits {real['grey_share']:.1%}.")
decoders_greyer = all(dcgan["grey_share"] < by_name[name]["grey_share"] for name in ("AE", "VAE"))
blur_verdict = ("The DCGAN -- the adversary with players made for images -- has fewer grey "
                "pixels than either decoder: the course's point, measured." if decoders_greyer
                else "In this run the DCGAN is not sharper than both decoders: the course's "
                     "point is not borne out here.")
say(f"""Blur. A decoder trained on reconstruction error outputs, for each code, the mean of the
images the code could stand for; where those disagree the mean is grey, at the edges of every
stroke and wherever two digits overlap (the AE and VAE grids: soft, smeared strokes). G is never
asked to match an image, only to fool D, and a soft edge is something D can learn to reject.
{blur_verdict}
The MLP GANs' grey is of another kind: look at their grids -- speckle, single pixels set
half-way, not soft strokes. A fully connected G sets every pixel through its own weights and
has not pushed all of them to black or white after these steps; the grey share counts both
kinds of grey, the pictures tell them apart.""")
by_frechet = sorted(models, key=lambda row: row["frechet_distance"])
say("Frechet distance to the test digits, closest first: " + ", ".join(
    f"{row['model']} {row['frechet_distance']:.1f}" for row in by_frechet)
    + f"; the floor (real training digits) {real['frechet_distance']:.1f}.")
narrowest = min(models, key=lambda row: row["class_entropy"])
# 3 bits: ten classes with shares between about 5% and 15% stay above it
coverage = ("every model makes all ten digits in near-even shares"
            if narrowest["class_entropy"] > 3.0
            else f"the {narrowest['model']} covers the classes unevenly")
say(f"""The Frechet distance is measured in the referee's features, and the referee is an MLP
that reads digits by their shape: it rewards samples that spread over the classes and shapes
as real digits do, as well as punishing soft edges, so it need not rank the sharpest model
first. The closest model is {by_frechet[0]['frechet_distance'] / real['frechet_distance']:.0f}
times the floor away. Classes H (entropy of the classes read) shows the coverage: {coverage}
({narrowest['class_entropy']:.2f} bits at the least, {np.log2(10):.2f} for an even spread).""")
say(f"""Control. Asked for class c, the cGAN's samples are read as c {cgan['label_accuracy']:.0%}
of the time (chance: 10%; its worst class is {int(cgan['per_class_accuracy'].argmin())} at
{cgan['per_class_accuracy'].min():.0%}); the other models cannot be asked. Copies: no model has
more than {max(row['copied_share'] for row in models):.1%} of its samples closer to a training
digit than 99% of the real test digits are, and every NN ratio is near 1: new digits, not
training images played back.""")

# %% [markdown]
# ## The samples side by side, and their pixel values

# %%
grids = {model.name: sample_grid(model, classifier, generator) for model in trained}
fig = side_by_side_figure(grids, "Row c: class c asked for (cGAN) or read by the referee "
                          "(the others); a blank cell: fewer samples read as c",
                          row_labels=[str(c) for c in range(10)])
lesson.save(fig, FIGURES[0])

fig, ax = plt.subplots(figsize=(7, 3.8))
bins = np.linspace(0, 1, 41)
styles = {"MLP GAN": "g-", "cGAN (MLP)": "g--", "DCGAN": "g-.", "AE": "b--", "VAE": "b-"}
pool = lesson.pick(500, 100)
labels = np.arange(pool) % 10
for model in trained:
    images = model.sampler(pool, labels, generator)
    share, _ = np.histogram(images.ravel(), bins=bins)
    ax.plot((bins[:-1] + bins[1:]) / 2, share / images.size, styles[model.name], label=model.name)
share, _ = np.histogram(data.test_images.ravel(), bins=bins)
ax.plot((bins[:-1] + bins[1:]) / 2, share / data.test_images.size, "k:", label="real digits")
ax.axvspan(*GREY_RANGE, color="0.9", zorder=0, label="grey pixels")
ax.set(yscale="log", xlabel="pixel value", ylabel="share of pixels",
       title="Where the pixel values lie: real digits are black or white")
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
fig = side_by_side_figure({"": paths}, f"Left to right: AE and VAE decode the line between the\n"
                          f"codes of a test {label} and a test {other}; the GANs generate along\n"
                          f"a line between two noise vectors (the cGAN asked for {label})",
                          row_labels=[model.name for model in trained])
fig.subplots_adjust(top=0.78)       # room for the three-line title
lesson.save(fig, FIGURES[2])
middle = {model.name: grey_share(path[1:-1, None]) for model, path in zip(trained, paths)}
say("Grey pixels on the way (the images strictly between the two ends): " + ", ".join(
    f"{name} {share:.1%}" for name, share in middle.items()) + ".")
ends = f"a {label} and a {other}"
path_verdict = ("Here the DCGAN's path stays sharper than both decoders': each image on it is a "
                "G(z) for a z the prior could draw, and every such image was trained to fool D."
                if middle["DCGAN"] < min(middle["AE"], middle["VAE"]) else
                "In this run the DCGAN's path is not sharper than both decoders': the course's "
                "point does not show on this path.")
say(f"""An autoencoder's code space need not hold a digit at every point between two codes: the
decoder gives the mean of what a code could stand for, and between {ends} that is often an
overlay of both. {path_verdict}""")

# %%
print("Exercises")
say("""1. Run the comparison on real MNIST if you have the files (--data PATH, or
benchmarks/compare_digits.py --data PATH --binarize for binary pixels like the procedural set's).
Which rankings change, and which stay?""")
say("""2. Threshold the VAE's mean image at 1/2 and add it as a sixth row. The grey share drops to
zero; does the Frechet distance follow? What does that say about what the Frechet distance
measures beyond sharpness?""")
lesson.finish()
