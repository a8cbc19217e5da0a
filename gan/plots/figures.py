"""Figure 1 of Goodfellow et al. (2014) from a real run, the losses, JSD(p_data || p_g), and D
against D*."""

from __future__ import annotations

import numpy as np

from gan.distributions import Tabulated
from gan.language import figure_text as _t
from gan.measure import discriminator_on
from gan.plots.common import (D_STYLE, DISCRIMINATOR_SIZE, GENERATOR_IDEAL, JSD_SIZE, LOG_2, LOG_4,
                              LOSSES_SIZE, P_DATA_STYLE, P_G_STYLE, _as_history, _density_top,
                              _mark_peak, _require_snapshots, _snapshot_indices, _target_axes,
                              _target_figure, _view_range, plot_densities, plot_z_arrows)
from gan.theory import optimal_discriminator


# ---------------------------------------------------------------- Figure 1
def figure1(history, steps=None, ax=None):
    """The paper's Figure 1 (Goodfellow et al. 2014) from a real run: at four snapshot steps,
    p_data, p_g and D over x, and below them the map x = G(z) as arrows from the noise line.

    ``steps``: the snapshot steps to draw (default: the first, and those nearest 10%, 40% and
    100% of training). ``ax``: None for a new figure, or a Figure or SubFigure to draw into.
    Returns the figure.
    """
    history = _as_history(history)
    snapshots = _snapshot_indices(history, steps)
    figure = _target_figure(ax, figsize=(3.1 * len(snapshots) + 0.6, 4.6))
    arrows = history.x_of_z.size > 0
    axes = figure.subplots(2 if arrows else 1, len(snapshots), sharex=True, squeeze=False,
                           gridspec_kw={"height_ratios": [3.4, 1.2] if arrows else [1],
                                        "hspace": 0.06, "wspace": 0.08})
    x_range = _view_range(history, snapshots)
    top = _density_top(history, snapshots)
    for column, i in enumerate(snapshots):
        ax_density = axes[0, column]
        plot_densities(ax_density, history.grid, history.p_data_grid, history.p_g_grid[i],
                       history.D_grid[i], labels=column == 0)
        ax_density.set_ylim(0.0, top)
        ax_density.set_xlim(*x_range)
        _mark_peak(ax_density, history.grid, history.p_g_grid[i], top)
        ax_density.set_title(_t("({panel}) step {step}, JSD {jsd:.3g} nats").format(
            panel="abcdefgh"[column], step=history.snapshot_steps[i], jsd=history.jsd[i]),
            fontsize=10)
        if column == 0:
            ax_density.set_ylabel(_t("density;  D(x)"))
        else:
            ax_density.tick_params(labelleft=False)
        if arrows:
            ax_density.tick_params(labelbottom=False)
            ax_density.set_xlabel("")
            plot_z_arrows(axes[1, column], history.z_line, history.x_of_z[i])
            axes[1, column].set_xlabel("")
            if column > 0:
                axes[1, column].tick_params(labelleft=False)
    figure.supxlabel("x" + (_t("   (the noise line z is drawn in the same units)") if arrows
                            else ""), fontsize=10, y=0.1)
    figure.legend(loc="lower center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 0.01),
                  handles=axes[0, 0].get_lines()[:3])
    below = (_t("  Below, arrows z \u2192 x = G(z): where they bunch, G contracts and p_g is "
                "high.") if arrows else "")
    figure.suptitle(_t("Figure 1 of Goodfellow et al. (2014), from a real run: D (blue, dashed) "
                       "learns to tell p_data (black, dotted) from p_g (green);\nG follows D's "
                       "gradient until p_g = p_data and D = 1/2.") + below, fontsize=10.5)
    figure.subplots_adjust(left=0.06, right=0.99, top=0.83, bottom=0.2)
    return figure


# ---------------------------------------------------------------- losses, JSD, D against D*
def losses_figure(history, g_loss="non_saturating", window=None, ax=None):
    """D's loss, G's loss and the minibatch estimate of V(D, G) (Goodfellow et al. 2014, Eq. 1)
    at every step, raw and as a moving average of ``window`` steps (default: 1/50 of the run).
    Reference levels: V = -log 4 at the equilibrium D = 1/2, p_g = p_data (Theorem 1), where
    D's loss -V is log 4, and G's loss at D = 1/2 (log 2 for "non_saturating", -log 2 for
    "minimax"). Returns the figure."""
    history = _as_history(history)
    if g_loss not in GENERATOR_IDEAL:
        raise ValueError(f"g_loss must be one of {tuple(GENERATOR_IDEAL)}, got {g_loss!r}")
    steps = history.d_loss.size
    window = max(1, steps // 50) if window is None else window
    if not isinstance(window, (int, np.integer)) or not 1 <= window <= steps:
        raise ValueError(f"window must be an integer in [1, {steps}], got {window!r}")
    figure, ax = _target_axes(ax, figsize=LOSSES_SIZE)
    step_numbers = np.arange(1, steps + 1)
    centres = np.arange(1, steps - window + 2) + (window - 1) / 2
    kernel = np.full(window, 1.0 / window)
    curves = ((_t("D's loss  $-\\hat V$"), history.d_loss, D_STYLE["color"]),
              (_t("G's loss"), history.g_loss, P_G_STYLE["color"]),
              (_t("$\\hat V$, the minibatch estimate of V(D, G)"), history.value, "black"))
    for label, values, color in curves:
        ax.plot(step_numbers, values, color=color, alpha=0.25, linewidth=0.7)
        ax.plot(centres, np.convolve(values, kernel, mode="valid"), color=color,
                linewidth=1.8, label=_t("{label} ({window}-step mean)").format(
                    label=label, window=window))
    ideal, ideal_label = GENERATOR_IDEAL[g_loss]
    ax.axhline(-LOG_4, color="0.3", linestyle="-.", linewidth=1.0,
               label=r"$-\log 4$: V at the equilibrium ($D$'s loss is $\log 4$ there)")
    ax.axhline(LOG_4, color="0.6", linestyle="-.", linewidth=1.0)
    ax.axhline(ideal, color=P_G_STYLE["color"], linestyle="-.", linewidth=1.0, alpha=0.7,
               label=ideal_label)
    ax.set_xlabel(_t("step (generator updates)"))
    ax.set_ylabel(_t("loss  (nats)"))
    ax.set_xlim(1, steps)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2,
              frameon=False)
    ax.set_title(_t("The losses settle at the equilibrium levels when D can no longer tell "
                    "p_g from p_data"), fontsize=10)
    return figure


def jsd_figure(history, ax=None):
    """JSD(p_data || p_g) in nats at each snapshot on a log axis; C(G) = -log 4 + 2 JSD
    (Goodfellow et al. 2014, Theorem 1), so this is how far G is from the game's minimum.
    Returns the figure."""
    history = _as_history(history)
    _require_snapshots(history)
    figure, ax = _target_axes(ax, figsize=JSD_SIZE)
    ax.semilogy(history.snapshot_steps, history.jsd, "o-", color=P_G_STYLE["color"],
                markersize=3.5, label=r"JSD$(p_{\mathrm{data}} \| p_g)$")
    ax.axhline(LOG_2, color="0.4", linestyle="-.", linewidth=1.0,
               label=r"$\log 2$: the largest JSD (disjoint supports)")
    ax.set_xlabel(_t("step"))
    ax.set_ylabel(_t("JSD  (nats, log scale)"))
    ax.legend(fontsize=8)
    ax.set_title(_t("How far p_g is from p_data: C(G) = -log 4 + 2 JSD falls to its minimum"),
                 fontsize=10)
    return figure


def discriminator_figure(result, ax=None):
    """The trained D(x) against D*(x) = p_data(x) / (p_data(x) + p_g(x)) for the final G
    (Goodfellow et al. 2014, Proposition 1), with p_g from the last snapshot as a `Tabulated`
    density; at the equilibrium both are 1/2. Returns the figure."""
    for name in ("D", "history", "config"):
        if not hasattr(result, name):
            raise TypeError(f"result must be a TrainResult, got {type(result).__name__}")
    history = _as_history(result.history)
    _require_snapshots(history)
    grid = history.grid
    p_g = Tabulated(grid, history.p_g_grid[-1])
    D_star = optimal_discriminator(result.config.target, p_g)(grid)
    figure, ax = _target_axes(ax, figsize=DISCRIMINATOR_SIZE)
    ax.axhline(0.5, color="0.5", linewidth=1.0, label=_t("1/2: D at the equilibrium"))
    ax.plot(grid, D_star, color="tab:purple", linewidth=2.0,
            label=r"$D^*(x) = p_{\mathrm{data}} / (p_{\mathrm{data}} + p_g)$")
    ax.plot(grid, discriminator_on(result.D, grid), label=_t(r"trained $D(x)$"), **D_STYLE)
    densities = ax.twinx()
    densities.plot(grid, history.p_data_grid, alpha=0.5, **P_DATA_STYLE)
    densities.plot(grid, p_g.pdf(grid), alpha=0.5, **P_G_STYLE)
    densities.set_ylabel(_t("density (faint: p_data dotted, p_g solid)"), color="0.4")
    densities.set_ylim(bottom=0.0)
    ax.set_xlim(*_view_range(history, [len(history.snapshot_steps) - 1]))
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("x")
    ax.set_ylabel("D(x)")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(_t("After {steps} steps: D against the best response D* to the final G")
                 .format(steps=history.snapshot_steps[-1]), fontsize=10)
    return figure
