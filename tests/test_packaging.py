"""pyproject.toml, requirements.txt and requirements.lock agree, and the package installs whole.

- every dependency medlab declares is pinned in requirements.txt, and the pin is in its range;
- every pin of requirements.txt is the version requirements.lock fixes;
- every package a medlab module imports at import time is a declared (not optional) dependency,
  and one it imports inside a function is at least in an extra;
- every folder of medlab/ with Python files is a package (setuptools installs only those);
- the version is a literal that setuptools reads without importing medlab (and torch).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SELF = PYPROJECT["project"]["name"]


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            out[norm(name.split("[", 1)[0])] = version.strip()  # flwr[simulation]==x: the pin is flwr's
    return out


def declared() -> tuple[list[Requirement], dict[str, list[Requirement]]]:
    core = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    extras = {extra: [r for r in map(Requirement, reqs) if norm(r.name) != SELF]
              for extra, reqs in PYPROJECT["project"]["optional-dependencies"].items()}
    return core, extras


def test_pins_satisfy_the_declared_ranges():
    pinned = pins(ROOT / "requirements.txt")
    core, extras = declared()
    for req in core + [r for reqs in extras.values() for r in reqs]:
        name = norm(req.name)
        assert name in pinned, f"{req.name} is a dependency in pyproject.toml but not pinned in requirements.txt"
        assert req.specifier.contains(pinned[name], prereleases=True), (
            f"requirements.txt pins {req.name}=={pinned[name]}, outside pyproject.toml's {req}")


def test_lock_fixes_every_pin_at_the_same_version():
    pinned = pins(ROOT / "requirements.txt")
    locked = pins(ROOT / "requirements.lock")
    for name, version in pinned.items():
        assert locked.get(name) == version, (
            f"requirements.txt pins {name}=={version}, requirements.lock has {locked.get(name)}: run ./book.sh lock")
    assert SELF not in locked, "requirements.lock must not pin medlab-book itself"


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """Top-level module names imported by ``path``: (at import time, inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    eager: set[str] = set()
    lazy: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            names = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = [child.module]
            for name in names:
                (lazy if inner else eager).add(name.split(".")[0])
            visit(child, inner)

    visit(tree, False)
    return eager, lazy


def test_medlab_imports_only_declared_packages():
    core, extras = declared()
    core_names = {norm(r.name) for r in core}
    extra_names = {norm(r.name) for reqs in extras.values() for r in reqs}
    dists = importlib.metadata.packages_distributions()
    problems = []
    for path in sorted((ROOT / "medlab").rglob("*.py")):
        eager, lazy = _imports(path)
        for module, allowed, what in ((eager, core_names, "dependencies"),
                                      (lazy, core_names | extra_names, "dependencies or an extra")):
            for name in sorted(module):
                if name in sys.stdlib_module_names or name == "medlab":
                    continue
                owners = {norm(d) for d in dists.get(name, [])}
                if not owners & allowed:
                    source = sorted(owners) or "no installed package"
                    problems.append(f"{path.relative_to(ROOT)} imports {name} (from {source}), "
                                    f"not in pyproject.toml's {what}")
    assert not problems, "\n".join(problems)


def test_every_medlab_folder_is_a_package():
    for folder in sorted({p.parent for p in (ROOT / "medlab").rglob("*.py")}):
        if "__pycache__" in folder.parts:
            continue
        assert (folder / "__init__.py").is_file(), (
            f"{folder.relative_to(ROOT)} has modules but no __init__.py: setuptools would not install it")


def test_version_is_a_literal_setuptools_reads_statically():
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "medlab._version.__version__"}
    tree = ast.parse((ROOT / "medlab" / "_version.py").read_text(encoding="utf-8"))
    literal = [n.value.value for n in tree.body
               if isinstance(n, ast.Assign) and [getattr(t, "id", None) for t in n.targets] == ["__version__"]
               and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)]
    assert len(literal) == 1, "medlab/_version.py must assign __version__ = '<literal>' once"
    import medlab

    assert medlab.__version__ == literal[0]
    try:
        installed = importlib.metadata.version(SELF)
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("medlab-book is not installed (pip install -e .)")
    assert installed == literal[0], f"installed metadata says {installed}: reinstall with pip install -e ."
