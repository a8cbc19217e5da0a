"""The playground's JSON interface, over 127.0.0.1 against a server started in a thread."""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from gan.config import GANConfig
from gan.play import params
from gan.play.server import MAX_BODY, serving
from gan.train import train


@pytest.fixture(scope="module")
def server():
    with serving() as server:
        yield server


def request(server, method, path, body=None, headers=None, raw=None):
    """(status, decoded JSON or text) for one request with the given headers."""
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = {"Host": f"127.0.0.1:{port}"}
    if body is not None or raw is not None:
        sent["Content-Type"] = "application/json"
    sent.update(headers or {})
    data = raw if raw is not None else (None if body is None else json.dumps(body))
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in sent.items():
        if value is not None:
            connection.putheader(name, value)
    if data is not None:
        connection.putheader("Content-Length", str(len(data.encode())))
    connection.endheaders(data.encode() if data is not None else None)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    kind = response.getheader("Content-Type", "")
    return response.status, (json.loads(text) if kind.startswith("application/json") else text)


def post(server, path, body, expect=200):
    status, payload = request(server, "POST", path, body)
    assert status == expect, payload
    return payload


def fresh(server, seed=0, **settings):
    """A new run with the default settings (changed by ``settings``)."""
    return post(server, "/api/reset", {"seed": seed, **{**params.DEFAULTS, **settings}})


def digest(network):
    return hashlib.sha1(network.flat_params.tobytes()).hexdigest()[:16]


@pytest.mark.parametrize("k", [1, 2])
def test_step_is_one_iteration_of_algorithm1(server, k):
    # outside reference: gan.train.train, Algorithm 1 as the project runs it, same seed
    fresh(server, seed=3, k=k)
    for _ in range(4):
        state = post(server, "/api/step", {"kind": "iteration", "n": 1})
    state = post(server, "/api/step", {"kind": "iteration", "n": 3})
    result = train(GANConfig(engine="fast", seed=3, k=k, steps=7, lr_schedule="constant", average_last=0.0,
                             snapshot_every=0))
    assert state["fingerprints"] == {"D": digest(result.D), "G": digest(result.G)}
    assert (state["iterations"], state["d_steps"], state["g_steps"]) == (7, 7 * k, 7)


def test_step_d_changes_D_and_not_G_and_step_g_the_converse(server):
    before = fresh(server)["fingerprints"]
    after_d = post(server, "/api/step", {"kind": "d", "n": 1})
    assert after_d["fingerprints"]["D"] != before["D"]
    assert after_d["fingerprints"]["G"] == before["G"]
    assert (after_d["d_steps"], after_d["g_steps"], after_d["iterations"]) == (1, 0, 0)
    after_g = post(server, "/api/step", {"kind": "g", "n": 2})
    assert after_g["fingerprints"]["G"] != before["G"]
    assert after_g["fingerprints"]["D"] == after_d["fingerprints"]["D"]
    assert (after_g["d_steps"], after_g["g_steps"]) == (1, 2)
    assert after_g["view"]["D"] == after_d["view"]["D"]            # D(x) drawn unchanged too


CLICKS = [("step", {"kind": "iteration", "n": 3}), ("settings", {"lr_d": "5e-3", "k": 2}),
          ("step", {"kind": "d", "n": 2}), ("settings", {"g_loss": "minimax",
                                                         "noise_sigma": 0.3}),
          ("step", {"kind": "g", "n": 1}), ("settings", {"optimizer": "rmsprop",
                                                         "batch_size": 64}),
          ("step", {"kind": "iteration", "n": 2}), ("settings", {"target": "bimodal"}),
          ("step", {"kind": "iteration", "n": 2})]


def replay(server, seed):
    fresh(server, seed=seed)
    for endpoint, body in CLICKS:
        state = post(server, f"/api/{endpoint}", body)
    return state


def test_same_seed_and_same_clicks_give_the_same_run(server):
    first, second, other = replay(server, 5), replay(server, 5), replay(server, 6)
    assert first["fingerprints"] == second["fingerprints"]
    assert first["view"] == second["view"] and first["history"] == second["history"]
    assert other["fingerprints"]["G"] != first["fingerprints"]["G"]


@pytest.mark.parametrize("player", ["D", "G"])
def test_learning_rate_changed_mid_run_takes_effect(server, player):
    # plain SGD moves theta by exactly lr * gradient, so |delta theta| / |gradient| = lr
    name, kind = ("lr_d", "d") if player == "D" else ("lr_g", "g")
    fresh(server, optimizer="sgd", **{name: 0.0123})
    post(server, "/api/step", {"kind": "iteration", "n": 5})
    for lr in (0.0123, 0.0456):
        post(server, "/api/settings", {name: str(lr)})
        last = post(server, "/api/step", {"kind": kind, "n": 1})["last_update"][player]
        assert last["step_norm"] / last["grad_norm"] == pytest.approx(lr, rel=1e-9)


def test_adam_first_step_moves_every_weight_by_about_lr(server):
    # Adam's first step is lr * g / (|g| + eps): lr per weight whose gradient is far above eps
    state = fresh(server, lr_d=0.004)
    state = post(server, "/api/step", {"kind": "d", "n": 1})
    last = state["last_update"]["D"]
    weights = 1 + 64 + 64 * 64 + 64 + 64 + 1 + 64           # D: 1 -> 64 -> 64 -> 1
    assert last["step_norm"] <= 0.004 * math.sqrt(weights) * (1 + 1e-12)
    assert last["step_norm"] > 0.004 * math.sqrt(weights) * 0.9


BAD = [
    ("/api/settings", {"lr_d": -1}, "lr_d"), ("/api/settings", {"lr_g": "0"}, "lr_g"),
    ("/api/settings", {"lr_d": "abc"}, "lr_d"), ("/api/settings", {"lr_g": 1.5}, "lr_g"),
    ("/api/settings", {"k": 0}, "k"), ("/api/settings", {"k": 2.5}, "k"),
    ("/api/settings", {"batch_size": True}, "batch_size"),
    ("/api/settings", {"noise_sigma": "nan"}, "noise_sigma"),
    ("/api/settings", {"noise_sigma": -0.1}, "noise_sigma"),
    ("/api/settings", {"g_loss": "hinge"}, "g_loss"),
    ("/api/settings", {"optimizer": "lbfgs"}, "optimizer"),
    ("/api/settings", {"target": "normal:1,"}, "target"),
    ("/api/settings", {"target": "normal:0,-1"}, "target"),
    ("/api/settings", {"target": "0*normal:0,1+0*normal:1,1"}, "target"),
    ("/api/settings", {"target": "normal:0,0,0.1+normal:1,1,0.2"}, "target"),
    ("/api/settings", {"target": "x" * 600}, "target"),
    ("/api/settings", {"k": 2, "lr_d": -1}, "lr_d"),        # one bad value: none applied
    ("/api/settings", {"speed": 3}, "speed"),
    ("/api/reset", {"seed": -1}, "seed"), ("/api/reset", {"seed": 2**40}, "seed"),
    ("/api/step", {"n": 0}, "n"), ("/api/step", {"n": 10**6}, "n"),
    ("/api/step", {"kind": "both"}, "kind"), ("/api/step", {"steps": 3}, "steps"),
]


@pytest.mark.parametrize("path, body, name", BAD)
def test_a_bad_value_is_refused_with_a_message_and_changes_nothing(server, path, body, name):
    fresh(server)
    before = post(server, "/api/step", {"kind": "iteration", "n": 3})
    status, answer = request(server, "POST", path, body)
    assert status == 400 and name in answer["error"], answer
    status, after = request(server, "GET", "/api/state")
    assert status == 200
    for field in ("fingerprints", "settings", "seed", "iterations"):
        assert after[field] == before[field]
    assert post(server, "/api/step", {"kind": "iteration", "n": 1})["iterations"] == 4


def test_requests_not_addressed_to_this_server_are_refused(server):
    port = server.server_address[1]
    before = fresh(server)["fingerprints"]
    step = json.dumps({"kind": "iteration", "n": 1})
    refused = [
        ("GET", "/api/state", None, {"Host": f"attacker.example:{port}"}),   # DNS rebinding
        ("GET", "/", None, {"Host": None}),
        ("POST", "/api/step", step, {"Host": f"attacker.example:{port}"}),
        ("POST", "/api/step", step, {"Origin": "http://attacker.example"}),
        ("POST", "/api/step", step, {"Origin": "null"}),
        ("GET", "/api/state", None, {"Origin": f"http://127.0.0.1:{port + 1}"}),
    ]
    for method, path, raw, headers in refused:
        status, answer = request(server, method, path, raw=raw, headers=headers)
        assert status == 403, (headers, answer)
    # a cross-site form can post text/plain without a preflight: refused before any work
    status, _ = request(server, "POST", "/api/step", raw=step,
                        headers={"Content-Type": "text/plain"})
    assert status == 400
    status, _ = request(server, "POST", "/api/step", raw="{" * (20_000))
    assert status == 400
    status, _ = request(server, "POST", "/api/step", raw="[1, 2]")
    assert status == 400
    assert request(server, "GET", "/api/state")[1]["fingerprints"] == before
    ok = request(server, "POST", "/api/step", raw=step,
                 headers={"Origin": f"http://localhost:{port}", "Host": f"localhost:{port}"})
    assert ok[0] == 200 and ok[1]["iterations"] == 1


def test_the_server_listens_on_loopback_only(server):
    assert server.server_address[0] == "127.0.0.1"


def test_the_1d_view_shows_the_projects_measurements(server):
    fresh(server)
    state = post(server, "/api/step", {"kind": "iteration", "n": 30})
    view = state["view"]
    x, p_data, p_g = (np.array(view[name]) for name in ("x", "p_data", "p_g"))
    D, D_star = np.array(view["D"]), np.array(view["D_star"], dtype=float)   # None: NaN
    assert np.allclose(p_data, stats.norm(-1, 1).pdf(x), atol=1e-5)      # outside reference
    mass = np.sum((p_g[1:] + p_g[:-1]) / 2 * np.diff(x)) + view["mass_outside"]
    assert mass == pytest.approx(1.0, abs=2e-3)                        # p_g is a density
    assert np.all((D >= 0) & (D <= 1))
    where = p_data + p_g > 1e-3                                         # Proposition 1
    assert not np.isnan(D_star[where]).any()
    assert np.allclose(D_star[where], p_data[where] / (p_data + p_g)[where], atol=1e-4)
    assert 0 <= view["jsd"] <= math.log(2)
    assert len(view["x_of_z"]) == len(view["z_line"]) == 21
    assert len(view["fake_x"]) == len(view["fake_grad"]) == 32
    assert state["history"]["jsd"]["jsd"][-1] == pytest.approx(view["jsd"], abs=1e-6)


def test_the_history_the_server_sends_and_keeps_is_bounded(server):
    fresh(server)
    for _ in range(3):
        state = post(server, "/api/step", {"kind": "d", "n": params.MAX_STEPS_PER_REQUEST})
    losses = state["history"]["losses"]
    assert state["history"]["t"] == 3 * params.MAX_STEPS_PER_REQUEST
    assert len(losses["t"]) <= 401 and losses["t"][0] == 1
    assert losses["t"][-1] > 3 * params.MAX_STEPS_PER_REQUEST - 4     # up to now
    assert all(g is None for g in losses["g_loss"])                     # D steps only
    assert server.session.history.losses.data.shape[0] == 4096          # fixed storage


def test_the_2d_view_and_a_change_of_dimension(server):
    fresh(server)
    post(server, "/api/step", {"kind": "iteration", "n": 2})
    state = post(server, "/api/settings", {"target": "ring"})
    assert state["restarted"] and state["iterations"] == 0 and state["dim"] == 2
    state = post(server, "/api/step", {"kind": "iteration", "n": 2})
    view = state["view"]
    assert view["kind"] == "2d" and view["modes"] == 8
    assert len(view["heat"]) == view["heat_side"] ** 2
    assert all(0 <= d <= 1 for d in view["heat"])
    centres = np.array(view["centres"]).reshape(-1, 2)
    assert np.allclose(np.hypot(centres[:, 0], centres[:, 1]), 2.0)   # the ring of radius 2
    assert 0 <= view["modes_covered"] <= 8
    typed = post(server, "/api/settings", {"target": "normal:-1,0,0.1+3*normal:1,0,0.1"})
    assert not typed["restarted"] and typed["view"]["modes"] == 2
    assert typed["iterations"] == 2                                     # same players go on


def test_the_page_is_one_self_contained_file(server):
    status, page = request(server, "GET", "/")
    assert status == 200
    for testid in ("play", "pause", "step", "step-d", "step-g", "reset", "step-count", "jsd",
                   "error"):
        assert f'data-testid="{testid}"' in page
    lowered = page.lower()
    assert "http://" not in lowered and "https://" not in lowered and "//cdn" not in lowered
    assert "<script src" not in lowered and "<link" not in lowered and "@import" not in lowered


def test_ctrl_c_stops_the_command_cleanly():
    # SIGINT's default handler is installed explicitly: a job started in the background by a
    # shell inherits SIGINT ignored, which Ctrl-C in a terminal never sees
    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "from gan.cli import main; sys.exit(main(['play', '--port', '0', '--no-browser']))")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = child.stdout.readline()
        assert "http://127.0.0.1:" in line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/api/state")
        assert connection.getresponse().status == 200
        connection.close()
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=20) == 0
        assert "stopped" in child.stdout.read()
    finally:
        if child.poll() is None:
            child.kill()


# ---- the large mixtures the page writes for a drawn target or a file of samples

def mixture_spec(points, sigma):
    """Equal-weight normals at ``points`` (an array (n, dim)), written as the page writes them."""
    return "+".join("normal:" + ",".join(f"{v:.4f}" for v in point) + f",{sigma:g}"
                    for point in points)


@pytest.mark.parametrize("dim", [1, 2])
def test_a_mixture_of_the_most_components_is_accepted_and_trains(server, dim):
    points = np.random.default_rng(dim).normal(0.0, 1.0, (params.MAX_COMPONENTS, dim))
    spec = mixture_spec(points, 0.1)
    assert len(spec) <= params.MAX_TARGET_LENGTH
    state = fresh(server, target=spec)
    assert state["settings"]["target"] == spec and state["dim"] == dim
    target = server.session.target
    assert np.array([c.mu_vector for c in target.components]) == pytest.approx(points, abs=5e-5)
    assert target.weights == pytest.approx(np.full(params.MAX_COMPONENTS,
                                                   1 / params.MAX_COMPONENTS))
    state = post(server, "/api/step", {"kind": "iteration", "n": 2})
    assert state["iterations"] == 2 and state["settings"]["target"] == spec
    if dim == 2:
        assert state["view"]["modes"] == params.MAX_COMPONENTS


def _far_2d():
    points = np.zeros((params.MAX_COMPONENTS, 2))
    return mixture_spec(points, 0.1).replace("normal:0.0000,0.0000", "normal:1e300,0", 1)


def _two_sigmas():
    spec = mixture_spec(np.zeros((params.MAX_COMPONENTS, 2)), 0.1)
    head, _, tail = spec.rpartition(",0.1")
    return head + ",0.2" + tail


BAD_MIXTURES = [
    (lambda: "+".join(["normal:0,1"] * (params.MAX_COMPONENTS + 1)),
     f"at most {params.MAX_COMPONENTS} components"),
    (lambda: "normal:0." + "0" * params.MAX_TARGET_LENGTH + ",1",
     f"at most {params.MAX_TARGET_LENGTH} characters"),
    (_two_sigmas, "share one sigma"),
    (_far_2d, "bulk"),
    (lambda: "+".join(["normal:0,1"] * 300 + ["normal:nan,1"] + ["normal:1,1"] * 100),
     "malformed"),
    (lambda: "+".join(["normal:0,1"] * 300 + ["normal:0,0,1"]), "2D component"),
]


@pytest.mark.parametrize("path", ["/api/reset", "/api/settings"])
@pytest.mark.parametrize("make, message", BAD_MIXTURES)
def test_a_large_bad_mixture_is_refused_by_the_server_and_changes_nothing(server, path, make,
                                                                          message):
    # the page checks what it writes, but the server checks it again in full: a bad component
    # anywhere in hundreds is named, and the run goes on as it was
    fresh(server)
    before = post(server, "/api/step", {"kind": "iteration", "n": 2})
    spec = make()
    body = {"seed": 0, "target": spec} if path == "/api/reset" else {"target": spec}
    assert len(json.dumps(body)) <= MAX_BODY              # the spec's checks refuse it, not
    status, answer = request(server, "POST", path, body)  # the body limit
    assert status == 400 and "target" in answer["error"] and message in answer["error"], \
        answer["error"][:300]
    after = post(server, "/api/step", {"kind": "iteration", "n": 1})
    assert after["fingerprints"] != before["fingerprints"] and after["iterations"] == 3
    assert after["settings"] == before["settings"]


def test_the_longest_target_spec_fits_in_a_request_body():
    # a reset carrying every setting at its longest and a spec of MAX_TARGET_LENGTH characters
    # is still within the server's body limit, so the cap on specs is the one that bites
    longest = {name: "9" * params.MAX_NUMBER_TEXT for name in params.SETTINGS}
    body = {**longest, "seed": str(params.MAX_SEED), "target": "x" * params.MAX_TARGET_LENGTH}
    assert len(json.dumps(body).encode()) <= MAX_BODY
