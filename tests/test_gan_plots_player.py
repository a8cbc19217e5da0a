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
    curves = sum(len(row) for row in data["snapshots"]["p_g"] + data["snapshots"]["D"])
    assert curves <= CURVE_NUMBERS and len(data["losses"]["step"]) <= LOSS_POINTS + 1
    bound = 30_000 + 9 * (CURVE_NUMBERS + 3 * (LOSS_POINTS + 1)
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
