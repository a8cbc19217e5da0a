"""The playground's page in headless Chromium (Playwright's sync API on the system Chromium).

One server and one browser for the module; each test opens a fresh page on a fresh run.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request

import numpy as np
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


def press(page, testid, times, counter, start=0):
    for _ in range(times):
        page.get_by_test_id(testid).click()
    page.wait_for_function(f"() => window.ganStats.state.{counter} === {start + times}")


def test_the_defaults_button_restores_every_setting_the_seed_and_the_speed(page, server):
    page.get_by_test_id("g-loss").select_option("minimax")
    page.wait_for_function("() => window.ganStats.state.settings.g_loss === 'minimax'")
    for testid, value in (("lr-d", "0.01"), ("k", "3")):
        page.get_by_test_id(testid).fill(value)
        page.get_by_test_id(testid).press("Enter")
    page.locator("#preset").select_option("bimodal")
    page.get_by_test_id("seed").fill("9")
    page.get_by_test_id("seed").press("Enter")
    page.wait_for_function("() => window.ganStats.state.seed === 9 && "
                           "window.ganStats.state.settings.k === 3")
    page.locator("#speed").fill("120")
    page.get_by_test_id("defaults").click()
    page.wait_for_function("() => window.ganStats.state.seed === 0")
    state = api(server, "/api/state")
    assert state["settings"] == params.DEFAULTS and state["seed"] == 0
    assert state["iterations"] == 0
    assert page.get_by_test_id("lr-d").input_value() == str(params.DEFAULTS["lr_d"])
    assert page.get_by_test_id("g-loss").input_value() == params.DEFAULTS["g_loss"]
    assert page.evaluate("window.ganStats.speed") == 20


def test_the_target_box_shows_the_presets_spec_and_its_parameters(page):
    assert page.get_by_test_id("target").input_value() == params.PRESETS["normal"]
    assert "N(μ = -1, σ = 1)" in text(page, "target-text")
    page.locator("#preset").select_option("bimodal")
    page.wait_for_function("() => window.ganStats.state.settings.target === 'bimodal'")
    assert page.get_by_test_id("target").input_value() == params.PRESETS["bimodal"]
    assert "0.5 N(μ = -2, σ = 0.5) + 0.5 N(μ = 2, σ = 0.5)" in text(page, "target-text")
    page.locator("#preset").select_option("ring")
    page.wait_for_function("() => window.ganStats.state.dim === 2")
    assert "σ = 0.02" in text(page, "target-text") and "8 equal modes" in text(page, "target-text")


def test_a_loss_spike_is_clipped_and_the_chart_says_so(page):
    page.get_by_test_id("play").click()
    page.wait_for_function("() => +document.getElementById('step-count').textContent >= 200")
    page.get_by_test_id("pause").click()
    page.wait_for_function("() => !window.ganStats.playing && !window.ganStats.prefetch")
    top = page.evaluate("""() => { const h = window.ganStats.state.history;
        h.losses.d_loss[Math.floor(h.losses.d_loss.length / 2)] = 72; renderChart(h);
        return window.ganStats.chart.lossRange.hi; }""")
    assert top < 5
    assert "max 72" in page.text_content("#loss-clip")      # the spike, named on the chart


# ---- lesson 26's three suggestions, followed on the page as the lesson prints them

def test_lesson_26_first_D_steps_move_D_toward_D_star_then_a_G_step_moves_p_g(page):
    view = lambda: page.evaluate("window.ganStats.state.view")  # noqa: E731
    v0 = view()
    press(page, "step-d", 10, "d_steps")
    v1 = view()
    assert v1["p_g"] == v0["p_g"] and v1["D_star"] == v0["D_star"]

    def gap(v):     # the lesson's mean |D - D*| under (p_data + p_g) / 2
        D_star = np.array([np.nan if d is None else d for d in v["D_star"]])
        weight = (np.array(v["p_data"]) + np.array(v["p_g"])) / 2
        f = np.where(np.isnan(D_star), 0.0, weight * np.abs(np.array(v["D"]) - D_star))
        return np.sum(f) / np.sum(weight)          # an even grid: the trapezoid's ratio, nearly
    assert gap(v1) < gap(v0) / 2
    press(page, "step-g", 1, "g_steps")
    v2 = view()
    assert v2["p_g"] != v1["p_g"] and v2["D_star"] != v1["D_star"]
    x, D = np.array(v1["x"]), np.array(v1["D"])
    mean_D = lambda p_g: np.sum(np.array(p_g) * D) / np.sum(p_g)  # noqa: E731
    assert mean_D(v2["p_g"]) > mean_D(v1["p_g"])          # p_g moved where D is high


def test_lesson_26_second_the_saturating_loss_makes_the_drawn_arrows_vanish(page):
    page.get_by_test_id("g-loss").select_option("minimax")
    page.wait_for_function("() => window.ganStats.state.settings.g_loss === 'minimax'")
    press(page, "step-d", 50, "d_steps")
    drawn = page.evaluate("window.ganStats.arrows")
    assert drawn["pxPerUnit"] == 40 and max(drawn["lengths"]) < 3       # under 3 px: vanished
    page.get_by_test_id("g-loss").select_option("non_saturating")
    page.wait_for_function("() => window.ganStats.state.settings.g_loss === 'non_saturating'")
    drawn = page.evaluate("window.ganStats.arrows")
    assert min(drawn["lengths"]) > 60                                   # the same D and fakes
    key = page.text_content("#axes1d")
    assert "key: 40 px" in key


def test_lesson_26_third_instance_noise_blurs_the_rings_heat_map(page, server):
    def play_to(n):
        page.get_by_test_id("play").click()
        page.wait_for_function(f"() => window.ganStats.state.iterations >= {n}")
        page.get_by_test_id("pause").click()
        page.wait_for_function("() => !window.ganStats.playing && !window.ganStats.prefetch")
        heat = np.array(page.evaluate("window.ganStats.state.view.heat")).reshape(64, 64)
        return (np.abs(np.diff(heat, axis=0)).mean() + np.abs(np.diff(heat, axis=1)).mean()) / 2

    page.locator("#preset").select_option("ring")
    page.wait_for_function("() => window.ganStats.state.dim === 2")
    page.locator("#speed").fill("50")
    sharp = play_to(500)
    assert "of 8" in text(page, "modes")
    page.get_by_test_id("noise-sigma").fill("0.3")
    page.get_by_test_id("noise-sigma").press("Enter")
    page.wait_for_function("() => window.ganStats.state.settings.noise_sigma === 0.3")
    page.get_by_test_id("reset").click()
    page.wait_for_function("() => window.ganStats.state.iterations === 0")
    blurred = play_to(500)
    assert blurred < sharp / 2


# ---- a target drawn on the chart, or made from a file of samples

def client_point(page, x, y=0.0):
    """Where on the screen the chart shows the point (x, y) (1D: x on the handles' line)."""
    return page.evaluate("""([x, y]) => {
        const c = window.ganStats.chartScale, [px, py] = toChart({ x, y });
        const el = document.getElementById(c.dim === 1 ? 'view1d' : 'plane');
        const box = el.getBoundingClientRect(), width = c.dim === 1 ? 760 : c.W;
        return [box.left + px * box.width / width, box.top + py * box.width / width];
    }""", [x, y])


def chart_pixel(page):
    """The width of one screen pixel of the chart in the target's units."""
    return page.evaluate("""() => { const c = window.ganStats.chartScale;
        const box = document.getElementById(c.dim === 1 ? 'view1d' : 'plane')
            .getBoundingClientRect();
        const units = c.dim === 1 ? c.X1 - c.X0 : c.W, width = c.dim === 1 ? 760 : c.W;
        return (c.hi - c.lo) / units * width / box.width; }""")


def served_target(server):
    """The server's target as (weights, means, sigmas), and its spec."""
    target = server.session.target
    components = getattr(target, "components", [target])
    weights = getattr(target, "weights", np.ones(1))
    means = np.array([np.ravel(c.mu_vector) for c in components])
    sigmas = np.array([float(c.sigma) for c in components])
    return weights, means, sigmas, server.session.settings["target"]


def wait_target(page, spec_test):
    page.wait_for_function(f"() => window.ganStats.state && ({spec_test})"
                           "(window.ganStats.state.settings.target)")


def test_clicking_adds_a_mode_dragging_moves_it_and_shift_click_removes_it(page, server):
    page.get_by_test_id("draw").check()
    assert "shift-click or right-click" in text(page, "draw-hint")
    pixel = chart_pixel(page)
    page.mouse.click(*client_point(page, 2.0))             # the target is normal:-1,1: one mode
    wait_target(page, "(t) => t.split('+').length === 2")
    _, means, sigmas, spec = served_target(server)
    assert page.get_by_test_id("target").input_value() == spec
    assert spec.startswith("normal:-1,1+normal:")
    assert means[:, 0] == pytest.approx([-1.0, 2.0], abs=1.5 * pixel)
    assert sigmas.tolist() == [1.0, params.DRAWN_SIGMA[1]]
    assert "as drawn: 2 modes" in text(page, "target-text")

    page.mouse.move(*client_point(page, means[1, 0]))       # drag the new mode to x = 0.5
    page.mouse.down()
    page.mouse.move(*client_point(page, 1.2), steps=4)
    page.mouse.move(*client_point(page, 0.5), steps=4)
    page.mouse.up()
    wait_target(page, f"(t) => t !== {json.dumps(spec)}")
    _, moved, _, spec = served_target(server)
    assert len(moved) == 2 and moved[1, 0] == pytest.approx(0.5, abs=1.5 * pixel)
    assert page.get_by_test_id("target").input_value() == spec

    page.keyboard.down("Shift")                                 # shift-click removes the first
    page.mouse.click(*client_point(page, -1.0))
    page.keyboard.up("Shift")
    wait_target(page, "(t) => t.split('+').length === 1")
    _, left, _, spec = served_target(server)
    assert left[:, 0] == pytest.approx([moved[1, 0]], abs=1e-3)
    assert page.get_by_test_id("target").input_value() == spec


def test_training_on_a_drawn_target_runs_on_it(page, server):
    page.get_by_test_id("draw").check()
    page.mouse.click(*client_point(page, 3.0))
    wait_target(page, "(t) => t.split('+').length === 2")
    spec = page.get_by_test_id("target").input_value()
    page.get_by_test_id("play").click()
    page.wait_for_function("() => window.ganStats.state.iterations >= 20")
    page.get_by_test_id("pause").click()
    page.wait_for_function("() => !window.ganStats.playing && !window.ganStats.prefetch")
    state = api(server, "/api/state")
    assert state["settings"]["target"] == spec and state["iterations"] >= 20
    assert server.session.target.pdf(np.array([[3.0]]))[0] > 0.1      # the drawn mode is there
    page.get_by_test_id("reset").click()                                # reset keeps it
    page.wait_for_function("() => window.ganStats.state.iterations === 0")
    assert api(server, "/api/state")["settings"]["target"] == spec


def test_drawing_in_the_plane_edits_the_rings_modes(page, server):
    page.locator("#preset").select_option("ring")
    page.wait_for_function("() => window.ganStats.state.dim === 2")
    page.get_by_test_id("draw").check()
    _, means, _, _ = served_target(server)
    page.mouse.click(*client_point(page, *means[0]), button="right")    # remove a mode
    wait_target(page, "(t) => t.split('+').length === 7")
    page.mouse.click(*client_point(page, 0.0, 0.0))                     # add one at the centre
    wait_target(page, "(t) => t.split('+').length === 8")
    _, drawn, sigmas, spec = served_target(server)
    pixel = chart_pixel(page)
    assert set(sigmas) == {0.02}                                        # the ring's sigma, shared
    assert np.hypot(*drawn[-1]) < 1.5 * pixel
    assert np.allclose(np.hypot(drawn[:-1, 0], drawn[:-1, 1]), 2.0, atol=1e-3)
    page.wait_for_function("() => window.ganStats.state.view.modes === 8")
    assert page.get_by_test_id("target").input_value() == spec


def samples_text(values):
    return "\n".join(",".join(repr(float(v)) for v in np.atleast_1d(row)) for row in values)


def test_pasted_samples_become_their_kernel_density_estimate_and_train(page, server):
    from scipy import stats

    x = np.random.default_rng(3).normal(1.0, 0.5, 200)
    page.get_by_test_id("samples").fill("# heights\n" + samples_text(x) + "\n\n")
    page.get_by_test_id("use-samples").click()
    wait_target(page, "(t) => t.split('+').length === 200")
    weights, means, sigmas, spec = served_target(server)
    assert page.get_by_test_id("target").input_value() == spec
    # outside truth: scipy's Gaussian KDE with Scott's rule, bandwidth factor * sample std
    kde = stats.gaussian_kde(x)
    assert sigmas == pytest.approx(kde.factor * x.std(ddof=1), rel=1e-3)
    assert means[:, 0] == pytest.approx(x, abs=1e-3 * sigmas[0])
    assert weights == pytest.approx(np.full(200, 1 / 200))
    grid = np.linspace(0, 2, 9)                  # the bulk (h is sent to 4 digits: the tails move)
    assert np.ravel(server.session.target.pdf(grid[:, None])) == pytest.approx(kde(grid), rel=5e-3)
    assert "kernel density estimate of 200 samples" in text(page, "target-text")
    page.get_by_test_id("step").click()
    wait_text(page, "[data-testid=step-count]", "^1$")
    assert api(server, "/api/state")["settings"]["target"] == spec


def test_an_uploaded_2d_file_becomes_an_isotropic_kde_in_the_plane(page, server):
    xy = np.random.default_rng(4).normal([0.0, 1.0], [1.0, 0.5], (120, 2))
    page.get_by_test_id("samples-file").set_input_files(files=[{
        "name": "points.csv", "mimeType": "text/csv", "buffer": samples_text(xy).encode()}])
    page.wait_for_function("() => window.ganStats.state.dim === 2")
    _, means, sigmas, spec = served_target(server)
    h = np.sqrt(xy.var(axis=0, ddof=1).mean()) * 120 ** (-1 / 6)     # Scott's n^(-1/(d+4))
    assert len(set(sigmas)) == 1 and sigmas[0] == pytest.approx(h, rel=1e-3)
    assert means == pytest.approx(xy, abs=1e-3 * h)
    assert page.get_by_test_id("samples").input_value().count("\n") == 119
    page.wait_for_function("() => window.ganStats.state.view.modes === 120")


BAD_FILES = [
    ("1.0\n2.0\nabc\n3\n4\n5", "line 3: \"abc\" is not a number"),
    ("1\n2\n3\ninf\n5\n6", "line 4: \"inf\" is not a finite number"),
    ("1\n2\n3\n4\n1e999\n6", "line 5: \"1e999\" is not a finite number"),
    ("1,2\n3,4\n5\n6,7\n8,9", "line 3: 1 value, but line 1 has 2"),
    ("1,2,3\n4,5,6", "line 1: 3 values"),
    ("1\n2\n3", "3 samples; at least 5"),
    ("\n".join(["0.5"] * 10), "the samples have no spread"),
    ("\n".join(str(i) for i in range(params.MAX_SAMPLES + 1)),
     f"line {params.MAX_SAMPLES + 1}: more than {params.MAX_SAMPLES} samples"),
]


def test_a_bad_file_is_refused_with_the_line_named_and_nothing_changes(page, server):
    page.get_by_test_id("step").click()
    wait_text(page, "[data-testid=step-count]", "^1$")
    before = api(server, "/api/state")
    renders = page.evaluate("window.ganStats.renders")
    for content, message in BAD_FILES:
        page.get_by_test_id("samples").fill(content)
        page.get_by_test_id("use-samples").click()
        wait_text(page, "[data-testid=error]", re.escape("samples refused: " + message))
        assert "nothing was changed" in text(page, "error")
        assert message in text(page, "samples-note")
        assert "invalid" in page.get_by_test_id("samples").get_attribute("class")
    page.get_by_test_id("samples-file").set_input_files(files=[{
        "name": "bad.csv", "mimeType": "text/csv", "buffer": b"0.1\n0.2\n0.3\nx9\n"}])
    wait_text(page, "[data-testid=error]", "line 4: \"x9\" is not a number")
    after = api(server, "/api/state")
    for field in ("fingerprints", "settings", "seed", "iterations"):
        assert after[field] == before[field]
    assert page.evaluate("window.ganStats.renders") == renders          # nothing was sent
    page.get_by_test_id("step").click()                                  # the page goes on
    wait_text(page, "[data-testid=step-count]", "^2$")
