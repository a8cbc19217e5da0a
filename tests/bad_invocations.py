"""Bad invocations of `python -m gan` (an adversarial list: subcommands, targets, seeds, sizes,
fields, output folders, sweeps), each with a piece of the message that must name what is wrong.
Paths in braces are filled in by the caller: {file} an existing file, {run} a folder holding an
earlier run (its manifest lists its files), {other} a folder of unrelated files, {decoy} a folder
whose entries are only named like a run's, {new} a folder that does not exist yet."""

import hashlib
import json

T = ["train", "--no-progress", "--no-figures"]
S = ["sweep", "--no-progress", "--out", "{new}"]
MIX = "+normal:1,1"

BAD_INVOCATIONS = [
    # subcommands: argparse's own messages, from the names alone
    ([], "the following arguments are required: command"),
    (["--no-progress"], "the following arguments are required: command"),
    (["trian"], "argument command: invalid choice: 'trian' (choose from 'train', 'sweep', "
     "'digits', 'play', 'check', 'course', 'diagnose', 'sample')"),
    (["--no-progress", "train"], "unrecognized arguments: --no-progress"),
    # targets: the reason survives argparse
    (T + ["--target", "normal:0,-1"], "sigma must be positive, got -1"),
    (T + ["--target", "uniform:2,1"], "low must be below high"),
    (T + ["--target", "nan*normal:0,1" + MIX], "mixture weights must be finite"),
    (T + ["--target", "inf*normal:0,1" + MIX], "mixture weights must be finite"),
    (T + ["--target", "x*normal:0,1" + MIX], "mixture weight 'x' is not a number"),
    (T + ["--target", "-1*normal:0,1" + MIX], "mixture weights must be finite and non-negative"),
    (T + ["--target", "0*normal:0,1+0*normal:1,1"], "mixture weights must not all be 0"),
    (T + ["--target", "normal:nan,1"], "mu must be finite"),
    (T + ["--target", "normal:0,inf"], "sigma must be finite"),
    (T + ["--target", "gauss:0,1"], "must look like 'normal:MU,SIGMA'"),
    (T + ["--target", "normal:0"], "must look like 'normal:MU,SIGMA'"),
    (T + ["--target", ""], "must look like 'normal:MU,SIGMA'"),
    (T + ["--target", "normal:1e308,1e308"], "spreads beyond every float"),
    (T + ["--target", "normal:0,1e300"], "outside what float64 can train on"),
    (T + ["--target", "normal:0,1e30", "--dtype", "float32"], "outside what float32 can train"),
    (T + ["--target", "normal:1e9,1", "--dtype", "float32"], "too narrow for float32"),
    # seeds
    (T + ["--seed", str(2**64)], "seed must be a non-negative integer"),
    (T + ["--seed", str(2**70)], "(allowed: 0 to 2**64 - 1)"),
    (T + ["--seed", "-1"], "seed must be a non-negative integer"),
    (T + ["--seed", "1.5"], "--seed: invalid int value"),
    # sizes that would need GiB to TiB, and work that would take days
    (T + ["--steps", str(10**12)], "steps must be a positive integer"),
    (T + ["--steps", str(10**8 + 1)], "k * steps must be at most"),
    (T + ["--g-hidden", "100000,100000"], "would need ~"),
    (T + ["--d-hidden", "30000,30000,30000"], "would need ~"),
    (T + ["--batch-size", str(10**9)], "would need ~"),
    (T + ["--grid-size", str(10**9)], "would need ~"),
    (T + ["--noise-dim", str(10**9)], "noise_dim must be a positive integer"),
    (T + ["--noise-dim", str(10**6)], "would need ~"),
    (T + ["--k", str(10**9), "--steps", "10"], "k * steps must be at most"),
    # one field at a time
    (T + ["--k", "0"], "k must be a positive integer, got 0"),
    (T + ["--k", "-3"], "k must be a positive integer, got -3"),
    (T + ["--steps", "0"], "steps must be a positive integer"),
    (T + ["--batch-size", "abc"], "--batch-size: invalid int value"),
    (T + ["--noise-dim", "0"], "noise_dim must be a positive integer"),
    (T + ["--lr-g", "0"], "lr_g must be a positive finite number"),
    (T + ["--lr-g", "-1e-3"], "lr_g must be a positive finite number"),
    (T + ["--lr-g", "nan"], "lr_g must be a positive finite number"),
    (T + ["--lr-d", "inf"], "lr_d must be a positive finite number"),
    (T + ["--lr-d", "1e400"], "lr_d must be a positive finite number"),
    (T + ["--betas", "0.5"], "betas must be two numbers in [0, 1)"),
    (T + ["--betas", "0.5,1.0"], "betas must be two numbers in [0, 1)"),
    (T + ["--betas", "a,b"], "expected comma-separated numbers"),
    (T + ["--decay-start", "1"], "decay_start must be in [0, 1)"),
    (T + ["--average-last", "-0.1"], "average_last must be in [0, 1)"),
    (T + ["--g-hidden", "0"], "g_hidden must be a tuple of positive integers"),
    (T + ["--g-hidden", "8,-1"], "g_hidden must be a tuple of positive integers"),
    (T + ["--d-hidden", "x"], "expected comma-separated numbers"),
    (T + ["--g-activation", "swish"], "g_activation must be one of"),
    (T + ["--optimizer", "adagrad"], "--optimizer: invalid choice"),
    (T + ["--dtype", "float16"], "--dtype: invalid choice"),
    (T + ["--snapshot-every", "-1"], "snapshot_every must be a non-negative integer"),
    (T + ["--grid-size", "3"], "grid_size must be an integer >= 16"),
    (T + ["--prior", "cauchy"], "--prior: invalid choice"),
    (T + ["--g-loss", "wasserstein"], "--g-loss: invalid choice"),
    (T + ["--lr-schedule", "step"], "--lr-schedule: invalid choice"),
    (T + ["--no-such-flag"], "unrecognized arguments"),
    # output folders, checked before training
    (T + ["--out", "{file}"], "exists and is not a folder"),
    (T + ["--out", "/proc/numpy-gan-run"], "cannot write beside it"),
    (T + ["--out", "/dev/null/run"], "/dev/null is not a folder"),
    (T + ["--out", "{run}"], "holds an earlier run"),
    (T + ["--out", "{other}"], "holds files that are not a run's"),
    (T + ["--out", "{run}/inner"], "is inside the earlier run"),
    (T + ["--out", "{decoy}", "--overwrite"], "holds files that are not a run's"),
    (T + ["--out", ""], "give a folder by its name"),
    (T + ["--out", "{new}/" + "n" * 256], "more than the 255"),
    # digits: the same run-folder rules, before any work
    (["digits", "--fast", "--no-progress", "--out", ""], "give a folder by its name"),
    (["digits", "--fast", "--no-progress", "--out", "{file}"], "exists and is not a folder"),
    (["digits", "--fast", "--no-progress", "--out", "/dev/null"], "exists and is not a folder"),
    (["digits", "--fast", "--no-progress", "--out", "/proc/numpy-gan-run"], "cannot write"),
    (["digits", "--fast", "--no-progress", "--out", "{run}"], "holds an earlier run"),
    (["digits", "--fast", "--no-progress", "--out", "{other}"], "holds files that are not"),
    (["digits", "--fast", "--no-progress", "--out", "{decoy}", "--overwrite"],
     "holds files that are not a run's"),
    # sweep
    (["sweep", "--no-progress"], "the following arguments are required: --out"),
    (S + ["--seeds", "0"], "seeds must be a number of seeds in [1, 100000]"),
    (S + ["--seeds", "-1"], "seeds must be a number of seeds in [1, 100000]"),
    (S + ["--k", "0"], "--k: ks holds invalid values [0]"),
    (S + ["--k", "1,1"], "--k: ks repeats values"),
    (S + ["--lr", "-1"], "learning_rates holds invalid values [-1.0]"),
    (S + ["--lr", "nan"], "allowed: distinct positive finite numbers"),
    (S + ["--g-loss", "foo"], "--g-loss: g_losses holds invalid values ['foo']"),
    (S + ["--target", "normal:0,-1"], "sigma must be positive"),
    (S + ["--target", "0*normal:0,1+0*normal:1,1"], "mixture weights must not all be 0"),
    (S + ["--batch-size", "0"], "batch_size must be a positive integer"),
    (S + ["--steps", str(10**12)], "steps must be a positive integer"),
    (S + ["--g-hidden", "100000,100000"], "would need ~"),
    (S + ["--seeds", "100000", "--steps", "100000"], "the sweep would make"),
    (["sweep", "--no-progress", "--out", "{file}"], "exists and is not a folder"),
    (["sweep", "--no-progress", "--out", "{run}"], "holds an earlier run"),
    # a scheduler: its address's form, then that it answers, both before any training
    (S + ["--scheduler", "X"], "scheduler must be an address with a host and a port, got 'X'"),
    (S + ["--scheduler", "tcp://host"], "allowed: tcp://HOST:PORT or HOST:PORT"),
    (S + ["--scheduler", "host:70000"], "PORT in 1..65535"),
    (S + ["--scheduler", "tcp://127.0.0.1:1"], "nothing answers at 'tcp://127.0.0.1:1'"),
    # mixture weights whose total overflows: each becomes 0 when divided by it
    (T + ["--target", "1e308*normal:0,1+1e308*normal:1,1"],
     "got [0.0, 0.0] (sum 0.0); every weight is 0, as weights divided by a total that overflowed"),
]


def fill(argv, paths):
    """argv with {file}, {run}, {other}, {new} replaced by the paths in `paths`."""
    return [arg.format(**paths) for arg in argv]


def make_paths(root):
    """The folders and files the placeholders name, created under `root` (a pathlib.Path)."""
    (root / "a_file").write_text("not a folder\n")
    run = root / "earlier_run"
    run.mkdir()
    for name in ("config.json", "metrics.json", "history.npz", "figure1.png"):
        (run / name).write_text("{}\n")
    files = {name: {"bytes": 3, "sha256": hashlib.sha256(b"{}\n").hexdigest()}
             for name in ("config.json", "metrics.json", "history.npz", "figure1.png")}
    (run / "manifest.json").write_text(json.dumps({"format": "numpy-gan run 1", "files": files}))
    other = root / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine\n")
    decoy = root / "decoy"                   # entries named like a run's, no manifest
    (decoy / "config.json").mkdir(parents=True)
    (decoy / "config.json" / "precious.txt").write_text("x\n")
    return {"file": str(root / "a_file"), "run": str(run), "other": str(other),
            "decoy": str(decoy), "new": str(root / "new_folder")}
