"""What the page draws, computed from the live players with the project's own measurements.

1D (Figure 1 of Goodfellow et al. 2014, live): p_data; the exact p_g = G # p_z
(`gan.pushforward`, as the training snapshots compute it); D(x); D*(x) = p_data / (p_data + p_g)
(Proposition 1), from the same two densities; the exact JSD(p_data || p_g) in nats
(`gan.measure.jsd_with_outside_mass`, the mass p_g puts beyond the grid counted exactly); the
noise line z -> G(z); and on fixed fake samples x = G(z) the gradient G receives,

    -dl_G/dx = -dl_G/dl * dl/dx,   l = D's logit, l_G the per-sample generator loss,

which is m times the minibatch loss's dL_G/dx (the mean's 1/m taken out). It is drawn without
instance noise: the gradient of the game itself at x.

2D (the plane, `gan.targets2d`): D(x) on a grid as a heat map, fixed real samples and the
fakes G(z) of fixed noise, the same gradient on the fakes, the image under G of a square grid
of noise lines, the modes covered by 2500 samples (PacGAN's rule, `mode_coverage`) and the
binned JSD between the target's exact cell masses and the histogram of those samples (an
estimate, biased upwards by the finite sample; the 1D JSD is exact).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit as sigmoid

from gan.measure import (SNAPSHOT_N_Z, discriminator_on, generator_density,
                          jsd_with_outside_mass, z_line)
from gan.objectives import generator_loss
from gan.play.history import json_numbers
from gan.targets2d import (EVALUATION_SAMPLES, IMAGE_SIDE, binned_jsd, cell_masses,
                           mode_centres, mode_coverage)

GRID_POINTS = 401          # x grid of the 1D view (the training snapshots' grid_size)
ARROW_SAMPLES = 32         # fake samples that carry a gradient arrow (1D)
HEAT_SIDE = 64             # D's heat map: HEAT_SIDE^2 cells (2D)
SHOWN_SAMPLES = 256        # real and fake samples drawn (2D)
ARROWS_2D = 64             # of which carry an arrow
WARP_LINES, WARP_POINTS = 11, 41


def per_sample_gradient(G, D, z, kind):
    """(x = G(z), dl_G/dx per sample): the minibatch dL_G/dx times m (see the module docstring)."""
    x = G.forward(z)
    logits = D.forward(x)
    _, grad_logits = generator_loss(logits, kind)
    return x, D.backward(grad_logits, param_grads=False) * len(z)


def optimal_discriminator_on_grid(p_data, p_g):
    """D* = p_data / (p_data + p_g) (Proposition 1), 1/2 where both densities are 0."""
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full(total.shape, 0.5), where=total > 0)


def drawn_where_mass(values, density, share=1e-5):
    """``values`` with NaN (not drawn) where ``density`` is below ``share`` of its peak: in the
    far tails p_data and p_g are both vanishing, and D* = p_data / (p_data + p_g) jumps between
    0 and 1 on ratios of numbers nothing in the game samples."""
    return np.where(density >= share * density.max(), values, np.nan)


def fixed_samples(session):
    """What every view of this target reuses, drawn from the evaluation stream."""
    target, p_z, rng = session.target, session.config.p_z, session.eval_rng
    dtype = session.game.dtype
    if target.dim == 1:
        low, high = target.interval(1 - 1e-6)
        pad = 0.5 * (high - low)
        return {"grid": np.linspace(low - pad, high + pad, GRID_POINTS),
                "z_line": z_line(p_z),
                "z_arrows": np.asarray(p_z.ppf((np.arange(ARROW_SAMPLES) + 0.5) / ARROW_SAMPLES),
                                       dtype=dtype).reshape(-1, 1)}
    centres, sigma = mode_centres(target)
    low, high = centres.min(), centres.max()
    pad = max(0.25 * (high - low), 1.0) + 3 * sigma
    box = (low - pad, high + pad)
    step = (box[1] - box[0]) / HEAT_SIDE
    axis = box[0] + step * (np.arange(HEAT_SIDE) + 0.5)               # cell centres
    edges = np.linspace(box[0], box[1], IMAGE_SIDE + 1)
    reach = 2.0 if session.config.prior == "normal" else 1.0
    line = np.linspace(-reach, reach, WARP_POINTS)
    ticks = np.linspace(-reach, reach, WARP_LINES)
    lines = [np.stack([np.full_like(line, t), line], 1) for t in ticks] + [
        np.stack([line, np.full_like(line, t)], 1) for t in ticks]
    return {
        "box": box,
        "mesh": np.stack(np.meshgrid(axis, axis, indexing="xy"), -1).reshape(-1, 2).astype(dtype),
        "real": target.sample(SHOWN_SAMPLES, rng),
        "z_shown": p_z.sample(SHOWN_SAMPLES, rng).astype(dtype),
        "z_eval": p_z.sample(EVALUATION_SAMPLES, rng).astype(dtype),
        "warp": np.concatenate(lines).astype(dtype),
        "edges": edges,
        "p_data_cells": cell_masses(target, edges),
        "centres": centres,
        "sigma": sigma,
    }


def view_1d(session, fixed):
    G, D, config = session.game.G, session.game.D, session.config
    grid = fixed["grid"]
    p_data = session.target.pdf(grid)
    p_g, outside = generator_density(G, config.p_z, grid, None, n_z=SNAPSHOT_N_Z)
    jsd = jsd_with_outside_mass(grid, p_data, p_g, outside)
    x_fake, gradient = per_sample_gradient(G, D, fixed["z_arrows"], config.g_loss)
    x_line = G.forward(fixed["z_line"].reshape(-1, 1).astype(session.game.dtype))[:, 0]
    return {
        "kind": "1d",
        "x": json_numbers(grid, 5),
        "p_data": json_numbers(p_data, 5),
        "p_g": json_numbers(p_g, 5),
        "D": json_numbers(discriminator_on(D, grid), 5),
        "D_star": json_numbers(drawn_where_mass(optimal_discriminator_on_grid(p_data, p_g),
                                                p_data + p_g), 5),
        "z_line": json_numbers(fixed["z_line"], 5),
        "x_of_z": json_numbers(x_line, 5),
        "fake_x": json_numbers(x_fake[:, 0], 5),
        "fake_grad": json_numbers(-gradient[:, 0], 5),
        "jsd": float(jsd),
        "mass_outside": float(outside),
    }


def view_2d(session, fixed):
    G, D, config = session.game.G, session.game.D, session.config
    heat = sigmoid(D.forward(fixed["mesh"]))[:, 0]
    x_fake, gradient = per_sample_gradient(G, D, fixed["z_shown"][:ARROWS_2D], config.g_loss)
    x_rest = G.forward(fixed["z_shown"][ARROWS_2D:])
    warp = G.forward(fixed["warp"]).reshape(2 * WARP_LINES, WARP_POINTS, 2)
    x_eval = np.asarray(G.forward(fixed["z_eval"]), dtype=np.float64)
    coverage = mode_coverage(x_eval, fixed["centres"], fixed["sigma"]) if np.isfinite(
        x_eval).all() else None
    counts, _, _ = np.histogram2d(x_eval[:, 0], x_eval[:, 1], bins=[fixed["edges"]] * 2)
    p_g_cells = counts / len(x_eval)
    p_data_cells = fixed["p_data_cells"]
    jsd = binned_jsd(np.append(p_data_cells.ravel(), max(1.0 - p_data_cells.sum(), 0.0)),
                     np.append(p_g_cells.ravel(), 1.0 - p_g_cells.sum()))
    fakes = np.concatenate([x_fake, x_rest])
    return {
        "kind": "2d",
        "box": [float(b) for b in fixed["box"]],
        "heat_side": HEAT_SIDE,
        "heat": json_numbers(heat, 3),                   # rows: x_2 from the box's bottom up
        "real": json_numbers(fixed["real"].ravel(), 4),  # x_1, x_2 interleaved
        "fake": json_numbers(fakes.ravel(), 4),
        "fake_grad": json_numbers(-gradient.ravel(), 4),  # for the first ARROWS_2D fakes
        "warp": [json_numbers(line.ravel(), 4) for line in warp],
        "centres": json_numbers(fixed["centres"].ravel(), 4),
        "sigma": float(fixed["sigma"]),
        "modes_covered": None if coverage is None else coverage["modes_covered"],
        "modes": len(fixed["centres"]),
        "high_quality": None if coverage is None else coverage["high_quality"],
        "jsd": float(jsd),
    }


def state(session, max_points=400):
    """Everything the page shows, JSON-ready: the session's summary, the view, the history."""
    if session.fixed is None:
        session.fixed = fixed_samples(session)
    view = (view_1d if session.target.dim == 1 else view_2d)(session, session.fixed)
    session.history.record_jsd(view["jsd"])
    return {**session.summary(), "view": view, "history": session.history.to_json(max_points)}
