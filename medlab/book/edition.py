"""The student edition: every chapter without its exercise solutions.

Solutions are written once, right after their ``{exercise}``, and hidden in a
dropdown in the rendered book. A solution in words is a MyST ``{solution}``
block; a solution that computes is sphinx-exercise's gated form, a markdown
cell that opens ``{solution-start}``, the code cells that compute, and a
markdown cell that closes with ``{solution-end}``. This module writes copies of
the chapters with both forms removed (the gated form with its code cells), for
instructors to hand out::

    python -m medlab.book.edition --out student-edition            # keep stored outputs
    python -m medlab.book.edition --out student-edition --clear-outputs

Exercises stay; only the solutions go. The book's own tests check that every
solution belongs to an exercise and that the edition keeps every exercise.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import nbformat

from ..errors import MedlabError
from ..io import atomic_write_text
from .provenance import find_root, toc_chapters

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>solution|solution-start)\}")
_SOLUTION_END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}\s*$")


class UnclosedSolutionError(MedlabError, ValueError):
    """A ``{solution-start}`` that no later ``{solution-end}`` closes."""


def strip_solutions(markdown: str, inside: bool = False) -> tuple[str, int, bool]:
    """Remove ``{solution}`` blocks (and ``{solution-start}``...``{solution-end}``) from MyST text.

    Returns the new text, the number of solutions that *start* in it, and
    whether a gated solution is still open at its end (its ``{solution-end}``
    is in a later cell; everything after its ``{solution-start}`` is removed).
    ``inside``: the text starts within a gated solution opened in an earlier
    cell, so everything up to its ``{solution-end}`` goes too.
    """
    out: list[str] = []
    lines = markdown.splitlines()
    removed, i = 0, 0
    while i < len(lines):
        if inside:  # gated form: {solution-start} ... {solution-end}, each directive fenced
            while i < len(lines) and not _SOLUTION_END.match(lines[i]):
                i += 1
            if i == len(lines):
                break  # still open: the solution goes on in the next cell
            end = _SOLUTION_END.match(lines[i])
            i += 1
            if i < len(lines) and lines[i].strip() == end.group(1):
                i += 1  # the {solution-end} directive's own closing fence
            inside = False
            continue
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
        else:
            inside = True
            i += 1
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return text, removed, inside


def count_directives(nb: nbformat.NotebookNode, name: str) -> int:
    """How many ``{name}`` directives the notebook's markdown cells hold."""
    pattern = re.compile(r"^(`{3,}|:{3,})\{" + re.escape(name) + r"\}", re.M)
    return sum(len(pattern.findall(c.source)) for c in nb.cells if c.cell_type == "markdown")


def student_notebook(nb: nbformat.NotebookNode, clear_outputs: bool = False) -> tuple[nbformat.NotebookNode, int]:
    """A copy of ``nb`` without solutions (and, optionally, without outputs).

    A gated solution that spans cells goes whole: the rest of the cell that
    opens it, every cell after it (its code cells included), and the closing
    cell up to its ``{solution-end}``; what follows in that cell stays. Markdown
    cells left empty are dropped. Returns the copy and the number of solutions
    removed; raises :class:`UnclosedSolutionError` if a ``{solution-start}`` is
    never closed, rather than drop the rest of the chapter.
    """
    copy = nbformat.from_dict(nb)
    cells, removed, inside, opened_at = [], 0, False, None
    for index, cell in enumerate(copy.cells):
        if cell.cell_type != "markdown":
            if inside:
                continue  # a code cell of a gated solution
            if clear_outputs and cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            cells.append(cell)
            continue
        was_inside = inside
        source, n, inside = strip_solutions(cell.source, inside)
        removed += n
        if inside and (n or not was_inside):
            opened_at = index
        if not (n or was_inside):
            cells.append(cell)  # no solution here: the cell as it was
        elif source.strip():
            cell.source = source
            cells.append(cell)
    if inside:
        raise UnclosedSolutionError(f"the {{solution-start}} in cell {opened_at} is never closed by a {{solution-end}}")
    copy.cells = cells
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
