"""How fast the playground trains and redraws on the default 1D game.

    python -m benchmarks.bench_play [--seconds 4] [--speeds 10,20,40] [--no-browser]

Targets: the server trains >= 300 iterations a second while the page redraws >= 20 times a
second. Three tables, each measured in this one run:

1. Training alone: `Session.step` over n iterations in-process (no HTTP, no view), the ceiling.
2. The server over HTTP on 127.0.0.1: POST /api/step {"n": n}, each answer carrying the full
   state (exact p_g, D, D*, JSD, history), one request after another from one client.
3. The page in headless Chromium (the system /usr/bin/chromium through Playwright), playing for
   --seconds at each speed (iterations per frame): states drawn per second (the page's renders,
   each a new state from the server), requestAnimationFrame callbacks per second (the browser's
   own frame rate, an upper bound on visible redraws), and iterations per second.

The machine is shared, so compare the rows of one run; the iteration rate of table 3 against
table 1 is the share of the time left to training.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import time

from gan.play.server import serving
from gan.play.session import Session
from nn.threads import blas_threads

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def training_alone(n, repeats=3):
    """Best of ``repeats``: iterations per second of Session.step(n) on the default game."""
    session = Session(seed=0)
    best = 0.0
    with blas_threads(1):
        session.step("iteration", 20)                                   # warm up
        for _ in range(repeats):
            started = time.perf_counter()
            session.step("iteration", n)
            best = max(best, n / (time.perf_counter() - started))
    return best


def over_http(server, n, seconds):
    """(requests per second, iterations per second) of POST /api/step {"n": n} for ``seconds``."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=60)
    headers = {"Content-Type": "application/json"}

    def post(path, body):
        connection.request("POST", path, json.dumps(body), headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(payload.decode())
        return payload

    post("/api/reset", {"seed": 0})
    requests, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        post("/api/step", {"kind": "iteration", "n": n})
        requests += 1
    elapsed = time.perf_counter() - started
    connection.close()
    return requests / elapsed, requests * n / elapsed


def in_browser(server, speeds, seconds):
    """Rows (speed, states drawn / s, rAF callbacks / s, iterations / s) of the page playing."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1000})
        page.goto(server.url)
        page.wait_for_function("() => window.ganStats && window.ganStats.renders > 0")
        for speed in speeds:
            page.get_by_test_id("reset").click()
            page.wait_for_function("() => window.ganStats.state.iterations === 0")
            page.evaluate(f"() => {{ window.ganStats.speed = {speed}; }}")
            page.get_by_test_id("play").click()
            page.wait_for_timeout(500)                               # past the first frames
            before = page.evaluate("() => [ganStats.renders, ganStats.frames, "
                                   "ganStats.state.iterations, performance.now()]")
            page.wait_for_timeout(seconds * 1000)
            after = page.evaluate("() => [ganStats.renders, ganStats.frames, "
                                  "ganStats.state.iterations, performance.now()]")
            page.get_by_test_id("pause").click()
            page.wait_for_function("() => !window.ganStats.playing")
            elapsed = (after[3] - before[3]) / 1000
            rows.append((speed, *((a - b) / elapsed for a, b in zip(after[:3], before[:3]))))
        browser.close()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per measurement")
    parser.add_argument("--speeds", default="10,20,40",
                        help="iterations per frame, comma-separated")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium table")
    args = parser.parse_args()
    speeds = [int(s) for s in args.speeds.split(",")]

    print("1. training alone (Session.step, in-process, default 1D game)")
    print(f"   {'n':>6} {'iterations/s':>13}")
    alone = {n: training_alone(n) for n in (100, 1000)}
    for n, rate in alone.items():
        print(f"   {n:>6} {rate:>13.0f}")

    with serving() as server:
        print("\n2. the server over HTTP (POST /api/step, each answer a full state)")
        print(f"   {'n':>6} {'requests/s':>11} {'iterations/s':>13}")
        for n in (1, *speeds, 200):
            requests, iterations = over_http(server, n, args.seconds / 2)
            print(f"   {n:>6} {requests:>11.1f} {iterations:>13.0f}")
        if args.no_browser or not os.path.exists(CHROMIUM):
            print("\n3. skipped (--no-browser, or no Chromium at /usr/bin/chromium)")
            return
        print(f"\n3. the page playing in headless Chromium, {args.seconds:g} s per speed "
              f"(targets: >= 20 states drawn/s, >= 300 iterations/s)")
        print(f"   {'it/frame':>8} {'states drawn/s':>15} {'rAF/s':>7} {'iterations/s':>13}  "
              f"share of training alone")
        for speed, drawn, frames, iterations in in_browser(server, speeds, args.seconds):
            print(f"   {speed:>8} {drawn:>15.1f} {frames:>7.1f} {iterations:>13.0f}  "
                  f"{iterations / alone[1000]:.0%}")


if __name__ == "__main__":
    main()
