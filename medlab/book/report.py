"""Tables built from ``results/*.json`` for the book's reproducibility page.

``python -m medlab.book.report`` writes ``_generated/results_table.md``, one row
per chapter: profile, seeds, device, wall time, date, code hash and the
chapter's headline metrics, each flagged when the chapter's code has changed
since (see :func:`medlab.book.provenance.stale_message`). ``book.sh build``
runs it before Jupyter Book renders the page.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..io import atomic_write_text
from .provenance import find_root, results_path, stale_message, toc_chapters
from .reproduction import gpu_throughput_table, reproduction_table
from .resources import format_bytes


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _flatten(metrics: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


HEADLINE_KEYS = ("test_accuracy", "test_auc", "auc_mean", "auc_sd", "accuracy_mean", "accuracy_sd",
                 "ratio_monai_over_medlab")
"""Metric names (the last part of a recorded key) shown in the table's headline column."""


def results_table(root: Path, keys: tuple[str, ...] = HEADLINE_KEYS) -> str:
    """A Markdown table of every chapter's last recorded run."""
    lines = ["| chapter | profile | seeds | device | wall time | peak memory | date | code hash | headline metrics "
             "| status |", "|---|---|---|---|---|---|---|---|---|---|"]
    for chapter in toc_chapters(root):
        path = results_path(root, chapter)
        if not path.is_file():
            lines.append(f"| {chapter.stem} | - | - | - | - | - | - | - | no record | not run |")
            continue
        r = json.loads(path.read_text())
        flat = _flatten(r.get("metrics", {}))
        headline = "; ".join(f"{k} {_fmt(v)}" for k, v in flat.items() if k.split(".")[-1] in keys) or "-"
        stale = stale_message(root, chapter)
        status = "stale: " + stale.split(":")[1].strip() if stale else "current"
        seeds = ", ".join(map(str, r.get("seeds", [r.get("seed")])))
        lines.append(
            f"| {chapter.stem} | {r.get('profile')} | {seeds} | {r.get('device')} | "
            f"{r.get('wall_seconds', 0):.0f} s | {format_bytes(r.get('peak_memory_bytes'))} | "
            f"{r.get('date', '')[:10]} | `{r.get('code_hash', '')[:12]}` | "
            f"{headline} | {status} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """The command line ``python -m medlab.book.report``; writes the table and returns 0."""
    parser = argparse.ArgumentParser(prog="python -m medlab.book.report",
                                     description="Write the reproducibility tables from results/*.json.")
    parser.add_argument("--output", type=Path, default=None, help="default: _generated/results_table.md")
    args = parser.parse_args(argv)
    root = find_root()
    out = args.output or root / "_generated" / "results_table.md"
    atomic_write_text(out, results_table(root))
    print(f"wrote {out.relative_to(root) if out.is_relative_to(root) else out}")
    repro = out.with_name("reproduction_table.md")
    atomic_write_text(repro, reproduction_table(root))
    print(f"wrote {repro.relative_to(root) if repro.is_relative_to(root) else repro}")
    speed = out.with_name("gpu_throughput.md")
    atomic_write_text(speed, gpu_throughput_table(root))
    print(f"wrote {speed.relative_to(root) if speed.is_relative_to(root) else speed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
