"""The student edition removes every solution and keeps every exercise."""

import re
from pathlib import Path

import nbformat
import pytest

from medlab.book.edition import UnclosedSolutionError, count_directives, strip_solutions, student_notebook

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

TEXT = """## Exercises

```{exercise}
:label: ex-a

Question A.
```

```{solution} ex-a
:class: dropdown

Answer A, with a code block:

    print("kept out")
```

```{exercise-start}
:label: ex-b
```
Question B.
```{exercise-end}
```

```{solution-start} ex-b
:class: dropdown
```
Answer B.
```{solution-end}
```

## Summary"""

_MARKER = re.compile(r"^(?:`{3,}|:{3,})\{(solution-start|solution-end)\}", re.M)
_LABEL = re.compile(r"^(?:`{3,}|:{3,})\{exercise(?:-start)?\}[^\n]*\n:label:\s*(\S+)", re.M)


def test_strip_solutions_both_forms():
    text, removed, still_open = strip_solutions(TEXT)
    assert removed == 2 and not still_open
    assert "Answer" not in text and "kept out" not in text and "solution" not in text
    assert "Question A." in text and "Question B." in text and text.endswith("## Summary")


def test_text_without_solutions_is_unchanged():
    assert strip_solutions("# Title\n\nNo exercises here.") == ("# Title\n\nNo exercises here.", 0, False)


def test_solution_open_at_the_end_of_the_text():
    opening = "Question.\n\n```{solution-start} ex-a\n:class: dropdown\n```\nIntroduction."
    assert strip_solutions(opening) == ("Question.", 1, True)
    assert strip_solutions("Still the solution.", inside=True) == ("", 0, True)
    assert strip_solutions("Explanation.\n```{solution-end}\n```\n\nNext.", inside=True) == ("Next.", 0, False)


def _synthetic() -> nbformat.NotebookNode:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    output = nbformat.v4.new_output("stream", text="solution output\n")
    cells = [
        md("# A chapter\n\nSome text."),
        code("x = 1  # chapter code", outputs=[nbformat.v4.new_output("stream", text="chapter output\n")]),
        # exercise and the opening of its gated solution in one cell
        md("## Exercises\n\n```{exercise}\n:label: ex-a\n\nQuestion A.\n```\n\n"
           "```{solution-start} ex-a\n:class: dropdown\n```\nIntroduction A."),
        code("print('solution A, part 1')", outputs=[output]),
        md("Prose between the code cells of solution A."),
        code("print('solution A, part 2')", outputs=[output]),
        # the closing cell also holds the next exercise and its solution in words
        md("Explanation A.\n```{solution-end}\n```\n\n```{exercise}\n:label: ex-b\n\nQuestion B.\n```\n\n"
           "```{solution} ex-b\n:class: dropdown\n\nAnswer B.\n```"),
        md("```{exercise}\n:label: ex-c\n\nQuestion C.\n```"),
        # a gated solution alone in its cells, with colon fences
        md(":::{solution-start} ex-c\n:class: dropdown\n:::\nIntroduction C."),
        code("print('solution C')", outputs=[output]),
        md("Explanation C.\n:::{solution-end}\n:::"),
        # a gated solution held in one markdown cell
        md("```{exercise}\n:label: ex-d\n\nQuestion D.\n```\n\n```{solution-start} ex-d\n:class: dropdown\n```\n"
           "Answer D.\n```{solution-end}\n```\n\nText after D."),
        code("y = 2  # chapter code after the exercises"),
        md("## Summary"),
    ]
    return nbformat.v4.new_notebook(cells=cells)


def test_gated_solution_spanning_cells_goes_whole():
    nb = _synthetic()
    student, removed = student_notebook(nb)
    assert removed == 4
    text = "\n".join(c.source for c in student.cells)
    for gone in ("solution A", "solution C", "Introduction", "Prose between", "Explanation", "Answer",
                 "solution-start", "solution-end", "{solution}"):
        assert gone not in text, gone
    for kept in ("# A chapter", "Question A.", "Question B.", "Question C.", "Question D.", "Text after D.",
                 "chapter code after the exercises", "## Summary"):
        assert kept in text, kept
    assert count_directives(student, "exercise") == count_directives(nb, "exercise") == 4
    assert [c.source for c in student.cells if c.cell_type == "code"] == [
        "x = 1  # chapter code", "y = 2  # chapter code after the exercises"]
    assert student.cells[1].outputs[0].text == "chapter output\n"  # outputs kept unless asked
    assert student.cells[0] == nb.cells[0]  # cells without solutions are copied as they are
    assert len(nb.cells) == 14  # the original is not changed


def test_clear_outputs():
    student, _ = student_notebook(_synthetic(), clear_outputs=True)
    assert all(not c.outputs and c.execution_count is None for c in student.cells if c.cell_type == "code")


def test_unclosed_gated_solution_raises():
    nb = _synthetic()
    nb.cells = nb.cells[:10]  # solution C is opened in cell 8 and never closed
    with pytest.raises(UnclosedSolutionError, match="cell 8"):
        student_notebook(nb)


def _gated_code_ids(nb) -> set[str]:
    """Ids of the code cells that lie within a gated solution spanning cells."""
    ids, inside = set(), False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for marker in _MARKER.findall(cell.source):
                inside = marker == "solution-start"
        elif inside:
            ids.add(cell.id)
    return ids


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapters_student_edition(path):
    nb = nbformat.read(path, as_version=4)
    exercises = count_directives(nb, "exercise") + count_directives(nb, "exercise-start")
    gated = count_directives(nb, "solution-start")
    solutions = count_directives(nb, "solution") + gated
    assert exercises >= 1, f"{path.name}: no exercises"
    assert solutions == exercises, f"{path.name}: {exercises} exercises but {solutions} solutions"
    assert count_directives(nb, "solution-end") == gated, f"{path.name}: unbalanced solution-start/-end"
    student, removed = student_notebook(nb, clear_outputs=True)
    assert removed == solutions
    labels = _LABEL.findall("\n".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    student_md = "\n".join(c.source for c in student.cells if c.cell_type == "markdown")
    assert len(labels) == exercises and _LABEL.findall(student_md) == labels, f"{path.name}: exercises lost"
    for name in ("solution", "solution-start", "solution-end"):
        assert count_directives(student, name) == 0, f"{path.name}: a {{{name}}} is left"
    solution_code = _gated_code_ids(nb)
    code_ids = [c.id for c in nb.cells if c.cell_type == "code"]
    assert [c.id for c in student.cells if c.cell_type == "code"] == [i for i in code_ids if i not in solution_code], (
        f"{path.name}: the edition must drop exactly the code cells of the gated solutions")
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
