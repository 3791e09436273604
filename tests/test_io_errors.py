"""medlab.io (atomic writes) and medlab.errors."""

from __future__ import annotations

import pytest

from medlab import errors, io


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "a.txt"
    io.atomic_write_text(target, "one")
    io.atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_failed_write_leaves_old_file_and_no_part(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with io.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_atomic_dir_refuses_existing_and_replaces_with_overwrite(tmp_path):
    target = tmp_path / "out"
    with io.atomic_dir(target) as d:
        (d / "x").write_text("1")
    with pytest.raises(io.TargetExistsError, match="out.*overwrite=True"):
        with io.atomic_dir(target):
            pass
    with io.atomic_dir(target, overwrite=True) as d:
        (d / "y").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == ["y"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_target_exists_error_is_still_a_file_exists_error():
    assert issubclass(io.TargetExistsError, errors.MedlabError)
    assert issubclass(io.TargetExistsError, FileExistsError)


def test_remove_stale_parts(tmp_path):
    (tmp_path / ".a.dcm.x1.part").write_text("half")
    (tmp_path / "keep.dcm").write_text("whole")
    removed = io.remove_stale_parts(tmp_path)
    assert [p.name for p in removed] == [".a.dcm.x1.part"]
    assert [p.name for p in tmp_path.iterdir()] == ["keep.dcm"]


def test_skipped_from_exception():
    s = errors.Skipped.from_exception("a.dcm", ValueError("bad header\nmore"))
    assert (s.path, s.reason, s.error) == ("a.dcm", "bad header", "ValueError")


def test_atomic_write_gives_the_usual_file_mode(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        target = io.atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
