"""Every error ``medlab`` raises on purpose is a :class:`medlab.errors.MedlabError`.

Two checks:

- a static one (AST) over every ``medlab/**/*.py`` file: no ``raise`` of a
  built-in exception (``raise ValueError(...)``, ``raise KeyError`` ...).
  Allowed are a bare re-raise (``raise``), raising a variable (``raise exc``),
  a call that builds an error (``raise _truncated(...)``), and any class that
  is not a built-in, since those are the typed errors (each derives from
  ``MedlabError`` and, for old callers, from the built-in it replaced; the
  second test checks that). ``raise SystemExit(main())`` of a command-line
  entry point is not an error and is allowed: only built-ins that derive from
  ``Exception`` are refused. No module has abstract methods, so there is no
  ``NotImplementedError`` exemption: add one here, for methods decorated with
  ``abc.abstractmethod``, if one ever does.
- every exception class defined in a ``medlab`` module subclasses
  ``MedlabError``: statically (fast, bases followed by name) and, marked slow,
  on the imported classes; warnings are not errors and are left out.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import medlab
from medlab.errors import MedlabError

PACKAGE = Path(medlab.__file__).resolve().parent
ROOT = PACKAGE.parent

BUILTIN_EXCEPTIONS = frozenset(
    name for name, obj in vars(builtins).items()
    if isinstance(obj, type) and issubclass(obj, Exception)
)
"""Names of the built-in exceptions a ``raise`` must not name (``SystemExit`` is not one)."""


def _raised_name(exc: ast.expr) -> str | None:
    """The name a ``raise`` statement raises: ``ValueError`` for ``ValueError(...)``,
    ``ValueError`` or ``builtins.ValueError``; ``None`` for anything else."""
    target = exc.func if isinstance(exc, ast.Call) else exc
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
            and target.value.id == "builtins":
        return target.attr
    return None


def _shadowed(tree: ast.Module) -> set[str]:
    """Built-in exception names a module rebinds (its own class or an import): allowed there."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update(a.asname or a.name.split(".")[0] for a in node.names)
    return names & BUILTIN_EXCEPTIONS


def builtin_raises(source: str, label: str) -> list[str]:
    """``label:line: statement`` of each ``raise`` of a built-in exception in ``source``."""
    tree = ast.parse(source, filename=label)
    allowed = _shadowed(tree)
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        name = _raised_name(node.exc)
        if name in BUILTIN_EXCEPTIONS and name not in allowed:
            found.append(f"{label}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return sorted(found, key=lambda hit: int(hit.split(":")[1]))


def test_no_builtin_exception_is_raised():
    offenders = [hit for path in sorted(PACKAGE.rglob("*.py"))
                 for hit in builtin_raises(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert not offenders, (
        f"{len(offenders)} raise(s) of a built-in exception in medlab; raise a MedlabError "
        "subclass instead (defined in that module, with the built-in as second base, e.g. "
        "class FooError(MedlabError, ValueError)):\n" + "\n".join(offenders))


def test_the_ast_check_sees_what_it_must():
    source = (
        "import builtins\n"
        "class TypedError(Exception):\n    pass\n"
        "def f(exc):\n"
        "    raise ValueError('a')\n"                  # 5: refused
        "    raise KeyError\n"                         # 6: refused
        "    raise builtins.RuntimeError('b')\n"       # 7: refused
        "    raise FileExistsError('c') from exc\n"    # 8: refused
        "    raise TypedError('d') from exc\n"         # allowed: not a built-in
        "    raise exc\n"                              # allowed: a re-raise
        "    raise\n"                                  # allowed: a re-raise
        "    raise SystemExit(0)\n"                    # allowed: not an error
        "    raise make_error('e')\n")                 # allowed: a factory
    assert [hit.split(":")[1] for hit in builtin_raises(source, "m.py")] == ["5", "6", "7", "8"]
    assert builtin_raises("from .errors import ValueError\nraise ValueError('x')\n", "m.py") == []


def _medlab_modules() -> list[str]:
    names = ["medlab"]
    for info in pkgutil.walk_packages(medlab.__path__, prefix="medlab."):
        names.append(info.name)
    return sorted(names)


def _base_names(node: ast.ClassDef) -> list[str]:
    """``MedlabError`` for ``MedlabError`` and ``errors.MedlabError``; '' for anything else."""
    return [b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
            for b in node.bases]


def _class_defs() -> list[tuple[str, ast.ClassDef]]:
    return [(str(path.relative_to(ROOT)), node) for path in sorted(PACKAGE.rglob("*.py"))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.ClassDef)]


def stray_exception_classes(defs: list[tuple[str, ast.ClassDef]]) -> list[str]:
    """``file:line: class Name(bases)`` of each class that derives from a built-in exception
    but not from ``MedlabError`` (followed through the bases defined in ``defs``, by name).
    Warnings are not errors and are left out."""
    bases: dict[str, set[str]] = {}
    for _, node in defs:
        bases.setdefault(node.name, set()).update(_base_names(node))

    def reaches(name: str, goal, seen: frozenset = frozenset()) -> bool:
        if goal(name):
            return True
        if name in seen:
            return False
        return any(reaches(b, goal, seen | {name}) for b in bases.get(name, ()))

    def is_medlab(name: str) -> bool:
        return name == "MedlabError"

    def is_builtin_error(name: str) -> bool:
        obj = getattr(builtins, name, None)
        return isinstance(obj, type) and issubclass(obj, BaseException) and not issubclass(obj, Warning)

    def is_warning(name: str) -> bool:
        obj = getattr(builtins, name, None)
        return isinstance(obj, type) and issubclass(obj, Warning)

    stray = []
    for label, node in defs:
        if node.name == "MedlabError" or reaches(node.name, is_warning):
            continue
        if reaches(node.name, is_builtin_error) and not reaches(node.name, is_medlab):
            stray.append(f"{label}:{node.lineno}: class {node.name}({', '.join(_base_names(node))})")
    return stray


def test_every_medlab_exception_class_subclasses_medlab_error():
    """Fast and static: the class definitions of every medlab file, bases followed by name."""
    defs = _class_defs()
    stray = stray_exception_classes(defs)
    assert not stray, ("exception classes of medlab that do not subclass medlab.errors.MedlabError; "
                       "add it as their first base, e.g. class FooError(MedlabError, ValueError):\n"
                       + "\n".join(stray))
    errors = [n.name for _, n in defs if n.name.endswith("Error")]
    assert "MedlabError" in errors and len(errors) > 10, "the class walk found too few error classes"


def test_the_class_check_sees_what_it_must():
    source = ("class MedlabError(Exception): ...\n"
              "class Good(MedlabError, ValueError): ...\n"
              "class AlsoGood(Good): ...\n"
              "class Bad(ValueError): ...\n"
              "class AlsoBad(Bad, KeyError): ...\n"
              "class Fine(UserWarning): ...\n"
              "class NotAnError(object): ...\n")
    defs = [("m.py", n) for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ClassDef)]
    assert [s.split(": ")[1] for s in stray_exception_classes(defs)] == [
        "class Bad(ValueError)", "class AlsoBad(Bad, KeyError)"]


@pytest.mark.slow  # imports every medlab module (torch, flower, ...): about 15 s
def test_every_imported_medlab_exception_class_subclasses_medlab_error():
    """The same rule on the live classes, which also sees bases from other packages.
    Warnings (``PaddedPixelDataWarning``) are not errors and are left out."""
    stray, checked = [], 0
    for name in _medlab_modules():
        module = importlib.import_module(name)
        for cls_name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, BaseException)
                    and cls.__module__ == module.__name__) or issubclass(cls, Warning):
                continue
            checked += 1
            if not issubclass(cls, MedlabError):
                stray.append(f"{name}.{cls_name} (bases: {', '.join(b.__name__ for b in cls.__bases__)})")
    assert not stray, ("exception classes of medlab that do not subclass medlab.errors.MedlabError; "
                       "add it as their first base:\n" + "\n".join(stray))
    assert checked > 10, f"only {checked} exception classes found: is the module walk broken?"
