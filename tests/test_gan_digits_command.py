"""`python -m gan digits`: flags checked before any work, the files a run promises, digits large
enough to see, a checkpoint that loads without pickle and generates what the trained model
generated, and the same seed giving the same scores."""

import json

import numpy as np
import pytest
from PIL import Image

from gan.cli import main
from gan.digits.datasets import load_digits
from gan.digits.checkpoint import load_sampler, save_model
from gan.cli.digits import MODELS
from gan.digits.comparison import train_model


@pytest.fixture(scope="module")
def digits():
    return load_digits(n_train=300, n_test=50, seed=0)[0]


def run(tmp_path, *flags):
    return main(["digits", "--fast", "--steps", "20", "--no-progress", "--out", str(tmp_path),
                 *flags])


@pytest.mark.parametrize("model", sorted(MODELS))
def test_a_fast_run_writes_config_metrics_pictures_and_checkpoint(tmp_path, model, capsys):
    assert run(tmp_path, "--model", model) == 0
    config = json.loads((tmp_path / "config.json").read_text())
    assert (config["model"], config["steps"], config["data"]) == (model, 20, "procedural")
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    for key in ("frechet_distance", "precision", "recall", "density", "coverage",
                "class_entropy", "nearest_median_ratio", "copied_share"):
        assert np.isfinite(metrics["model"][key]) and np.isfinite(metrics["real"][key])
    assert ("cas" in metrics["model"]) == (model == "cgan")
    for name in ("samples.png", "grids.png"):
        width, height = Image.open(tmp_path / name).size
        assert width >= 10 * 48                    # ten digits a row, at least 48 px each
    gif = Image.open(tmp_path / "grids.gif")
    assert gif.n_frames == 11 and gif.size[0] >= 10 * 48   # step 0 and ten snapshots
    assert (tmp_path / "checkpoint" / "model.json").is_file()
    assert json.loads((tmp_path / "manifest.json").read_text())["files"].keys() >= {
        "config.json", "metrics.json", "timings.json", "checkpoint/model.json"}
    assert "Frechet" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["MLP GAN", "cGAN (MLP)", "DCGAN", "AE", "VAE"])
def test_checkpoint_loads_without_pickle_and_generates_the_trained_models_images(
        digits, tmp_path, name):
    images, labels = digits
    trained = train_model(name, images, labels, "fast", seed=0, steps=5)
    save_model(trained, tmp_path)
    for path in tmp_path.glob("*.npz"):
        np.load(path, allow_pickle=False).close()       # raises if an array needed pickle
    requested = np.arange(20) % 10
    expected = trained.sampler(20, requested, np.random.default_rng(7))
    loaded = load_sampler(tmp_path)(20, requested, np.random.default_rng(7))
    np.testing.assert_allclose(loaded, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("flags, fragment", [
    (("--steps", "0"), "steps must be an integer in [1, 1000000], got '0'"),
    (("--seed", "-1"), "seed must be an integer in [0, 4294967295]"),
    (("--samples", "5"), "samples must be an integer in [100, 10000]"),
    (("--model", "gan"), "invalid choice: 'gan'"),
    (("--data", "/no/such/folder"), "no such file or folder"),
])
def test_bad_flags_are_refused_naming_the_range_before_any_work(tmp_path, capsys, flags,
                                                                fragment):
    assert run(tmp_path / "out", *flags) == 2       # gan.cli.main's exit code for a user error
    assert fragment in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_same_seed_gives_the_same_scores_byte_for_byte(tmp_path):
    for folder in ("first", "second"):
        assert run(tmp_path / folder, "--model", "cgan", "--seed", "3") == 0
    first, second = ((tmp_path / folder / "metrics.json").read_bytes()
                     for folder in ("first", "second"))
    assert first == second                          # the wall clock is in timings.json only
    assert "seconds" not in json.loads(first)["model"]
    assert json.loads((tmp_path / "first" / "timings.json").read_text())["seconds"] > 0
