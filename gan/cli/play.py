"""``python -m gan play``: start the playground on 127.0.0.1 and open it in the browser.

Registered in `gan.cli` by `add_parser`; `run` serves until Ctrl-C, then closes the socket and
returns 0.
"""

from __future__ import annotations

import errno
import sys
import threading
import webbrowser

DEFAULT_PORT = 8019


def add_parser(commands, help):
    """The ``play`` subcommand, on the subparsers of ``python -m gan``."""
    play = commands.add_parser(
        "play",
        help=help,
        description="Serve the playground on 127.0.0.1: the project's own G and D trained one "
        "update at a time at the page's request, with p_g, D, D* and the JSD drawn live.",
    )
    play.add_argument("--port", type=int, default=DEFAULT_PORT,
                      help=f"port on 127.0.0.1 (0 picks a free one; default {DEFAULT_PORT})")
    play.add_argument("--seed", type=int, default=0, help="seed of the first run")
    play.add_argument("--no-browser", action="store_true", help="do not open a browser")
    play.add_argument("--log", action="store_true", help="log every request to stderr")
    return play


def port_problem(port, error):
    """One line saying why the server could not listen on ``port``, and what to do instead."""
    if error.errno == errno.EADDRINUSE:
        return (f"port {port} is in use: choose another with --port N, or --port 0 for a free "
                f"one")
    if error.errno == errno.EACCES:
        return (f"port {port} needs privileges this user lacks: choose one above 1023 with "
                f"--port N, or --port 0 for a free one")
    return f"cannot listen on 127.0.0.1 port {port}: {error.strerror or error}"


def run(args):
    """Serve the playground until Ctrl-C; the exit code (2, one line, when it cannot start)."""
    # The playground is loaded when it is asked for, not for --help:
    from gan.play.server import PlayServer
    from gan.play.session import Session

    try:
        session = Session(seed=args.seed)
        server = PlayServer(port=args.port, session=session, log=args.log)
    except OSError as error:
        print(f"error: {port_problem(args.port, error)}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"GAN playground at {server.url} (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        threading.Timer(0.3, webbrowser.open, args=(server.url,)).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        server.server_close()
    return 0
