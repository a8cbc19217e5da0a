"""Every game on the same targets and seeds: a success rate per variant, by criteria stated first.

The course warns that many GAN variants do not beat a well-tuned GAN. This module makes that a
table: each `Variant` (a game class, its own settings, and the config changes its lesson used) is
trained on each `Target` it supports, once per seed, by the same loop (`gan.train.train`), and
every run is measured the same way by the harness -- not by the game's own measurer, so
that a conditional G, an InfoGAN G and a plain G are judged on the same p_g:

    p_g(x) = sum_c w_c p_g(x | c)      (one part with w = 1 for an unconditional G; the label
                                        weights w_c of the target for a conditional G; 1/K for
                                        InfoGAN's uniform code)

1D targets: p_g is the exact pushforward of the 1D noise through each part (`gan.pushforward`),
JSD(p_data || p_g) in nats on a fine grid, and the mass p_g puts near each mixture component.
2D targets: the mode coverage of VEEGAN / PacGAN for 2500 samples of G (`gan.targets2d`).

A run succeeds when the target's `criterion` says so; a run that diverges fails.

The parts: `course` (the targets and variants compared, judged by the rules of
`gan.lab.success`), `rows` (measuring every run alike and judging it), `harness` (training every
run, on the processes of `gan.lab.pool`), `stacked` (the plain game's seeds as one
`gan.lab.ensemble` run), `table` (the summary, printed by `gan.lab.table` and plotted), `effects`
(effect sizes, their bootstrap intervals, and what Fisher's test can detect at n seeds).
"""

from gan.lab.comparison.course import (COURSE_CONTROLS, Target, Variant, course_targets,
                                       course_variants)
from gan.lab.comparison.harness import run_comparison, run_one
from gan.lab.comparison.rows import ROW_FIELDS, evaluation_stream, generator_parts, measure
from gan.lab.comparison.stacked import run_stacked, stackable
from gan.lab.comparison.table import format_table, plot_comparison, summarise
from gan.lab.success import EveryModeHolds, JSDBelow, ModesCovered

__all__ = ["COURSE_CONTROLS", "stackable", "run_stacked", "Target", "Variant", "course_targets",
           "course_variants", "JSDBelow", "EveryModeHolds",
           "ModesCovered", "ROW_FIELDS", "run_comparison", "run_one", "evaluation_stream",
           "measure", "generator_parts", "summarise", "format_table", "plot_comparison"]
