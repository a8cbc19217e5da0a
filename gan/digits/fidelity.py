"""Measured sample quality: how a trained digit classifier judges generated digits.

- label_accuracy: does a conditional sample of class c look like a c to the classifier?
- frechet_distance: how far the generated images' penultimate features are from the real
  ones, both summarised by a Gaussian (the FID of Heusel et al. 2017, here with the course's
  own classifier in place of Inception);
- nearest_neighbour_check: are samples new digits or copies of training images?
- class_entropy: how evenly an unconditional sampler's digits spread over the classes;
- precision, recall, density, coverage (gan.digits.scores) of the same features;
- comparison_row / real_data_row / format_table: one row per sampler (and one for real
  held-out digits, the floor), one table for all models.
"""

from dataclasses import dataclass

import numpy as np

from gan.digits.classifier import (NUMBER_OF_CLASSES, _check_images, _check_labels, features,
                                   predict)
from gan.digits.scores import manifold_scores, real_radii
from gan.digits.tables import format_table  # noqa: F401 (the table of these rows)
from nn.threads import blas_threads

# A pixel is "grey" when it is neither near-black nor near-white: real digits are binary
# (0 or 1), a blurred mean image is not.
GREY_RANGE = (0.1, 0.9)
# A sample closer to its nearest training image than this quantile of the held-out digits'
# own nearest-training distances is flagged as a possible copy; fresh digits are flagged at
# this rate, copies always.
COPY_QUANTILE = 0.01


def label_accuracy(classifier, images, labels):
    """Per-class accuracy of conditional samples: a_c = P(argmax p(. | x) = c | x ~ G(z, c)),
    estimated by the share of samples of requested class c the classifier assigns to c.

    Returns (overall share, array (10,) of a_c; a class with no samples raises)."""
    images = _check_images(images)
    labels = _check_labels(labels, images.shape[0], NUMBER_OF_CLASSES)
    counts = np.bincount(labels, minlength=NUMBER_OF_CLASSES)
    if np.any(counts == 0):
        raise ValueError(f"labels must request every class at least once, got counts "
                         f"{counts.tolist()}")
    correct = predict(classifier, images) == labels
    per_class = np.bincount(labels, weights=correct, minlength=NUMBER_OF_CLASSES) / counts
    return float(correct.mean()), per_class


def gaussian_frechet_distance(mu_1, sigma_1, mu_2, sigma_2):
    """Frechet (2-Wasserstein squared) distance between N(mu_1, Sigma_1) and N(mu_2, Sigma_2):

    d^2 = |mu_1 - mu_2|^2 + Tr(Sigma_1 + Sigma_2 - 2 (Sigma_1 Sigma_2)^(1/2))

    (Dowson and Landau 1982, "The Frechet distance between multivariate normal
    distributions", J. Multivariate Anal. 12; the FID of Heusel et al. 2017, eq. 6).
    Tr (Sigma_1 Sigma_2)^(1/2) = sum_i sqrt(lambda_i(A Sigma_2 A)) with A = Sigma_1^(1/2):
    Sigma_1 Sigma_2 = A (A Sigma_2 A) A^-1 is similar to a symmetric positive semi-definite
    matrix, so both square roots come from symmetric eigendecompositions (numpy.linalg.eigh),
    exact also when a covariance is singular, where scipy.linalg.sqrtm of the product warns
    and loses accuracy (features of a ReLU network often have dead, zero-variance units).
    """
    mu_1, sigma_1 = _check_gaussian("mu_1", "sigma_1", mu_1, sigma_1)
    mu_2, sigma_2 = _check_gaussian("mu_2", "sigma_2", mu_2, sigma_2)
    if mu_1.shape != mu_2.shape:
        raise ValueError(f"mu_1 and mu_2 must have one dimension, got {mu_1.shape} and "
                         f"{mu_2.shape}")
    eigenvalues, eigenvectors = np.linalg.eigh(sigma_1)
    root_1 = (eigenvectors * _nonnegative_sqrt(eigenvalues)) @ eigenvectors.T      # A
    middle = root_1 @ sigma_2 @ root_1                                           # A S2 A
    cross_trace = _nonnegative_sqrt(np.linalg.eigvalsh((middle + middle.T) / 2)).sum()
    difference = mu_1 - mu_2
    return float(difference @ difference + np.trace(sigma_1) + np.trace(sigma_2)
                 - 2 * cross_trace)


def _nonnegative_sqrt(eigenvalues):
    """sqrt of the eigenvalues of a positive semi-definite matrix; rounding leaves its zero
    eigenvalues at about -1e-16 times the largest, which are zeros."""
    return np.sqrt(np.maximum(eigenvalues, 0.0))


def _check_gaussian(mu_name, sigma_name, mu, sigma):
    mu, sigma = np.asarray(mu, dtype=np.float64), np.asarray(sigma, dtype=np.float64)
    if mu.ndim != 1 or mu.size < 1:
        raise ValueError(f"{mu_name} must be a non-empty vector, got shape {mu.shape}")
    if sigma.shape != (mu.size, mu.size):
        raise ValueError(f"{sigma_name} must have shape ({mu.size}, {mu.size}), got "
                         f"{sigma.shape}")
    if not (np.isfinite(mu).all() and np.isfinite(sigma).all()):
        raise ValueError(f"{mu_name} and {sigma_name} must be finite")
    if not np.allclose(sigma, sigma.T, rtol=1e-10, atol=1e-12 * np.abs(sigma).max()):
        raise ValueError(f"{sigma_name} must be symmetric")
    return mu, sigma


def gaussian_statistics(x):
    """Sample mean and covariance (1/(n - 1) normalisation) of the rows of x, (n, d)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"x must have shape (n, d) with n >= 2, got shape {x.shape}")
    return x.mean(axis=0), np.cov(x, rowvar=False).reshape(x.shape[1], x.shape[1])


def frechet_distance(features_1, features_2):
    """The Frechet distance between Gaussians fitted to two feature sets (rows are samples):
    gaussian_frechet_distance(mean_1, cov_1, mean_2, cov_2), the FID's formula."""
    return gaussian_frechet_distance(*gaussian_statistics(features_1),
                                     *gaussian_statistics(features_2))


def nearest_distances(queries, references, chunk_size=512):
    """Euclidean distance from each query to its nearest reference (rows flattened),
    min_j |q_i - r_j| with |q - r|^2 = |q|^2 + |r|^2 - 2 q.r, in chunks of queries."""
    queries = _check_images(queries, "queries").reshape(len(queries), -1).astype(np.float64)
    references = _check_images(references, "references").reshape(len(references), -1)
    references = references.astype(np.float64)
    if queries.shape[1] != references.shape[1]:
        raise ValueError(f"queries and references must have the same size per image, got "
                         f"{queries.shape[1]} and {references.shape[1]}")
    reference_norms = np.einsum("ij,ij->i", references, references)
    squared = np.empty(len(queries))
    for start in range(0, len(queries), chunk_size):       # bounds memory: chunk x references
        block = queries[start:start + chunk_size]
        distances = (np.einsum("ij,ij->i", block, block)[:, None] + reference_norms[None, :]
                     - 2 * block @ references.T)
        squared[start:start + chunk_size] = distances.min(axis=1)
    # the expansion can round |q - r|^2 = 0 to a tiny negative number; its true value is >= 0
    return np.sqrt(np.maximum(squared, 0.0))


@dataclass
class NearestNeighbourCheck:
    """Samples' nearest-training distances against the held-out digits' ones."""

    sample_median: float          # median distance of a sample to its nearest training image
    test_median: float            # the same for real held-out digits: what "new" looks like
    threshold: float              # the COPY_QUANTILE quantile of the held-out distances
    copied_share: float           # share of samples closer than the threshold

    @property
    def median_ratio(self):
        """sample_median / test_median: about 1 for new digits, 0 for copies."""
        return self.sample_median / self.test_median


def nearest_neighbour_check(samples, train_images, test_to_train):
    """Memorisation check: each sample's distance to its nearest training image,
    d(x) = min_j |x - x_j|, compared with the same distance for held-out real digits
    (`test_to_train`, e.g. nearest_distances(test_images, train_images)).  A sample with
    d(x) below the COPY_QUANTILE quantile of the held-out distances is flagged as a copy."""
    test_to_train = np.asarray(test_to_train, dtype=np.float64)
    if test_to_train.ndim != 1 or test_to_train.size < 2:
        raise ValueError(f"test_to_train must be a vector of at least 2 distances, got shape "
                         f"{test_to_train.shape}")
    distances = nearest_distances(samples, train_images)
    threshold = float(np.quantile(test_to_train, COPY_QUANTILE))
    return NearestNeighbourCheck(float(np.median(distances)), float(np.median(test_to_train)),
                                 threshold, float(np.mean(distances < threshold)))


def grey_share(images):
    """Share of pixels strictly inside GREY_RANGE: 0 for binary digits, large for blur."""
    images = _check_images(images)
    return float(np.mean((images > GREY_RANGE[0]) & (images < GREY_RANGE[1])))


@dataclass
class Yardstick:
    """What every row of the comparison table is measured against, computed once."""

    classifier: object
    train_images: np.ndarray
    test_features: np.ndarray     # penultimate features of real held-out digits
    test_to_train: np.ndarray     # their nearest-training distances
    test_radii: dict = None       # scores.real_radii of test_features (computed when None)

    def __post_init__(self):
        if self.test_radii is None:
            self.test_radii = real_radii(self.test_features)

    @classmethod
    def build(cls, classifier, train_images, test_images):
        """Features, their k-NN radii and nearest-training distances of the real held-out
        digits."""
        train_images = _check_images(train_images, "train_images")
        test_images = _check_images(test_images, "test_images")
        return cls(classifier, train_images, features(classifier, test_images),
                   nearest_distances(test_images, train_images))


def comparison_row(name, sampler, yardstick, n, rng, conditional=True):
    """One row of the model comparison for `sampler`, a callable (n, labels, rng) -> images
    (n, 1, 32, 32) in [0, 1] given balanced labels (class c requested n // 10 times, plus one
    for c < n % 10, in a random order).  Measures label accuracy (conditional samplers only;
    None otherwise), the Frechet distance of the penultimate features to the real held-out
    digits', the nearest-neighbour check and the grey-pixel share."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {name!r}")
    if not callable(sampler):
        raise TypeError(f"sampler must be a callable (n, labels, rng) -> images, got {sampler!r}")
    if not isinstance(yardstick, Yardstick):
        raise TypeError(f"yardstick must be a Yardstick, got {type(yardstick).__name__}")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < NUMBER_OF_CLASSES:
        raise ValueError(f"n must be an integer >= {NUMBER_OF_CLASSES}, got {n!r}")
    labels = (np.arange(n) % NUMBER_OF_CLASSES)[rng.permutation(n)].astype(np.int64)
    images = _check_images(sampler(int(n), labels, rng), "sampler output")
    if images.shape[0] != n or images.shape[1:] != yardstick.train_images.shape[1:]:
        raise ValueError(f"sampler must return {n} images of shape "
                         f"{yardstick.train_images.shape[1:]}, got shape {images.shape}")
    overall, per_class = label_accuracy(yardstick.classifier, images, labels)
    check = nearest_neighbour_check(images, yardstick.train_images, yardstick.test_to_train)
    return {
        "model": name,
        "label_accuracy": overall if conditional else None,
        "per_class_accuracy": per_class if conditional else None,
        "class_entropy": class_entropy(yardstick.classifier, images),
        **feature_scores(features(yardstick.classifier, images), yardstick.test_features,
                         yardstick.test_radii),
        "nearest_median_ratio": check.median_ratio,
        "copied_share": check.copied_share,
        "grey_share": grey_share(images),
    }


def feature_scores(sample_features, real_features, radii=None):
    """The scores of a sample in the referee's features against the real held-out digits':
    the Frechet distance, improved precision and recall (k = 3), density and coverage (k = 5)
    (scores.manifold_scores; ``radii``: scores.real_radii(real_features), reused over
    samples).  On one BLAS thread: these are small products and a 128 x 128 eigh, which
    OpenBLAS's threads slow down (measured 10x on a loaded two-core machine)."""
    with blas_threads(1):
        precision, recall, density, coverage = manifold_scores(real_features, sample_features,
                                                               radii)
        frechet = frechet_distance(sample_features, real_features)
    return {"frechet_distance": frechet, "precision": precision, "recall": recall,
            "density": density, "coverage": coverage}


def real_data_row(name, yardstick, test_images, test_labels, n, rng):
    """The comparison row of the real held-out digits the yardstick was built from: the
    floor every model is read against.  Label accuracy is the classifier's on their true
    labels; the Frechet distance (and precision, recall, density, coverage) is from n
    training images (drawn without replacement by `rng`) to the held-out ones, what sampling
    noise alone gives at n samples; the
    nearest-neighbour ratio is 1 and the copied share the COPY_QUANTILE by construction."""
    if not isinstance(yardstick, Yardstick):
        raise TypeError(f"yardstick must be a Yardstick, got {type(yardstick).__name__}")
    test_images = _check_images(test_images, "test_images")
    test_labels = _check_labels(test_labels, test_images.shape[0], NUMBER_OF_CLASSES)
    if len(test_images) != len(yardstick.test_features):
        raise ValueError(f"test_images must be the {len(yardstick.test_features)} digits the "
                         f"yardstick was built from, got {len(test_images)}")
    count = len(yardstick.train_images)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 2 <= n <= count:
        raise ValueError(f"n must be an integer in [2, {count}], got {n!r}")
    overall, per_class = label_accuracy(yardstick.classifier, test_images, test_labels)
    drawn = yardstick.train_images[rng.choice(count, size=int(n), replace=False)]
    threshold = np.quantile(yardstick.test_to_train, COPY_QUANTILE)
    return {
        "model": name,
        "label_accuracy": overall,
        "per_class_accuracy": per_class,
        "class_entropy": class_entropy(yardstick.classifier, test_images),
        **feature_scores(features(yardstick.classifier, drawn), yardstick.test_features,
                         yardstick.test_radii),
        "nearest_median_ratio": 1.0,
        "copied_share": float(np.mean(yardstick.test_to_train < threshold)),
        "grey_share": grey_share(test_images),
    }


def class_entropy(classifier, images):
    """Entropy in bits of the classes the classifier reads in the images,
    H = -sum_c q_c log2 q_c with q_c the share of images predicted as c (0 log 0 = 0):
    log2 10 = 3.32 bits for ten equally frequent classes, 0 for a single one."""
    images = _check_images(images)
    q = np.bincount(predict(classifier, images), minlength=NUMBER_OF_CLASSES) / len(images)
    q = q[q > 0]
    return float(np.sum(q * np.log2(1 / q)))
