"""2D targets and mode coverage: hand-made cases with known answers, the 3-sigma share of a
Gaussian, exact cell masses and JSD against scipy, and a 2D run that measures in the plane."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon
from scipy.stats import multivariate_normal

from gan.config import GANConfig
from gan.distributions import Normal
from gan.game import GAN
from gan.targets2d import (IMAGE_SIDE, Plane, binned_jsd, cell_masses, grid, mode_centres,
                           mode_coverage, plane_config, ring)
from gan.plots.plane import decision_surface, evolution_2d, generator_transformation
from gan.train import train
from nn.fast import MLP


def test_ring_and_grid_have_the_benchmark_geometry():
    """Ring: 8 means at radius 2, 45 degrees apart, sigma 0.02. Grid: means (-4 + 2i, -4 + 2j),
    sigma 0.05."""
    centres, sigma = mode_centres(ring())
    assert sigma == 0.02 and centres.shape == (8, 2)
    np.testing.assert_allclose(np.hypot(*centres.T), 2.0, rtol=1e-15)
    angles = np.sort(np.mod(np.arctan2(centres[:, 1], centres[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), np.pi / 4, rtol=1e-12)
    centres, sigma = mode_centres(grid())
    assert sigma == 0.05
    expected = {(-4.0 + 2 * i, -4.0 + 2 * j) for i in range(5) for j in range(5)}
    assert {tuple(point) for point in centres} == expected


@pytest.mark.parametrize("target", [ring(), grid()], ids=["ring", "grid"])
def test_samples_exactly_at_every_mode_cover_all_with_full_quality(target):
    centres, sigma = mode_centres(target)
    coverage = mode_coverage(np.repeat(centres, 20, axis=0), centres, sigma)
    assert coverage["modes_covered"] == len(centres) and coverage["high_quality"] == 1.0


@pytest.mark.parametrize("target", [ring(), grid()], ids=["ring", "grid"])
def test_samples_all_at_one_mode_cover_one_mode(target):
    centres, sigma = mode_centres(target)
    coverage = mode_coverage(np.repeat(centres[3:4], 2500, axis=0), centres, sigma)
    assert coverage["modes_covered"] == 1 and coverage["high_quality"] == 1.0
    assert coverage["counts"][3] == 2500


def test_a_mode_needs_twenty_samples_to_count():
    centres, sigma = mode_centres(ring())
    x = np.concatenate([np.repeat(centres[:1], 19, axis=0), np.repeat(centres[1:2], 20, axis=0)])
    assert mode_coverage(x, centres, sigma)["modes_covered"] == 1


def test_samples_between_the_modes_are_neither_quality_nor_coverage():
    """The origin is 2 = 100 sigma from every mode of the ring."""
    centres, sigma = mode_centres(ring())
    coverage = mode_coverage(np.zeros((2500, 2)), centres, sigma)
    assert coverage["modes_covered"] == 0 and coverage["high_quality"] == 0.0


@settings(max_examples=50)
@given(st.floats(0.0, 6.0), st.floats(0.0, 2 * np.pi), st.integers(0, 7))
def test_a_sample_is_high_quality_exactly_within_three_sigma(radius, angle, mode):
    """radius in units of sigma; ring modes are 1.53 = 76 sigma apart, so the nearest mode is
    the one we step away from."""
    centres, sigma = mode_centres(ring())
    point = centres[mode] + radius * sigma * np.array([np.cos(angle), np.sin(angle)])
    quality = mode_coverage(point[None, :], centres, sigma)["high_quality"]
    if abs(radius - 3.0) > 1e-9:
        assert quality == float(radius < 3.0)


def test_target_samples_are_high_quality_with_the_chi_probability():
    """||x - mu|| / sigma ~ chi with 2 degrees of freedom: P(<= 3) = 1 - exp(-9/2) = 0.98889.
    n = 40000 samples: standard error sqrt(p (1 - p) / n) = 0.00052; 5 SE = 0.0026."""
    target = grid()
    centres, sigma = mode_centres(target)
    x = target.sample(40_000, np.random.default_rng(0))
    assert mode_coverage(x, centres, sigma)["high_quality"] == pytest.approx(
        1 - math.exp(-4.5), abs=0.0026)


def test_cell_masses_match_scipy_rectangle_probabilities():
    """P(a1 < x1 <= b1, a2 < x2 <= b2) = F(b1, b2) - F(a1, b2) - F(b1, a2) + F(a1, a2), F the
    bivariate normal cdf (scipy, numerical to ~1e-8)."""
    target = ring(modes=3, radius=1.0, sigma=0.4)
    edges = np.linspace(-2.0, 2.0, 6)
    masses = cell_masses(target, edges)
    reference = np.zeros((5, 5))
    for weight, component in zip(target.weights, target.components):
        F = multivariate_normal(component.mu_vector, component.sigma**2 * np.eye(2))
        corner = np.array([[F.cdf([a, b]) for b in edges] for a in edges])
        reference += weight * (corner[1:, 1:] - corner[:-1, 1:] - corner[1:, :-1]
                               + corner[:-1, :-1])
    np.testing.assert_allclose(masses, reference, atol=1e-6)


@given(st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
       st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5))
def test_binned_jsd_matches_scipy(p, q):
    p, q = np.array(p), np.array(q)
    assume(p.sum() > 0 and q.sum() > 0)
    p, q = p / p.sum(), q / q.sum()
    # the reference is trusted on normal floats only: for a subnormal mass (5e-324) scipy's
    # jensenshannon returns inf, where the JSD is (5e-324 / 2) log 2 ~ 0
    tiny = np.finfo(np.float64).tiny
    assume(np.all((p == 0) | (p >= tiny)) and np.all((q == 0) | (q >= tiny)))
    assert binned_jsd(p, q) == pytest.approx(jensenshannon(p, q) ** 2, abs=1e-12)


def test_binned_jsd_counts_a_subnormal_mass_as_almost_nothing():
    p, q = np.array([0.0, 1.0]), np.array([5e-324, 1.0])
    assert 0.0 <= binned_jsd(p, q) < 1e-300


def test_binned_jsd_is_log_2_for_disjoint_supports():
    assert binned_jsd(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(math.log(2))


def test_a_2d_run_measures_in_the_plane():
    config = GANConfig(target=ring(), noise_dim=2, g_hidden=(8,), d_hidden=(8,), batch_size=32,
                       steps=20, snapshot_every=10, average_last=0.0)
    result = train(config, measurer=Plane())
    history = result.history
    assert np.asarray(history.D_grid).shape == (3, IMAGE_SIDE, IMAGE_SIDE)
    assert np.asarray(history.x_of_z).shape == (3, 2500, 2)
    assert all(0.0 <= j <= math.log(2) + 1e-12 for j in history.jsd)
    assert 0 <= result.metrics["modes_covered"] <= 8


def test_generator_transformation_draws_the_images_of_lines_of_constant_z():
    """The right panel's curves are G applied to the left panel's lines, point for point, and
    each left line holds z_1 (first family) or z_2 (second family) fixed."""
    G = MLP([2, 8, 2], "tanh", rng=np.random.default_rng(0))
    figure = generator_transformation(G, Normal([0.0, 0.0], 1.0), ring(), lines=3, points=7)
    left, right = figure.axes
    z_lines = [np.column_stack(line.get_data()) for line in left.get_lines()]
    x_lines = [np.column_stack(line.get_data()) for line in right.get_lines()]
    assert len(z_lines) == len(x_lines) == 6
    for family, (z, x) in enumerate(zip(z_lines, x_lines)):
        fixed = 0 if family < 3 else 1
        assert np.ptp(z[:, fixed]) == 0.0 and np.ptp(z[:, 1 - fixed]) > 0
        np.testing.assert_allclose(x, G.forward(z), rtol=1e-12)


def test_evolution_2d_has_a_panel_per_chosen_snapshot():
    config = GANConfig(target=grid(), noise_dim=2, g_hidden=(4,), d_hidden=(4,), batch_size=16,
                       steps=4, snapshot_every=1, average_last=0.0)
    figure = evolution_2d(train(config).history, grid(), panels=3)     # Plane by default
    assert len(figure.axes) == 3 + 1                       # three panels and the colour bar


def test_plane_config_maps_two_dimensional_noise_into_the_plane_and_takes_changes():
    config = plane_config(grid(), steps=7, seed=3)
    assert (config.target.dim, config.noise_dim, config.steps, config.seed) == (2, 2, 7, 3)
    assert mode_centres(plane_config().target)[0].shape == (8, 2)       # the ring by default
    game = GAN(config.replace(g_hidden=(4,), d_hidden=(4,)), np.random.default_rng(0))
    assert game.G.forward(game.sample_noise(5, np.random.default_rng(1))).shape == (5, 2)


@pytest.mark.parametrize("call, error, message", [
    (lambda: plane_config(steps=0), ValueError, "steps must be a positive integer, got 0"),
    (lambda: ring(modes=0), ValueError, "modes must be a positive integer, got 0"),
    (lambda: grid(sigma=-1.0), ValueError, "sigma must be a positive finite number, got -1.0"),
    (lambda: mode_centres(Normal(0.0, 1.0)), ValueError, "target must be a 2D Mixture"),
    (lambda: mode_coverage(np.zeros((4, 3)), np.zeros((2, 2)), 0.1), ValueError,
     r"x must be a non-empty array of shape \(N, 2\), got shape \(4, 3\)"),
    (lambda: mode_coverage(np.zeros((4, 2)), np.zeros((2, 2)), 0.1, min_samples=0), ValueError,
     "min_samples must be a positive integer, got 0"),
    (lambda: GANConfig(target=Normal([0, 0, 0], 1.0)), ValueError,
     "target must be one- or two-dimensional, got dim 3"),
    (lambda: decision_surface(None, np.arange(4.0), np.zeros((3, 4)), np.zeros((1, 2))),
     ValueError, r"D_grid must have shape \(4, 4\), got \(3, 4\)"),
    (lambda: generator_transformation(None, Normal(0.0, 1.0)), ValueError,
     "p_z must be at least two-dimensional, got dim 1"),
])
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
