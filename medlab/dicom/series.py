"""One series as a 3D :class:`Volume`, sorted along the slice normal and checked.

Introduced in the chapters "Imaging modalities" (chapters/01_imaging_modalities.ipynb)
and "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import contextlib
import gzip
import math
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset

from ..io import atomic_write_bytes
from .display import to_modality_units
from .errors import (
    DicomError,
    InconsistentSeriesError,
    MalformedGeometryError,
    MissingSliceError,
    ObliqueStackError,
    SeriesError,
    UnevenSpacingError,
)
from .folders import _list_files
from .pixels import _int, read_pixels
from .reading import PathLike, read_dataset


@dataclass
class Volume:
    """A 3D image with its geometry, as built by :func:`load_series`.

    ``array`` is indexed ``(z, y, x)`` = (slice, row, column); ``spacing`` is
    ``(z, y, x)`` in mm; ``origin`` is the patient position (LPS, mm) of voxel
    (0, 0, 0); ``direction`` is a 3x3 matrix whose columns are the unit vectors
    of the x (along a row), y (down a column) and z (slice normal) axes in LPS.

    Introduced in the chapters "Imaging modalities" (chapters/01_imaging_modalities.ipynb)
    and "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
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
    """``keyword`` as ``n`` finite floats, or :class:`MalformedGeometryError`."""
    try:
        value = ds.get(keyword)
        numbers = [float(v) for v in value] if value is not None else []
    except (TypeError, ValueError) as exc:
        problem = f"is not numeric ({exc})"
    else:
        if value is None:
            problem = "is missing"
        elif len(numbers) != n:
            problem = f"has {len(numbers)} values instead of {n}"
        elif not all(math.isfinite(v) for v in numbers):
            problem = f"is not finite ({numbers})"
        else:
            return np.array(numbers)
    raise MalformedGeometryError(
        f"{path.name}: {keyword} {problem}; the slice cannot be placed in the patient. "
        "If it is not a slice of this 3D series (a scout, a screenshot, a derived "
        "object), remove it from the folder; otherwise export the series again."
    )


def _check_ends(where: str, paths: list[Path], datasets: list[Dataset]) -> None:
    """Slices missing at an end of the stack, as far as the headers can tell."""
    n = len(paths)
    announced = {str(ds.get("ImagesInAcquisition", "") or "") for ds in datasets}
    acquisitions = {str(ds.get("AcquisitionNumber", "")) for ds in datasets}
    if len(announced) == 1 and len(acquisitions) == 1 and announced != {""}:
        try:
            expected = int(float(announced.pop()))
        except ValueError:
            expected = n
        if n < expected < 2 * n:  # several series of one acquisition share the count
            raise MissingSliceError(
                f"{where}: ImagesInAcquisition says {expected} images, the folder holds "
                f"{n} evenly spaced slices: {expected - n} slice(s) missing at the ends "
                "of the stack. Re-export or re-download the complete series."
            )
    try:
        numbers = [int(ds.InstanceNumber) for ds in datasets]
    except (AttributeError, TypeError, ValueError):
        return
    steps = set(np.diff(numbers).tolist())
    if n > 1 and steps in ({1}, {-1}) and min(numbers) > 1:
        first = paths[int(np.argmin(numbers))].name
        raise MissingSliceError(
            f"{where}: InstanceNumber runs {min(numbers)}..{max(numbers)} along the stack, "
            f"not from 1: {min(numbers) - 1} slice(s) probably missing next to {first}. "
            "Re-export or re-download the complete series, or pass check_ends=False if "
            "this series is numbered from there on purpose."
        )


def _folder_name(folder: Path) -> str:
    """A folder's name for messages, also for ``.`` or a path ending in ``..``."""
    return folder.name or folder.resolve().name or str(folder)


def _series_files(folder: PathLike | Iterable[PathLike]) -> tuple[str, list[Path]]:
    if isinstance(folder, (str, os.PathLike)):
        paths, _ = _list_files(folder, recursive=False)
        return _folder_name(Path(folder)), paths
    paths = sorted(Path(p) for p in folder)
    return (_folder_name(paths[0].parent) if paths else "(no files)"), paths


@contextlib.contextmanager
def _in_series(path: Path) -> Iterator[None]:
    """Re-raise a file's :class:`DicomError` with the series folder before the file name.

    The error keeps its class; its message starts ``folder/file.dcm: ...``,
    so that a reader of the message knows which series and which file.
    """
    try:
        yield
    except DicomError as exc:
        message = str(exc)
        if message.startswith(f"{path.name}: "):
            message = message[len(path.name) + 2:]
        raise type(exc)(f"{_folder_name(path.parent)}/{path.name}: {message}") from exc


def load_series(folder: PathLike | Iterable[PathLike], rescale: bool = True,
                spacing_tolerance: float = 0.05, check_ends: bool = True) -> Volume:
    """Build a :class:`Volume` from the files of one series (a folder or a list of files).

    Slices are sorted by ImagePositionPatient projected on the slice normal
    (the cross product of the two ImageOrientationPatient vectors), never by
    file name or InstanceNumber. Every slice must share series, orientation,
    matrix and pixel spacing; gaps between consecutive slices must match the
    median gap within ``spacing_tolerance`` (relative). Otherwise a
    :class:`SeriesError` subclass names the folder, the file and the fix:
    :class:`MissingSliceError`, :class:`UnevenSpacingError`,
    :class:`InconsistentSeriesError` or :class:`MalformedGeometryError` (a
    geometry value that is missing or not numeric). An error of one file
    (unreadable, truncated, pixels that disagree with the header) keeps its
    :class:`DicomError` class and names the series folder and the file:
    ``folder/file.dcm: ...``. With ``rescale`` the array
    holds RescaleSlope/Intercept-applied float32 values.

    What can and cannot be detected. A slice missing *inside* the stack leaves
    a gap in positions and is always found. A slice missing at either *end*
    leaves no gap; with ``check_ends`` it is found when the headers tell:
    ImagesInAcquisition larger than the number of files (but less than twice
    it, since several series of one acquisition share that count), or
    InstanceNumbers that run consecutively along the stack but do not start
    at 1 (the first slices are missing). A series cut after its last slice,
    without ImagesInAcquisition, looks complete and cannot be detected; nor can
    slices lost from a series whose numbering has gaps of its own.

    Introduced in the chapters "Imaging modalities" (chapters/01_imaging_modalities.ipynb),
    which uses it, and "DICOM in practice" (chapters/02_dicom_in_practice.ipynb), which
    explains it.
    """
    where, paths = _series_files(folder)
    if not paths:
        raise SeriesError(f"{where}: no files; pass the folder of one DICOM series.")
    datasets = []
    for p in paths:
        with _in_series(p):
            datasets.append(read_dataset(p, lazy=False))

    first, p0 = datasets[0], paths[0]
    series = Counter(str(ds.get("SeriesInstanceUID")) for ds in datasets)
    if len(series) > 1:
        odd = next(p for p, ds in zip(paths, datasets)
                   if str(ds.get("SeriesInstanceUID")) != series.most_common(1)[0][0])
        raise InconsistentSeriesError(
            f"{where}: files from {len(series)} series (e.g. {odd.name}); "
            "load one series at a time: group the files by SeriesInstanceUID "
            "(medlab.dicom.headers_frame(folder).groupby('SeriesInstanceUID'))."
        )
    with _in_series(p0):
        iop0 = _vec(first, "ImageOrientationPatient", p0, 6)
        ps0 = _vec(first, "PixelSpacing", p0, 2)
        size0 = (_int(first, "Rows", p0.name), _int(first, "Columns", p0.name))
    positions = []
    for p, ds in zip(paths, datasets):
        with _in_series(p):
            iop = _vec(ds, "ImageOrientationPatient", p, 6)
            size = (_int(ds, "Rows", p.name), _int(ds, "Columns", p.name))
            ps = _vec(ds, "PixelSpacing", p, 2)
            position = _vec(ds, "ImagePositionPatient", p, 3)
        if not np.allclose(iop, iop0, atol=1e-4):
            raise InconsistentSeriesError(
                f"{where}: {p.name} has ImageOrientationPatient {np.round(iop, 4).tolist()}"
                f", {p0.name} has {np.round(iop0, 4).tolist()}; the files are not one "
                "stack. Remove the odd file(s) (a localiser?) or load them separately."
            )
        if size != size0:
            raise InconsistentSeriesError(
                f"{where}: {p.name} is {size[0]}x{size[1]}, {p0.name} is "
                f"{size0[0]}x{size0[1]}; remove the file that does not belong to the series."
            )
        if not np.allclose(ps, ps0, rtol=1e-4):
            raise InconsistentSeriesError(
                f"{where}: {p.name} has PixelSpacing {ps.tolist()}, {p0.name} "
                f"has {ps0.tolist()}; remove the file that does not belong to the series."
            )
        positions.append(position)

    row_dir, col_dir = iop0[:3], iop0[3:]
    normal = np.cross(row_dir, col_dir)
    along = np.array([pos @ normal for pos in positions])
    order = np.argsort(along, kind="stable")
    along = along[order]
    paths = [paths[i] for i in order]
    datasets = [datasets[i] for i in order]
    positions = [positions[i] for i in order]

    if len(paths) > 1:
        _check_along_normal(where, paths, positions, normal, float(min(ps0)))
        step = _check_gaps(where, paths, along, spacing_tolerance)
    else:
        with _in_series(p0):
            step = _single_slice_step(first, p0)
    if check_ends:
        _check_ends(where, paths, datasets)

    slices = []
    for p, ds in zip(paths, datasets):
        with _in_series(p):
            arr = read_pixels(ds)
            slices.append(to_modality_units(ds, arr) if rescale else arr)
    direction = np.stack([row_dir, col_dir, normal], axis=1)
    return Volume(array=np.stack(slices), spacing=(step, float(ps0[0]), float(ps0[1])),
                  origin=positions[0], direction=direction, files=paths,
                  datasets=datasets)


def _check_along_normal(where: str, paths: list[Path], positions: list[np.ndarray], normal: np.ndarray,
                        pixel: float) -> None:
    """Raise :class:`ObliqueStackError` when a slice sits off the line through the first one along the normal.

    A stack acquired with a tilted gantry has each slice shifted in-plane
    against the previous one: the voxels are parallelepipeds, and a volume
    built as a box misplaces every slice but the first. The tolerance is a
    tenth of a pixel.
    """
    offsets = [pos - positions[0] for pos in positions]
    in_plane = np.array([np.linalg.norm(d - (d @ normal) * normal) for d in offsets])
    worst = int(np.argmax(in_plane))
    if in_plane[worst] > 0.1 * pixel:
        raise ObliqueStackError(
            f"{where}: {paths[worst].name} lies {in_plane[worst]:.2f} mm off the slice normal through "
            f"{paths[0].name} ({int((in_plane > 0.1 * pixel).sum())} of {len(paths)} slices off it): the stack is "
            "sheared (gantry tilt), so a box of voxels would misplace the slices. Resample it onto a regular "
            "grid first (for example dcm2niix, which corrects gantry tilt, or SimpleITK's resampling), or "
            "load it with a reader that keeps the full affine.")


def _single_slice_step(ds: Dataset, path: Path) -> float:
    raw = ds.get("SpacingBetweenSlices", ds.get("SliceThickness", 1.0))
    try:
        return float(raw) if raw not in (None, "") else 1.0
    except (TypeError, ValueError):
        raise MalformedGeometryError(
            f"{path.name}: SpacingBetweenSlices/SliceThickness is {raw!r}, not a number; "
            "fix the header or export the file again.") from None


def _check_gaps(where: str, paths: list[Path], along: np.ndarray,
                tolerance: float) -> float:
    """The usual slice spacing; raises on duplicates, gaps and uneven spacing."""
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
    bad = np.flatnonzero(np.abs(gaps - step) > tolerance * step)
    if bad.size:
        i = int(bad[0])
        ratio = gaps[i] / step
        if abs(ratio - round(ratio)) <= tolerance and round(ratio) >= 2:
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
            f"{tolerance:.0%}). Resample to a regular grid first, or pass a "
            "larger spacing_tolerance if the difference is acceptable."
        )
    return step


def to_nifti(volume: Volume, path: PathLike) -> Path:
    """Write ``volume`` as NIfTI-1 with its RAS affine (qform and sform code 1).

    NIfTI stores data as ``(x, y, z)``, so the ``(z, y, x)`` array is
    transposed. A name ending in ``.gz`` is gzip-compressed. The file appears
    whole or not at all (``medlab.io.atomic_write_bytes``).

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    import nibabel as nib

    img = nib.Nifti1Image(np.ascontiguousarray(volume.array.transpose(2, 1, 0)),
                          volume.affine_ras)
    img.set_qform(volume.affine_ras, code=1)
    img.set_sform(volume.affine_ras, code=1)
    img.header.set_xyzt_units("mm")
    path = Path(path)
    data = img.to_bytes()
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    return atomic_write_bytes(path, data)


__all__ = ["Volume", "load_series", "to_nifti"]
