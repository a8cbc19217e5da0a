"""``python -m gan diagnose RUN [--json]``: what went wrong in a run, named from the run itself.

Reads a run folder of ``python -m gan train --out DIR`` (config.json, metrics.json, history.npz,
each through the bounded readers of `nn.files`) and prints the doctor's verdicts
(`gan.lab.doctor`): each with its criterion, its numbers, the evidence and the lesson that
explains it, or "not enough evidence" for a run too short to judge. ``--json`` prints the
findings as JSON for scripts. Exit code 0 when the run could be read, 2 when it could not (not
a train run folder, a file refused by the readers).
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
        description="Name what happened in a run of 'python -m gan train --out DIR': converged, "
        "still improving, D wins and G's gradient vanishes, oscillation, mode collapse; each "
        "from a stated criterion with its numbers and the lesson that explains it.",
    )
    diagnose.add_argument("run", type=Path, metavar="RUN",
                          help="a run folder written by 'python -m gan train --out RUN'")
    diagnose.add_argument("--json", action="store_true",
                          help="print the verdicts, criteria and numbers as JSON")
    return diagnose


def run(args):
    """Read the run, print the diagnosis; 0 if the run was read, 2 if not."""
    from gan.lab.doctor import NotATrainRun, diagnose, read_run

    try:
        arrays, config, metrics = read_run(args.run)
    except NotATrainRun as error:
        return user_error(error)
    diagnosis = diagnose(arrays, config, metrics)
    if args.json:
        print(json.dumps({"run": str(args.run), **diagnosis.to_dict()}, indent=2))
    else:
        print(f"{args.run}: {config.steps} steps on p_data = {config.target!r}, "
              f"g_loss = {config.g_loss}")
        print("\n".join(diagnosis.lines()))
    return 0
