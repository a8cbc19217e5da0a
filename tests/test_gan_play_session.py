"""The playground's pieces: the gradient arrows, the bounded history, the target parser."""

from __future__ import annotations

import numpy as np
import pytest

from gan.cli.arguments import parse_distribution
from gan.distributions import Mixture
from gan.objectives import softplus
from gan.play.history import Series
from gan.play.params import parse_target
from gan.play.session import Session
from gan.play.view import per_sample_gradient


@pytest.mark.parametrize("kind", ["non_saturating", "minimax"])
@pytest.mark.parametrize("target", ["normal", "ring"])
def test_gradient_arrows_are_the_per_sample_loss_gradient(kind, target):
    # outside truth: central finite differences of l_G(x) = s(-l(x)) (non-saturating) or
    # -s(l(x)) (minimax) through D's forward, at the fake samples x = G(z)
    session = Session(seed=1, target=target, g_loss=kind)
    session.step("iteration", 5)
    G, D = session.game.G, session.game.D
    z = np.random.default_rng(0).standard_normal((6, session.config.noise_dim))
    x, gradient = per_sample_gradient(G, D, z, kind)

    def loss(points):
        logits = D.forward(points)[:, 0]
        return softplus(-logits) if kind == "non_saturating" else -softplus(logits)

    h = 1e-6
    for axis in range(x.shape[1]):
        shift = np.zeros_like(x)
        shift[:, axis] = h
        numeric = (loss(x + shift) - loss(x - shift)) / (2 * h)
        assert np.allclose(gradient[:, axis], numeric, rtol=1e-5, atol=1e-8)


def test_series_stays_bounded_and_spans_the_run_evenly():
    series = Series(("t",), capacity=8)
    for t in range(1, 1001):
        series.add((t,))
        assert series.size <= 8
    kept = series.data[: series.size, 0]
    assert kept[0] == 1 and np.all(np.diff(kept) == series.stride)      # evenly spaced
    assert kept[-1] > 1000 - series.stride                              # up to now
    shown = series.to_json(3)["t"]
    assert len(shown) <= 4 and shown[0] == 1 and shown[-1] == kept[-1]


def test_typed_targets_are_the_cli_syntax_in_1d_and_a_plane_mixture_in_2d():
    spec = "0.3*normal:-2,0.5+0.7*normal:2,0.5"
    x = np.linspace(-4, 4, 9)
    assert np.array_equal(parse_target(spec).pdf(x), parse_distribution(spec).pdf(x))
    plane = parse_target("normal:-1,0,0.1+3*normal:1,2,0.1")
    assert isinstance(plane, Mixture) and plane.dim == 2
    assert np.allclose(plane.weights, [0.25, 0.75])
    assert np.allclose([c.mu_vector for c in plane.components], [[-1, 0], [1, 2]])
    assert parse_target("ring").dim == 2 and len(parse_target("grid").components) == 25
