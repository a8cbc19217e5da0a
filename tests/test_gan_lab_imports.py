"""The lab's imports: no circle among the lab's modules (counting imports inside functions, which
would hide one), and the paper's modules never import the lab.

The outside truth is the source itself, read with `ast`: every ``import gan.lab...`` and ``from
gan.lab... import`` wherever it stands."""

import ast
from pathlib import Path

GAN = Path(__file__).resolve().parents[1] / "gan"


def module_name(path):
    parts = path.relative_to(GAN.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path):
    """Every module ``path`` imports, at any depth of its code (a function's body included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def lab_graph():
    modules = {module_name(path): path for path in (GAN / "lab").rglob("*.py")}
    return {name: sorted(imported_modules(path) & set(modules) - {name})
            for name, path in modules.items()}


def circles(graph):
    """The import circles of ``graph`` (module -> the modules it imports), each as a path."""
    found, state = [], {}

    def visit(name, path):
        state[name] = "open"
        for other in graph[name]:
            if state.get(other) == "open":
                found.append(path[path.index(other):] + [other])
            elif other not in state:
                visit(other, path + [other])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return found


def test_the_lab_has_no_import_circle():
    graph = lab_graph()
    assert "gan.lab.comparison.harness" in graph and "gan.lab.pool" in graph   # not vacuous
    assert circles(graph) == []


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}) == [["a", "b", "c", "a"]]


def test_the_papers_modules_never_import_the_lab():
    # the lab, the command line, the playground and the images use the paper, not the other way
    paper = [path for path in GAN.rglob("*.py")
             if path.relative_to(GAN).parts[0] not in ("lab", "cli", "play", "digits")]
    assert len(paper) > 10
    offenders = {module_name(path): sorted(name for name in imported_modules(path)
                                           if name.startswith("gan.lab"))
                 for path in paper}
    assert {name: found for name, found in offenders.items() if found} == {}


def project_graph():
    """Module -> the project's modules it imports, over rng, nn and gan, imports inside functions
    included (a function-level import must not hide a circle either). ``from package import
    submodule`` depends on the submodule, not on the package's own __init__."""
    root = GAN.parent
    paths = [path for package in ("rng", "nn", "gan") for path in (root / package).rglob("*.py")]
    modules = {".".join(path.relative_to(root).with_suffix("").parts[:-1]
                        if path.name == "__init__.py"
                        else path.relative_to(root).with_suffix("").parts): path
               for path in paths}
    graph = {}
    for name, path in modules.items():
        found = imported_modules(path) & set(modules) - {name}
        packages = {other.rpartition(".")[0] for other in found}
        graph[name] = sorted(other for other in found
                             if not (other in packages and _names_submodules(path, other, modules)))
    return graph


def _names_submodules(path, package, modules):
    """True when every ``from package import ...`` in ``path`` names only submodules."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == package:
            if any(f"{package}.{alias.name}" not in modules for alias in node.names):
                return False
        elif isinstance(node, ast.Import) and package in {alias.name for alias in node.names}:
            return False
    return True


def test_the_project_has_no_import_circle_even_inside_functions():
    graph = project_graph()
    assert "gan.distributions.base" in graph and "nn.fast.network" in graph   # not vacuous
    assert circles(graph) == []
