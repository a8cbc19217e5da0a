"""`python -m gan` loads only the subcommand it is asked for: ``--help`` and ``train --help`` load
at most 30 of the project's modules (rng, nn, gan), ``train --help`` nothing of the images, the
playground, the lab, the variants or the fast engine, and each subcommand's ``--help`` no other
subcommand's module. The modules are counted in a fresh interpreter that runs ``python -m gan``
(gan/__main__.py, by runpy) and lists sys.modules at exit."""

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gan.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("gan", "nn", "rng")
MAX_MODULES = 30
NOT_FOR_TRAIN = ("gan.digits", "gan.play", "gan.lab", "gan.variants", "nn.fast")

# Runs `python -m gan ARGS` as runpy runs it, then writes the project's modules in sys.modules.
LIST_MODULES = """
import json, runpy, sys
out, sys.argv, code = sys.argv[1], ["gan", *sys.argv[2:]], None
try:
    runpy.run_module("gan", run_name="__main__", alter_sys=True)
except SystemExit as exit_:
    code = exit_.code
names = sorted(name for name in sys.modules if name.split(".")[0] in {project!r})
with open(out, "w") as file:
    json.dump({{"code": code, "modules": names}}, file)
""".format(project=PROJECT)


def modules_loaded_by(tmp_path, *args):
    """(exit code, the project's modules loaded) of ``python -m gan ARGS`` in a new process."""
    out = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", LIST_MODULES, str(out), *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    listed = json.loads(out.read_text())
    return listed["code"], listed["modules"]


def under(modules, prefixes):
    return [name for name in modules if any(name == prefix or name.startswith(prefix + ".")
                                            for prefix in prefixes)]


def test_the_top_level_help_loads_no_subcommand(tmp_path):
    code, modules = modules_loaded_by(tmp_path, "--help")
    assert code == 0
    assert "gan.cli" in modules                          # the listing sees what ran
    assert len(modules) <= MAX_MODULES, modules
    assert under(modules, [f"gan.cli.{name}" for name in COMMANDS]) == []
    assert under(modules, NOT_FOR_TRAIN) == []


def test_train_help_loads_at_most_30_modules_and_nothing_of_images_lab_variants_or_fast(
        tmp_path):
    code, modules = modules_loaded_by(tmp_path, "train", "--help")
    assert code == 0
    assert {"gan.cli.train", "gan.config"} <= set(modules)
    assert len(modules) <= MAX_MODULES, f"{len(modules)} modules: {modules}"
    assert under(modules, NOT_FOR_TRAIN) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_subcommands_help_loads_no_other_subcommand(tmp_path, name):
    code, modules = modules_loaded_by(tmp_path, name, "--help")
    assert code == 0
    assert f"gan.cli.{name}" in modules
    others = [f"gan.cli.{other}" for other in COMMANDS if other != name]
    assert under(modules, others) == []


def _help(*argv):
    """What ``python -m gan ARGV`` prints to stdout, run in this process."""
    from gan.cli import main

    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        assert main(list(argv)) == 0
    return text.getvalue()


def test_the_help_built_lazily_is_the_help_of_the_whole_command_line():
    # main builds only what argv calls; build_parser() builds every subcommand in full.
    whole = build_parser()
    assert _help("--help") == whole.format_help()
    subcommands = whole._subparsers._group_actions[0].choices
    for name in COMMANDS:
        assert _help(name, "--help") == subcommands[name].format_help()
