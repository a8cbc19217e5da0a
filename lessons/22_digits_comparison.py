"""Lesson 22 -- five digit generators, one table: the averaging decoder blurs, the adversary
does not.

Follows the course's comparison of GANs with autoencoders and VAEs, on the digits of lessons
16-18. The MLP GAN and conditional GAN of lesson 17, the DCGAN of lesson 18 and the autoencoder
and VAE of lesson 16 are trained on the same digits from the same seed, and one referee -- a
classifier that never saw any of them -- scores them all: does a conditional sample show the
class asked for, how many classes do the samples cover, how far are their features from real
digits (a Frechet distance), are they copies of training digits, how grey are their pixels?
The default run uses shorter trainings than lessons 16-18 (600 steps each, a DCGAN of width 8)
to stay near two minutes; the table at the lessons' full settings is printed by
`python benchmarks/compare_digits.py`.

Run: python lessons/22_digits_comparison.py   (--fast: small sizes, as the tests run it; --show:
open the figures in windows; --data PATH: real MNIST files or an .npz instead of the procedural
digits, see gan.digits.data)
"""

# %%
import sys

import matplotlib.pyplot as plt
import numpy as np

from _lesson import say, start
from gan.digits import format_table, lesson_digits, split_data_argument
from gan.digits.comparison import comparison_rows, sample_grid, train_models
from gan.digits.grids import side_by_side_figure
from gan.digits.quality import GREY_RANGE

FIGURES = ("comparison_grids.png", "comparison_pixel_values.png")

data_path, arguments = split_data_argument(sys.argv[1:])
lesson = start(__file__, __doc__, arguments)
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
preset = lesson.pick("short", "fast")
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
real = by_name["real test digits"]
gans = [by_name[name] for name in ("MLP GAN", "cGAN (MLP)", "DCGAN")]
coders = [by_name[name] for name in ("AE", "VAE")]
gan_grey = max(row["grey_share"] for row in gans)
coder_grey = min(row["grey_share"] for row in coders)
best_gan = min(gans, key=lambda row: row["frechet_distance"])
best_coder = min(coders, key=lambda row: row["frechet_distance"])
verdict = ("So the gap in grey pixels is the course's point, measured." if coder_grey > gan_grey
           else "In this run the gap is not there: train longer (or run the benchmark) and look "
                "again.")
say(f"""Blur. The real digits have {real['grey_share']:.1%} grey pixels. The decoders' samples
have {coder_grey:.1%} or more (AE {by_name['AE']['grey_share']:.1%}, VAE
{by_name['VAE']['grey_share']:.1%}); the GANs' at most {gan_grey:.1%}. The decoder outputs the
mean of the pixels a code could stand for, and where digits disagree that mean is grey; G is
never asked to match a particular image, only to fool D, and grey strokes are something D can
learn to reject. {verdict}""")
say(f"""Closeness to real digits. The best GAN by Frechet distance is the {best_gan['model']} at
{best_gan['frechet_distance']:.1f}, the better decoder the {best_coder['model']} at
{best_coder['frechet_distance']:.1f}; real digits sit at {real['frechet_distance']:.1f}. The
distance rewards samples whose features spread like real digits', not only sharp ones: a
GAN that covers few classes (classes H well below {np.log2(10):.2f}) pays for it here.""")
cgan = by_name["cGAN (MLP)"]
say(f"""Control. Asked for class c, the cGAN's samples are read as c {cgan['label_accuracy']:.0%}
of the time (chance: 10%); the other models cannot be asked. Copies: no model has more than
{max(row['copied_share'] for row in gans + coders):.1%} of its samples closer to a training
digit than 99% of the real test digits are.""")

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
       title="GAN pixels pile up at black and white; decoder means fill the middle")
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[1])

# %%
print("Exercises")
say("""1. Run the comparison at the lessons' full settings (python benchmarks/compare_digits.py,
about ten minutes) and on real MNIST if you have the files (--data PATH). Which rankings
change, and which stay?""")
say("""2. Threshold the VAE's mean image at 1/2 and add it as a sixth row. The grey share drops to
zero; does the Frechet distance follow? What does that say about what the Frechet distance
measures beyond sharpness?""")
lesson.finish()
