"""medlab.signals against wfdb's and neurokit2's own results (chapter 14)."""

from __future__ import annotations

import numpy as np
import pytest

wfdb = pytest.importorskip("wfdb")

from medlab import signals as sg  # noqa: E402


def _compare(ref, det, fs, window_s=0.15):
    from wfdb import processing

    c = processing.compare_annotations(np.asarray(ref), np.asarray(det), int(window_s * fs))
    return c.tp, c.fn, c.fp


@pytest.mark.parametrize("seed", range(5))
def test_match_beats_agrees_with_wfdb_compare_annotations(seed):
    rng = np.random.default_rng(seed)
    fs = 360.0
    ref = np.cumsum(rng.integers(200, 400, size=300))
    det = ref + rng.integers(-40, 41, size=ref.size)  # most within 150 ms (54 samples)...
    det = det[rng.random(ref.size) > 0.05]  # ...some missed...
    det = np.sort(np.r_[det, rng.integers(0, ref.max(), size=15)])  # ...and some spurious
    det = np.unique(det)
    m = sg.match_beats(ref, det, fs)
    assert (m.tp, m.fn, m.fp) == _compare(ref, det, fs)
    assert m.tp + m.fn == ref.size and m.tp + m.fp == det.size


def test_match_beats_window_and_scores():
    m = sg.match_beats([1000, 2000, 3000], [1050, 2060, 2990, 5000], fs=360.0)  # 60 samples > 54: a miss
    assert (m.tp, m.fn, m.fp) == (2, 1, 2)
    assert m.sensitivity == pytest.approx(2 / 3) and m.ppv == pytest.approx(0.5)


def test_hrv_time_needs_three_peaks():
    with pytest.raises(sg.SignalError, match="at least three R peaks, got 2"):
        sg.hrv_time(np.array([100, 900]), 1000)
    assert issubclass(sg.SignalError, ValueError)


def test_hrv_time_matches_neurokit2():
    nk = pytest.importorskip("neurokit2")
    rng = np.random.default_rng(1)
    fs = 1000
    peaks = np.cumsum(rng.normal(800, 60, size=400).round().astype(int))
    ours = sg.hrv_time(peaks, fs)
    theirs = nk.hrv_time(peaks, sampling_rate=fs)
    assert ours["sdnn_ms"] == pytest.approx(theirs["HRV_SDNN"].iloc[0], rel=1e-9)
    assert ours["rmssd_ms"] == pytest.approx(theirs["HRV_RMSSD"].iloc[0], rel=1e-9)
    assert ours["mean_nn_ms"] == pytest.approx(theirs["HRV_MeanNN"].iloc[0], rel=1e-9)
    assert ours["pnn50_pct"] == pytest.approx(theirs["HRV_pNN50"].iloc[0], rel=1e-9)


def _synthetic_ecg(fs=360.0, seconds=60, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * fs)) / fs
    beats = np.cumsum(rng.uniform(0.7, 1.0, size=int(seconds / 0.7)))
    beats = beats[beats < seconds - 0.5]
    x = 0.3 * np.sin(2 * np.pi * 0.2 * t) + 0.02 * rng.normal(size=t.size)  # baseline wander and noise
    for b in beats:
        x += 1.0 * np.exp(-0.5 * ((t - b) / 0.012) ** 2)  # QRS
        x += 0.25 * np.exp(-0.5 * ((t - b - 0.25) / 0.04) ** 2)  # T wave
    return x, np.round(beats * fs).astype(int)


def test_pan_tompkins_finds_synthetic_beats():
    x, truth = _synthetic_ecg()
    m = sg.match_beats(truth, sg.pan_tompkins(x, 360.0), 360.0)
    assert m.sensitivity > 0.99 and m.ppv > 0.99


def test_pan_tompkins_on_mitdb_100(mirror):
    from medlab import data

    folder = data.fetch("mitdb_100", progress=False)
    rec = sg.read_record(folder / "100")
    beats = sg.read_beats(folder / "100")
    assert beats.counts() == {"N": 2239, "A": 33, "V": 1}  # the rhythm label '+' is not a beat
    m = sg.match_beats(beats.samples, sg.pan_tompkins(rec.p_signal[:, 0], rec.fs), rec.fs)
    assert m.sensitivity > 0.995 and m.ppv > 0.995


def test_missing_record_names_the_file(tmp_path):
    with pytest.raises(sg.SignalFileError, match=r"100\.hea"):
        sg.read_record(tmp_path / "100")


def test_beat_windows_rr_features_and_cnn():
    import torch

    x = np.arange(1000, dtype=float)
    win, keep = sg.beat_windows(x, np.array([5, 100, 500, 990]), fs=100.0, before_s=0.1, after_s=0.2)
    assert keep.tolist() == [1, 2] and win.shape == (2, 30)
    assert np.allclose(np.median(win, axis=1), 0)
    rr = sg.rr_features(np.array([0, 100, 200, 250, 400]), fs=100.0, local=2)
    assert rr[3, 0] == pytest.approx(0.5) and rr[3, 1] == pytest.approx(1.5)
    assert rr[3, 2] == pytest.approx(0.5 / np.mean([1.0, 1.0, 0.5]))
    net = sg.BeatCNN(num_classes=2, n_extra=3)
    assert net(torch.zeros(4, 1, 253)).shape == (4, 2)
