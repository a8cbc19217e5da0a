"""The playground's HTTP server: one page and a small JSON interface, on loopback only.

    GET  /                 the page (page.html: HTML, CSS and JS in one file, nothing fetched
                           from elsewhere)
    GET  /api/state        the state (`gan.play.view.state`)
    POST /api/step         {"kind": "iteration" | "d" | "g", "n": 1..2000}: n updates, the state
    POST /api/settings     {"k": 2, "lr_d": "1e-3", ...}: settings changed mid-run, then the state
    POST /api/reset        {"seed": 0, ...settings}: a new run, then the state

A bad request gets status 400 and {"error": message} and changes nothing; the server goes on.

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
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

from gan.play.assets import inline_scripts
from gan.play.session import Diverged, Session
from gan.play.view import state
from nn.threads import blas_threads

MAX_BODY = 16_384
LOOPBACK = "127.0.0.1"


def page_html():
    """The page, read from the package, its shared scripts inlined (`gan.play.assets`)."""
    return inline_scripts(resources.files("gan.play").joinpath("page.html").read_text(
        encoding="utf-8"))


class PlayServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer on 127.0.0.1 holding one `Session`; port 0 picks a free port."""

    daemon_threads = True           # a request in flight does not keep Ctrl-C from stopping it

    def __init__(self, port=0, session=None, log=False):
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer in [0, 65535], got {port!r}")
        super().__init__((LOOPBACK, port), Handler)
        self.session = session if session is not None else Session()
        self.lock = threading.Lock()                  # one request touches the game at a time
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

    @property
    def url(self):
        return f"http://{LOOPBACK}:{self.server_address[1]}/"


class BadRequest(ValueError):
    """A request the interface cannot take: answered with 400 and the message."""


class Handler(BaseHTTPRequestHandler):
    server_version = "numpy-gan-play"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True      # headers and body leave at once, without a 40 ms stall

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
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):     # the page went away mid-answer
            self.close_connection = True

    def _json(self, status, payload):
        body = json.dumps(payload, allow_nan=False, separators=(",", ":")).encode("utf-8")
        self._send(status, body, "application/json")

    def _error(self, status, message):
        self._json(status, {"error": message})

    def _refused(self):
        """The reason a request is refused (see the module docstring), or None."""
        host = self.headers.get("Host")
        if host not in self.server.hosts:
            return f"Host {host!r} is not this server's ({sorted(self.server.hosts)})"
        origin = self.headers.get("Origin")
        if origin is not None and origin not in self.server.origins:
            return f"Origin {origin!r} is not this server's"
        return None

    # ---- requests -----------------------------------------------------------------------
    def do_GET(self):
        refused = self._refused()
        if refused:
            return self._error(403, refused)
        if self.path in ("/", "/index.html"):
            return self._send(200, self.server.page, "text/html; charset=utf-8")
        if self.path == "/api/state":
            with self.server.lock:
                return self._json(200, state(self.server.session))
        return self._error(404, f"no such page {self.path!r}")

    def do_POST(self):
        refused = self._refused()
        if refused:
            self.close_connection = True
            return self._error(403, refused)
        routes = {"/api/step": self._step, "/api/settings": self._settings,
                  "/api/reset": self._reset}
        if self.path not in routes:
            self.close_connection = True
            return self._error(404, f"no such endpoint {self.path!r}")
        try:
            body = self._body()
            with self.server.lock:
                return self._json(200, routes[self.path](self.server.session, body))
        except Diverged as error:
            return self._error(409, str(error))
        except (BadRequest, ValueError, TypeError) as error:
            return self._error(400, str(error))

    def _body(self):
        kind = self.headers.get("Content-Type", "").split(";")[0].strip()
        length = self.headers.get("Content-Length")
        if not length or not length.isdigit():
            self.close_connection = True
            raise BadRequest("a POST needs a Content-Length")
        length = int(length)
        if length > MAX_BODY:
            self.close_connection = True
            raise BadRequest(f"the body must be at most {MAX_BODY} bytes, got {length}")
        raw = self.rfile.read(length)
        if kind != "application/json":
            raise BadRequest(f"Content-Type must be application/json, got {kind!r}")
        try:
            body = json.loads(raw or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadRequest(f"the body is not JSON: {error}") from None
        if not isinstance(body, dict):
            raise BadRequest(f"the body must be a JSON object, got {type(body).__name__}")
        return body

    @staticmethod
    def _step(session, body):
        unknown = set(body) - {"kind", "n"}
        if unknown:
            raise BadRequest(f"unknown fields {sorted(unknown)} for step; known are kind, n")
        session.step(body.get("kind", "iteration"), body.get("n", 1))
        return state(session)

    @staticmethod
    def _settings(session, body):
        restarted = session.update(**body)
        return {**state(session), "restarted": restarted}

    @staticmethod
    def _reset(session, body):
        body = dict(body)
        seed = body.pop("seed", None)
        session.reset(seed, **body)
        return state(session)


@contextlib.contextmanager
def serving(port=0, poll_interval=0.05):
    """A PlayServer on 127.0.0.1 answering from a background thread while the block runs (port 0
    picks a free port: ``server.server_address[1]``); shut down and closed after it."""
    server = PlayServer(port=port)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={"poll_interval": poll_interval}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
