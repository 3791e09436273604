"""medlab.modelcard: a card built from a run record carries the record's numbers (chapter 13)."""

from __future__ import annotations

import json

import pytest

import medlab
from medlab import modelcard as mc
from medlab.runtime import record

RESULTS_STYLE = {
    "chapter": "99_demo", "profile": "full", "seeds": [1, 2, 3], "device": "cpu", "date": "2026-11-23T10:00:00",
    "medlab_version": "0.1.0", "git": {"commit": "abcdef1234567890"},
    "data": {"breastmnist": {"title": "BreastMNIST", "licence": "CC BY 4.0", "sha256": "3a22d2a4625e7dd8903f"}},
    "metrics": {"clean": {"auc": 0.8765, "auc_lower": 0.8012, "auc_upper": 0.9321, "ece": 0.0712},
                "shift": {"table": [{"shift": "gamma", "severity": 3, "auc": 0.6543},
                                    {"shift": "noise", "severity": 3, "auc": 0.7012}]}},
}


def card(rec):
    return mc.model_card(rec, title="demo", model="SimpleCNN", intended_use="teaching", not_for="clinics",
                         metrics=[mc.Metric("AUC", "clean", "auc", "auc_lower", "auc_upper"),
                                  mc.Metric("ECE", "clean", "ece")],
                         tables={"Shift": ("shift", "table")}, limitations=["one site"])


def test_card_contains_the_records_numbers():
    text = card(RESULTS_STYLE)
    for number in ("0.876", "0.801", "0.932", "0.071", "0.654", "0.701"):
        assert number in text
    assert "profile `full`, seed(s) 1, 2, 3" in text
    assert "CC BY 4.0" in text and "3a22d2a4625e7dd8" in text and "abcdef1234" in text
    assert "| shift | severity | auc |" in text
    assert "### Limitations and caveats" in text and "- one site" in text


def test_card_from_a_stored_results_file(tmp_path):
    path = tmp_path / "99_demo.json"
    path.write_text(json.dumps(RESULTS_STYLE))
    assert card(mc.load_record(path)) == card(RESULTS_STYLE)
    with pytest.raises(mc.ModelCardError, match="python -m medlab.run"):
        mc.load_record(tmp_path / "98_missing.json")
    (tmp_path / "97_bad.json").write_text("{")
    with pytest.raises(mc.ModelCardError, match="not valid JSON"):
        mc.load_record(tmp_path / "97_bad.json")


def test_missing_metric_is_named():
    with pytest.raises(mc.ModelCardError, match="clean.brier"):
        mc.metric_text(RESULTS_STYLE, mc.Metric("Brier", "clean", "brier"))
    with pytest.raises(mc.ModelCardError, match="not a table"):
        mc.record_table(RESULTS_STYLE, "clean", "auc")


def test_card_from_the_run_in_progress():
    saved = record._snapshot()
    try:
        record._reset()
        record.record_run(profile="smoke", seed=0, device="cpu")
        medlab.record_metrics("clean", auc=0.7531, auc_lower=0.7, auc_upper=0.8, ece=0.05)
        medlab.record_metrics("shift", table=[{"shift": "blur", "severity": 1, "auc": 0.7111}])
        text = card(mc.current_record())
        assert "0.753" in text and "0.711" in text and "profile `smoke`" in text
    finally:
        record._reset()
        for key, value in saved.items():
            record._records[key].update(value)
