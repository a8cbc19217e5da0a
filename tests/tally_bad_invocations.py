"""Run every bad invocation of tests/bad_invocations.py as `python -m gan ...` in its own process
and tally the outcomes: a clear error (exit code 2, the expected words, no traceback), an
unclear one (exit 2 without them), a traceback, a hang (over --timeout seconds), or anything
else (e.g. exit 0).

    python tests/tally_bad_invocations.py [--timeout 60]
"""

import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bad_invocations import BAD_INVOCATIONS, fill, make_paths  # noqa: E402

ROOT = Path(os.environ.get("GAN_ROOT", Path(__file__).resolve().parents[1]))  # code under test


def outcome(argv, message, timeout):
    try:
        done = subprocess.run([sys.executable, "-m", "gan", *argv], capture_output=True,
                              text=True, timeout=timeout, cwd=ROOT,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                   "MPLBACKEND": "Agg"})
    except subprocess.TimeoutExpired:
        return "hang", ""
    if "Traceback" in done.stderr:
        return "traceback", done.stderr.strip().splitlines()[-1]
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    if done.returncode == 2:
        return ("clear" if message in done.stderr else "unclear"), last
    return f"exit {done.returncode}", last


def main():
    timeout = float(sys.argv[sys.argv.index("--timeout") + 1]) if "--timeout" in sys.argv else 60
    tally = Counter()
    for argv, message in BAD_INVOCATIONS:
        with tempfile.TemporaryDirectory() as folder:
            kind, last = outcome(fill(argv, make_paths(Path(folder))), message, timeout)
        tally[kind] += 1
        print(f"{kind:9} {' '.join(argv)[:70]:70} | {last[:110]}")
    print(f"\n{len(BAD_INVOCATIONS)} bad invocations: " +
          ", ".join(f"{count} {kind}" for kind, count in tally.most_common()))


if __name__ == "__main__":
    main()
