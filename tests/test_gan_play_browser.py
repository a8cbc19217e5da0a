"""The playground's page in headless Chromium (Playwright's sync API on the system Chromium).

One server and one browser for the module; each test opens a fresh page on a fresh run.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request

import pytest

from gan.play import params
from gan.play.server import serving

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)")


@pytest.fixture(scope="module")
def server():
    with serving() as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def api(server, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url.rstrip("/") + path, data=data,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture
def page(server, browser):
    """A fresh run (seed 0, default settings) and a page showing it; no script errors allowed."""
    api(server, "/api/reset", {"seed": 0, **params.DEFAULTS})
    page = browser.new_page(viewport={"width": 1100, "height": 1000})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(10_000)
    page.goto(server.url)
    page.wait_for_function("() => window.ganStats && window.ganStats.renders > 0")
    yield page
    page.close()
    assert errors == []


def text(page, testid):
    return page.get_by_test_id(testid).inner_text()


def count(page, testid):
    return int(text(page, testid))


def wait_text(page, selector, pattern):
    page.wait_for_function(
        "([s, p]) => new RegExp(p).test(document.querySelector(s).textContent)",
        arg=[selector, pattern])


def test_play_advances_the_step_count_and_pause_stops_it(page, server):
    assert count(page, "step-count") == 0
    page.get_by_test_id("play").click()
    page.wait_for_function("() => +document.getElementById('step-count').textContent >= 40")
    page.get_by_test_id("pause").click()
    page.wait_for_function("() => !window.ganStats.playing && document.getElementById('play')"
                           ".disabled === false")
    # A batch asked for before the pause may still be in flight: wait (up to 10 s, not a fixed
    # delay, which a loaded machine can outlast) until the page shows the server's count.
    for _ in range(100):
        shown = count(page, "step-count")
        if shown == api(server, "/api/state")["iterations"]:
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)                     # paused: nothing more is asked for or drawn
    assert count(page, "step-count") == shown == api(server, "/api/state")["iterations"]


def test_a_pause_between_two_frames_still_draws_the_batch_in_flight(page, server):
    # The pause lands where a loaded machine can put it: after a frame has asked for the next
    # batch and scheduled the next frame, before that frame runs. The batch in flight must
    # still be drawn, so the page ends showing the server's count.
    page.get_by_test_id("play").click()
    page.wait_for_function("() => +document.getElementById('step-count').textContent >= 40")
    page.evaluate("""() => {
        const original = window.setTimeout;
        window.setTimeout = (callback, ms) => {
            if (callback === playFrame) { window.setTimeout = original; setPlaying(false); }
            return original(callback, ms);
        };
    }""")
    page.wait_for_function("() => !window.ganStats.playing && !window.ganStats.prefetch")
    for _ in range(100):                           # up to 10 s for the last answer to be drawn
        if count(page, "step-count") == api(server, "/api/state")["iterations"]:
            break
        page.wait_for_timeout(100)
    assert count(page, "step-count") == api(server, "/api/state")["iterations"]


def test_step_d_changes_D_and_not_G_and_step_g_the_converse(page, server):
    curve = lambda testid: page.get_by_test_id(testid).get_attribute("d")  # noqa: E731
    D0, pg0, prints0 = curve("d-curve"), curve("pg-curve"), api(server, "/api/state")
    page.get_by_test_id("step-d").click()
    wait_text(page, "#d-steps", "^1$")
    D1, pg1 = curve("d-curve"), curve("pg-curve")
    prints1 = api(server, "/api/state")["fingerprints"]
    assert D1 != D0 and pg1 == pg0
    assert prints1["D"] != prints0["fingerprints"]["D"]
    assert prints1["G"] == prints0["fingerprints"]["G"]
    page.get_by_test_id("step-g").click()
    wait_text(page, "#g-steps", "^1$")
    assert curve("pg-curve") != pg1 and curve("d-curve") == D1
    prints2 = api(server, "/api/state")["fingerprints"]
    assert prints2["G"] != prints1["G"] and prints2["D"] == prints1["D"]
    assert count(page, "step-count") == 0           # neither was a whole iteration
    page.get_by_test_id("step").click()
    wait_text(page, "[data-testid=step-count]", "^1$")


def test_a_learning_rate_changed_mid_run_takes_effect(page, server):
    # plain SGD moves theta by lr * gradient: the page's read-out |dtheta| / |grad| is lr
    page.get_by_test_id("optimizer").select_option("sgd")
    page.wait_for_function("() => window.ganStats.state.settings.optimizer === 'sgd'")
    page.get_by_test_id("step").click()
    wait_text(page, "[data-testid=step-count]", "^1$")
    for lr in ("0.0321", "0.00456"):
        box = page.get_by_test_id("lr-d")
        box.fill(lr)
        box.press("Enter")
        page.wait_for_function(f"() => window.ganStats.state.settings.lr_d === {lr}")
        d_steps = int(page.inner_text("#d-steps"))
        page.get_by_test_id("step-d").click()
        page.wait_for_function(f"() => window.ganStats.state.d_steps === {d_steps + 1}")
        numbers = re.findall(r"[0-9.e+-]+", text(page, "d-update"))
        step_norm, grad_norm = float(numbers[0]), float(numbers[1])
        assert step_norm / grad_norm == pytest.approx(float(lr), rel=2e-3)   # 4 digits shown
        last = server.session.last["D"]
        assert last["step_norm"] / last["grad_norm"] == pytest.approx(float(lr), rel=1e-9)


def test_a_bad_value_shows_an_error_and_the_page_goes_on_working(page, server):
    error = page.get_by_test_id("error")
    box = page.get_by_test_id("lr-d")
    box.fill("-1")
    box.press("Enter")
    wait_text(page, "[data-testid=error]", "lr_d must be in \\(0, 1\\]")
    assert "invalid" in box.get_attribute("class")
    assert api(server, "/api/state")["settings"]["lr_d"] == params.DEFAULTS["lr_d"]
    page.locator("#target").fill("normal:1,")
    page.locator("#target").press("Enter")
    wait_text(page, "[data-testid=error]", "target 'normal:1,' is malformed")
    page.get_by_test_id("step").click()             # the page and the server go on
    wait_text(page, "[data-testid=step-count]", "^1$")
    assert error.inner_text() == ""
    box.fill("0.001")
    box.press("Enter")
    page.wait_for_function("() => window.ganStats.state.settings.lr_d === 0.001")
    assert "invalid" not in box.get_attribute("class")


def test_keyboard_shortcuts_and_the_2d_view(page, server):
    page.locator("body").press("s")
    wait_text(page, "[data-testid=step-count]", "^1$")
    page.locator("body").press("d")
    wait_text(page, "#d-steps", "^2$")
    page.locator("body").press("g")
    wait_text(page, "#g-steps", "^2$")
    page.locator("#preset").select_option("ring")
    page.wait_for_function("() => window.ganStats.state.dim === 2")
    assert page.locator("#plane").is_visible() and not page.locator("#view1d").is_visible()
    wait_text(page, "[data-testid=modes]", "of 8$")
    assert count(page, "step-count") == 0          # another dimension: a new run
    page.locator("body").press(" ")
    page.wait_for_function("() => +document.getElementById('step-count').textContent >= 20")
    page.locator("body").press(" ")
    page.wait_for_function("() => !window.ganStats.playing")
    page.get_by_test_id("seed").fill("7")
    page.get_by_test_id("seed").press("Enter")          # Enter in the seed box resets
    page.wait_for_function("() => window.ganStats.state.seed === 7 && "
                           "window.ganStats.state.iterations === 0")
    page.locator("body").press("s")
    wait_text(page, "[data-testid=step-count]", "^1$")
    page.evaluate("() => document.activeElement.blur()")
    page.locator("body").press("r")
    wait_text(page, "[data-testid=step-count]", "^0$")
