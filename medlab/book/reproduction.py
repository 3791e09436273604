"""The reproducibility table: each published number beside this book's runs of it.

For every published result a chapter compares with (:data:`COMPARISONS`), the
table shows the published value (:mod:`medlab.published`), the chapter's
``full`` run on a CPU (``results/<chapter>.json``, the run the pages show) and
its ``paper`` run on a GPU (``results/paper/<chapter>.json``), each as mean ±
sample sd over seeds with a 95 % confidence interval of the mean (Student's
t), with the wall time, peak memory and hardware of the run. It is generated
from the records by ``python -m medlab.book.report``, never typed by hand; a
record whose chapter code has changed since is marked *stale*.

Why the pages keep ``full`` and ``paper`` lives here: the pages must be
reproducible on the CPU a reader has (and CI checks them against the code),
while the published protocols (100 epochs, 5 seeds) need a GPU.

Written by ``python -m medlab.book.report`` for the page "Reproducibility"
(reproducibility.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import evaluation
from ..published import baselines
from ..runtime.resources import format_bytes
from .provenance import stale_reason

PAPER_DIR = Path("results") / "paper"
"""Where the ``paper``-profile records and executed notebooks are kept (``--output-dir``)."""


@dataclass(frozen=True)
class Comparison:
    """One published row and where a chapter records its own run of it.

    ``metrics`` is the recorded metrics group; its ``per_seed_auc`` and
    ``per_seed_accuracy`` lists (or single ``test_auc``/``test_accuracy``
    values) give the book's numbers.
    """

    dataset: str
    method: str
    chapter: str
    metrics: str
    note: str = ""


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("breastmnist", "ResNet-18 (28)", "05_evaluating_diagnostic_models", "breastmnist_resnet18",
               "official splits; full: 10 epochs, paper: 100 epochs, lr / 10 at 50 % and 75 %"),
    Comparison("pneumoniamnist", "ResNet-18 (28)", "03_first_classifier", "resnet18",
               "trained on the redistributed subset (388 of 1214 normal training images), official "
               "test split; paper profile only, one seed"),
)
"""The published results the book compares with, and where each chapter records its own runs."""


def _values(group: dict[str, Any], metric: str) -> list[float]:
    per_seed = group.get(f"per_seed_{metric}")
    if isinstance(per_seed, list):
        return [float(v) for v in per_seed if v is not None]
    single = group.get(f"test_{metric}")
    return [float(single)] if isinstance(single, (int, float)) else []


def mean_sd_ci(values: list[float]) -> str:
    """``mean ± sd [lo, hi] (n)``: sample sd and a 95 % t-interval of the mean; one value alone.

    The numbers are :func:`medlab.evaluation.estimates.mean_sd_ci`'s, printed by
    :meth:`medlab.evaluation.estimates.Estimate.format`; no value gives ``"-"``.
    """
    return evaluation.mean_sd_ci(values).format(3) if len(values) else "-"


def _record(root: Path, chapter: str, paper: bool) -> dict[str, Any] | None:
    path = root / (PAPER_DIR if paper else Path("results")) / f"{chapter}.json"
    return json.loads(path.read_text()) if path.is_file() else None


def _run_text(record: dict[str, Any] | None, root: Path, chapter: Path) -> str:
    if record is None:
        return "not run"
    hw = record.get("hardware", {})
    where = hw.get("gpu") or f"{hw.get('cpu', 'CPU')}, {hw.get('cpu_count', '?')} cores"
    reason = stale_reason(root, chapter, record) if (root / chapter).is_file() else None
    stale = (" **stale**" + (f" ({', '.join(reason[1])} changed)" if reason[0] == "modules" else "")) if reason else ""
    return (f"{record.get('wall_seconds', 0) / 60:.1f} min, {format_bytes(record.get('peak_memory_bytes'))}; "
            f"{where}; {record.get('date', '')[:10]}{stale}")


def reproduction_table(root: Path) -> str:
    """The Markdown table of :data:`COMPARISONS` (see the module docstring)."""
    lines = ["| dataset, method | metric | published | this book, full (CPU) | this book, paper (GPU) |",
             "|---|---|---|---|---|"]
    notes = []
    for i, comp in enumerate(COMPARISONS, 1):
        pub = baselines(comp.dataset, [comp.method]).iloc[0]
        chapter = Path("chapters") / f"{comp.chapter}.ipynb"
        runs = {paper: _record(root, comp.chapter, paper) for paper in (False, True)}
        groups = {paper: (r or {}).get("metrics", {}).get(comp.metrics, {}) for paper, r in runs.items()}
        for metric, label, published in (("auc", "AUC", pub["auc"]), ("accuracy", "ACC", pub["accuracy"])):
            cells = [("not run" if not runs[p] else mean_sd_ci(_values(groups[p], metric))
                      if groups[p] else "not in this profile") for p in (False, True)]
            lines.append(f"| {comp.dataset}, {comp.method} [{i}] | {label} | {published:.3f} | "
                         f"{cells[0]} | {cells[1]} |")
        lines.append(f"| | run | MedMNIST v2 | {_run_text(runs[False], root, chapter)} | "
                     f"{_run_text(runs[True], root, chapter)} |")
        notes.append(f"[{i}] chapter `{comp.chapter}`, metrics `{comp.metrics}`: {comp.note}.")
    lines += ["", "Mean ± sample sd over seeds, [95 % t-interval of the mean], (number of seeds). "
              "Published values are MedMNIST v2's means over at least three trials per method; "
              "the paper reports no spread.", ""]
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def gpu_throughput_table(root: Path) -> str:
    """The GPU training-speed measurements of ``benchmarks/gpu_throughput.py``, one column per run."""
    path = root / "benchmarks" / "results" / "gpu_throughput.jsonl"
    runs = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.is_file() else []
    if not runs:
        return "No GPU measurement recorded yet (`benchmarks/gpu_throughput.py`).\n"
    loops = list(dict.fromkeys(k for r in runs for k in r["images_per_s"]))
    head = [f"run {i} ({r['date'][:16].replace('T', ' ')})" for i, r in enumerate(runs, 1)]
    lines = ["| images per second | " + " | ".join(head) + " |", "|---" * (len(runs) + 1) + "|"]
    for loop in loops:
        cells = [f"{r['images_per_s'][loop]:,}" if loop in r["images_per_s"] else "-" for r in runs]
        lines.append(f"| {loop} | " + " | ".join(cells) + " |")
    rows = {
        "fit against the tuned bare loop": lambda r: f"{r['fit_overhead_pct']:+.1f} %",
        "BreastMNIST protocol (seeds x 100 epochs)": lambda r: f"{r['protocol_seconds']:.0f} s "
                                                            f"({r['protocol_seeds']} seeds)",
        "GFLOP per image per training step": lambda r: f"{r['gflop_per_image']:.2f}",
        "GPU, PyTorch, mixed precision": lambda r: f"{r['gpu']}, {r['torch']}, {r['amp_dtype']}",
    }
    for label, cell in rows.items():
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in runs) + " |")
    goals = runs[-1].get("goals", {})
    lines += ["", f"Goals: at least {goals.get('images_per_s', 0):,} images per second for `fit`, "
              f"within {goals.get('fit_overhead_pct', 0):g} % of the bare loop, and the BreastMNIST "
              f"protocol in under {goals.get('protocol_s', 0):g} s."]
    return "\n".join(lines) + "\n"


__all__ = ["Comparison", "COMPARISONS", "PAPER_DIR", "mean_sd_ci", "reproduction_table", "gpu_throughput_table"]
