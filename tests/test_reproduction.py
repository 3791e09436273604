"""medlab.book.reproduction: the published-vs-book table, generated from results records."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from scipy import stats

from medlab.book.reproduction import COMPARISONS, mean_sd_ci, reproduction_table
from medlab.published import baselines

ROOT = Path(__file__).resolve().parents[1]


def test_mean_sd_ci_matches_scipy():
    values = [0.88, 0.91, 0.86, 0.90, 0.87]
    lo, hi = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert mean_sd_ci(values) == (f"{np.mean(values):.3f} ± {np.std(values, ddof=1):.3f} "
                                  f"[{lo:.3f}, {hi:.3f}] (n = 5)")
    assert mean_sd_ci([0.9]) == "0.900 (n = 1)"
    assert mean_sd_ci([]) == "-"


def test_every_comparison_names_a_published_row_and_a_chapter():
    for comp in COMPARISONS:
        assert len(baselines(comp.dataset, [comp.method])) == 1
        assert (ROOT / "chapters" / f"{comp.chapter}.ipynb").is_file()


def test_table_reads_full_and_paper_records(tmp_path):
    comp = COMPARISONS[0]
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters")
    (tmp_path / "results" / "paper").mkdir(parents=True)
    for sub, aucs in (("results", [0.8, 0.9]), ("results/paper", [0.91, 0.93, 0.92])):
        rec = {"metrics": {comp.metrics: {"per_seed_auc": aucs, "per_seed_accuracy": [0.8] * len(aucs)}},
               "wall_seconds": 120, "code_hash": "old", "hardware": {"gpu": "Some GPU"}, "date": "2026-01-01"}
        (tmp_path / sub / f"{comp.chapter}.json").write_text(json.dumps(rec))
    table = reproduction_table(tmp_path)
    assert mean_sd_ci([0.91, 0.93, 0.92]) in table
    assert mean_sd_ci([0.8, 0.9]) in table
    assert "**stale**" in table  # the code hash does not match the chapter
    assert f"{baselines(comp.dataset, [comp.method])['auc'].iloc[0]:.3f}" in table


def test_gpu_throughput_table_reads_the_benchmark_lines(tmp_path):
    from medlab.book.reproduction import gpu_throughput_table

    assert "No GPU measurement" in gpu_throughput_table(tmp_path)
    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    line = {"date": "2026-01-01T00:00:00", "images_per_s": {"bare": 1000, "fit": 950}, "fit_overhead_pct": 5.26,
            "protocol_seconds": 40.0, "protocol_seeds": 5, "gflop_per_image": 2.7, "gpu": "G", "torch": "t",
            "amp_dtype": "bf16", "goals": {"images_per_s": 20000, "fit_overhead_pct": 10, "protocol_s": 60}}
    (tmp_path / "benchmarks" / "results" / "gpu_throughput.jsonl").write_text(json.dumps(line) + "\n")
    table = gpu_throughput_table(tmp_path)
    assert "| fit | 950 |" in table and "+5.3 %" in table and "20,000" in table


def test_mean_sd_ci_is_the_evaluation_estimate():
    from medlab import evaluation

    values = [0.91, 0.93, 0.92, 0.95]
    assert mean_sd_ci(values) == evaluation.mean_sd_ci(values).format(3)
