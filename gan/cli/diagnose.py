"""``python -m gan diagnose RUN [--json]``: what happened in a run, named from the run itself.

Reads the folder of a run, told by its files (`gan.lab.doctor.folder_kind`), each file through
the bounded readers of `nn.files` (sweep.csv's size checked before it is read):

- ``python -m gan train --out DIR`` (config.json, metrics.json, history.npz): converged, still
  improving, D wins, oscillation, mode collapse;
- ``python -m gan sweep --out DIR`` (sweep.csv): each setting's success rate over seeds with its
  Clopper-Pearson interval, the settings that succeed in most seeds, the runs that diverged and
  where, and whether success depends on the setting (Fisher's exact test);
- ``python -m gan digits --out DIR`` (config.json, metrics.json): close to the real digits'
  floor, collapsed onto few classes, copies training digits, blurry.

Each verdict comes with its criterion, its numbers, the evidence and the lesson that explains
it (`gan.lab.doctor`); ``--json`` prints the findings as JSON for scripts. Exit code 0 when the
run could be read, 2 when it could not (no run's folder, a file refused by the readers).
"""

from __future__ import annotations

import json
from pathlib import Path

from gan.cli.arguments import user_error


def add_parser(commands, help):
    """The ``diagnose`` subcommand, on the subparsers of ``python -m gan``."""
    diagnose = commands.add_parser(
        "diagnose",
        help=help,
        description="Name what happened in the folder of 'python -m gan train', 'sweep' or "
        "'digits --out DIR': for a training, converged, still improving, D wins and G's "
        "gradient vanishes, oscillation, mode collapse; for a sweep, the success rate of each "
        "setting over seeds, divergences, whether the setting matters; for a digits run, close "
        "to the real floor, collapsed onto few classes, copies, blurry. Each from a stated "
        "criterion with its numbers and the lesson that explains it.",
    )
    diagnose.add_argument("run", type=Path, metavar="RUN",
                          help="a run folder written by 'python -m gan train|sweep|digits "
                          "--out RUN'")
    diagnose.add_argument("--json", action="store_true",
                          help="print the verdicts, criteria and numbers as JSON")
    return diagnose


def run(args):
    """Read the run, print the diagnosis; 0 if the run was read, 2 if not."""
    from gan.lab import doctor

    kind = doctor.folder_kind(args.run)
    try:
        if kind == "sweep":
            rows = doctor.read_sweep(args.run)
            diagnosis = doctor.diagnose_sweep(rows)
            seeds = len({row["seed"] for row in rows})
            heading = (f"{args.run}: a sweep of {len(rows)} runs ({seeds} seeds), "
                       f"{rows[0]['steps']} steps each")
        elif kind == "digits":
            config, metrics = doctor.read_digits(args.run)
            samples = config.get("samples")
            samples = samples if isinstance(samples, int) and samples > 0 else None
            diagnosis = doctor.diagnose_digits(metrics, samples)
            heading = (f"{args.run}: a digits run of {config.get('name', 'a model')}, "
                       f"{config.get('steps', '?')} steps, scored on {samples} samples")
        else:
            arrays, config, metrics = doctor.read_run(args.run)
            diagnosis = doctor.diagnose(arrays, config, metrics)
            heading = (f"{args.run}: {config.steps} steps on p_data = {config.target!r}, "
                       f"g_loss = {config.g_loss}")
    except doctor.UnreadableFolder as error:
        return user_error(error)
    if args.json:
        print(json.dumps({"run": str(args.run), "kind": kind or "train", **diagnosis.to_dict()},
                         indent=2))
    else:
        print(heading)
        print("\n".join(diagnosis.lines()))
    return 0
