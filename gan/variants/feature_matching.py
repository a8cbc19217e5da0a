"""Feature matching (Salimans et al. 2016, "Improved Techniques for Training GANs", §3.1).

Instead of maximising D's output on its samples, G matches the mean of D's features on an
intermediate layer: with f(x) the activations of D.layers[:j] (x -> f(x) in R^h),

    L_G = || E_{x ~ p_data} f(x) - E_{z ~ p_z} f(G(z)) ||_2^2,

estimated on a minibatch of each. D is trained as usual, so its features are the statistics
worth matching; G no longer chases D's current decision boundary, which the paper finds more
stable (it does not promise a better p_g). With u = mean_i f(x_i) - mean_i f(G(z_i)),

    dL_G/df(G(z_i)) = -2 u / m,

and the chain rule runs backward through D.layers[:j] by hand, then through G.
"""

from __future__ import annotations

import numpy as np

from gan.game import GAN


def features(D, x, j):
    """f(x) = D.layers[j-1](... D.layers[0](x)): the activations after D's first j layers."""
    h = x
    for layer in D.layers[:j]:
        h = layer.forward(h)
    return h


def features_backward(D, grad_features, j):
    """dL/dx from dL/df through D.layers[:j] (for the latest `features` call), D's own
    parameter gradients left untouched."""
    grad = grad_features
    for layer in reversed(D.layers[:j]):
        grad = layer.backward(grad, param_grads=False)
    return grad


def feature_matching_loss(f_real, f_fake):
    """L = ||mean f(x) - mean f(G(z))||^2 and dL/df(G(z_i)) = -2 (mean f(x) - mean f(G(z))) / m.

    Returns ``(L, dL/df_fake)`` for feature batches of shape (m_real, h) and (m_fake, h).
    """
    u = f_real.mean(axis=-2) - f_fake.mean(axis=-2)
    grad_fake = np.broadcast_to(-2.0 * u / f_fake.shape[-2], f_fake.shape).copy()
    return float(u @ u), grad_fake


class FeatureMatchingGAN(GAN):
    """G descends ||E f(x) - E f(G(z))||^2 on the features after D's first ``layer`` layers.

    ``layer`` = j counts entries of D.layers (Linear and activation alike); the default is the
    output of D's last hidden activation, len(D.layers) - 1 (the paper matches "an intermediate
    layer"; its experiments use the last one before the output). D is trained as in the plain game.
    """

    def __init__(self, config, rng, layer=None):
        super().__init__(config, rng)
        depth = len(self.D.layers)
        layer = depth - 1 if layer is None else layer
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not (
                1 <= layer <= depth - 1):
            raise ValueError(f"layer must be an integer in [1, {depth - 1}] (D has {depth} layers),"
                             f" got {layer!r}")
        self.layer = int(layer)

    def generator_update(self, step, rng):
        """Fresh x ~ p_data and z ~ p_z; descend the feature-matching loss. Returns it."""
        m = self.config.batch_size
        f_real = features(self.D, self.sample_real(m, rng), self.layer)
        x_fake = self.G.forward(self.sample_noise(m, rng))
        f_fake = features(self.D, x_fake, self.layer)      # the caches backward reads
        loss, grad_f = feature_matching_loss(f_real, f_fake)
        self.G.backward(features_backward(self.D, grad_f, self.layer), input_grad=False)
        self.opt_g.step()
        return loss
