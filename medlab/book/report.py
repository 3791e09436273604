"""Tables built from ``results/*.json`` for the book's reproducibility page.

``python -m medlab.book.report`` writes ``_generated/results_table.md``, one row
per chapter: profile, seeds, device, wall time, date, code hash and the
chapter's headline metrics, each flagged when the chapter's code, or a
``medlab`` module it imports, has changed since (see
:func:`medlab.book.provenance.stale_message`), with the modules and the command
that refreshes it. ``book.sh build``
runs it before Jupyter Book renders the page.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..io import atomic_write_text
from ..runtime.resources import format_bytes
from .provenance import find_root, refresh_command, results_path, stale_message, stale_reason, toc_chapters
from .reproduction import gpu_throughput_table, reproduction_table


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
    lines = ["| chapter | profile | seeds | device, threads | wall time | peak memory | date | commit "
             "| headline metrics | status |", "|---|---|---|---|---|---|---|---|---|---|"]
    for chapter in toc_chapters(root):
        path = results_path(root, chapter)
        if not path.is_file():
            lines.append(f"| {chapter.stem} | - | - | - | - | - | - | - | no record | not run |")
            continue
        r = json.loads(path.read_text())
        flat = _flatten(r.get("metrics", {}))
        headline = "; ".join(f"{k} {_fmt(v)}" for k, v in flat.items() if k.split(".")[-1] in keys) or "-"
        status = status_text(root, chapter, r)
        seeds = ", ".join(map(str, r.get("seeds", [r.get("seed")])))
        threads = r.get("threads") or r.get("hardware", {}).get("torch_threads", "?")
        commit = r.get("git", {})
        commit_text = f"`{str(commit.get('commit', 'unknown'))[:10]}`" + (" + changes" if commit.get("dirty") else "")
        lines.append(
            f"| {chapter.stem} | {r.get('profile')} | {seeds} | {r.get('device')}, {threads} | "
            f"{r.get('wall_seconds', 0):.0f} s | {format_bytes(r.get('peak_memory_bytes'))} | "
            f"{r.get('date', '')[:10]} | {commit_text} | "
            f"{headline} | {status} |")
    return "\n".join(lines) + "\n"


def status_text(root: Path, chapter: Path, record: dict) -> str:
    """``current``, or why the record is stale (which modules changed) and the command that refreshes it."""
    reason = stale_reason(root, chapter, record)
    if reason is None:
        confirmed = record.get("confirmations")
        return "current" + (f" (library change confirmed by smoke, {confirmed[-1].get('date', '')[:10]})"
                            if confirmed else "")
    command = f"`{refresh_command(chapter, record.get('profile', 'full'))}`"
    if reason[0] == "code":
        return f"**stale**: the chapter's code changed; {command}"
    if reason[0] == "unrecorded":
        return f"**stale**: recorded before library hashes; {command}"
    return f"**stale**: {', '.join(f'`{m}`' for m in reason[1])} changed; {command}"


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
    stale = [msg for chapter in toc_chapters(root) if (msg := stale_message(root, chapter))]
    for msg in stale:
        print(f"stale: {msg}")
    print(f"{len(stale)} chapter record(s) stale" if stale else "every chapter record is current")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
