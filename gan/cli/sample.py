"""``python -m gan sample RUN -n N --out FILE [--seed S] [--class c]``: N samples from the trained
generator of a run folder.

    python -m gan train --out runs/a
    python -m gan sample runs/a -n 1000 --out samples.csv --seed 7

A train run (``python -m gan train --out RUN``) keeps G in ``RUN/G.npz`` (`nn.checkpoint`). Its
samples are x = G(z), z ~ p_z: the noise drawn as the run drew it (``GANConfig.p_z``, cast to the
players' dtype) from the engine's generator named in ``config.json`` (rng.Generator for
"textbook", rng.fast.Generator for "fast": the same numbers) seeded by --seed, and pushed
through G of that engine. FILE is ``.npy`` (an (N, dim) array of G's dtype) or ``.csv`` (a
header ``x`` or ``x1,x2``, then N rows; 17 significant digits for float64 and 9 for float32,
enough to read back the very same numbers).

A digits run (``python -m gan digits --out RUN``) keeps its model in ``RUN/checkpoint/``, read
by `gan.digits.checkpoint.load_sampler`; its networks are nn.fast's, so the noise comes from
rng.fast.Generator. FILE is ``.png`` (a grid, ten digits a row) or ``.npy`` (the (N, 1, 32, 32)
pixels in [0, 1]). ``--class c`` makes every digit of a conditional model (cgan) a c; without it
a conditional model draws the classes 0, 1, ..., 9 in turn (column c of the grid is class c).

Everything is checked before any sample is drawn: N (at most MAX_SAMPLES, MAX_DIGITS for
digits, and within the memory limit of `gan.limits`), the seed, the class, FILE's extension and
folder, and RUN (a run folder with a checkpoint, each file read through the bounded readers of
`nn.files`). FILE is written to a temporary file beside it and renamed into place; an existing
FILE is replaced only with --overwrite. Errors are one line, exit code 2.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from pathlib import Path

from gan.cli.arguments import integer_in, user_error
from gan.limits import SEED_LIMIT

MAX_SAMPLES = 1_000_000          # samples of a 1D or 2D run (float64: 16 MB for a 2D target)
MAX_DIGITS = 1_000               # digits of a digits run (a grid of 100 rows of ten)
CLASSES = 10
DIGITS_PER_ROW = 10
TRAIN_FORMATS = (".npy", ".csv")
DIGITS_FORMATS = (".png", ".npy")
DIGITS_ENGINE = "fast"           # gan.digits trains on nn.fast
SIGNIFICANT_DIGITS = {"float64": 17, "float32": 9}    # enough to read back the same float


class SampleError(ValueError):
    """An argument or a run folder that `sample` refuses: the message names it."""


def add_parser(commands, help):
    """The ``sample`` subcommand, on the subparsers of ``python -m gan``."""
    sample = commands.add_parser(
        "sample", help=help,
        description="Draw N samples from the trained G of a run folder ('python -m gan train' "
        "or 'python -m gan digits'), bitwise the same for the same --seed.")
    sample.add_argument("run", type=Path, metavar="RUN",
                        help="a run folder written by 'python -m gan train --out RUN' or "
                        "'python -m gan digits --out RUN'")
    sample.add_argument("-n", dest="n", type=integer_in("n", 1, MAX_SAMPLES), required=True,
                        help=f"number of samples, 1 to {MAX_SAMPLES} ({MAX_DIGITS} for digits)")
    sample.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the file to write: .npy or .csv for a train run, .png (a grid) or "
                        ".npy for a digits run")
    sample.add_argument("--seed", type=integer_in("seed", 0, SEED_LIMIT - 1), default=0,
                        help="seed of the noise z (same seed, bitwise same samples; default 0)")
    sample.add_argument("--class", dest="label", type=integer_in("class", 0, CLASSES - 1),
                        default=None, metavar="C", help="the digit class of every sample "
                        "(conditional digits models only; default: the classes 0..9 in turn)")
    sample.add_argument("--overwrite", action="store_true", help="replace an existing FILE")
    return sample


def run(args):
    """Check everything, load G, draw, write FILE; 0, or 2 with one line for a user error."""
    try:
        _check_out(args.out, args.overwrite)
        plan = _plan(args)
    except ValueError as error:
        return user_error(error)
    try:
        write_atomically(args.out, plan, args.overwrite)
    except OSError as error:
        cause = error.strerror or error
        return user_error(SampleError(f"--out {args.out}: could not be written ({cause}); "
                                      f"nothing was written"))
    print(f"wrote {args.n} samples of {args.run} to {args.out}")
    return 0


def _check_out(out, overwrite):
    """SampleError unless FILE can be written: a known extension, an existing folder, and no
    file (or folder) of that name unless --overwrite (and never a folder)."""
    if out.is_dir():
        raise SampleError(f"--out {out}: is a folder; give a file name")
    suffix = out.suffix.lower()
    if suffix not in (*TRAIN_FORMATS, ".png"):
        raise SampleError(f"--out {out}: must end in .npy or .csv (a train run) or .png or .npy "
                          f"(a digits run), got {suffix or 'no extension'!r}")
    if not out.parent.is_dir():
        raise SampleError(f"--out {out}: its folder {out.parent} does not exist")
    if os.path.lexists(out) and not overwrite:
        raise SampleError(f"--out {out}: exists; pass --overwrite to replace it")


def _plan(args):
    """What writes FILE once every check has passed: a function of a binary file, after the run
    is read and its generator loaded."""
    folder = args.run
    if not folder.is_dir():
        raise SampleError(f"RUN {folder}: not a folder")
    if (folder / "checkpoint").is_dir() or _is_digits_run(folder):
        return _digits_plan(args)
    if (folder / "history.npz").is_file() and (folder / "config.json").is_file():
        return _train_plan(args)
    kind = "a sweep's folder (sweep.csv)" if (folder / "sweep.csv").is_file() else "no run's files"
    raise SampleError(f"RUN {folder}: not a run folder ({kind}); give a folder of "
                      f"'python -m gan train --out' or 'python -m gan digits --out'")


def _is_digits_run(folder):
    """A digits run's config.json names its model (train runs' hold a target instead)."""
    from nn.files import ArchiveError, read_json

    try:
        config = read_json(folder / "config.json")
    except ArchiveError:
        return False
    return isinstance(config, dict) and "model" in config and "target" not in config


def _before_checkpoints(folder, missing):
    return SampleError(f"RUN {folder}: has no {missing}: it was written before runs kept their "
                       f"trained networks; train it again with the same flags to sample from it")


def _suffix(out, formats, whose):
    """--out's extension, lower case, once it is one of ``formats``; SampleError otherwise."""
    suffix = out.suffix.lower()
    if suffix not in formats:
        raise SampleError(f"--out {out}: {whose} samples are written as {' or '.join(formats)}, "
                          f"got {suffix!r}")
    return suffix


# ---- a train run: x = G(z) ----------------------------------------------------------------
def _train_plan(args):
    from gan.config import GANConfig
    from gan.engine import engine
    from nn.checkpoint import CheckpointError
    from nn.files import ArchiveError, read_json

    folder, suffix = args.run, _suffix(args.out, TRAIN_FORMATS, "a train run's")
    if args.label is not None:
        raise SampleError(f"--class {args.label}: {folder} is a train run, whose G has no "
                          f"classes; --class applies to a conditional digits model (cgan)")
    try:
        settings = read_json(folder / "config.json")
        if not isinstance(settings, dict):
            raise SampleError(f"RUN {folder}: config.json must hold a JSON object")
        config = GANConfig.from_dict({key: value for key, value in settings.items()
                                      if key != "update"})
    except (ArchiveError, TypeError, ValueError) as error:
        raise SampleError(f"RUN {folder}: config.json is not a train run's config "
                          f"({error})"[:400]) from None
    if not (folder / "G.npz").is_file():
        raise _before_checkpoints(folder, "G.npz")
    _check_memory(args.n, config)
    players = engine(config.engine)
    try:
        G = players.MLP.load(folder / "G.npz")      # nn.checkpoint: bounded, no pickle
    except (CheckpointError, TypeError) as error:
        raise SampleError(f"RUN {folder}: G.npz cannot be loaded: {error}"[:400]) from None
    sizes = [config.noise_dim, *config.g_hidden, config.target.dim]
    if list(G.sizes) != sizes or G.dtype.name != config.dtype:
        raise SampleError(f"RUN {folder}: G.npz holds an MLP of sizes {G.sizes} in {G.dtype}, "
                          f"config.json says {sizes} in {config.dtype}")

    def write(file):
        x = generate(G, config, players.Generator(args.seed), args.n)
        if suffix == ".npy":
            import numpy as np

            np.save(file, x, allow_pickle=False)
        else:
            write_csv(file, x)
    return write


def generate(G, config, rng, n):
    """x = G(z) for n noise samples z ~ p_z drawn from `rng` as the run drew them (the
    players' dtype): the same x that training's G gives on the same z."""
    z = config.p_z.sample(n, rng).astype(config.dtype, copy=False)
    return G.forward(z)


def write_csv(file, x):
    """x (n, dim) as CSV into a binary file: a header (x, or x1,x2,...), then one row a sample,
    each number with the significant digits that read back the same float of x's dtype."""
    import numpy as np

    dim = x.shape[1]
    header = "x" if dim == 1 else ",".join(f"x{i}" for i in range(1, dim + 1))
    digits = SIGNIFICANT_DIGITS[x.dtype.name]
    np.savetxt(file, x, fmt=f"%.{digits}g", delimiter=",", header=header, comments="")


def _check_memory(n, config):
    """SampleError if n rows through G need more than gan.limits.memory_limit(): the noise with
    its generator's work arrays, and G's forward pass (gan.limits.activation_count)."""
    from gan.limits import NOISE_DRAW_ARRAYS, activation_count, memory_limit

    item = 4 if config.dtype == "float32" else 8
    sizes = [config.noise_dim, *config.g_hidden, config.target.dim]
    needed = (item * activation_count(n, sizes, config.engine, "forward")
              + 8 * n * config.noise_dim * NOISE_DRAW_ARRAYS[config.engine])
    if needed > memory_limit():
        raise SampleError(f"-n {n}: this G (sizes {sizes}) would need ~{needed / 2**30:.3g} GiB "
                          f"for {n} samples, more than the {memory_limit() / 2**30:.3g} GiB "
                          f"limit; ask for fewer")


# ---- a digits run: pixels of the saved model ----------------------------------------------
def _digits_plan(args):
    from gan.digits.checkpoint import load_sampler
    from gan.engine import engine
    from nn.checkpoint import CheckpointError
    from nn.files import read_json

    folder, suffix = args.run, _suffix(args.out, DIGITS_FORMATS, "a digits run's")
    if args.n > MAX_DIGITS:
        raise SampleError(f"-n {args.n}: a digits run gives at most {MAX_DIGITS} samples")
    checkpoint = folder / "checkpoint"
    if not (checkpoint / "model.json").is_file():
        raise _before_checkpoints(folder, "checkpoint/model.json")
    try:
        meta = read_json(checkpoint / "model.json", error=CheckpointError)
        conditional = isinstance(meta, dict) and meta.get("conditional") is True
        if args.label is not None and not conditional:
            name = meta.get("name") if isinstance(meta, dict) else None
            raise SampleError(f"--class {args.label}: {folder} holds an unconditional model "
                              f"({name}), which draws no chosen class; --class applies to a "
                              f"conditional model (cgan)"[:400])
        sampler = load_sampler(checkpoint)      # every file through the bounded readers
    except (CheckpointError, TypeError) as error:
        raise SampleError(f"RUN {folder}: its checkpoint cannot be loaded: {error}"[:400]) \
            from None
    labels = None
    if conditional:
        labels = ([args.label] * args.n if args.label is not None
                  else [index % CLASSES for index in range(args.n)])

    def write(file):
        import numpy as np

        rng = engine(DIGITS_ENGINE).Generator(args.seed)
        pixels = sampler(args.n, None if labels is None else np.asarray(labels), rng)
        if suffix == ".npy":
            np.save(file, pixels, allow_pickle=False)
        else:
            write_png(file, pixels)
    return write


def write_png(file, pixels):
    """The (n, 1, 32, 32) pixels as one PNG grid, DIGITS_PER_ROW a row, the last row's empty
    cells grey like the gaps (`gan.digits.pictures.grid_picture`)."""
    import numpy as np
    from PIL import Image

    from gan.digits.pictures import grid_picture

    n = len(pixels)
    columns = min(n, DIGITS_PER_ROW)
    rows = math.ceil(n / columns)
    cells = np.full((rows * columns, 32, 32), 0.5)
    cells[:n] = pixels[:, 0]
    Image.fromarray(grid_picture(cells.reshape(rows, columns, 32, 32)), mode="L").save(
        file, format="PNG")


# ---- writing ------------------------------------------------------------------------------
def write_atomically(path, write, overwrite=False):
    """write(file) fills a temporary file beside `path`, which is then renamed onto `path`: a
    reader sees no file or the whole file, never a part. Without `overwrite`, the file is put in
    place by a hard link, which fails (FileExistsError) if `path` appeared meanwhile."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".gan-sample-",
                                             suffix=".partial")
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)
        if overwrite:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)
            except FileExistsError:
                raise FileExistsError(f"{path} appeared while sampling; pass --overwrite to "
                                      f"replace it") from None
            except OSError:                 # a file system without hard links
                if os.path.lexists(path):
                    raise
                os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return path
