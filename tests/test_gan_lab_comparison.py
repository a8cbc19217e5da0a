"""The comparison harness (gan.lab.comparison): one row per run with the promised fields, success by
the stated rules (gan.lab.success), the same measurement as the games' own where both exist, and
determinism by seed.

Training runs here are tiny (2 seeds, 20 steps): they check the plumbing, not the GANs.
"""

import math

import numpy as np
import pytest
from scipy.stats import norm

from gan.lab.comparison import (ROW_FIELDS, Target, Variant, course_targets, course_variants,
                                evaluation_stream, measure, run_comparison, summarise)
from gan.config import GANConfig
from gan.distributions import Mixture, Normal
from gan.game import GAN
from gan.targets2d import ring
from gan.theory import jsd
from gan.train import train
from gan.variants import ConditionalGAN, WGAN
from nn.fast import MLP

TINY = dict(steps=20, batch_size=32)


def tiny_targets():
    normal, two_modes, plane = course_targets()
    plane = Target(plane.name, plane.config.replace(g_hidden=(8,), d_hidden=(8,), **TINY),
                   plane.criterion, plane.score)
    return (Target(normal.name, normal.config.replace(**TINY), normal.criterion),
            Target(two_modes.name, two_modes.config.replace(**TINY), two_modes.criterion),
            plane)


def tiny_variants():
    by_name = {v.name: v for v in course_variants()}
    return by_name["plain GAN"], by_name["WGAN"], by_name["conditional GAN"], by_name["WGAN-GP"]


def without_seconds(rows):
    return [{key: value for key, value in row.items() if key != "seconds"} for row in rows]


@pytest.fixture(scope="module")
def tiny_rows():
    return run_comparison(tiny_variants(), tiny_targets(), seeds=(0, 1))


def test_one_row_per_variant_target_and_seed_with_the_promised_fields(tiny_rows):
    variants, targets = tiny_variants(), tiny_targets()
    expected = [(v.name, t.name, s) for t in targets for v in variants if v.runs_on(t)
                for s in (0, 1)]
    assert [(r["variant"], r["target"], r["seed"]) for r in tiny_rows] == expected
    # the conditional GAN needs classes: it runs on the two-mode mixture only
    assert {r["target"] for r in tiny_rows if r["variant"] == "conditional GAN"} == {"two modes"}
    for row in tiny_rows:
        assert tuple(row) == ROW_FIELDS
        assert not row["diverged"] and row["seconds"] > 0
        if row["target"] == "ring of 8":
            assert set(row["metrics"]) == {"modes_covered", "modes", "high_quality"}
        else:
            assert {"jsd", "mean", "std"} <= set(row["metrics"])
            assert 0 <= row["metrics"]["jsd"] <= math.log(2) + 1e-12
        if row["target"] == "two modes":
            assert len(row["metrics"]["mode_mass"]) == 2


def test_every_row_applies_its_targets_criterion(tiny_rows):
    criteria = {t.name: t.criterion for t in tiny_targets()}
    for row in tiny_rows:
        assert row["success"] == criteria[row["target"]](row["metrics"])


def test_rows_are_the_same_for_the_same_seeds_and_any_number_of_workers(tiny_rows):
    again = run_comparison(tiny_variants()[:2], tiny_targets()[:1], seeds=(1, 0), workers=2)
    first = {(r["variant"], r["target"], r["seed"]): r for r in without_seconds(tiny_rows)}
    for row in without_seconds(again):
        assert row == first[(row["variant"], row["target"], row["seed"])]


def test_a_diverged_run_is_a_failure_not_a_crash():
    class Diverging(GAN):
        def discriminator_update(self, step, rng):
            return float("nan"), float("nan")

    target = tiny_targets()[0]
    (row,) = run_comparison([Variant("diverging", Diverging)], [target], seeds=(0,))
    assert row["diverged"] and not row["success"] and row["metrics"] == {}
    (entry,) = summarise([row], [target])
    assert entry["worst"] == pytest.approx(math.log(2))   # counted as disjoint supports


def test_measured_jsd_equals_the_plain_games_own_final_jsd():
    config = GANConfig(**TINY, snapshot_every=0, seed=3)
    result = train(config)
    game = GAN.from_players(config, result.G, result.D, None, None)
    assert measure(game, evaluation_stream(3))["jsd"] == pytest.approx(result.metrics["jsd"],
                                                                       rel=1e-9)


def test_measured_coverage_equals_the_2d_games_own_final_coverage():
    config = GANConfig(target=ring(), noise_dim=2, g_hidden=(8,), d_hidden=(8,), snapshot_every=0,
                       seed=2, **TINY)
    result = train(config)                                  # measured in the plane
    game = GAN.from_players(config, result.G, result.D, None, None)
    metrics = measure(game, evaluation_stream(2))
    assert metrics["modes_covered"] == result.metrics["modes_covered"]
    assert metrics["high_quality"] == result.metrics["high_quality"]


def test_an_affine_generator_is_measured_as_the_normal_it_pushes_forward():
    # G(z) = 3 + 0.25 z pushes N(0, 1) to N(3, 0.25^2), one of the two modes exactly: the mass
    # within 4 sigma of +3 is 2 Phi(4) - 1 (scipy), of -3 it is Phi(-20) ~ 0, and the JSD is that
    # of the mixture against one component (gan.theory.jsd, by quadrature).
    p_data = Mixture([Normal(-3.0, 0.25), Normal(3.0, 0.25)])
    config = GANConfig(target=p_data, snapshot_every=0)
    G = MLP([1, 1], rng=np.random.default_rng(0))
    G.layers[0].W[...], G.layers[0].b[...] = 0.25, 3.0
    game = GAN.from_players(config, G, None, None, None)
    metrics = measure(game, evaluation_stream(0))
    assert metrics["mode_mass"][0] == pytest.approx(0.0, abs=1e-9)
    assert metrics["mode_mass"][1] == pytest.approx(2 * norm.cdf(4) - 1, abs=1e-4)
    assert metrics["jsd"] == pytest.approx(jsd(p_data, Normal(3.0, 0.25)), abs=1e-4)
    assert (metrics["mean"], metrics["std"]) == pytest.approx((3.0, 0.25), abs=1e-3)


def test_conditional_marginal_jsd_is_at_most_the_weighted_per_class_jsd():
    # JSD is jointly convex, so JSD(sum w_c p_c || sum w_c q_c) <= sum w_c JSD(p_c || q_c): the
    # marginal the harness measures can never be worse than the game's own per-class figure.
    p_data = Mixture([Normal(-3.0, 0.25), Normal(3.0, 0.25)], weights=[0.7, 0.3])
    config = GANConfig(target=p_data, snapshot_every=0, seed=1, **TINY)
    result = train(config, game=ConditionalGAN)
    game = ConditionalGAN.from_players(config, result.G, result.D)
    assert measure(game, evaluation_stream(1))["jsd"] <= result.metrics["jsd"] + 1e-9


def test_run_comparison_rejects_bad_arguments():
    targets, variants = tiny_targets(), tiny_variants()
    with pytest.raises(ValueError, match="seeds"):
        run_comparison(variants, targets, seeds=(-1,))
    with pytest.raises(ValueError, match="workers"):
        run_comparison(variants, targets, seeds=(0,), workers=0)
    with pytest.raises(TypeError, match="variants"):
        run_comparison([WGAN], targets, seeds=(0,))
