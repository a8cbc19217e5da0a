"""What one run may ask for, checked before anything is allocated.

A GANConfig's sizes multiply: widths make parameters, batch_size times widths make activations,
steps make the loss history, grid_size and the evaluation's 100 000 noise samples make the
measurements. `memory_terms` counts the arrays a run really holds (bytes, the peak resident
memory above the interpreter's, within ~30% as tests/test_gan_limits_memory.py measures), so a
run that could not fit is refused with "would need ~X GiB" instead of failing inside numpy's
allocator minutes later. `MAX_UPDATES` bounds k * steps, the number of discriminator updates,
so that no accepted run silently takes days.

A run's arrays live in phases that never overlap, so the peak is what lives throughout plus the
largest phase:

    peak = parameters + histories + max(training step, evaluation of G, density on the fine grid,
                                         snapshot)

A network of hidden widths h_1..h_L pushed through by n rows holds n (a sum h_i + b max h_i)
numbers: a per layer it keeps for the backward pass (its output and f'(x) on the textbook
engine), b at the widest layer while it is computed (the pre-activation, f''(x), temporaries).
The counts a, b are the engine's (`ENGINE_ARRAYS`), measured by the test above.

The evaluation counted is the line's (`gan.measure.Line`); a 2D target is measured on the plane
(`gan.targets2d.Plane`, 2500 samples), so its estimate is an upper bound.
"""

from __future__ import annotations

import os

SEED_LIMIT = 2**64              # rng.Generator takes seeds in [0, 2**64)
MAX_COUNT = 10**9               # k, batch_size, steps, grid_size, snapshot_every
MAX_WIDTH = 10**6               # noise_dim and each hidden width
MAX_UPDATES = 10**8             # k * steps (about a day at ~1 ms per update)
MEMORY_CEILING = 4 * 2**30      # bytes; lowered to half the machine's memory when that is less

EVALUATION_SAMPLES = 100_000    # gan.measure.Line.setup's z_eval
PUSHFORWARD_CELLS = 20_000      # gan.pushforward.DEFAULT_N_Z
SNAPSHOT_SAMPLES = 10_000       # gan.measure.SNAPSHOT_SAMPLES
CENTRAL_POINTS = 1001           # gan.measure.final_metrics: D on p_data's central 95%

# Arrays of (rows x width) a network holds per hidden layer (a) and at its widest (b), in a
# forward pass alone and in a forward and backward pass (a training step), on each engine.
# The textbook engine keeps f(x) and f'(x) per layer and makes f''(x) beside them; the fast
# engine writes in place but its backward keeps one array more per layer.
ENGINE_ARRAYS = {
    "textbook": {"forward": (2.0, 2.0), "train": (2.0, 2.0)},
    "fast": {"forward": (2.0, 0.25), "train": (3.0, 0.1)},
}
# float64 arrays of (rows x noise_dim) made while drawing normal noise: uniforms, logs, roots,
# cosines of Box-Muller on the textbook generator; jump-ahead blocks on the fast one.
NOISE_DRAW_ARRAYS = {"textbook": 7.0, "fast": 3.0}
# float64 numbers per minibatch sample besides the networks' arrays: the noise and data drawn
# (with the generator's work arrays; the fast one draws in blocks ahead), real and fake joined,
# the losses and their gradients on the 2m logits.
SAMPLE_ARRAYS = {"textbook": 16.0, "fast": 40.0}
# float64 arrays of the fine grid's size that the pushforward's binning makes at once
# (edges, bin indices, masses, difference arrays, p_data's density; gan.pushforward).
BINNING_ARRAYS = 18
# Copies of the parameters that live throughout: theta, its gradient and the optimiser's state.
OPTIMIZER_COPIES = {"adam": 4, "rmsprop": 3, "sgd": 2}
# Copies made during an optimiser step and a weight check (m_hat, v_hat, their root, the
# update, flat copies of one player's parameters).
STEP_COPIES = 5
# What each member of a stacked ensemble keeps after its evaluation, besides its arrays: its
# generators, its History and its players' small cached outputs (measured, bytes).
MEMBER_OVERHEAD = 3 * 2**19


def memory_limit():
    """The most one run may need: MEMORY_CEILING, or half the physical memory if smaller."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return MEMORY_CEILING
    return min(MEMORY_CEILING, physical // 2)


def parameter_count(sizes):
    """Weights and biases of an MLP with layer sizes [n_0, ..., n_L]: sum (n_i + 1) n_(i+1)."""
    return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


def activation_count(rows, sizes, engine, phase):
    """Numbers held while `rows` rows go through an MLP of layer `sizes` (a forward pass,
    phase "forward", or forward and backward, "train"):
    rows (a sum h_i + b max h_i + n_0 + n_L), with (a, b) = ENGINE_ARRAYS[engine][phase]."""
    a, b = ENGINE_ARRAYS[engine][phase]
    hidden = sizes[1:-1]
    return rows * (a * sum(hidden) + b * max(hidden, default=0) + sizes[0] + sizes[-1])


def _shapes(config):
    item = 4 if config.dtype == "float32" else 8
    dim = getattr(config.target, "dim", 1)
    return item, [config.noise_dim, *config.g_hidden, dim], [dim, *config.d_hidden, 1]


def _phases(config, members=None):
    """({field: bytes} of what lives throughout, {phase: {field: bytes}}) of one run of `config`
    (`gan.train.train`), or of `members` runs stacked as one ensemble (gan.lab.ensemble),
    evaluated member after member, whose evaluated members keep their results."""
    item, g_sizes, d_sizes = _shapes(config)
    stacked, members = members is not None, members or 1
    engine = "fast" if stacked else config.engine          # ensembles stack on nn.fast only
    m, grid = config.batch_size, config.grid_size

    def forward(rows, sizes):       # bytes held by a forward pass of `rows` rows
        return item * activation_count(rows, sizes, engine, "forward")

    fine = 4 * (grid - 1) + 1                               # final_metrics' fine grid
    cells = PUSHFORWARD_CELLS + 2                           # z points of the pushforward
    g_params, d_params = parameter_count(g_sizes), parameter_count(d_sizes)
    copies = OPTIMIZER_COPIES[config.optimizer]
    averaged = 1 if config.average_last > 0 else 0          # G's running average
    snapshots = config.steps // config.snapshot_every + 2 if config.snapshot_every else 0
    # losses (d_loss, g_loss, V) every step, copied per member in an ensemble; snapshots
    histories = 3 * 8 * config.steps * (2 if stacked else 1)
    kept = {
        "g_hidden/d_hidden": members * item * ((copies + averaged) * g_params
                                               + copies * d_params),
        "steps": members * histories,
        "grid_size": 8 * grid * (2 + 2 * snapshots),        # grid, p_data, D and p_g per snapshot
    }
    if stacked:         # each evaluated member keeps G's cached pass over the pushforward's cells
        kept["members"] = (members - 1) * (
            forward(cells, g_sizes) + item * EVALUATION_SAMPLES * g_sizes[-1] + MEMBER_OVERHEAD)
    # A textbook layer keeps its last minibatch's arrays into the evaluation.
    left_over = (item * m * 2 * (sum(g_sizes[1:-1]) + sum(d_sizes[1:-1]))
                 if engine == "textbook" else 0)
    d_step = (activation_count(2 * m, d_sizes, engine, "train")       # real and fake through D
              + activation_count(m, g_sizes, engine, "forward"))     # G(z) still held
    g_step = (activation_count(m, g_sizes, engine, "train")
              + activation_count(m, d_sizes, engine, "train"))
    phases = {
        "training": {
            "batch_size": members * (item * max(d_step, g_step)
                                     + 8 * SAMPLE_ARRAYS[engine] * m),
            "g_hidden/d_hidden": members * item * STEP_COPIES * max(g_params, d_params),
        },
        "evaluation": {     # G on the 100k evaluation samples, and drawing them
            "g_hidden/d_hidden": forward(EVALUATION_SAMPLES, g_sizes)
            + forward(CENTRAL_POINTS, d_sizes),
            "noise_dim": EVALUATION_SAMPLES * config.noise_dim
            * (8 * NOISE_DRAW_ARRAYS[engine] + item),
            "batch_size": left_over,
        },
        "density": {        # p_g binned on the fine grid, G's pass over the cells still held
            "grid_size": 8 * BINNING_ARRAYS * fine,
            "g_hidden/d_hidden": forward(cells, g_sizes),
            "batch_size": left_over,
        },
    }
    if snapshots and not stacked:
        phases["snapshot"] = {      # D on the grid, p_g binned on it, G on 10k samples
            "grid_size": forward(grid, d_sizes) + 8 * BINNING_ARRAYS * grid,
            "g_hidden/d_hidden": forward(SNAPSHOT_SAMPLES, g_sizes),
            "batch_size": left_over,
        }
    return kept, phases


def _terms(kept, phases):
    largest = max(phases.values(), key=lambda terms: sum(terms.values()))
    terms = dict(kept)
    for name, size in largest.items():
        terms[name] = terms.get(name, 0) + size
    return terms


def memory_terms(config):
    """{field to reduce: bytes} of a run of `config` (a GANConfig), the terms of the estimate:
    what lives throughout the run plus the terms of its largest phase (see the module notes)."""
    return _terms(*_phases(config))


def memory_estimate(config):
    """Bytes a run of `config` needs above the interpreter's: the sum of `memory_terms`."""
    return sum(memory_terms(config).values())


def ensemble_memory_terms(config, members):
    """{field to reduce: bytes} of `members` runs of `config` stacked as one ensemble
    (gan.lab.ensemble, on the fast engine): parameters, minibatches and histories once per
    member, one member's evaluation at a time, and the results the evaluated members keep."""
    return _terms(*_phases(config, members))


def ensemble_memory_estimate(config, members):
    """Bytes a stacked ensemble of `members` runs of `config` needs, the sum of
    `ensemble_memory_terms`: about members x (one member's own arrays) + one evaluation."""
    return sum(ensemble_memory_terms(config, members).values())


def members_that_fit(config, limit, processes=1):
    """The most members of `config` one stacked ensemble may hold when `processes` ensembles
    run side by side within `limit` bytes: the largest E with
    processes * ensemble_memory_estimate(config, E) <= limit (0 when not even one fits)."""
    budget = limit // processes
    fits = lambda members: ensemble_memory_estimate(config, members) <= budget  # noqa: E731
    if not fits(1):
        return 0
    low, high = 1, 2                  # the estimate grows with E: fits(low), not fits(high)
    while fits(high):
        low, high = high, 2 * high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def largest_term(config, members=None):
    """The field whose term dominates the estimate, and its share, for the refusal message
    (of a stacked ensemble of `members` runs when given)."""
    terms = memory_terms(config) if members is None else ensemble_memory_terms(config, members)
    name = max(terms, key=terms.get)
    return f"{name} (~{terms[name] / 2**30:.3g} GiB of it)"
