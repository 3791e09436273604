"""Whole folders: one table of headers, or every image, with bad files reported.

A batch never stops for one bad file: a file that cannot be read is left out
and reported as a ``medlab.errors.Skipped`` (its path relative to the
folder, the reason, the error's class name). A folder that cannot be read at
all is an error (:class:`~medlab.dicom.errors.FolderError`), never an empty
result; a sub-folder that cannot be listed is reported as skipped.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pydicom
from pydicom.dataset import Dataset

from ..errors import MedlabError, Skipped
from .errors import FolderError
from .pixels import frames, read_pixels
from .reading import PathLike, _has_pixels, read_dataset

#: Header fields collected by :func:`headers_frame` (keyword -> column).
HEADER_KEYWORDS: tuple[str, ...] = (
    "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
    "Modality", "SeriesDescription", "InstanceNumber", "Rows", "Columns",
    "NumberOfFrames", "SamplesPerPixel", "PhotometricInterpretation",
    "BitsAllocated", "BitsStored", "PixelRepresentation", "PixelSpacing",
    "SliceThickness", "ImagePositionPatient", "ImageOrientationPatient",
    "RescaleSlope", "RescaleIntercept", "WindowCenter", "WindowWidth",
    "BurnedInAnnotation",
)


def _scan(folder: Path) -> list[os.DirEntry]:
    with os.scandir(folder) as it:
        return sorted(it, key=lambda e: e.name)


def _list_files(folder: PathLike, recursive: bool = True,
               skip_names: Sequence[str] = ("DICOMDIR",),
               exclude: Path | None = None) -> tuple[list[Path], list[Skipped]]:
    """The files under ``folder`` (sorted) and the sub-folders that could not be listed.

    Hidden files and folders (name starting with ``.``: the ``.part`` files of
    interrupted writes, ``.git``, checkpoints) and ``skip_names`` are left out;
    so is everything under ``exclude`` (an output folder inside the input).
    Raises :class:`FolderError` when ``folder`` is missing, is not a folder,
    or cannot be listed, so that an unreadable folder never looks empty.
    """
    root = Path(folder)
    if not root.exists():
        raise FolderError(f"{root.name}: no such folder; check the path.")
    if not root.is_dir():
        raise FolderError(f"{root.name}: not a folder (a file?); pass the folder that "
                          "holds the DICOM files.")
    try:
        entries = _scan(root)
    except OSError as exc:
        raise FolderError(
            f"{root.name}: the folder cannot be listed ({exc.strerror or exc}); fix its "
            "permissions (for example chmod u+rx) or copy the files somewhere readable."
        ) from exc
    excluded = exclude.resolve() if exclude is not None else None
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen = {root.resolve()}
    pending = [entries]
    while pending:
        for entry in pending.pop(0):
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                skipped.append(Skipped.from_exception(path.relative_to(root).as_posix(), exc))
                continue
            if is_dir:
                real = path.resolve()
                if not recursive or real in seen or real == excluded:
                    continue
                seen.add(real)
                try:
                    pending.append(_scan(path))
                except OSError as exc:
                    skipped.append(Skipped(
                        path=path.relative_to(root).as_posix() + "/",
                        reason=f"sub-folder cannot be listed ({exc.strerror or exc}); "
                               "fix its permissions", error=type(exc).__name__))
            elif entry.name not in skip_names:
                files.append(path)
    return sorted(files), skipped


def _value(ds: Dataset, keyword: str) -> object:
    try:
        value = ds.get(keyword)
    except Exception:  # noqa: BLE001 - a value pydicom cannot convert: show nothing
        return None
    if value is None:
        return None
    if isinstance(value, pydicom.multival.MultiValue):
        return tuple(_plain(v) for v in value)
    return _plain(value)


def _plain(value: object) -> object:
    if isinstance(value, pydicom.valuerep.DSfloat):
        return float(value)
    if isinstance(value, pydicom.valuerep.IS):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)


def headers_frame(folder: PathLike, keywords: Sequence[str] = HEADER_KEYWORDS,
                  recursive: bool = True) -> pd.DataFrame:
    """One row per readable DICOM file in ``folder``, one column per header keyword.

    Pixel data is not decoded, but every file is checked for truncation
    (including inside its pixel data, from the element's length). Files that
    cannot be read are skipped: ``df.attrs["skipped"]`` is a list of
    ``medlab.errors.Skipped``. Columns ``file`` (relative path),
    ``has_pixels`` and ``TransferSyntax`` come first.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    root = Path(folder)
    paths, skipped = _list_files(root, recursive)
    rows = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            ds = read_dataset(path)
        except MedlabError as exc:
            skipped.append(Skipped.from_exception(rel, exc))
            continue
        row = {"file": rel, "has_pixels": _has_pixels(ds),
               "TransferSyntax": ds.file_meta.TransferSyntaxUID.name}
        row.update({k: _value(ds, k) for k in keywords})
        rows.append(row)
    df = pd.DataFrame(rows, columns=["file", "has_pixels", "TransferSyntax", *keywords])
    df.attrs["skipped"] = skipped
    return df


@dataclass
class LoadedImage:
    """One file of :func:`load_folder`: its dataset and frames ``(n, rows, cols[, s])``.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """

    path: Path
    dataset: Dataset
    frames: np.ndarray


def _short(skip: Skipped) -> str:
    """A skipped file's reason without the file name it starts with."""
    name = skip.path.rstrip("/").rsplit("/", 1)[-1]
    reason = skip.reason
    return reason[len(name) + 2:] if reason.startswith(f"{name}: ") else reason


@dataclass
class FolderLoad:
    """What :func:`load_folder` returns: the images read and the files skipped.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """

    images: list[LoadedImage] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def summary(self) -> str:
        """One line per skipped file after a count."""
        lines = [f"{len(self.images)} images read, {len(self.skipped)} files skipped"]
        lines += [f"  skipped {s.path} ({s.error}): {_short(s)}" for s in self.skipped]
        return "\n".join(lines)


def load_folder(folder: PathLike, recursive: bool = True) -> FolderLoad:
    """Read the pixel data of every DICOM file under ``folder``.

    A file that is not DICOM, truncated, without pixel data, without a
    decoder, whose header disagrees with its pixels or whose pixel data no
    decoder accepts is skipped and listed in ``skipped``; one bad file never
    stops the batch (an unexpected error is recorded under its own class
    name rather than raised). A folder that cannot be read raises
    :class:`FolderError`.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    root = Path(folder)
    paths, skipped = _list_files(root, recursive)
    out = FolderLoad(skipped=skipped)
    for path in paths:
        rel = path.relative_to(root).as_posix()
        try:
            ds = read_dataset(path, lazy=False)
            out.images.append(LoadedImage(path, ds, frames(ds, read_pixels(ds))))
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
            out.skipped.append(Skipped.from_exception(rel, exc))
    return out


__all__ = ["HEADER_KEYWORDS", "FolderLoad", "LoadedImage", "headers_frame", "load_folder"]
