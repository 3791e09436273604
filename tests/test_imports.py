"""Every medlab module imports on its own, and medlab's modules import no cycle."""

from __future__ import annotations

import ast
import importlib.util
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import medlab

ROOT = Path(__file__).resolve().parents[1]


def medlab_modules() -> list[str]:
    """Every module and package under medlab/, found on disk (so nothing is forgotten)."""
    names = ["medlab"]
    for info in pkgutil.walk_packages(medlab.__path__, "medlab."):
        names.append(info.name)
    return sorted(names)


def _source(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin, name
    return Path(spec.origin)


def _is_package(name: str) -> bool:
    return _source(name).name == "__init__.py"


def _imports(name: str, known: set[str]) -> set[str]:
    """The medlab modules ``name`` imports anywhere in its file (functions included).

    ``from .x import y`` counts as importing ``x`` and, if ``x.y`` is a module,
    ``x.y`` as well; importing a module also runs its parent packages, so
    those count too, except ``name``'s own ancestors (always already running).
    """
    tree = ast.parse(_source(name).read_text())
    for node in ast.walk(tree):  # imports for type checkers only never run: drop them
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            node.body = []
    package = name if _is_package(name) else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets.add(mod)
            targets.update(f"{mod}.{a.name}" for a in node.names)
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    found: set[str] = set()
    for t in targets:
        parts = t.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in known and prefix not in ancestors and prefix != name:
                found.add(prefix)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes, or ``None``."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_between_medlab_modules():
    modules = medlab_modules()
    graph = {m: _imports(m, set(modules)) for m in modules}
    assert graph["medlab.data.fetch"] >= {"medlab.data.registry", "medlab.runtime.record"}  # the parser sees imports
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.slow  # a fresh interpreter imports torch and every module
def test_every_module_imports_in_a_fresh_interpreter():
    """One new interpreter imports each module; the first failure is reported with its traceback."""
    modules = medlab_modules()
    script = (
        "import importlib, sys, traceback\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception:\n"
        "        print(name); traceback.print_exc(); sys.exit(1)\n"
        "print('ok', len(sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok")


@pytest.mark.slow  # four fresh interpreters
def test_runnable_modules_answer_help():
    """The documented commands start: python -m medlab.run / medlab.data.fetch / medlab.book.report / ...edition."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    for module in ("medlab.run", "medlab.data.fetch", "medlab.book.report", "medlab.book.edition"):
        done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (module, done.stderr)
        assert f"python -m {module}" in done.stdout, (module, done.stdout[:200])
        assert "Warning" not in done.stderr, (module, done.stderr)
