"""Every error the DICOM helpers raise on purpose, in one place.

Two families, both under ``medlab.errors.MedlabError``:

- :class:`DicomError` (also a ``RuntimeError``, as before the consolidation):
  reading files, pixel data, folders and series;
- :class:`DeidError` (also a ``ValueError``, as before): de-identification.

Each message names the file (or folder) and says how to fix the problem.
A batch reader (:func:`medlab.dicom.load_folder`,
:func:`medlab.dicom.headers_frame`, :func:`medlab.dicom.deid.deidentify_folder`)
does not raise these for one bad file: it records a ``medlab.errors.Skipped``
with the error's class name and goes on.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import MedlabError


# ------------------------------------------------------------------ reading DICOM
class DicomError(MedlabError, RuntimeError):
    """Base class of every error of :mod:`medlab.dicom`; the message names file and fix.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """


class NotDicomError(DicomError):
    """The file is not DICOM (neither a Part 10 file nor a bare DICOM data set)."""


class FileAccessError(DicomError):
    """The file exists but cannot be opened (permissions, a folder, a broken link)."""


class FolderError(DicomError):
    """A folder to read is missing, is not a folder, or cannot be listed."""


class CorruptFileError(DicomError):
    """The file's structure is broken (an element with an invalid value representation)."""


class TruncatedFileError(CorruptFileError):
    """The file ends before the data it declares (an interrupted copy or download)."""


class MissingPixelDataError(DicomError):
    """The file has no Pixel Data element (a header-only or non-image object)."""


class DecoderMissingError(DicomError):
    """No installed package can decode the file's transfer syntax."""


class PixelDecodeError(DicomError):
    """The installed decoders all fail on the file's pixel data (a corrupt stream)."""


class HeaderMismatchError(DicomError):
    """The image header (Rows, Columns, frames, samples, bits) is missing a value
    needed to read the pixels, or disagrees with the pixel data actually stored.

    The message says what to check: Rows x Columns x SamplesPerPixel x
    BitsAllocated / 8 x NumberOfFrames against the length of the pixel data,
    and the transfer syntax (compressed or not, byte order)."""


class SeriesError(DicomError):
    """A folder does not form one consistent, evenly spaced series."""


class MissingSliceError(SeriesError):
    """Slices missing: a gap in positions, or fewer slices than the headers announce."""


class UnevenSpacingError(SeriesError):
    """Slice positions that are not evenly spaced within the tolerance."""


class ObliqueStackError(SeriesError):
    """Slice positions that do not lie along the slice normal: a sheared stack (gantry tilt), not a box of voxels."""


class InconsistentSeriesError(SeriesError):
    """Files that disagree on series, orientation, matrix size or pixel spacing."""


class MalformedGeometryError(InconsistentSeriesError):
    """A geometry value (ImagePositionPatient, ImageOrientationPatient,
    PixelSpacing) that is missing, has the wrong number of values or is not numeric."""


# ------------------------------------------------------------- de-identification
class DeidError(MedlabError, ValueError):
    """A dataset, file or folder could not be de-identified.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class BurnedInAnnotationError(DeidError):
    """``BurnedInAnnotation`` is ``YES`` and ``allow_burned_in`` was not given."""


class UnreadableDicomError(DeidError):
    """A file is not DICOM, is truncated or incomplete, or cannot be opened."""


class UnsupportedObjectError(DeidError):
    """An object that header rules cannot de-identify into something useful
    (a DICOMDIR, an encapsulated PDF or CDA document)."""


class OutputPathError(DeidError):
    """The output path is unusable: a file where a folder is needed, a folder
    where a file is needed, or the input itself."""


class ReleaseMismatchError(DeidError):
    """The output folder already holds a release made with another key or options."""


class IncompleteReleaseError(DeidError):
    """A release folder that is not a complete, verified release: a run was
    interrupted (killed, crashed) before it finished, or its files were changed
    since. The message names the folder and the fix (run ``deidentify_folder``
    again with the same salt and options)."""


class AnnexTableError(DeidError, ImportError):
    """The installed copy of Table E.1-1 (``dicom-anonymizer``) looks incomplete,
    so de-identification cannot start (also an ``ImportError``: raised on import)."""


class HollowOutputError(DeidError):
    """The written file lost what the input had (its pixel data); nothing is kept."""


__all__ = [
    "DicomError", "NotDicomError", "FileAccessError", "FolderError", "CorruptFileError",
    "TruncatedFileError",
    "MissingPixelDataError", "DecoderMissingError", "PixelDecodeError",
    "HeaderMismatchError", "SeriesError", "MissingSliceError", "UnevenSpacingError", "ObliqueStackError",
    "InconsistentSeriesError", "MalformedGeometryError",
    "DeidError", "BurnedInAnnotationError", "UnreadableDicomError",
    "UnsupportedObjectError", "OutputPathError", "ReleaseMismatchError",
    "IncompleteReleaseError", "HollowOutputError", "AnnexTableError",
]
