"""The course's autograder (`gan.course`, ``python -m gan check``): the full edition passes every
part; a bug planted in each part (the function under test monkeypatched) is caught and named by
the right property; a part left blank (NotImplementedError) reports "not implemented"; an
exception in one part never stops the others; results.json has Gradescope's format."""

import json

import numpy as np
import pytest

import gan.train
from gan import pushforward, theory
from gan.cli import main
from gan.course import PARTS, run_part, run_parts, select
from gan.course.gradescope import results as gradescope_results
from gan.variants import wgan_gp
from nn import activations, layers, losses, network, optim
from rng import lcg, normal


@pytest.fixture(scope="module")
def full_edition():
    return {result.name: result for result in run_parts(select())}


def test_the_full_edition_passes_every_part(full_edition):
    assert list(full_edition) == list(PARTS)
    failed = {name: result.report() for name, result in full_edition.items()
              if not result.passed}
    assert failed == {}
    assert all(result.score == result.max_score for result in full_edition.values())


def test_every_part_states_several_properties(full_edition):
    # A part with one property would be all or nothing: each states at least two.
    assert all(len(result.properties) >= 2 for result in full_edition.values())


# ---- planted bugs ------------------------------------------------------------------------
def lcg_wrong_modulus(self):
    self._state = (self.a * self._state + self.c) % (self.m - 1)     # m - 1 for m
    return self._state


def box_muller_cosine_twice(u1, u2):
    radius = np.sqrt(-2.0 * np.log(1.0 - np.asarray(u1)))
    angle = 2.0 * np.pi * np.asarray(u2)
    return radius * np.cos(angle), radius * np.cos(angle + 1e-3)      # z2 ~ z1


def linear_backward_wrong_sign(self, grad_y, param_grads=True, input_grad=True):
    if param_grads:
        self.grad_W = -(self.x.T @ grad_y)                             # the sign
        self.grad_b = grad_y.sum(axis=0)
    return grad_y @ self.W.T if input_grad else None


def tanh_curvature_wrong_sign(self, x):
    y = np.tanh(x)
    slope = 1 - y * y
    return y, slope, 2 * y * slope                                     # f'' = -2 f f'


def sequential_backward_skipping_activations(self, grad_y, param_grads=True, input_grad=True):
    grad = np.asarray(grad_y)
    for layer in reversed(self.layers):
        if isinstance(layer, layers.Linear):                           # f'(a) forgotten
            grad = layer.backward(grad, param_grads)
    return grad


original_bce = losses.bce_with_logits


def bce_summed(logits, targets):
    value, gradient = original_bce(logits, targets)
    return value * np.size(logits), gradient                           # a sum for the mean


def adam_without_bias_correction(self, index, theta, g):
    b1, b2 = self.beta1, self.beta2
    m = self.m[index] = b1 * self.m[index] + (1 - b1) * g
    v = self.v[index] = b2 * self.v[index] + (1 - b2) * g**2
    theta -= self.lr * m / (np.sqrt(v) + self.eps)                     # m, v for m_hat, v_hat


original_logit = theory.optimal_discriminator_logit


def inverted_logit(p_data, p_g):
    logit = original_logit(p_data, p_g)
    return lambda x: -logit(x)                                         # p_g / (p_data + p_g)


original_jsd = theory.jsd


def jsd_doubled(p, q, **kwargs):
    return 2 * original_jsd(p, q, **kwargs)                            # off by a factor 2


original_pushforward = pushforward.pushforward_density


def density_without_width(G, p_z, x_grid, n_z=pushforward.DEFAULT_N_Z):
    result = original_pushforward(G, p_z, x_grid, n_z)
    spacing = x_grid[1] - x_grid[0]
    return result._replace(density=result.density * spacing)            # mass, not mass / width


def iteration_one_d_step(game, step, rng):
    d_loss, v = game.discriminator_update(step, rng)                   # k ignored
    return d_loss, v, game.generator_update(step, rng)


original_penalty = wgan_gp.gradient_penalty


def penalty_gradient_wrong_sign(f, x_hat, lam=wgan_gp.PAPER_LAMBDA, one_sided=False):
    value, gradient, norms = original_penalty(f, x_hat, lam, one_sided)
    return value, -gradient, norms


PLANTED = [
    ("lcg", lcg.LCG, "next", lcg_wrong_modulus, "next() differs from (a x + c) mod m"),
    ("box_muller", normal, "box_muller", box_muller_cosine_twice,
     "the correlation of z1 and z2 is"),
    ("linear_backward", layers.Linear, "backward", linear_backward_wrong_sign,
     "dL/dW differs from finite differences at W["),
    ("activations", activations.Tanh, "derivatives", tanh_curvature_wrong_sign,
     "Tanh's f'' differs from finite differences of f'"),
    ("sequential_backward", network.Sequential, "backward",
     sequential_backward_skipping_activations, "differs from finite differences at 0.W["),
    ("losses", losses, "bce_with_logits", bce_summed,
     "bce_with_logits differs from the direct formula"),
    ("adam", optim.Adam, "update", adam_without_bias_correction,
     "theta after step 1 differs from Kingma & Ba's update"),
    ("optimal_discriminator", theory, "optimal_discriminator_logit", inverted_logit,
     "D*(x) differs from p_data / (p_data + p_g)"),
    ("value_and_jsd", theory, "jsd", jsd_doubled,
     "JSD differs from scipy's jensenshannon(p, q, base=e)^2"),
    ("pushforward", pushforward, "pushforward_density", density_without_width,
     "the mass of p_g (bins + outside) differs from 1"),
    ("algorithm1", gan.train, "iteration", iteration_one_d_step,
     "after one iteration differs from the NumPy re-implementation"),
    ("wgan_gp_penalty", wgan_gp, "gradient_penalty", penalty_gradient_wrong_sign,
     "differs from finite differences at 0.W["),
]


def test_every_part_has_a_planted_bug():
    assert sorted(part for part, *_ in PLANTED) == sorted(PARTS)


@pytest.mark.parametrize("part, owner, attribute, bug, message", PLANTED,
                         ids=[planted[0] for planted in PLANTED])
def test_a_planted_bug_is_caught_and_named(monkeypatch, part, owner, attribute, bug, message):
    monkeypatch.setattr(owner, attribute, bug)
    result = run_part(PARTS[part])
    assert not result.passed and result.status == "failed"
    assert result.score < result.max_score
    assert any(message in text for prop in result.properties for text in prop.messages), \
        result.report()


def test_a_missing_bias_correction_fails_the_bias_correction_property(monkeypatch):
    monkeypatch.setattr(optim.Adam, "update", adam_without_bias_correction)
    result = run_part(PARTS["adam"])
    failed = [prop.name for prop in result.properties if not prop.passed]
    assert any(name.startswith("bias correction") for name in failed)


def test_a_failure_names_the_element_and_both_values(monkeypatch):
    monkeypatch.setattr(layers.Linear, "backward", linear_backward_wrong_sign)
    summary = run_part(PARTS["linear_backward"]).summary()
    # "dL/dW differs from finite differences at W[i, j]: <analytic> vs <numerical>"
    where, values = summary.split(" at W[")[1].split("]: ")
    i, j = (int(index) for index in where.split(", "))
    analytic, numerical = (float(value) for value in values.split(" (")[0].split(" vs "))
    assert 0 <= i < 4 and 0 <= j < 3
    assert analytic == pytest.approx(-numerical, rel=1e-4)


def test_the_summary_is_the_first_failure_and_counts_the_rest(monkeypatch):
    monkeypatch.setattr(pushforward, "pushforward_density", density_without_width)
    summary = run_part(PARTS["pushforward"]).summary()
    assert summary.startswith("p_g differs from N(1, 2^2)'s pdf at density[")
    assert summary.endswith("(and 1 more)")


def test_algorithm1_with_one_d_step_fails_only_where_k_is_2(monkeypatch):
    monkeypatch.setattr(gan.train, "iteration", iteration_one_d_step)
    result = run_part(PARTS["algorithm1"])
    failed = [prop.name for prop in result.properties if not prop.passed]
    assert failed and all("k = 2" in name for name in failed)


# ---- blanks and exceptions ---------------------------------------------------------------
def blank(*args, **kwargs):
    raise NotImplementedError("the student edition's blank")


def test_a_blank_part_reports_not_implemented_and_the_exit_is_non_zero(monkeypatch, capsys):
    monkeypatch.setattr(optim.Adam, "update", blank)
    result = run_part(PARTS["adam"])
    assert result.status == "not implemented" and result.score == 0
    assert result.summary().startswith("not implemented")
    assert main(["check", "adam", "lcg"]) == 1
    table = capsys.readouterr().out
    assert "adam" in table and "not implemented" in table


@pytest.mark.parametrize("part, owner, attribute", [planted[:3] for planted in PLANTED],
                         ids=[planted[0] for planted in PLANTED])
def test_each_part_left_blank_reports_not_implemented(monkeypatch, part, owner, attribute):
    monkeypatch.setattr(owner, attribute, blank)
    result = run_part(PARTS[part])
    assert result.status == "not implemented", result.report()
    assert result.summary().startswith("not implemented (the student edition's blank)")


def test_an_exception_in_one_part_never_stops_the_others(monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(layers.Linear, "backward", broken)
    monkeypatch.setattr(theory, "jsd", broken)
    results = {result.name: result for result in run_parts(select(
        ["linear_backward", "lcg", "value_and_jsd", "adam"]))}
    assert results["lcg"].passed and results["adam"].passed
    assert "raised ZeroDivisionError: planted" in results["linear_backward"].summary()
    assert results["value_and_jsd"].status == "failed"
    # the properties that do not call jsd still hold, and earn their share of the points
    assert 0 < results["value_and_jsd"].score < results["value_and_jsd"].max_score


def test_an_exception_outside_every_property_scores_zero(monkeypatch):
    def broken_init(self, *args, **kwargs):
        raise RuntimeError("planted in the constructor")

    monkeypatch.setattr(layers.Linear, "__init__", broken_init)
    result = run_part(PARTS["linear_backward"])
    assert result.status == "error" and result.score == 0
    assert "RuntimeError: planted in the constructor" in result.summary()


def test_the_exit_is_zero_when_every_part_passes_and_two_for_an_unknown_part(capsys):
    assert main(["check", "lcg", "losses"]) == 0
    assert "2 of 2 parts pass" in capsys.readouterr().out
    assert main(["check", "lcg", "no_such_part"]) == 2
    assert "no_such_part" in capsys.readouterr().err


# ---- Gradescope's results.json -----------------------------------------------------------
def assert_gradescope_format(document):
    """results.json as Gradescope reads it: a total "score", and "tests", each with a "name",
    a "score" no more than its "max_score", and an "output"; the total is the tests' sum."""
    assert isinstance(document, dict)
    assert isinstance(document["score"], (int, float)) and not isinstance(document["score"], bool)
    assert isinstance(document["tests"], list) and document["tests"]
    for key in ("output", "visibility", "stdout_visibility"):
        assert isinstance(document.get(key, ""), str)
    for test in document["tests"]:
        assert {"name", "score", "max_score", "output"} <= set(test)
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        for key in ("score", "max_score"):
            assert isinstance(test[key], (int, float)) and not isinstance(test[key], bool)
        assert 0 <= test["score"] <= test["max_score"]
        assert test.get("status", "passed") in ("passed", "failed")
    assert document["score"] == pytest.approx(sum(test["score"] for test in document["tests"]))


def test_results_json_has_gradescopes_format(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(optim.Adam, "update", adam_without_bias_correction)
    path = tmp_path / "results.json"
    assert main(["check", "lcg", "adam", "--json", path]) == 1
    document = json.loads(path.read_text())
    assert_gradescope_format(document)
    by_name = {test["name"]: test for test in document["tests"]}
    assert list(by_name) == ["lcg", "adam"]
    assert by_name["lcg"]["score"] == by_name["lcg"]["max_score"] == PARTS["lcg"].max_score
    assert by_name["adam"]["status"] == "failed"
    assert "Kingma & Ba" in by_name["adam"]["output"]


def test_the_full_editions_results_json_scores_every_point(full_edition):
    document = json.loads(json.dumps(gradescope_results(list(full_edition.values()))))
    assert_gradescope_format(document)
    assert document["score"] == sum(part.max_score for part in PARTS.values())
