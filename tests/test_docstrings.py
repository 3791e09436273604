"""Every public helper says where the book introduces it, and that pointer is true.

For every public function and class of every ``medlab`` module (found on disk,
so new modules are covered without editing this file):

1. its docstring, or else its module's docstring, names at least one chapter
   file ``chapters/NN_name.ipynb`` or a documented command ``python -m medlab...``,
   and every chapter it names exists;
2. the pointer is true: a chapter it names uses it, directly (``data.fetch(...)``,
   ``from medlab.data import fetch``) or through the medlab helpers that chapter
   calls (``data.fetch`` calls ``verify_file``, so chapters using ``fetch``
   introduce ``verify_file`` too); or, for the book's tools, the ``main`` of a
   command it names reaches it and the command is documented in README.md or
   book.sh;
3. an exception class derives from :class:`medlab.errors.MedlabError` (one
   error root) instead.

Uses are resolved like Python resolves them, not by matching text: a chapter's
imports are executed and every name and attribute chain in its code cells is
looked up; a helper's source is parsed and looked up in its module's namespace.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest
from test_imports import medlab_modules

from medlab.errors import MedlabError

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = re.compile(r"chapters/\d{2}_[a-z0-9_]+\.ipynb")
COMMAND = re.compile(r"python -m (medlab(?:\.[a-z_]+)+)")
DOCUMENTED_COMMAND = re.compile(r"-m (medlab(?:\.[a-z_]+)+)")

# Helpers written for work that another branch is bringing in (the medlab.dicom
# subpackage uses them for its batch readers and writers). Each entry must still
# fail the check above; once a chapter introduces it, the test says to remove it.
PENDING: dict[str, str] = {
    # Public names allowed, for now, to lack a chapter that introduces them (with the reason);
    # test_every_pending_entry_exists and the xfail check say when an entry must go.
}


# --------------------------------------------------------------------- resolving uses


def _chains(tree: ast.AST) -> Iterator[list[str]]:
    """Every ``a`` and ``a.b.c`` in ``tree``, as lists of names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield [node.id]
        elif isinstance(node, ast.Attribute):
            parts: list[str] = []
            cur: ast.AST = node
            while isinstance(cur, ast.Attribute):
                parts.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name):
                yield [cur.id, *reversed(parts)]


def _resolve(tree: ast.AST, namespace: dict[str, Any]) -> list[Any]:
    """The objects that names and attribute chains of ``tree`` refer to in ``namespace``."""
    found = []
    for chain in _chains(tree):
        if chain[0] not in namespace:
            continue
        obj = namespace[chain[0]]
        found.append(obj)
        for attr in chain[1:]:
            try:
                obj = inspect.getattr_static(obj, attr) if not isinstance(obj, ModuleType) else getattr(obj, attr)
            except AttributeError:
                break
            found.append(obj)
    return found


def _is_medlab(obj: Any) -> bool:
    defined_here = str(getattr(obj, "__module__", "")).startswith("medlab")
    return (inspect.isfunction(obj) or inspect.isclass(obj)) and defined_here


def _module_level(module: ModuleType) -> list[Any]:
    """Objects referred to by the module's own top-level statements (tables, registrations)."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return []
    body = [n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                                         ast.Import, ast.ImportFrom))]
    return _resolve(ast.Module(body=body, type_ignores=[]), vars(module))


def _references(obj: Any) -> list[Any]:
    """Objects a medlab function or class refers to in its source."""
    target = inspect.unwrap(obj) if inspect.isfunction(obj) else obj
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(target)))
    except (OSError, TypeError):
        return []
    return _resolve(tree, vars(sys.modules[obj.__module__]))


def reached_from(start: list[Any]) -> set[int]:
    """ids of every medlab function or class ``start`` uses, directly or through other helpers."""
    seen: set[int] = set()
    modules_done: set[str] = set()
    todo = [o for o in start if _is_medlab(o)]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        refs = _references(obj)
        if obj.__module__ not in modules_done:
            modules_done.add(obj.__module__)
            refs += _module_level(sys.modules[obj.__module__])
        todo.extend(r for r in refs if _is_medlab(r) and id(r) not in seen)
    return seen


def chapter_uses(path: Path) -> list[Any]:
    """What the code cells of a chapter refer to (its imports are executed to resolve names)."""
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    tree = ast.parse(code)
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    namespace: dict[str, Any] = {}
    exec(compile(ast.Module(body=imports, type_ignores=[]), str(path), "exec"), namespace)  # noqa: S102
    imported = [namespace[a.asname or a.name] for n in imports if isinstance(n, ast.ImportFrom)
                for a in n.names if (n.module or "").startswith("medlab")]
    return _resolve(tree, namespace) + imported


# ------------------------------------------------------------------------- the objects


def public_objects() -> list[tuple[str, str, Any]]:
    """(module, name, object) of every public function and class defined in a medlab module."""
    out = []
    for modname in medlab_modules():
        module = importlib.import_module(modname)
        names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
        for name in names:
            obj = getattr(module, name, None)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == modname:
                out.append((modname, name, obj))
    return out


PUBLIC = public_objects()
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
_chapter_reach: dict[str, set[int]] = {}
_command_reach: dict[str, set[int]] = {}


def _reach_of_chapter(rel: str) -> set[int]:
    if rel not in _chapter_reach:
        _chapter_reach[rel] = reached_from(chapter_uses(ROOT / rel))
    return _chapter_reach[rel]


def documented_commands() -> set[str]:
    text = (ROOT / "README.md").read_text() + (ROOT / "book.sh").read_text()
    return set(DOCUMENTED_COMMAND.findall(text))


def _reach_of_command(module: str) -> set[int]:
    if module not in _command_reach:
        _command_reach[module] = reached_from([importlib.import_module(module).main])
    return _command_reach[module]


def check(modname: str, name: str, obj: Any) -> str | None:
    """``None`` if the pointer of ``modname.name`` is present and true, else what is wrong."""
    module = sys.modules[modname]
    own = inspect.getdoc(obj) or ""
    text = own if (CHAPTER.search(own) or COMMAND.search(own)) else own + "\n" + (module.__doc__ or "")
    chapters = sorted(set(CHAPTER.findall(text)))
    commands = sorted(set(COMMAND.findall(text)))
    where = f"{modname}.{name}"
    if not chapters and not commands:
        return f"{where}: neither its docstring nor its module's names a chapter (chapters/NN_name.ipynb)"
    missing = [c for c in chapters if not (ROOT / c).is_file()]
    if missing:
        return f"{where}: its docstring names {missing}, which do(es) not exist"
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        ok = issubclass(obj, MedlabError)
        return None if ok else f"{where}: an error class must derive from medlab.errors.MedlabError"
    if any(id(obj) in _reach_of_chapter(c) for c in chapters):
        return None
    documented = documented_commands()
    for command in commands:
        if command in documented and id(obj) in _reach_of_command(command):
            return None
    named = ", ".join(chapters + [f"python -m {c}" for c in commands])
    return f"{where}: not used by {named} (directly or through the medlab helpers it calls); fix the pointer"


@pytest.mark.parametrize("modname,name,obj", PUBLIC, ids=[f"{m}.{n}" for m, n, _ in PUBLIC])
def test_docstring_names_the_chapter_that_introduces_it(modname, name, obj):
    problem = check(modname, name, obj)
    if f"{modname}.{name}" in PENDING:
        assert problem is not None, (f"{modname}.{name} is now introduced by a chapter; remove it from PENDING "
                                     "in tests/test_docstrings.py")
        pytest.xfail(f"pending: {PENDING[f'{modname}.{name}']}")
    assert problem is None, problem


def test_every_pending_entry_exists():
    names = {f"{m}.{n}" for m, n, _ in PUBLIC}
    assert set(PENDING) <= names, f"PENDING lists names that no longer exist: {set(PENDING) - names}"


def test_resolution_follows_real_uses():
    """The checker finds a use through a helper, and rejects a pointer that is false."""
    from medlab import data, evaluation
    from medlab.data import download

    ch03 = _reach_of_chapter("chapters/03_first_classifier.ipynb")
    assert id(data.fetch) in ch03  # through data.load_arrays -> npz_path -> fetch
    assert id(download.verify_file) in ch03  # fetch -> _verified -> verify_file
    assert id(evaluation.paired_auc_test) not in ch03
    assert id(evaluation.paired_auc_test) in _reach_of_chapter("chapters/05_evaluating_diagnostic_models.ipynb")

    def helper():
        """A helper said to be introduced in chapters/03_first_classifier.ipynb."""

    helper.__module__ = "medlab.metrics"
    assert "not used by chapters/03_first_classifier.ipynb" in check("medlab.metrics", "helper", helper)
    helper.__doc__ = "Introduced in chapters/99_nowhere.ipynb."
    assert "do(es) not exist" in check("medlab.metrics", "helper", helper)

    class Oops(ValueError):
        """Raised in chapters/03_first_classifier.ipynb."""

    Oops.__module__ = "medlab.metrics"
    assert "MedlabError" in check("medlab.metrics", "Oops", Oops)


def test_every_chapter_is_found():
    assert {c.relative_to(ROOT).as_posix() for c in CHAPTERS} >= {
        "chapters/03_first_classifier.ipynb", "chapters/05_evaluating_diagnostic_models.ipynb"}
