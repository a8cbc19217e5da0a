"""The playground's HTTP server: one page and a small JSON interface, on loopback only.

    GET  /                 the page (page.html: HTML, CSS and JS in one file, nothing fetched
                           from elsewhere)
    GET  /api/state        the state (`gan.play.view.state`)
    POST /api/step         {"kind": "iteration" | "d" | "g", "n": 1..2000}: n updates, the state
    POST /api/settings     {"k": 2, "lr_d": "1e-3", ...}: settings changed mid-run, then the state
    POST /api/reset        {"seed": 0, ...settings}: a new run, then the state
    POST /api/stop         {}: interrupts the steps in flight, then the state

Every request is answered, with a JSON body: 200 and the state; 400 and {"error": message} for
a request the interface cannot take (the message names the field, the value and what is
allowed), which changes nothing; 409 for a step of a run that diverged; 408 for a body that
stalls; 403 and 404 as below; 500, with the exception's name, only for a fault of this server.
A new run is built and drawn in full before it replaces the old one, and a change of settings
is undone if the run it gives cannot be drawn, so the state stays valid whatever was asked.

Work per request is bounded. A step of n updates runs in slices: it holds the game for at most
SLICE_SECONDS plus one update (one iteration at the largest settings, k = 50 and m = 4096 on
the plane, takes about a second), then lets the requests that queued meanwhile in, in the
order they came (`FairLock`). A stop or a reset interrupts the steps in flight at their next
update, and a step ends after STEP_SECONDS whatever its n; the state it returns then carries
"interrupted" (why) and "done" (how many of the n ran). Otherwise "interrupted" is null, "done"
is n, and the state is the one after the n updates (and after any request that ran between two
of its slices). The listen queue holds REQUEST_QUEUE connections (a classroom's
tabs), and a connection idle or stalled for IDLE_SECONDS is closed, so no thread waits forever.

Safety. The socket is bound to 127.0.0.1, so only this machine can connect. A page from
another site could still reach it through the browser, either directly (a form or fetch to
127.0.0.1) or by DNS rebinding (a name of its own that resolves to 127.0.0.1): so every
request must carry a Host header naming this server (127.0.0.1:PORT or localhost:PORT), an
Origin header, when present, must be this server's own, and a POST must declare a JSON body,
which a cross-site page cannot send without a preflight this server never answers. Refused
requests get 403. Bodies are limited to MAX_BODY bytes, and the history the session keeps is
bounded (`gan.play.history`).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

from gan.play import params
from gan.play.assets import inline_scripts
from gan.play.session import Diverged, Session
from gan.play.view import state
from nn.threads import blas_threads

MAX_BODY = 16_384
LOOPBACK = "127.0.0.1"
SLICE_SECONDS = 0.05        # the longest a step holds the game, plus the update under way
STEP_SECONDS = 20.0         # the longest one step request runs (in slices)
IDLE_SECONDS = 15.0         # a connection that sends nothing for this long is closed
REQUEST_QUEUE = 1024        # connections waiting to be accepted (the kernel may cap it lower)
DRAIN_BYTES = 1 << 20       # read and dropped before closing a connection (see Handler.finish)


def page_html():
    """The page, read from the package, its shared scripts inlined (`gan.play.assets`)."""
    return inline_scripts(resources.files("gan.play").joinpath("page.html").read_text(
        encoding="utf-8"))


class FairLock:
    """A lock handed over in the order it was asked for (a ticket lock): a step that lets go
    between slices cannot take it straight back past a request that was waiting."""

    def __init__(self):
        self._condition = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def __enter__(self):
        with self._condition:
            ticket = self._next_ticket
            self._next_ticket += 1
            self._condition.wait_for(lambda: self._serving == ticket)
        return self

    def __exit__(self, *exc_info):
        with self._condition:
            self._serving += 1
            self._condition.notify_all()


class PlayServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer on 127.0.0.1 holding one `Session`; port 0 picks a free port."""

    daemon_threads = True           # a request in flight does not keep Ctrl-C from stopping it
    request_queue_size = REQUEST_QUEUE

    def __init__(self, port=0, session=None, log=False, idle_seconds=IDLE_SECONDS,
                 slice_seconds=SLICE_SECONDS, step_seconds=STEP_SECONDS):
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer in [0, 65535], got {port!r}")
        for name, value in (("idle_seconds", idle_seconds), ("slice_seconds", slice_seconds),
                            ("step_seconds", step_seconds)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
        self.idle_seconds, self.slice_seconds, self.step_seconds = (
            idle_seconds, slice_seconds, step_seconds)
        super().__init__((LOOPBACK, port), Handler)
        self.session = session if session is not None else Session()
        self.lock = FairLock()                        # one request touches the game at a time
        self.interruptions = 0                        # stops and resets asked for so far
        self.interruption = None                      # why the last one was asked
        self._interrupt_lock = threading.Lock()
        self.log = log
        self.page = page_html().encode("utf-8")
        port = self.server_address[1]
        self.hosts = {f"{LOOPBACK}:{port}", f"localhost:{port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    def serve_forever(self, poll_interval=0.5):
        """Serve until `shutdown`, with single-threaded BLAS (the products are small: a second
        thread costs more than it saves, see `nn.threads`). The limit is set once for the
        process, not per request: setting it costs milliseconds."""
        with blas_threads(1):
            super().serve_forever(poll_interval)

    def interrupt(self, reason):
        """Ask the steps in flight to stop at their next update (see the module docstring)."""
        with self._interrupt_lock:
            self.interruptions += 1
            self.interruption = reason

    def interrupted_since(self, count):
        """Why the steps begun when `interruptions` was ``count`` must stop, or None."""
        return self.interruption if self.interruptions != count else None

    @property
    def url(self):
        return f"http://{LOOPBACK}:{self.server_address[1]}/"


def names(fields, most=5):
    """The names of fields, as an error message quotes them: at most ``most``, each cut short."""
    shown = [params.shown(name) for name in sorted(fields)[:most]]
    return "[" + ", ".join(shown) + (", ...]" if len(fields) > most else "]")


class BadRequest(ValueError):
    """A request the interface cannot take: answered with 400 and the message."""


class Handler(BaseHTTPRequestHandler):
    server_version = "numpy-gan-play"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True      # headers and body leave at once, without a 40 ms stall

    def setup(self):
        self.timeout = self.server.idle_seconds     # every read and write: no thread hangs
        super().setup()

    def finish(self):
        """Before a connection closes, read what the client still sends (at most DRAIN_BYTES,
        for at most a second): closing with unread bytes would reset the connection, and the
        client could lose the answer it was sent."""
        super().finish()
        if not self.close_connection:
            return
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            drained, deadline = 0, time.monotonic() + 1.0
            while drained < DRAIN_BYTES and time.monotonic() < deadline:
                self.connection.settimeout(max(deadline - time.monotonic(), 0.01))
                chunk = self.connection.recv(65536)
                if not chunk:
                    break
                drained += len(chunk)

    def log_message(self, format, *args):
        if self.server.log:
            super().log_message(format, *args)

    # ---- answers ------------------------------------------------------------------------
    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy",
                         "default-src 'none'; script-src 'unsafe-inline'; "
                         "style-src 'unsafe-inline'; img-src data:; connect-src 'self'; "
                         "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:                     # the page went away or stopped reading mid-answer
            self.close_connection = True

    def _json(self, status, payload):
        body = json.dumps(payload, allow_nan=False, separators=(",", ":")).encode("utf-8")
        self._send(status, body, "application/json")

    def _error(self, status, message):
        self._json(status, {"error": message})

    def send_error(self, code, message=None, explain=None):
        """The standard library's answers to a malformed request line or headers (400, 414,
        431, 501 for an unknown method), with a JSON body like every other answer."""
        self.close_connection = True
        self.request_version = self.protocol_version    # a status line and headers, even for a
        self._error(int(code), message or explain or HTTPStatus(code).phrase)  # garbled one

    def _answer(self, work):
        """Answer with what ``work()`` returns (status, payload), or with the error it raised:
        400 for a bad request, 409 for a diverged run, 408 when the body stalls, 500 with the
        exception's name otherwise; never a dropped connection."""
        try:
            status, payload = work()
            body = json.dumps(payload, allow_nan=False, separators=(",", ":")).encode("utf-8")
        except Diverged as error:
            status, body = 409, self._encoded_error(str(error))
        except (BadRequest, ValueError, TypeError, ArithmeticError, RecursionError) as error:
            status, body = 400, self._encoded_error(str(error))
        except TimeoutError:
            self.close_connection = True
            status, body = 408, self._encoded_error(
                f"the body did not arrive within {self.server.idle_seconds:g} s")
        except ConnectionError:
            self.close_connection = True
            return
        except Exception as error:                          # a fault of this server
            self.close_connection = True
            self.log_error("%s", traceback.format_exc())
            status, body = 500, self._encoded_error(
                f"internal error ({type(error).__name__}: {params.shown(str(error), 200)})")
        self._send(status, body, "application/json")

    @staticmethod
    def _encoded_error(message):
        return json.dumps({"error": message}, separators=(",", ":")).encode("utf-8")

    def _refused(self):
        """The reason a request is refused (see the module docstring), or None."""
        host = self.headers.get("Host")
        if host not in self.server.hosts:
            return f"Host {params.shown(host)} is not this server's ({sorted(self.server.hosts)})"
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.origins:
            return f"Origin {params.shown(origin)} is not this server's"
        return None

    # ---- requests -----------------------------------------------------------------------
    def do_GET(self):
        refused = self._refused()
        if refused:
            return self._error(403, refused)
        if self.path in ("/", "/index.html"):
            return self._send(200, self.server.page, "text/html; charset=utf-8")
        if self.path == "/api/state":
            return self._answer(self._state)
        return self._error(404, f"no such page {params.shown(self.path)}")

    def do_POST(self):
        refused = self._refused()
        if refused:
            self.close_connection = True
            return self._error(403, refused)
        routes = {"/api/step": self._step, "/api/settings": self._settings,
                  "/api/reset": self._reset, "/api/stop": self._stop}
        if self.path not in routes:
            self.close_connection = True
            return self._error(404, f"no such endpoint {params.shown(self.path)}")
        return self._answer(lambda: (200, routes[self.path](self._body())))

    def _body(self):
        kind = self.headers.get("Content-Type", "").split(";")[0].strip()
        length = self.headers.get("Content-Length", "").strip()
        if not (length.isascii() and length.isdigit()):
            self.close_connection = True
            raise BadRequest(f"a POST needs a Content-Length of digits, got {params.shown(length)}")
        if len(length) > 9 or int(length) > MAX_BODY:
            self.close_connection = True
            raise BadRequest(f"the body must be at most {MAX_BODY} bytes, got {length}")
        raw = self.rfile.read(int(length))
        if len(raw) < int(length):
            self.close_connection = True
            raise BadRequest(f"the body ended after {len(raw)} of {length} bytes")
        if kind != "application/json":
            raise BadRequest(f"Content-Type must be application/json, got {params.shown(kind)}")
        try:
            body = json.loads(raw or b"{}")
        except RecursionError:
            raise BadRequest("the body is not JSON this server reads: nested too deeply") from None
        except ValueError as error:        # not UTF-8, not JSON, an integer of > 4300 digits
            raise BadRequest(f"the body is not JSON: {params.shown(str(error), 200)}") from None
        if not isinstance(body, dict):
            raise BadRequest(f"the body must be a JSON object, got {type(body).__name__}")
        for name, value in body.items():
            if isinstance(value, (list, dict)):
                raise BadRequest(f"{params.shown(name)} must be a number or text, got "
                                 f"{params.shown(value)}")
        return body

    def _state(self):
        with self.server.lock:
            return 200, state(self.server.session)

    def _step(self, body):
        """n updates in slices (see the module docstring); the state, with "done" and
        "interrupted"."""
        unknown = set(body) - {"kind", "n"}
        if unknown:
            raise BadRequest(f"unknown fields {names(unknown)} for step; known are kind, n")
        kind = body.get("kind", "iteration")
        if kind not in ("iteration", "d", "g"):
            raise BadRequest(f"kind must be one of ('iteration', 'd', 'g'), got "
                             f"{params.shown(kind)}")
        n = params.check_steps(body.get("n", 1))
        server, asked, started = self.server, self.server.interruptions, time.monotonic()
        session, done, reason = server.session, 0, None
        while True:
            with server.lock:
                slice_ends = time.monotonic() + server.slice_seconds
                while done < n:
                    reason = server.interrupted_since(asked) or (
                        "the session was replaced" if server.session is not session else None)
                    if reason is None and time.monotonic() - started > server.step_seconds:
                        reason = f"the time limit of one request ({server.step_seconds:g} s)"
                    if reason is not None:
                        break
                    session.step(kind, 1)
                    done += 1
                    if time.monotonic() >= slice_ends:
                        break
                if done == n or reason is not None:
                    return {**state(session), "done": done, "interrupted": reason}

    def _settings(self, body):
        with self.server.lock:
            session = self.server.session
            try:
                with session.transaction():
                    restarted = session.update(**body)
                    return {**state(session), "restarted": restarted}
            except (ArithmeticError, FloatingPointError, RecursionError) as error:
                raise BadRequest(f"the settings {params.shown(body, 200)} give a run that cannot "
                                 f"be drawn ({type(error).__name__}: {error}); nothing was "
                                 f"changed") from None

    def _reset(self, body):
        """A new run, built and drawn in full before it replaces the old one."""
        changes = dict(body)
        seed = changes.pop("seed", None)
        with self.server.lock:
            current = self.server.session
            seed = current.seed if seed is None else params.check_seed(seed)
            settings = {**current.settings, **params.check_settings(changes)}
        try:
            session = Session(seed, **settings)
            payload = state(session)          # this run is this thread's alone until it is kept
        except (ArithmeticError, FloatingPointError, RecursionError) as error:
            raise BadRequest(f"the settings {params.shown(body, 200)} give a run that cannot be "
                             f"drawn ({type(error).__name__}: {error}); nothing was "
                             f"changed") from None
        self.server.interrupt("a reset")
        with self.server.lock:
            self.server.session = session
        return payload

    def _stop(self, body):
        if body:
            raise BadRequest(f"stop takes no fields, got {names(body)}")
        self.server.interrupt("a stop")
        with self.server.lock:
            return state(self.server.session)


@contextlib.contextmanager
def serving(port=0, poll_interval=0.05, **limits):
    """A PlayServer on 127.0.0.1 answering from a background thread while the block runs (port 0
    picks a free port: ``server.server_address[1]``); shut down and closed after it. ``limits``:
    idle_seconds, slice_seconds, step_seconds (`PlayServer`)."""
    server = PlayServer(port=port, **limits)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": poll_interval}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
