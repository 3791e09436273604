"""Spend a limited time on a GPU machine in order of value: one prepared command.

A GPU machine is often lent for a quarter of an hour, start-up included, so
what runs on it is decided beforehand and run in order of value until the
time budget is spent:

1. the throughput benchmark, ``benchmarks/gpu_throughput.py`` (it appends a
   line to ``benchmarks/results/gpu_throughput.jsonl``); only where PyTorch
   sees a CUDA GPU;
2. the chapters whose records in the output folder (``results/paper/`` by
   default) are stale or missing, most valuable first: ``PRIORITY``, then the
   rest in book order (``_toc.yml``). A chapter whose record is current is not
   run (:func:`medlab.book.provenance.stale_reason` decides).

Each chapter runs through :func:`medlab.book.run.run_chapter`, in a child
process, and its executed notebook and JSON record are written the moment it
finishes, so a session cut off half-way still leaves every finished part. A
part starts only if its expected duration fits in the time left: the wall
time of its last record in the output folder (times ``MARGIN``), else the
estimate in ``ESTIMATES``. Papermill's per-cell timeout is the time left, and
a part still running when the budget (less ``RESERVE_S``) is spent is stopped
(SIGTERM, which shuts the chapter's kernel down; SIGKILL ``GRACE_S`` later).
At the end a table gives each part's status (done / skipped: why / failed:
why) and seconds; the exit status is 0 if every part attempted succeeded.

Usage (from the repository root; ``./book.sh gpu BUDGET`` runs the first form)::

    python benchmarks/gpu_session.py --budget 780              # on the GPU machine
    python benchmarks/gpu_session.py --budget 780 --dry-run    # the plan, nothing run
    python benchmarks/gpu_session.py --budget 120 --profile smoke --output-dir /tmp/rehearsal

The last form rehearses the command on a CPU: the ``smoke`` profile runs each
chapter in seconds to a minute, into a scratch folder. ``full`` and ``paper``
runs refuse chapters whose code has uncommitted changes (a record must name
the commit that produced it); ``--allow-dirty`` runs them anyway, as a trial.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()  # the budget counts from here, imports included

import argparse
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from medlab.book.dependencies import chapter_modules  # noqa: E402
from medlab.book.provenance import stale_reason, toc_chapters  # noqa: E402
from medlab.runtime.profiles import PROFILES  # noqa: E402

PRIORITY = ("05_evaluating_diagnostic_models", "03_first_classifier", "09_volumes_3d",
            "06_transfer_learning", "10_federated_learning")
"""The chapters whose ``paper`` records matter most, in that order; the others follow in book order."""

THROUGHPUT = "gpu_throughput benchmark"
THROUGHPUT_SCRIPT = "benchmarks/gpu_throughput.py"
THROUGHPUT_JSONL = "benchmarks/results/gpu_throughput.jsonl"
THROUGHPUT_ESTIMATE_S = 150.0
"""The benchmark on an H100: five timed epochs of each loop plus the 100-epoch protocol over five seeds
(about 42 s), with data loading and CUDA start-up; it keeps no record of its own wall time."""

ESTIMATES: dict[str, dict[str, float]] = {
    # Used only when the output folder holds no record of the chapter under the profile; deliberately high
    # (skipping a part that would have fitted costs less than one stopped half-way). paper, on one GPU:
    # 03 and 05 took 198 s and 167 s on an H100; the others are scaled from their full-profile CPU times
    # (results/<chapter>.json), the chapters that train most (04, 06, 08, 09) given the most.
    "paper": {
        "01_imaging_modalities": 60, "02_dicom_in_practice": 60, "03_first_classifier": 300,
        "04_classical_vs_deep": 600, "05_evaluating_diagnostic_models": 300, "06_transfer_learning": 600,
        "07_explainability": 300, "08_augmentation_generative": 600, "09_volumes_3d": 600,
        "10_federated_learning": 400, "11_prognosis_survival": 120, "12_data_and_labels": 300,
        "13_trustworthy_deployment": 300, "14_beyond_radiology": 300, "15_from_notebook_to_clinic": 300,
    },
    # smoke, on two CPU cores: seconds to a few minutes per chapter (01 takes about 25 s).
    "smoke": {
        "01_imaging_modalities": 40, "02_dicom_in_practice": 60, "11_prognosis_survival": 90,
    },
}
DEFAULT_ESTIMATE_S = {"paper": 300.0, "smoke": 180.0, "full": 900.0}
"""Per profile, for a chapter missing from ``ESTIMATES``."""

MARGIN = 1.1
"""A recorded wall time is multiplied by this before it is compared with the time left."""
RESERVE_S = 20.0
"""Kept back at the end of the budget: stopping a part cleanly and printing the table."""
GRACE_S = 15.0
"""Between SIGTERM (the chapter's kernel is shut down) and SIGKILL of a part still running at the end."""
FAILED = "FAILED: "
"""How the child process marks the one line that says why its chapter failed."""


@dataclass
class Part:
    """One thing the session may run: the benchmark or a chapter."""

    name: str
    why: str  # why it is in the plan (or why not): "missing", "stale: ...", "current", "measurement"
    estimate_s: float
    estimate_from: str  # "last record" or "estimate"
    chapter: Path | None = None  # relative to the root; None for the benchmark
    skip: str | None = None  # set when the part is not to be run at all ("current", "no GPU")
    dirty: list[str] | None = None  # uncommitted inputs for which run_chapter would refuse the chapter

    @property
    def refused(self) -> str | None:
        """Why :func:`run_chapter` would refuse to run this part, or ``None``."""
        if not self.dirty:
            return None
        shown = ", ".join(self.dirty[:3]) + (f" and {len(self.dirty) - 3} more" if len(self.dirty) > 3 else "")
        return f"uncommitted changes ({shown}); commit first or pass --allow-dirty"


@dataclass
class Outcome:
    """One row of the final table."""

    part: str
    status: str  # "done", "skipped: ...", "failed: ..."
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status.startswith("failed")


# --- planning ------------------------------------------------------------------------------------------


def chapter_order(chapters: list[Path]) -> list[Path]:
    """``chapters`` (book order) with those in ``PRIORITY`` first, in its order."""
    by_stem = {c.stem: c for c in chapters}
    first = [by_stem[name] for name in PRIORITY if name in by_stem]
    return first + [c for c in chapters if c.stem not in PRIORITY]


def load_record(output_dir: Path, chapter: Path) -> dict[str, Any] | None:
    """The chapter's JSON record in ``output_dir``, or ``None`` (absent or unreadable)."""
    path = output_dir / f"{chapter.stem}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def classify(root: Path, chapter: Path, record: dict[str, Any] | None, profile: str) -> str:
    """Why the chapter needs a run under ``profile``: "missing...", "stale: ...", or "current"."""
    if record is None:
        return "missing"
    if record.get("profile") != profile:
        return f"missing (the record there is from profile {record.get('profile')!r})"
    reason = stale_reason(root, chapter, record)
    if reason is None:
        return "current"
    kind, modules = reason
    if kind == "code":
        return "stale: code cells changed"
    if kind == "unrecorded":
        return "stale: record predates module hashes"
    shown = ", ".join(m.removeprefix("medlab/") for m in modules[:3])
    more = f" and {len(modules) - 3} more" if len(modules) > 3 else ""
    return f"stale: modules {shown}{more}"


def expected_seconds(chapter: Path, record: dict[str, Any] | None, profile: str) -> tuple[float, str]:
    """How long a run should take: the last record's wall time (with ``MARGIN``), else the estimate."""
    if record and record.get("profile") == profile and record.get("wall_seconds"):
        return float(record["wall_seconds"]) * MARGIN, "last record"
    table = ESTIMATES.get(profile, {})
    return float(table.get(chapter.stem, DEFAULT_ESTIMATE_S.get(profile, 300.0))), "estimate"


def refusal(root: Path, chapter: Path, profile: str, allow_dirty: bool) -> list[str] | None:
    """The uncommitted inputs for which :func:`run_chapter` would refuse the chapter, or ``None``."""
    from medlab.book.run import GIT_COMMIT_ENV, uncommitted_inputs

    if profile not in ("full", "paper") or allow_dirty or os.environ.get(GIT_COMMIT_ENV):
        return None
    return uncommitted_inputs(root, chapter, chapter_modules(root, nbformat.read(root / chapter, as_version=4))) \
        or None


def make_plan(root: Path, profile: str, output_dir: Path, gpu: str | None, allow_dirty: bool = False,
              check_dirty: bool = True) -> list[Part]:
    """Every part in order of value, each with why it is (or is not) to be run and its expected seconds."""
    parts = [Part(THROUGHPUT, "measurement (appends to " + THROUGHPUT_JSONL + ")", THROUGHPUT_ESTIMATE_S,
                  "estimate", skip=None if gpu else "no GPU")]
    for chapter in chapter_order(toc_chapters(root)):
        record = load_record(output_dir, chapter)
        why = classify(root, chapter, record, profile)
        seconds, source = expected_seconds(chapter, record, profile)
        part = Part(chapter.stem, why, seconds, source, chapter=chapter,
                    skip="current" if why == "current" else None)
        if part.skip is None and check_dirty:
            part.dirty = refusal(root, chapter, profile, allow_dirty)
        parts.append(part)
    return parts


def budget_skip(part: Part, left: float) -> str | None:
    """Why ``part`` is not started with ``left`` seconds to go, or ``None`` if it fits."""
    if part.estimate_s > left:
        return f"skipped: expected {part.estimate_s:.0f} s, {max(left, 0):.0f} s left"
    return None


def simulate(parts: list[Part], budget: float) -> list[str]:
    """What the session would do if every part took its expected time (the dry run's last column)."""
    elapsed, lines = 0.0, []
    for part in parts:
        if part.skip:
            lines.append(f"skip: {part.skip}")
            continue
        skip = budget_skip(part, budget - RESERVE_S - elapsed)
        if skip:
            lines.append(skip.replace("skipped", "skip"))
            continue
        if part.refused:
            lines.append("refused: uncommitted changes")
            continue
        lines.append(f"run at {elapsed:.0f} s")
        elapsed += part.estimate_s
    return lines


# --- running ---------------------------------------------------------------------------------------------

Executor = Callable[[Part, float], tuple[bool, str]]
"""``execute(part, seconds_left) -> (ok, message)``: run one part, stopping it after ``seconds_left``."""


def run_session(parts: list[Part], budget: float, execute: Executor,
                clock: Callable[[], float] = time.monotonic, start: float | None = None) -> list[Outcome]:
    """Run the parts in order while time is left; one :class:`Outcome` per part."""
    start = clock() if start is None else start
    outcomes = []
    for part in parts:
        if part.skip:
            outcomes.append(Outcome(part.name, f"skipped: {part.skip}"))
            if part.chapter is None:
                print(f"[{clock() - start:4.0f} s] {part.name}: {part.skip}: skipped", flush=True)
            continue
        left = budget - RESERVE_S - (clock() - start)
        skip = budget_skip(part, left)
        if skip:
            print(f"[{clock() - start:4.0f} s] {part.name}: {skip}", flush=True)
            outcomes.append(Outcome(part.name, skip))
            continue
        if part.refused:  # run_chapter would refuse it: say so without starting a process
            outcomes.append(Outcome(part.name, f"failed: {part.refused}"))
            print(f"[{clock() - start:4.0f} s] {part.name}: not run, {part.refused}", flush=True)
            continue
        print(f"[{clock() - start:4.0f} s] {part.name}: running ({part.why}; expected {part.estimate_s:.0f} s, "
              f"{left:.0f} s left) ...", flush=True)
        t0 = clock()
        ok, message = execute(part, left)
        seconds = clock() - t0
        outcomes.append(Outcome(part.name, "done" if ok else f"failed: {message}", seconds))
        print(f"[{clock() - start:4.0f} s] {part.name}: {'done' if ok else 'FAILED: ' + message} "
              f"({seconds:.0f} s)", flush=True)
    return outcomes


def run_child(command: list[str], seconds: float) -> tuple[bool, str]:
    """Run ``command``; stop it after ``seconds`` (SIGTERM, then SIGKILL). Its stderr's last line is the message."""
    proc = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        _, err = proc.communicate(timeout=max(seconds, 1.0))
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=GRACE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
        return False, f"stopped at the end of the budget after {seconds:.0f} s"
    except BaseException:  # Ctrl-C: the child got it too; give it a moment to stop its kernel
        try:
            proc.wait(timeout=GRACE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
    if proc.returncode == 0:
        return True, ""
    lines = [line for line in (err or "").splitlines() if line.strip()]
    if lines:
        sys.stderr.write("\n".join(lines[-20:]) + "\n")
    return False, (lines[-1].strip().removeprefix(FAILED) if lines else f"exit status {proc.returncode}")[:200]


def make_executor(profile: str, output_dir: Path, allow_dirty: bool) -> Executor:
    """The real executor: the benchmark, or :func:`run_chapter` for one chapter, each in a child process."""

    def execute(part: Part, left: float) -> tuple[bool, str]:
        if part.chapter is None:
            command = [sys.executable, str(ROOT / THROUGHPUT_SCRIPT), "--json", str(ROOT / THROUGHPUT_JSONL)]
        else:
            command = [sys.executable, str(Path(__file__).resolve()), "--child", part.chapter.as_posix(),
                       "--profile", profile, "--output-dir", str(output_dir), "--cell-timeout", str(int(left)),
                       "--budget", str(int(left))]
            if allow_dirty:
                command.append("--allow-dirty")
        return run_child(command, left)

    return execute


def child(chapter: str, profile: str, output_dir: Path, cell_timeout: int, allow_dirty: bool) -> int:
    """In the child process: one chapter through :func:`run_chapter`, per-cell timeout ``cell_timeout``."""
    from medlab.book.run import ChapterRunError, run_chapter

    try:
        result = run_chapter(ROOT, Path(chapter), profile, seed=0, output_dir=output_dir,
                             timeout=max(cell_timeout, 1), allow_dirty=allow_dirty)
    except ChapterRunError as exc:
        print(str(exc), file=sys.stderr)
        print(f"{FAILED}{str(exc).splitlines()[0]}", file=sys.stderr)  # the line the table shows
        return 1
    print(f"  record written: {output_dir / (Path(chapter).stem + '.json')} "
          f"(wall {result['wall_seconds']:.0f} s)", flush=True)
    return 0


# --- output ----------------------------------------------------------------------------------------------


def format_plan(parts: list[Part], budget: float) -> str:
    """The dry run's table: order, part, why, expected seconds (and where from), what would happen."""
    rows = [("#", "part", "why", "expected", "with this budget")]
    for i, (part, fate) in enumerate(zip(parts, simulate(parts, budget), strict=True), 1):
        rows.append((str(i), part.name, part.why, f"{part.estimate_s:.0f} s ({part.estimate_from})", fate))
    refused = [f"  {part.name}: {part.refused}" for part in parts if part.refused and not part.skip]
    if refused:
        refused.insert(0, "\nrun_chapter refuses full/paper runs of uncommitted code; these would fail at once:")
    return "\n".join([table(rows), *refused])


def format_outcomes(outcomes: list[Outcome]) -> str:
    rows = [("part", "status", "seconds")]
    rows += [(o.part, o.status, f"{o.seconds:.0f}" if o.seconds else "-") for o in outcomes]
    return table(rows)


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1] for r in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    return "\n".join(line.rstrip() for line in lines)


def gpu_name() -> str | None:
    """The CUDA GPU PyTorch sees, or ``None``."""
    import torch

    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


def main(argv: list[str] | None = None) -> int:
    start = STARTED if argv is None else time.monotonic()
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--budget", type=float, required=True, help="seconds this command may take, all parts together")
    p.add_argument("--dry-run", action="store_true", help="print the plan and run nothing")
    p.add_argument("--profile", choices=sorted(PROFILES), default="paper",
                   help="the chapters' profile (default paper; smoke rehearses the command on a CPU)")
    p.add_argument("--output-dir", type=Path, default=ROOT / "results" / "paper",
                   help="where records are read and written (default results/paper)")
    p.add_argument("--allow-dirty", action="store_true",
                   help="run full/paper chapters even with uncommitted changes (a trial: the page says so)")
    p.add_argument("--child", metavar="CHAPTER", help=argparse.SUPPRESS)  # one chapter, in the child process
    p.add_argument("--cell-timeout", type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    output_dir = args.output_dir.resolve()
    if args.child:
        return child(args.child, args.profile, output_dir, args.cell_timeout or int(args.budget), args.allow_dirty)
    if args.budget <= 0:
        p.error("--budget must be a positive number of seconds")
    if args.profile != "paper" and output_dir == (ROOT / "results" / "paper").resolve():
        p.error(f"results/paper holds paper records; pass --output-dir for profile {args.profile}")

    gpu = gpu_name()
    parts = make_plan(ROOT, args.profile, output_dir, gpu, allow_dirty=args.allow_dirty)
    print(f"GPU session: budget {args.budget:.0f} s, profile {args.profile}, records in {output_dir}, "
          f"GPU: {gpu or 'none (CPU only)'}")
    print(format_plan(parts, args.budget))
    if args.dry_run:
        print("\n(dry run: nothing was run; the last column assumes every part takes its expected time)")
        return 0
    print(flush=True)
    output_dir.mkdir(parents=True, exist_ok=True)
    outcomes = run_session(parts, args.budget, make_executor(args.profile, output_dir, args.allow_dirty),
                           start=start)
    print(f"\nGPU session finished after {time.monotonic() - start:.0f} s of {args.budget:.0f} s:")
    print(format_outcomes(outcomes))
    return 1 if any(o.failed for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
