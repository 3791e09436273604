"""Confirm that library changes leave a chapter's results alone, without a full re-run.

When a ``medlab`` module a chapter imports changes, the chapter's stored
outputs are flagged stale (:func:`medlab.book.provenance.stale_message`). If
the change is a pure refactor, re-running the chapter under ``full`` (minutes
to a quarter of an hour) only to get the same numbers is a waste; but "it is
only a refactor" is a claim, and the book checks claims::

    python -m medlab.run chapters/07_explainability.ipynb --confirm-refactor

runs the chapter under the ``smoke`` profile twice, with the library as it was
at the commit recorded in ``results/<chapter>.json`` (a temporary git
worktree) and as it is now, and compares every output: text, tables and
figures. Lines that report times or memory are ignored; nothing else is. Only
if all outputs are identical does it write the new module hashes into the
record, with a confirmation that the provenance box shows (dates, commits,
modules). Any difference, or a chapter whose own code changed, means a real
re-run under ``full``.

The smoke profile exercises every code path a chapter has, on small data, so
a change that alters results almost always alters smoke outputs too; a change
that only shows at full size (for example, in a branch taken only with more
than 256 images) would slip through, which is why the confirmation is recorded
and shown rather than silent.

Introduced for the page "Reproducibility" (reproducibility.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from ..errors import MedlabError
from ..io import atomic_write_text
from ..runtime.profiles import PROFILE_ENV
from .dependencies import changed_modules, chapter_modules, module_hashes
from .kernel import execute
from .provenance import (
    PROVENANCE_TAG,
    code_hash,
    commit_mismatches,
    provenance_markdown,
    results_path,
    uncommitted_inputs,
)


class RefactorNotConfirmedError(MedlabError, RuntimeError):
    """A library change could not be confirmed as leaving a chapter's outputs unchanged; re-run it under full."""


_TIMING = re.compile(r"(?<![\w.])\d[\d,]*(\.\d+)?[ \t]*(ms|µs|us|ns|s|sec|seconds?|min|minutes?|it/s|images/s|"
                     r"img/s|KiB|MiB|GiB|kB|MB|GB)(?=[\s,;:)\]]|$|\.(?!\w))")
_TIMING_KEY = re.compile(r"second|time|latency|_ms\b|per_s\b|wall|memory|bytes|throughput", re.I)


def _normalise(text: str) -> str:
    return _TIMING.sub("<measured>", text)


def output_fingerprint(nb: nbformat.NotebookNode) -> list[list[str]]:
    """Per code cell, its outputs as comparable strings (figures by SHA-256 of their bytes).

    The provenance cell and papermill's injected cell are left out; times and
    memory sizes are masked.
    """
    cells = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "code" or PROVENANCE_TAG in tags or "injected-parameters" in tags:
            continue
        outs = []
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                outs.append(f"{out.get('name')}: {_normalise(out.get('text', ''))}")
            elif kind == "error":
                outs.append(f"error: {out.get('ename')}: {out.get('evalue')}")
            else:
                for mime, value in sorted(out.get("data", {}).items()):
                    if mime.startswith("image/"):
                        outs.append(f"{mime}: {hashlib.sha256(str(value).encode()).hexdigest()}")
                    elif mime.startswith("text/") or mime == "application/json":
                        outs.append(f"{mime}: {_normalise(value if isinstance(value, str) else json.dumps(value))}")
        cells.append(outs)
    return cells


def _metrics(record_file: Path) -> dict[str, Any]:
    """The metrics a smoke run recorded, without keys that name times or memory."""
    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not _TIMING_KEY.search(str(k))}
        return value

    recorded = json.loads(record_file.read_text()) if record_file.is_file() else {}
    return clean(recorded.get("metrics", {}))


def _smoke(tree: Path, chapter: Path, out: Path, timeout: int | None,
           python_path: str | None) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
    """Execute ``tree/chapter`` under smoke with ``medlab`` from ``python_path``; the notebook and its metrics."""
    from ..runtime.record import RECORD_ENV

    record_file = out.with_suffix(".record.json")
    env = {PROFILE_ENV: "smoke", "PYTHONPATH": python_path or os.environ.get("PYTHONPATH", ""),
           RECORD_ENV: str(record_file)}
    try:
        execute(tree / chapter, out, {"PROFILE": "smoke", "SEED": 0}, env, timeout)
    except Exception as exc:
        raise RefactorNotConfirmedError(f"{chapter.as_posix()}: the smoke run in {tree} failed "
                                        f"({type(exc).__name__}); re-run the chapter under full") from exc
    return nbformat.read(out, as_version=4), _metrics(record_file)


def confirm_refactor(root: Path, chapter: Path, timeout: int | None = None) -> str:
    """Confirm (and record) that library changes since ``chapter``'s stored run leave its smoke outputs identical.

    Returns a one-line summary; raises :class:`RefactorNotConfirmedError` with
    the reason (and writes nothing) when it cannot confirm.
    """
    from ..data.sources import absolute_env_paths

    absolute_env_paths()
    res_file = results_path(root, chapter)
    if not res_file.is_file():
        raise RefactorNotConfirmedError(f"{chapter.as_posix()}: no {res_file.name}; run it under full first")
    record: dict[str, Any] = json.loads(res_file.read_text())
    nb_now = nbformat.read(root / chapter, as_version=4)
    git = record.get("git", {})
    confirmed = record.get("confirmations") or []
    commit = str(confirmed[-1].get("to_commit", "") if confirmed else git.get("commit", ""))
    if git.get("dirty") is not False or git.get("source") or not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise RefactorNotConfirmedError(f"{chapter.as_posix()}: its record does not name a clean, checked commit; "
                                        f"re-run it under full")
    if record.get("code_hash") != code_hash(nb_now):
        raise RefactorNotConfirmedError(f"{chapter.as_posix()}: the chapter's own code changed, so this is not "
                                        f"a library refactor; re-run it under full")
    recorded = record.get("modules") or {}
    if not recorded:
        raise RefactorNotConfirmedError(f"{chapter.as_posix()}: its record has no module hashes to compare; "
                                        f"re-run it under full")
    wrong = commit_mismatches(root, chapter, record)
    if wrong:
        raise RefactorNotConfirmedError(f"{chapter.as_posix()}: commit {commit[:10]} does not hold the code its record "
                                        f"says ran ({', '.join(wrong[:5])}); re-run it under full")
    changed = changed_modules(root, recorded)
    if not changed:
        return f"{chapter.as_posix()}: no library change since its stored run; nothing to confirm"
    modules = chapter_modules(root, nb_now)
    hashes_now = module_hashes(root, modules)
    dirty = uncommitted_inputs(root, chapter, list(hashes_now))
    if dirty:
        raise RefactorNotConfirmedError(f"{chapter.as_posix()}: commit the changes first ({', '.join(dirty[:5])}), "
                                        f"so that the confirmation names the commit it checked")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                          check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix=f"medlab-confirm-{chapter.stem}-") as tmp:
        old_tree = Path(tmp) / "recorded"
        subprocess.run(["git", "worktree", "add", "--detach", str(old_tree), commit], cwd=root,
                       capture_output=True, text=True, check=True)
        try:
            before, metrics_before = _smoke(old_tree, chapter, Path(tmp) / "before.ipynb", timeout, str(old_tree))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=root, capture_output=True)
        after, metrics_after = _smoke(root, chapter, Path(tmp) / "after.ipynb", timeout, str(root))
    if module_hashes(root, modules) != hashes_now:
        raise RefactorNotConfirmedError(f"{chapter.as_posix()}: the library changed while it was being confirmed; "
                                        f"run the confirmation again")
    a, b = output_fingerprint(before), output_fingerprint(after)
    if a != b:
        first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        raise RefactorNotConfirmedError(
            f"{chapter.as_posix()}: smoke outputs differ between commit {commit[:10]} and now (first in code cell "
            f"{first}); the change alters results: re-run under full")
    if metrics_before != metrics_after:
        raise RefactorNotConfirmedError(
            f"{chapter.as_posix()}: the metrics recorded under smoke differ between commit {commit[:10]} and now; "
            f"the change alters results: re-run under full")
    record["modules"] = hashes_now
    record.setdefault("confirmations", []).append({
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "from_commit": commit, "to_commit": head,
        "modules": changed, "method": "identical smoke outputs, times and memory sizes masked"})
    cells = [c for c in nb_now.cells if PROVENANCE_TAG in c.get("metadata", {}).get("tags", [])]
    for cell in cells:
        cell.source = provenance_markdown(record)
    atomic_write_text(root / chapter, nbformat.writes(nb_now) + "\n")
    atomic_write_text(res_file, json.dumps(record, indent=1, sort_keys=True) + "\n")
    return f"{chapter.as_posix()}: confirmed; {len(changed)} changed module(s) recorded: {', '.join(changed)}"


__all__ = ["RefactorNotConfirmedError", "output_fingerprint", "confirm_refactor"]
