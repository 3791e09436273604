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
- a dynamic one: every exception class defined in a ``medlab`` module
  (every module is imported) subclasses ``MedlabError``; warnings are not
  errors and are left out.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import pkgutil
from pathlib import Path

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


def test_every_medlab_exception_class_subclasses_medlab_error():
    """Warnings (``PaddedPixelDataWarning``) are not errors and are left out."""
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
