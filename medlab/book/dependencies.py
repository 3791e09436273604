"""Which ``medlab`` modules a chapter runs, and a hash of each, for the stale check.

A chapter's stored outputs depend on its own code cells and on every
``medlab`` module it imports, directly or through other modules. The runner
(``python -m medlab.run``) records a hash of each such module (:func:`module_hashes`); when one changes,
:func:`medlab.book.provenance.stale_message` names the chapter, the modules and
the command that refreshes it.

The import graph is read statically (Python's ``ast`` module), from the chapter's
code cells down through ``medlab``'s own imports, function-level imports
included, so it is the same on every machine and needs no kernel. A module's
hash covers its syntax tree without docstrings: editing a comment, a docstring
or the layout of a line does not make a chapter stale; changing code does.
Data files that sit beside an imported module (a JSON manifest, a TOML
configuration) are inputs too, hashed by their bytes.

Introduced for the page "Reproducibility" (reproducibility.md).
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import nbformat

PACKAGE = "medlab"


def _module_file(root: Path, dotted: str) -> Path | None:
    """``medlab/a/b.py`` or ``medlab/a/b/__init__.py`` for ``medlab.a.b``, if it exists."""
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _with_parents(root: Path, dotted: str) -> list[Path]:
    """The module's file and the ``__init__.py`` of every package above it (Python runs them all)."""
    parts = dotted.split(".")
    files = []
    for i in range(1, len(parts) + 1):
        found = _module_file(root, ".".join(parts[:i]))
        if found is not None:
            files.append(found)
    return files


def _imports(tree: ast.AST, current: str | None, is_package: bool) -> set[str]:
    """Dotted ``medlab`` names imported anywhere in ``tree`` (``current``: the module's own name)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif isinstance(node, ast.ImportFrom):
            if node.level and current:
                package = current.split(".") if is_package else current.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join(package + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.split(".")[0] != PACKAGE:
                continue
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names if a.name != "*")  # may be submodules
    return names


def _parse_cells(nb: nbformat.NotebookNode) -> ast.Module:
    """The chapter's code cells as one module; IPython magics and shell lines are skipped."""
    body: list[ast.stmt] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            body.extend(ast.parse("\n".join(lines)).body)
        except SyntaxError:
            continue  # a cell the kernel would reject fails the run anyway
    return ast.Module(body=body, type_ignores=[])


def chapter_modules(root: Path, nb: nbformat.NotebookNode) -> list[str]:
    """Paths (relative to ``root``, posix) of every ``medlab`` module the chapter imports, transitively."""
    seen: set[Path] = set()
    todo = [f for name in _imports(_parse_cells(nb), None, False) for f in _with_parents(root, name)]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in _imports(tree, ".".join(parts), rel.name == "__init__"):
            todo.extend(f for f in _with_parents(root, name) if f not in seen)
    return sorted(p.relative_to(root).as_posix() for p in seen)


DATA_SUFFIXES = (".json", ".toml", ".yaml", ".yml", ".csv", ".txt", ".npz", ".npy")
"""Files beside a module that it may read at run time (a manifest, a configuration): hashed as inputs too."""


def data_files(root: Path, modules: list[str]) -> list[str]:
    """Data files (``.json``, ``.toml``, ``.yaml``, ``.csv``, ``.txt``, ``.npz``, ...) in the folders of ``modules``.

    Only the folders themselves, not the folders below them.
    """
    folders = {(root / rel).parent for rel in modules}
    return sorted(p.relative_to(root).as_posix() for folder in folders for p in folder.iterdir()
                  if p.is_file() and p.suffix in DATA_SUFFIXES)


def source_hash(source: str) -> str:
    """SHA-256 of a module's syntax tree with docstrings removed (comments and layout never reach the tree)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree, annotate_fields=False).encode()).hexdigest()


def file_hash(path: Path) -> str:
    """:func:`source_hash` for a Python module, the SHA-256 of the bytes for any other file."""
    if path.suffix == ".py":
        return source_hash(path.read_text(encoding="utf-8"))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def module_hashes(root: Path, modules: list[str]) -> dict[str, str]:
    """``{path: hash}`` for each module path and the data files beside them; a missing file maps to ``"missing"``.

    Data files (:func:`data_files`) are added for the folders of ``modules`` that are Python modules.
    """
    paths = list(dict.fromkeys([*modules, *data_files(root, [m for m in modules if m.endswith(".py")])]))
    return {rel: file_hash(root / rel) if (root / rel).is_file() else "missing" for rel in paths}


def changed_modules(root: Path, recorded: dict[str, str]) -> list[str]:
    """The recorded modules and data files whose hash differs today (or that are gone)."""
    return [rel for rel, digest in sorted(recorded.items())
            if (file_hash(root / rel) if (root / rel).is_file() else "missing") != digest]


__all__ = ["DATA_SUFFIXES", "chapter_modules", "data_files", "source_hash", "file_hash", "module_hashes",
           "changed_modules"]
