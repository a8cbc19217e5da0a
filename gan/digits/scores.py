"""The scores researchers report for generated images, in NumPy, in the features of the
course's own digit classifier (where StudioGAN and the papers use Inception's).

With real features X = {x_1..x_N} and generated ones Y = {y_1..y_M}, and NND_k(x) the
distance from x to its k-th nearest neighbour in its own set (itself excluded):

- improved precision and recall (Kynkaanniemi et al. 2019, "Improved precision and recall
  metric for assessing generative models", NeurIPS, eq. 1-3; k = 3): the manifold of a set
  is the union of balls B(x, NND_k(x)) around its points;
      precision = (1/M) sum_j 1[y_j in manifold(X)],   recall = (1/N) sum_i 1[x_i in manifold(Y)];
- density and coverage (Naeem et al. 2020, "Reliable fidelity and diversity metrics for
  generative models", ICML, eq. 4-5; k = 5):
      density  = 1/(k M) sum_j sum_i 1[y_j in B(x_i, NND_k(x_i))],
      coverage = (1/N) sum_i 1[exists j: y_j in B(x_i, NND_k(x_i))];
  density has expectation 1 when Y and X are independent draws of one distribution (their
  section 3.2); it exceeds 1 where Y crowds into dense regions of X;
- classifier accuracy score (Ravuri and Vinyals 2019, "Classification accuracy score for
  conditional generative models", NeurIPS): a classifier trained on generated pairs (x, c)
  only, its accuracy on real held-out digits;
- mean_and_spread: a score over several training seeds as mean +- sample standard deviation
  (Lucic et al. 2018, "Are GANs created equal?", report distributions over seeds).
"""

from __future__ import annotations

import numpy as np

from gan.digits.classifier import accuracy, train_classifier

PRECISION_RECALL_K = 3      # Kynkaanniemi et al. 2019, section 3
DENSITY_COVERAGE_K = 5      # Naeem et al. 2020, section 4
# The classifier of the classifier accuracy score, the same for generated and real training
# digits so that the real row is the score's ceiling: the referee's MLP, 5 epochs.
CAS_TRAINING = {"epochs": 5, "batch_size": 128, "lr": 1e-3, "hidden_sizes": (256, 128)}


def _check_features(name, features):
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2 or features.shape[0] < 2:
        raise ValueError(f"{name} must have shape (n, d) with n >= 2, got shape "
                         f"{features.shape}")
    if not np.isfinite(features).all():
        raise ValueError(f"{name} must be finite")
    return features


def _check_k(k, count, name):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if k >= count:
        raise ValueError(f"k must be smaller than the {count} points of {name}, got {k}")
    return int(k)


def squared_distances(a, b, chunk_size=256):
    """|a_i - b_j|^2 = |a_i|^2 + |b_j|^2 - 2 a_i . b_j, (len(a), len(b)), floored at 0 (the
    expansion can round a zero distance to about -1e-13)."""
    b_norms = np.einsum("ij,ij->i", b, b)
    result = np.empty((len(a), len(b)))
    for start in range(0, len(a), chunk_size):            # bounds memory: chunk x len(b)
        block = a[start:start + chunk_size]
        result[start:start + chunk_size] = (np.einsum("ij,ij->i", block, block)[:, None]
                                            + b_norms[None, :] - 2 * block @ b.T)
    return np.maximum(result, 0.0)


def nearest_neighbour_radii(points, k):
    """NND_k(x_i): the squared distance from each point to its k-th nearest other point."""
    return neighbour_radii(points, (k,))[k]


def neighbour_radii(points, ks):
    """{k: NND_k(x_i) squared} for each k of `ks`, from one matrix of squared distances
    within `points` (np.partition places every requested order statistic at once, each the
    same element a partition for that k alone would place)."""
    distances = squared_distances(points, points)
    # the k-th smallest of each row after the point itself (distance 0) is the k-th neighbour
    ks = tuple(int(k) for k in ks)
    partitioned = np.partition(distances, sorted(set(ks)), axis=1)
    return {k: partitioned[:, k].copy() for k in ks}


def real_radii(real):
    """The real points' radii both scores use, {k: NND_k squared} for k = PRECISION_RECALL_K
    and DENSITY_COVERAGE_K: computed once per real set and reused for every sample scored
    against it (manifold_scores)."""
    real = _check_features("real", real)
    ks = (PRECISION_RECALL_K, DENSITY_COVERAGE_K)
    for k in ks:
        _check_k(k, len(real), "real")
    return neighbour_radii(real, ks)


def _checked_pair(real, fake):
    real, fake = _check_features("real", real), _check_features("fake", fake)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real and fake must have the same dimension, got {real.shape[1]} "
                         f"and {fake.shape[1]}")
    return real, fake


def precision_recall(real, fake, k=PRECISION_RECALL_K):
    """Improved precision and recall of Kynkaanniemi et al. (2019): the share of fake points
    inside the real manifold, and of real points inside the fake manifold, each manifold the
    union of balls of radius NND_k.  Returns (precision, recall)."""
    real, fake = _checked_pair(real, fake)
    k = _check_k(k, len(real), "real")
    k = _check_k(k, len(fake), "fake")
    return _precision_recall(squared_distances(fake, real), nearest_neighbour_radii(real, k),
                             nearest_neighbour_radii(fake, k))


def _precision_recall(fake_to_real, real_radius, fake_radius):
    """From the (M, N) squared distances and both sets' squared radii."""
    inside_real = fake_to_real <= real_radius[None, :]
    inside_fake = fake_to_real <= fake_radius[:, None]
    return float(inside_real.any(axis=1).mean()), float(inside_fake.any(axis=0).mean())


def density_coverage(real, fake, k=DENSITY_COVERAGE_K):
    """Density and coverage of Naeem et al. (2020), both with the balls B(x_i, NND_k(x_i))
    of the real points only.  Returns (density, coverage)."""
    real, fake = _checked_pair(real, fake)
    k = _check_k(k, len(real), "real")
    return _density_coverage(squared_distances(fake, real), nearest_neighbour_radii(real, k), k)


def _density_coverage(fake_to_real, real_radius, k):
    inside = fake_to_real <= real_radius[None, :]
    density = inside.sum() / (k * len(fake_to_real))
    return float(density), float(inside.any(axis=0).mean())


def manifold_scores(real, fake, radii=None):
    """(precision, recall, density, coverage) with the default k of each, the same numbers as
    precision_recall and density_coverage, from ONE (M, N) matrix of fake-to-real squared
    distances (where the two functions compute it twice) and the real radii ``radii`` =
    real_radii(real), computed here when None: the real set is the same for every sample
    of a comparison, so its N x N matrix is computed once for all of them."""
    real, fake = _checked_pair(real, fake)
    _check_k(PRECISION_RECALL_K, len(fake), "fake")
    if radii is None:
        radii = real_radii(real)
    if any(len(radii.get(k, ())) != len(real) for k in (PRECISION_RECALL_K,
                                                        DENSITY_COVERAGE_K)):
        raise ValueError(f"radii must be real_radii(real) of the {len(real)} real points")
    fake_to_real = squared_distances(fake, real)
    precision, recall = _precision_recall(fake_to_real, radii[PRECISION_RECALL_K],
                                          nearest_neighbour_radii(fake, PRECISION_RECALL_K))
    density, coverage = _density_coverage(fake_to_real, radii[DENSITY_COVERAGE_K],
                                          DENSITY_COVERAGE_K)
    return precision, recall, density, coverage


def classifier_accuracy_score(images, labels, test_images, test_labels, rng,
                              training=None):
    """Ravuri and Vinyals's (2019) CAS: accuracy on the real (test_images, test_labels) of a
    classifier trained by `train_classifier(images, labels, rng, **training)` on generated
    pairs only (training: CAS_TRAINING when None)."""
    classifier = train_classifier(images, labels, rng, **(CAS_TRAINING if training is None
                                                           else training))
    return accuracy(classifier, test_images, test_labels)


def mean_and_spread(values):
    """(mean, sample standard deviation with 1/(n - 1)) of the scores of n >= 2 seeds;
    None entries (a score a model does not have) give (None, None)."""
    values = list(values)
    if len(values) < 2:
        raise ValueError(f"values must hold the scores of at least 2 seeds, got {len(values)}")
    if any(value is None for value in values):
        if not all(value is None for value in values):
            raise ValueError(f"values must be all numbers or all None, got {values}")
        return None, None
    values = np.asarray(values, dtype=np.float64)
    return float(values.mean()), float(values.std(ddof=1))
