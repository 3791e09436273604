"""medlab.dicom.deid: releases, output paths, verified writes and text outside Table E.1-1.

Each test failed before the consolidation: a killed run's ``.part`` files
stayed, a second key mixed two releases in one folder, a file where a folder
belongs gave a raw OSError, big-endian files crashed, DocumentTitle and
unknown attributes survived. The tests of interrupted runs failed before the
manifest recorded completion: a run killed half-way left a manifest
byte-identical to a finished run's, and nothing said the release was incomplete.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_testfiles import pydicom_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import EncapsulatedPDFStorage, ExplicitVRLittleEndian, generate_uid

from medlab.dicom import deid
from medlab.dicom.deid import files as deid_files

SALT = "course-2026"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def study(tmp_path) -> Path:
    src = tmp_path / "incoming"
    src.mkdir()
    for name in ("CT_small.dcm", "MR_small.dcm"):
        shutil.copy(pydicom_file(name), src / name)
    return src


def _outputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _copies(folder: Path, n: int) -> Path:
    """``n`` copies of CT_small.dcm, each its own instance (distinct SOP Instance UIDs)."""
    folder.mkdir()
    ds = pydicom.dcmread(pydicom_file("CT_small.dcm"))
    base = ds.SOPInstanceUID
    for i in range(n):
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = f"{base}.{i + 1}"
        ds.InstanceNumber = i + 1
        ds.save_as(folder / f"slice{i:03d}.dcm", enforce_file_format=True)
    return folder


def _manifest(folder: Path) -> dict:
    return json.loads((folder / deid.MANIFEST).read_text())


# ---------------------------------------------------------------------- releases
def test_a_killed_run_is_cleaned_and_resumed(study, tmp_path):
    dst = tmp_path / "release"
    first = deid.deidentify_folder(study, dst, salt=SALT)
    assert len(first.written) == 2 and first.stale_parts_removed == 0
    # a run killed while writing leaves a hidden .part file beside the real names
    part = first.written[0].parent / f".{first.written[0].name}.x1y2.part"
    part.write_bytes(b"half a file")
    first.written[1].unlink()  # ... and never wrote its last file
    again = deid.deidentify_folder(study, dst, salt=SALT)
    assert again.stale_parts_removed == 1 and not part.exists()
    assert "Removed 1 unfinished file(s) of an interrupted earlier run." in again.summary()
    assert [p.relative_to(dst) for p in again.written] == \
        [p.relative_to(dst) for p in first.written]
    assert _outputs(dst) == sorted([*again.written, dst / deid.MANIFEST])


def test_another_key_or_option_never_mixes_two_releases(study, tmp_path):
    dst = tmp_path / "release"
    deid.deidentify_folder(study, dst, salt=SALT)
    before = {p: p.read_bytes() for p in _outputs(dst)}
    manifest = json.loads((dst / deid.MANIFEST).read_text())
    assert SALT not in json.dumps(manifest)  # a check value, never the key
    assert manifest["key_check"] and manifest["standard_edition"] == deid.STANDARD_EDITION
    with pytest.raises(deid.ReleaseMismatchError, match="release: already holds a release "
                                                         "made with another salt"):
        deid.deidentify_folder(study, dst, salt="another-key")
    with pytest.raises(deid.ReleaseMismatchError, match="another profile"):
        deid.deidentify_folder(study, dst, salt=SALT, date_offset_days=-100)
    with pytest.raises(deid.ReleaseMismatchError, match="another keep_names"):
        deid.deidentify_folder(study, dst, salt=SALT, keep_names=True)
    assert {p: p.read_bytes() for p in _outputs(dst)} == before  # nothing touched
    shifted = tmp_path / "shifted"
    deid.deidentify_folder(study, shifted, salt=SALT, date_offset_days=-100)
    with pytest.raises(deid.ReleaseMismatchError, match="another date offset"):
        deid.deidentify_folder(study, shifted, salt=SALT, date_offset_days=-200)
    other = tmp_path / "not_a_release"
    other.mkdir()
    (other / "old.dcm").write_bytes(b"something else")
    with pytest.raises(deid.OutputPathError, match="not_a_release: the folder is not empty"):
        deid.deidentify_folder(study, other, salt=SALT)


def test_output_paths_that_cannot_work_are_typed_errors(study, tmp_path):
    a_file = tmp_path / "taken"
    a_file.write_text("a file where the release folder should go")
    with pytest.raises(deid.OutputPathError, match="taken: is a file"):
        deid.deidentify_folder(study, a_file, salt=SALT)
    with pytest.raises(deid.OutputPathError, match="taken: is a file, so out.dcm"):
        deid.deidentify_file(study / "CT_small.dcm", a_file / "out.dcm", salt=SALT)
    a_folder = tmp_path / "folder.dcm"
    a_folder.mkdir()
    with pytest.raises(deid.OutputPathError, match="folder.dcm: is a folder"):
        deid.deidentify_file(study / "CT_small.dcm", a_folder, salt=SALT)
    with pytest.raises(deid.OutputPathError, match="refusing to overwrite the original"):
        deid.deidentify_file(study / "CT_small.dcm", study / "CT_small.dcm", salt=SALT)
    with pytest.raises(deid.OutputPathError):
        deid.deidentify_folder(study, study, salt=SALT)
    assert list(a_folder.iterdir()) == []
    assert a_file.read_text().startswith("a file")


# --------------------------------------------------------------- verified writes
@pytest.mark.parametrize("name", ["MR_small_bigendian.dcm", "emri_small_jpeg_2k_lossless.dcm",
                                  "image_dfl.dcm"])
def test_every_encoding_is_written_whole(name, tmp_path):
    src = pydicom_file(name)
    deid.deidentify_file(src, tmp_path / "out.dcm", salt=SALT)
    before, after = pydicom.dcmread(src), pydicom.dcmread(tmp_path / "out.dcm")
    assert after.file_meta.TransferSyntaxUID == before.file_meta.TransferSyntaxUID
    assert after.PixelData == before.PixelData
    np.testing.assert_array_equal(after.pixel_array, before.pixel_array)
    assert after.PatientIdentityRemoved == "YES"
    assert len(after.DeidentificationMethod) <= 64  # VR LO


def test_an_output_without_its_pixels_is_never_written(tmp_path, monkeypatch):
    real = deid_files.deidentify

    def losing_pixels(ds, **kwargs):
        out, report = real(ds, **kwargs)
        del out.PixelData  # what a bug in a de-identifier could do
        return out, report

    monkeypatch.setattr(deid_files, "deidentify", losing_pixels)
    with pytest.raises(deid.HollowOutputError, match="CT_small.dcm: the output would hold 0"):
        deid.deidentify_file(pydicom_file("CT_small.dcm"), tmp_path / "out.dcm", salt=SALT)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------- outside Table E.1-1
def _pdf_with_free_text() -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = EncapsulatedPDFStorage
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "DOC"
    ds.PatientName = "Doe^Jane"
    ds.DocumentTitle = "Discharge letter of Jane Doe, 12 May"
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = b"%PDF-1.4 Jane Doe, born 1950 %%EOF\n"
    ds.add_new(0x00400400, "LT", "Jane Doe prefers mornings")  # comments: not in the table
    ds.add_new(0x44440010, "LO", "JANE DOE WARD 7")  # even group, unknown to the standard
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


def test_free_text_outside_the_table_does_not_survive(tmp_path):
    ds = _pdf_with_free_text()
    assert deid.annex_e_code(0x00420010) is None  # DocumentTitle: not in Table E.1-1
    out, report = deid.deidentify(ds, salt=SALT)
    assert deid.find_phi(out, ["Jane", "Doe", "WARD 7"]) == []
    assert report.actions["DocumentTitle"] == "Z" and out.DocumentTitle == ""
    assert report.actions["CommentsOnTheScheduledProcedureStep"] == "Z"
    assert report.actions["(4444,0010)"] == "X" and 0x44440010 not in out
    assert any("encapsulated document was replaced" in f for f in report.flags)
    assert out.Modality == "DOC"  # short coded values the table does not list are kept
    src = tmp_path / "letter.dcm"
    ds.save_as(src, enforce_file_format=True)
    with pytest.raises(deid.UnsupportedObjectError, match="letter.dcm: Encapsulated PDF"):
        deid.deidentify_file(src, tmp_path / "out.dcm", salt=SALT)
    assert not (tmp_path / "out.dcm").exists()


def test_action_table_shows_before_and_after():
    before = pydicom.dcmread(pydicom_file("CT_small.dcm"))
    after, report = deid.deidentify(before, salt=SALT)
    table = deid.action_table(before, after, report,
                              ["PatientName", "PatientID", "PatientAge", "StudyInstanceUID",
                               "Modality"])
    assert table.loc["PatientName", "Table E.1-1"] == "Z"
    assert table.loc["PatientName", "after"] == "(empty)"
    assert table.loc["PatientID", "action"] == "D"
    assert table.loc["PatientID", "after"].startswith("ANON-")
    assert table.loc["PatientAge", "before"] != "(absent)" == table.loc["PatientAge", "after"]
    assert table.loc["StudyInstanceUID", "action"] == "U"
    assert table.loc["StudyInstanceUID", "after"] != table.loc["StudyInstanceUID", "before"]
    assert table.loc["Modality", "Table E.1-1"] == "-"
    assert table.loc["Modality", "before"] == table.loc["Modality", "after"] == "CT"


# ------------------------------------------------------------- interrupted runs
_CHILD = textwrap.dedent("""
    import sys, time
    from medlab.dicom import deid
    from medlab.dicom.deid import files
    real_save = files._save
    def slow_save(ds, target):  # a slow disk: the kill lands while files are written
        real_save(ds, target)
        time.sleep(0.03)
    files._save = slow_save
    deid.deidentify_folder(sys.argv[1], sys.argv[2], salt=sys.argv[3])
""")


@pytest.mark.slow  # the child process imports medlab (and torch): 3-8 s on 2 cores
def test_a_release_killed_half_way_reads_incomplete_and_is_finished(tmp_path):
    """A real SIGKILL of a deidentify_folder process, about a third of the way through."""
    n = 48
    src, dst = _copies(tmp_path / "incoming", n), tmp_path / "release"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "OMP_NUM_THREADS": "1"}
    log = tmp_path / "child.log"
    with open(log, "wb") as out:
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(src), str(dst), SALT],
                                 env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while len(list(dst.rglob("*.dcm"))) < n // 3:  # imports done, a third written
            assert child.poll() is None, log.read_text()[-2000:]
            assert time.monotonic() < deadline, "the child wrote too few files in 120 s"
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    at_kill = len(list(dst.rglob("*.dcm")))
    assert n // 3 <= at_kill < n  # readable outputs, but not all of them

    status = deid.release_status(dst)
    assert status.state == "incomplete" and not status.complete
    assert 0 < status.files <= at_kill  # verified so far (the last one may be unjournaled)
    assert _manifest(dst)["complete"] is False
    with pytest.raises(deid.IncompleteReleaseError,
                       match=r"release: the release is incomplete: .* interrupted .* Run "
                             r"deidentify_folder into 'release' again with the same salt"):
        status.require_complete()
    before = {p: p.read_bytes() for p in _outputs(dst)}
    with pytest.raises(deid.IncompleteReleaseError, match="release: the release is incomplete"):
        deid.deidentify_folder(src, dst, salt=SALT, resume=False)
    assert {p: p.read_bytes() for p in _outputs(dst)} == before  # refused, nothing touched

    again = deid.deidentify_folder(src, dst, salt=SALT)
    assert again.was_incomplete and again.skipped == []
    assert len(again.written) == n and len(again.resumed) == status.files
    assert f"Finished an interrupted release: kept {status.files} file(s)" in again.summary()
    done = deid.release_status(dst)
    assert done.state == "complete" and done.files == n, done.summary()
    assert _manifest(dst)["complete"] is True and not (dst / deid.JOURNAL).exists()
    assert _outputs(dst) == sorted([*again.written, dst / deid.MANIFEST])  # no .part left


def test_an_interrupted_run_is_incomplete_and_resumed(study, tmp_path, monkeypatch):
    dst = tmp_path / "release"
    real = deid_files._write_verified
    calls = []

    def dies_on_the_second_file(*args):
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as a Ctrl-C, or any crash, leaves the run
        return real(*args)

    monkeypatch.setattr("medlab.dicom.deid.folder._write_verified", dies_on_the_second_file)
    with pytest.raises(KeyboardInterrupt):
        deid.deidentify_folder(study, dst, salt=SALT)
    monkeypatch.undo()
    incomplete = (dst / deid.MANIFEST).read_bytes()
    status = deid.release_status(dst)
    assert (status.state, status.files) == ("incomplete", 1)
    assert "INCOMPLETE" in status.summary() and "Do not share" in status.summary()
    assert json.loads(incomplete)["complete"] is False and (dst / deid.JOURNAL).exists()
    with (dst / deid.JOURNAL).open("a") as fh:
        fh.write('{"output": "study-x/ser')  # a line cut by a kill: ignored
    with pytest.raises(deid.IncompleteReleaseError, match="release: the release is incomplete"):
        deid.deidentify_folder(study, dst, salt=SALT, resume=False)
    with pytest.raises(deid.ReleaseMismatchError, match="another salt"):
        deid.deidentify_folder(study, dst, salt="another-key")  # still one release per key

    again = deid.deidentify_folder(study, dst, salt=SALT)
    assert again.was_incomplete and len(again.resumed) == 1 and len(again.written) == 2
    assert (dst / deid.MANIFEST).read_bytes() != incomplete
    assert deid.release_status(dst).require_complete().files == 2
    fresh = deid.deidentify_folder(study, tmp_path / "fresh", salt=SALT)
    assert not fresh.was_incomplete and fresh.resumed == []
    assert _manifest(dst)["files"] == _manifest(tmp_path / "fresh")["files"]  # same files
    # a finished release run again: every file verified and kept, nothing redone
    rerun = deid.deidentify_folder(study, dst, salt=SALT)
    assert not rerun.was_incomplete and len(rerun.resumed) == 2
    assert "2 file(s) were already in the release, verified and kept." in rerun.summary()


def test_release_status_checks_the_files(study, tmp_path):
    assert deid.release_status(tmp_path / "nowhere").state == "not a release"
    assert deid.release_status(study).state == "not a release"
    with pytest.raises(deid.IncompleteReleaseError, match="incoming: not a de-identified release"):
        deid.release_status(study).require_complete()
    dst = tmp_path / "release"
    report = deid.deidentify_folder(study, dst, salt=SALT)
    assert deid.release_status(dst).require_complete().files == 2
    changed, missing = report.written
    changed.write_bytes(changed.read_bytes() + b"\0")
    missing.unlink()
    (dst / "notes.txt").write_text("added by hand")
    status = deid.release_status(dst)
    assert status.state == "damaged" and not status.complete
    assert status.changed == [changed.relative_to(dst).as_posix()]
    assert status.missing == [missing.relative_to(dst).as_posix()]
    assert status.unlisted == ["notes.txt"]
    assert deid.release_status(dst, verify_files=False).state == "complete"
    with pytest.raises(deid.IncompleteReleaseError,
                       match=r"release: the release no longer matches its manifest \(1 file\(s\) "
                             "missing, 1 changed, 1 not written by deidentify_folder"):
        status.require_complete()
    (dst / "notes.txt").unlink()
    repaired = deid.deidentify_folder(study, dst, salt=SALT)  # rewrites both, from the sources
    assert repaired.resumed == [] and deid.release_status(dst).complete


def test_a_manifest_of_an_older_medlab_reads_incomplete(study, tmp_path):
    dst = tmp_path / "release"
    deid.deidentify_folder(study, dst, salt=SALT)
    old = {k: v for k, v in _manifest(dst).items() if k not in ("complete", "files", "note",
                                                                 "skipped_in_last_run")}
    old["format"] = "medlab.dicom.deid release manifest 1"  # written before the run
    (dst / deid.MANIFEST).write_text(json.dumps(old))
    assert "older medlab" in deid.release_status(dst).note
    assert deid.release_status(dst).state == "incomplete"
    again = deid.deidentify_folder(study, dst, salt=SALT)
    assert again.was_incomplete and again.resumed == [] and len(again.written) == 2
    assert deid.release_status(dst).complete


def test_an_incomplete_table_is_a_typed_import_error(monkeypatch):
    from medlab.dicom.deid import table

    empty = type("dicomfields_empty", (), {name: [] for name in table._CATEGORY_CODES})
    monkeypatch.setattr(table, "_table", empty)
    with pytest.raises(deid.AnnexTableError, match="looks incomplete.*pip install") as info:
        table._load_table()
    assert isinstance(info.value, ImportError) and isinstance(info.value, ValueError)
