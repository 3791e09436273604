"""benchmarks/gpu_session.py: the order of the parts, why each is run, and how the budget is spent.

The plan is built on a toy book (three tiny chapters, one medlab module) and the session is run with
a fake clock and a fake executor: no chapter, kernel or GPU is started. Only :func:`run_child` starts
processes, a Python that sleeps or fails, to check how a part is stopped at the end of the budget.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import nbformat
import pytest

from medlab.book.dependencies import source_hash
from medlab.book.provenance import code_hash

ROOT = Path(__file__).resolve().parents[1]


def _session():
    spec = importlib.util.spec_from_file_location("gpu_session", ROOT / "benchmarks" / "gpu_session.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gs = _session()

TOY = ("01_imaging_modalities", "03_first_classifier", "05_evaluating_diagnostic_models", "07_explainability")
MODULE = "medlab/toy.py"
MODULE_SOURCE = "def f():\n    return 1\n"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A toy book: four chapters in _toc.yml (book order), one medlab module, an empty results/paper."""
    (tmp_path / "chapters").mkdir()
    (tmp_path / "medlab").mkdir()
    (tmp_path / MODULE).write_text(MODULE_SOURCE)
    toc = "format: jb-book\nroot: intro\nchapters:\n" + "".join(f"  - file: chapters/{c}\n" for c in TOY)
    (tmp_path / "_toc.yml").write_text(toc)
    for name in TOY:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"import medlab.toy\nx = '{name}'")])
        nbformat.write(nb, tmp_path / "chapters" / f"{name}.ipynb")
    (tmp_path / "results" / "paper").mkdir(parents=True)
    return tmp_path


def record(root: Path, name: str, profile: str = "paper", wall: float = 100.0, **changes) -> dict:
    """A record of chapter ``name`` that is current for the toy book, with ``changes`` applied."""
    nb = nbformat.read(root / "chapters" / f"{name}.ipynb", as_version=4)
    rec = {"chapter": name, "profile": profile, "wall_seconds": wall, "code_hash": code_hash(nb),
           "modules": {MODULE: source_hash(MODULE_SOURCE)}}
    rec.update(changes)
    return rec


def write_record(root: Path, rec: dict) -> None:
    (root / "results" / "paper" / f"{rec['chapter']}.json").write_text(json.dumps(rec))


def part(name: str, estimate: float, **kw) -> object:
    return gs.Part(name, "missing", estimate, "estimate", chapter=Path(f"chapters/{name}.ipynb"), **kw)


# --- order and classification ------------------------------------------------------------------------------


def test_priority_chapters_come_first_then_book_order():
    book_order = [Path(f"chapters/{n}.ipynb") for n in (
        "01_imaging_modalities", "03_first_classifier", "04_classical_vs_deep", "05_evaluating_diagnostic_models",
        "06_transfer_learning", "09_volumes_3d", "10_federated_learning", "11_prognosis_survival")]
    assert [c.stem for c in gs.chapter_order(book_order)] == [
        "05_evaluating_diagnostic_models", "03_first_classifier", "09_volumes_3d", "06_transfer_learning",
        "10_federated_learning", "01_imaging_modalities", "04_classical_vs_deep", "11_prognosis_survival"]


def test_classify_missing_current_and_stale(book):
    ch = Path("chapters/03_first_classifier.ipynb")
    name = ch.stem
    assert gs.classify(book, ch, None, "paper") == "missing"
    assert gs.classify(book, ch, record(book, name, profile="smoke"), "paper").startswith("missing")
    assert gs.classify(book, ch, record(book, name), "paper") == "current"
    assert gs.classify(book, ch, record(book, name, code_hash="0" * 64), "paper") == "stale: code cells changed"
    assert gs.classify(book, ch, record(book, name, modules={MODULE: "old"}), "paper") == "stale: modules toy.py"
    assert gs.classify(book, ch, record(book, name, modules=None), "paper").startswith("stale: record predates")


def test_plan_order_reasons_and_estimates(book):
    write_record(book, record(book, "05_evaluating_diagnostic_models", wall=200))  # current
    write_record(book, record(book, "03_first_classifier", wall=100, modules={MODULE: "old"}))  # stale
    write_record(book, record(book, "07_explainability", profile="smoke", wall=5))  # another profile's record
    (book / "results" / "paper" / "01_imaging_modalities.json").write_text("{not json")  # unreadable
    parts = gs.make_plan(book, "paper", book / "results" / "paper", gpu=None, check_dirty=False)
    assert [p.name for p in parts] == [gs.THROUGHPUT, "05_evaluating_diagnostic_models", "03_first_classifier",
                                       "01_imaging_modalities", "07_explainability"]
    throughput, ch05, ch03, ch01, ch07 = parts
    assert throughput.skip == "no GPU" and throughput.chapter is None
    assert ch05.skip == "current"
    assert (ch03.skip, ch03.why) == (None, "stale: modules toy.py")
    assert ch03.estimate_s == pytest.approx(100 * gs.MARGIN) and ch03.estimate_from == "last record"
    assert ch01.why == "missing" and ch01.estimate_from == "estimate"
    assert ch01.estimate_s == gs.ESTIMATES["paper"]["01_imaging_modalities"]
    assert ch07.why.startswith("missing") and ch07.estimate_from == "estimate"  # a smoke wall time says nothing
    with_gpu = gs.make_plan(book, "paper", book / "results" / "paper", gpu="NVIDIA H100", check_dirty=False)
    assert with_gpu[0].skip is None


def test_expected_seconds_falls_back_to_the_profile_default():
    assert gs.expected_seconds(Path("chapters/99_new.ipynb"), None, "smoke") == (gs.DEFAULT_ESTIMATE_S["smoke"],
                                                                                  "estimate")


# --- the budget ------------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_session_skips_what_does_not_fit_and_runs_what_does(capsys):
    budget = 300 + gs.RESERVE_S
    parts = [gs.Part(gs.THROUGHPUT, "measurement", 150, "estimate", skip="no GPU"),
             part("05_evaluating_diagnostic_models", 400),  # longer than the whole budget
             part("03_first_classifier", 200),
             part("09_volumes_3d", 150),  # 100 s left after 03: skipped
             part("07_explainability", 20, skip="current"),
             part("01_imaging_modalities", 60)]  # fits in what is left
    clock, ran = FakeClock(), []

    def execute(p, left):
        ran.append((p.name, left))
        clock.now += {"03_first_classifier": 200, "01_imaging_modalities": 30}[p.name]
        return True, ""

    outcomes = gs.run_session(parts, budget, execute, clock=clock)
    assert ran == [("03_first_classifier", 300), ("01_imaging_modalities", 100)]
    assert [(o.part, o.status, o.seconds) for o in outcomes] == [
        (gs.THROUGHPUT, "skipped: no GPU", 0),
        ("05_evaluating_diagnostic_models", "skipped: expected 400 s, 300 s left", 0),
        ("03_first_classifier", "done", 200),
        ("09_volumes_3d", "skipped: expected 150 s, 100 s left", 0),
        ("07_explainability", "skipped: current", 0),
        ("01_imaging_modalities", "done", 30)]
    assert not any(o.failed for o in outcomes)
    assert "no GPU: skipped" in capsys.readouterr().out
    # the dry run predicts the same from the estimates alone
    assert gs.simulate(parts, budget) == ["skip: no GPU", "skip: expected 400 s, 300 s left", "run at 0 s",
                                          "skip: expected 150 s, 100 s left", "skip: current", "run at 200 s"]


def test_failures_and_refusals_are_failed_rows():
    parts = [part("05_evaluating_diagnostic_models", 10, dirty=["medlab/metrics.py"]),
             part("03_first_classifier", 10)]
    calls = []

    def execute(p, left):
        calls.append(p.name)
        return False, "CellTimeoutError: a cell ran past 290 s"

    outcomes = gs.run_session(parts, 300, execute, clock=FakeClock())
    assert calls == ["03_first_classifier"]  # the refused chapter starts no process
    assert outcomes[0].status.startswith("failed: uncommitted changes (medlab/metrics.py)")
    assert outcomes[1].status == "failed: CellTimeoutError: a cell ran past 290 s"
    assert all(o.failed for o in outcomes)
    table = gs.format_outcomes(outcomes)
    assert table.splitlines()[0].split() == ["part", "status", "seconds"]
    assert "03_first_classifier" in table and "--allow-dirty" in table


def test_dry_run_plan_names_refusals(book):
    parts = [part("05_evaluating_diagnostic_models", 10, dirty=["chapters/05.ipynb (code cells)"]),
             part("03_first_classifier", 10)]
    text = gs.format_plan(parts, 100)
    assert "refused: uncommitted changes" in text and "run at 0 s" in text
    assert "05_evaluating_diagnostic_models: uncommitted changes (chapters/05.ipynb (code cells))" in text


def test_a_part_past_the_budget_is_stopped(monkeypatch):
    monkeypatch.setattr(gs, "GRACE_S", 2.0)
    ok, message = gs.run_child([sys.executable, "-c", "import time; time.sleep(60)"], 1.0)
    assert not ok and message.startswith("stopped at the end of the budget")
    ok, message = gs.run_child(
        [sys.executable, "-c", f"import sys; print('detail', file=sys.stderr); print('{gs.FAILED}boom', "
                               "file=sys.stderr); sys.exit(1)"], 30)
    assert (ok, message) == (False, "boom")


def test_a_smoke_run_may_not_overwrite_the_paper_records():
    with pytest.raises(SystemExit):
        gs.main(["--budget", "60", "--profile", "smoke"])
