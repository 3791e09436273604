"""The stale check follows a chapter into the medlab modules it imports, and confirms refactors."""

import json
import subprocess

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from medlab.book.dependencies import changed_modules, chapter_modules, module_hashes, source_hash
from medlab.book.provenance import code_hash, provenance_markdown, stale_message

HELPER = '"""A toy module."""\n\nfrom . import base\n\nVALUE = base.X + 1\n'


def _nb(body):
    nb = new_notebook(cells=[new_markdown_cell("# Toy"),
                             new_code_cell('PROFILE = "full"\nSEED = 0', metadata={"tags": ["parameters"]}),
                             new_code_cell(body)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _tree(tmp_path, body="from medlab import helper\nprint(helper.VALUE)"):
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapters/00_toy\n")
    pkg = tmp_path / "medlab"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "base.py").write_text("X = 1\n")
    (pkg / "helper.py").write_text(HELPER)
    (pkg / "unused.py").write_text("Y = 2\n")
    (tmp_path / "chapters").mkdir()
    nb = _nb(body)
    nbformat.write(nb, tmp_path / "chapters" / "00_toy.ipynb")
    return nb


def _record(tmp_path, nb, **extra):
    modules = chapter_modules(tmp_path, nb)
    rec = {"chapter": "00_toy", "profile": "full", "code_hash": code_hash(nb),
           "modules": module_hashes(tmp_path, modules), "git": {"commit": "0" * 40, "dirty": False}, **extra}
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(provenance_markdown(rec), metadata={"tags": ["provenance"]}))
    nbformat.write(nb, tmp_path / "chapters" / "00_toy.ipynb")
    (tmp_path / "results").mkdir(exist_ok=True)
    (tmp_path / "results" / "00_toy.json").write_text(json.dumps(rec))
    return rec


def test_imports_are_followed_transitively_and_relative_imports_resolved(tmp_path):
    nb = _tree(tmp_path)
    assert chapter_modules(tmp_path, nb) == ["medlab/__init__.py", "medlab/base.py", "medlab/helper.py"]


def test_chapters_of_the_book_import_the_library_they_use(root):
    nb = _nb("import medlab\nfrom medlab import train\nx = medlab.setup('smoke')")
    modules = chapter_modules(root, nb)
    assert {"medlab/__init__.py", "medlab/train.py", "medlab/runtime/session.py", "medlab/errors.py"} <= set(modules)
    assert "medlab/book/run.py" not in modules  # the runner is not part of a chapter


def test_hash_ignores_docstrings_comments_and_layout_but_not_code():
    base = source_hash(HELPER)
    assert source_hash(HELPER.replace("A toy module.", "Another docstring.") + "# a comment\n") == base
    assert source_hash(HELPER.replace("VALUE = base.X + 1", "VALUE = (base.X\n         + 1)")) == base
    assert source_hash(HELPER.replace("+ 1", "+ 2")) != base


def test_a_library_change_makes_the_chapter_stale_and_names_the_module(tmp_path):
    from pathlib import Path

    nb = _tree(tmp_path)
    _record(tmp_path, nb)
    chapter = Path("chapters/00_toy.ipynb")
    assert stale_message(tmp_path, chapter) is None
    (tmp_path / "medlab" / "unused.py").write_text("Y = 3\n")  # not imported: not stale
    assert stale_message(tmp_path, chapter) is None
    (tmp_path / "medlab" / "base.py").write_text('"""Docs."""\nX = 1  # same code\n')
    assert stale_message(tmp_path, chapter) is None
    (tmp_path / "medlab" / "base.py").write_text("X = 5\n")
    msg = stale_message(tmp_path, chapter)
    assert "medlab modules it imports changed" in msg and "medlab/base.py" in msg and "helper.py" not in msg
    assert "python -m medlab.run chapters/00_toy.ipynb --profile full --confirm-refactor" in msg
    assert changed_modules(tmp_path, json.loads((tmp_path / "results" / "00_toy.json").read_text())["modules"]) \
        == ["medlab/base.py"]


def test_a_record_without_module_hashes_is_stale(tmp_path):
    from pathlib import Path

    nb = _tree(tmp_path)
    rec = _record(tmp_path, nb)
    del rec["modules"]
    (tmp_path / "results" / "00_toy.json").write_text(json.dumps(rec))
    assert "does not record the medlab modules" in stale_message(tmp_path, Path("chapters/00_toy.ipynb"))


def _git(tmp_path, *args):
    subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)


def _repo(tmp_path):
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.org")
    _git(tmp_path, "config", "user.name", "t")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "toy")


def test_full_runs_refuse_uncommitted_code_and_modules(tmp_path, monkeypatch):
    from pathlib import Path

    from medlab.book.run import ChapterRunError, run_chapter, uncommitted_inputs

    monkeypatch.delenv("MEDLAB_GIT_COMMIT", raising=False)
    nb = _tree(tmp_path)
    _repo(tmp_path)
    chapter = Path("chapters/00_toy.ipynb")
    modules = chapter_modules(tmp_path, nb)
    assert uncommitted_inputs(tmp_path, chapter, modules) == []
    nb.cells[0].source += "\nProse and outputs may change."
    nbformat.write(nb, tmp_path / chapter)
    assert uncommitted_inputs(tmp_path, chapter, modules) == []
    (tmp_path / "medlab" / "base.py").write_text("X = 2\n")
    assert uncommitted_inputs(tmp_path, chapter, modules) == ["medlab/base.py"]
    nb.cells[-1].source += "\nprint(2)"
    nbformat.write(nb, tmp_path / chapter)
    assert uncommitted_inputs(tmp_path, chapter, modules)[0] == "chapters/00_toy.ipynb (code cells)"
    with pytest.raises(ChapterRunError, match="(?s)uncommitted changes.*medlab/base.py.*--allow-dirty"):
        run_chapter(tmp_path, chapter, "full", seed=0)
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_confirm_refactor_records_only_identical_smoke_outputs(tmp_path, monkeypatch):
    from pathlib import Path

    from medlab.book.refactor import RefactorNotConfirmedError, confirm_refactor

    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    nb = _tree(tmp_path)
    _repo(tmp_path)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    _record(tmp_path, nb, git={"commit": commit, "dirty": False})
    chapter = Path("chapters/00_toy.ipynb")
    # a refactor: same value, other code
    (tmp_path / "medlab" / "helper.py").write_text(HELPER.replace("base.X + 1", "sum([base.X, 1])"))
    assert "helper.py" in stale_message(tmp_path, chapter)
    with pytest.raises(RefactorNotConfirmedError, match="commit the changes first"):
        confirm_refactor(tmp_path, chapter)
    _git(tmp_path, "commit", "-qam", "refactor")
    summary = confirm_refactor(tmp_path, chapter)
    assert "confirmed" in summary and "medlab/helper.py" in summary
    assert stale_message(tmp_path, chapter) is None
    rec = json.loads((tmp_path / "results" / "00_toy.json").read_text())
    confirmation = rec["confirmations"][0]
    assert confirmation["from_commit"] == commit and confirmation["modules"] == ["medlab/helper.py"]
    box = nbformat.read(tmp_path / chapter, as_version=4).cells[1].source
    assert "were confirmed not to change this chapter" in box
    # a change that alters results is refused, and nothing is written
    (tmp_path / "medlab" / "base.py").write_text("X = 41\n")
    _git(tmp_path, "commit", "-qam", "a real change")
    before = (tmp_path / "results" / "00_toy.json").read_text()
    with pytest.raises(RefactorNotConfirmedError, match="smoke outputs differ"):
        confirm_refactor(tmp_path, chapter)
    assert (tmp_path / "results" / "00_toy.json").read_text() == before


def test_data_files_beside_an_imported_module_are_inputs(tmp_path):
    from pathlib import Path

    nb = _tree(tmp_path)
    (tmp_path / "medlab" / "manifest.json").write_text('{"series": 3}')
    rec = _record(tmp_path, nb)
    assert "medlab/manifest.json" in rec["modules"]
    (tmp_path / "medlab" / "manifest.json").write_text('{"series": 4}')
    assert "medlab/manifest.json" in stale_message(tmp_path, Path("chapters/00_toy.ipynb"))


def test_a_record_is_checked_against_the_commit_it_names(tmp_path):
    from pathlib import Path

    from medlab.book.provenance import commit_mismatches

    nb = _tree(tmp_path)
    _repo(tmp_path)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    rec = _record(tmp_path, nb, git={"commit": commit, "dirty": False})
    chapter = Path("chapters/00_toy.ipynb")
    assert commit_mismatches(tmp_path, chapter, rec) == []
    rec["modules"]["medlab/base.py"] = "0" * 64  # a record claiming code the commit does not hold
    assert commit_mismatches(tmp_path, chapter, rec) == ["medlab/base.py"]
    assert commit_mismatches(tmp_path, chapter, {**rec, "git": {"commit": "unknown"}}) == ["no commit"]
