"""The run's player page (gan.plots.player): self-contained, every snapshot, the History's numbers,
the drawing code shared with the playground, and a player that answers keys and clicks in
headless Chromium (launched as tests/test_gan_play_browser.py launches it)."""

import json
import os
import re

import numpy as np
import pytest

from gan.config import GANConfig
from gan.play.assets import read
from gan.play.server import page_html
from gan.plots import evolution_html, player_html
from gan.plots.player import CURVE_NUMBERS, LOSS_POINTS
from gan.train import train

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def run():
    """120 steps, a snapshot every 10: 13 snapshots (the GIF of old showed at most 60)."""
    return train(GANConfig(steps=120, snapshot_every=10, seed=5))


@pytest.fixture(scope="module")
def page_file(run, tmp_path_factory):
    path = tmp_path_factory.mktemp("player") / "evolution.html"
    assert evolution_html(run.history, path) == 13
    return path


def embedded(page):
    (text,) = re.findall(r'<script type="application/json" id="run-data">(.*?)</script>', page,
                         flags=re.S)
    return json.loads(text)


def test_the_page_loads_nothing_from_anywhere(page_file):
    page = page_file.read_text(encoding="utf-8")
    assert not re.search(r"https?://", page)
    assert not re.search(r"\b(src|href)\s*=", page), "no script, stylesheet, font or image link"
    assert not re.search(r"@import|url\(|fetch\(|XMLHttpRequest", page)


def test_every_snapshot_is_a_frame_holding_the_historys_numbers(run, page_file):
    history, data = run.history, embedded(page_file.read_text(encoding="utf-8"))
    frames = data["snapshots"]
    assert frames["step"] == list(history.snapshot_steps)
    grid = np.asarray(history.grid)
    index = np.abs(grid[None, :] - np.array(data["x"])[:, None]).argmin(axis=1)
    np.testing.assert_allclose(grid[index], data["x"], atol=5e-6)        # points of the grid
    np.testing.assert_allclose(history.p_data_grid[index], data["p_data"], atol=5e-6)
    for i in range(len(history.snapshot_steps)):     # rounded to 5 decimals, nothing else
        np.testing.assert_allclose(np.asarray(history.p_g_grid[i])[index], frames["p_g"][i],
                                   atol=5e-6)
        np.testing.assert_allclose(np.asarray(history.D_grid[i])[index], frames["D"][i],
                                   atol=5e-6)
        np.testing.assert_allclose(history.x_of_z[i], frames["x_of_z"][i], atol=5e-5)
    np.testing.assert_allclose(history.jsd, frames["jsd"], rtol=1e-9, atol=1e-12)
    losses = data["losses"]
    assert losses["step"][0] == 1 and losses["step"][-1] == len(history.d_loss)
    for name in ("d_loss", "g_loss", "value"):
        np.testing.assert_allclose(np.asarray(getattr(history, name))[
            np.array(losses["step"]) - 1], losses[name], atol=5e-6)
    # the density scale holds p_data and D has its own 0..1 axis: p_data's peak is in the frame
    assert max(data["p_data"]) <= data["ymax"]


def normal_pdf(x, mu, sigma):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


@pytest.fixture(scope="module")
def tailed(run):
    """The run's history with p_data = N(-1, 1) and p_g = N(-2 + 0.2 i, 1.5) at snapshot i on a
    wide grid: the view reaches x < -6, where p_data rounds to 0 at 5 decimals and D* ~ 0.1."""
    h, grid = run.history, np.linspace(-12.0, 9.0, 1051)
    count = len(h.snapshot_steps)
    tailed = {name: np.asarray(getattr(h, name)) for name in (
        "z_line", "x_of_z", "jsd", "snapshot_steps", "d_loss", "g_loss", "value")}
    tailed.update(grid=grid, p_data_grid=normal_pdf(grid, -1.0, 1.0),
                  p_g_grid=np.stack([normal_pdf(grid, -2.0 + 0.2 * i, 1.5) for i in range(count)]),
                  D_grid=np.full((count, grid.size), 0.5))
    return tailed


def test_the_pages_D_star_is_propositions_1_ratio_of_the_unrounded_densities(tailed):
    # D* = p_data / (p_data + p_g) of the History's own densities at every shown grid point where
    # their sum is a positive number; dividing the densities rounded to 5 decimals (as the page
    # once did) made it jagged in the tails and 0 where p_data rounds to 0
    data = embedded(player_html(tailed))
    grid = tailed["grid"]
    index = np.abs(grid[None, :] - np.array(data["x"])[:, None]).argmin(axis=1)
    p_data = tailed["p_data_grid"][index]
    tails = 0
    for i, shown in enumerate(data["snapshots"]["D_star"]):
        p_g = tailed["p_g_grid"][i][index]
        total = p_data + p_g
        representable = total > 0
        shown = np.array([np.nan if v is None else v for v in shown])
        assert np.isnan(shown[~representable]).all()
        np.testing.assert_allclose(shown[representable], (p_data / total)[representable],
                                   rtol=0, atol=5e-6)
        tails += int(np.sum(representable & (np.round(p_data, 5) == 0) & (p_data / total > 0.05)))
    assert tails > 0, "the check must reach points where rounding first would have given D* = 0"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")
def test_the_drawn_D_star_curve_is_the_ratio_of_the_histories_densities(tailed, tmp_path):
    # read the orange curve off the page: its points, mapped back through the page's scales, are
    # p_data / (p_data + p_g) of the history at each frame (to the drawing's 0.1 px)
    from playwright.sync_api import sync_playwright

    path = tmp_path / "tailed.html"
    path.write_text(player_html(tailed), encoding="utf-8")
    grid, p_data = tailed["grid"], tailed["p_data_grid"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        page.goto(path.as_uri())
        tail = 0
        for frame in range(len(tailed["snapshot_steps"])):
            page.evaluate(f"() => show({frame})")
            d = page.get_attribute("#d-star", "d")
            points = np.array([[float(u) for u in p.split()] for p in re.split("[ML]", d) if p])
            # the page's layout: x from X0 = 50 to X1 = 720 over [lo, hi]; D from BASE 250 to TOP 18
            lo, hi = page.evaluate("() => [player.scales.lo, player.scales.hi]")
            x = lo + (points[:, 0] - 50) / (720 - 50) * (hi - lo)
            D_star = (250 - points[:, 1]) / (250 - 18)
            p_g = tailed["p_g_grid"][frame]
            exact = np.interp(x, grid, p_data / (p_data + p_g))
            np.testing.assert_allclose(D_star, exact, atol=0.06 / (250 - 18) + 2e-3)
            far = (x < -5.9) & (np.interp(x, grid, p_data) < 5e-6)   # p_data rounds to 0 there
            tail += int(np.sum(far & (exact > 0.05)))
        browser.close()
    assert tail > 0, "the drawn curve must be checked where p_data rounds to 0 and D* is not 0"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")
def test_one_loss_spike_does_not_flatten_the_chart_and_the_chart_says_it_clipped(run, tmp_path):
    from playwright.sync_api import sync_playwright

    spiked = {name: np.asarray(getattr(run.history, name)) for name in (
        "grid", "p_data_grid", "p_g_grid", "D_grid", "z_line", "x_of_z", "jsd", "snapshot_steps",
        "g_loss", "value")}
    spiked["d_loss"] = np.asarray(run.history.d_loss, dtype=float).copy()
    spiked["d_loss"][60] = 72.0
    path = tmp_path / "spike.html"
    path.write_text(player_html(spiked), encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        page.goto(path.as_uri())
        top, note = page.evaluate("() => [C.lossRange.hi, "
                                  "document.getElementById('loss-clip').textContent]")
        browser.close()
    others = np.concatenate([np.delete(spiked["d_loss"], 60), spiked["g_loss"], spiked["value"]])
    assert top < others.max() + 0.5 * np.ptp(others)        # the range is the losses', not 72's
    assert "1 above" in note and "max 72" in note


def test_many_snapshots_stay_within_the_stated_size_bound(run):
    # 1500 snapshots (the run's own, repeated) and 30000 steps: the curves are thinned to keep
    # CURVE_NUMBERS numbers at most, the losses to LOSS_POINTS steps (the module's bound)
    h = run.history
    count, reps = 1500, -(-1500 // len(h.snapshot_steps))
    many = {name: np.asarray(getattr(h, name)) for name in ("grid", "p_data_grid", "z_line")}
    for name in ("D_grid", "p_g_grid", "x_of_z", "jsd"):
        many[name] = np.concatenate([np.asarray(getattr(h, name))] * reps)[:count]
    many["snapshot_steps"] = np.arange(count) * 20
    for name in ("d_loss", "g_loss", "value"):
        many[name] = np.resize(np.asarray(getattr(h, name)), 30_000)
    page = player_html(many)
    data = embedded(page)
    assert len(data["snapshots"]["step"]) == count
    frames = data["snapshots"]
    curves = sum(len(row) for row in frames["p_g"] + frames["D"] + frames["D_star"])
    assert curves <= CURVE_NUMBERS and len(data["losses"]["step"]) <= LOSS_POINTS + 1
    bound = 31_000 + 9 * (CURVE_NUMBERS + 3 * (LOSS_POINTS + 1)
                          + count * (len(h.z_line) + 2) + len(data["x"]) * 2)
    assert len(page.encode()) <= bound


def test_the_player_and_the_playground_inline_one_drawing_module(run):
    shared = read("draw1d.js")
    assert "function density1d" in shared
    assert shared in page_html() and shared in player_html(run.history)


def test_bad_arguments_are_refused(run, tmp_path):
    with pytest.raises(ValueError, match="path must end in .html"):
        evolution_html(run.history, tmp_path / "e.png")
    with pytest.raises(ValueError, match="fps"):
        evolution_html(run.history, tmp_path / "e.html", fps=0)
    with pytest.raises(ValueError, match="no snapshots"):
        player_html(train(GANConfig(steps=5, snapshot_every=0)).history)


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM}")
def test_keys_and_clicks_change_the_frame_and_move_the_cursor(page_file):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 900, "height": 1100})
        errors, requests = [], []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_file.as_uri())
        state = lambda: page.evaluate(  # noqa: E731
            "() => [window.player.frame, +document.getElementById('cursor').getAttribute('x1'),"
            " document.getElementById('p-g').getAttribute('d'),"
            " document.getElementById('readout').textContent]")
        frame0, x0, curve0, text0 = state()
        assert frame0 == 0 and text0.startswith("frame 1 of 13: step 0 of 120")
        page.keyboard.press("End")
        frame, x_end, curve, text = state()
        assert frame == 12 and x_end > x0 and curve != curve0 and "step 120 of 120" in text
        page.keyboard.press("ArrowLeft")
        frame, x, _, text = state()
        assert frame == 11 and x0 < x < x_end and "step 110" in text
        page.keyboard.press("Home")
        assert state()[:2] == [0, x0]
        page.keyboard.press("ArrowRight")
        assert state()[0] == 1
        box = page.locator("#chart").bounding_box()        # the chart's middle: step ~60
        page.mouse.click(box["x"] + box["width"] * (50 + 335) / 760, box["y"] + 100)
        assert state()[0] == 6 and "step 60" in state()[3]
        page.keyboard.press(" ")                           # play: frames advance by themselves
        page.wait_for_function("() => window.player.frame >= 8")
        page.keyboard.press(" ")
        assert not page.evaluate("window.player.playing")
        browser.close()
    assert errors == []
    assert all(url.startswith("file:") for url in requests)
