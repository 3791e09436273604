"""De-identify files and folders: atomic, verified, one release per output folder.

- A file is read with the checks of :func:`medlab.dicom.read_dataset` (not
  DICOM, truncated anywhere, pixels included) plus one: an image must still
  have its pixel data. DICOMDIRs and encapsulated documents are refused
  (:class:`~medlab.dicom.errors.UnsupportedObjectError`).
- The output is written to a hidden ``.part`` sibling, read back and checked
  (it must parse, and hold exactly as many pixel-data bytes as the input),
  and only then moved into place (``medlab.io.atomic_path``). A failed
  check raises :class:`~medlab.dicom.errors.HollowOutputError` and leaves
  nothing behind, so a "written" file is never a hollow one.
- :func:`deidentify_folder` removes the ``.part`` leftovers of an interrupted
  run (``medlab.io.remove_stale_parts``) and records the release in a
  small manifest, ``.medlab-deid-release.json``: a key check value of the
  salt (an HMAC of a fixed text, not the salt), the profile and options. A
  later run into the same folder must use the same salt and options
  (:class:`~medlab.dicom.errors.ReleaseMismatchError`), so that two releases
  whose UIDs and pseudonyms cannot be linked are never mixed; a non-empty
  folder without a manifest is refused
  (:class:`~medlab.dicom.errors.OutputPathError`). The manifest says
  ``"complete": true`` only once a run has finished, so an interrupted run
  reads as incomplete (``medlab.dicom.deid.release``).

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.uid import UID, MediaStorageDirectoryStorage

from ...io import atomic_path
from ..errors import (
    BurnedInAnnotationError,
    DeidError,
    DicomError,
    HollowOutputError,
    OutputPathError,
    UnreadableDicomError,
    UnsupportedObjectError,
)
from ..reading import _has_pixels, read_dataset
from .core import DeidReport, deidentify

_PIXEL_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)
_ENCAPSULATED_DOCUMENT = 0x00420011


# -------------------------------------------------------------------------- reading
def _read_dicom(path: str | os.PathLike[str]) -> Dataset:
    """Read a DICOM file for de-identification, refusing anything incomplete.

    The checks of :func:`medlab.dicom.read_dataset` apply (not DICOM,
    truncated anywhere, pixel data included; a data set without preamble is
    accepted when it starts with a group 0002/0008 element); de-identification
    adds one: an image must still have its pixel data. Raises
    :class:`UnreadableDicomError` (the message names the file).
    """
    path = Path(path)
    try:
        ds = read_dataset(path, lazy=False)
    except DicomError as exc:
        raise UnreadableDicomError(str(exc), path) from exc
    sop = str(ds.get("SOPClassUID", "") or "")
    is_image = "Rows" in ds or (bool(sop) and "Image Storage" in UID(sop).name)
    if is_image and not _has_pixels(ds):
        raise UnreadableDicomError(
            f"{path.name}: an image without pixel data; the file is probably truncated "
            "or was exported without its pixels. Copy it again from its source.", path)
    return ds


def _refuse_unsupported(ds: Dataset, src: Path) -> None:
    sop = str(ds.get("SOPClassUID", "") or "")
    if sop == MediaStorageDirectoryStorage or "DirectoryRecordSequence" in ds:
        raise UnsupportedObjectError(
            f"{src.name}: a DICOMDIR (it names the original files); build a new one "
            "from the de-identified files instead.", src)
    sop_name = UID(sop).name if sop else ""
    if "Encapsulated" in sop_name or (_ENCAPSULATED_DOCUMENT in ds and not _has_pixels(ds)):
        kind = sop_name or "an encapsulated document"
        raise UnsupportedObjectError(
            f"{src.name}: {kind}: Table E.1-1 replaces the document itself with a dummy "
            "value (D), so the output would hold no document. De-identify the document "
            "with a tool for its format and re-encapsulate it, or leave it out of the "
            "release.", src)


def _deidentify_path(src: Path, salt: str, offset: int | None,
                     allow: bool) -> tuple[Dataset, DeidReport, Dataset]:
    ds = _read_dicom(src)
    _refuse_unsupported(ds, src)
    try:
        out, report = deidentify(ds, salt=salt, date_offset_days=offset,
                                 allow_burned_in=allow)
    except BurnedInAnnotationError as exc:
        raise BurnedInAnnotationError(f"{src.name}: {exc}", src) from None
    meta = out.file_meta
    missing = [k for k in ("MediaStorageSOPClassUID", "MediaStorageSOPInstanceUID",
                           "TransferSyntaxUID") if not meta.get(k)]
    if missing:
        raise DeidError(f"{src.name}: cannot write a DICOM file without "
                        + ", ".join(missing) + "; the source lacks them.", src)
    return out, report, ds


# -------------------------------------------------------------------------- writing
def _save(ds: Dataset, target: Path) -> None:
    with open(target, "wb") as fh:
        ds.save_as(fh, enforce_file_format=True)
        fh.flush()
        os.fsync(fh.fileno())


def _pixel_bytes(ds: Dataset, tag: int) -> int:
    raw = ds.get_item(tag, keep_deferred=True)
    value = getattr(raw, "value", None)
    length = int(getattr(raw, "length", 0) or 0)
    if value is None and length != 0xFFFFFFFF:
        return length  # a deferred value: its declared length, checked against the file
    if value is None:  # deferred and of undefined length (compressed): read it
        value = ds[tag].value
    return len(value or b"")


def _verify(written: Path, source: Dataset, name: str) -> None:
    """The output must parse and carry every pixel-data byte of the input."""
    try:
        back = read_dataset(written, lazy=True)
    except DicomError as exc:
        raise HollowOutputError(f"{name}: the de-identified output cannot be read back "
                                f"({type(exc).__name__}); nothing was written.") from exc
    for tag in _PIXEL_TAGS:
        if tag in source:
            want = _pixel_bytes(source, tag)
            got = _pixel_bytes(back, tag) if tag in back else 0
            if got != want:
                raise HollowOutputError(
                    f"{name}: the output would hold {got} bytes of pixel data, the input "
                    f"holds {want}; nothing was written. Report this file: it is a bug.")


def _write_verified(out: Dataset, dst: Path, source: Dataset, name: str) -> None:
    with atomic_path(dst) as tmp:
        try:
            _save(out, tmp)
        except OSError:
            raise  # the disk, not the data: full, read-only, ...
        except Exception as exc:  # noqa: BLE001 - pydicom's writer raises many kinds
            raise UnreadableDicomError(
                f"{name}: the de-identified data set cannot be encoded "
                f"({type(exc).__name__}: {exc}); the source file is probably corrupt. "
                "Copy it again from its source.") from exc
        _verify(tmp, source, name)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _check_output_file(src: Path, dst: Path) -> None:
    if _same_file(src, dst):
        raise OutputPathError(f"{src.name}: refusing to overwrite the original file; "
                              "choose another output path.", dst)
    if dst.is_dir():
        raise OutputPathError(f"{dst.name}: is a folder; pass the path of the file to "
                              "write (for example a name ending in .dcm inside it), or use "
                              "deidentify_folder.", dst)
    for parent in dst.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputPathError(f"{parent.name}: is a file, so {dst.name} cannot be "
                                  "written inside it; choose another output path.", dst)


def deidentify_file(src: str | os.PathLike[str], dst: str | os.PathLike[str], *,
                    salt: str, date_offset_days: int | None = None,
                    allow_burned_in: bool = False) -> DeidReport:
    """De-identify one file into ``dst``, atomically and verified.

    Nothing is written when anything fails; errors are :class:`DeidError`
    subclasses that name the file. The output is read back before it is
    moved into place and must carry all of the input's pixel data
    (:class:`HollowOutputError` otherwise). The output name is the caller's
    choice: make sure it carries no identifier.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    src, dst = Path(src), Path(dst)
    _check_output_file(src, dst)
    out, report, source = _deidentify_path(src, salt, date_offset_days, allow_burned_in)
    _write_verified(out, dst, source, src.name)
    return report


__all__ = ["deidentify_file"]
