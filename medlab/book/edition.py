"""The student edition: every chapter without its exercise solutions.

Solutions are written once, as MyST ``{solution}`` blocks right after their
``{exercise}`` (hidden in a dropdown in the rendered book). This module
writes copies of the chapters with those blocks removed, for instructors to
hand out::

    python -m medlab.book.edition --out student-edition            # keep stored outputs
    python -m medlab.book.edition --out student-edition --clear-outputs

Exercises stay; only the solution blocks go. The book's own tests check that
every solution belongs to an exercise and that the edition keeps every exercise.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import nbformat

from ..io import atomic_write_text
from .provenance import find_root, toc_chapters

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>solution|solution-start)\}")
_SOLUTION_END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}\s*$")


def strip_solutions(markdown: str) -> tuple[str, int]:
    """Remove ``{solution}`` blocks (and ``{solution-start}``...``{solution-end}``) from MyST text.

    Returns the new text and the number of blocks removed.
    """
    out: list[str] = []
    lines = markdown.splitlines()
    removed, i = 0, 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        removed += 1
        if match["name"] == "solution":
            fence = match["fence"]
            i += 1
            while i < len(lines) and lines[i].strip() != fence:
                i += 1
            i += 1  # the closing fence
        else:  # gated form: {solution-start} ... {solution-end}, each directive fenced
            while i < len(lines) and not _SOLUTION_END.match(lines[i]):
                i += 1
            end = _SOLUTION_END.match(lines[i]) if i < len(lines) else None
            i += 1
            if end and i < len(lines) and lines[i].strip() == end.group(1):
                i += 1  # the {solution-end} directive's own closing fence
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text, removed


def count_directives(nb: nbformat.NotebookNode, name: str) -> int:
    """How many ``{name}`` directives the notebook's markdown cells hold."""
    pattern = re.compile(r"^(`{3,}|:{3,})\{" + re.escape(name) + r"\}", re.M)
    return sum(len(pattern.findall(c.source)) for c in nb.cells if c.cell_type == "markdown")


def student_notebook(nb: nbformat.NotebookNode, clear_outputs: bool = False) -> tuple[nbformat.NotebookNode, int]:
    """A copy of ``nb`` without solutions (and, optionally, without outputs)."""
    copy = nbformat.from_dict(nb)
    removed = 0
    for cell in copy.cells:
        if cell.cell_type == "markdown":
            cell.source, n = strip_solutions(cell.source)
            removed += n
        elif clear_outputs and cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return copy, removed


def main(argv: list[str] | None = None) -> int:
    """The command line ``python -m medlab.book.edition``; writes every chapter without solutions."""
    parser = argparse.ArgumentParser(prog="python -m medlab.book.edition", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the student notebooks")
    parser.add_argument("--clear-outputs", action="store_true", help="also remove stored outputs")
    args = parser.parse_args(argv)
    root = find_root()
    args.out.mkdir(parents=True, exist_ok=True)
    for chapter in toc_chapters(root):
        nb = nbformat.read(root / chapter, as_version=4)
        student, removed = student_notebook(nb, args.clear_outputs)
        atomic_write_text(args.out / chapter.name, nbformat.writes(student) + "\n")
        print(f"{chapter.name}: {count_directives(student, 'exercise')} exercises, {removed} solutions removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
