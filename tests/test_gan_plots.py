"""The figures of gan.plots, drawn from short real runs.

What is checked comes from outside the plotting code: the paper's conventions (p_data black
dotted, p_g green solid, D blue dashed), the players themselves (the arrows end at G(z_i) of
the trained G, the D curve is the trained D), the equilibrium levels of Theorem 1 (-log 4, and
log 2 for G's loss), Pillow's own count of a GIF's frames, and the HTML page's independence of
the network.
"""

import math
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.quiver import Quiver  # noqa: E402
from PIL import Image  # noqa: E402

from gan import cli, plots  # noqa: E402
from gan.config import GANConfig  # noqa: E402
from gan.measure import discriminator_on  # noqa: E402
from gan.train import train  # noqa: E402

RUN_FILES = ("config.json", "metrics.json", "history.npz", "figure1.png", "evolution.gif",
             "evolution.html", "losses.png", "jsd.png", "discriminator.png", "timings.json",
             "manifest.json", "G.npz", "D.npz")


@pytest.fixture(scope="module")
def run():
    """200 steps of the default game with a snapshot every 20 steps: 11 snapshots."""
    return train(GANConfig(steps=200, snapshot_every=20, seed=3))


@pytest.fixture(scope="module")
def run_2d_noise():
    return train(GANConfig(steps=60, snapshot_every=20, noise_dim=2, seed=3))


def density_axes(figure):
    """The axes that hold a green solid curve: Figure 1's density panels."""
    return [ax for ax in figure.axes if any(_is_p_g(line) for line in ax.get_lines())]


def _rgb(line):
    return np.array(to_rgb(line.get_color()))


def _is_p_data(line):
    return line.get_linestyle() == ":" and np.allclose(_rgb(line), 0.0)


def _is_p_g(line):
    r, g, b = _rgb(line)
    return line.get_linestyle() == "-" and g > r and g > b


def _is_D(line):
    r, g, b = _rgb(line)
    return line.get_linestyle() == "--" and b > r and b > g


def _panel_curves(ax):
    lines = ax.get_lines()
    return ([line for line in lines if _is_p_data(line)], [line for line in lines if _is_p_g(line)],
            [line for line in lines if _is_D(line)])


# ---------------------------------------------------------------- Figure 1
def test_figure1_has_four_panels_each_with_the_papers_three_curves(run):
    figure = plots.figure1(run.history, ax=Figure())
    panels = density_axes(figure)
    assert len(panels) == 4
    for ax in panels:
        p_data, p_g, D = _panel_curves(ax)
        assert len(p_data) == len(p_g) == len(D) == 1
        assert ax.get_xlabel() or figure.get_supxlabel()
        assert re.search(r"step \d+, JSD", ax.get_title())
    assert panels[0].get_ylabel()
    assert figure.get_suptitle()


def test_figure1_default_panels_run_from_the_first_to_the_last_snapshot(run):
    figure = plots.figure1(run.history, ax=Figure())
    steps = [int(re.search(r"step (\d+)", ax.get_title()).group(1))
             for ax in density_axes(figure)]
    assert steps[0] == 0 and steps[-1] == run.config.steps
    assert steps == sorted(set(steps)), "four distinct steps in training order"


@pytest.mark.parametrize("kept", [[0, 1, 2, 5], [0, 1, 2, 3, 4, 5], [0, 9, 10], [0, 10]])
def test_figure1_default_panels_are_four_distinct_snapshots_when_there_are_four(run, kept):
    """Keeping snapshots 0, 20, 40, 100 puts 10% of training (step 10) halfway between two."""
    arrays = run.history.to_arrays()
    for name in ("snapshot_steps", *run.history.SNAPSHOT_FIELDS):
        arrays[name] = arrays[name][kept]
    figure = plots.figure1(arrays, ax=Figure())
    steps = [int(re.search(r"step (\d+)", ax.get_title()).group(1))
             for ax in density_axes(figure)]
    recorded = arrays["snapshot_steps"].tolist()
    assert len(steps) == min(4, len(kept)) == len(set(steps))
    assert steps == sorted(steps) and steps[0] == recorded[0] and steps[-1] == recorded[-1]


def test_figure1_names_a_p_g_peak_that_runs_off_the_top(run):
    arrays = run.history.to_arrays()
    arrays["p_g_grid"] = arrays["p_g_grid"].copy()
    arrays["p_g_grid"][0] = arrays["p_data_grid"]  # the first panel: nothing off the top
    arrays["p_g_grid"][-1, 200] = 50.0  # far above D's range [0, 1] and 3 x p_data's peak
    figure = plots.figure1(arrays, ax=Figure())
    last = density_axes(figure)[-1]
    assert last.get_ylim()[1] < 50.0
    assert any("peaks at 50" in text.get_text() for text in last.texts)
    assert not any("peaks" in text.get_text() for text in density_axes(figure)[0].texts)


def test_figure1_last_panel_shows_the_trained_D_and_the_target_density(run):
    figure = plots.figure1(run.history, ax=Figure())
    p_data, _, D = _panel_curves(density_axes(figure)[-1])
    grid = p_data[0].get_xdata()
    np.testing.assert_allclose(p_data[0].get_ydata(), run.config.target.pdf(grid), rtol=1e-12)
    np.testing.assert_allclose(D[0].get_ydata(), discriminator_on(run.D, grid), rtol=1e-9)


def test_figure1_arrows_go_from_each_z_to_G_of_z_for_the_final_G(run):
    figure = plots.figure1(run.history, ax=Figure())
    quivers = [c for ax in figure.axes for c in ax.collections if isinstance(c, Quiver)]
    assert len(quivers) == 4
    z = run.history.z_line
    G_of_z = run.G.forward(z[:, None])[:, 0]  # the run's final (averaged) G
    final = quivers[-1]
    np.testing.assert_allclose(final.X, z)
    np.testing.assert_allclose(final.Y, 0.0)
    np.testing.assert_allclose(final.X + final.U, G_of_z, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(final.Y + final.V, 1.0)


def test_figure1_draws_the_steps_asked_for(run):
    figure = plots.figure1(run.history, steps=[20, 100], ax=Figure())
    titles = [ax.get_title() for ax in density_axes(figure)]
    assert len(titles) == 2 and "step 20," in titles[0] and "step 100," in titles[1]


def test_figure1_without_1d_noise_has_no_arrows(run_2d_noise):
    figure = plots.figure1(run_2d_noise.history, ax=Figure())
    assert not any(isinstance(c, Quiver) for ax in figure.axes for c in ax.collections)
    assert len(density_axes(figure)) >= 3


def test_figure1_reads_a_saved_history_npz(run, tmp_path):
    np.savez(tmp_path / "history.npz", **run.history.to_arrays())
    with np.load(tmp_path / "history.npz") as saved:
        figure = plots.figure1(saved, ax=Figure())
    _, p_g, _ = _panel_curves(density_axes(figure)[-1])
    np.testing.assert_array_equal(p_g[0].get_ydata(), run.history.p_g_grid[-1])


def test_figure1_without_ax_is_a_pyplot_figure_the_caller_can_close(run):
    import matplotlib.pyplot as plt

    figure = plots.figure1(run.history)
    assert plt.fignum_exists(figure.number)
    plt.close(figure)


# ---------------------------------------------------------------- building blocks
@settings(max_examples=25)  # each example draws a figure; the property is simple
@given(st.lists(st.tuples(st.floats(-5, 5), st.floats(-5, 5)), min_size=1, max_size=30))
def test_plot_z_arrows_ends_every_arrow_at_its_image(pairs):
    z, x = np.array(pairs).T
    ax = Figure().subplots()
    arrows = plots.plot_z_arrows(ax, z, x)
    np.testing.assert_allclose(arrows.X + arrows.U, x, atol=1e-12)
    np.testing.assert_allclose(arrows.Y + arrows.V, 1.0)


def test_plot_densities_uses_the_papers_styles():
    grid = np.linspace(-3, 3, 50)
    ax = Figure().subplots()
    p_data, p_g, D = plots.plot_densities(ax, grid, np.exp(-grid**2), np.exp(-grid**2 / 2),
                                          np.full(50, 0.5))
    assert _is_p_data(p_data) and _is_p_g(p_g) and _is_D(D)


# ---------------------------------------------------------------- evolution
def test_gif_has_one_frame_per_snapshot(run_2d_noise, tmp_path):
    path = tmp_path / "evolution.gif"
    frames = plots.evolution_animation(run_2d_noise.history, path)
    with Image.open(path) as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == frames == len(run_2d_noise.history.snapshot_steps)


def test_gif_frames_are_capped_by_subsampling(run, tmp_path):
    path = tmp_path / "evolution.gif"
    frames = plots.evolution_animation(run.history, path, max_frames=4)
    with Image.open(path) as gif:
        assert gif.n_frames == frames == 4


def test_html_player_is_self_contained_and_embeds_every_snapshot(run, tmp_path):
    # the player itself is tested in tests/test_gan_plots_player.py; here: one frame per snapshot
    path = tmp_path / "evolution.html"
    frames = plots.evolution_html(run.history, path)
    page = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://", page), "no external script, stylesheet or font"
    assert frames == len(run.history.snapshot_steps) == 11
    assert page.count('id="run-data"') == 1


# ---------------------------------------------------------------- losses, JSD, D*
def _horizontal_levels(ax):
    return [line.get_ydata()[0] for line in ax.get_lines()
            if len(set(np.asarray(line.get_ydata(), dtype=float))) == 1]


@pytest.mark.parametrize("g_loss, ideal", [("non_saturating", math.log(2.0)),
                                           ("minimax", -math.log(2.0))])
def test_losses_figure_marks_minus_log_4_and_the_generators_ideal_loss(run, g_loss, ideal):
    figure = plots.losses_figure(run.history, g_loss=g_loss, ax=Figure().subplots())
    ax = figure.axes[0]
    levels = _horizontal_levels(ax)
    assert any(math.isclose(level, -math.log(4.0)) for level in levels)
    assert any(math.isclose(level, ideal) for level in levels)
    legend = " ".join(text.get_text() for text in ax.get_legend().get_texts())
    assert "log 4" in legend and "log 2" in legend


def test_losses_figure_smooths_each_curve_by_its_window_mean(run):
    window = 10
    figure = plots.losses_figure(run.history, window=window, ax=Figure().subplots())
    smoothed = [line for line in figure.axes[0].get_lines() if f"{window}-step" in line.get_label()]
    assert len(smoothed) == 3
    raw = {"D's": run.history.d_loss, "G's": run.history.g_loss, "minibatch": run.history.value}
    for line in smoothed:
        (values,) = [v for key, v in raw.items() if key in line.get_label()]
        for i in (0, 57, len(values) - window):  # the mean over steps i+1 .. i+window
            assert math.isclose(line.get_ydata()[i], values[i:i + window].mean(), rel_tol=1e-12)
            assert math.isclose(line.get_xdata()[i], i + 1 + (window - 1) / 2)


def test_jsd_figure_is_on_a_log_axis_with_every_snapshot(run):
    figure = plots.jsd_figure(run.history, ax=Figure().subplots())
    ax = figure.axes[0]
    assert ax.get_yscale() == "log"
    (curve,) = [line for line in ax.get_lines() if len(line.get_xdata()) > 1
                and len(set(line.get_ydata())) > 1]
    np.testing.assert_array_equal(curve.get_xdata(), run.history.snapshot_steps)
    np.testing.assert_array_equal(curve.get_ydata(), run.history.jsd)


def test_discriminator_figure_draws_D_star_from_the_densities_and_half(run):
    figure = plots.discriminator_figure(run, ax=Figure().subplots())
    ax = figure.axes[0]
    assert any(math.isclose(level, 0.5) for level in _horizontal_levels(ax))
    (D_star,) = [line for line in ax.get_lines() if "D^*" in line.get_label()]
    p_data, p_g = run.history.p_data_grid, run.history.p_g_grid[-1]
    carried = (p_data > 1e-3) | (p_g > 1e-3)
    # D* = p_data / (p_data + p_g) (Prop. 1); the figure's p_g is renormalised over the grid,
    # which the pushforward fills up to its reported outside mass, so 1e-3 is ample.
    expected = p_data / (p_data + p_g)
    np.testing.assert_allclose(D_star.get_ydata()[carried], expected[carried], atol=1e-3)
    (D,) = [line for line in ax.get_lines() if _is_D(line)]
    np.testing.assert_allclose(D.get_ydata(), discriminator_on(run.D, run.history.grid))


# ---------------------------------------------------------------- a run's folder
def test_command_line_train_writes_every_figure_and_lists_them(tmp_path, capsys):
    out = tmp_path / "run"
    code = cli.main(["train", "--steps", "100", "--snapshot-every", "20", "--no-progress",
                     "--out", str(out)])
    assert code == 0
    for name in RUN_FILES:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    (listing,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("wrote")]
    listed = listing.removeprefix("wrote ").rsplit(" to ", 1)[0].split(", ")
    assert sorted(listed) == sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)


def test_run_without_snapshots_gets_only_the_losses_figure(tmp_path):
    result = train(GANConfig(steps=30, snapshot_every=0, seed=1))
    assert plots.write_run_figures(result, tmp_path) == ["losses.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["losses.png"]


# ---------------------------------------------------------------- bad input
def test_figure1_rejects_steps_that_are_not_snapshots(run):
    with pytest.raises(ValueError, match=r"steps must be snapshot steps.*\[7\]"):
        plots.figure1(run.history, steps=[0, 7], ax=Figure())


def test_figures_that_need_snapshots_say_so(tmp_path):
    result = train(GANConfig(steps=10, snapshot_every=0, seed=1))
    for draw in (lambda: plots.figure1(result.history, ax=Figure()),
                 lambda: plots.jsd_figure(result.history, ax=Figure().subplots()),
                 lambda: plots.evolution_animation(result.history, tmp_path / "e.gif")):
        with pytest.raises(ValueError, match="no snapshots"):
            draw()


@pytest.mark.parametrize("call, error, message", [
    (lambda h, d: plots.evolution_animation(h, d / "e.png"), ValueError, "path must end in .gif"),
    (lambda h, d: plots.evolution_animation(h, d / "e.gif", fps=0), ValueError, "fps"),
    (lambda h, d: plots.evolution_html(h, d / "e.html", fps=0), ValueError, "fps"),
    (lambda h, d: plots.losses_figure(h, g_loss="wasserstein"), ValueError, "g_loss"),
    (lambda h, d: plots.losses_figure(h, window=0), ValueError, "window"),
    (lambda h, d: plots.figure1(h, ax="panel"), TypeError, "ax must be"),
    (lambda h, d: plots.figure1({"grid": [0, 1]}), TypeError, "history must be"),
    (lambda h, d: plots.plot_z_arrows(Figure().subplots(), [0, 1], [0]), ValueError, "z_line"),
])
def test_bad_arguments_raise_errors_naming_them(run, tmp_path, call, error, message):
    with pytest.raises(error, match=message):
        call(run.history, tmp_path)


# ---------------------------------------------------------------- figures for slides
def _svg_root(path):
    """The parsed SVG's root element: the file must be well-formed XML."""
    import xml.etree.ElementTree as ElementTree

    return ElementTree.parse(path).getroot()


def test_a_run_folder_in_svg_holds_parsable_svgs_the_gif_and_the_player(run, tmp_path):
    written = plots.write_run_figures(run, tmp_path, format="svg")
    assert sorted(written) == sorted(["losses.svg", "figure1.svg", "evolution.gif",
                                      "evolution.html", "jsd.svg", "discriminator.svg"])
    for name in written:
        if name.endswith(".svg"):
            assert _svg_root(tmp_path / name).tag == "{http://www.w3.org/2000/svg}svg", name
            assert b"<svg" in (tmp_path / name).read_bytes()
    with Image.open(tmp_path / "evolution.gif") as gif:
        assert gif.format == "GIF"


@pytest.mark.parametrize("format", ["svg", "pdf"])
def test_the_same_run_gives_the_same_bytes_in_a_vector_format(run, tmp_path, format):
    """Slides under version control: no date, no version and no random ids in the file."""
    first = plots.write_run_figures(run, tmp_path / "a", format=format)
    second = plots.write_run_figures(run, tmp_path / "b", format=format)
    assert first == second
    for name in first:
        if name.endswith("." + format):
            data = (tmp_path / "a" / name).read_bytes()
            assert data == (tmp_path / "b" / name).read_bytes(), name
            assert b"CreationDate" not in data and b"<dc:date>" not in data
            assert matplotlib.__version__.encode() not in data, name


def test_train_format_pdf_writes_pdfs_that_are_the_same_for_the_same_seed(tmp_path, capsys):
    names = ("figure1.pdf", "losses.pdf", "jsd.pdf", "discriminator.pdf")
    for out in ("a", "b"):
        assert cli.main(["train", "--steps", "60", "--snapshot-every", "20", "--no-progress",
                         "--format", "pdf", "--out", str(tmp_path / out)]) == 0
        for name in names:
            assert (tmp_path / out / name).read_bytes().startswith(b"%PDF"), name
        assert (tmp_path / out / "evolution.gif").is_file()
        assert not list((tmp_path / out).glob("*.png"))
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_the_cli_offers_exactly_the_formats_the_plots_can_write():
    import argparse

    parser = argparse.ArgumentParser()
    from gan.cli import train as train_command

    train_parser = train_command.add_parser(parser.add_subparsers(), help="")
    (action,) = [a for a in train_parser._actions if a.dest == "format"]
    assert tuple(action.choices) == plots.FIGURE_FORMATS and action.default == "png"


def test_an_unknown_figure_format_is_refused_with_the_formats_allowed(run, tmp_path):
    allowed = r"format must be one of \('png', 'svg', 'pdf'\), got 'eps'"
    with pytest.raises(ValueError, match=allowed):
        plots.write_run_figures(run, tmp_path, format="eps")
