"""`python -m gan sample`: a run folder keeps G and D as checkpoints, sampling gives what the
trained G gives on the noise the seed draws (bitwise), the same seed gives the same bytes, csv and
npy hold the same numbers, digits runs sample through their checkpoint, and every bad argument is
refused in one line naming it, before any work and without writing anything."""

import json

import numpy as np
import pytest
from PIL import Image

import rng
from gan.cli import main
from gan.cli.sample import MAX_DIGITS, MAX_SAMPLES
from gan.config import GANConfig
from gan.digits.checkpoint import load_sampler
from gan.digits.pictures import grid_picture
from gan.lab.run_folder import RunFolder, read_manifest
from gan.train import train

SMALL = ["--steps", "20", "--snapshot-every", "10", "--g-hidden", "4,4", "--d-hidden", "4",
         "--batch-size", "16", "--grid-size", "32", "--no-progress", "--no-figures"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{name: folder}: train runs on both engines (seed 5), a float32 one, and tiny digits runs
    (a conditional cgan and an unconditional MLP GAN), as tests/test_gan_digits_command.py
    makes them."""
    root = tmp_path_factory.mktemp("runs")
    folders = {}
    for name, flags in {"textbook": ["--engine", "textbook"], "fast": ["--engine", "fast"],
                        "float32": ["--dtype", "float32"]}.items():
        folders[name] = root / name
        assert main(["train", *SMALL, "--seed", "5", *flags, "--out", folders[name]]) == 0
    for model in ("cgan", "mlp"):
        folders[model] = root / model
        assert main(["digits", "--fast", "--steps", "20", "--no-progress", "--model", model,
                     "--out", folders[model]]) == 0
    return folders


def sample(run, out, *flags):
    return main(["sample", run, "--out", out, *flags])


def test_a_train_run_keeps_G_and_D_as_checkpoints_listed_in_its_manifest(runs):
    folder = runs["textbook"]
    listed = read_manifest(folder)
    assert {"G.npz", "D.npz"} <= set(listed)
    for name in ("G.npz", "D.npz"):
        np.load(folder / name, allow_pickle=False).close()      # raises if it needed pickle


@pytest.mark.parametrize("engine", ["textbook", "fast", "float32"])
def test_sampling_gives_the_trained_Gs_output_on_the_noise_the_seed_draws(runs, tmp_path,
                                                                         engine):
    folder = runs[engine]
    config = GANConfig.from_dict(json.loads((folder / "config.json").read_text()))
    result = train(config)          # the same run, in memory: its G, not the file's
    # The reference noise comes from the textbook generator for both engines: the fast one
    # must draw the very same numbers.
    z = config.p_z.sample(300, rng.Generator(11)).astype(config.dtype)
    expected = result.G.forward(z)
    assert sample(folder, tmp_path / "x.npy", "-n", "300", "--seed", "11") == 0
    x = np.load(tmp_path / "x.npy")
    assert x.dtype == np.dtype(config.dtype) and x.shape == (300, 1)
    assert np.array_equal(x, expected)                          # bitwise


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_samples(runs, tmp_path):
    for suffix in ("npy", "csv"):
        files = [tmp_path / f"{name}.{suffix}" for name in ("a", "b", "c")]
        for file, seed in zip(files, ("3", "3", "4")):
            assert sample(runs["fast"], file, "-n", "50", "--seed", seed) == 0
        assert files[0].read_bytes() == files[1].read_bytes()
        assert files[0].read_bytes() != files[2].read_bytes()


@pytest.mark.parametrize("engine", ["textbook", "float32"])
def test_csv_and_npy_hold_the_same_numbers(runs, tmp_path, engine):
    assert sample(runs[engine], tmp_path / "x.npy", "-n", "200", "--seed", "2") == 0
    assert sample(runs[engine], tmp_path / "x.csv", "-n", "200", "--seed", "2") == 0
    x = np.load(tmp_path / "x.npy")
    lines = (tmp_path / "x.csv").read_text().splitlines()
    assert lines[0] == "x" and len(lines) == 201
    read = np.loadtxt(tmp_path / "x.csv", delimiter=",", skiprows=1, ndmin=2)
    assert np.array_equal(read.astype(x.dtype), x)              # the digits read back exactly


def test_a_2d_run_samples_n_rows_of_two_columns(tmp_path):
    from gan.cli.train import write_run
    from gan.targets2d import ring

    config = GANConfig(target=ring(modes=4), steps=10, batch_size=16, g_hidden=(4,),
                       d_hidden=(4,), snapshot_every=0, grid_size=16, seed=1)
    result = train(config)
    folder = RunFolder(tmp_path / "run")
    write_run(result, folder.staging, figures=False)
    folder.commit()
    assert sample(tmp_path / "run", tmp_path / "x.csv", "-n", "40", "--seed", "9") == 0
    assert sample(tmp_path / "run", tmp_path / "x.npy", "-n", "40", "--seed", "9") == 0
    z = config.p_z.sample(40, rng.Generator(9)).astype(config.dtype)
    x = np.load(tmp_path / "x.npy")
    assert x.shape == (40, 2) and np.array_equal(x, result.G.forward(z))
    assert (tmp_path / "x.csv").read_text().splitlines()[0] == "x1,x2"
    assert np.array_equal(np.loadtxt(tmp_path / "x.csv", delimiter=",", skiprows=1), x)


def test_a_digits_run_samples_a_png_grid_and_npy_pixels_through_its_checkpoint(runs, tmp_path):
    assert sample(runs["cgan"], tmp_path / "a.png", "-n", "25", "--seed", "6") == 0
    assert sample(runs["cgan"], tmp_path / "b.png", "-n", "25", "--seed", "6") == 0
    assert sample(runs["cgan"], tmp_path / "a.npy", "-n", "25", "--seed", "6") == 0
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    pixels = np.load(tmp_path / "a.npy")
    assert pixels.shape == (25, 1, 32, 32) and 0 <= pixels.min() and pixels.max() <= 1
    # the conditional model draws classes 0..9 in turn, from rng.fast.Generator(seed)
    expected = load_sampler(runs["cgan"] / "checkpoint")(25, np.arange(25) % 10,
                                                         rng.Generator(6))
    assert np.array_equal(pixels, expected)
    cells = np.full((30, 32, 32), 0.5)
    cells[:25] = pixels[:, 0]
    picture = np.asarray(Image.open(tmp_path / "a.png"))
    assert np.array_equal(picture, grid_picture(cells.reshape(3, 10, 32, 32)))


def test_class_fixes_the_label_of_a_conditional_model_and_is_refused_for_an_unconditional_one(
        runs, tmp_path, capsys):
    for label in ("3", "4"):
        assert sample(runs["cgan"], tmp_path / f"{label}.npy", "-n", "8", "--class", label) == 0
    three, four = np.load(tmp_path / "3.npy"), np.load(tmp_path / "4.npy")
    expected = load_sampler(runs["cgan"] / "checkpoint")(8, np.full(8, 3), rng.Generator(0))
    assert np.array_equal(three, expected) and not np.array_equal(three, four)
    assert sample(runs["mlp"], tmp_path / "m.npy", "-n", "8", "--class", "3") == 2
    assert "--class 3:" in capsys.readouterr().err and not (tmp_path / "m.npy").exists()
    assert sample(runs["mlp"], tmp_path / "m.npy", "-n", "8") == 0


@pytest.fixture
def no_work(monkeypatch):
    """Loading a network or a digits model fails the test: refusals come before any work."""
    import gan.digits.checkpoint
    import gan.engine

    def work(*args, **kwargs):
        raise AssertionError("sample began work before refusing")
    monkeypatch.setattr(gan.engine, "engine", work)
    monkeypatch.setattr(gan.digits.checkpoint, "load_sampler", work)


@pytest.mark.parametrize("run, flags, fragment", [
    ("textbook", ["-n", "0"], "argument -n: n must be an integer in [1, 1000000], got '0'"),
    ("textbook", ["-n", str(MAX_SAMPLES + 1)], "argument -n: n must be an integer in [1,"),
    ("textbook", ["-n", "ten"], "argument -n: n must be an integer"),
    ("textbook", ["-n", "5", "--seed", "-1"], "argument --seed: seed must be an integer in [0,"),
    ("textbook", ["-n", "5", "--seed", str(2**64)], "argument --seed: seed must be an integer"),
    ("textbook", ["-n", "5", "--class", "10"], "argument --class: class must be an integer in"),
    ("textbook", ["-n", "5", "--class", "3"], "--class 3: "),
    ("textbook", ["-n", "5", "--out", "{tmp}/x.txt"], "--out {tmp}/x.txt: must end in .npy or"),
    ("textbook", ["-n", "5", "--out", "{tmp}/x.png"], "a train run's samples are written as"),
    ("textbook", ["-n", "5", "--out", "{tmp}/no/x.npy"], "its folder {tmp}/no does not exist"),
    ("textbook", ["-n", "5", "--out", "{tmp}"], "is a folder; give a file name"),
    ("cgan", ["-n", str(MAX_DIGITS + 1)], f"-n {MAX_DIGITS + 1}: a digits run gives at most"),
    ("cgan", ["-n", "5", "--out", "{tmp}/x.csv"], "a digits run's samples are written as"),
    ("mlp", ["-n", "5", "--class", "3"], "holds an unconditional model"),
    ("{tmp}/none", ["-n", "5"], "RUN {tmp}/none: not a folder"),
    ("{tmp}", ["-n", "5"], "not a run folder (no run's files)"),
])
def test_a_bad_argument_is_refused_in_one_line_naming_it_before_any_work(
        runs, tmp_path, capsys, no_work, run, flags, fragment):
    folder = str(runs[run]) if run in runs else run.format(tmp=tmp_path)
    flags = [flag.format(tmp=tmp_path) for flag in flags]
    out = [] if "--out" in flags else ["--out", str(tmp_path / "x.npy")]
    before = sorted(tmp_path.rglob("*"))
    assert main(["sample", folder, *out, *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert fragment.format(tmp=tmp_path) in err[-1]
    assert "Traceback" not in "\n".join(err)
    assert sorted(tmp_path.rglob("*")) == before                # nothing written


def test_a_run_from_before_checkpoints_is_refused_saying_so(runs, tmp_path, capsys):
    import shutil

    for name, remove in (("textbook", "G.npz"), ("mlp", "checkpoint")):
        old = tmp_path / name
        shutil.copytree(runs[name], old)
        target = old / remove
        shutil.rmtree(target) if target.is_dir() else target.unlink()
        assert sample(old, tmp_path / "x.npy", "-n", "5") == 2
        assert "written before runs kept their trained networks" in capsys.readouterr().err
    assert not (tmp_path / "x.npy").exists()


def test_a_damaged_checkpoint_is_refused_in_one_line(runs, tmp_path, capsys):
    import shutil

    damaged = tmp_path / "run"
    shutil.copytree(runs["textbook"], damaged)
    (damaged / "G.npz").write_bytes((damaged / "G.npz").read_bytes()[:200])
    assert sample(damaged, tmp_path / "x.npy", "-n", "5") == 2
    assert "G.npz cannot be loaded" in capsys.readouterr().err
    assert not (tmp_path / "x.npy").exists()


def test_an_existing_file_is_replaced_only_with_overwrite_and_no_temporary_is_left(
        runs, tmp_path, capsys):
    out = tmp_path / "x.npy"
    out.write_bytes(b"mine")
    assert sample(runs["textbook"], out, "-n", "5") == 2
    assert "exists; pass --overwrite" in capsys.readouterr().err
    assert out.read_bytes() == b"mine"
    assert sample(runs["textbook"], out, "-n", "5", "--overwrite") == 0
    assert np.load(out).shape == (5, 1)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["x.npy"]
