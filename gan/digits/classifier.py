"""A digit classifier p(c | x), trained with nn on the procedural digits, that scores samples.

The network is an MLP on the 1024 pixels, Flatten -> Linear -> ReLU -> Linear -> ReLU ->
Linear, whose last hidden layer (the "penultimate" features) is what the Frechet distance
of gan.digits.fidelity compares, the way the FID uses an Inception network's pool layer
(Heusel et al. 2017, "GANs trained by a two time-scale update rule converge to a local Nash
equilibrium", section 3).  It is trained by minimising the softmax cross-entropy

    L = (1/m) sum_i [ logsumexp(l_i) - l_i,c_i ],   dL/dl_i = (softmax(l_i) - onehot(c_i)) / m

with Adam.  A trained classifier is cached as an nn checkpoint so lessons do not retrain it.
"""

import hashlib
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy.special import logsumexp

from gan.checks import positive_integer
from gan.digits.datasets import load_digits
from nn.fast import Flatten, Linear, ReLU, Sequential
from nn.fast.optim import Adam
from nn.threads import blas_threads

NUMBER_OF_CLASSES = 10
CLASSIFIER_FORMAT_VERSION = 1      # bump when the architecture or the training recipe changes


def softmax_cross_entropy(logits, labels):
    """Mean softmax cross-entropy and its gradient with respect to the logits.

    L = (1/m) sum_i -log softmax(l_i)[c_i] = (1/m) sum_i [ logsumexp(l_i) - l_i,c_i ],
    dL/dl_i = (softmax(l_i) - onehot(c_i)) / m, softmax(l) = exp(l - logsumexp(l)).
    logsumexp subtracts the largest logit before exponentiating, so any finite logits work
    (Bishop 2006, "Pattern recognition and machine learning", eq. 4.108 for the gradient).

    logits: (m, K) floats; labels: (m,) integers in [0, K).  Returns (L, dL/dlogits).
    """
    logits = np.asarray(logits)
    if logits.ndim != 2 or logits.shape[0] < 1 or logits.shape[1] < 1:
        raise ValueError(f"logits must have shape (batch, classes) with both >= 1, "
                         f"got shape {logits.shape}")
    if not np.issubdtype(logits.dtype, np.floating):
        logits = logits.astype(np.float64)
    if not np.isfinite(logits).all():
        raise ValueError("logits must be finite, got non-finite entries")
    labels = _check_labels(labels, logits.shape[0], logits.shape[1])
    rows = np.arange(logits.shape[0])
    log_normaliser = logsumexp(logits, axis=1, keepdims=True)
    value = np.mean(log_normaliser[:, 0] - logits[rows, labels])
    gradient = np.exp(logits - log_normaliser)              # softmax(l)
    gradient[rows, labels] -= 1                             # - onehot(c)
    gradient /= logits.shape[0]                             # mean over the batch
    return value, gradient


def _check_labels(labels, count, classes):
    labels = np.asarray(labels)
    if labels.shape != (count,):
        raise ValueError(f"labels must have shape ({count},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
    if count and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"labels must lie in [0, {classes}), got values in "
                         f"[{labels.min()}, {labels.max()}]")
    return labels


def _check_images(images, name="images"):
    images = np.asarray(images)
    if images.ndim < 2 or images.shape[0] < 1:
        raise ValueError(f"{name} must have shape (n, ...) with n >= 1, got shape {images.shape}")
    if not np.issubdtype(images.dtype, np.floating) or not np.isfinite(images).all():
        raise ValueError(f"{name} must hold finite floats, got dtype {images.dtype}")
    return images


def make_classifier(rng, input_size=1024, hidden_sizes=(256, 128)):
    """Flatten -> [Linear -> ReLU] per hidden size -> Linear to 10 logits, He-initialised
    from `rng` (any generator with numpy.random.Generator's normal)."""
    input_size = positive_integer("input_size", input_size)
    if not isinstance(hidden_sizes, (tuple, list)) or not hidden_sizes:
        raise ValueError(f"hidden_sizes must be a non-empty tuple of positive integers, "
                         f"got {hidden_sizes!r}")
    sizes = [input_size] + [positive_integer("hidden_sizes[i]", size)
                            for size in hidden_sizes]
    layers = [Flatten()]
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [Linear(fan_in, fan_out, rng, init="he"), ReLU()]
    layers.append(Linear(sizes[-1], NUMBER_OF_CLASSES, rng, init="glorot"))
    return Sequential(layers)


def train_classifier(images, labels, rng, *, hidden_sizes=(256, 128), epochs=8, batch_size=128,
                     lr=1e-3):
    """Fit make_classifier(rng, ...) by Adam on the softmax cross-entropy, shuffling the
    training set from `rng` every epoch.  Returns the network in evaluation mode."""
    images = _check_images(images)
    labels = _check_labels(labels, images.shape[0], NUMBER_OF_CLASSES)
    epochs = positive_integer("epochs", epochs)
    batch_size = positive_integer("batch_size", batch_size)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a number > 0, got {lr!r}")
    count = images.shape[0]
    network = make_classifier(rng, int(np.prod(images.shape[1:])), hidden_sizes)
    optimiser = Adam(network, lr=lr)
    with blas_threads(1):
        for _ in range(epochs):
            order = rng.permutation(count)
            for start in range(0, count, batch_size):
                batch = order[start:start + batch_size]
                logits = network.forward(images[batch])
                _, grad_logits = softmax_cross_entropy(logits, labels[batch])
                network.backward(grad_logits, input_grad=False)   # no dL/dx of the images
                optimiser.step()
    return network.eval()


def predict(classifier, images):
    """argmax_c p(c | x) for each image."""
    return class_logits(classifier, images).argmax(axis=1)


def class_logits(classifier, images):
    """The classifier's logits l(x), (n, 10)."""
    return classifier.forward(_check_images(images))


def accuracy(classifier, images, labels):
    """Share of images whose predicted class equals the label."""
    images = _check_images(images)
    labels = _check_labels(labels, images.shape[0], NUMBER_OF_CLASSES)
    return float(np.mean(predict(classifier, images) == labels))


def features(classifier, images):
    """Penultimate features: the last hidden layer's activations (the input of the final
    Linear), the space in which gan.digits.fidelity measures Frechet distances."""
    y = classifier._boundary(_check_images(images), "x")
    for layer in classifier.layers[:-1]:
        y = layer.forward(y)
    return y


def cache_folder(cache_dir=None):
    """cache_dir, else $NUMPY_GAN_CACHE, else ~/.cache/numpy-gan (the digits' own folder)."""
    if cache_dir is None:
        cache_dir = os.environ.get("NUMPY_GAN_CACHE") or Path.home() / ".cache" / "numpy-gan"
    if not isinstance(cache_dir, (str, os.PathLike)):
        raise TypeError(f"cache_dir must be a path or None, got {cache_dir!r}")
    return Path(cache_dir).expanduser()


def load_classifier(train_images, train_labels, *, seed=0, data_name="digits", cache_dir=None,
                    **training):
    """The classifier train_classifier(..., numpy.random.default_rng(seed), **training)
    would return, read from an nn checkpoint when one was saved for the same data and
    recipe, else trained and saved.

    The file name holds the format version and a digest of the training options, the seed
    and the training data's bytes, so a different data set or recipe never reads a stale
    network: `<data_name>-classifier-v<version>-<digest>.npz` under cache_folder(cache_dir).
    """
    images = _check_images(train_images, "train_images")
    labels = _check_labels(train_labels, images.shape[0], NUMBER_OF_CLASSES)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not isinstance(data_name, str) or not data_name.isidentifier():
        raise ValueError(f"data_name must be a short identifier, got {data_name!r}")
    digest = hashlib.sha256(json.dumps({"seed": int(seed), **training}, sort_keys=True,
                                       default=list).encode())
    digest.update(np.ascontiguousarray(images).tobytes())
    digest.update(np.ascontiguousarray(labels).tobytes())
    path = cache_folder(cache_dir) / (
        f"{data_name}-classifier-v{CLASSIFIER_FORMAT_VERSION}-{digest.hexdigest()[:12]}.npz")
    if path.is_file():
        try:                           # the safe reader: a crafted file costs no memory
            return Sequential.load(path).eval()
        except (OSError, ValueError, KeyError, TypeError, MemoryError) as error:
            print(f"could not read the classifier cache ({str(error)[:300]}); training it "
                  f"again", file=sys.stderr)   # unreadable or foreign: retrain, overwrite
    network = train_classifier(images, labels, np.random.default_rng(seed), **training)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = network.save(path.with_name(path.stem + ".tmp.npz"))
        os.replace(temporary, path)
    except OSError as error:
        warnings.warn(f"could not write the classifier cache {path}: {error}", stacklevel=2)
    return network


# The referee's own data: drawn from seed 1, independent of the seed-0 set the generators
# learn from, and four times larger, which lifts the MLP from 96-97% to about 99% on
# held-out digits (measured: 10k images, 12 epochs: 96.9%; 40k images, 6 epochs: 98.6%).
REFEREE_DATA = {"n_train": 40_000, "n_test": 5_000, "seed": 1}
REFEREE_TRAINING = {"epochs": 6, "batch_size": 128, "lr": 1e-3, "hidden_sizes": [256, 128]}


def cached_referee(cache_dir=None):
    """The course's digit referee and its held-out accuracy: load_classifier on
    load_digits(**REFEREE_DATA) with REFEREE_TRAINING (about a minute the first time,
    then read from the cache).  Returns (classifier, accuracy on the 5000 test digits)."""
    (images, labels), (test_images, test_labels) = load_digits(**REFEREE_DATA,
                                                               cache_dir=cache_dir)
    classifier = load_classifier(images, labels, seed=0, cache_dir=cache_dir,
                                 **REFEREE_TRAINING)
    return classifier, accuracy(classifier, test_images, test_labels)


def referee(train_images, train_labels, test_images, test_labels, rng, quick=False):
    """The classifier that scores generated digits, and its accuracy on the given test digits.

    quick=False: the course's `cached_referee` (trained on its own digits, cached).
    quick=True: a small one trained here on the given digits in seconds (a lesson's --fast
    mode), good enough to tell classes apart, not to grade them finely.
    """
    if not quick:
        return cached_referee()
    classifier = train_classifier(train_images, train_labels, rng, hidden_sizes=(64,), epochs=3)
    return classifier, accuracy(classifier, test_images, test_labels)
