"""The scripts of benchmarks/ as modules, for tests of their argument parsing (they are scripts,
not a package, so they are loaded from their files)."""

import importlib.util
from pathlib import Path


def load_benchmark(name):
    """benchmarks/<name>.py loaded as a module (its `main` is not run)."""
    path = Path(__file__).parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
