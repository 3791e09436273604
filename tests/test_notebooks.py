"""Rules every chapter notebook follows (checked on the stored notebooks, no execution)."""

from __future__ import annotations

import getpass
import re
from pathlib import Path

import nbformat
import pytest

from medlab.book.provenance import stale_message, toc_chapters

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
MAX_OUTPUT_LINES = 100
MAX_NOTEBOOK_BYTES = 3_000_000
ABS_PATH = re.compile(r"(?<![\w.~-])(/(home|root|Users|tmp|work|mnt|opt|var|private)/|[A-Za-z]:\\\\)")


def _nb(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _output_texts(nb, html=True):
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                yield i, out.get("text", "")
            elif out.get("output_type") == "error":
                yield i, "\n".join(out.get("traceback", []))
            else:
                for mime, value in out.get("data", {}).items():
                    if mime == "text/html" and not html:
                        continue
                    if mime.startswith("text/") or mime == "application/json":
                        yield i, value if isinstance(value, str) else str(value)


def test_there_are_chapters():
    assert CHAPTERS, "no chapters/*.ipynb"


def test_chapter_files_match_toc():
    listed = {p.as_posix() for p in toc_chapters(ROOT)}
    on_disk = {p.relative_to(ROOT).as_posix() for p in CHAPTERS}
    assert listed == on_disk, f"only in _toc.yml: {listed - on_disk}; only on disk: {on_disk - listed}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_numbered_name(path):
    assert re.fullmatch(r"\d{2}_[a-z0-9_]+\.ipynb", path.name), f"{path.name}: use NN_topic.ipynb"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_one_parameters_cell_with_profile(path):
    cells = [c for c in _nb(path).cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: {len(cells)} cells tagged 'parameters', need exactly 1"
    assert re.search(r"^PROFILE\s*=", cells[0].source, re.M), f"{path.name}: parameters cell lacks PROFILE"
    assert re.search(r"^SEED\s*=", cells[0].source, re.M), f"{path.name}: parameters cell lacks SEED"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_imports_medlab_and_calls_setup(path):
    code = "\n".join(c.source for c in _nb(path).cells if c.cell_type == "code")
    assert re.search(r"^\s*(import medlab|from medlab\b)", code, re.M), f"{path.name} does not import medlab"
    assert "medlab.setup(" in code, f"{path.name} does not call medlab.setup(PROFILE, SEED, ...)"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_outputs_are_short(path):
    # HTML is the rendering of a table whose text/plain twin is counted here; its size is capped
    # by test_no_errors_and_size_cap
    for i, text in _output_texts(_nb(path), html=False):
        lines = text.count("\n") + 1
        assert lines <= MAX_OUTPUT_LINES, f"{path.name}, cell {i}: output has {lines} lines (max {MAX_OUTPUT_LINES})"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_absolute_paths_or_user_names(path):
    user = getpass.getuser()
    for i, text in _output_texts(_nb(path)):
        match = ABS_PATH.search(text)
        near = text[max(0, match.start() - 30):match.end() + 30] if match else ""
        assert not match, f"{path.name}, cell {i}: absolute path in output near {near!r}"
        if user not in {"root", "runner", "user"}:
            assert user not in text, f"{path.name}, cell {i}: user name {user!r} in output"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_errors_and_size_cap(path):
    nb = _nb(path)
    assert path.stat().st_size <= MAX_NOTEBOOK_BYTES, f"{path.name}: {path.stat().st_size} bytes"
    errors = [i for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: stored error outputs in cells {errors}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_outputs_are_current(path):
    """A chapter whose code changed after its outputs were produced fails here, with the fix."""
    msg = stale_message(ROOT, path.relative_to(ROOT))
    assert msg is None, msg


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_stored_outputs_are_not_smoke(path):
    import json

    from medlab.book.provenance import results_path

    result = json.loads(results_path(ROOT, path.relative_to(ROOT)).read_text())
    assert result["profile"] in {"full", "paper"}, (
        f"{path.name}: stored outputs come from the '{result['profile']}' profile; the book shows full or paper runs")
