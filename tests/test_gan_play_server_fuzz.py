"""The playground's server under requests a fuzzer would send, over 127.0.0.1.

Every request must get an HTTP answer with a JSON body (200, or 400 naming what was wrong; 409
only for a step of a run that diverged), a refused request must change nothing, and the state
must stay readable after anything. Around that: many connections at once, idle and stalled
connections, a long step another request interrupts, and a busy port. Each server a test starts
is shut down by `serving`; every socket has a timeout, every loop a bound.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gan.play import params
from gan.play.server import MAX_BODY, serving

# Short limits, so that the file runs in seconds: a step request ends after STEP_SECONDS and a
# silent connection is closed after IDLE_SECONDS (the defaults are 20 s and 15 s).
STEP_SECONDS = 0.5
IDLE_SECONDS = 1.0


@pytest.fixture(scope="module")
def server():
    with serving(step_seconds=STEP_SECONDS, idle_seconds=IDLE_SECONDS) as server:
        yield server


def send(server, method, path, raw=None, content_type="application/json", timeout=30):
    """(status, JSON body) of one request whose body is ``raw`` (text or bytes) as given."""
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", f"127.0.0.1:{port}")
        data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        if data is not None:
            connection.putheader("Content-Type", content_type)
            connection.putheader("Content-Length", str(len(data)))
        connection.endheaders(data)
        response = connection.getresponse()
        body = response.read()
        assert response.getheader("Content-Type", "").startswith("application/json"), body[:200]
        return response.status, json.loads(body)
    finally:
        connection.close()


def state(server):
    status, answer = send(server, "GET", "/api/state")
    assert status == 200, answer
    assert isinstance(answer["iterations"], int) and answer["view"]["kind"] in ("1d", "2d")
    assert set(answer["fingerprints"]) == {"D", "G"}
    return answer


def fresh(server):
    status, answer = send(server, "POST", "/api/reset", json.dumps({"seed": 0, **params.DEFAULTS}))
    assert status == 200, answer
    return answer


UNCHANGED = ("fingerprints", "settings", "seed", "iterations", "d_steps", "g_steps")

# Numbers of every size and type, as JSON numbers and as text; targets that parse but are too
# wide, too narrow or too far to draw; values of the wrong type, nested lists and objects.
numbers = st.one_of(
    st.integers(-3, 60),
    st.integers(),
    st.integers(min_value=-10**400, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([2**32, 2**63, 10**300, -(10**300), 1e-320, 4096.0, 2000.5]),
)
texts = st.one_of(
    st.text(max_size=20),
    numbers.map(str),
    st.sampled_from(["ring", "grid", "bimodal", "normal", "normal:0,0,1e300",
                     "normal:0,0,1e300+3*normal:1,1,1e300", "normal:1e300,0,1",
                     "normal:0,1e300", "uniform:-1e308,1e308", "normal:0,0,1e-300",
                     "normal:0,0,0.1+normal:1,1,0.2", "iteration", "d", "g", "adam", "sgd",
                     "minimax", "1e400", "-0", " 7 ", "nan", "0x10", "１２"]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.one_of(scalars, st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                                         | st.dictionaries(st.text(max_size=4), inner,
                                                           max_size=3), max_leaves=6))
fields = st.one_of(st.sampled_from(["kind", "n", "seed", *params.SETTINGS]), st.text(max_size=6))
bodies = st.dictionaries(fields, values, max_size=4).map(json.dumps)
raw_bodies = st.one_of(
    st.integers(1, 8000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1, 3000).map(lambda depth: '{"n":' * depth + "1" + "}" * depth),
    st.integers(1, 4400).map(lambda digits: '{"n": ' + "9" * digits + "}"),
    st.integers(1, 4400).map(lambda digits: '{"seed": -' + "7" * digits + "}"),
    st.integers(MAX_BODY - 2, 20_000).map(lambda size: " " * size),
    st.binary(max_size=40),
)
paths = st.sampled_from(["/api/step", "/api/settings", "/api/reset", "/api/stop"])


@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                   HealthCheck.too_slow])
@given(requests=st.lists(st.tuples(paths, st.one_of(bodies, raw_bodies)), min_size=1,
                         max_size=3))
@example(requests=[("/api/reset", '{"target": "normal:0,0,1e300"}')])
@example(requests=[("/api/settings", '{"target": "normal:0,0,1e300"}')])
@example(requests=[("/api/settings", '{"target": "ring"}'),
                   ("/api/settings", '{"target": "normal:0,0,1e300"}')])
@example(requests=[("/api/step", '{"n": ' + "1" * 400 + "}")])
@example(requests=[("/api/reset", '{"seed": ' + "1" * 400 + "}")])
@example(requests=[("/api/settings", '{"k": ' + "1" * 400 + "}")])
@example(requests=[("/api/settings", '{"lr_d": ' + "1" * 400 + "}")])
@example(requests=[("/api/step", "[" * 5000 + "]" * 5000)])
@example(requests=[("/api/step", '{"n":' * 3000 + "1" + "}" * 3000)])
def test_every_request_is_answered_in_json_and_a_refusal_changes_nothing(server, requests):
    fresh(server)
    for path, raw in requests:
        before = state(server)
        status, answer = send(server, "POST", path, raw)
        after = state(server)                              # the state is readable after anything
        if status == 409:                                  # a diverged run, kept as it was
            assert path == "/api/step" and after["diverged"], answer
            continue
        assert status in (200, 400), (status, answer)
        if status == 400:
            assert isinstance(answer["error"], str) and answer["error"]
            assert all(after[field] == before[field] for field in UNCHANGED), answer
        else:
            assert answer["fingerprints"] == after["fingerprints"]


def test_refusals_name_the_field_the_value_and_what_is_allowed(server):
    fresh(server)
    for path, body, words in [
        ("/api/reset", {"target": "normal:0,0,1e300"},
         ["target", "normal:0,0,1e300", "at most", "5e+300"]),
        ("/api/step", {"n": 10**400}, ["n must be an integer in [1, 2000]", "401 digits"]),
        ("/api/reset", {"seed": 10**300}, ["seed must be an integer", "301 digits"]),
        ("/api/settings", {"k": 10**300}, ["k must be in [1, 50]"]),
        ("/api/settings", {"lr_g": [[[1]]]}, ["lr_g", "JSON array"]),
    ]:
        status, answer = send(server, "POST", path, json.dumps(body))
        assert status == 400 and all(word in answer["error"] for word in words), answer
    status, answer = send(server, "POST", "/api/step", "[" * 8000 + "]" * 8000)
    assert status == 400 and "nested" in answer["error"]


MALFORMED = [
    b"GET /api/state HTTP/1.1\r\nHost: {host}\r\nX: " + b"a" * 70_000 + b"\r\n\r\n",
    b"BREW /api/state HTTP/1.1\r\nHost: {host}\r\n\r\n",
    b"GET /api/state HTTP/9.9\r\nHost: {host}\r\n\r\n",
    b"POST /api/step HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    b"Content-Length: -5\r\n\r\n{}",
    b"POST /api/step HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    b"Content-Length: 99999999999999999999999\r\n\r\n{}",
    b"POST /api/step HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\r\n\r\n",
]


@pytest.mark.parametrize("raw", MALFORMED)
def test_a_malformed_request_gets_a_json_answer(server, raw):
    port = server.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw.replace(b"{host}", f"127.0.0.1:{port}".encode()))
        response = http.client.HTTPResponse(connection)
        response.begin()
        assert 400 <= response.status < 600
        assert "error" in json.loads(response.read())
    state(server)


def test_two_hundred_connections_at_once_are_all_answered(server):
    # the playground open in a classroom's tabs: every connection is accepted and answered
    fresh(server)
    port, count = server.server_address[1], 200
    start, results = threading.Barrier(count), []

    def one():
        start.wait(timeout=30)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/api/state", headers={"Host": f"127.0.0.1:{port}"})
            response = connection.getresponse()
            results.append((response.status, len(json.loads(response.read())["view"])))
            connection.close()
        except OSError as error:
            results.append(repr(error))

    threads = [threading.Thread(target=one, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    failures = [r for r in results if not (isinstance(r, tuple) and r[0] == 200)]
    assert len(results) == count and not failures, failures[:5]


def test_idle_and_stalled_connections_are_closed_while_others_are_served(server):
    fresh(server)
    port = server.server_address[1]
    idle = socket.create_connection(("127.0.0.1", port), timeout=10)
    stalled = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        stalled.sendall(f"POST /api/step HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: "
                        f"application/json\r\nContent-Length: 40\r\n\r\n{{\"n\"".encode())
        opened = time.monotonic()
        assert state(server)["iterations"] == 0              # served meanwhile
        response = http.client.HTTPResponse(stalled)
        response.begin()                                     # the stalled body: 408, in JSON
        assert response.status == 408 and "error" in json.loads(response.read())
        assert idle.recv(1) == b""                           # the idle one: closed
        assert time.monotonic() - opened < IDLE_SECONDS + 5
    finally:
        idle.close()
        stalled.close()
    assert state(server)["iterations"] == 0                  # the stalled step did nothing


def start_long_step(server, answers):
    """A step of 2000 iterations at k = 50 (minutes of work) in a thread, once it has begun."""
    send(server, "POST", "/api/reset",
         json.dumps({"seed": 0, **params.DEFAULTS, "k": 50, "batch_size": 1024}))
    long = threading.Thread(daemon=True, target=lambda: answers.update(step=send(
        server, "POST", "/api/step", json.dumps({"kind": "iteration", "n": 2000}))))
    long.start()
    for _ in range(500):                                     # up to 10 s for it to begin
        if server.session.iterations:
            break
        time.sleep(0.02)
    return long


def test_a_long_step_lets_others_in_and_a_stop_or_a_reset_interrupts_it():
    with serving(step_seconds=60) as server:
        answers = {}
        long = start_long_step(server, answers)
        asked = time.monotonic()
        middle = state(server)                               # served between two slices
        assert 0 < middle["iterations"] < 2000
        status, stopped = send(server, "POST", "/api/stop", "{}")
        long.join(30)
        assert status == 200 and not long.is_alive()
        assert time.monotonic() - asked < 10                 # slices and an update, not minutes
        status, step = answers["step"]
        assert status == 200 and step["interrupted"] == "a stop"
        assert step["done"] == step["iterations"] < 2000
        assert state(server)["iterations"] == step["iterations"]  # nothing ran after the stop

        long = start_long_step(server, answers)
        status, reset = send(server, "POST", "/api/reset", json.dumps({"seed": 4}))
        long.join(30)
        assert status == 200 and not long.is_alive()
        assert (reset["seed"], reset["iterations"]) == (4, 0)
        assert answers["step"][1]["interrupted"] == "a reset"
        assert state(server)["iterations"] == 0              # the old step did not go on


def test_a_step_that_is_not_interrupted_does_all_n():
    # A server of its own with a generous time limit: on a loaded machine 200 D steps can take
    # longer than the shared fixture's half second, which would interrupt them.
    with serving(step_seconds=120) as server:
        fresh(server)
        status, step = send(server, "POST", "/api/step", json.dumps({"kind": "d", "n": 200}))
    assert status == 200 and step["interrupted"] is None
    assert step["done"] == step["d_steps"] == 200


def test_a_busy_port_says_so_in_one_line_and_suggests_another(capsys):
    from gan.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(["play", "--port", str(port), "--no-browser"])
    error = capsys.readouterr().err
    assert code == 2 and error.count("\n") == 1
    assert f"port {port} is in use" in error and "--port" in error and "Errno" not in error
