"""Read DICOM files, folders and series with clear errors and correct geometry.

What a chapter needs from DICOM, in one place (``from medlab import dicom``):

- :func:`read_dataset` / :func:`read_pixels`: one file, with every failure turned
  into a :class:`DicomError` subclass that names the file and the fix (not DICOM,
  truncated, no pixel data, no decoder installed, a header that disagrees with
  the pixels, a corrupt stream); never a decoder's own exception, never a
  silently reshaped array (modules ``medlab.dicom.reading``,
  ``medlab.dicom.pixels``);
- :func:`frames`, :func:`to_modality_units`, :func:`window`, :func:`for_display`:
  pixel values for a model or a screen (multi-frame, Hounsfield units, windows,
  MONOCHROME1 inversion; ``medlab.dicom.display``);
- :func:`headers_frame` and :func:`load_folder`: a whole folder, skipping and
  reporting bad files (``medlab.errors.Skipped``) instead of stopping
  halfway through a batch (``medlab.dicom.folders``);
- :func:`load_series`: a 3D :class:`Volume` from one series, sorted along the
  slice normal, with spacing, origin and direction checked for gaps and
  inconsistencies; :func:`to_nifti` writes it with the right (RAS) affine
  (``medlab.dicom.series``; timing against MONAI in
  ``medlab.dicom.compare``);
- :mod:`medlab.dicom.deid`: de-identification with the PS3.15 Annex E Basic
  Profile (``from medlab.dicom import deid``).

Every error is in ``medlab.dicom.errors`` and derives from
``medlab.errors.MedlabError``.

Introduced in the chapters "Imaging modalities" (chapters/01_imaging_modalities.ipynb)
and "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

from . import display as _display
from . import folders as _folders
from . import pixels as _pixels
from .compare import compare_loaders, load_series_monai
from .display import describe_array, describe_image, for_display, pixel_spacing, to_modality_units, to_rgb, window
from .errors import (
                      CorruptFileError,
                      DecoderMissingError,
                      DicomError,
                      FileAccessError,
                      FolderError,
                      HeaderMismatchError,
                      InconsistentSeriesError,
                      MalformedGeometryError,
                      MissingPixelDataError,
                      MissingSliceError,
                      NotDicomError,
                      ObliqueStackError,
                      PixelDecodeError,
                      SeriesError,
                      TruncatedFileError,
                      UnevenSpacingError,
)
from .folders import FolderLoad, LoadedImage, headers_frame, load_folder
from .pixels import decoders_for, frames, read_pixels
from .reading import read_dataset
from .series import Volume, load_series, to_nifti

# The data, restated here so that the API page documents it.
STANDARD_WINDOWS: dict[str, tuple[float, float]] = _display.STANDARD_WINDOWS
"""Standard CT display windows, name -> (width, level) in Hounsfield units, from
Radiopaedia, "Windowing (CT)": brain W80 L40, subdural W200 L80, soft tissue
W400 L50, lung W1500 L-600, bone W1800 L400."""
HEADER_KEYWORDS: tuple[str, ...] = _folders.HEADER_KEYWORDS
"""Header fields collected by :func:`headers_frame`, one column each."""
PLUGIN_PACKAGES: dict[str, str] = _pixels.PLUGIN_PACKAGES
"""The ``pip install`` names of each pydicom decoding plugin, for error messages."""

__all__ = [
    "DicomError", "NotDicomError", "FileAccessError", "FolderError", "CorruptFileError",
    "TruncatedFileError",
    "MissingPixelDataError", "DecoderMissingError", "PixelDecodeError",
    "HeaderMismatchError", "SeriesError", "MissingSliceError", "UnevenSpacingError", "ObliqueStackError",
    "InconsistentSeriesError", "MalformedGeometryError",
    "STANDARD_WINDOWS", "HEADER_KEYWORDS", "PLUGIN_PACKAGES",
    "read_dataset", "decoders_for", "read_pixels", "frames",
    "to_modality_units", "window", "for_display", "pixel_spacing", "to_rgb",
    "describe_image", "describe_array", "headers_frame", "load_folder",
    "FolderLoad", "LoadedImage", "Volume", "load_series", "load_series_monai", "to_nifti",
    "compare_loaders",
]
