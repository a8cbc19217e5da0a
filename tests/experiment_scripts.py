"""The scripts of experiments/ as modules, for tests of their argument parsing.

They run as `python -m experiments.NAME` from the project's root; a test loads one from its file,
under the same name, so it needs only the installed packages (gan, nn, rng) on the import path,
not the root."""

import importlib.util
from pathlib import Path


def load_experiment(name):
    """experiments/<name>.py loaded as the module experiments.<name> (its `main` is not run)."""
    path = Path(__file__).parents[1] / "experiments" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"experiments.{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
