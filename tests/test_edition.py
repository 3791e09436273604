"""The student edition removes every solution and keeps every exercise."""

from pathlib import Path

import nbformat
import pytest

from medlab.book.edition import count_directives, strip_solutions, student_notebook

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


def test_strip_solutions_both_forms():
    text, removed = strip_solutions(TEXT)
    assert removed == 2
    assert "Answer" not in text and "kept out" not in text and "solution" not in text
    assert "Question A." in text and "Question B." in text and text.endswith("## Summary")


def test_text_without_solutions_is_unchanged():
    assert strip_solutions("# Title\n\nNo exercises here.") == ("# Title\n\nNo exercises here.", 0)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapters_student_edition(path):
    nb = nbformat.read(path, as_version=4)
    exercises, solutions = count_directives(nb, "exercise"), count_directives(nb, "solution")
    assert exercises >= 1, f"{path.name}: no exercises"
    assert solutions == exercises, f"{path.name}: {exercises} exercises but {solutions} solutions"
    student, removed = student_notebook(nb, clear_outputs=True)
    assert removed == solutions
    assert count_directives(student, "exercise") == exercises
    assert count_directives(student, "solution") == 0
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    assert len(nb.cells) == len(student.cells)
