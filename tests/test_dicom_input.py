"""DICOM input that never lies: each bad input gives a typed error or a reported skip.

Every test here failed before medlab.dicom was consolidated: a raw decoder
exception, a silently reshaped array, a truncated file read as complete, an
unreadable folder read as empty, an untyped ValueError from a series.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_testfiles import pydicom_file
from pydicom.dataelem import DataElement

from medlab import dicom
from medlab.dicom import deid, errors
from medlab.errors import MedlabError, Skipped


def _cut(src: Path, dst: Path, keep: float) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])
    return dst


def test_every_error_is_a_medlab_error_with_its_builtin_base():
    dicom_errors = [getattr(errors, n) for n in errors.__all__
                    if issubclass(getattr(errors, n), errors.DicomError)]
    deid_errors = [getattr(errors, n) for n in errors.__all__
                   if issubclass(getattr(errors, n), errors.DeidError)]
    assert len(dicom_errors) >= 14 and len(deid_errors) >= 7
    assert len(dicom_errors) + len(deid_errors) == len(errors.__all__)
    for cls in dicom_errors:
        assert issubclass(cls, MedlabError) and issubclass(cls, RuntimeError), cls
    for cls in deid_errors:
        assert issubclass(cls, MedlabError) and issubclass(cls, ValueError), cls
    assert dicom.MalformedGeometryError.__mro__[1] is dicom.InconsistentSeriesError


# ------------------------------------------------------------------ truncated files
@pytest.mark.parametrize("name", ["emri_small_jpeg_2k_lossless.dcm", "emri_small_RLE.dcm",
                                  "SC_rgb_jpeg_dcmtk.dcm"])
def test_compressed_file_cut_in_its_pixels_is_refused_everywhere(name, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    bad = _cut(pydicom_file(name), src / "cut.dcm", 0.8)
    with pytest.raises(dicom.TruncatedFileError, match=r"cut\.dcm: the file is truncated"):
        dicom.read_dataset(bad)
    with pytest.raises(dicom.TruncatedFileError):
        dicom.read_dataset(bad, lazy=False)
    with pytest.raises(deid.UnreadableDicomError, match="cut.dcm.*truncated"):
        deid.deidentify_file(bad, tmp_path / "out.dcm", salt="k")
    assert not (tmp_path / "out.dcm").exists()
    report = deid.deidentify_folder(src, tmp_path / "release", salt="k")
    assert report.written == []
    assert [(s.path, s.error) for s in report.skipped] == [("cut.dcm", "UnreadableDicomError")]


def test_lazy_read_finds_a_cut_inside_a_large_deferred_pixel_element(tmp_path):
    good = pydicom_file("MR2_UNCR.dcm")  # 512 x 512 x 16 bits: deferred by a lazy read
    ds = dicom.read_dataset(good)
    assert ds.get_item(0x7FE00010, keep_deferred=True).value is None  # not read
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(good, folder / "whole.dcm")
    bad = _cut(good, folder / "cut.dcm", 0.8)
    with pytest.raises(dicom.TruncatedFileError, match="cut.dcm.*PixelData declares"):
        dicom.read_dataset(bad)
    df = dicom.headers_frame(folder)
    assert df["file"].tolist() == ["whole.dcm"] and bool(df["has_pixels"].iloc[0])
    assert [(s.path, s.error) for s in df.attrs["skipped"]] == [("cut.dcm",
                                                                  "TruncatedFileError")]


def test_a_file_cut_inside_an_element_header_is_truncated(tmp_path):
    data = pydicom_file("CT_small.dcm").read_bytes()
    at = data.index(b"\xe0\x7f\x10\x00")  # the Pixel Data tag
    bad = tmp_path / "cut.dcm"
    bad.write_bytes(data[: at + 5])  # the tag and one byte of the VR
    with pytest.raises(dicom.TruncatedFileError, match="cut off in its header"):
        dicom.read_dataset(bad)


def test_an_invalid_value_representation_is_a_corrupt_file(tmp_path):
    data = bytearray(pydicom_file("CT_small.dcm").read_bytes())
    at = data.index(b"\x20\x00\x0e\x00UI")  # SeriesInstanceUID, explicit VR
    data[at + 4:at + 6] = b"\x55\xba"  # a flipped VR, as a bad disk or copy leaves it
    bad = tmp_path / "flipped.dcm"
    bad.write_bytes(bytes(data))
    with pytest.raises(dicom.CorruptFileError, match=r"flipped.dcm: element \(0020,000E\) "
                                                     "has the invalid value representation"):
        dicom.read_dataset(bad)
    with pytest.raises(deid.UnreadableDicomError, match="flipped.dcm"):
        deid.deidentify_file(bad, tmp_path / "out.dcm", salt="k")
    assert not (tmp_path / "out.dcm").exists()
    assert issubclass(dicom.TruncatedFileError, dicom.CorruptFileError)


# ------------------------------------------------------------- decoders and headers
def test_corrupt_streams_and_incomplete_headers_raise_typed_errors(tmp_path):
    with pytest.raises(dicom.PixelDecodeError, match="JPEG-lossy.dcm.*cannot be decoded"):
        dicom.read_pixels(pydicom_file("JPEG-lossy.dcm"))
    with pytest.raises(dicom.HeaderMismatchError, match="nested_priv_SQ.dcm.*missing"):
        dicom.read_pixels(pydicom_file("nested_priv_SQ.dcm"))
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("JPEG-lossy.dcm", "CT_small.dcm", "nested_priv_SQ.dcm"):
        shutil.copy(pydicom_file(name), folder / name)
    out = dicom.load_folder(folder)  # one bad file never stops the batch
    assert [img.path.name for img in out.images] == ["CT_small.dcm"]
    assert {s.path: s.error for s in out.skipped} == {
        "JPEG-lossy.dcm": "PixelDecodeError", "nested_priv_SQ.dcm": "HeaderMismatchError"}


@pytest.mark.parametrize("name, keyword, value", [
    ("CT_small.dcm", "Rows", 64),  # pydicom made this (2, 64, 128)
    ("CT_small.dcm", "Columns", 127),  # a sheared image
    ("emri_small.dcm", "NumberOfFrames", 5),  # 10 frames returned
    ("SC_rgb.dcm", "SamplesPerPixel", 1),  # colour read as 3 grey frames
    ("emri_small_RLE.dcm", "Rows", 32),  # half of every frame
    ("emri_small_jpeg_2k_lossless.dcm", "Rows", 32),
    ("emri_small_jpeg_2k_lossless.dcm", "NumberOfFrames", 5),
])
def test_header_that_disagrees_with_the_pixels_is_refused(name, keyword, value, tmp_path):
    ds = pydicom.dcmread(pydicom_file(name))
    setattr(ds, keyword, value)
    path = tmp_path / "liar.dcm"
    ds.save_as(path)
    with pytest.raises(dicom.HeaderMismatchError,
                       match=rf"liar.dcm: the header disagrees.*{keyword} {value}.*{_WHAT_TO_CHECK}"):
        dicom.read_pixels(path)


_WHAT_TO_CHECK = (r"Check Rows, Columns, SamplesPerPixel, BitsAllocated and NumberOfFrames "
                  r"against the length of the pixel data .* TransferSyntaxUID")


def _pydicom_pixels(path: Path) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom's own note on the padding
        return pydicom.dcmread(path).pixel_array


def test_trailing_zero_padding_is_read_with_a_warning(tmp_path):
    padded = pydicom_file("MR_small_padded.dcm")  # 8320 bytes of pixel data, 8192 needed
    with pytest.warns(UserWarning, match=r"MR_small_padded.dcm: PixelData holds 8320 bytes where "
                                         r"the header describes 8192; the 128 trailing bytes "
                                         r"are all zero \(padding\) and are ignored"):
        arr = dicom.read_pixels(padded)
    np.testing.assert_array_equal(arr, _pydicom_pixels(padded))
    assert arr.shape == (64, 64)
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(padded, folder / "padded.dcm")
    with pytest.warns(UserWarning, match="padded.dcm: PixelData holds 8320 bytes"):
        out = dicom.load_folder(folder)
    assert [img.path.name for img in out.images] == ["padded.dcm"] and out.skipped == []


def test_short_or_non_zero_extra_pixel_data_is_refused(tmp_path):
    ds = dicom.read_dataset(pydicom_file("MR_small_padded.dcm"), lazy=False)
    data = ds.PixelData
    ds.PixelData = data[:8000]  # a truncated copy, written as a consistent file
    ds.save_as(tmp_path / "short.dcm")
    with pytest.raises(dicom.HeaderMismatchError,
                       match=r"short.dcm: the header disagrees with the pixel data \(64x64 pixels "
                             r"of 16 bits need 8192 bytes, PixelData holds 8000: 192 bytes short\)"):
        dicom.read_pixels(tmp_path / "short.dcm")
    cut = _cut(pydicom_file("MR_small_padded.dcm"), tmp_path / "cut.dcm", 0.8)
    with pytest.raises(dicom.TruncatedFileError, match="cut.dcm: the file is truncated"):
        dicom.read_pixels(cut)  # a file cut inside its pixel data
    ds.PixelData = data[:8192] + b"\x01" * 128  # 128 extra bytes that are not padding
    with pytest.raises(dicom.HeaderMismatchError,
                       match=r"128 bytes more, not all zero, so not padding.*Rows 64, Columns 64, "
                             r"SamplesPerPixel 1, BitsAllocated 16.*transfer syntax Explicit VR "
                             rf"Little Endian\. {_WHAT_TO_CHECK}.*keep the first 8192: "
                             r"ds.PixelData = ds.PixelData\[:8192\]"):
        dicom.read_pixels(ds)
    ds.PixelData = data[:8192] + bytes(8192)  # a whole frame of zeros: Number of Frames?
    with pytest.raises(dicom.HeaderMismatchError, match="need 8192 bytes, PixelData holds 16384"):
        dicom.read_pixels(ds)


def test_rescale_that_is_not_a_number(tmp_path):
    ds = pydicom.dcmread(pydicom_file("CT_small.dcm"))
    ds["RescaleSlope"] = DataElement(0x00281053, "LO", "one")
    with pytest.raises(dicom.HeaderMismatchError, match="RescaleSlope is 'one'"):
        dicom.to_modality_units(ds, np.zeros((2, 2)))


# --------------------------------------------------------------------------- folders
def test_unreadable_or_wrong_folder_raises_instead_of_looking_empty(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    shutil.copy(pydicom_file("CT_small.dcm"), folder / "a.dcm")
    (folder / "sub").mkdir()
    shutil.copy(pydicom_file("MR_small.dcm"), folder / "sub" / "b.dcm")
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path) in locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)  # tests run as root: chmod cannot lock
    locked = {folder / "sub"}
    out = dicom.load_folder(folder)
    assert [img.path.name for img in out.images] == ["a.dcm"]
    assert [(s.path, s.error) for s in out.skipped] == [("sub/", "PermissionError")]
    locked = {folder}
    for reader in (dicom.load_folder, dicom.headers_frame):
        with pytest.raises(dicom.FolderError, match="locked: the folder cannot be listed"):
            reader(folder)
    with pytest.raises(dicom.FolderError, match="a.dcm: not a folder"):
        dicom.load_folder(folder / "a.dcm")
    with pytest.raises(dicom.FolderError, match="nowhere: no such folder"):
        dicom.headers_frame(tmp_path / "nowhere")


def test_unreadable_file_is_an_access_error_not_a_truncated_file(tmp_path, monkeypatch):
    path = tmp_path / "a.dcm"
    shutil.copy(pydicom_file("CT_small.dcm"), path)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pydicom, "dcmread", denied)
    with pytest.raises(dicom.FileAccessError, match="a.dcm: cannot be opened"):
        dicom.read_dataset(path)
    with pytest.raises(dicom.FileAccessError, match="not a file"):
        dicom.read_dataset(tmp_path)


def test_bare_data_set_without_preamble_is_read():
    ds = dicom.read_dataset(pydicom_file("ExplVR_BigEndNoMeta.dcm"))
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRBigEndian
    with pytest.raises(dicom.NotDicomError, match="README.txt: not a DICOM file"):
        dicom.read_dataset(Path(pydicom.data.__file__).parent / "test_files" / "README.txt")


# --------------------------------------------------------------------------- series
@pytest.fixture
def series_copy(mirror, tmp_path) -> Path:
    from medlab import data

    root = data.fetch("tcia_brain_tumor_progression", progress=False)
    src = next(iter(sorted(root.glob("PGBM-008/06-10-1993*/*T1post*"))))
    dst = tmp_path / "series"
    shutil.copytree(src, dst)
    return dst


def test_non_numeric_geometry_is_a_typed_error(series_copy):
    target = sorted(series_copy.glob("*.dcm"))[4]
    ds = pydicom.dcmread(target)
    ds["ImagePositionPatient"] = DataElement(0x00200032, "LO", ["12.5", "abc", "3"])
    ds.save_as(target)
    with pytest.raises(dicom.MalformedGeometryError,
                       match=rf"series/{target.name}: ImagePositionPatient is not numeric"):
        dicom.load_series(series_copy)
    ds["ImagePositionPatient"] = DataElement(0x00200032, "DS", ["12.5", "3"])
    ds.save_as(target)
    with pytest.raises(dicom.InconsistentSeriesError,
                       match=rf"series/{target.name}: ImagePositionPatient has 2 values instead of 3"):
        dicom.load_series(series_copy)


def _small_series(folder: Path, n: int = 3) -> list[Path]:
    """``n`` slices of CT_small.dcm, 5 mm apart along the slice normal."""
    folder.mkdir()
    ds = pydicom.dcmread(pydicom_file("CT_small.dcm"))
    iop = np.array([float(v) for v in ds.ImageOrientationPatient])
    normal = np.cross(iop[:3], iop[3:])
    origin = np.array([float(v) for v in ds.ImagePositionPatient])
    paths = []
    for i in range(n):
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = f"{ds.SeriesInstanceUID}.{i + 1}"
        ds.InstanceNumber = i + 1
        ds.ImagePositionPatient = [round(float(v), 4) for v in origin + 5.0 * i * normal]
        paths.append(folder / f"slice{i}.dcm")
        ds.save_as(paths[-1], enforce_file_format=True)
    return paths


def test_a_bad_file_of_a_series_names_the_folder_and_the_file(tmp_path):
    paths = _small_series(tmp_path / "ct_series")
    assert dicom.load_series(tmp_path / "ct_series").shape == (3, 128, 128)
    ds = pydicom.dcmread(paths[1])
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7  # half the bytes the pixels hold
    ds.save_as(paths[1])
    with pytest.raises(dicom.HeaderMismatchError,
                       match=rf"^ct_series/slice1.dcm: the header disagrees with the pixel data.*"
                             rf"BitsAllocated 8.*{_WHAT_TO_CHECK}"):
        dicom.load_series(tmp_path / "ct_series")
    _cut(pydicom_file("CT_small.dcm"), paths[1], 0.8)
    with pytest.raises(dicom.TruncatedFileError, match=r"^ct_series/slice1.dcm: the file is truncated"):
        dicom.load_series(tmp_path / "ct_series")
    with pytest.raises(dicom.TruncatedFileError, match=r"^ct_series/slice1.dcm: "):
        dicom.load_series(paths)  # a list of files: named by their folder too


def _by_instance(folder: Path) -> dict[int, Path]:
    return {int(pydicom.dcmread(p, stop_before_pixels=True).InstanceNumber): p
            for p in folder.glob("*.dcm")}


def test_slices_missing_at_the_ends(series_copy):
    full = dicom.load_series(series_copy)
    files = _by_instance(series_copy)
    n = len(files)
    assert full.shape[0] == n and files[1] in (full.files[0], full.files[-1])
    # the last-numbered slice gone, no ImagesInAcquisition: undetectable (documented)
    last = files[n].read_bytes()
    files[n].unlink()
    assert dicom.load_series(series_copy).shape[0] == n - 1
    # ... unless the headers announce how many images there are
    for path in series_copy.glob("*.dcm"):
        ds = pydicom.dcmread(path)
        ds.ImagesInAcquisition = n
        ds.save_as(path)
    with pytest.raises(dicom.MissingSliceError, match=f"ImagesInAcquisition says {n}"):
        dicom.load_series(series_copy)
    assert dicom.load_series(series_copy, check_ends=False).shape[0] == n - 1
    files[n].write_bytes(last)
    # the first slice gone: InstanceNumbers no longer start at 1
    files[1].unlink()
    with pytest.raises(dicom.MissingSliceError, match=f"InstanceNumber runs 2..{n}"):
        dicom.load_series(series_copy)


def test_skipped_is_the_one_shape(tmp_path):
    (tmp_path / "notes.txt").write_text("not an image")
    for skipped in (dicom.load_folder(tmp_path).skipped,
                    dicom.headers_frame(tmp_path).attrs["skipped"]):
        assert skipped == [Skipped("notes.txt", skipped[0].reason, "NotDicomError")]
        assert skipped[0].reason.startswith("notes.txt: not a DICOM file")
