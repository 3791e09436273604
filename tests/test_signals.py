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


def test_match_window_is_inclusive_like_bxb_and_wfdb_needs_one_more_sample():
    fs = 360.0  # 150 ms = 54 samples
    ref, det = np.array([1000, 2000, 3000]), np.array([1054, 2055, 2946])
    m = sg.match_beats(ref, det, fs)
    assert (m.tp, m.fn, m.fp) == (2, 1, 1)  # 54 samples apart: a match (bxb: T - t <= match_dt); 55: not
    assert _compare(ref, det, fs) == (0, 3, 3)  # compare_annotations wants |d| < window_width = 54
    c = __import__("wfdb.processing", fromlist=["x"]).compare_annotations(ref, det, 55)
    assert (c.tp, c.fn, c.fp) == (m.tp, m.fn, m.fp)


def test_test_period_drops_the_learning_period_like_bxb():
    fs = 100.0
    ref = np.arange(50, 3000, 100)  # a beat every second
    det = np.sort(np.r_[ref[ref < 1000] + 3, [1005, 1440], ref[ref >= 1100] - 2, [2500]])
    whole = sg.match_beats(ref, det, fs)
    m = sg.match_beats(ref, det, fs, start_s=10.0)
    assert m.tp + m.fn == int((ref >= 1000).sum())  # only beats from 10 s on are scored
    assert m.fn == 1 and m.fp == 3  # 10.5 s is missed (10.05 s is too early); 10.05, 14.4 (a double) and 25 s extra
    assert whole.fp == m.fp and whole.fn == m.fn  # nothing before 10 s was wrong here
    early = sg.match_beats([1000, 1100], [995, 1100, 990], fs, start_s=10.0)
    assert (early.tp, early.fn, early.fp) == (2, 0, 0)  # a detection just before the start may match; others ignored
    wf = __import__("wfdb.processing", fromlist=["x"]).compare_annotations(
        ref[ref >= 1000], det[det >= 1000 - 15], 16)
    assert (wf.tp, wf.fn) == (m.tp, m.fn)
    with pytest.raises(sg.SignalError, match="ends"):
        sg.match_beats(ref, det, fs, start_s=20, end_s=10)


def test_ec57_gross_and_average_statistics():
    a = sg.BeatMatch(tp=90, fn=10, fp=0, matched_ref=np.zeros(0), matched_test=np.zeros(0))
    b = sg.BeatMatch(tp=1000, fn=0, fp=10, matched_ref=np.zeros(0), matched_test=np.zeros(0))
    t = sg.ec57_summary({"a": a, "b": b})
    assert t.loc["gross", "TP"] == 1090 and t.loc["gross", "FN"] == 10 and t.loc["gross", "FP"] == 10
    assert t.loc["gross", "Se"] == pytest.approx(1090 / 1100) and t.loc["gross", "+P"] == pytest.approx(1090 / 1100)
    assert t.loc["average", "Se"] == pytest.approx((0.9 + 1.0) / 2)
    assert t.loc["average", "+P"] == pytest.approx((1.0 + 1000 / 1010) / 2)
    with pytest.raises(sg.SignalError, match="at least one"):
        sg.ec57_summary({})


def test_bandlimited_noise_has_the_requested_snr_and_band():
    from scipy import signal as sps

    fs = 360.0
    rng = np.random.default_rng(0)
    x = np.sin(2 * np.pi * 1.2 * np.arange(int(120 * fs)) / fs)
    for snr in (12, 0, -6):
        noise = sg.add_bandlimited_noise(x, fs, snr, rng) - x
        assert 10 * np.log10(x.var() / noise.var()) == pytest.approx(snr, abs=1e-9)
    f, pxx = sps.welch(noise, fs=fs, nperseg=2048)
    assert pxx[(f > 8) & (f < 40)].mean() > 100 * pxx[f > 100].mean()  # most power inside 5-50 Hz
    with pytest.raises(sg.SignalError, match="noise band"):
        sg.add_bandlimited_noise(x, fs, 0, rng, low=5, high=200)
