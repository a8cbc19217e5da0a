"""gan.digits.semi_supervised: the K + 1 class loss against outside truths (the K + 1 softmax written
out, finite differences, the GAN's D loss it contains), bad input, and reproducibility."""

import numpy as np
import pytest
from scipy.special import expit, log_softmax

from gan.digits.semi_supervised import (SemiSupervisedConfig, k_plus_one_loss, labelled_subset,
                                 semi_supervised_loss, train_labelled_only,
                                 train_semi_supervised)
from nn.gradcheck import compare, numerical_gradients

K = 10


def random_logits(seed, sizes=(4, 5, 6), columns=K, scale=3.0):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, scale, size=(n, columns)) for n in sizes], \
        rng.integers(0, K, size=sizes[0])


def test_gradient_matches_finite_differences():
    logits, labels = random_logits(0, sizes=(3, 2, 2))
    _, analytic = semi_supervised_loss(logits[0], labels, logits[1], logits[2])
    numerical = numerical_gradients(
        lambda: semi_supervised_loss(logits[0], labels, logits[1], logits[2])[0], logits)
    assert compare(analytic, numerical).max_relative_error < 1e-7


@pytest.mark.parametrize("seed", range(3))
def test_fixed_fake_logit_is_the_k_plus_one_softmax(seed):
    """Any K + 1 logits, shifted so that the fake one is 0, give the same loss: softmax is
    invariant to a common shift. The K + 1 form here is written with scipy's log_softmax."""
    free, labels = random_logits(seed, columns=K + 1)
    shifted = [a[:, :K] - a[:, K:] for a in free]
    # -log[p_y / (1 - p_fake)], -log(1 - p_fake), -log p_fake with p = softmax over K + 1
    ours, _ = semi_supervised_loss(shifted[0], labels, shifted[1], shifted[2])
    log_p = [log_softmax(a, axis=1) for a in free]
    rows = np.arange(len(labels))
    by_hand = (np.mean(np.log1p(-np.exp(log_p[0][:, K])) - log_p[0][rows, labels])
               - np.mean(np.log1p(-np.exp(log_p[1][:, K]))) - np.mean(log_p[2][:, K]))
    assert ours == pytest.approx(by_hand, rel=1e-12)
    assert k_plus_one_loss(free[0], labels, free[1], free[2]) == pytest.approx(by_hand, rel=1e-12)


def test_real_and_fake_terms_are_the_plain_gan_loss_with_d_sigmoid_of_s():
    """With a single labelled row whose loss is known, the rest is -log D(x) - log(1 - D(G(z)))
    for D = sigmoid(logsumexp(l))."""
    logits, labels = random_logits(7)
    total, _ = semi_supervised_loss(logits[0], labels, logits[1], logits[2])
    s = [np.log(np.exp(a).sum(axis=1)) for a in logits]
    labelled = np.mean(s[0] - logits[0][np.arange(len(labels)), labels])
    gan = -np.mean(np.log(expit(s[1]))) - np.mean(np.log(1 - expit(s[2])))
    assert total == pytest.approx(labelled + gan, rel=1e-12)


def test_extreme_logits_stay_finite():
    logits = [np.full((2, K), 800.0), np.full((2, K), -800.0), np.full((2, K), 800.0)]
    value, grads = semi_supervised_loss(logits[0], np.array([0, 1]), logits[1], logits[2])
    assert np.isfinite(value) and all(np.isfinite(g).all() for g in grads)


def test_bad_input_is_named():
    logits, labels = random_logits(0)
    with pytest.raises(ValueError, match="labels"):
        semi_supervised_loss(logits[0], labels + K, logits[1], logits[2])
    with pytest.raises(ValueError, match="logits_fake"):
        semi_supervised_loss(logits[0], labels, logits[1], logits[2][:, :1])
    with pytest.raises(ValueError, match="labels_per_class"):
        SemiSupervisedConfig(labels_per_class=0)
    with pytest.raises(ValueError, match="engine"):
        SemiSupervisedConfig(engine="gpu")
    with pytest.raises(ValueError, match="labels_per_class must be at most 2"):
        labelled_subset(np.repeat(np.arange(K), 2), 3, np.random.default_rng(0))


def test_labelled_subset_has_each_class_equally():
    labels = np.random.default_rng(0).integers(0, K, size=500)
    chosen = labelled_subset(labels, 4, np.random.default_rng(1))
    assert len(set(chosen)) == 40 and (np.bincount(labels[chosen], minlength=K) == 4).all()


@pytest.mark.parametrize("engine", ["fast", "textbook"])
def test_same_seed_same_run_on_either_engine(engine):
    rng = np.random.default_rng(0)
    images = rng.random((60, 1, 32, 32)).astype(np.float32)
    labels = np.repeat(np.arange(K), 6)
    config = SemiSupervisedConfig(labels_per_class=2, steps=3, batch_size=8, d_hidden=(8,),
                                  g_hidden=(8,), noise_dim=4, engine=engine)
    first = train_semi_supervised(images, labels, config, 5)
    second = train_semi_supervised(images, labels, config, 5)
    assert np.array_equal(first[0].flat_params, second[0].flat_params)
    assert np.array_equal(first[2], second[2])
    plain = train_labelled_only(images, labels, config, 5)
    assert np.isfinite(plain.flat_params).all()
