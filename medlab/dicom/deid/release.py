"""The release manifest of :func:`deidentify_folder`, and :func:`release_status` to read it.

A release is one output folder of :func:`~medlab.dicom.deid.deidentify_folder`.
Its manifest, ``.medlab-deid-release.json`` (:data:`MANIFEST`), is JSON::

    {"format": "medlab.dicom.deid release manifest 2",
     "complete": false,                 # true only once a run has finished
     "note": "INCOMPLETE: ...",         # what the state means and what to do
     "profile": "...", "standard_edition": "2026c", "keep_names": false,
     "key_check": "<HMAC of a fixed text under the salt>",
     "date_offset_check": null, "medlab_version": "...",
     "files": {"study-<h>/series-<h>/<h>.dcm":
               {"sha256": "<of the output file>",
                "source": "<HMAC under the salt of the source's path and content>",
                "flags": ["<warnings to read>"]}},
     "skipped_in_last_run": 2}          # complete manifests only

Completion is recorded at the very end, never before:

1. a run first replaces the manifest (atomically, ``medlab.io.atomic_write_text``)
   with one that says ``"complete": false`` and lists the files of earlier runs
   that still verify;
2. each output, written atomically and read back, is then appended to a
   journal, ``.medlab-deid-release.journal`` (:data:`JOURNAL`, one JSON
   object per line: the ``files`` entry plus ``"output"``);
3. only when every source file has been handled is the manifest replaced by
   the complete one (``"complete": true``, every file with its SHA-256), and
   the journal removed.

A run killed at any point therefore leaves ``"complete": false``:
:func:`release_status` reports the folder as ``"incomplete"``, and the next
:func:`~medlab.dicom.deid.deidentify_folder` into it (same salt and options)
resumes: an output listed in the manifest or the journal whose file still has
its recorded SHA-256, and whose source has the same path and content, is kept
without being redone; everything else is done again (everything, when the
manifest was written by another medlab version). With ``resume=False``
that run refuses instead (:class:`~medlab.dicom.errors.IncompleteReleaseError`).
A manifest of format 1 (older medlab, written before the run) has no
``complete`` key and reads as incomplete.

Nothing in the manifest or the journal names a source file or holds an
identifier: sources are recorded as keyed hashes, which only the salt can
test, and output names are hashes of new UIDs.

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

from ..._version import __version__
from ...io import atomic_write_text
from ..errors import IncompleteReleaseError, OutputPathError, ReleaseMismatchError
from .core import _method
from .table import STANDARD_EDITION

MANIFEST = ".medlab-deid-release.json"
"""The release manifest :func:`deidentify_folder` keeps in its output folder."""
JOURNAL = ".medlab-deid-release.journal"
"""The journal of files written by a run that has not finished (JSON lines)."""
FORMAT = "medlab.dicom.deid release manifest 2"

_INCOMPLETE_NOTE = (
    "INCOMPLETE: a deidentify_folder run is writing this release, or was interrupted "
    "before it finished. Do not share this folder. Run deidentify_folder again into it "
    "with the same salt and options: it keeps the files already verified and finishes "
    "the release.")
_COMPLETE_NOTE = ("Complete: every file listed here was written, read back and checked "
                  "by deidentify_folder; check with medlab.dicom.deid.release_status.")


# ----------------------------------------------------------------------- values
def _check_value(salt: str, text: str) -> str:
    return hmac.new(salt.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _source_key(salt: str, rel: str, path: Path) -> str:
    """A keyed hash of a source file's relative path and content (no name in clear)."""
    return _check_value(salt, f"source\0{rel}\0{_sha256(path)}")


def _release(salt: str, offset: int | None, keep_names: bool) -> dict[str, Any]:
    return {
        "format": FORMAT,
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


# ----------------------------------------------------------------------- reading
def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of ``folder``, ``None`` when there is none; unreadable raises."""
    manifest = folder / MANIFEST
    if not manifest.exists():
        return None
    try:
        have = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReleaseMismatchError(
            f"{folder.name}: its release manifest {MANIFEST} cannot be read ({exc}); "
            "de-identify into a new folder.", folder) from exc
    if not isinstance(have, dict):
        raise ReleaseMismatchError(
            f"{folder.name}: its release manifest {MANIFEST} is not a JSON object; "
            "de-identify into a new folder.", folder)
    return have


def _read_journal(folder: Path) -> dict[str, dict[str, Any]]:
    """Entries of the journal, by output; a line cut by a kill is ignored."""
    entries: dict[str, dict[str, Any]] = {}
    try:
        lines = (folder / JOURNAL).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return entries
    for line in lines:
        try:
            entry = json.loads(line)
            output = entry.pop("output")
        except (ValueError, KeyError, AttributeError, TypeError):
            continue  # the last line of a killed run may be cut
        if isinstance(output, str):
            entries[output] = entry
    return entries


def _recorded(folder: Path, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every file the manifest lists, plus the journal's while the release is incomplete."""
    files = manifest.get("files")
    entries = dict(files) if isinstance(files, dict) else {}
    if manifest.get("complete") is not True:
        entries.update(_read_journal(folder))
    return entries


def _verifies(folder: Path, output: str, entry: Any) -> bool:
    if not isinstance(entry, dict) or Path(output).is_absolute() or ".." in Path(output).parts:
        return False
    path = folder / output
    return path.is_file() and entry.get("sha256") == _sha256(path)


def _release_files(folder: Path) -> set[str]:
    """Every non-hidden file under ``folder`` (relative, POSIX), hidden folders skipped."""
    out = set()
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                out.add((Path(root) / name).relative_to(folder).as_posix())
    return out


@dataclass
class ReleaseStatus:
    """What :func:`release_status` found in a release folder.

    ``state`` is ``"complete"`` (the last run finished and, when checked,
    every listed file is there with its recorded SHA-256 and nothing else
    is), ``"incomplete"`` (a run is writing it or was interrupted: never
    share it), ``"damaged"`` (complete once, but files are missing, changed
    or were added since) or ``"not a release"`` (no manifest). ``files``
    counts the files recorded (for an incomplete release: written and
    verified so far); ``missing``, ``changed`` and ``unlisted`` name the
    problem files relative to the folder. :meth:`require_complete` raises
    :class:`~medlab.dicom.errors.IncompleteReleaseError` unless complete.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """

    folder: Path
    state: str
    files: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def complete(self) -> bool:
        """Whether the folder is a complete release that matches its manifest."""
        return self.state == "complete"

    def summary(self) -> str:
        """One line: the state, the number of files, the problems."""
        text = f"{self.folder.name}: {self.state}, {self.files} file(s) recorded"
        problems = [f"{len(v)} {k}" for k, v in (("missing", self.missing),
                                                  ("changed", self.changed),
                                                  ("not written by deidentify_folder",
                                                   self.unlisted)) if v]
        if problems:
            text += "; " + ", ".join(problems)
        return f"{text}. {self.note}".strip()

    def require_complete(self) -> ReleaseStatus:
        """Return ``self`` if complete, else raise :class:`IncompleteReleaseError`."""
        if not self.complete:
            raise self._error()
        return self

    def _error(self) -> IncompleteReleaseError:
        name = self.folder.name
        if self.state == "incomplete":
            message = (
                f"{name}: the release is incomplete: a deidentify_folder run is writing "
                f"it or was interrupted before it finished ({self.files} file(s) written "
                "and verified so far). Do not share it. Run deidentify_folder into "
                f"'{name}' again with the same salt and options: it keeps the verified "
                "files and finishes the release.")
        elif self.state == "damaged":
            examples = (self.missing + self.changed + self.unlisted)[:3]
            message = (
                f"{name}: the release no longer matches its manifest "
                f"({len(self.missing)} file(s) missing, {len(self.changed)} changed, "
                f"{len(self.unlisted)} not written by deidentify_folder; e.g. "
                f"{', '.join(examples)}). Run deidentify_folder into '{name}' again with "
                "the same salt and options to rewrite missing and changed files, and "
                "remove the files it did not write.")
        else:
            message = (f"{name}: not a de-identified release ({self.note}); make one with "
                       "deidentify_folder.")
        return IncompleteReleaseError(message, self.folder)


def release_status(folder: str | os.PathLike[str], *,
                   verify_files: bool = True) -> ReleaseStatus:
    """Whether ``folder`` holds a complete de-identified release: read its manifest.

    A release is complete only when the run that wrote it finished: the
    manifest says ``"complete": true`` (it says ``false`` from a run's start
    until its very end, so a killed run never looks complete). With
    ``verify_files`` every listed file must also still have its recorded
    SHA-256, and no other (non-hidden) file may be in the folder; otherwise
    the state is ``"damaged"``. Never raises for a folder that is missing or
    holds no release: the state says so. See :class:`ReleaseStatus`;
    ``release_status(folder).require_complete()`` raises
    :class:`~medlab.dicom.errors.IncompleteReleaseError` instead.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    folder = Path(folder)
    if not folder.is_dir():
        return ReleaseStatus(folder, "not a release", note="no such folder")
    try:
        manifest = _read_manifest(folder)
    except ReleaseMismatchError as exc:
        return ReleaseStatus(folder, "damaged", note=str(exc))
    if manifest is None:
        return ReleaseStatus(folder, "not a release", note=f"no manifest {MANIFEST}")
    entries = _recorded(folder, manifest)
    if manifest.get("complete") is not True:
        old = "" if "complete" in manifest else (
            " (a manifest of an older medlab, which did not record completion)")
        verified = sum(_verifies(folder, o, e) for o, e in entries.items()) \
            if verify_files else len(entries)
        return ReleaseStatus(folder, "incomplete", files=verified,
                             note=_INCOMPLETE_NOTE + old)
    status = ReleaseStatus(folder, "complete", files=len(entries), note=_COMPLETE_NOTE)
    if verify_files:
        for output, entry in sorted(entries.items()):
            if not (folder / output).is_file():
                status.missing.append(output)
            elif not _verifies(folder, output, entry):
                status.changed.append(output)
        status.unlisted = sorted(_release_files(folder) - set(entries))
        if status.missing or status.changed or status.unlisted:
            status.state = "damaged"
            status.note = ("the files no longer match the manifest; rerun deidentify_folder "
                           "with the same salt and options")
    return status


# ----------------------------------------------------------------------- writing
class _Release:
    """One run's handle on its release folder: what is done, what to record."""

    def __init__(self, folder: Path, settings: dict[str, Any], salt: str,
                 entries: dict[str, dict[str, Any]], was_incomplete: bool) -> None:
        self.folder = folder
        self.settings = settings
        self.salt = salt
        self.entries = entries
        self.was_incomplete = was_incomplete
        self._by_source = {e.get("source"): o for o, e in entries.items()}

    def source_key(self, rel: str, path: Path) -> str:
        return _source_key(self.salt, rel, path)

    def done(self, key: str) -> tuple[Path, list[str]] | None:
        """The verified output of the source with this key, and its flags, if any."""
        output = self._by_source.get(key)
        if output is None:
            return None
        return self.folder / output, list(self.entries[output].get("flags", []))

    def record(self, dst: Path, key: str, flags: list[str]) -> None:
        """Journal one verified output (a line, appended; a kill may cut only this line)."""
        output = dst.relative_to(self.folder).as_posix()
        entry = {"sha256": _sha256(dst), "source": key, "flags": list(flags)}
        old = self.entries.get(output)
        if old is not None:
            self._by_source.pop(old.get("source"), None)
        self.entries[output] = entry
        self._by_source[key] = output
        with open(self.folder / JOURNAL, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"output": output, **entry}, sort_keys=True) + "\n")

    def finish(self, skipped: int) -> None:
        """Record completion: the complete manifest replaces the incomplete one, last."""
        _write_manifest(self.folder, {**self.settings, "complete": True, "note": _COMPLETE_NOTE,
                                      "files": self.entries, "skipped_in_last_run": skipped})
        (self.folder / JOURNAL).unlink(missing_ok=True)


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def _open_release(dst: Path, settings: dict[str, Any], salt: str, resume: bool) -> _Release:
    """Claim ``dst`` for this run: check it holds the same release, mark it incomplete.

    A folder with the manifest of another salt or options raises
    :class:`ReleaseMismatchError`; a non-empty folder without a manifest
    :class:`OutputPathError`; an incomplete release with ``resume=False``
    :class:`IncompleteReleaseError`. Otherwise the manifest is replaced by an
    incomplete one that lists the earlier files that still verify.
    """
    have = _read_manifest(dst)
    if have is None:
        if dst.is_dir() and any(not p.name.startswith(".") for p in dst.iterdir()):
            raise OutputPathError(
                f"{dst.name}: the folder is not empty and holds no release manifest "
                f"({MANIFEST}); de-identify into a new or empty folder, so that the release "
                "holds only what this run writes.", dst)
        entries: dict[str, dict[str, Any]] = {}
        was_incomplete = False
    else:
        for key, what in _COMPARED.items():
            if have.get(key) != settings[key]:
                raise ReleaseMismatchError(
                    f"{dst.name}: already holds a release made with {what} "
                    f"({key} {have.get(key)!r}, this run {settings[key]!r}). Mixing them "
                    "would put two releases, whose UIDs and pseudonyms cannot be linked, "
                    "in one folder. De-identify into a new folder, or rerun with the "
                    "salt and options of that release.", dst)
        status = release_status(dst, verify_files=False)
        was_incomplete = status.state == "incomplete"
        if was_incomplete and not resume:
            raise status._error()
        entries = {}
        if have.get("medlab_version") == settings["medlab_version"]:  # else: redo all
            entries = {o: e for o, e in sorted(_recorded(dst, have).items())
                       if _verifies(dst, o, e)}
    _write_manifest(dst, {**settings, "complete": False, "note": _INCOMPLETE_NOTE,
                          "files": entries})
    (dst / JOURNAL).unlink(missing_ok=True)  # its entries are in the manifest now
    return _Release(dst, settings, salt, entries, was_incomplete)


__all__ = ["JOURNAL", "MANIFEST", "ReleaseStatus", "release_status"]
