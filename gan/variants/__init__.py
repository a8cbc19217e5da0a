"""Variants of the game from the course, each a small subclass of `gan.game.GAN`.

Each overrides only what it changes (a loss, a hook, an extra head) and is trained by the
same loop: ``gan.train.train(config, game=Variant)``.
"""

from gan.variants.conditional import ConditionalGAN
from gan.variants.feature_matching import FeatureMatchingGAN
from gan.variants.infogan import InfoGAN
from gan.variants.instance_noise import InstanceNoiseGAN
from gan.variants.minibatch_gan import MinibatchDiscriminationGAN
from gan.variants.wgan import WGAN
from gan.variants.wgan_gp import WGANGP

__all__ = [
    "ConditionalGAN",
    "FeatureMatchingGAN",
    "InfoGAN",
    "InstanceNoiseGAN",
    "MinibatchDiscriminationGAN",
    "WGAN",
    "WGANGP",
]
