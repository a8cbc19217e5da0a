"""What "blown up" means for a GAN, and what to say when it happens.

A loss that stops being finite is the obvious sign, but Adam can blow a run up while every number
stays finite: its steps have the size of the learning rate whatever the gradient, so at lr = 1e3
the weights move by ~1e3 per step, the losses reach 1e59 and G's samples sit at 1e9 with spread 0.
Finite, and garbage. The criterion here bounds what a sane run can reach, from the target's scale
S = max(1, |low|, |high|) over its central 1 - 1e-6 of the mass and from the dtype:

    |theta| <= WEIGHT_FACTOR * S      every weight of G and D (checked every step)
    |loss|  <= LOSS_BOUND             a logistic loss is ~|logit|: D's logits stay below it
    |G(z)|  <= SAMPLE_FACTOR * S      the mean and spread of G's samples (at each measurement)

each also at most `representable_scale(dtype)`. A target beyond that scale is refused before
training (`check_target_scale`): the dtype cannot represent the squares and products training
makes of it, and no learning rate would help.
"""

from __future__ import annotations

import math

import numpy as np

WEIGHT_FACTOR = 1e4
SAMPLE_FACTOR = 1e4
LOSS_BOUND = 1e6
TARGET_MASS = 1 - 1e-6
RESOLUTION_ULPS = 100          # the target's width must span at least this many ulps of its place
PENALTY_SUSPECT = 1e3          # a penalty weight above this is blamed (usual: 0.1 to 10)
TARGET_SUSPECT = LOSS_BOUND / 100   # a target scale above this is blamed (logits ~ S / 10)
LR_SUSPECT = 0.1               # learning rates above this are blamed beside other evidence


class TrainingDiverged(RuntimeError):
    """Raised when a run blows up (see the module notes): it cannot be trusted past that step."""


def representable_scale(dtype):
    """The largest |x| a run in `dtype` can work with: sqrt(max float) / 1e4, so that squares
    and products of a few such numbers (variances, x W, Adam's v) stay finite."""
    return math.sqrt(float(np.finfo(np.dtype(dtype)).max)) / 1e4


def target_interval(target):
    """(low, high) holding all but 1e-6 of a 1D target's mass, or None if the target cannot say
    (a 2D target, or one without interval())."""
    interval = getattr(target, "interval", None)
    if getattr(target, "dim", 1) != 1 or not callable(interval):
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        low, high = interval(TARGET_MASS)
    return float(np.min(low)), float(np.max(high))


def target_scale(target):
    """S = max(1, |low|, |high|) of `target_interval`; 1 if the target has no interval."""
    bounds = target_interval(target)
    return 1.0 if bounds is None else max(1.0, abs(bounds[0]), abs(bounds[1]))


def check_target_scale(target, dtype):
    """ValueError naming the target if `dtype` cannot represent it: an infinite interval, a scale
    beyond `representable_scale`, or a width below RESOLUTION_ULPS ulps of its location."""
    bounds = target_interval(target)
    if bounds is None:
        return
    low, high = bounds
    limit = representable_scale(dtype)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"target {target!r} spreads beyond every float: its central "
                         f"{TARGET_MASS} of the mass is [{low}, {high}]")
    scale = max(abs(low), abs(high))
    if scale > limit:
        raise ValueError(f"target {target!r} lies outside what {dtype} can train on: its bulk "
                         f"reaches |x| = {scale:.3g}, the limit is ~{limit:.3g} "
                         f"(sqrt of the largest {dtype} / 1e4); rescale the data")
    resolution = RESOLUTION_ULPS * float(np.finfo(np.dtype(dtype)).eps) * scale
    if high - low < resolution:
        raise ValueError(f"target {target!r} is too narrow for {dtype} at its location: its bulk "
                         f"[{low:.9g}, {high:.9g}] spans less than {RESOLUTION_ULPS} ulps "
                         f"({resolution:.3g}); use float64 or centre the data")


class Criterion:
    """The bounds of the module notes for one run: `check_weights` every step, `check_samples`
    at each measurement; each returns None or a sentence saying what went beyond its bound."""

    def __init__(self, target, dtype):
        self.scale = target_scale(target)
        self.dtype = np.dtype(dtype).name
        ceiling = representable_scale(dtype)
        self.weight_bound = min(WEIGHT_FACTOR * self.scale, ceiling)
        self.sample_bound = min(SAMPLE_FACTOR * self.scale, ceiling)
        self.loss_bound = min(LOSS_BOUND, ceiling)

    def check_losses(self, d_loss, g_loss):
        if not (np.isfinite(d_loss) and np.isfinite(g_loss)):
            return f"a loss stopped being finite (d_loss={d_loss}, g_loss={g_loss})"
        if max(abs(d_loss), abs(g_loss)) > self.loss_bound:
            return (f"a loss went beyond {self.loss_bound:.3g} (d_loss={d_loss:.4g}, "
                    f"g_loss={g_loss:.4g}): D's logits are that large")
        return None

    def check_weights(self, G, D):
        for name, net in (("G", G), ("D", D)):
            flat = net.flat_params
            largest = max(abs(float(flat.max())), abs(float(flat.min()))) if flat.size else 0.0
            if not math.isfinite(largest):
                return f"{name}'s weights stopped being finite"
            if largest > self.weight_bound:
                return (f"a weight of {name} reached {largest:.3g}, beyond the bound "
                        f"{self.weight_bound:.3g} (1e4 times the target's scale {self.scale:.3g})")
        return None

    def members_beyond(self, G, D):
        """For stacked players (every parameter with a leading member axis): a boolean array,
        True for each member with a weight beyond the bound or not finite."""
        beyond = None
        for net in (G, D):
            for parameter in net.parameters():
                with np.errstate(invalid="ignore"):
                    largest = np.abs(parameter.reshape(parameter.shape[0], -1)).max(axis=1)
                bad = ~(largest <= self.weight_bound)      # NaN counts as beyond
                beyond = bad if beyond is None else beyond | bad
        return beyond

    def check_samples(self, mean, std):
        mean, std = float(np.max(np.abs(mean))), float(np.max(std))
        if not (math.isfinite(mean) and math.isfinite(std)):
            return f"G's samples stopped being finite (mean {mean}, std {std})"
        if mean + std > self.sample_bound:
            return (f"G's samples reached |mean| + std = {mean + std:.3g}, beyond the bound "
                    f"{self.sample_bound:.3g} (1e4 times the target's scale {self.scale:.3g})")
        return None


def likely_causes(config, update=None):
    """What the evidence blames for a blow-up, most certain first, each "what: what to change".

    - the target's scale S against the dtype: beyond 1e-3 `representable_scale` nothing helps
      but rescaling (or float64);
    - an update rule's penalty weight (R1, R2, consensus gamma) above PENALTY_SUSPECT: the
      penalty adds ~gamma |grad D|^2 / 2 to D's loss, and |grad D| starts near 1;
    - S above TARGET_SUSPECT: D's logits on the data alone start near S / 10 (its first layer
      sees x as it is), against the loss bound LOSS_BOUND;
    - the learning rates: named when nothing else is, or when above LR_SUSPECT."""
    causes = []
    scale, limit = target_scale(config.target), representable_scale(config.dtype)
    if scale > 1e-3 * limit:
        causes.append(f"the target's scale {scale:.3g} is near the ~{limit:.3g} that "
                      f"{config.dtype} can train on: rescale the data or use float64")
    for name in ("r1", "r2", "consensus"):
        weight = getattr(update, name, 0.0) or 0.0
        if weight > PENALTY_SUSPECT:
            causes.append(f"the update rule's penalty weight {name}={weight:g} is far above "
                          f"{PENALTY_SUSPECT:g} (usual values 0.1 to 10), the penalty adding "
                          f"~{name} |grad D|^2 / 2 to D's loss: try --{name} 10 or less")
    if TARGET_SUSPECT < scale <= 1e-3 * limit:
        causes.append(f"the target's scale {scale:.3g} is far above the few units the players "
                      f"start at: D's logits on the data alone start near {scale / 10:.3g} "
                      f"(the loss bound is {LOSS_BOUND:g}): rescale the data to a few units "
                      f"around 0")
    if not causes or max(config.lr_g, config.lr_d) > LR_SUSPECT:
        causes.append(f"the learning rates ({config.optimizer}, lr_g={config.lr_g:g}, "
                      f"lr_d={config.lr_d:g}) are too large for this game: try smaller "
                      f"learning rates")
    return causes


def diverged(step, what, d_losses, g_losses, config, update=None):
    """TrainingDiverged naming the step, what blew up, the last sane losses and the likely
    cause (`likely_causes`: the target's scale, a penalty weight of ``update``, the learning
    rates, as the evidence says).

    d_losses, g_losses: the losses of steps 1..step-1 (all sane: each was checked)."""
    last = ""
    if step > 1:
        last = (f"; the last sane losses (step {step - 1}) were d_loss={d_losses[step - 2]:.4g}, "
                f"g_loss={g_losses[step - 2]:.4g}")
    cause = "; and ".join(likely_causes(config, update))
    return TrainingDiverged(f"training diverged at step {step}: {what}{last}. "
                            f"Likely cause: {cause}.")
