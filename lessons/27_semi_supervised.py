"""Lesson 27 -- Semi-supervised classification: D with K + 1 outputs learns from unlabelled digits.

Follows the course's list of applications (Salimans et al. 2016, "Improved Techniques for
Training GANs", section 5; Odena 2016): a GAN's D becomes a classifier of K digit classes plus
a class "fake". It learns from a few labelled digits (10 per class), from every training digit
without its label, and from G's samples; the comparison is a classifier of the same
architecture, from the same initial weights, trained on the same few labels only. Both are
scored on held-out real digits, over three seeds.

Run: python lessons/27_semi_supervised.py   (--fast: procedural digits and small sizes, as the
tests run it; --show: open the figures in windows)

Course section (by the course's Chinese terms): 半监督学习 (semi-supervised learning), 判别器
(discriminator) with K + 1 outputs.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from _lesson import _, _fig, check, compare, say, show, start
from gan.digits.data import LESSON_SIZES, default_source, load_digits_data
from gan.digits.semi_supervised import (SemiSupervisedConfig, k_plus_one_loss, semi_supervised_loss,
                                 test_accuracy, train_labelled_only, train_semi_supervised)
from nn.gradcheck import compare as gradient_error
from nn.gradcheck import numerical_gradients

FIGURES = ("accuracy.png", "samples.png")

lesson = start(__file__, __doc__)
data = load_digits_data(default_source(lesson.fast), **LESSON_SIZES["fast" if lesson.fast
                                                                    else "full"])
config = SemiSupervisedConfig(labels_per_class=10, steps=lesson.pick(500, 40),
                              batch_size=lesson.pick(100, 50),
                              d_hidden=lesson.pick((256, 128), (64, 32)),
                              g_hidden=lesson.pick((256, 512), (64,)))
seeds = (0, 1, 2)
say("""Data: {train} training and {test} test digits ({kind}, 32 x 32) from {source}. Labels
kept: {per_class} per class, {labelled} in all; every training digit is also used without its
label. D: 1024 -> {d_hidden} -> 10 logits; G: {noise_dim} -> {g_hidden} -> 1024; Adam,
{steps} steps, minibatches of {batch}, seeds {seeds}.""",
    train=len(data.train_images), test=len(data.test_images),
    kind=_("binary") if data.binary else _("grey-level"), source=data.source_words(),
    per_class=config.labels_per_class, labelled=10 * config.labels_per_class,
    d_hidden=config.d_hidden, noise_dim=config.noise_dim, g_hidden=config.g_hidden,
    steps=config.steps, batch=config.batch_size, seeds=seeds)

# %% [markdown]
# ## Derivation: K + 1 classes, and why the fake logit can be fixed at 0
#
# D has logits l_1 .. l_{K+1}, p(y = j | x) = exp l_j / sum_i exp l_i. Subtracting one number
# c from every logit multiplies numerator and denominator by e^{-c}: the probabilities do not
# change. With c = l_{K+1} the fake logit becomes 0, so a network with K outputs already
# describes every K + 1 class classifier. Write s = log sum_{j<=K} exp l_j. Then
# p(fake | x) = 1 / (1 + e^s), D(x) = 1 - p(fake | x) = sigmoid(s), and conditioning on "real"
# gives p(y = j | x, real) = softmax(l)_j, the ordinary K class classifier.
#
# D's loss, one mean per minibatch:
# labelled (x, y): -log p(y | x, real) = s - l_y;  unlabelled real x: -log D(x) = softplus(-s);
# G's samples: -log(1 - D(G(z))) = softplus(s). With ds/dl = softmax(l) = sigma, the logit
# gradients are sigma - onehot(y), -(1 - D) sigma and D sigma. The last two are the plain
# GAN's loss for D = sigmoid(s): the unlabelled digits teach D only that they are real, and
# real now means "confidently one of the K classes".

# %%
rng = np.random.default_rng(0)
K = 10
free = [rng.normal(0, 3, size=(n, K + 1)) for n in (5, 6, 7)]
labels = rng.integers(0, K, size=5)
with_k_plus_one = k_plus_one_loss(free[0], labels, free[1], free[2])
shifted = [a[:, :K] - a[:, K:] for a in free]          # l_j - l_{K+1}: the fake logit at 0
fixed_at_zero = semi_supervised_loss(shifted[0], labels, shifted[1], shifted[2])[0]
gap = abs(with_k_plus_one - fixed_at_zero)
same = check("27 K+1 softmax vs fake logit at 0", gap, "<", 1e-12,
             ("the same number to rounding", "NOT the same number"))
logits = [a[:, :K].copy() for a in free]


def loss_only():
    return semi_supervised_loss(logits[0], labels, logits[1], logits[2])[0]


analytic = semi_supervised_loss(logits[0], labels, logits[1], logits[2])[1]
worst = gradient_error(analytic, numerical_gradients(loss_only, logits),
                       names=["labelled", "unlabelled", "fake"])
agrees = check("27 hand-written gradient vs finite differences", worst.max_relative_error, "<",
               1e-6, ("agrees with", "DISAGREES with"))
say("""Check of the derivation on random logits: the loss written with K + 1 free logits
({free:.12f}) and with the fake logit fixed at 0 ({fixed:.12f}) are {same}
(difference {gap:.1e}). The hand-written gradient {agrees} five-point finite differences
(nn.gradcheck: max relative error {error:.3g} at {where}: analytic {analytic!r}, numerical
{numerical!r}).""",
    free=with_k_plus_one, fixed=fixed_at_zero, same=same, gap=gap, agrees=agrees,
    error=worst.max_relative_error, where=f"{worst.name}{list(worst.index)}",
    analytic=worst.analytic, numerical=worst.numerical)

# %% [markdown]
# ## Training: the K + 1 game against labels only, three seeds

# %%
rows = []
started = time.perf_counter()
for seed in seeds:
    plain = train_labelled_only(data.train_images, data.train_labels, config, seed)
    D, G, losses = train_semi_supervised(data.train_images, data.train_labels, config, seed)
    rows.append((seed, test_accuracy(plain, data.test_images, data.test_labels),
                 test_accuracy(D, data.test_images, data.test_labels)))
seconds = time.perf_counter() - started
accuracy = np.array([row[1:] for row in rows])           # (seeds, [labels only, K + 1 game])
# the rows start at the margin: a Chinese twin keeps no leading spaces
show("seed  labels only  K + 1 game  difference")
for seed, plain_accuracy, game_accuracy in rows:
    print(f"{seed:>4}  {plain_accuracy:11.3f}  {game_accuracy:10.3f}  "
          f"{game_accuracy - plain_accuracy:+10.3f}")
mean, spread = accuracy.mean(axis=0), accuracy.max(axis=0) - accuracy.min(axis=0)
show("mean  {plain:11.3f}  {game:10.3f}   (spread over seeds: {plain_spread:.3f}, "
     "{game_spread:.3f}; {tests} test digits, {seconds:.0f} s)",
     plain=mean[0], game=mean[1], plain_spread=spread[0], game_spread=spread[1],
     tests=len(data.test_images), seconds=seconds)
print()
# "about the same" unless the means differ by more than the larger seed spread
word = compare("27 mean test accuracy: K+1 game vs labels only", mean[1], mean[0],
               ("lower than", "about the same as", "higher than"),
               tolerance=max(spread) / max(mean))
differences = accuracy[:, 1] - accuracy[:, 0]
every = check("27 K+1 game ahead in every seed", differences.min(), ">", 0.0,
              ("ahead in every seed", "not ahead in every seed"))
if lesson.fast:
    say("""--fast: {steps} steps on procedural digits and small networks are far too
short for G to produce anything digit-like; the sentence below describes this run's numbers
only, not what the method can do.""", steps=config.steps)
say("""The K + 1 game's mean test accuracy ({game:.3f}) is {word} that of the classifier
trained on the {labelled} labels alone ({plain:.3f}): "about the same" is the word whenever
the means differ by less than the larger spread over the seeds. Paired by seed (same labels,
same initial weights), the game is {every} (smallest difference {smallest:+.3f}). Salimans et
al. report far larger gains (about 1% error with 100 labels on the full MNIST) after hundreds
of epochs over 60 000 unlabelled digits, with weight normalisation and noise in every layer
of D; this run has {train} digits and {steps} steps.""",
    game=mean[1], word=word, labelled=10 * config.labels_per_class, plain=mean[0],
    every=every, smallest=differences.min(), train=len(data.train_images), steps=config.steps)

# %% [markdown]
# ## What the figures show

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.4))
for index, name in enumerate(("labels only", "K + 1 game")):
    ax.plot(np.full(len(seeds), index), accuracy[:, index], "o", color=f"C{index}")
    ax.plot([index - 0.2, index + 0.2], [mean[index]] * 2, color=f"C{index}")
for row in accuracy:
    ax.plot([0, 1], row, color="grey", lw=0.6)
ax.set(xticks=[0, 1], xticklabels=[_fig("labels only"), _fig("K + 1 game")], xlim=(-0.5, 1.5),
       ylabel=_fig("test accuracy"),
       title=_fig("Held-out accuracy, {seeds} seeds (lines pair a seed)").format(seeds=len(seeds)))
lesson.save(fig, FIGURES[0])

z = np.random.default_rng(1).standard_normal((32, config.noise_dim)).astype(config.dtype)
images = (G.forward(z).reshape(-1, 32, 32) + 1) / 2
fig, axes = plt.subplots(4, 8, figsize=(8, 4.2))
for image, ax in zip(images, axes.ravel()):
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
fig.suptitle(_fig("G's samples after the K + 1 game (seed {seed}): feature matching makes G "
                  "useful to D, not pretty").format(seed=seeds[-1]), fontsize=9)
lesson.save(fig, FIGURES[1])
say("""G is trained by feature matching, not to fool D: its samples need only match the mean
of D's last hidden features on real digits. Salimans et al. report that such a G helps the
classifier more than one trained to fool D, while its samples look worse.""")

# %%
show("Exercises")
say("""1. Set labels_per_class to 2 and to 50. Where does the unlabelled data help most, and
why must the gain vanish as the labels grow?""")
say("""2. Drop the fake term (give D only the labelled and unlabelled terms). What does the
unlabelled term -log D(x) = softplus(-s) then reward, and can it be minimised without G?""")
lesson.finish()
