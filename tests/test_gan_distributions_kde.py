"""gan.distributions.KDE, the target of a data file: a density (integral 1, samples that follow
it), the closed forms of its moments, scipy's estimate as the outside truth, D* on it as on any
target, the JSON round trip, and `--target FILE` end to end with bad files named."""

import json

import numpy as np
import pytest
from scipy import integrate, stats

from gan import theory
from gan.cli import main
from gan.config import GANConfig
from gan.distributions import KDE, Mixture, Normal, from_dict, read_samples
from gan.distributions.kde import MAX_FILE_BYTES, MAX_VALUES, MIN_SAMPLES, bandwidth_by_rule


def bimodal_samples(n=400, seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(-2.0, 0.5, n // 2), rng.normal(1.5, 1.0, n - n // 2)])


@pytest.fixture
def kde():
    return KDE(bimodal_samples())


def test_scotts_and_silvermans_bandwidths_follow_their_formulas():
    x = bimodal_samples()
    n, sigma = len(x), x.std()                         # divisor n
    assert KDE(x).h == pytest.approx(sigma * n ** (-1 / 5), rel=1e-12)
    iqr = np.subtract(*np.quantile(x, [0.75, 0.25]))
    assert KDE(x, "silverman").h == pytest.approx(0.9 * min(sigma, iqr / 1.34) * n ** (-1 / 5),
                                                  rel=1e-12)
    assert bandwidth_by_rule(np.c_[x, x], "scott") == pytest.approx(sigma * n ** (-1 / 6))
    assert KDE(x, 0.3).h == 0.3 and KDE(x, 0.3).rule == "given"


def test_the_repr_states_the_rule_and_the_bandwidth(kde):
    assert "rule='scott'" in repr(kde) and f"h={kde.h!r}" in repr(kde)


def test_the_density_is_scipys_gaussian_kde_with_the_same_kernel_width(kde):
    x = kde.samples[:, 0]
    # scipy's kernel sd is bw_method x the samples' sd with divisor n - 1
    reference = stats.gaussian_kde(x, bw_method=kde.h / x.std(ddof=1))
    grid = np.linspace(-6, 6, 301)
    np.testing.assert_allclose(kde.pdf(grid), reference(grid), rtol=1e-10, atol=1e-300)


def test_the_density_integrates_to_one(kde):
    low, high = kde.interval()
    total, _ = integrate.quad(kde.pdf, low, high, points=kde.breakpoints(), limit=200,
                              epsabs=1e-13, epsrel=1e-12)
    assert total == pytest.approx(1.0, abs=1e-8)


def test_the_cdf_is_the_integral_of_the_density(kde):
    for x in (-3.0, -0.2, 2.5):
        area, _ = integrate.quad(kde.pdf, kde.interval()[0], x, limit=200)
        assert kde.cdf(x) == pytest.approx(area, abs=1e-9)


def test_mean_and_std_match_their_closed_forms_and_the_quadrature(kde):
    x = kde.samples[:, 0]
    assert kde.mean == pytest.approx(x.mean(), rel=1e-12)
    assert kde.std == pytest.approx(np.sqrt(x.var() + kde.h**2), rel=1e-12)
    low, high = kde.interval()
    first, _ = integrate.quad(lambda t: t * kde.pdf(t), low, high, points=kde.breakpoints(),
                              limit=200)
    second, _ = integrate.quad(lambda t: t * t * kde.pdf(t), low, high,
                               points=kde.breakpoints(), limit=200)
    assert kde.mean == pytest.approx(first, abs=1e-8)
    assert kde.std == pytest.approx(np.sqrt(second - first**2), abs=1e-8)


def test_samples_follow_the_density_by_a_ks_test_that_would_see_a_small_shift(kde):
    # n = 4000 draws: the KS critical distance at level 1e-3 is ~1.95 / sqrt(n) = 0.031, and a
    # shift of the density by 0.2 moves the cdf by ~0.05 at its steepest: the test has the
    # power to reject that alternative, shown on the same draws.
    x = kde.sample(4000, np.random.default_rng(7))[:, 0]
    assert stats.kstest(x, kde.cdf).pvalue > 1e-3
    assert stats.kstest(x, lambda t: kde.cdf(t - 0.2)).pvalue < 1e-3


def test_samples_come_from_the_projects_own_generator_too(kde):
    import rng
    x = kde.sample(2000, rng.Generator(3))[:, 0]
    assert stats.kstest(x, kde.cdf).pvalue > 1e-3


def test_the_optimal_discriminator_on_a_kde_target_is_p_data_over_the_sum(kde):
    p_g = Normal(0.0, 1.5)
    d_star = theory.optimal_discriminator(kde, p_g)
    grid = np.linspace(-5, 5, 41)
    expected = kde.pdf(grid) / (kde.pdf(grid) + p_g.pdf(grid))
    np.testing.assert_allclose([float(d_star(t)) for t in grid], expected, rtol=1e-10)


def test_it_is_the_equal_mixture_of_normals_at_the_samples_and_so_are_its_divergences():
    x = bimodal_samples(60)
    kde = KDE(x)
    mixture = Mixture([Normal(float(mu), kde.h) for mu in x])
    grid = np.linspace(-6, 6, 97)
    np.testing.assert_allclose(kde.logpdf(grid), mixture.logpdf(grid), rtol=1e-12)
    p_g = Normal(-0.5, 1.2)
    assert theory.jsd(kde, p_g) == pytest.approx(theory.jsd(mixture, p_g), rel=1e-7)


def test_the_log_density_stays_finite_far_in_the_tails(kde):
    assert np.isfinite(kde.logpdf(np.array([-200.0, 300.0]))).all()
    assert kde.pdf(300.0) == 0.0


def test_a_2d_kde_has_the_2d_formulas():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 2)) * [1.0, 2.0]
    kde = KDE(x)
    assert kde.dim == 2 and kde.sample(5, rng).shape == (5, 2)
    reference = stats.gaussian_kde(x.T, bw_method=1.0)       # then reset to h^2 I
    reference.covariance = np.eye(2) * kde.h**2
    reference.cho_cov = np.linalg.cholesky(reference.covariance)
    reference.log_det = 2 * np.log(np.diag(reference.cho_cov * np.sqrt(2 * np.pi))).sum()
    points = rng.normal(size=(50, 2))
    np.testing.assert_allclose(kde.pdf(points), reference(points.T), rtol=1e-9)
    np.testing.assert_allclose(kde.std, np.sqrt(x.var(axis=0) + kde.h**2))


def test_to_dict_from_dict_round_trip_keeps_samples_rule_and_bandwidth(kde):
    description = json.loads(json.dumps(kde.to_dict()))
    again = from_dict(description)
    assert again == kde and again.h == kde.h and again.rule == kde.rule
    np.testing.assert_array_equal(again.samples, kde.samples)
    assert KDE.from_dict(KDE(bimodal_samples(), "silverman").to_dict()).rule == "silverman"


@pytest.mark.parametrize("samples, bandwidth, words", [
    (np.zeros(50), "scott", "not all be equal"),
    (np.arange(MIN_SAMPLES - 1.0), "scott", f"at least {MIN_SAMPLES}"),
    (np.arange(MAX_VALUES + 1.0), "scott", f"at most {MAX_VALUES}"),
    (np.arange(50.0), "wide", "scott"),
    (np.arange(50.0), -1.0, "positive"),
    (np.r_[np.arange(49.0), np.nan], "scott", "finite"),
])
def test_bad_samples_or_bandwidths_are_refused_by_name(samples, bandwidth, words):
    with pytest.raises(ValueError, match=words):
        KDE(samples, bandwidth)


# ---- files and the command line ---------------------------------------------------------------

def write_csv(path, values, header="value"):
    path.write_text((header + "\n" if header else "") + "\n".join(repr(float(v)) for v in values)
                    + "\n")
    return path


def test_a_csv_and_an_npy_of_the_same_samples_read_the_same(tmp_path):
    x = bimodal_samples(100)
    np.save(tmp_path / "x.npy", x)
    np.testing.assert_array_equal(read_samples(write_csv(tmp_path / "x.csv", x)),
                                  read_samples(tmp_path / "x.npy"))
    (tmp_path / "xy.csv").write_text("# a comment\nx,y\n" + "\n".join(
        f"{a},{-a}" for a in x) + "\n")
    assert read_samples(tmp_path / "xy.csv").shape == (100, 2)


def test_a_train_run_on_a_csv_of_samples_works_end_to_end(tmp_path, capsys):
    data = write_csv(tmp_path / "heights.csv", np.random.default_rng(2).normal(1.0, 0.5, 300))
    out = tmp_path / "run"
    code = main(["train", "--target", str(data), "--steps", "30", "--snapshot-every", "10",
                 "--g-hidden", "8", "--d-hidden", "8", "--out", str(out), "--no-progress",
                 "--no-figures"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "KDE of 300 samples" in printed and "relative to that estimate" in printed
    config = GANConfig.from_dict(json.loads((out / "config.json").read_text()))
    assert isinstance(config.target, KDE) and config.target == KDE(read_samples(data))
    assert json.loads((out / "config.json").read_text())["target"]["rule"] == "scott"
    assert np.isfinite(json.loads((out / "metrics.json").read_text())["jsd"])


def test_silverman_or_a_number_after_the_file_sets_the_bandwidth(tmp_path):
    from gan.cli.arguments import parse_distribution
    data = write_csv(tmp_path / "x.csv", bimodal_samples(100))
    assert parse_distribution(f"{data}:silverman").rule == "silverman"
    assert parse_distribution(f"{data}:0.25").h == 0.25
    assert parse_distribution(str(data)).rule == "scott"


def bad_csv_files(tmp_path):
    good = [repr(float(v)) for v in bimodal_samples(30)]
    lines = {
        "cell.csv": (["x", *good[:5], "1.5kg", *good[5:]], "line 7: cell '1.5kg' is not a number"),
        "columns.csv": ([*good[:3], "1,2,3", *good[3:]], "line 4: 3 columns"),
        "ragged.csv": (["1,2", "3,4", "5", *[f"{v},{v}" for v in good]], "line 3: 1 columns"),
        "nan.csv": ([*good[:9], "nan", *good[9:]], "line 10: 'nan' is not finite"),
        "few.csv": (good[:MIN_SAMPLES - 1], f"fewer than the {MIN_SAMPLES}"),
        "many.csv": ([str(v) for v in range(MAX_VALUES + 5)], f"line {MAX_VALUES + 1}: more than"),
    }
    files = {}
    for name, (content, words) in lines.items():
        (tmp_path / name).write_text("\n".join(content) + "\n")
        files[name] = words
    (tmp_path / "huge.csv").write_bytes(b"1\n" * (MAX_FILE_BYTES // 2 + 1))
    files["huge.csv"] = f"more than the {MAX_FILE_BYTES} bytes"
    np.save(tmp_path / "inf.npy", np.r_[np.arange(20.0), np.inf])
    files["inf.npy"] = r"row 20 \(line 21\)"
    np.save(tmp_path / "shape.npy", np.zeros((20, 3)))
    files["shape.npy"] = r"shape \(20, 3\)"
    np.save(tmp_path / "text.npy", np.array(["a"] * 20))
    files["text.npy"] = "must be numeric"
    (tmp_path / "short.npy").write_bytes((tmp_path / "inf.npy").read_bytes()[:-40])
    files["short.npy"] = "the array declares"
    return files


def test_bad_files_are_refused_naming_the_file_and_the_line(tmp_path, capsys):
    for name, words in bad_csv_files(tmp_path).items():
        path = tmp_path / name
        with pytest.raises(ValueError, match=words):
            read_samples(path)
        assert main(["train", "--target", str(path), "--steps", "1", "--no-progress"]) == 2
        error = capsys.readouterr().err
        assert f"{path}: " in error, name


def test_a_missing_file_and_a_bad_bandwidth_are_named(tmp_path, capsys):
    for spec, words in ((str(tmp_path / "none.csv"), "no such file"),
                        (str(write_csv(tmp_path / "x.csv", bimodal_samples(50))) + ":wide",
                         "must be scott, silverman or a positive number")):
        assert main(["train", "--target", spec, "--no-progress"]) == 2
        assert words in capsys.readouterr().err


def test_a_2d_file_trains_on_the_plane_and_samples_back(tmp_path, capsys):
    # A two-column file is a 2D KDE: the plane's measurer takes each sample as a mode of sd h
    # (gan.targets2d.mode_centres), the run writes the plane's figures, and `sample` reads G back.
    angles = np.random.default_rng(3).uniform(0.0, 2 * np.pi, 200)
    points = np.c_[2 * np.cos(angles), 2 * np.sin(angles)]
    data = tmp_path / "ring.csv"
    np.savetxt(data, points, delimiter=",")
    out = tmp_path / "run"
    assert main(["train", "--target", str(data), "--steps", "20", "--snapshot-every", "10",
                 "--noise-dim", "2", "--g-hidden", "8", "--d-hidden", "8", "--out", str(out),
                 "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "of 200" in printed and "modes covered" in printed
    assert (out / "plane.png").stat().st_size > 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["modes"] == 200 and 0 <= metrics["modes_covered"] <= 200
    assert main(["sample", str(out), "-n", "4", "--out", str(tmp_path / "s.npy")]) == 0
    assert np.load(tmp_path / "s.npy").shape == (4, 2)
