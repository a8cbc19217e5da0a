"""One run of the comparison as a row: measured the same way for every game, judged by its
target's criterion. The harness (single runs) and the stacked ensembles both write their rows
here, so a stacked member's row is the row its single run would give."""

from __future__ import annotations

import numpy as np

import rng as project_rng
from gan.distributions import Mixture
from gan.lab.success import succeeded
from gan.measure import generator_density, jsd_with_outside_mass
from gan.targets2d import EVALUATION_SAMPLES, mode_centres, mode_coverage
from gan.variants import ConditionalGAN, InfoGAN
from gan.variants.conditional import Conditioned

ROW_FIELDS = ("variant", "target", "seed", "success", "diverged", "seconds", "stacked",
              "metrics")


def row(variant, target, seed, metrics, seconds, stacked=False):
    """One row of the table; ``metrics`` None for a run that diverged (which never succeeds)."""
    diverged = metrics is None
    return {"variant": variant.name, "target": target.name, "seed": seed,
            "success": succeeded(metrics, target.criterion), "diverged": diverged,
            "seconds": seconds, "stacked": stacked, "metrics": {} if diverged else metrics}


def evaluation_stream(seed):
    """The evaluation stream `gan.train.train` gives the run with ``seed`` (its second child),
    fresh: 2D noise drawn first from it is the noise `gan.targets2d.Plane` evaluates on."""
    return project_rng.fast.Generator(seed).spawn(2)[1]   # the fast stream: bitwise, for speed


def generator_parts(game):
    """p_g as a mixture: pairs (w_c, G(., c)) with sum_c w_c p_g(x | c) = p_g(x)."""
    if isinstance(game, ConditionalGAN):
        return [(w, Conditioned(game.G, c, game.classes))
                for c, w in enumerate(game.config.target.weights)]
    if isinstance(game, InfoGAN):
        K = game.categories
        return [(1.0 / K, Conditioned(game.G, c, K)) for c in range(K)]
    return [(1.0, game.G)]


def measure(game, rng):
    """What the criteria read, the same for every game.

    1D: ``jsd`` = JSD(p_data || p_g) in nats (p_g exact, on 1601 points over p_data's bulk
    widened by half its width, mass beyond counted exactly), ``mean`` and ``std`` of p_g, and for
    a mixture ``mode_mass``: int_{|x - mu_k| <= 4 sigma_k} p_g(x) dx per component k.
    2D: `gan.targets2d.mode_coverage` of 2500 samples (noise from ``rng``): ``modes_covered``,
    ``modes``, ``high_quality``.
    """
    config = game.config
    p_data, parts = config.target, generator_parts(game)
    if p_data.dim == 2:
        z = config.p_z.sample(EVALUATION_SAMPLES, rng).astype(game.dtype)
        weights = np.array([w for w, _ in parts])
        counts = np.round(weights * EVALUATION_SAMPLES).astype(int)   # samples per part
        x = np.concatenate([G_c.forward(z[:n]) for (_, G_c), n in zip(parts, counts)])
        coverage = mode_coverage(x, *mode_centres(p_data))
        return {key: coverage[key] for key in ("modes_covered", "modes", "high_quality")}
    low, high = p_data.interval(1 - 1e-6)
    pad = 0.5 * (high - low)
    grid = np.linspace(low - pad, high + pad, 1601)
    p_g, outside = np.zeros_like(grid), 0.0
    for w, G_c in parts:
        density, mass_outside = generator_density(G_c, config.p_z, grid, None)
        p_g += w * density
        outside += w * mass_outside
    mean = np.trapezoid(grid * p_g, grid) / np.trapezoid(p_g, grid)
    metrics = {
        "jsd": jsd_with_outside_mass(grid, p_data.pdf(grid), p_g, outside),
        "mean": float(mean),
        "std": float(np.sqrt(np.trapezoid((grid - mean) ** 2 * p_g, grid)
                             / np.trapezoid(p_g, grid))),
    }
    if isinstance(p_data, Mixture):
        metrics["mode_mass"] = [
            float(np.trapezoid(np.where(np.abs(grid - c.mu) <= 4 * c.sigma, p_g, 0.0), grid))
            for c in p_data.components]
    return metrics
