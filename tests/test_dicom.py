"""medlab.dicom: reading, bad input, series geometry, NIfTI round trip (real files)."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_testfiles import pydicom_file

from medlab import dicom
from medlab.dicom import pixels
from medlab.errors import Skipped


@pytest.fixture
def series_dir(mirror) -> Path:
    """One real TCIA T1post series (22 slices of 320 x 280)."""
    from medlab import data

    root = data.fetch("tcia_brain_tumor_progression", progress=False)
    return next(iter(sorted(root.glob("PGBM-008/06-10-1993*/*T1post*"))))


@pytest.fixture
def series_copy(series_dir, tmp_path) -> Path:
    dst = tmp_path / "series"
    shutil.copytree(series_dir, dst)
    return dst


# --------------------------------------------------------------------- single files


def test_read_pixels_and_frames():
    ct = pydicom_file("CT_small.dcm")
    ds = dicom.read_dataset(ct)
    arr = dicom.read_pixels(ds)
    assert arr.shape == (128, 128)
    assert dicom.frames(ds, arr).shape == (1, 128, 128)
    multi = dicom.read_dataset(pydicom_file("emri_small.dcm"))
    assert dicom.frames(multi).shape == (10, 64, 64)


def test_hounsfield_and_window():
    ds = dicom.read_dataset(pydicom_file("CT_small.dcm"))
    hu = dicom.to_modality_units(ds, dicom.read_pixels(ds))
    expected = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    np.testing.assert_allclose(hu, expected)
    w = dicom.window(np.array([-1000.0, 40.0, 80.0, 1000.0]), width=80, level=40)
    np.testing.assert_allclose(w, [0.0, 0.5, 1.0, 1.0])


def test_monochrome1_is_inverted():
    ds = dicom.read_dataset(pydicom_file("RG1_UNCR.dcm"))
    assert ds.PhotometricInterpretation == "MONOCHROME1"
    raw = np.array([[0, 10], [20, 40]], dtype=np.uint16)
    shown = dicom.for_display(ds, raw)
    assert shown[0, 0] == 1.0 and shown[1, 1] == 0.0
    ds2 = dicom.read_dataset(pydicom_file("CT_small.dcm"))
    assert dicom.for_display(ds2, raw)[1, 1] == 1.0


def test_not_dicom(tmp_path):
    bad = tmp_path / "notes.dcm"
    bad.write_text("this is a text file, not an image\n" * 20)
    with pytest.raises(dicom.NotDicomError, match="notes.dcm.*not a DICOM file"):
        dicom.read_dataset(bad)


@pytest.mark.parametrize("keep", [0.97, 0.3])
def test_truncated_file(tmp_path, keep):
    src = pydicom_file("CT_small.dcm").read_bytes()
    bad = tmp_path / "cut.dcm"
    bad.write_bytes(src[: int(len(src) * keep)])
    with pytest.raises(dicom.TruncatedFileError, match=r"cut\.dcm.*(again|truncated)"):
        dicom.read_pixels(bad)


def test_missing_pixel_data(tmp_path):
    ds = pydicom.dcmread(pydicom_file("CT_small.dcm"))
    del ds.PixelData
    path = tmp_path / "header_only.dcm"
    ds.save_as(path)
    with pytest.raises(dicom.MissingPixelDataError, match="header_only.dcm.*no Pixel Data"):
        dicom.read_pixels(path)


def test_decoder_missing_simulated(monkeypatch):
    path = pydicom_file("emri_small_jpeg_2k_lossless.dcm")
    assert dicom.read_pixels(path).shape == (10, 64, 64)
    monkeypatch.setattr(pixels, "_decoder_plugins", lambda ts: ())
    with pytest.raises(dicom.DecoderMissingError,
                       match=r"emri_small_jpeg_2k_lossless.dcm.*JPEG 2000.*pip install pylibjpeg"):
        dicom.read_pixels(path)


def test_decoder_plugin_not_installed():
    path = pydicom_file("emri_small_jpeg_2k_lossless.dcm")
    if "gdcm" in pixels._decoder_plugins(pydicom.uid.JPEG2000Lossless):
        pytest.skip("gdcm is installed here")
    with pytest.raises(dicom.DecoderMissingError, match="pip install python-gdcm"):
        dicom.read_pixels(path, plugin="gdcm")


def test_syntax_without_any_decoder(tmp_path):
    ds = pydicom.dcmread(pydicom_file("MR_small_jpeg_ls_lossless.dcm"))
    ds.file_meta.TransferSyntaxUID = pydicom.uid.MPEG4HP41
    path = tmp_path / "video.dcm"
    ds.save_as(path, enforce_file_format=True)
    assert dicom.decoders_for(pydicom.uid.MPEG4HP41) == ()
    with pytest.raises(dicom.DecoderMissingError, match=r"video.dcm.*no decoder.*pip install av"):
        dicom.read_pixels(path)


def test_decoders_for():
    assert dicom.decoders_for(pydicom.uid.ExplicitVRLittleEndian) == ("pydicom",)
    assert "pyjpegls" in dicom.decoders_for(pydicom.uid.JPEGLSLossless)
    assert "pylibjpeg" in dicom.decoders_for(pydicom.uid.JPEG2000Lossless)


def test_compressed_syntaxes_decode_like_uncompressed():
    reference = pydicom.dcmread(pydicom_file("emri_small.dcm")).pixel_array
    for name in ("emri_small_RLE.dcm", "emri_small_jpeg_2k_lossless.dcm",
                 "emri_small_jpeg_ls_lossless.dcm"):
        np.testing.assert_array_equal(dicom.read_pixels(pydicom_file(name)), reference)


def test_errors_are_dicom_errors():
    for cls in (dicom.NotDicomError, dicom.TruncatedFileError, dicom.MissingPixelDataError,
                dicom.DecoderMissingError, dicom.MissingSliceError,
                dicom.UnevenSpacingError, dicom.InconsistentSeriesError):
        assert issubclass(cls, dicom.DicomError)


# --------------------------------------------------------------------------- folders


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("CT_small.dcm", "MR_small.dcm", "emri_small.dcm"):
        shutil.copy(pydicom_file(name), folder / name)
    (folder / "readme.txt").write_text("not an image")
    src = pydicom_file("MR_small.dcm").read_bytes()
    (folder / "cut.dcm").write_bytes(src[: len(src) - 500])
    ds = pydicom.dcmread(pydicom_file("CT_small.dcm"))
    del ds.PixelData
    ds.save_as(folder / "nopix.dcm")
    return folder


def test_headers_frame_skips_bad_files(mixed_folder):
    df = dicom.headers_frame(mixed_folder)
    assert sorted(df["file"]) == ["CT_small.dcm", "MR_small.dcm", "emri_small.dcm",
                                  "nopix.dcm"]
    assert df.set_index("file").loc["nopix.dcm", "has_pixels"] == False  # noqa: E712
    skipped = {s.path: s for s in df.attrs["skipped"]}
    assert set(skipped) == {"readme.txt", "cut.dcm"}
    assert skipped["readme.txt"].error == "NotDicomError"
    assert skipped["cut.dcm"].error == "TruncatedFileError"
    assert all(isinstance(s, Skipped) for s in skipped.values())
    assert df.set_index("file").loc["emri_small.dcm", "NumberOfFrames"] == 10


def test_load_folder_skips_bad_files(mixed_folder):
    out = dicom.load_folder(mixed_folder)
    names = sorted(img.path.name for img in out.images)
    assert names == ["CT_small.dcm", "MR_small.dcm", "emri_small.dcm"]
    reasons = {s.path: s for s in out.skipped}
    assert set(reasons) == {"readme.txt", "cut.dcm", "nopix.dcm"}
    assert reasons["nopix.dcm"].error == "MissingPixelDataError"
    assert "nopix.dcm" in reasons["nopix.dcm"].reason
    assert "3 images read, 3 files skipped" in out.summary()


# --------------------------------------------------------------------------- series


def test_load_series_geometry(series_dir):
    vol = dicom.load_series(series_dir)
    ds = pydicom.dcmread(vol.files[0])
    assert vol.shape == (22, 320, 280)
    np.testing.assert_allclose(vol.spacing, (6.5, 0.6875, 0.6875), atol=1e-3)
    np.testing.assert_allclose(vol.origin, [float(v) for v in ds.ImagePositionPatient])
    # slices increase along the normal, whatever the file names say
    normal = vol.direction[:, 2]
    along = [float(np.dot([float(v) for v in pydicom.dcmread(f).ImagePositionPatient],
                          normal)) for f in vol.files]
    assert np.all(np.diff(along) > 0)
    np.testing.assert_allclose(np.linalg.det(vol.direction), 1.0, atol=1e-6)
    # the last slice's position is origin + (n - 1) * spacing * normal
    last = pydicom.dcmread(vol.files[-1]).ImagePositionPatient
    corner = vol.affine_lps @ np.array([0, 0, vol.shape[0] - 1, 1])
    np.testing.assert_allclose(corner[:3], [float(v) for v in last], atol=1e-3)


def test_load_series_ignores_file_order(series_copy):
    files = sorted(series_copy.glob("*.dcm"))
    reference = dicom.load_series(series_copy).array
    # rename the files in reverse so name order and position order disagree
    for i, f in enumerate(files):
        f.rename(series_copy / f"tmp_{i}")
    for i, f in enumerate(sorted(series_copy.glob("tmp_*"), key=lambda p: int(p.name[4:]))):
        f.rename(series_copy / f"{len(files) - 1 - i:06d}.dcm")
    np.testing.assert_array_equal(dicom.load_series(series_copy).array, reference)


def test_missing_slice(series_copy):
    vol = dicom.load_series(series_copy)
    (series_copy / vol.files[10].name).unlink()
    with pytest.raises(dicom.MissingSliceError, match=r"series: 1 slice\(s\) missing between"):
        dicom.load_series(series_copy)


def test_uneven_spacing(series_copy):
    vol = dicom.load_series(series_copy)
    target = series_copy / vol.files[5].name
    ds = pydicom.dcmread(target)
    ds.ImagePositionPatient = [float(p) + 2.0 * float(n) for p, n in
                               zip(ds.ImagePositionPatient, vol.direction[:, 2])]
    ds.save_as(target)
    with pytest.raises(dicom.UnevenSpacingError, match=rf"uneven slice spacing.*{target.name}"):
        dicom.load_series(series_copy)


def test_a_sheared_gantry_tilt_stack_is_refused(series_copy):
    """Each slice shifted 2 mm in-plane along the rows: evenly spaced along the normal, but not a box."""
    vol = dicom.load_series(series_copy)
    row = vol.direction[:, 0]
    for k, name in enumerate(f.name for f in vol.files):
        ds = pydicom.dcmread(series_copy / name)
        ds.ImagePositionPatient = [float(p) + 2.0 * k * float(r) for p, r in zip(ds.ImagePositionPatient, row)]
        ds.save_as(series_copy / name)
    shift = 2.0 * (len(vol.files) - 1)
    expected = rf"(?s){vol.files[-1].name} lies {shift:.2f} mm off the slice normal.*gantry tilt.*dcm2niix"
    with pytest.raises(dicom.ObliqueStackError, match=expected):
        dicom.load_series(series_copy)


def test_pixel_spacing_falls_back_when_pixel_spacing_is_zero():
    from pydicom.dataset import Dataset

    ds = Dataset()
    ds.PixelSpacing = [0, 0]
    ds.ImagerPixelSpacing = [0.2, 0.2]
    assert dicom.pixel_spacing(ds) == ((0.2, 0.2), "ImagerPixelSpacing")
    ds.ImagerPixelSpacing = [0, 0]
    assert dicom.pixel_spacing(ds) == (None, "PixelSpacing is [0.0, 0.0]; ImagerPixelSpacing is [0.0, 0.0]")


def test_ultrasound_spacing_holds_in_its_region_only():
    """OBXXXX1A: region 0 (rows 60-518, columns 120-800 of an 800-wide screen) is calibrated in cm."""
    ds = pydicom.dcmread(pydicom_file("OBXXXX1A.dcm"), stop_before_pixels=True)
    spacing, source = dicom.pixel_spacing(ds)
    assert source == "SequenceOfUltrasoundRegions"
    assert spacing == pytest.approx((0.2622878766, 0.2622878766))
    # MaxX1 800 lies one past the last column (799): clipped to the image
    assert dicom.display.calibrated_region(ds) == (60, 519, 120, 800)
    assert dicom.display.field_of_view_mm(ds) == pytest.approx((459 * spacing[0], 680 * spacing[1]))
    described = dicom.describe_image(ds, np.zeros((1, 1), np.uint8))
    assert described["field of view mm"] == f"{459 * spacing[0]:.0f}x{680 * spacing[1]:.0f}"


def test_ultrasound_spacing_skips_regions_not_in_cm():
    """A Doppler strip first (time x velocity), then the tissue region: the tissue region's spacing and bounds."""
    from pydicom.dataset import Dataset

    def region(x0, y0, x1, y1, units_x, units_y, dx, dy):
        r = Dataset()
        r.RegionLocationMinX0, r.RegionLocationMinY0 = x0, y0
        r.RegionLocationMaxX1, r.RegionLocationMaxY1 = x1, y1
        r.PhysicalUnitsXDirection, r.PhysicalUnitsYDirection = units_x, units_y
        r.PhysicalDeltaX, r.PhysicalDeltaY = dx, dy
        return r

    ds = Dataset()
    ds.Rows, ds.Columns = 480, 640
    ds.SequenceOfUltrasoundRegions = [region(0, 400, 639, 479, 4, 7, 0.01, 0.5),  # s, cm/s
                                      region(100, 20, 539, 379, 3, 3, 0.03, 0.02)]
    assert dicom.pixel_spacing(ds) == (pytest.approx((0.2, 0.3)), "SequenceOfUltrasoundRegions")
    assert dicom.display.calibrated_region(ds) == (20, 380, 100, 540)
    assert dicom.display.field_of_view_mm(ds) == pytest.approx((360 * 0.2, 440 * 0.3))
    ds.SequenceOfUltrasoundRegions = [ds.SequenceOfUltrasoundRegions[0]]
    assert dicom.pixel_spacing(ds) == (None, "no spacing in the header")
    assert dicom.display.calibrated_region(ds) is None
    assert dicom.display.field_of_view_mm(ds) is None


def test_field_of_view_covers_the_whole_image_for_pixel_spacing():
    ds = pydicom.dcmread(pydicom_file("CT_small.dcm"), stop_before_pixels=True)
    assert dicom.display.calibrated_region(ds) == (0, 128, 0, 128)
    assert dicom.display.field_of_view_mm(ds) == pytest.approx((128 * float(ds.PixelSpacing[0]),
                                                               128 * float(ds.PixelSpacing[1])))


def test_mismatched_orientation_and_size(series_copy, tmp_path):
    files = sorted(series_copy.glob("*.dcm"))
    ds = pydicom.dcmread(files[3])
    ds.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]
    ds.save_as(files[3])
    with pytest.raises(dicom.InconsistentSeriesError, match=f"{files[3].name}.*Orientation"):
        dicom.load_series(series_copy)
    shutil.copy(pydicom_file("CT_small.dcm"), files[3])
    with pytest.raises(dicom.InconsistentSeriesError, match="series"):
        dicom.load_series(series_copy)


def test_load_series_matches_monai(series_dir):
    ours = dicom.load_series(series_dir)
    theirs = dicom.load_series_monai(series_dir)
    assert theirs.shape == ours.shape
    np.testing.assert_array_equal(theirs.array, ours.array)
    np.testing.assert_allclose(theirs.spacing, ours.spacing, atol=1e-4)
    np.testing.assert_allclose(theirs.origin, ours.origin, atol=1e-4)
    np.testing.assert_allclose(theirs.direction, ours.direction, atol=1e-4)


@pytest.mark.slow
def test_nifti_round_trip_with_monai(series_dir, tmp_path):
    import nibabel as nib
    from monai.transforms import LoadImage

    vol = dicom.load_series(series_dir)
    path = dicom.to_nifti(vol, tmp_path / "t1post.nii.gz")
    img = nib.load(path)
    np.testing.assert_allclose(img.affine, vol.affine_ras, atol=1e-4)
    assert img.shape == vol.shape[::-1]
    np.testing.assert_allclose(img.header.get_zooms(), vol.spacing[::-1], atol=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = LoadImage(image_only=True)(str(path))
    assert tuple(loaded.shape) == vol.shape[::-1]
    np.testing.assert_allclose(np.asarray(loaded.affine), vol.affine_ras, atol=1e-4)
    np.testing.assert_allclose(np.asarray(loaded.meta["pixdim"][1:4]),
                               vol.spacing[::-1], atol=1e-4)
    np.testing.assert_array_equal(np.asarray(loaded).transpose(2, 1, 0), vol.array)
    # and the DICOM reader of MONAI agrees on the same affine
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = LoadImage(reader="PydicomReader", image_only=True)(str(series_dir))
    np.testing.assert_allclose(np.asarray(direct.affine), vol.affine_ras, atol=1e-3)


def test_compare_loaders(series_dir):
    result = dicom.compare_loaders(series_dir, repeats=1)
    assert result["same_array"] and result["same_spacing"] and result["same_direction"]
    assert result["ratio_monai_over_medlab"] > 0
