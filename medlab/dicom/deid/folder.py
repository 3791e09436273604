"""De-identify a whole folder into one release: :func:`deidentify_folder`.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset

from ... import __version__
from ...errors import Skipped
from ...io import atomic_write_text, remove_stale_parts
from ..errors import DeidError, FolderError, OutputPathError, ReleaseMismatchError
from ..folders import _list_files
from .core import _method
from .files import _check_output_file, _deidentify_path, _same_file, _write_verified
from .table import STANDARD_EDITION

MANIFEST = ".medlab-deid-release.json"
"""The release manifest :func:`deidentify_folder` keeps in its output folder."""


@dataclass
class FolderReport:
    """What :func:`deidentify_folder` did: files written, files skipped and why.

    ``skipped`` holds one ``medlab.errors.Skipped`` per file left out
    (path relative to the source folder); ``flags`` the warnings to read per
    source file; ``sources`` maps each written file to its source;
    ``stale_parts_removed`` counts the ``.part`` leftovers of an interrupted
    earlier run that were deleted first.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """

    src_dir: Path
    dst_dir: Path
    written: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    flags: list[tuple[Path, str]] = field(default_factory=list)
    sources: dict[Path, Path] = field(default_factory=dict)
    method: str = ""
    stale_parts_removed: int = 0

    def summary(self, max_listed: int = 5) -> str:
        """One short paragraph, with names relative to the source folder."""
        total = len(self.written) + len(self.skipped)
        parts = [f"De-identified {len(self.written)} of {total} files into "
                 f"'{self.dst_dir.name}' ({self.method})."]
        if self.stale_parts_removed:
            parts.append(f"Removed {self.stale_parts_removed} unfinished file(s) of an "
                         "interrupted earlier run.")
        if self.skipped:
            parts.append(f"Skipped {len(self.skipped)}: " + _listing(
                [f"{s.path} ({_short_reason(s)})" for s in self.skipped], max_listed) + ".")
        if self.flags:
            files = sorted({self._rel(p) for p, _ in self.flags})
            parts.append(f"{len(self.flags)} warning(s) for {len(files)} file(s), "
                         f"check their pixels: " + _listing(files, max_listed) + ".")
        return " ".join(parts)

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.src_dir).as_posix()
        except ValueError:
            return path.name


def _short_reason(skip: Skipped) -> str:
    name = skip.path.rstrip("/").rsplit("/", 1)[-1]
    reason = skip.reason[len(name) + 2:] if skip.reason.startswith(f"{name}: ") else skip.reason
    return reason.split(":")[0].split(" (")[0].split(";")[0].strip()


def _listing(items: list[str], max_listed: int) -> str:
    text = "; ".join(items[:max_listed])
    if len(items) > max_listed:
        text += f"; and {len(items) - max_listed} more"
    return text


# ------------------------------------------------------------------------- release
def _check_value(salt: str, text: str) -> str:
    return hmac.new(salt.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _release(salt: str, offset: int | None, keep_names: bool) -> dict[str, Any]:
    return {
        "format": "medlab.dicom.deid release manifest 1",
        "profile": _method(offset),
        "standard_edition": STANDARD_EDITION,
        "key_check": _check_value(salt, "medlab.dicom.deid key check"),
        "date_offset_check": None if offset is None else _check_value(salt, f"offset {offset}"),
        "keep_names": keep_names,
        "medlab_version": __version__,
    }


_COMPARED = {"key_check": "another salt", "profile": "another profile",
             "standard_edition": "another edition of Table E.1-1",
             "date_offset_check": "another date offset", "keep_names": "another keep_names"}


def _claim(dst: Path, wanted: dict[str, Any]) -> None:
    """Write the manifest of a new release, or check that ``dst`` holds the same one."""
    manifest = dst / MANIFEST
    if manifest.exists():
        try:
            have = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ReleaseMismatchError(
                f"{dst.name}: its release manifest {MANIFEST} cannot be read ({exc}); "
                "de-identify into a new folder.", dst) from exc
        for key, what in _COMPARED.items():
            if have.get(key) != wanted[key]:
                raise ReleaseMismatchError(
                    f"{dst.name}: already holds a release made with {what} "
                    f"({key} {have.get(key)!r}, this run {wanted[key]!r}). Mixing them "
                    "would put two releases, whose UIDs and pseudonyms cannot be linked, "
                    "in one folder. De-identify into a new folder, or rerun with the "
                    "salt and options of that release.", dst)
        return
    if dst.is_dir() and any(not p.name.startswith(".") for p in dst.iterdir()):
        raise OutputPathError(
            f"{dst.name}: the folder is not empty and holds no release manifest "
            f"({MANIFEST}); de-identify into a new or empty folder, so that the release "
            "holds only what this run writes.", dst)
    atomic_write_text(manifest, json.dumps(wanted, indent=2, sort_keys=True) + "\n")


# -------------------------------------------------------------------------- folders
def _short_hash(uid: Any) -> str:
    return hashlib.sha256(str(uid or "none").encode()).hexdigest()


def _output_name(out: Dataset) -> Path:
    study = _short_hash(out.get("StudyInstanceUID"))[:10]
    series = _short_hash(out.get("SeriesInstanceUID"))[:10]
    sop = out.get("SOPInstanceUID") or out.file_meta.get("MediaStorageSOPInstanceUID")
    return Path(f"study-{study}", f"series-{series}", f"{_short_hash(sop)[:16]}.dcm")


def _skip(rel: str, src: Path, exc: BaseException) -> Skipped:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return Skipped(path=rel, reason=text.replace(str(src), rel)[:300],
                   error=type(exc).__name__)


def _check_folders(src_dir: Path, dst_dir: Path, salt: object) -> None:
    if not isinstance(salt, str) or not salt:
        raise DeidError("salt must be a non-empty string (a secret key)")
    if not src_dir.is_dir():
        raise DeidError(f"{src_dir.name}: not a folder; pass the folder of the files to "
                        "de-identify (deidentify_file takes one file).", src_dir)
    if _same_file(src_dir, dst_dir):
        raise OutputPathError(f"{dst_dir.name}: the destination must differ from the "
                              "source folder.", dst_dir)
    if dst_dir.exists() and not dst_dir.is_dir():
        raise OutputPathError(f"{dst_dir.name}: is a file; pass a folder (new or holding "
                              "an earlier run of the same release).", dst_dir)
    _check_output_file(src_dir, dst_dir / MANIFEST)  # no file in the way above dst


def deidentify_folder(src_dir: str | os.PathLike[str],
                      dst_dir: str | os.PathLike[str], *, salt: str,
                      date_offset_days: int | None = None, allow_burned_in: bool = False,
                      keep_names: bool = False) -> FolderReport:
    """De-identify every file under ``src_dir`` into ``dst_dir``: one release.

    Files that are not DICOM, are truncated, are refused (burned-in text, a
    DICOMDIR, an encapsulated document) or fail for any other reason are
    skipped and listed in ``report.skipped`` (``medlab.errors.Skipped``);
    the batch never stops for one bad file, and every written file has been
    read back and checked. Output names carry no original name:
    ``study-<h>/series-<h>/<h>.dcm`` where each ``<h>`` is a hash of the new
    UID, since folder and file names often hold patient IDs, names or dates;
    ``keep_names=True`` mirrors the source layout instead.

    ``dst_dir`` is one release: its manifest (:data:`MANIFEST`) records a key
    check value of the salt and the options, and a later run with another
    salt or options raises :class:`ReleaseMismatchError`; a non-empty folder
    without a manifest raises :class:`OutputPathError`. Hidden ``.part``
    files of an interrupted run are removed first. An unreadable source folder
    raises :class:`DeidError`.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    src_dir, dst_dir = Path(src_dir), Path(dst_dir)
    _check_folders(src_dir, dst_dir, salt)
    try:
        files, unlisted = _list_files(src_dir, recursive=True, skip_names=(),
                                      exclude=dst_dir)
    except FolderError as exc:
        raise DeidError(str(exc), src_dir) from exc
    _claim(dst_dir, _release(salt, date_offset_days, keep_names))
    report = FolderReport(src_dir=src_dir, dst_dir=dst_dir, method=_method(date_offset_days),
                          skipped=list(unlisted),
                          stale_parts_removed=len(remove_stale_parts(dst_dir)))
    for src in files:
        rel = src.relative_to(src_dir).as_posix()
        try:
            out, rep, source = _deidentify_path(src, salt, date_offset_days, allow_burned_in)
            dst = dst_dir / (Path(rel) if keep_names else _output_name(out))
            if dst in report.sources:
                raise DeidError(f"{src.name}: same SOP Instance UID as "
                                f"{report._rel(report.sources[dst])}; a duplicate, left out.")
            _check_output_file(src, dst)
            _write_verified(out, dst, source, src.name)
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
            report.skipped.append(_skip(rel, src, exc))
            continue
        report.written.append(dst)
        report.sources[dst] = src
        report.flags.extend((src, flag) for flag in rep.flags)
    return report


__all__ = ["MANIFEST", "FolderReport", "deidentify_folder"]
