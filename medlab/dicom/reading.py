"""Read one DICOM file, and refuse it clearly when it is not what it claims.

pydicom is forgiving by design: a file cut inside its compressed pixel data
reads as an *empty* data set (with only a warning), and a lazily read file
cut inside a large element reads without complaint until the value is used.
:func:`read_dataset` turns each of those cases into a typed
:class:`~medlab.dicom.errors.DicomError` that names the file and the fix:

- the warning pydicom gives when the file ends before a delimiter, or any
  parse failure, becomes :class:`~medlab.dicom.errors.TruncatedFileError`;
- every element whose declared length runs past the end of the file, a
  deferred (not yet read) Pixel Data element included, is found by comparing
  its offset plus length with the file size, without reading the value;
- a file that is not DICOM becomes :class:`~medlab.dicom.errors.NotDicomError`,
  one that cannot be opened :class:`~medlab.dicom.errors.FileAccessError`.

A data set stored without the 128-byte preamble and ``DICM`` prefix (old
"raw" files) is accepted when it starts with a group 0002 or 0008 element
and has a SOP Class UID; its transfer syntax is then the encoding pydicom
detected (implicit or explicit VR, little or big endian).

Introduced in the chapters "Imaging modalities" (chapters/01_imaging_modalities.ipynb)
and "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)
from pydicom.valuerep import VR

from .errors import CorruptFileError, FileAccessError, NotDicomError, TruncatedFileError

PathLike = str | os.PathLike

#: Lazy reads keep values larger than this in the file until they are used.
DEFER_SIZE = "64 KB"

# The first bytes of a data set stored without preamble: group 0002 or 0008,
# little or big endian.
_BARE_STARTS = (b"\x08\x00", b"\x02\x00", b"\x00\x08", b"\x00\x02")
# Warnings pydicom gives instead of raising when the file ends too early
# ("End of file reached before delimiter ...", "Unexpected end of file ...").
_EOF_WORDS = ("end of file",)
_UNDEFINED = 0xFFFFFFFF
_VRS = frozenset(vr.value for vr in VR)
_AGAIN = "Copy or download the file again from its source; a partial file cannot be repaired."


def _label(path: PathLike | None) -> str:
    """The name used in messages: the file name, without the folders above it."""
    return Path(path).name if path else "dataset"


def _parse(path: Path, lazy: bool, stop_before_pixels: bool,
           force: bool) -> tuple[Dataset, list[str]]:
    """``pydicom.dcmread`` with its warnings recorded instead of printed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = pydicom.dcmread(path, defer_size=DEFER_SIZE if lazy else None,
                             stop_before_pixels=stop_before_pixels, force=force)
    return ds, [str(w.message) for w in caught]


def _read_bare(path: Path, lazy: bool,
               stop_before_pixels: bool) -> tuple[Dataset, list[str]] | None:
    """A data set without preamble, or ``None`` when the file does not look like one."""
    with open(path, "rb") as fh:
        if fh.read(2) not in _BARE_STARTS:
            return None
    try:
        ds, notes = _parse(path, lazy, stop_before_pixels, force=True)
    except Exception:  # noqa: BLE001 - pydicom raises many kinds on non-DICOM bytes
        return None
    if "SOPClassUID" not in ds:
        return None
    implicit, little = ds.original_encoding
    if getattr(ds, "file_meta", None) is None:
        ds.file_meta = FileMetaDataset()
    if "TransferSyntaxUID" not in ds.file_meta and implicit is not None:
        ds.file_meta.TransferSyntaxUID = (
            ImplicitVRLittleEndian if implicit
            else ExplicitVRLittleEndian if little else ExplicitVRBigEndian)
    return ds, notes


def _truncated(path: Path, detail: str) -> TruncatedFileError:
    return TruncatedFileError(f"{path.name}: the file is truncated ({detail}). {_AGAIN}")


def _check_complete(ds: Dataset, path: Path, size: int | None, whole: bool) -> None:
    """Raise :class:`TruncatedFileError` if an element runs past the end of the file.

    An element whose value representation is not one of DICOM's is corrupt
    (:class:`CorruptFileError`). Deferred elements are not read: their offset
    plus declared length is
    compared with the file size. Elements already read are compared with
    their declared length. When the ``whole`` file was parsed, fewer than 8
    bytes after the last element are the start of an element cut off in its
    header (pydicom stops there silently). ``size`` is ``None`` for a deflated
    data set, whose offsets are not those of the file: only the values read
    are compared with their declared lengths.
    """
    tags = list(ds.keys())
    last = ds.get_item(tags[-1], keep_deferred=True) if tags else None
    tell, length = getattr(last, "value_tell", None), getattr(last, "length", None)
    if (whole and size is not None and tell is not None and length is not None
            and length != _UNDEFINED):
        rest = size - (tell + length)
        if 0 < rest < 8:
            raise _truncated(path, f"{size} bytes; the last {rest} byte(s) are the start "
                                   "of an element cut off in its header")
    meta: Dataset = getattr(ds, "file_meta", None) or Dataset()
    for holder, tag in [*((meta, t) for t in meta.keys()), *((ds, t) for t in tags)]:
        vr = getattr(holder.get_item(tag, keep_deferred=True), "VR", None)
        if vr is not None and vr not in _VRS:
            raise CorruptFileError(
                f"{path.name}: element {pydicom.tag.Tag(tag)} has the invalid value "
                f"representation {vr!r}; the file is corrupt from there on. {_AGAIN}")
    for tag in tags:
        raw = ds.get_item(tag, keep_deferred=True)
        length = getattr(raw, "length", None)
        if length is None or length == _UNDEFINED:
            continue
        value = getattr(raw, "value", None)
        tell = getattr(raw, "value_tell", None)
        short = ((value is None and tell is not None and size is not None
                  and tell + length > size)
                 or (isinstance(value, (bytes, bytearray)) and len(value) < length))
        if short:
            keyword = pydicom.datadict.keyword_for_tag(tag) or str(tag)
            raise _truncated(path, f"{size} bytes; {keyword} declares {length} bytes "
                                   "that are not all there")


def read_dataset(path: PathLike, stop_before_pixels: bool = False,
                 lazy: bool = True) -> Dataset:
    """Read one DICOM file, turning every failure into a clear :class:`DicomError`.

    With ``lazy``, values over 64 KB (Pixel Data) stay in the file until used,
    so a header read is cheap; a file that ends before its declared data is
    still detected, from the element's offset and length, without reading it
    (:class:`TruncatedFileError`). A file cut inside compressed (encapsulated)
    pixel data, which pydicom reads as an empty data set with a warning, is
    refused the same way. With ``stop_before_pixels`` nothing after the pixel
    data's start is looked at, so a cut inside the pixels is not seen: use
    ``lazy`` instead to check a file cheaply. A file that is not DICOM raises
    :class:`NotDicomError`; one that cannot be opened :class:`FileAccessError`.

    Introduced in the chapter "Imaging modalities" (chapters/01_imaging_modalities.ipynb).
    """
    path = Path(path)
    if not path.exists():
        raise FileAccessError(f"{path.name}: no such file; check the folder and the file name.")
    if not path.is_file():
        raise FileAccessError(f"{path.name}: not a file (a folder?); pass the path of one "
                              "DICOM file, or read a folder with load_folder.")
    try:
        size = path.stat().st_size
        try:
            ds, notes = _parse(path, lazy, stop_before_pixels, force=False)
        except InvalidDicomError as exc:
            bare = _read_bare(path, lazy, stop_before_pixels)
            if bare is None:
                raise NotDicomError(
                    f"{path.name}: not a DICOM file (no 'DICM' prefix, and no DICOM data set "
                    "at its start). Remove it from the folder, or check that it is not a "
                    "compressed archive (.zip, .gz) of DICOM files."
                ) from exc
            ds, notes = bare
    except PermissionError as exc:
        raise FileAccessError(
            f"{path.name}: cannot be opened ({exc.strerror or exc}); fix its permissions "
            "(for example chmod u+r) or copy it somewhere readable."
        ) from exc
    except NotDicomError:
        raise
    except Exception as exc:  # noqa: BLE001 - pydicom's parser raises many kinds
        raise TruncatedFileError(
            f"{path.name}: the file cannot be parsed ({type(exc).__name__}: {exc}); it is "
            f"probably truncated or corrupt. {_AGAIN}"
        ) from exc
    syntax = getattr(ds, "file_meta", Dataset()).get("TransferSyntaxUID")
    if lazy and syntax == DeflatedExplicitVRLittleEndian:
        # a deflated data set is read from a decompressed copy: deferred values
        # would be looked up at the wrong place in the file, so read it whole
        return read_dataset(path, stop_before_pixels, lazy=False)
    eof = [n for n in notes if any(w in n.lower() for w in _EOF_WORDS)]
    if eof:
        raise _truncated(path, f"{size} bytes; pydicom: {eof[0].split(' in file ')[0]}")
    if "TransferSyntaxUID" not in getattr(ds, "file_meta", Dataset()):
        raise TruncatedFileError(
            f"{path.name}: the file meta header has no Transfer Syntax UID; the file is "
            "truncated or was not written as a DICOM Part 10 file. Copy it again, or "
            "rewrite it with a tool that writes the file meta header (dcmconv, gdcmconv)."
        )
    if len(ds) == 0:
        raise _truncated(path, f"{size} bytes; nothing after the file meta header")
    deflated = syntax == DeflatedExplicitVRLittleEndian  # sizes are of the inflated data
    _check_complete(ds, path, None if deflated else size, whole=not stop_before_pixels)
    return ds


def _has_pixels(ds: Dataset) -> bool:
    """Whether ``ds`` holds Pixel Data (or its float variants), without reading it."""
    return any(tag in ds for tag in (0x7FE00010, 0x7FE00008, 0x7FE00009))


__all__ = ["DEFER_SIZE", "read_dataset"]
