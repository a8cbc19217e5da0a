"""What one run may ask for, checked before anything is allocated.

A GANConfig's sizes multiply: widths make parameters, batch_size times widths make activations,
steps make the loss history, grid_size and the evaluation's 100 000 noise samples make the
measurements. `memory_estimate` adds those terms up (bytes; an estimate within a small factor,
not an exact count) so a run that could not fit is refused with "would need ~X GiB" instead of
failing inside numpy's allocator minutes later. `MAX_UPDATES` bounds k * steps, the number of
discriminator updates, so that no accepted run silently takes days.
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


def memory_terms(config):
    """{field to reduce: bytes} of a run of `config` (a GANConfig), the terms of the estimate."""
    item = 4 if config.dtype == "float32" else 8
    dim = getattr(config.target, "dim", 1)
    g_sizes = [config.noise_dim, *config.g_hidden, dim]
    d_sizes = [dim, *config.d_hidden, 1]
    m = config.batch_size
    widest = max(g_sizes + d_sizes)
    snapshots = config.steps // config.snapshot_every + 2 if config.snapshot_every else 0
    return {
        # parameters, gradients, two optimiser moments, G's average, copies: ~6 buffers
        "g_hidden/d_hidden": 6 * item * (parameter_count(g_sizes) + parameter_count(d_sizes)),
        # each layer keeps its input, output and gradient: 2m rows through D, m through G and D
        "batch_size": 4 * item * m * (2 * sum(d_sizes) + sum(g_sizes) + sum(d_sizes)),
        "steps": 3 * 8 * config.steps + snapshots * 8 * (2 * config.grid_size + 32),
        # z_eval and G on it, the pushforward's cells, the 4x finer grid through D
        "noise_dim": item * EVALUATION_SAMPLES * (config.noise_dim + 2 * widest)
        + 8 * 4 * PUSHFORWARD_CELLS * widest,
        "grid_size": 8 * 4 * 4 * config.grid_size * widest,
    }


def memory_estimate(config):
    """Bytes a run of `config` needs, roughly (see `memory_terms`)."""
    return sum(memory_terms(config).values())


def largest_term(config):
    """The field whose term dominates the estimate, and its share, for the refusal message."""
    terms = memory_terms(config)
    name = max(terms, key=terms.get)
    return f"{name} (~{terms[name] / 2**30:.3g} GiB of it)"
