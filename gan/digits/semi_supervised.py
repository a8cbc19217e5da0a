"""Semi-supervised classification with a GAN: D as a K + 1 class classifier (Salimans et al.
2016, "Improved Techniques for Training GANs", section 5; Odena 2016, "Semi-Supervised Learning
with Generative Adversarial Networks").

D outputs logits l_1 .. l_K for the K real classes and reads "fake" as class K + 1. Softmax is
unchanged when the same number is subtracted from every logit, so (l_1, .., l_K, l_{K+1}) and
(l_1 - l_{K+1}, .., l_K - l_{K+1}, 0) give the same K + 1 probabilities: the fake logit may be
fixed at 0 without losing any classifier. With s(x) = log sum_j exp l_j(x) (j <= K),

    p(y = K + 1 | x) = 1 / (1 + e^s),   D(x) = p(real | x) = sigmoid(s),
    p(y = j | x, real) = softmax(l)_j  (the K-class classifier, the fake class conditioned out).

D's loss has three parts, each a mean over its own minibatch:

    labelled x with class y:  -log p(y | x, real) = s - l_y
    unlabelled real x:        -log D(x)           = softplus(-s)
    G's samples:              -log(1 - D(G(z)))   = softplus(s)

and since ds/dl = softmax(l) = sigma, the gradients with respect to the logits are

    sigma - onehot(y),   -sigmoid(-s) sigma = -(1 - D) sigma,   sigmoid(s) sigma = D sigma.

The unlabelled and fake terms are the plain GAN's D loss with D = sigmoid(s); the labelled
term is the classifier's cross-entropy. G descends feature matching on D's last hidden layer
(gan.variants.feature_matching), which the paper found to work best for classification.
The comparison is a classifier of D's architecture trained on the labelled term alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logsumexp

from gan.engine import ENGINES, engine
from gan.objectives import softplus
from gan.variants.feature_matching import feature_matching_loss, features, features_backward
from nn.threads import blas_threads

CLASSES = 10


def semi_supervised_loss(logits_labelled, labels, logits_unlabelled, logits_fake):
    """D's loss L = L_labelled + L_unlabelled + L_fake (see the module docstring) from K logits
    per row, the fake logit fixed at 0, and its gradient with respect to each logit array.

    logits_*: (m_*, K) floats; labels: (m_labelled,) integers in [0, K).
    Returns (L, (dL/dlogits_labelled, dL/dlogits_unlabelled, dL/dlogits_fake)).
    """
    arrays = [_check_logits(name, value) for name, value in (
        ("logits_labelled", logits_labelled), ("logits_unlabelled", logits_unlabelled),
        ("logits_fake", logits_fake))]
    if len({a.shape[1] for a in arrays}) != 1:
        raise ValueError(f"every logits array needs the same K columns, got shapes "
                         f"{[a.shape for a in arrays]}")
    labelled, unlabelled, fake = arrays
    labels = np.asarray(labels)
    if labels.shape != (len(labelled),) or not np.issubdtype(labels.dtype, np.integer) or \
            labels.min() < 0 or labels.max() >= labelled.shape[1]:
        raise ValueError(f"labels must be {len(labelled)} integers in [0, {labelled.shape[1]}), "
                         f"got shape {labels.shape} of dtype {labels.dtype}")
    rows = np.arange(len(labelled))
    s_l, s_u, s_f = (logsumexp(a, axis=1, keepdims=True) for a in arrays)
    value = (np.mean(s_l[:, 0] - labelled[rows, labels])     # s - l_y
             + np.mean(softplus(-s_u))                        # -log D(x)
             + np.mean(softplus(s_f)))                        # -log(1 - D(G(z)))
    grad_labelled = np.exp(labelled - s_l)                    # sigma
    grad_labelled[rows, labels] -= 1                          # - onehot(y)
    grad_unlabelled = -expit(-s_u) * np.exp(unlabelled - s_u)  # -(1 - D) sigma
    grad_fake = expit(s_f) * np.exp(fake - s_f)               # D sigma
    return float(value), (grad_labelled / len(labelled), grad_unlabelled / len(unlabelled),
                          grad_fake / len(fake))


def k_plus_one_loss(logits_labelled, labels, logits_unlabelled, logits_fake):
    """The same loss written with K + 1 free logits (the last one "fake"), by the K + 1 class
    softmax p = softmax(l): -log[p_y / (1 - p_{K+1})], -log(1 - p_{K+1}), -log p_{K+1}.
    Equal to semi_supervised_loss on l[:, :K] - l[:, K:] (the invariance of softmax); used to
    check that the parametrisation with the fake logit at 0 is the same game."""
    def log_p(a):
        return a - logsumexp(a, axis=1, keepdims=True)

    def log_real(a):                       # log(1 - p_{K+1}) = log sum_{j<=K} p_j
        return logsumexp(log_p(a)[:, :-1], axis=1)

    labelled, unlabelled, fake = (np.asarray(a, dtype=np.float64) for a in (
        logits_labelled, logits_unlabelled, logits_fake))
    rows = np.arange(len(labelled))
    return float(np.mean(log_real(labelled) - log_p(labelled)[rows, labels])
                 - np.mean(log_real(unlabelled)) - np.mean(log_p(fake)[:, -1]))


def _check_logits(name, value):
    value = np.asarray(value)
    if value.ndim != 2 or value.shape[0] < 1 or value.shape[1] < 2:
        raise ValueError(f"{name} must have shape (m, K) with m >= 1, K >= 2, "
                         f"got shape {value.shape}")
    if not np.issubdtype(value.dtype, np.floating) or not np.isfinite(value).all():
        raise ValueError(f"{name} must hold finite floats")
    return value


@dataclass(frozen=True)
class SemiSupervisedConfig:
    """The settings of one semi-supervised run and of its labelled-only comparison.

    labels_per_class: labelled digits per class (the rest of the training split is unlabelled);
    steps: D updates (the comparison classifier gets the same number); batch_size: unlabelled
    and fake minibatch size (the labelled one is min(batch_size, number of labels));
    d_hidden, g_hidden, noise_dim: the MLPs (D: 1024 -> d_hidden -> K, LeakyReLU 0.2;
    G: noise_dim -> g_hidden -> 1024, ReLU then Tanh); input_noise: the standard deviation of
    Gaussian noise added to D's inputs in training (both runs; Salimans et al. add noise to D);
    lr: Adam's rate, betas (0.5, 0.999); engine: "textbook" or "fast"; dtype of the players.
    """

    labels_per_class: int = 10
    steps: int = 1500
    batch_size: int = 100
    d_hidden: tuple = (256, 128)
    g_hidden: tuple = (256, 512)
    noise_dim: int = 64
    input_noise: float = 0.3
    lr: float = 1e-3
    engine: str = "fast"
    dtype: str = "float32"

    def __post_init__(self):
        for name in ("labels_per_class", "steps", "batch_size", "noise_dim"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name in ("d_hidden", "g_hidden"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not value or not all(
                    isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in value):
                raise ValueError(f"{name} must be a non-empty tuple of positive integers, "
                                 f"got {value!r}")
        if isinstance(self.input_noise, bool) or not isinstance(self.input_noise, (int, float)) \
                or not (np.isfinite(self.input_noise) and self.input_noise >= 0):
            raise ValueError(f"input_noise must be a finite number >= 0, got {self.input_noise!r}")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or \
                not (np.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {self.lr!r}")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        if self.dtype not in ("float32", "float64"):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")


def labelled_subset(labels, per_class, rng):
    """Indices of ``per_class`` digits of each class, drawn without replacement from ``rng``:
    the only labels either classifier sees."""
    labels = np.asarray(labels)
    counts = np.bincount(labels, minlength=CLASSES)
    if counts.min() < per_class:
        raise ValueError(f"labels_per_class must be at most {counts.min()} (the rarest class's "
                         f"count), got {per_class}")
    chosen = [rng.choice(np.flatnonzero(labels == c), size=per_class, replace=False)
              for c in range(CLASSES)]
    return np.sort(np.concatenate(chosen))


def build_classifier(config, rng):
    """D: 1024 -> d_hidden -> K logits, LeakyReLU (slope 0.2), He init, of config.engine."""
    return engine(config.engine).MLP([1024, *config.d_hidden, CLASSES], "leaky_relu", rng=rng,
                                     dtype=config.dtype)


def build_generator(config, rng):
    """G: noise_dim -> g_hidden -> 1024, ReLU hidden layers and a Tanh output (x in [-1, 1])."""
    return engine(config.engine).MLP([config.noise_dim, *config.g_hidden, 1024], "relu",
                                     output_activation="tanh", rng=rng, dtype=config.dtype)


def _adam(config, network):
    return engine(config.engine).Adam(network, lr=config.lr, betas=(0.5, 0.999))


class _Run:
    """What both trainings share: the data as x = 2 p - 1 in [-1, 1], the labelled subset,
    the noisy minibatches and the minibatch sizes."""

    def __init__(self, images, labels, config, seed):
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        images, labels = np.asarray(images), np.asarray(labels)
        if images.ndim != 4 or images.shape[1:] != (1, 32, 32) or len(images) != len(labels):
            raise ValueError(f"images must have shape (n, 1, 32, 32) with n = len(labels), got "
                             f"{images.shape} and {labels.shape}")
        self.config, self.seed = config, int(seed)
        self.x = (2 * images.reshape(len(images), -1) - 1).astype(config.dtype)
        self.labelled = labelled_subset(labels, config.labels_per_class,
                                        np.random.default_rng([self.seed, 0]))
        self.y = np.asarray(labels)[self.labelled]
        self.m_labelled = min(config.batch_size, len(self.labelled))

    def classifier(self):
        """D's initial weights, the same for both runs of a seed."""
        return build_classifier(self.config, np.random.default_rng([self.seed, 1]))

    def noisy(self, x, rng):
        if not self.config.input_noise:
            return x
        return x + rng.normal(0.0, self.config.input_noise, size=x.shape).astype(x.dtype)

    def labelled_batch(self, rng):
        chosen = rng.choice(len(self.labelled), size=self.m_labelled, replace=False)
        return self.x[self.labelled[chosen]], self.y[chosen]

    def unlabelled_batch(self, rng):
        return self.x[rng.integers(0, len(self.x), size=self.config.batch_size)]


def train_labelled_only(images, labels, config, seed):
    """The comparison: D's architecture and initial weights, ``config.steps`` Adam steps on the
    labelled term s - l_y alone (the softmax cross-entropy over the K classes)."""
    with blas_threads(1):                # small matrices: one thread is faster than several
        return _train_labelled_only(images, labels, config, seed)


def _train_labelled_only(images, labels, config, seed):
    run = _Run(images, labels, config, seed)
    D, rng = run.classifier(), np.random.default_rng([run.seed, 2])
    optimiser = _adam(config, D)
    for _ in range(config.steps):
        x, y = run.labelled_batch(rng)
        logits = D.forward(run.noisy(x, rng)).astype(np.float64)
        s = logsumexp(logits, axis=1, keepdims=True)
        grad = np.exp(logits - s)
        grad[np.arange(len(y)), y] -= 1
        D.backward((grad / len(y)).astype(config.dtype), input_grad=False)
        optimiser.step()
    return D.eval()


def train_semi_supervised(images, labels, config, seed):
    """The K + 1 game: each step one D update on a labelled, an unlabelled and a fake minibatch
    (semi_supervised_loss), then one G update by feature matching on D's last hidden layer.
    All randomness from ``seed``; the labelled subset and D's start equal train_labelled_only's.
    Returns (D, G, losses): losses an (steps, 2) array of (L_D, L_G)."""
    with blas_threads(1):
        return _train_semi_supervised(images, labels, config, seed)


def _train_semi_supervised(images, labels, config, seed):
    run = _Run(images, labels, config, seed)
    D = run.classifier()
    G = build_generator(config, np.random.default_rng([run.seed, 3]))
    rng = np.random.default_rng([run.seed, 4])
    opt_d, opt_g = _adam(config, D), _adam(config, G)
    layer, B = len(D.layers) - 1, config.batch_size
    losses = np.empty((config.steps, 2))
    for step in range(config.steps):
        x_l, y = run.labelled_batch(rng)
        x_u = run.unlabelled_batch(rng)
        x_f = G.forward(rng.standard_normal((B, config.noise_dim)).astype(config.dtype))
        logits = D.forward(run.noisy(np.concatenate([x_l, x_u, x_f]), rng)).astype(np.float64)
        loss_d, grads = semi_supervised_loss(logits[:len(y)], y, logits[len(y):len(y) + B],
                                             logits[len(y) + B:])
        D.backward(np.concatenate(grads).astype(config.dtype), input_grad=False)
        opt_d.step()
        f_real = features(D, run.noisy(run.unlabelled_batch(rng), rng), layer).copy()
        x_f = G.forward(rng.standard_normal((B, config.noise_dim)).astype(config.dtype))
        f_fake = features(D, run.noisy(x_f, rng), layer)
        loss_g, grad_f = feature_matching_loss(f_real, f_fake)
        G.backward(features_backward(D, grad_f.astype(config.dtype), layer), input_grad=False)
        opt_g.step()
        losses[step] = loss_d, loss_g
    return D.eval(), G.eval(), losses


def test_accuracy(D, images, labels):
    """Share of held-out digits whose argmax over D's K class logits is their label."""
    images = np.asarray(images)
    x = 2 * images.reshape(len(images), -1) - 1
    return float(np.mean(D.forward(x).argmax(axis=1) == np.asarray(labels)))
