"""Does ``medlab.dicom`` ever crash, or write a hollow file, on real DICOM input?

Every file of three corpora goes through the book's DICOM code:

- pydicom's own test files (``pydicom/data/test_files``, with its DICOMDIR
  trees), which include deliberately odd and broken files;
- the ``pydicom-data`` package (the DICOM committee's compression test set
  and other reference images);
- with ``MEDLAB_DATA_MIRROR`` set, every file of the TCIA
  Brain-Tumor-Progression mirror (``--no-mirror`` leaves it out);
- damaged copies (``--no-damaged`` leaves them out): each DICOM file cut in
  the middle of its pixel data (``cut-pixels``) and two thirds into its
  header (``cut-header``), as an interrupted copy would leave it.

Stages, per file: ``read`` (``dicom.read_dataset``), ``pixels``
(``dicom.read_pixels``), ``folder`` (``dicom.load_folder`` on each corpus
folder, then each file's fate in it) and ``deid``
(``dicom.deid.deidentify_file``). Each outcome is one of:

- ``ok``: read, decoded, loaded or written;
- ``typed``: refused with a ``medlab.errors.MedlabError`` subclass (by name
  in ``errors``), or skipped with one by ``load_folder``;
- ``crash``: any other exception (a raw traceback), or a folder call that
  raised instead of skipping;
- ``hollow`` (``deid``): written, but the output's pixel data, read back
  with plain pydicom, is not byte for byte the input's (for a damaged copy:
  the intact original's);
- ``silent`` (damaged ``cut-pixels`` copies only): ``read_pixels`` returned
  an array for a file whose pixel data is cut, a silently wrong array.

The goal is zero crashes, zero hollow outputs and zero silent arrays.
``--json PATH`` (default ``benchmarks/results/dicom_corpus.json``) stores
the counts and the details of every crash, hollow output and silent array;
the exit status is 1 if there is any.

Usage::

    MEDLAB_DATA_MIRROR=../shared/data .venv/bin/python benchmarks/dicom_corpus.py
    .venv/bin/python benchmarks/dicom_corpus.py --no-mirror --json /tmp/corpus.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pydicom

import medlab
from medlab import dicom
from medlab.dicom import deid
from medlab.errors import MedlabError
from medlab.io import atomic_write_text

RESULT = Path(__file__).resolve().parent / "results" / "dicom_corpus.json"
STAGES = ("read", "pixels", "folder", "deid")
_PIXEL_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)


def _typed_names() -> set[str]:
    names, todo = set(), [MedlabError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def corpus_roots(mirror: bool = True) -> dict[str, Path]:
    """The corpus folders found on this machine, by name."""
    roots = {"pydicom": Path(pydicom.data.__file__).parent / "test_files"}
    try:
        import data_store  # the pydicom-data package

        roots["pydicom-data"] = Path(data_store.__file__).parent / "data"
    except ImportError:
        pass
    env = os.environ.get("MEDLAB_DATA_MIRROR")
    if mirror and env and (Path(env) / "tcia-brain-tumor-progression").is_dir():
        roots["tcia"] = Path(env) / "tcia-brain-tumor-progression"
    return {k: v for k, v in roots.items() if v.is_dir()}


def _raw_pixels(path: Path) -> bytes | None:
    """The pixel data bytes as plain pydicom reads them, or ``None``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, force=True)
        for tag in _PIXEL_TAGS:
            if tag in ds:
                return bytes(ds[tag].value or b"")
    except Exception:  # noqa: BLE001 - not DICOM, or too damaged for pydicom
        return None
    return None


def _cut_points(path: Path) -> dict[str, int]:
    """Where to cut a copy of ``path``: inside its pixel data and inside its header."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, defer_size=256)
    except Exception:  # noqa: BLE001 - not a DICOM Part 10 file: no damaged copies
        return {}
    size = path.stat().st_size
    points: dict[str, int] = {}
    for tag in _PIXEL_TAGS:
        raw = ds.get_item(tag, keep_deferred=True) if tag in ds else None
        tell = getattr(raw, "value_tell", None)
        if tell is not None and size - tell > 16:
            points["cut-pixels"] = tell + (size - tell) // 2
            points["cut-header"] = tell * 2 // 3
            break
    else:
        if size > 400:
            points["cut-header"] = size * 2 // 3
    return points


def make_damaged(roots: dict[str, Path], folder: Path) -> dict[Path, tuple[Path, str]]:
    """Damaged copies in ``folder``; maps each copy to (its intact original, kind)."""
    folder.mkdir(parents=True, exist_ok=True)
    made: dict[Path, tuple[Path, str]] = {}
    n = 0
    for root in roots.values():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            for kind, cut in _cut_points(path).items():
                n += 1
                copy = folder / f"{n:04d}-{path.stem[:40]}-{kind}.dcm"
                copy.write_bytes(path.read_bytes()[:cut])
                made[copy] = (path, kind)
    return made


class Tally:
    """Counts per part and stage, and the details of every problem."""

    def __init__(self) -> None:
        self.typed = _typed_names()
        self.counts: dict[str, dict[str, Counter]] = {}
        self.errors: dict[str, dict[str, Counter]] = {}
        self.problems: list[dict[str, str]] = []

    def add(self, part: str, stage: str, outcome: str, path: Path,
            error: str = "", detail: str = "") -> None:
        self.counts.setdefault(part, {s: Counter() for s in STAGES})[stage][outcome] += 1
        if outcome == "typed":
            self.errors.setdefault(part, {s: Counter() for s in STAGES})[stage][error] += 1
        if outcome in ("crash", "hollow", "silent"):
            self.problems.append({"part": part, "stage": stage, "outcome": outcome,
                                  "file": path.name, "error": error, "detail": detail[:300]})

    def exception(self, part: str, stage: str, path: Path, exc: BaseException) -> None:
        name = type(exc).__name__
        self.add(part, stage, "typed" if isinstance(exc, MedlabError) else "crash", path,
                 name, str(exc))


def _run_file(tally: Tally, part: str, path: Path, out: Path,
              original: tuple[Path, str] | None) -> None:
    try:
        dicom.read_dataset(path)
        tally.add(part, "read", "ok", path)
    except Exception as exc:  # noqa: BLE001 - counted
        tally.exception(part, "read", path, exc)
    try:
        dicom.read_pixels(path)
        if original is not None and original[1] == "cut-pixels":
            tally.add(part, "pixels", "silent", path, "", "array from cut pixel data")
        else:
            tally.add(part, "pixels", "ok", path)
    except Exception as exc:  # noqa: BLE001 - counted
        tally.exception(part, "pixels", path, exc)
    try:
        deid.deidentify_file(path, out, salt="corpus-run")
    except Exception as exc:  # noqa: BLE001 - counted
        tally.exception(part, "deid", path, exc)
        return
    reference = _raw_pixels(original[0] if original else path)
    written = _raw_pixels(out)
    if reference is not None and written != reference:
        tally.add(part, "deid", "hollow", path, "",
                  f"input {len(reference)} pixel bytes, output "
                  f"{'none' if written is None else len(written)}")
    else:
        tally.add(part, "deid", "ok", path)
    out.unlink()


def _run_folder(tally: Tally, part: str, root: Path, files: list[Path]) -> None:
    try:
        loaded = dicom.load_folder(root)
    except Exception as exc:  # noqa: BLE001 - the batch must never stop
        for path in files:
            tally.add(part, "folder", "crash", path, type(exc).__name__, str(exc))
        return
    fate = {img.path: ("ok", "") for img in loaded.images}
    for skip in loaded.skipped:
        outcome = "typed" if skip.error in tally.typed else "crash"
        fate[root / skip.path] = (outcome, skip.error)
    for path in files:
        if path in fate:  # hidden files and DICOMDIRs are not read by load_folder
            outcome, error = fate[path]
            tally.add(part, "folder", outcome, path, error)


def run_corpus(mirror: bool = True, damaged: bool = True,
               workdir: Path | None = None) -> dict[str, Any]:
    """Run the corpus; return the counts, problems and timings as a JSON-ready dict."""
    roots = corpus_roots(mirror)
    tally = Tally()
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="dicom_corpus_", dir=workdir) as tmp:
        parts: dict[str, tuple[Path, list[Path], dict[Path, tuple[Path, str]]]] = {
            name: (root, sorted(p for p in root.rglob("*") if p.is_file()), {})
            for name, root in roots.items()}
        if damaged:
            made = make_damaged(roots, Path(tmp) / "damaged")
            parts["damaged"] = (Path(tmp) / "damaged", sorted(made), made)
        for name, (root, files, originals) in parts.items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for i, path in enumerate(files):
                    _run_file(tally, name, path, Path(tmp) / "out" / f"{i}.dcm",
                              originals.get(path))
                _run_folder(tally, name, root, files)
            seconds[name] = round(time.perf_counter() - start, 1)
    totals: dict[str, Counter] = {s: Counter() for s in STAGES}
    for stages in tally.counts.values():
        for stage, counter in stages.items():
            totals[stage].update(counter)
    return {
        "files": {name: len(files) for name, (_, files, _) in parts.items()},
        "counts": {part: {s: dict(sorted(c.items())) for s, c in stages.items()}
                   for part, stages in tally.counts.items()},
        "totals": {s: dict(sorted(c.items())) for s, c in totals.items()},
        "typed_errors": {part: {s: dict(c.most_common()) for s, c in stages.items() if c}
                         for part, stages in tally.errors.items()},
        "crashes": sum(c["crash"] for c in totals.values()),
        "hollow": totals["deid"]["hollow"],
        "silent": totals["pixels"]["silent"],
        "problems": tally.problems,
        "seconds": seconds,
        "versions": {"medlab": medlab.__version__, "pydicom": pydicom.__version__,
                     "python": platform.python_version()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-mirror", action="store_true",
                        help="leave the TCIA mirror files out")
    parser.add_argument("--no-damaged", action="store_true",
                        help="leave the damaged copies out")
    parser.add_argument("--json", type=Path, default=RESULT)
    args = parser.parse_args(argv)
    result = run_corpus(mirror=not args.no_mirror, damaged=not args.no_damaged)
    print("files:", result["files"])
    for stage, counts in result["totals"].items():
        print(f"  {stage:7s} {counts}")
    for problem in result["problems"]:
        print(f"  {problem['outcome'].upper()} {problem['stage']} {problem['part']}/"
              f"{problem['file']}: {problem['error']} {problem['detail'][:120]}")
    print(f"crashes {result['crashes']}, hollow outputs {result['hollow']}, "
          f"silent arrays {result['silent']}; seconds {result['seconds']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.json, json.dumps(result, indent=1) + "\n")
    return 1 if result["crashes"] or result["hollow"] or result["silent"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
