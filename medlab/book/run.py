"""Run chapters through papermill and store their outputs with provenance.

Usage (from the book's root)::

    python -m medlab.run chapters/03_first_classifier.ipynb --profile full
    python -m medlab.run --all --profile smoke --output-dir /tmp/smoke

For each chapter the runner executes the notebook with ``PROFILE`` and
``SEED`` as papermill parameters (and ``MEDLAB_PROFILE`` set, so nothing
inside can disagree), then, only if every cell succeeded:

- writes the executed notebook back in place (or into ``--output-dir``), with
  a provenance admonition after the title;
- writes ``results/<chapter>.json``: metrics the chapter recorded, profile,
  seeds, device, hardware, library versions, data checksums, the code-cell
  hash, git commit, date and wall time.

A failed run leaves the stored notebook and its results untouched and keeps
the failed notebook for inspection. Both files are written atomically
(:mod:`medlab.io`).

``python -m medlab.run`` is the documented command; ``medlab/run.py`` only
calls :func:`main` here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat

from .._version import __version__
from ..data.sources import absolute_env_paths
from ..errors import MedlabError
from ..io import atomic_write_text
from ..runtime.profiles import PROFILE_ENV, PROFILES
from ..runtime.record import RECORD_ENV, RUNNER_ENV
from ..runtime.resources import PeakMemory
from ..runtime.session import THREADS_ENV, hardware, library_versions
from .dependencies import chapter_modules, module_hashes
from .kernel import execute
from .provenance import (
    ENVIRONMENT_FILES,
    INJECTED_TAG,
    PROVENANCE_TAG,
    code_hash,
    find_root,
    provenance_markdown,
    results_path,
    toc_chapters,
    uncommitted_inputs,
)
from .refactor import confirm_refactor


class ChapterRunError(MedlabError, RuntimeError):
    """A chapter failed under the runner; its stored notebook and results were left unchanged."""


GIT_COMMIT_ENV = "MEDLAB_GIT_COMMIT"
"""Commit to record when the tree being run is a copy (e.g. sent to a GPU machine); it wins over ``.git``."""


def _git(root: Path, dirty: bool | None) -> dict[str, Any]:
    """The commit the run starts from, and whether the run's inputs differed from it.

    The inputs are those of :func:`medlab.book.provenance.uncommitted_inputs`.
    """
    if os.environ.get(GIT_COMMIT_ENV):  # the sender of a copied tree knows its commit better than a stray .git
        return {"commit": os.environ[GIT_COMMIT_ENV], "dirty": None, "source": "environment"}
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        return {"commit": commit, "dirty": dirty}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": "unknown", "dirty": None, "source": "unavailable"}


CPU_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile",
             "avx_vnni", "asimd", "sve")
"""Instruction-set flags that decide which kernels PyTorch and NumPy use, and so the last digits of a result."""


def cpu_details() -> dict[str, Any]:
    """The CPU's vendor family and model numbers and its :data:`CPU_FLAGS` (Linux; empty elsewhere).

    Two CPUs sold under one name ("AMD EPYC") can differ in instruction sets,
    and a float32 network trained on each ends in different last digits; the
    record keeps what is needed to tell them apart.
    """
    info: dict[str, Any] = {}
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                key = key.strip()
                if key in ("cpu family", "model", "stepping", "vendor_id") and key not in info:
                    info[key] = value.strip()
                elif key in ("flags", "Features") and "flags" not in info:
                    present = set(value.split())
                    info["flags"] = [f for f in CPU_FLAGS if f in present]
                if line.strip() == "" and info:
                    break
    except OSError:
        pass
    return info


def _environment_hash(root: Path) -> str:
    """SHA-256 over the environment files (requirements, lock, pyproject), as committed or edited."""
    h = hashlib.sha256()
    for name in ENVIRONMENT_FILES:
        path = root / name
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    return h.hexdigest()


_KERNEL_FILE = re.compile(r"[^\s'\"]*ipykernel_\d+[/\\]\d+\.py")
"""The temporary file IPython names a cell by in warnings and tracebacks (``/tmp/ipykernel_123/456.py``)."""


def _scrub(nb: nbformat.NotebookNode, chapter: Path) -> None:
    """Drop papermill's absolute paths and per-cell timing noise; name cells, not kernel temp files, in outputs."""
    pm = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if key in pm:
            pm[key] = chapter.name
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                out["text"] = _KERNEL_FILE.sub("<cell>", out.get("text", ""))
            elif out.get("output_type") == "error":
                out["traceback"] = [_KERNEL_FILE.sub("<cell>", line) for line in out.get("traceback", [])]


def _set_provenance_cell(nb: nbformat.NotebookNode, markdown: str) -> None:
    nb.cells = [c for c in nb.cells if PROVENANCE_TAG not in c.metadata.get("tags", [])]
    cell = nbformat.v4.new_markdown_cell(markdown, metadata={"tags": [PROVENANCE_TAG]})
    cell["id"] = "provenance"
    nb.cells.insert(1 if nb.cells else 0, cell)
    nbformat.validator.normalize(nb)


def run_chapter(root: Path, chapter: Path, profile: str, seed: int, output_dir: Path | None = None,
                timeout: int | None = None, allow_dirty: bool = False, threads: int | None = None) -> dict[str, Any]:
    """Execute one chapter; return its results record. Raises :class:`ChapterRunError`, writing nothing.

    ``full`` and ``paper`` runs refuse to start when the chapter's code, a
    ``medlab`` module it imports or the environment files have uncommitted
    changes (:func:`medlab.book.provenance.uncommitted_inputs`), since the record could not name the
    code that ran; ``allow_dirty`` runs anyway, for a trial, and the page then
    says "plus uncommitted changes". ``threads`` sets torch's thread count in
    the chapter's kernel (``$MEDLAB_THREADS``); by default the profile's.
    """

    src = root / chapter
    source_bytes = src.read_bytes()
    modules = chapter_modules(root, nbformat.reads(source_bytes.decode("utf-8"), as_version=4))
    # What the run uses, taken before it starts: the record describes these, and they must not change under it.
    hashes_before, environment_before = module_hashes(root, modules), _environment_hash(root)
    dirty = uncommitted_inputs(root, chapter, list(hashes_before))
    git_info = _git(root, bool(dirty))
    if profile in ("full", "paper") and not allow_dirty and not os.environ.get(GIT_COMMIT_ENV):
        if dirty:
            raise ChapterRunError(
                f"{chapter.as_posix()}: not run under '{profile}', because what it runs has uncommitted changes: "
                f"{', '.join(dirty[:8])}{' ...' if len(dirty) > 8 else ''}. A stored page must name the commit "
                f"that produced it: commit first, or pass --allow-dirty for a trial run (its page says so)")
    out_nb = (output_dir / chapter.name) if output_dir else src
    out_json = (output_dir / f"{chapter.stem}.json") if output_dir else results_path(root, chapter)
    work = Path(tempfile.mkdtemp(prefix=f"medlab-{chapter.stem}-"))
    record_file = work / "record.json"
    executed = work / chapter.name
    absolute_env_paths()
    python_path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)
    env = {PROFILE_ENV: profile, RECORD_ENV: str(record_file), RUNNER_ENV: "1", "PYTHONPATH": python_path,
           THREADS_ENV: str(threads) if threads is not None else os.environ.get(THREADS_ENV)}
    command = (f"python -m medlab.run {chapter.as_posix()} --profile {profile}" + (f" --seed {seed}" if seed else "")
               + (f" --threads {threads}" if threads is not None else ""))
    start = time.perf_counter()
    memory = PeakMemory()
    try:
        with memory:
            execute(src, executed, {"PROFILE": profile, "SEED": seed}, env, timeout)
    except Exception as exc:
        raise ChapterRunError(
            f"{chapter.as_posix()} failed under profile '{profile}': {type(exc).__name__}: "
            f"{str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}\n"
            f"The stored notebook was left unchanged; the failed run is in {executed}"
        ) from exc
    wall = time.perf_counter() - start
    changed = [rel for rel, digest in module_hashes(root, modules).items() if hashes_before.get(rel) != digest]
    if src.read_bytes() != source_bytes:
        changed.insert(0, chapter.as_posix())
    if _environment_hash(root) != environment_before:
        changed.append("environment files")
    if changed:
        raise ChapterRunError(
            f"{chapter.as_posix()}: {', '.join(changed)} changed while the chapter ran, so its record could not say "
            f"which version produced the outputs; nothing was written (the run is in {executed}). Run it again "
            f"once the tree is settled")

    recorded = json.loads(record_file.read_text()) if record_file.is_file() else {}
    nb = nbformat.read(executed, as_version=4)
    _scrub(nb, chapter)
    for cell in nb.cells:  # the page shows the parameters cell once, not papermill's copy
        tags = cell.metadata.get("tags", [])
        if INJECTED_TAG in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    run_info = recorded.get("run", {})
    settings = run_info.get("profile_settings", {})
    result: dict[str, Any] = {
        "chapter": chapter.stem,
        "notebook": chapter.as_posix(),
        "command": command,
        "profile": profile,
        "profile_settings": settings,
        "seed": seed,
        "seeds": run_info.get("seeds", [seed]),
        "seed_sets": run_info.get("seed_sets", {}),
        "sizes": run_info.get("sizes", {}),
        "threads": run_info.get("threads"),
        "device": run_info.get("device", "cpu"),
        "metrics": recorded.get("metrics", {}),
        "data": recorded.get("data", {}),
        "hardware": {**(run_info.get("hardware") or hardware()), "cpu_details": cpu_details()},
        "versions": run_info.get("versions") or library_versions(),
        "code_hash": code_hash(nb),
        "modules": hashes_before,
        "environment_sha256": environment_before,
        "git": git_info,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 1),
        "peak_memory_bytes": memory.peak_bytes,
        "medlab_version": __version__,
    }
    _set_provenance_cell(nb, provenance_markdown(result))
    atomic_write_text(out_nb, nbformat.writes(nb) + "\n")
    atomic_write_text(out_json, json.dumps(result, indent=1, sort_keys=True) + "\n")
    for leftover in (record_file, executed):
        leftover.unlink(missing_ok=True)
    work.rmdir()
    return result


def main(argv: list[str] | None = None) -> int:
    """The command line ``python -m medlab.run``; returns the exit status (1 if a chapter failed)."""
    parser = argparse.ArgumentParser(prog="python -m medlab.run", description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="notebooks to run (paths from the book's root)")
    parser.add_argument("--all", action="store_true", help="every chapter in _toc.yml")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-dir", type=Path, default=None,
                        help="write executed notebooks and JSON here instead of in place")
    parser.add_argument("--timeout", type=int, default=None, help="per-cell timeout in seconds")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads in the chapter (default: the profile's; full: 1, as the pages ran)")
    parser.add_argument("--allow-dirty", action="store_true",
                        help="run full/paper even with uncommitted changes to what the chapter runs (a trial: "
                             "the page says so)")
    parser.add_argument("--confirm-refactor", action="store_true",
                        help="instead of a full run: confirm that library changes since the stored run leave the "
                             "chapter's smoke outputs identical, and if so record the new module hashes")
    args = parser.parse_args(argv)

    root = find_root()
    chapters = toc_chapters(root) if args.all else [
        Path(os.path.relpath((Path.cwd() / p).resolve(), root)) for p in args.chapters]
    if not chapters:
        parser.error("name chapters to run, or pass --all")
    missing = [c for c in chapters if not (root / c).is_file()]
    if missing:
        parser.error(f"no such notebook(s): {', '.join(map(str, missing))}")
    failures = 0
    for chapter in chapters:
        if args.confirm_refactor:
            print(f"confirming {chapter.as_posix()}: smoke outputs at the recorded commit and now ...", flush=True)
            try:
                print("  " + confirm_refactor(root, chapter, timeout=args.timeout))
            except MedlabError as exc:
                failures += 1
                print(f"NOT CONFIRMED {exc}", file=sys.stderr)
            continue
        print(f"running {chapter.as_posix()} (profile {args.profile}, seed {args.seed}) ...", flush=True)
        try:
            result = run_chapter(root, chapter, args.profile, args.seed, args.output_dir, args.timeout,
                                 allow_dirty=args.allow_dirty, threads=args.threads)
        except ChapterRunError as exc:
            failures += 1
            print(f"FAILED {exc}", file=sys.stderr)
            continue
        metrics = json.dumps(result["metrics"], sort_keys=True)
        print(f"  done in {result['wall_seconds']:.0f} s; metrics {metrics[:300]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
