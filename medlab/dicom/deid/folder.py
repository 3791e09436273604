"""De-identify a whole folder into one release: :func:`deidentify_folder`.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydicom.dataset import Dataset

from ...errors import Skipped
from ...io import remove_stale_parts
from ..errors import DeidError, FolderError, OutputPathError
from ..folders import _list_files
from .core import _method
from .files import _check_output_file, _deidentify_path, _same_file, _write_verified
from .release import MANIFEST, _open_release, _release


@dataclass
class FolderReport:
    """What :func:`deidentify_folder` did: files written, files skipped and why.

    ``skipped`` holds one ``medlab.errors.Skipped`` per file left out
    (path relative to the source folder); ``flags`` the warnings to read per
    source file; ``sources`` maps each written file to its source;
    ``stale_parts_removed`` counts the ``.part`` leftovers of an interrupted
    earlier run that were deleted first. ``resumed`` lists the files of
    ``written`` that an earlier run had already written and verified (same
    source path and content, output file unchanged) and that were kept, not
    redone; ``was_incomplete`` says that the release found in the folder was
    incomplete (an interrupted run), which this run finished.

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
    resumed: list[Path] = field(default_factory=list)
    was_incomplete: bool = False

    def summary(self, max_listed: int = 5) -> str:
        """One short paragraph, with names relative to the source folder."""
        total = len(self.written) + len(self.skipped)
        parts = [f"De-identified {len(self.written)} of {total} files into "
                 f"'{self.dst_dir.name}' ({self.method})."]
        if self.was_incomplete:
            parts.append(f"Finished an interrupted release: kept {len(self.resumed)} "
                         "file(s) already written and verified by the earlier run.")
        elif self.resumed:
            parts.append(f"{len(self.resumed)} file(s) were already in the release, "
                         "verified and kept.")
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
                      keep_names: bool = False, resume: bool = True) -> FolderReport:
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

    The manifest says ``"complete": false`` from the start of a run until its
    very end, when the complete one (every file with its SHA-256) replaces it
    atomically; so a run that is killed or crashes leaves a release that
    :func:`release_status` reports as ``"incomplete"``. The next run into it
    resumes: files already written and verified (recorded in the manifest or
    the run's journal, output unchanged, source unchanged) are kept, the rest
    is done, and the release is marked complete (``report.was_incomplete``,
    ``report.resumed``). With ``resume=False`` it raises
    :class:`IncompleteReleaseError` instead. Details and the file format:
    ``medlab.dicom.deid.release``.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    src_dir, dst_dir = Path(src_dir), Path(dst_dir)
    _check_folders(src_dir, dst_dir, salt)
    try:
        files, unlisted = _list_files(src_dir, recursive=True, skip_names=(),
                                      exclude=dst_dir)
    except FolderError as exc:
        raise DeidError(str(exc), src_dir) from exc
    release = _open_release(dst_dir, _release(salt, date_offset_days, keep_names), salt,
                            resume)
    report = FolderReport(src_dir=src_dir, dst_dir=dst_dir, method=_method(date_offset_days),
                          skipped=list(unlisted), was_incomplete=release.was_incomplete,
                          stale_parts_removed=len(remove_stale_parts(dst_dir)))
    for src in files:
        rel = src.relative_to(src_dir).as_posix()
        try:
            key = release.source_key(rel, src)
        except OSError:  # unreadable: _deidentify_path below says so, typed
            key = ""
        try:
            done = release.done(key) if key else None
            resumed = done is not None and done[0] not in report.sources
            if done is not None and resumed:
                dst, flags = done
            else:
                out, rep, source = _deidentify_path(src, salt, date_offset_days,
                                                    allow_burned_in)
                dst = dst_dir / (Path(rel) if keep_names else _output_name(out))
                if dst in report.sources:
                    raise DeidError(f"{src.name}: same SOP Instance UID as "
                                    f"{report._rel(report.sources[dst])}; a duplicate, "
                                    "left out.")
                _check_output_file(src, dst)
                _write_verified(out, dst, source, src.name)
                flags = rep.flags
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
            report.skipped.append(_skip(rel, src, exc))
            continue
        if resumed:
            report.resumed.append(dst)
        else:
            release.record(dst, key, flags)  # a failure here stops the run: incomplete
        report.written.append(dst)
        report.sources[dst] = src
        report.flags.extend((src, flag) for flag in flags)
    release.finish(skipped=len(report.skipped))
    return report


__all__ = ["MANIFEST", "FolderReport", "deidentify_folder"]
