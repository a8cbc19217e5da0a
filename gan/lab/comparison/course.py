"""What is compared: the targets (p_data, the base config, the success rule) and the variants
(a game class with the settings of its lesson)."""

from __future__ import annotations

from dataclasses import dataclass, field

from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.game import GAN
from gan.lab.success import EveryModeHolds, JSDBelow, ModesCovered
from gan.targets2d import plane_config, ring
from gan.variants import (WGAN, WGANGP, ConditionalGAN, FeatureMatchingGAN, InfoGAN,
                          InstanceNoiseGAN, MinibatchDiscriminationGAN)
from gan.variants.minibatch_gan import BIMODAL_SETTINGS
from gan.variants.wgan import PAPER_SETTINGS
from gan.variants.wgan_gp import PAPER_SETTINGS as GP_PAPER_SETTINGS


# ---- what is compared -------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """p_data with the base config every game starts from, the success rule, and the number the
    table reports (``score``: "jsd", lower is better, or "modes_covered", higher is better)."""

    name: str
    config: GANConfig
    criterion: object
    score: str = "jsd"

    @property
    def dim(self):
        return self.config.target.dim


@dataclass(frozen=True)
class Variant:
    """A game: its class, the keyword settings of its constructor, the config changes its lesson
    used, the names of the targets it is run on (None: every target), and config changes that
    apply on one target only (``target_changes``: target name -> changes, applied after
    ``changes``)."""

    name: str
    game: type
    settings: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    targets: tuple | None = None
    target_changes: dict = field(default_factory=dict)

    def runs_on(self, target):
        return self.targets is None or target.name in self.targets

    def changes_on(self, target):
        """The config changes of this variant on ``target``."""
        return {**self.changes, **self.target_changes.get(target.name, {})}


def course_targets(steps=800, steps_2d=5000, batch_size=64):
    """The comparison's three targets, with the settings of the lessons that ran them.

    1D (lessons 11 and 12): m = 64, ``steps`` steps, the library's other defaults.
      N(-1, 1): JSD < 0.01 nats (a mean off by 0.28 sigma, or a std off by ~20%, costs about
      that much: JSD ~ chi^2 / 8 for nearby distributions).
      Two modes N(-3, 0.25^2) + N(3, 0.25^2): each mode holds >= 25% of p_g's mass, half its
      share (lesson 12's rule); a collapsed G holds ~0 on one mode.
    2D (lesson 13): the ring of 8 Gaussians with `gan.targets2d.plane_config` (2D noise, 64-64
      LeakyReLU players, m = 256, Adam lr 2e-3 with cosine decay, no weight averaging) for
      ``steps_2d`` steps: >= 7 of 8 modes covered and >= 50% high-quality samples (p_data
      itself scores 8 and 98.9%; a G that only blurs the ring scores 8 and little quality, a
      collapsed one high quality and few modes: both numbers are needed). The plain GAN meets
      it in 8 of seeds 0-9 at 5000 steps, 2 of 0-4 at 3000 and none of 0-1 at 1500 (lr 1e-3:
      1 of 3 at 5000). Its high-quality share stays near 60%: a continuous G of 2D noise cannot
      tear the plane, so some mass lies between the modes (lesson 13).
    """
    # Hundreds of trainings: the fast engine (nn.fast), where speed is the point.
    normal = GANConfig(target=Normal(-1.0, 1.0), steps=steps, batch_size=batch_size,
                       snapshot_every=0, engine="fast")
    two_modes = normal.replace(target=Mixture([Normal(-3.0, 0.25), Normal(3.0, 0.25)]))
    plane = plane_config(ring(), steps=steps_2d, snapshot_every=0, engine="fast")
    return (Target("N(-1, 1)", normal, JSDBelow(0.01)),
            Target("two modes", two_modes, EveryModeHolds(0.25)),
            Target("ring of 8", plane, ModesCovered(7, 0.5), score="modes_covered"))


# The matched controls: (target, variant) -> the variant its effect is measured against instead
# of the plain GAN (minibatch discrimination on the two modes runs lesson 12's deeper G and
# 1500 steps; the plain game with the same G and steps tells the layer's effect from theirs).
COURSE_CONTROLS = {("two modes", "minibatch discr."): "plain, lesson 12's G"}


def course_variants():
    """The plain GAN and the seven variants with the settings of lessons 09-15 and 21.

    Instance noise: sigma 1 annealed to 0 over the first half (lesson 09; the G loss is the
    base config's non-saturating one, not lesson 09's minimax). WGAN: RMSProp, lr 1e-3, c 0.01,
    n_critic = k = 5 (lesson 10's 1D settings). Feature matching on D's last hidden layer
    (lesson 11). Minibatch discrimination with the layer's defaults (5 kernels of dimension 1 on
    D's input) and m = 64 (on the ring too, where the others use m = 256); on the two modes with
    lesson 12's settings (`BIMODAL_SETTINGS`: a softplus G of three hidden layers of 64, 1500
    steps), and beside it the control lesson 12 uses, "plain, lesson 12's G": the plain game
    with the same settings, so that the layer's effect is not confused with the deeper G's. WGAN-GP:
    Adam betas (0, 0.9), n_critic = k = 5, lambda = 10 (Gulrajani et al. 2017, Algorithm 1) with
    lr 1e-3 and the one-sided penalty (lesson 21: the two-sided one traps a 1D critic with the
    wrong slope). Conditional GAN without weight averaging (lesson 14), InfoGAN with K = 2
    codes, lr 3e-3 and no averaging (lesson 15): these two need classes or codes, so they run on
    the mixture only.
    """
    one_dimensional_mixture = ("two modes",)
    return (
        Variant("plain GAN", GAN),
        Variant("instance noise", InstanceNoiseGAN, {"sigma": 1.0, "anneal_fraction": 0.5}),
        Variant("WGAN", WGAN, {"c": 0.01}, {**PAPER_SETTINGS, "lr_d": 1e-3, "lr_g": 1e-3}),
        Variant("feature matching", FeatureMatchingGAN),
        Variant("minibatch discr.", MinibatchDiscriminationGAN, {}, {"batch_size": 64},
                target_changes={"two modes": dict(BIMODAL_SETTINGS)}),
        Variant("plain, lesson 12's G", GAN, {}, dict(BIMODAL_SETTINGS), one_dimensional_mixture),
        Variant("WGAN-GP", WGANGP, {"one_sided": True},
                {**GP_PAPER_SETTINGS, "lr_d": 1e-3, "lr_g": 1e-3}),
        Variant("conditional GAN", ConditionalGAN, {}, {"average_last": 0.0},
                one_dimensional_mixture),
        Variant("InfoGAN", InfoGAN, {"categories": 2}, {"lr_d": 3e-3, "lr_g": 3e-3,
                                                        "average_last": 0.0},
                one_dimensional_mixture),
    )
