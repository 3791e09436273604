"""Read DICOM files, folders and series with clear errors and correct geometry.

What a chapter needs from DICOM, in one place:

- :func:`read_dataset` / :func:`read_pixels`: one file, with every failure turned
  into a :class:`DicomError` subclass that names the file and the fix (not DICOM,
  truncated, no pixel data, no decoder installed for its transfer syntax);
- :func:`frames`, :func:`to_modality_units`, :func:`window`, :func:`for_display`:
  pixel values for a model or a screen (multi-frame, Hounsfield units, windows,
  MONOCHROME1 inversion);
- :func:`headers_frame` and :func:`load_folder`: a whole folder, skipping and
  reporting bad files instead of stopping halfway through a batch;
- :func:`load_series`: a 3D :class:`Volume` from one series, sorted along the
  slice normal, with spacing, origin and direction checked for gaps and
  inconsistencies; :func:`to_nifti` writes it with the right (RAS) affine.

Introduced in the chapters "Imaging modalities" (chapters/01_imaging_modalities.ipynb)
and "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import logging
import os
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

PathLike = str | os.PathLike


class DicomError(RuntimeError):
    """Base class of every error this module raises; the message names file and fix."""


class NotDicomError(DicomError):
    """The file is not a DICOM Part 10 file."""


class TruncatedFileError(DicomError):
    """The file ends before the data it declares (an interrupted copy or download)."""


class MissingPixelDataError(DicomError):
    """The file has no Pixel Data element (a header-only or non-image object)."""


class DecoderMissingError(DicomError):
    """No installed package can decode the file's transfer syntax."""


class SeriesError(DicomError):
    """A folder does not form one consistent, evenly spaced series."""


class MissingSliceError(SeriesError):
    """A gap in slice positions that is a multiple of the usual spacing."""


class UnevenSpacingError(SeriesError):
    """Slice positions that are not evenly spaced within the tolerance."""


class InconsistentSeriesError(SeriesError):
    """Files that disagree on series, orientation, matrix size or pixel spacing."""


# Packages that provide pydicom's decoding plugins, for error messages.
PLUGIN_PACKAGES: dict[str, str] = {
    "pylibjpeg": "pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg pylibjpeg-rle",
    "pillow": "pillow",
    "pyjpegls": "pyjpegls",
    "gdcm": "python-gdcm",
    "pydicom": "pydicom",
}

# What to install for each family of transfer syntaxes (first choice).
_SYNTAX_PACKAGES: tuple[tuple[str, str], ...] = (
    ("JPEG-LS", "pyjpegls"),
    ("JPEG 2000", "pylibjpeg pylibjpeg-openjpeg"),
    ("High-Throughput JPEG 2000", "pylibjpeg pylibjpeg-openjpeg"),
    ("JPEG", "pylibjpeg pylibjpeg-libjpeg"),
    ("RLE", "pylibjpeg pylibjpeg-rle"),
)

# Header fields collected by headers_frame (keyword -> column).
HEADER_KEYWORDS: tuple[str, ...] = (
    "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
    "Modality", "SeriesDescription", "InstanceNumber", "Rows", "Columns",
    "NumberOfFrames", "SamplesPerPixel", "PhotometricInterpretation",
    "BitsAllocated", "BitsStored", "PixelRepresentation", "PixelSpacing",
    "SliceThickness", "ImagePositionPatient", "ImageOrientationPatient",
    "RescaleSlope", "RescaleIntercept", "WindowCenter", "WindowWidth",
    "BurnedInAnnotation",
)

#: Standard CT display windows, name -> (width, level) in Hounsfield units.
#: Values from Radiopaedia, "Windowing (CT)" (radiopaedia.org/articles/windowing-ct):
#: brain W80 L40, subdural W200 L80 (130-300 / 50-100), lung W1500 L-600,
#: bone W1800 L400, soft tissue/abdomen W400 L50.
STANDARD_WINDOWS: dict[str, tuple[float, float]] = {
    "brain": (80.0, 40.0),
    "subdural": (200.0, 80.0),
    "soft tissue": (400.0, 50.0),
    "lung": (1500.0, -600.0),
    "bone": (1800.0, 400.0),
}


def _name(path: PathLike) -> str:
    return Path(path).name


def install_hint(transfer_syntax: pydicom.uid.UID) -> str:
    """The ``pip install`` command that adds a decoder for ``transfer_syntax``."""
    name = getattr(transfer_syntax, "name", str(transfer_syntax))
    for key, packages in _SYNTAX_PACKAGES:
        if key in name:
            return f"pip install {packages}"
    return "pip install pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg pyjpegls"


def _check_complete(ds: Dataset, path: Path) -> None:
    """Raise :class:`TruncatedFileError` if an element runs past the end of the file."""
    size = path.stat().st_size
    for tag in ds.keys():
        raw = ds.get_item(tag)
        length = getattr(raw, "length", None)
        if length is None or length == 0xFFFFFFFF:
            continue
        value = getattr(raw, "value", None)
        tell = getattr(raw, "value_tell", None)
        short = (
            (value is None and tell is not None and tell + length > size)
            or (isinstance(value, (bytes, bytearray)) and len(value) < length)
        )
        if short:
            keyword = pydicom.datadict.keyword_for_tag(tag) or str(tag)
            raise TruncatedFileError(
                f"{_name(path)}: the file is truncated ({size} bytes; {keyword} declares "
                f"{length} bytes that are not all there). Copy or download the file "
                "again from its source; a partial file cannot be repaired."
            )


def read_dataset(path: PathLike, stop_before_pixels: bool = False,
                 lazy: bool = True) -> Dataset:
    """Read one DICOM file, turning every failure into a clear :class:`DicomError`.

    With ``lazy``, large values (Pixel Data) are read only when used, so a header
    read is cheap,
    yet a file that ends before its declared data is still detected
    (:class:`TruncatedFileError`). A file that is not DICOM at all raises
    :class:`NotDicomError`.
    """
    path = Path(path)
    if not path.is_file():
        raise DicomError(f"{path.name}: no such file; check the folder and the file name.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, defer_size="64 KB" if lazy else None,
                                 stop_before_pixels=stop_before_pixels)
    except InvalidDicomError as exc:
        raise NotDicomError(
            f"{path.name}: not a DICOM file (no 'DICM' preamble: {exc}). Remove it from "
            "the folder, or, for an old headerless file you trust, read it with "
            "pydicom.dcmread(path, force=True)."
        ) from exc
    except (EOFError, OSError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise TruncatedFileError(
            f"{path.name}: the file cannot be parsed ({type(exc).__name__}: {exc}); it is "
            "probably truncated or corrupt. Copy or download it again from its source."
        ) from exc
    if "TransferSyntaxUID" not in getattr(ds, "file_meta", Dataset()):
        raise TruncatedFileError(
            f"{path.name}: the file meta header has no Transfer Syntax UID; the file is "
            "truncated or was not written as a DICOM Part 10 file. Copy it again."
        )
    _check_complete(ds, path)
    return ds


def _decoder_plugins(transfer_syntax: pydicom.uid.UID) -> tuple[str, ...] | None:
    """Installed pydicom plugins that decode ``transfer_syntax``.

    ``()``: pydicom knows the syntax but no plugin for it is installed;
    ``None``: this pydicom version has no decoder for the syntax at all.
    """
    from pydicom.pixels import get_decoder

    try:
        decoder = get_decoder(transfer_syntax)
    except NotImplementedError:
        return None
    if not transfer_syntax.is_compressed:
        return ("pydicom",)
    return tuple(decoder.available_plugins)


def decoders_for(transfer_syntax: pydicom.uid.UID | str) -> tuple[str, ...]:
    """Names of the installed pydicom plugins that can decode ``transfer_syntax``.

    ``("pydicom",)`` for uncompressed syntaxes; ``()`` when none is installed
    (or when pydicom has no decoder for the syntax at all).
    """
    return _decoder_plugins(pydicom.uid.UID(transfer_syntax)) or ()


def read_pixels(source: PathLike | Dataset, plugin: str | None = None) -> np.ndarray:
    """Decoded stored pixel values of a file or dataset (no rescale, no windowing).

    ``plugin`` forces one pydicom decoding plugin (``"pylibjpeg"``, ``"pillow"``,
    ``"pyjpegls"``, ``"gdcm"``, ``"pydicom"``). Raises :class:`MissingPixelDataError`,
    :class:`DecoderMissingError` (naming the package to install) or
    :class:`TruncatedFileError`, each naming the file.
    """
    if isinstance(source, Dataset):
        ds = source
        name = _name(getattr(ds, "filename", None) or "dataset")
    else:
        ds = read_dataset(source)
        name = _name(source)
    if not any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
        raise MissingPixelDataError(
            f"{name}: no Pixel Data element (SOP class "
            f"{getattr(ds.get('SOPClassUID'), 'name', ds.get('SOPClassUID', '?'))}). "
            "It is a header-only or non-image object: read its header with "
            "read_dataset(..., stop_before_pixels=True), or find the image file it refers to."
        )
    ts = pydicom.uid.UID(ds.file_meta.TransferSyntaxUID)
    available = _decoder_plugins(ts)
    if available is None:
        if any(k in ts.name for k in ("MPEG", "HEVC", "H.264", "H.265")):
            fix = ("It is a video stream: extract it with pydicom.encaps.generate_frames "
                   "and decode it with a video library, for example PyAV (pip install av).")
        else:
            fix = ("Upgrade pydicom (pip install -U pydicom) or convert the file to an "
                   "uncompressed syntax with a tool that reads it (for example gdcmconv "
                   "--raw).")
        raise DecoderMissingError(
            f"{name}: pydicom {pydicom.__version__} has no decoder for the transfer syntax "
            f"'{ts.name}' ({ts}). {fix}"
        )
    if not available or (plugin is not None and plugin not in available):
        wanted = f"the '{plugin}' plugin" if plugin else "any installed plugin"
        hint = f"pip install {PLUGIN_PACKAGES.get(plugin, plugin)}" if plugin else install_hint(ts)
        raise DecoderMissingError(
            f"{name}: its transfer syntax '{ts.name}' ({ts}) cannot be decoded by {wanted}"
            f" (installed plugins for it: {', '.join(available) or 'none'}). "
            f"Install one: {hint}"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if plugin is not None:
                ds.pixel_array_options(decoding_plugin=plugin)
            return ds.pixel_array
    except (ValueError, EOFError) as exc:
        raise TruncatedFileError(
            f"{name}: the pixel data cannot be decoded ({exc}). The file is probably "
            "truncated or corrupt: copy or download it again from its source."
        ) from exc
    finally:
        if plugin is not None:
            ds.pixel_array_options(decoding_plugin="")


def frames(ds: Dataset, pixels: np.ndarray | None = None) -> np.ndarray:
    """Pixel data as ``(frames, rows, columns[, samples])``, single-frame files too."""
    arr = read_pixels(ds) if pixels is None else pixels
    n = int(ds.get("NumberOfFrames", 1) or 1)
    samples = int(ds.get("SamplesPerPixel", 1))
    if n == 1 and arr.ndim == (3 if samples > 1 else 2):
        arr = arr[None]
    return arr


def to_modality_units(ds: Dataset, pixels: np.ndarray) -> np.ndarray:
    """Apply RescaleSlope/RescaleIntercept (CT: Hounsfield units) as float32."""
    slope = float(ds.get("RescaleSlope", 1) or 1)
    intercept = float(ds.get("RescaleIntercept", 0) or 0)
    return (pixels.astype(np.float32) * np.float32(slope) + np.float32(intercept))


def window(values: np.ndarray, width: float, level: float) -> np.ndarray:
    """Map ``[level - width/2, level + width/2]`` linearly to ``[0, 1]``, clipping outside."""
    low = level - width / 2.0
    return np.clip((np.asarray(values, dtype=np.float32) - low) / float(width), 0.0, 1.0)


def for_display(ds: Dataset, pixels: np.ndarray,
                percentiles: tuple[float, float] = (0.0, 100.0)) -> np.ndarray:
    """Grey values scaled to [0, 1] with bright = dense, whatever the photometric.

    MONOCHROME1 stores dense tissue as *low* values; this function inverts it
    within the stored range, so both MONOCHROME1 and MONOCHROME2 display the
    same way with ``cmap="gray"``. ``percentiles`` clips the range first (for
    example ``(0.5, 99.5)`` for an image with a few very bright pixels).
    """
    arr = np.asarray(pixels, dtype=np.float32)
    lo, hi = (float(v) for v in np.percentile(arr, percentiles))
    scaled = np.clip((arr - lo) / (hi - lo), 0, 1) if hi > lo else np.zeros_like(arr)
    if str(ds.get("PhotometricInterpretation", "")) == "MONOCHROME1":
        scaled = 1.0 - scaled
    return scaled


def pixel_spacing(ds: Dataset) -> tuple[tuple[float, float] | None, str]:
    """In-plane spacing ``(row, column)`` in mm and the element it came from.

    Looks at PixelSpacing, then ImagerPixelSpacing (projection radiography, at
    the detector), then the first ultrasound region's PhysicalDeltaY/X (cm, when
    its units are cm). Zero or missing values give ``(None, reason)``: the
    physical size of such an image is unknown.
    """
    for keyword in ("PixelSpacing", "ImagerPixelSpacing"):
        value = ds.get(keyword)
        if value is not None and len(value) == 2:
            spacing = (float(value[0]), float(value[1]))
            if min(spacing) > 0:
                return spacing, keyword
            return None, f"{keyword} is {list(value)}"
    regions = ds.get("SequenceOfUltrasoundRegions")
    if regions:
        r = regions[0]
        if int(r.get("PhysicalUnitsXDirection", 0)) == 3:  # 3 = cm
            return (10 * float(r.PhysicalDeltaY), 10 * float(r.PhysicalDeltaX)), \
                "SequenceOfUltrasoundRegions"
    return None, "no spacing in the header"


def to_rgb(ds: Dataset, pixels: np.ndarray) -> np.ndarray:
    """Colour images as RGB: PALETTE COLOR through its lookup table, others unchanged.

    pydicom already converts YBR colour spaces to RGB when decoding.
    """
    if str(ds.get("PhotometricInterpretation", "")) == "PALETTE COLOR":
        from pydicom.pixels import apply_color_lut

        rgb = apply_color_lut(pixels, ds)
        if rgb.dtype == np.uint16:  # 16-bit lookup-table entries
            rgb = (rgb >> 8).astype(np.uint8)
        return rgb
    return pixels


def describe_image(ds: Dataset, pixels: np.ndarray) -> dict[str, object]:
    """Header and measured pixel facts of one image, for a modality table."""
    spacing, source = pixel_spacing(ds)
    n = int(ds.get("NumberOfFrames", 1) or 1)
    rows, cols = int(ds.Rows), int(ds.Columns)
    return {
        "modality": str(ds.get("Modality", "")),
        "photometric": str(ds.get("PhotometricInterpretation", "")),
        "bits alloc/stored": f"{ds.get('BitsAllocated')}/{ds.get('BitsStored')}",
        "signed": bool(ds.get("PixelRepresentation", 0)),
        "matrix": f"{rows}x{cols}" + (f"x{n}f" if n > 1 else "")
        + (f"x{ds.SamplesPerPixel}" if int(ds.get("SamplesPerPixel", 1)) > 1 else ""),
        "spacing mm": "x".join(f"{s:.3g}" for s in spacing) if spacing else "unknown",
        "field of view mm": (f"{rows * spacing[0]:.0f}x{cols * spacing[1]:.0f}"
                             if spacing else "unknown"),
        "dtype": str(pixels.dtype),
        "min": pixels.min().item(),
        "max": pixels.max().item(),
    }


def describe_array(image: np.ndarray, spacing_mm: float | None = None) -> dict[str, object]:
    """The equivalents of :func:`describe_image` for an image without a DICOM header."""
    bits = image.dtype.itemsize * 8
    return {
        "modality": "",
        "photometric": "RGB" if image.ndim == 3 and image.shape[-1] == 3 else "grey",
        "bits alloc/stored": f"{bits}/{bits}",
        "signed": bool(np.issubdtype(image.dtype, np.signedinteger)),
        "matrix": "x".join(str(s) for s in image.shape),
        "spacing mm": f"{spacing_mm:.3g}" if spacing_mm else "unknown",
        "field of view mm": "unknown" if not spacing_mm
        else "x".join(f"{s * spacing_mm:.0f}" for s in image.shape[:2]),
        "dtype": str(image.dtype),
        "min": image.min().item(),
        "max": image.max().item(),
    }


def _value(ds: Dataset, keyword: str):
    value = ds.get(keyword)
    if value is None:
        return None
    if isinstance(value, pydicom.multival.MultiValue):
        return tuple(_plain(v) for v in value)
    return _plain(value)


def _plain(value):
    if isinstance(value, pydicom.valuerep.DSfloat):
        return float(value)
    if isinstance(value, pydicom.valuerep.IS):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)


def _dicom_files(folder: PathLike, recursive: bool = True) -> list[Path]:
    root = Path(folder)
    if not root.is_dir():
        raise DicomError(f"{root.name}: not a folder; pass the folder that holds the files.")
    pattern = "**/*" if recursive else "*"
    return sorted(p for p in root.glob(pattern)
                  if p.is_file() and not p.name.startswith(".") and p.name != "DICOMDIR")


def headers_frame(folder: PathLike, keywords: Sequence[str] = HEADER_KEYWORDS,
                  recursive: bool = True) -> pd.DataFrame:
    """One row per readable DICOM file in ``folder``, one column per header keyword.

    Pixel data is not decoded. Files that cannot be read are skipped; the list
    of ``(file name relative to folder, reason)`` is in ``df.attrs["skipped"]``.
    Columns ``file`` (relative path) and ``has_pixels`` come first.
    """
    root = Path(folder)
    rows, skipped = [], []
    for path in _dicom_files(root, recursive):
        rel = path.relative_to(root).as_posix()
        try:
            ds = read_dataset(path)
        except DicomError as exc:
            skipped.append((rel, _reason(exc)))
            continue
        row = {"file": rel, "has_pixels": "PixelData" in ds,
               "TransferSyntax": ds.file_meta.TransferSyntaxUID.name}
        row.update({k: _value(ds, k) for k in keywords})
        rows.append(row)
    df = pd.DataFrame(rows, columns=["file", "has_pixels", "TransferSyntax", *keywords])
    df.attrs["skipped"] = skipped
    return df


def _reason(exc: DicomError) -> str:
    return f"{type(exc).__name__}: {str(exc).split(': ', 1)[-1]}"


@dataclass
class LoadedImage:
    """One file of :func:`load_folder`: its dataset and frames ``(n, rows, cols[, s])``."""

    path: Path
    dataset: Dataset
    frames: np.ndarray


@dataclass
class FolderLoad:
    """What :func:`load_folder` returns: the images read and the files skipped."""

    images: list[LoadedImage] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One line per skipped file after a count."""
        lines = [f"{len(self.images)} images read, {len(self.skipped)} files skipped"]
        lines += [f"  skipped {name}: {reason}" for name, reason in self.skipped]
        return "\n".join(lines)


def load_folder(folder: PathLike, recursive: bool = True) -> FolderLoad:
    """Read the pixel data of every DICOM file under ``folder``.

    A file that is not DICOM, truncated, without pixel data or without a
    decoder is skipped and listed in ``skipped`` as ``(relative name, reason)``;
    one bad file never stops the batch.
    """
    root = Path(folder)
    out = FolderLoad()
    for path in _dicom_files(root, recursive):
        rel = path.relative_to(root).as_posix()
        try:
            ds = read_dataset(path, lazy=False)
            out.images.append(LoadedImage(path, ds, frames(ds, read_pixels(ds))))
        except DicomError as exc:
            out.skipped.append((rel, _reason(exc)))
    return out


# ----------------------------------------------------------------------------- series


@dataclass
class Volume:
    """A 3D image with its geometry, as built by :func:`load_series`.

    ``array`` is indexed ``(z, y, x)`` = (slice, row, column); ``spacing`` is
    ``(z, y, x)`` in mm; ``origin`` is the patient position (LPS, mm) of voxel
    (0, 0, 0); ``direction`` is a 3x3 matrix whose columns are the unit vectors
    of the x (along a row), y (down a column) and z (slice normal) axes in LPS.
    """

    array: np.ndarray
    spacing: tuple[float, float, float]
    origin: np.ndarray
    direction: np.ndarray
    files: list[Path]
    datasets: list[Dataset] = field(default_factory=list, repr=False)

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(z, y, x)`` voxels."""
        return tuple(self.array.shape)  # type: ignore[return-value]

    @property
    def affine_lps(self) -> np.ndarray:
        """4x4 matrix from voxel index ``(x, y, z)`` (column, row, slice) to LPS mm."""
        sz, sy, sx = self.spacing
        aff = np.eye(4)
        aff[:3, :3] = self.direction * np.array([sx, sy, sz])
        aff[:3, 3] = self.origin
        return aff

    @property
    def affine_ras(self) -> np.ndarray:
        """The same mapping to RAS millimetres, as NIfTI expects (x and y flipped)."""
        return np.diag([-1.0, -1.0, 1.0, 1.0]) @ self.affine_lps

    @property
    def orientation(self) -> str:
        """Axis codes of ``(x, y, z)`` in RAS terms (nibabel), for example ``"LPS"``."""
        import nibabel as nib

        return "".join(nib.aff2axcodes(self.affine_ras))

    @property
    def extent_mm(self) -> tuple[float, float, float]:
        """Physical size ``(z, y, x)`` covered by the voxels, in mm."""
        return tuple(float(n * s) for n, s in zip(self.shape, self.spacing))  # type: ignore


def _vec(ds: Dataset, keyword: str, path: Path, n: int) -> np.ndarray:
    value = ds.get(keyword)
    if value is None or len(value) != n:
        raise InconsistentSeriesError(
            f"{path.name}: missing or malformed {keyword}; it is not a slice of a 3D "
            "series (a scout, a screenshot or a derived object?). Remove it from the folder."
        )
    return np.array([float(v) for v in value])


def load_series(folder: PathLike | Iterable[PathLike], rescale: bool = True,
                spacing_tolerance: float = 0.05) -> Volume:
    """Build a :class:`Volume` from the files of one series (a folder or a list of files).

    Slices are sorted by ImagePositionPatient projected on the slice normal
    (the cross product of the two ImageOrientationPatient vectors), never by
    file name or InstanceNumber. Every slice must share series, orientation,
    matrix and pixel spacing; gaps between consecutive slices must match the
    median gap within ``spacing_tolerance`` (relative). Otherwise a
    :class:`SeriesError` subclass names the folder, the file and the fix:
    :class:`MissingSliceError`, :class:`UnevenSpacingError` or
    :class:`InconsistentSeriesError`. With ``rescale`` the array holds
    RescaleSlope/Intercept-applied float32 values.
    """
    if isinstance(folder, (str, os.PathLike)):
        where = Path(folder).name
        paths = _dicom_files(folder, recursive=False)
    else:
        paths = sorted(Path(p) for p in folder)
        where = paths[0].parent.name if paths else "(no files)"
    if not paths:
        raise SeriesError(f"{where}: no files; pass the folder of one DICOM series.")
    datasets = [read_dataset(p, lazy=False) for p in paths]

    first, p0 = datasets[0], paths[0]
    for key in ("SeriesInstanceUID",):
        values = Counter(str(ds.get(key)) for ds in datasets)
        if len(values) > 1:
            odd = next(p for p, ds in zip(paths, datasets)
                       if str(ds.get(key)) != values.most_common(1)[0][0])
            raise InconsistentSeriesError(
                f"{where}: files from {len(values)} series (e.g. {odd.name}); "
                "load one series at a time: group the files by SeriesInstanceUID "
                "(medlab.dicom.headers_frame(folder).groupby('SeriesInstanceUID'))."
            )
    iop0 = _vec(first, "ImageOrientationPatient", p0, 6)
    ps0 = _vec(first, "PixelSpacing", p0, 2)
    size0 = (int(first.Rows), int(first.Columns))
    positions = []
    for p, ds in zip(paths, datasets):
        iop = _vec(ds, "ImageOrientationPatient", p, 6)
        if not np.allclose(iop, iop0, atol=1e-4):
            raise InconsistentSeriesError(
                f"{where}: {p.name} has ImageOrientationPatient {np.round(iop, 4).tolist()}"
                f", {p0.name} has {np.round(iop0, 4).tolist()}; the files are not one "
                "stack. Remove the odd file(s) (a localiser?) or load them separately."
            )
        if (int(ds.Rows), int(ds.Columns)) != size0:
            raise InconsistentSeriesError(
                f"{where}: {p.name} is {ds.Rows}x{ds.Columns}, {p0.name} is "
                f"{size0[0]}x{size0[1]}; remove the file that does not belong to the series."
            )
        if not np.allclose(_vec(ds, "PixelSpacing", p, 2), ps0, rtol=1e-4):
            raise InconsistentSeriesError(
                f"{where}: {p.name} has PixelSpacing {list(ds.PixelSpacing)}, {p0.name} "
                f"has {ps0.tolist()}; remove the file that does not belong to the series."
            )
        positions.append(_vec(ds, "ImagePositionPatient", p, 3))

    row_dir, col_dir = iop0[:3], iop0[3:]
    normal = np.cross(row_dir, col_dir)
    along = np.array([pos @ normal for pos in positions])
    order = np.argsort(along, kind="stable")
    along = along[order]
    paths = [paths[i] for i in order]
    datasets = [datasets[i] for i in order]
    positions = [positions[i] for i in order]

    if len(paths) > 1:
        gaps = np.diff(along)
        dup = np.flatnonzero(gaps < 1e-3)
        if dup.size:
            i = int(dup[0])
            raise InconsistentSeriesError(
                f"{where}: {paths[i].name} and {paths[i + 1].name} have the same position "
                f"({along[i]:.2f} mm along the normal): duplicated slices or two "
                "acquisitions in one folder. Split by AcquisitionNumber or remove duplicates."
            )
        step = float(np.median(gaps))
        bad = np.flatnonzero(np.abs(gaps - step) > spacing_tolerance * step)
        if bad.size:
            i = int(bad[0])
            ratio = gaps[i] / step
            if abs(ratio - round(ratio)) <= spacing_tolerance and round(ratio) >= 2:
                missing = int(round(ratio)) - 1
                raise MissingSliceError(
                    f"{where}: {missing} slice(s) missing between {paths[i].name} and "
                    f"{paths[i + 1].name} (gap {gaps[i]:.2f} mm, usual spacing "
                    f"{step:.2f} mm). Re-export or re-download the complete series; "
                    "interpolating over the gap would invent anatomy."
                )
            raise UnevenSpacingError(
                f"{where}: uneven slice spacing: {gaps[i]:.2f} mm between {paths[i].name} "
                f"and {paths[i + 1].name}, usual spacing {step:.2f} mm (tolerance "
                f"{spacing_tolerance:.0%}). Resample to a regular grid first, or pass a "
                "larger spacing_tolerance if the difference is acceptable."
            )
    else:
        step = float(first.get("SpacingBetweenSlices", first.get("SliceThickness", 1.0)))

    slices = []
    for p, ds in zip(paths, datasets):
        arr = read_pixels(ds)
        slices.append(to_modality_units(ds, arr) if rescale else arr)
    array = np.stack(slices)
    direction = np.stack([row_dir, col_dir, normal], axis=1)
    return Volume(array=array, spacing=(step, float(ps0[0]), float(ps0[1])),
                  origin=positions[0], direction=direction, files=paths,
                  datasets=datasets)


def to_nifti(volume: Volume, path: PathLike) -> Path:
    """Write ``volume`` as NIfTI-1 with its RAS affine (qform and sform code 1).

    NIfTI stores data as ``(x, y, z)``, so the ``(z, y, x)`` array is transposed.
    """
    import nibabel as nib

    img = nib.Nifti1Image(np.ascontiguousarray(volume.array.transpose(2, 1, 0)),
                          volume.affine_ras)
    img.set_qform(volume.affine_ras, code=1)
    img.set_sform(volume.affine_ras, code=1)
    img.header.set_xyzt_units("mm")
    path = Path(path)
    nib.save(img, path)
    return path


def load_series_monai(folder: PathLike) -> Volume:
    """Read a series with MONAI's ``LoadImage(reader="PydicomReader")`` as a :class:`Volume`.

    Used to compare against :func:`load_series` (MONAI returns ``(x, y, z)``
    and a RAS affine; both are converted back to this module's conventions).
    Silences MONAI's per-read log notice that its GPU decoder is not installed.
    """
    from monai.transforms import LoadImage

    # MONAI logs a notice on every read when its GPU JPEG decoder is absent
    logging.getLogger("monai.data.nvimgcodec_pydicom_plugin").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        img = LoadImage(reader="PydicomReader", image_only=True)(str(folder))
    affine_ras = np.asarray(img.affine, dtype=float)
    affine_lps = np.diag([-1.0, -1.0, 1.0, 1.0]) @ affine_ras
    zooms = np.linalg.norm(affine_lps[:3, :3], axis=0)
    return Volume(
        array=np.asarray(img).transpose(2, 1, 0),
        spacing=(float(zooms[2]), float(zooms[1]), float(zooms[0])),
        origin=affine_lps[:3, 3],
        direction=affine_lps[:3, :3] / zooms,
        files=[],
    )


def compare_loaders(folder: PathLike, repeats: int = 5) -> dict[str, object]:
    """Time :func:`load_series` against MONAI's DICOM reader on one series folder.

    One warm-up call of each is discarded; then ``repeats`` rounds run both,
    alternating which goes first so that slow drifts of the machine's load hit
    both alike. Returns the median seconds of each, their ratio
    (``monai / medlab``: above 1 means ``load_series`` is faster), every
    timing, and whether both gave the same array, spacing, origin and direction.
    """
    import time

    ours, theirs = load_series(folder), load_series_monai(folder)
    times: dict[str, list[float]] = {"medlab": [], "monai": []}
    loaders = {"medlab": load_series, "monai": load_series_monai}
    for r in range(max(1, repeats)):
        order = ("medlab", "monai") if r % 2 == 0 else ("monai", "medlab")
        for name in order:
            start = time.perf_counter()
            loaders[name](folder)
            times[name].append(time.perf_counter() - start)
    med = {k: float(np.median(v)) for k, v in times.items()}
    return {
        "medlab_s": med["medlab"],
        "monai_s": med["monai"],
        "ratio_monai_over_medlab": med["monai"] / med["medlab"],
        "times": times,
        "same_shape": ours.shape == theirs.shape,
        "same_array": ours.shape == theirs.shape and bool(np.array_equal(ours.array,
                                                                          theirs.array)),
        "same_spacing": bool(np.allclose(ours.spacing, theirs.spacing, atol=1e-4)),
        "same_origin": bool(np.allclose(ours.origin, theirs.origin, atol=1e-4)),
        "same_direction": bool(np.allclose(ours.direction, theirs.direction, atol=1e-4)),
    }


__all__ = [
    "DicomError", "NotDicomError", "TruncatedFileError", "MissingPixelDataError",
    "DecoderMissingError", "SeriesError", "MissingSliceError", "UnevenSpacingError",
    "InconsistentSeriesError", "STANDARD_WINDOWS", "HEADER_KEYWORDS", "PLUGIN_PACKAGES",
    "install_hint", "read_dataset", "decoders_for", "read_pixels", "frames",
    "to_modality_units", "window", "for_display", "pixel_spacing", "to_rgb",
    "describe_image", "describe_array", "headers_frame", "load_folder",
    "FolderLoad", "LoadedImage", "Volume", "load_series", "load_series_monai", "to_nifti",
    "compare_loaders",
]
