"""Tests of medlab.deid: real DICOM files with PHI injected into every Annex E attribute.

The corpus: pydicom's CT and MR test files, ultrasound, radiograph, multi-frame
MR and nuclear-medicine files from pydicom-data (when installed) and one TCIA
MR slice from the data mirror (when ``MEDLAB_DATA_MIRROR`` is set). Into each
file, every attribute of PS3.15 Table E.1-1 gets a unique marker valid for its
VR, at the top level, again inside a sequence item, in private elements, in
overlay and curve groups and in the file meta information; after
de-identification no marker may be found anywhere.
"""

from __future__ import annotations

import copy
import os
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.datadict import dictionary_has_tag, dictionary_VR
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage

from medlab.dicom import deid
from medlab.dicom.deid import files as deid_files
from medlab.dicom.deid.table import _name, _resolve
from medlab.errors import Skipped

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*nvImageCodec.*:UserWarning"),
    pytest.mark.filterwarnings("ignore:PydicomReader.*:UserWarning"),
]

SALT = "course-2026"
PYDICOM_FILES = ["CT_small.dcm", "MR_small.dcm"]
PYDICOM_DATA_FILES = ["US1_UNCR.dcm", "RG1_UNCR.dcm", "emri_small.dcm", "JPEG-LL.dcm"]
NESTING_SEQUENCE = 0x00081115  # ReferencedSeriesSequence: not in the table, so kept
TEXT_VRS = {"LO", "SH", "LT", "ST", "UT", "UC", "PN", "AE"}
NUMERIC_VRS = {"US", "SS", "UL", "SL", "FL", "FD", "SV", "UV"}
BYTES_VRS = {"OB", "OW", "OF", "OD", "OL", "OV", "UN"}


# ------------------------------------------------------------------- the corpus
def _testdata(name: str) -> Path | None:
    try:
        path = get_testdata_file(name, download=False)  # never download
    except Exception:  # noqa: BLE001
        return None
    return Path(path) if path else None


def _tcia_files(kind: str = "T1post") -> list[Path]:
    mirror = os.environ.get("MEDLAB_DATA_MIRROR")
    if not mirror or not Path(mirror).is_dir():
        return []
    from medlab import data

    root = data.fetch("tcia_brain_tumor_progression")
    return sorted(root.glob(f"PGBM-001/*/*-{kind}-*/*.dcm"))


@pytest.fixture(scope="module")
def tcia() -> list[Path]:
    files = _tcia_files()
    if not files:
        pytest.skip("MEDLAB_DATA_MIRROR is not set to a folder (real-data test)")
    return files


def _corpus() -> list[tuple[str, Path | None]]:
    names = [(n, _testdata(n)) for n in PYDICOM_FILES + PYDICOM_DATA_FILES]
    return names + [("tcia_T1post", None)]


def _load(name: str, path: Path | None) -> pydicom.Dataset:
    if name == "tcia_T1post":
        files = _tcia_files()
        if not files:
            pytest.skip("MEDLAB_DATA_MIRROR is not set to a folder (real-data test)")
        path = files[0]
    if path is None:
        pytest.skip(f"{name} needs pydicom-data")
    return pydicom.dcmread(path)


class Markers:
    """Unique marker values, valid for each VR, and the list of strings to find."""

    def __init__(self, file_no: int) -> None:
        self.file_no = file_no
        self.k = 0
        self.strings: list[str] = []
        self.times: list[str] = []  # TM markers: kept when dates are shifted
        self.numeric: list[tuple[str, int, object]] = []  # (where, tag, value)

    def next(self) -> int:
        self.k += 1
        return self.k

    def value(self, tag: int, vr: str, where: str) -> object:
        k = self.next()
        g, e = tag >> 16, tag & 0xFFFF
        suffix = "-SQ" if where == "nested" else ""
        vr = vr.split(" or ")[0]
        if vr in TEXT_VRS:
            value = f"PHI-{g:04X}-{e:04X}{suffix}"
        elif vr == "CS":
            value = f"PHI_{g:04X}_{e:04X}{suffix.replace('-', '_')}"
        elif vr == "UR":
            value = f"http://phi.invalid/{g:04X}-{e:04X}{suffix}"
        elif vr == "AS":
            value = f"{900 + k % 100:03d}Y"
        elif vr in ("DA", "DT"):
            day = date(1931, 1, 1) + timedelta(days=k + 2000 * self.file_no)
            value = f"{day:%Y%m%d}" + ("101112" if vr == "DT" else "")
        elif vr == "TM":
            value = f"1011{k % 60:02d}.{self.file_no:02d}{k:04d}"
            self.times.append(value)
            return value
        elif vr == "DS":
            value = f"9{self.file_no}{k:04d}.25"
        elif vr == "IS":
            value = f"9{self.file_no}{k:05d}"
        elif vr == "UI":
            value = f"1.2.999.{self.file_no}.{k}"
        elif vr in NUMERIC_VRS:
            self.numeric.append((where, tag, 40000 + k))
            return 40000 + k
        elif vr in BYTES_VRS:
            text = f"PHI-{g:04X}-{e:04X}{suffix}".encode()
            return text + b"\x00" * (-len(text) % 8)
        elif vr == "SQ":
            item = Dataset()
            item.ReferencedSOPClassUID = CTImageStorage
            item.ReferencedSOPInstanceUID = self.value(0x00081155, "UI", where)
            item.PersonName = self.value(0x0040A123, "PN", where)
            self.private(item, "SQITEM")
            return Sequence([item])
        else:  # AT and anything else: nothing identifying to inject
            return None
        self.strings.append(value)
        return value

    def private(self, ds: Dataset, label: str) -> None:
        creator = f"PHI CREATOR {label}"
        block = ds.private_block(0x0009, creator, create=True)
        text = f"PHI-PRIVATE-{label}-{self.next()}"
        raw = f"PHI-PRIVATE-UN-{label}-{self.next()}"
        block.add_new(0x10, "LO", text)
        block.add_new(0x11, "UN", raw.encode() + b"\x00" * (len(raw) % 2))
        self.strings += [creator, text, raw]


def inject(ds: pydicom.Dataset, file_no: int) -> Markers:
    """Put a marker into every Annex E attribute (top level and nested)."""
    m = Markers(file_no)
    nested = Dataset()
    for where, target in (("top", ds), ("nested", nested)):
        for tag in deid.ANNEX_E:
            if tag >> 16 in (0x0000, 0x0002, 0x0004):
                continue  # command, file meta and DICOMDIR groups: not in a dataset
            vr = dictionary_VR(tag) if dictionary_has_tag(tag) else "UN"
            value = m.value(tag, vr, where)
            if value is not None:
                target.add_new(tag, vr.split(" or ")[0], value)
    m.private(ds, "TOP")
    ds.add_new(NESTING_SEQUENCE, "SQ", Sequence([nested]))
    ds.add_new(0x60000022, "LO", m.value(0x60000022, "LO", "top"))  # OverlayDescription
    ds.add_new(0x60004000, "LT", m.value(0x60004000, "LT", "top"))  # OverlayComments
    ds.add_new(0x50002500, "LO", m.value(0x50002500, "LO", "top"))  # CurveLabel
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.SourceApplicationEntityTitle = "PHI-AE-SOURCE"
    m.strings.append("PHI-AE-SOURCE")
    return m


def _decodable(ds: pydicom.Dataset) -> bool:
    from pydicom.pixels import get_decoder

    try:
        return get_decoder(ds.file_meta.TransferSyntaxUID).is_available
    except Exception:  # noqa: BLE001
        return False


@pytest.fixture(scope="module")
def load_image():
    transforms = pytest.importorskip("monai.transforms")
    return transforms.LoadImage(image_only=True)


# ------------------------------------------------------------------------ table
def test_annex_e_table_is_complete() -> None:
    codes = set(deid.ANNEX_E.values())
    assert codes <= {"X", "Z", "D", "U", "X/Z", "X/D", "X/Z/D", "Z/D", "X/Z/U*"}
    assert len(deid.ANNEX_E) == 652  # PS3.15 2026c Table E.1-1, exact-tag rows
    assert len(deid.ANNEX_E_REPEATING) == 3  # (50xx,xxxx), (60xx,3000), (60xx,4000)
    expect = {
        0x00100010: "Z",  # PatientName
        0x00100020: "Z/D",  # PatientID
        0x00100030: "Z",  # PatientBirthDate
        0x00101010: "X",  # PatientAge
        0x00080050: "Z",  # AccessionNumber
        0x00080020: "Z",  # StudyDate
        0x00080080: "X/Z/D",  # InstitutionName
        0x0020000D: "U",  # StudyInstanceUID
        0x00080018: "U",  # SOPInstanceUID
        0x00081140: "X/Z/U*",  # ReferencedImageSequence
        0x00081110: "X/Z",  # ReferencedStudySequence
        0x00080023: "Z/D",  # ContentDate
        0x00181030: "X/D",  # ProtocolName
    }
    for tag, code in expect.items():
        assert deid.ANNEX_E[tag] == code, hex(tag)
    assert deid.annex_e_code(0x60023000) == "X"  # overlay data in group 6002
    assert deid.annex_e_code(0x50101234) == "X"  # any curve element
    assert deid.annex_e_code(0x00280010) is None  # Rows: kept
    rows = deid.annex_e_table()
    assert len(rows) == 655
    assert {r["action"] for r in rows} <= {"X", "Z", "D", "U"}


# ------------------------------------------------------------ PHI never survives
@pytest.mark.parametrize("file_no, name, path",
                         [(i, n, p) for i, (n, p) in enumerate(_corpus())],
                         ids=[n for n, _ in _corpus()])
def test_no_injected_phi_survives(file_no, name, path, tmp_path, load_image) -> None:
    ds = _load(name, path)
    original_pixels = ds.PixelData
    m = inject(ds, file_no)
    injected = tmp_path / "injected.dcm"
    ds.save_as(injected, enforce_file_format=True)  # the corpus itself is valid DICOM
    ds = pydicom.dcmread(injected)
    before = copy.deepcopy(ds)
    found = deid.find_phi(ds, m.strings + m.times)
    assert len(found) > 1000, "the detector must see the injected markers"
    nested = "ReferencedSeriesSequence[0].ReferencedImageSequence[0]"
    assert f"{nested}.ReferencedSOPInstanceUID" in found
    assert any(f.startswith("(0009,") for f in found)  # private elements
    assert "file_meta.SourceApplicationEntityTitle" in found

    out, rep = deid.deidentify(ds, salt=SALT)
    assert ds == before, "the input dataset must not be modified"
    assert deid.find_phi(out, m.strings + m.times) == []
    for where, tag, value in m.numeric:
        holder = out if where == "top" else out.ReferencedSeriesSequence[0]
        assert tag not in holder or holder[tag].value != value
    assert not any(t.is_private for t in out.keys())
    assert not any(0x6000 <= t.group <= 0x601E or 0x5000 <= t.group <= 0x501E
                   for t in out.keys())
    # the actions follow the table
    for tag, code in deid.ANNEX_E.items():
        if tag not in ds or tag >> 16 in (0x0000, 0x0002, 0x0004):
            continue
        action = rep.paths[_name(pydicom.tag.Tag(tag))]
        resolved = _resolve(tag, code)
        assert action == resolved or (resolved == "D" and action in ("Z", "X", "U")), \
            (hex(tag), code, action)
        if action == "X":
            assert tag not in out
        elif action == "Z":
            assert out[tag].is_empty
        elif action == "U" and ds[tag].VR == "UI":
            assert out[tag].value != ds[tag].value
    assert rep.actions["PatientName"] == "Z" and rep.actions["StudyInstanceUID"] == "U"
    assert out.PatientID.startswith("ANON-")

    dst = tmp_path / "out" / "deid.dcm"
    rep2 = deid.deidentify_file(injected, dst, salt=SALT)
    assert rep2.actions == rep.actions
    assert sorted(p.name for p in dst.parent.iterdir()) == ["deid.dcm"]
    back = pydicom.dcmread(dst)
    assert deid.find_phi(back, m.strings + m.times) == []
    assert back.PixelData == original_pixels  # pixel data bytes unchanged
    assert back.file_meta.MediaStorageSOPInstanceUID == back.SOPInstanceUID
    assert back.file_meta.TransferSyntaxUID == ds.file_meta.TransferSyntaxUID
    assert back.PatientIdentityRemoved == "YES"
    assert "dates removed" in back.DeidentificationMethod
    assert [c.CodeValue for c in back.DeidentificationMethodCodeSequence] == ["113100"]
    assert back.LongitudinalTemporalInformationModified == "REMOVED"
    assert back.StudyInstanceUID == out.StudyInstanceUID  # deterministic
    if _decodable(back):
        assert np.array_equal(back.pixel_array, pydicom.dcmread(injected).pixel_array)
        image = load_image(str(dst))
        assert image.numel() == back.pixel_array.size


def test_find_phi_reports_paths() -> None:
    ds = Dataset()
    ds.PatientName = "Doe^Jane"
    item = Dataset()
    item.ReferencedSOPInstanceUID = "1.2.3.4"
    ds.ReferencedStudySequence = Sequence([item])
    ds.private_block(0x0011, "ACME", create=True).add_new(0x01, "UN", b"jane doe")
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4"
    assert deid.find_phi(ds, ["JANE", "1.2.3.4"]) == [
        "file_meta.MediaStorageSOPInstanceUID", "PatientName",
        "ReferencedStudySequence[0].ReferencedSOPInstanceUID", "(0011,1001)"]
    assert deid.find_phi(ds, ["nobody", ""]) == []


# ------------------------------------------------------------------------- UIDs
def _two_series() -> tuple[pydicom.Dataset, pydicom.Dataset]:
    a = pydicom.dcmread(get_testdata_file("MR_small.dcm"))
    b = copy.deepcopy(a)
    b.SeriesInstanceUID = a.SeriesInstanceUID + ".2"
    b.SOPInstanceUID = a.SOPInstanceUID + ".2"
    item = Dataset()
    item.ReferencedSOPClassUID = a.SOPClassUID
    item.ReferencedSOPInstanceUID = a.SOPInstanceUID
    b.ReferencedImageSequence = Sequence([item])
    return a, b


def test_uids_consistent_within_a_study_and_keyed_by_salt(tmp_path) -> None:
    a, b = _two_series()
    (a1, _), (b1, _) = (deid.deidentify(x, salt=SALT) for x in (a, b))
    assert a1.StudyInstanceUID == b1.StudyInstanceUID != a.StudyInstanceUID
    assert a1.FrameOfReferenceUID == b1.FrameOfReferenceUID
    assert a1.SeriesInstanceUID != b1.SeriesInstanceUID
    # the reference inside the sequence uses the same mapping: it still points at a
    assert b1.ReferencedImageSequence[0].ReferencedSOPInstanceUID == a1.SOPInstanceUID
    assert b1.ReferencedImageSequence[0].ReferencedSOPClassUID == a.SOPClassUID
    assert a1.SOPClassUID == a.SOPClassUID  # class UIDs are not instance identifiers
    a1.save_as(tmp_path / "a1.dcm")  # a plain save_as writes a complete file
    assert pydicom.dcmread(tmp_path / "a1.dcm").SOPInstanceUID == a1.SOPInstanceUID
    a2, _ = deid.deidentify(a, salt="another-salt")
    assert a2.StudyInstanceUID != a1.StudyInstanceUID
    assert a1.StudyInstanceUID == deid.remap_uid(a.StudyInstanceUID, SALT)
    assert len(a1.StudyInstanceUID) <= 64
    assert a1.PatientID == b1.PatientID != a2.PatientID
    with pytest.raises(deid.DeidError):
        deid.deidentify(a, salt="")


def test_tcia_series_keep_their_study(tcia, tmp_path, load_image) -> None:
    flair = _tcia_files("FLAIRreg")
    t1 = pydicom.dcmread(tcia[0])
    same_study = [p for p in flair if p.parent.parent == tcia[0].parent.parent][0]
    fl = pydicom.dcmread(same_study)
    assert t1.StudyInstanceUID == fl.StudyInstanceUID
    assert t1.SeriesInstanceUID != fl.SeriesInstanceUID
    r1 = deid.deidentify_file(tcia[0], tmp_path / "t1.dcm", salt=SALT)
    deid.deidentify_file(same_study, tmp_path / "flair.dcm", salt=SALT)
    o1, o2 = (pydicom.dcmread(tmp_path / n) for n in ("t1.dcm", "flair.dcm"))
    assert o1.StudyInstanceUID == o2.StudyInstanceUID
    assert o1.SeriesInstanceUID != o2.SeriesInstanceUID
    assert o1.PixelData == t1.PixelData
    assert r1.flags == []
    image = load_image(str(tmp_path / "t1.dcm"))
    assert image.numel() == t1.Rows * t1.Columns


# ------------------------------------------------------------------------ dates
def test_dates_shifted_by_exactly_n_days() -> None:
    n = -3650
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.AcquisitionDateTime = "20040119141102.5+0100"
    ds.PatientBirthDate = "19500101"
    item = Dataset()
    item.ReferencedSOPInstanceUID = "1.2.3"
    item.AcquisitionDate = "20040119"
    ds.ReferencedImageSequence = Sequence([item])
    out, rep = deid.deidentify(ds, salt=SALT, date_offset_days=n)

    def shifted(value: str) -> str:
        d = date(int(value[:4]), int(value[4:6]), int(value[6:8])) + timedelta(days=n)
        return f"{d:%Y%m%d}" + value[8:]

    for keyword in ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate",
                    "InstanceCreationDate", "AcquisitionDateTime"):
        assert out[keyword].value == shifted(ds[keyword].value), keyword
        assert rep.actions[keyword] == "shifted"
    assert out.ReferencedImageSequence[0].AcquisitionDate == shifted("20040119")
    assert out.StudyTime == ds.StudyTime and rep.actions["StudyTime"] == "K"
    assert out.PatientBirthDate == ""  # the birth date still follows the table
    assert "dates shifted" in out.DeidentificationMethod
    assert [c.CodeValue for c in out.DeidentificationMethodCodeSequence] == [
        "113100", "113107"]
    assert out.LongitudinalTemporalInformationModified == "MODIFIED"
    assert deid.find_phi(out, [ds.PatientName, ds.SOPInstanceUID, "19500101"]) == []

    ds2 = copy.deepcopy(ds)
    ds2.AcquisitionDateTime = "2004"  # year only: cannot shift by whole days
    out2, rep2 = deid.deidentify(ds2, salt=SALT, date_offset_days=n)
    assert out2.AcquisitionDateTime == "" and rep2.flags


def test_shifted_markers_do_not_survive(tmp_path) -> None:
    ds = pydicom.dcmread(get_testdata_file("MR_small.dcm"))
    m = inject(ds, 0)
    out, _ = deid.deidentify(ds, salt=SALT, date_offset_days=-7000)
    assert deid.find_phi(out, m.strings) == []  # TM markers are kept by this option


def test_interval_between_tcia_studies_survives(tcia) -> None:
    studies = {}
    for path in tcia:
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        studies.setdefault(ds.StudyInstanceUID, ds)
    assert len(studies) >= 2
    a, b = list(studies.values())[:2]
    (a1, _), (b1, _) = (deid.deidentify(x, salt=SALT, date_offset_days=-1234)
                        for x in (a, b))

    def days(d1: str, d2: str) -> int:
        def p(s: str) -> date:
            return date(int(s[:4]), int(s[4:6]), int(s[6:8]))
        return (p(d2) - p(d1)).days

    assert days(a1.StudyDate, b1.StudyDate) == days(a.StudyDate, b.StudyDate)
    assert a1.StudyDate != a.StudyDate


# ------------------------------------------------------------------ burned-in text
def test_burned_in_annotation_refused_or_flagged(tmp_path) -> None:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.BurnedInAnnotation = "YES"
    with pytest.raises(deid.BurnedInAnnotationError):
        deid.deidentify(ds, salt=SALT)
    out, rep = deid.deidentify(ds, salt=SALT, allow_burned_in=True)
    assert any("BurnedInAnnotation is YES" in f for f in rep.flags)
    src = tmp_path / "burned.dcm"
    ds.save_as(src, enforce_file_format=True)
    with pytest.raises(deid.BurnedInAnnotationError, match="burned.dcm"):
        deid.deidentify_file(src, tmp_path / "out" / "x.dcm", salt=SALT)
    assert not (tmp_path / "out").exists()
    rep = deid.deidentify_file(src, tmp_path / "out" / "x.dcm", salt=SALT,
                               allow_burned_in=True)
    assert rep.flags and (tmp_path / "out" / "x.dcm").exists()

    us = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    us.Modality = "US"  # no BurnedInAnnotation: flagged for ultrasound
    flags = deid.deidentify(us, salt=SALT)[1].flags
    assert any("missing for modality US" in f for f in flags)
    us.BurnedInAnnotation = "NO"
    assert deid.deidentify(us, salt=SALT)[1].flags == []


# ------------------------------------------------------------------------ folders
def _make_folder(root: Path) -> dict[str, Path]:
    root.mkdir()
    files = {}
    # MR_small.dcm and mr0.dcm are the same instance (a duplicate in the batch)
    for name in ("CT_small.dcm", "MR_small.dcm"):
        files[name] = root / "DOE_JANE_19500101" / name
        files[name].parent.mkdir(exist_ok=True)
        files[name].write_bytes(Path(get_testdata_file(name)).read_bytes())
    a, b = _two_series()
    for i, ds in enumerate((a, b)):
        files[f"series{i}"] = root / "DOE_JANE_19500101" / "study" / f"mr{i}.dcm"
        files[f"series{i}"].parent.mkdir(exist_ok=True)
        ds.save_as(files[f"series{i}"], enforce_file_format=True)
    (root / "notes.txt").write_text("Patient Jane Doe, seen 2024-01-01\n")
    data = Path(get_testdata_file("CT_small.dcm")).read_bytes()
    (root / "cut_pixels.dcm").write_bytes(data[: int(len(data) * 0.6)])
    (root / "cut_header.dcm").write_bytes(data[: int(len(data) * 0.1)])
    burned = pydicom.dcmread(get_testdata_file("MR_small.dcm"))
    burned.BurnedInAnnotation = "YES"
    burned.SOPInstanceUID = burned.SOPInstanceUID + ".9"
    burned.save_as(root / "burned.dcm", enforce_file_format=True)
    return files


def test_folder_skips_bad_files_and_reports(tmp_path) -> None:
    src, dst = tmp_path / "incoming", tmp_path / "released"
    _make_folder(src)
    report = deid.deidentify_folder(src, dst, salt=SALT)
    assert len(report.written) == 3
    assert all(isinstance(s, Skipped) for s in report.skipped)
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(skipped) == {"notes.txt", "cut_pixels.dcm", "cut_header.dcm", "burned.dcm",
                            "mr0.dcm"}
    assert "same SOP Instance UID as DOE_JANE_19500101/MR_small.dcm" in skipped["mr0.dcm"]
    assert "not a DICOM file" in skipped["notes.txt"]
    assert "truncated" in skipped["cut_pixels.dcm"]
    assert "BurnedInAnnotation" in skipped["burned.dcm"]
    outputs = sorted(p for p in dst.rglob("*") if p.is_file() and p.name != deid.MANIFEST)
    assert outputs == sorted(report.written)  # no temporary files left behind
    assert (dst / deid.MANIFEST).is_file()
    for path in outputs:  # no original name, patient name or date in the output names
        rel = path.relative_to(dst).as_posix()
        assert "DOE" not in rel and "1950" not in rel and "CT_small" not in rel
        back = pydicom.dcmread(path)
        assert back.PatientIdentityRemoved == "YES"
        back.pixel_array  # noqa: B018 - decodes
    studies = {pydicom.dcmread(p).StudyInstanceUID: p.parent.parent for p in outputs}
    assert len(studies) == 2  # CT; MR_small and its second series share one study
    text = report.summary()
    assert str(tmp_path) not in text and "\n" not in text
    assert "3 of 8" in text and "notes.txt" in text and "released" in text

    again = deid.deidentify_folder(src, tmp_path / "again", salt=SALT)
    assert [p.relative_to(tmp_path / "again") for p in again.written] == \
        [p.relative_to(dst) for p in report.written]  # deterministic names

    mirrored = deid.deidentify_folder(src, tmp_path / "mirrored", salt=SALT,
                                      keep_names=True, allow_burned_in=True)
    assert (tmp_path / "mirrored" / "DOE_JANE_19500101" / "CT_small.dcm").exists()
    assert len(mirrored.written) == 5 and mirrored.flags


def test_nothing_half_written_on_error(tmp_path, monkeypatch) -> None:
    src = Path(get_testdata_file("CT_small.dcm"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "old.dcm").write_bytes(b"previous release")

    def failing_save(ds, target):
        Path(target).write_bytes(b"\x00" * 1000)  # part of a file, then the disk "fills up"
        raise OSError("No space left on device")

    monkeypatch.setattr(deid_files, "_save", failing_save)
    with pytest.raises(OSError):
        deid.deidentify_file(src, out_dir / "new.dcm", salt=SALT)
    with pytest.raises(OSError):
        deid.deidentify_file(src, out_dir / "old.dcm", salt=SALT)
    assert sorted(p.name for p in out_dir.iterdir()) == ["old.dcm"]
    assert (out_dir / "old.dcm").read_bytes() == b"previous release"

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.dcm").write_bytes(src.read_bytes())
    report = deid.deidentify_folder(folder, tmp_path / "rel", salt=SALT)
    assert report.written == [] and "No space left" in report.skipped[0].reason
    assert [p.name for p in (tmp_path / "rel").rglob("*") if p.is_file()] == [deid.MANIFEST]
    with pytest.raises(deid.DeidError):
        deid.deidentify_file(folder / "a.dcm", folder / "a.dcm", salt=SALT)
    with pytest.raises(deid.DeidError):
        deid.deidentify_folder(folder, folder, salt=SALT)


def test_dicomdir_is_refused(tmp_path) -> None:
    dicomdir = _testdata("DICOMDIR")
    if dicomdir is None:
        pytest.skip("pydicom's DICOMDIR test file is missing")
    with pytest.raises(deid.DeidError, match="DICOMDIR"):
        deid.deidentify_file(dicomdir, tmp_path / "x", salt=SALT)
    assert list(tmp_path.iterdir()) == []
