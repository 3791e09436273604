"""Where a chapter's stored outputs came from, and whether they are stale.

The runner (``python -m medlab.run``) writes ``results/<chapter>.json`` with a hash
of the chapter's code cells and a hash of every ``medlab`` module the chapter
imports, directly or not (:mod:`medlab.book.dependencies`). :func:`stale_message`
compares both with the tree as it is now, so a chapter whose code, or whose
library code, changed after its outputs were produced is caught by the test
suite, with the modules that changed and the command that refreshes it, and
flagged on the Reproducibility page (``python -m medlab.book.report``).

A pure refactor of the library (the chapter's results cannot change) is
confirmed without a full re-run by ``python -m medlab.run CHAPTER
--confirm-refactor`` (:mod:`medlab.book.refactor`): the chapter runs under
``smoke`` at the recorded commit and at the working tree, and only if every
output is identical are the new module hashes recorded, with the confirmation.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import nbformat
import yaml

from ..errors import MedlabError
from ..runtime.resources import format_bytes
from .dependencies import changed_modules

INJECTED_TAG = "injected-parameters"
PROVENANCE_TAG = "provenance"


class NotInBookError(MedlabError, FileNotFoundError):
    """A book command was started outside the book (no ``_toc.yml`` above the current folder)."""


def find_root(start: Path | None = None) -> Path:
    """The book's root: the nearest folder upwards that holds ``_toc.yml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file():
            return folder
    raise NotInBookError(f"no _toc.yml in {here} or any parent; run from inside the book")


def toc_chapters(root: Path) -> list[Path]:
    """Notebook chapters listed in ``_toc.yml``, in book order (paths relative to ``root``)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.append(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    paths = []
    for f in found:
        p = Path(f if f.endswith(".ipynb") else f + ".ipynb")
        if (root / p).is_file():
            paths.append(p)
    return paths


def code_hash(nb: nbformat.NotebookNode) -> str:
    """SHA-256 of the notebook's code cells (papermill's injected cell excluded).

    Trailing whitespace is ignored, so re-saving a notebook does not make it stale.
    """
    h = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type != "code" or INJECTED_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        source = "\n".join(line.rstrip() for line in cell.source.strip().splitlines())
        h.update(source.encode() + b"\n\x00")
    return h.hexdigest()


def results_path(root: Path, chapter: Path) -> Path:
    """``results/<chapter stem>.json``."""
    return root / "results" / f"{chapter.stem}.json"


def refresh_command(chapter: Path, profile: str = "full") -> str:
    """The command that re-runs ``chapter`` and refreshes its stored outputs."""
    return f"python -m medlab.run {chapter.as_posix()} --profile {profile}"


def stale_reason(root: Path, chapter: Path, result: dict[str, Any]) -> tuple[str, list[str]] | None:
    """Why ``result`` (a run record of ``chapter``) no longer describes the code, or ``None``.

    Returns ``("code", [])`` when the chapter's code cells changed,
    ``("modules", [paths])`` when ``medlab`` modules it imports changed, and
    ``("unrecorded", [])`` for a record that predates module hashes.
    """
    nb = nbformat.read(root / chapter, as_version=4)
    if result.get("code_hash") != code_hash(nb):
        return "code", []
    recorded = result.get("modules")
    if recorded is None:
        return "unrecorded", []
    changed = changed_modules(root, recorded)
    return ("modules", changed) if changed else None


ENVIRONMENT_FILES = ("requirements.txt", "requirements.lock", "pyproject.toml")
"""Files besides a chapter's own modules whose uncommitted edits make a run's record untrue."""


def uncommitted_inputs(root: Path, chapter: Path, modules: list[str]) -> list[str]:
    """What a run of ``chapter`` would use that differs from the last commit.

    The chapter's code cells (compared by :func:`code_hash`, so stored outputs
    and prose do not count), every ``medlab`` module it imports and the
    environment files. Empty when ``root`` is not a git checkout (nothing to compare).
    """
    import subprocess

    try:
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all", "--", *modules, *ENVIRONMENT_FILES],
            cwd=root, capture_output=True, text=True, check=True).stdout.splitlines()
        head = subprocess.run(["git", "show", f"HEAD:{chapter.as_posix()}"], cwd=root, capture_output=True,
                              text=True)
    except (OSError, subprocess.CalledProcessError):
        return []
    dirty = [line[3:] for line in changed if line.strip()]
    if head.returncode != 0:
        dirty.insert(0, f"{chapter.as_posix()} (not committed)")
    elif code_hash(nbformat.reads(head.stdout, as_version=4)) != code_hash(nbformat.read(root / chapter, as_version=4)):
        dirty.insert(0, f"{chapter.as_posix()} (code cells)")
    return dirty


def commit_mismatches(root: Path, chapter: Path, result: dict[str, Any]) -> list[str]:
    """What in ``result`` the recorded commit does not hold: the chapter's code cells or a module's hash.

    The commit is the record's own, or the last commit a library refactor was
    confirmed at (:mod:`medlab.book.refactor`), since the record's module
    hashes are then that commit's. Checks against ``git show COMMIT:path``, so a record passes
    only if the commit it names contains exactly the code it says ran. Returns
    ``["no commit"]`` when the record names none (or git cannot show it).
    """
    import hashlib
    import subprocess

    from .dependencies import source_hash

    confirmed = result.get("confirmations") or []
    commit = str(confirmed[-1].get("to_commit", "") if confirmed else result.get("git", {}).get("commit", ""))

    def show(path: str) -> bytes | None:
        out = subprocess.run(["git", "show", f"{commit}:{path}"], cwd=root, capture_output=True)
        return out.stdout if out.returncode == 0 else None

    notebook = show(chapter.as_posix()) if len(commit) == 40 else None
    if notebook is None:
        return ["no commit"]
    wrong = []
    if code_hash(nbformat.reads(notebook.decode("utf-8"), as_version=4)) != result.get("code_hash"):
        wrong.append(f"{chapter.as_posix()} (code cells)")
    for rel, digest in sorted((result.get("modules") or {}).items()):
        data = show(rel)
        if data is None:
            wrong.append(rel)
            continue
        now = source_hash(data.decode("utf-8")) if rel.endswith(".py") else hashlib.sha256(data).hexdigest()
        if now != digest:
            wrong.append(rel)
    return wrong


def stale_message(root: Path, chapter: Path) -> str | None:
    """``None`` if ``chapter``'s stored outputs match its code and library, else what is wrong and the fix."""
    nb = nbformat.read(root / chapter, as_version=4)
    res_file = results_path(root, chapter)
    if not res_file.is_file():
        return (f"{chapter.as_posix()}: no {res_file.relative_to(root).as_posix()}; its outputs were "
                f"never produced by the runner. Run: {refresh_command(chapter)}")
    result = json.loads(res_file.read_text())
    profile = result.get("profile", "full")
    reason = stale_reason(root, chapter, result)
    if reason and reason[0] == "code":
        return (f"{chapter.as_posix()}: code changed since its stored outputs were produced "
                f"(results hash {str(result.get('code_hash'))[:12]}, notebook hash {code_hash(nb)[:12]}). "
                f"Run: {refresh_command(chapter, profile)}")
    if reason and reason[0] == "unrecorded":
        return (f"{chapter.as_posix()}: {res_file.relative_to(root).as_posix()} does not record the medlab "
                f"modules the chapter imports, so library changes since cannot be ruled out. "
                f"Run: {refresh_command(chapter, profile)}")
    if reason:
        return (f"{chapter.as_posix()}: medlab modules it imports changed since its stored outputs were produced "
                f"(commit {str(result.get('git', {}).get('commit', 'unknown'))[:10]}): {', '.join(reason[1])}. "
                f"Run: {refresh_command(chapter, profile)}; or, if the change cannot alter results, confirm it "
                f"with identical smoke outputs: {refresh_command(chapter, profile)} --confirm-refactor")
    cells = [c for c in nb.cells if PROVENANCE_TAG in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1 or result["code_hash"][:12] not in cells[0].source:
        return (f"{chapter.as_posix()}: its provenance cell is missing or does not match "
                f"{res_file.relative_to(root).as_posix()}. Run: {refresh_command(chapter, profile)}")
    return None


def _size(value: Any) -> str:
    if isinstance(value, list):
        return "(" + ", ".join(str(v) for v in value) + ")"
    return "all" if value is None else str(value)


def _duration(seconds: float) -> str:
    minutes, sec = divmod(int(round(seconds)), 60)
    return f"{minutes} min {sec:02d} s" if minutes else f"{sec} s"


def data_line(name: str, info: dict[str, Any]) -> str:
    """One dataset of a run record as the provenance box shows it.

    Three shapes of record: a registry dataset (``files`` a count and one
    ``sha256``), a file read from an installed package (``files`` mapping file
    names to checksums), and a table with no file of its own (no ``files``:
    the ``source`` is named instead).
    """
    flag = "" if info.get("official", True) else " (not the official release)"
    files = info.get("files")
    if isinstance(files, dict) and files:
        sums = ", ".join(f"{file} sha256 `{str(digest)[:16]}…`" for file, digest in sorted(files.items()))
        text = f"{sums}" + (f" ({info['source']})" if info.get("source") else "")
    elif isinstance(files, int) and info.get("sha256"):
        text = f"{files} file(s), sha256 `{str(info['sha256'])[:16]}…`"
    else:
        text = f"from {info.get('source', 'an unnamed source')}, no file checksum"
    return f"`{name}`{flag}: {text}"


def provenance_markdown(result: dict[str, Any]) -> str:
    """The admonition a chapter page shows about the run that produced it."""
    hw = result.get("hardware", {})
    device = result.get("device", "cpu")
    gpu = f", GPU {hw['gpu']}" if hw.get("gpu") else ""
    details = hw.get("gpu_details") or {}
    if details.get("driver") or details.get("cuda"):
        gpu += f" (driver {details.get('driver') or '?'}, CUDA {details.get('cuda') or '?'})"
    peak = result.get("peak_memory_bytes")
    peak_text = f", peak memory {format_bytes(peak)}" if peak else ""
    commit = result.get("git", {})
    commit_text = (f"commit `{commit.get('commit', 'unknown')[:10]}`"
                   + (" plus uncommitted changes" if commit.get("dirty")
                      else " (uncommitted changes not checked)" if commit.get("dirty") is None else ""))
    libs = ", ".join(f"{k} {v}" for k, v in result.get("versions", {}).items())
    data_lines = [data_line(name, info) for name, info in sorted(result.get("data", {}).items())]
    seeds = ", ".join(str(s) for s in result.get("seeds", [])) or str(result.get("seed"))
    sets = result.get("seed_sets") or {}
    if len(sets) > 1:
        seeds += " (" + "; ".join(f"{name}: {', '.join(map(str, v))}" for name, v in sets.items()) + ")"
    threads = result.get("threads") or hw.get("torch_threads")
    sizes = result.get("sizes") or {}
    size_text = ", ".join(f"{k} {_size(v)}" for k, v in sizes.items())
    confirmations = [
        f"On {c.get('date', '?')[:10]} the library changes in {', '.join(f'`{m}`' for m in c.get('modules', []))} "
        f"were confirmed not to change this chapter: its `smoke` outputs at commit `{c.get('from_commit', '?')[:10]}` "
        f"and at `{c.get('to_commit', '?')[:10]}` are identical."
        for c in result.get("confirmations", [])]
    lines = [
        "```{admonition} Provenance of this page",
        ":class: note",
        f"Outputs produced by `{result.get('command')}` on {result.get('date', '?')[:10]}: "
        f"profile **{result.get('profile')}**, seed(s) {seeds}, device {device} "
        f"({hw.get('cpu', 'cpu')}, {hw.get('cpu_count', '?')} cores{gpu}), "
        f"torch threads {threads}, "
        f"wall time {_duration(result.get('wall_seconds', 0.0))}{peak_text}; {commit_text}; "
        f"code hash `{result.get('code_hash', '')[:12]}`, "
        f"{len(result.get('modules') or {})} medlab modules hashed.",
        "",
        *([f"Sizes: {size_text}.", ""] if size_text else []),
        *[line for c in confirmations for line in (c, "")],
        f"Libraries: {libs}.",
        "",
        "Data: " + ("; ".join(data_lines) if data_lines else "none recorded") + ".",
        "",
        f"Full record: `results/{result.get('chapter', '')}.json`.",
        "```",
    ]
    return "\n".join(lines)
