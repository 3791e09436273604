"""The whole corpus (benchmarks/dicom_corpus.py): no crash, no hollow output, no silent array.

Runs every file of pydicom's test files and of pydicom-data, and a damaged
copy of each (cut in its pixel data and in its header), through read_dataset,
read_pixels, load_folder and deidentify_file. Before the consolidation this
counted 1585 crashes and 57 hollow outputs (benchmarks/results/dicom_corpus.json
holds the current counts, TCIA mirror included).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _benchmark():
    spec = importlib.util.spec_from_file_location("dicom_corpus",
                                                  ROOT / "benchmarks" / "dicom_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_corpus_has_no_crash_and_no_hollow_output(tmp_path):
    result = _benchmark().run_corpus(mirror=False, damaged=True, workdir=tmp_path)
    assert result["files"]["pydicom"] > 150 and result["files"]["damaged"] > 200
    totals = result["totals"]
    # the run really read, decoded, loaded and wrote files, and refused damaged ones
    assert totals["pixels"]["ok"] > 140 and totals["deid"]["ok"] > 150
    assert result["counts"]["damaged"]["pixels"].get("ok", 0) == 0
    assert result["counts"]["damaged"]["deid"].get("ok", 0) == 0
    assert result["problems"] == []
    assert result["crashes"] == 0 and result["hollow"] == 0 and result["silent"] == 0


def test_hollow_and_crash_are_counted(tmp_path, monkeypatch):
    """The tally itself: a crash and a hollow output do not go unnoticed."""
    bench = _benchmark()
    tally = bench.Tally()
    src = Path(bench.pydicom.data.get_testdata_file("CT_small.dcm"))

    def hollow_writer(path, out, salt):
        ds = bench.pydicom.dcmread(path)
        del ds.PixelData
        ds.save_as(out)

    monkeypatch.setattr(bench.deid, "deidentify_file", hollow_writer)
    bench._run_file(tally, "x", src, tmp_path / "out.dcm", None)
    assert tally.counts["x"]["deid"]["hollow"] == 1

    def crashing(path):
        raise KeyError("boom")

    monkeypatch.setattr(bench.dicom, "read_pixels", crashing)
    bench._run_file(tally, "x", src, tmp_path / "out.dcm", None)
    assert tally.counts["x"]["pixels"]["crash"] == 1
    assert [p["outcome"] for p in tally.problems] == ["hollow", "crash", "hollow"]
