"""ECG signals: reading records, R-peak detection and scoring, heart-rate variability, beats.

- :func:`read_record` and :func:`read_beats` read a WFDB record (signal and the
  *beat* annotations, rhythm and non-beat labels dropped) with a clear error
  when a file is missing;
- :func:`pan_tompkins` is a compact Pan-Tompkins-style R-peak detector
  (band-pass, derivative, squaring, moving-window integration, adaptive
  threshold, refractory period) and :func:`pan_tompkins_stages` returns its
  intermediate signals for plotting;
- :func:`match_beats` scores a detector against reference beats the way
  ANSI/AAMI EC57 and PhysioNet's ``bxb`` do (one-to-one matches within a
  150 ms window, inclusive; optionally only over a test period that starts
  after a learning period, 5 minutes by default in ``bxb``); its counts agree
  with ``wfdb.processing.compare_annotations`` given the same window and
  period (that function counts a pair only when the distance is *below* its
  ``window_width`` and compares whatever it is given, from the first sample);
- :func:`ec57_summary` gives per-record, gross (TP, FN, FP summed over the
  records) and average (mean of the per-record values) statistics, as
  ``bxb``'s companion ``sumstats`` reports them;
- :func:`add_bandlimited_noise` adds muscle-like noise at a chosen SNR;
- :func:`hrv_time` computes time-domain heart-rate variability (mean heart
  rate, SDNN, RMSSD, pNN50), as neurokit2's ``hrv_time`` does;
- :func:`beat_windows`, :func:`rr_features` and :class:`BeatCNN` cut beats
  around annotated R peaks and classify them with a small 1D CNN.

wfdb is imported inside the functions that need it (the ``signals`` extra).

Introduced in the chapter "Beyond radiology" (chapters/14_beyond_radiology.ipynb).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy import signal as sps
from torch import nn

from .errors import MedlabError

BEAT_SYMBOLS = frozenset("NLRBAaJSVrFejnE/fQ?")
"""WFDB annotation symbols that mark a beat (PhysioNet's ``ann_labels`` beat codes).

Rhythm changes (``+``), signal-quality and other non-beat labels (``~ | x [ ] !`` ...) are not
beats and must not be scored as such. Introduced in chapters/14_beyond_radiology.ipynb.
"""

AAMI_WINDOW_S = 0.150
"""The ANSI/AAMI EC57 matching window for beat detection, in seconds (chapters/14_beyond_radiology.ipynb)."""

EC57_START_S = 300.0
"""Start of ``bxb``'s standard comparison: 5 minutes into the record (chapters/14_beyond_radiology.ipynb).

The first 5 minutes are a learning period in which a detector may adapt; beats and detections
in them are not scored.
"""


class SignalFileError(MedlabError, FileNotFoundError):
    """A WFDB record or annotation file is missing or unreadable (chapters/14_beyond_radiology.ipynb)."""


class SignalError(MedlabError, ValueError):
    """A signal too short for a measure (also a ``ValueError``; chapters/14_beyond_radiology.ipynb)."""


def _record_files(path: str | Path, extensions: tuple[str, ...]) -> str:
    base = Path(path)
    base = base.with_suffix("") if base.suffix in {".hea", ".dat", ".atr"} else base
    for ext in extensions:
        f = base.parent / f"{base.name}.{ext}"
        if not f.is_file():
            raise SignalFileError(
                f"{f.name}: no such file in {base.parent.name or '.'}/. A WFDB record needs its .hea header, "
                f"its signal file and (for beats) its annotation file side by side; fetch the dataset with "
                f"medlab.data.fetch(...) and pass <folder>/<record name> without extension.")
    return str(base)


def read_record(path: str | Path, channels: list[int] | None = None) -> Any:
    """Read a WFDB record (``wfdb.Record``) from ``<folder>/<name>`` (no extension).

    Raises :class:`SignalFileError` naming the missing file. Used in chapters/14_beyond_radiology.ipynb.
    """
    import wfdb

    base = _record_files(path, ("hea",))
    try:
        return wfdb.rdrecord(base, channels=channels)
    except (OSError, ValueError) as exc:
        raise SignalFileError(f"{Path(base).name}: WFDB could not read the record ({exc}); check that the "
                              f".hea header and its signal file are complete (re-fetch the dataset).") from exc


@dataclass(frozen=True)
class Beats:
    """Reference beats of a record: sample index and WFDB symbol of each beat, and the sampling rate."""

    samples: np.ndarray
    symbols: np.ndarray
    fs: float

    def counts(self) -> dict[str, int]:
        """Number of beats per symbol, most frequent first."""
        sym, n = np.unique(self.symbols, return_counts=True)
        order = np.argsort(-n, kind="stable")
        return {str(sym[i]): int(n[i]) for i in order}


def read_beats(path: str | Path, extension: str = "atr") -> Beats:
    """The *beat* annotations of a record (:data:`BEAT_SYMBOLS` only), as :class:`Beats`.

    Used in chapters/14_beyond_radiology.ipynb to score R-peak detectors and label beats.
    """
    import wfdb

    base = _record_files(path, ("hea", extension))
    ann = wfdb.rdann(base, extension)
    symbols = np.asarray(ann.symbol)
    keep = np.isin(symbols, list(BEAT_SYMBOLS))
    return Beats(samples=np.asarray(ann.sample)[keep].astype(np.int64), symbols=symbols[keep], fs=float(ann.fs))


def bandpass(x: np.ndarray, fs: float, low: float = 5.0, high: float = 15.0, order: int = 2) -> np.ndarray:
    """Zero-phase Butterworth band-pass filter of ``x`` (default 5-15 Hz, the QRS band of Pan-Tompkins).

    Used in chapters/14_beyond_radiology.ipynb.
    """
    sos = sps.butter(order, [low, high], btype="bandpass", fs=fs, output="sos")
    return sps.sosfiltfilt(sos, np.asarray(x, dtype=float))


def pan_tompkins_stages(x: np.ndarray, fs: float) -> dict[str, np.ndarray]:
    """The intermediate signals of :func:`pan_tompkins`: band-passed, derivative, squared, integrated.

    Used in chapters/14_beyond_radiology.ipynb to plot each stage.
    """
    filtered = bandpass(x, fs)
    derivative = np.gradient(filtered) * fs
    squared = derivative ** 2
    width = max(1, int(round(0.150 * fs)))  # 150 ms moving window, about one QRS complex
    integrated = np.convolve(squared, np.ones(width) / width, mode="same")
    return {"filtered": filtered, "derivative": derivative, "squared": squared, "integrated": integrated}


def pan_tompkins(x: np.ndarray, fs: float, refractory_s: float = 0.2) -> np.ndarray:
    """R-peak sample indices of ``x`` by a compact Pan-Tompkins-style detector (Pan & Tompkins 1985).

    Peaks of the integrated signal at least ``refractory_s`` apart are QRS candidates; a running
    signal level and noise level (updated 1/8 per peak, as in the original) set the threshold
    ``noise + 0.25 (signal - noise)``; a search-back over a gap longer than 1.66 mean RR accepts the
    largest candidate above half the threshold. Each accepted QRS is placed on the largest absolute
    deflection of the band-passed signal within 100 ms. Simplified: one threshold set, no T-wave
    slope test. Used in chapters/14_beyond_radiology.ipynb.
    """
    st = pan_tompkins_stages(x, fs)
    integ, filt = st["integrated"], st["filtered"]
    cand, _ = sps.find_peaks(integ, distance=max(1, int(refractory_s * fs)))
    if len(cand) == 0:
        return np.zeros(0, dtype=np.int64)
    first = integ[: int(2 * fs)]
    spk, npk = 0.25 * float(first.max()), 0.5 * float(first.mean())
    accepted: list[int] = []
    rr: list[int] = []
    last_checked = 0
    for i, c in enumerate(cand):
        thr = npk + 0.25 * (spk - npk)
        if integ[c] > thr:
            if accepted and len(rr) >= 2 and c - accepted[-1] > 1.66 * np.mean(rr[-8:]):
                gap = [k for k in cand[last_checked:i] if accepted[-1] + 0.2 * fs < k < c - 0.2 * fs]
                if gap:
                    best = max(gap, key=lambda k: integ[k])
                    if integ[best] > 0.5 * thr:
                        accepted.append(int(best))
            if accepted:
                rr.append(int(c) - accepted[-1])
            accepted.append(int(c))
            spk = 0.125 * integ[c] + 0.875 * spk
            last_checked = i + 1
        else:
            npk = 0.125 * integ[c] + 0.875 * npk
    half = max(1, int(0.1 * fs))
    peaks = []
    for c in accepted:
        lo, hi = max(0, c - half), min(len(filt), c + half + 1)
        peaks.append(lo + int(np.argmax(np.abs(filt[lo:hi]))))
    return np.unique(np.asarray(peaks, dtype=np.int64))


@dataclass(frozen=True)
class BeatMatch:
    """One-to-one matches of detected beats to reference beats, and the EC57 scores."""

    tp: int
    fn: int
    fp: int
    matched_ref: np.ndarray
    matched_test: np.ndarray
    unmatched_test: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def sensitivity(self) -> float:
        """The share of reference beats found (sensitivity), ``TP / (TP + FN)``."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def ppv(self) -> float:
        """The share of detections that are beats (positive predictivity), ``TP / (TP + FP)``."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")


def match_beats(reference: np.ndarray, detected: np.ndarray, fs: float,
                window_s: float = AAMI_WINDOW_S, start_s: float = 0.0,
                end_s: float | None = None) -> BeatMatch:
    """Match ``detected`` R peaks to ``reference`` beats one-to-one within ``window_s`` (default 150 ms).

    Both sequences are sorted; a sweep in time pairs each reference beat with the nearest unused
    detection within the window, preferring the one that leaves more pairs possible (a greedy sweep
    in time is optimal for interval matching on a line). A pair counts when the two lie at most
    ``round(window_s * fs)`` samples apart (inclusive, as in ``bxb``: 54 samples at 360 Hz).
    Unmatched reference beats are false negatives, unmatched detections false positives.

    ``start_s`` and ``end_s`` restrict the comparison to a test period, as ``bxb``'s ``-f`` and
    ``-t`` do: only reference beats in ``[start_s, end_s]`` are scored; a detection up to one window
    outside the period may still match one of them, and unmatched detections outside it are not
    counted (``bxb`` also leaves uncounted an unmatched first detection within one window after the
    start when the next one matches the first beat better; here that detection is a false positive).
    EC57's standard protocol starts 5 minutes in (:data:`EC57_START_S`).
    Introduced in chapters/14_beyond_radiology.ipynb.
    """
    if fs <= 0 or window_s <= 0:
        raise SignalError(f"match_beats needs a positive sampling rate and window, got fs={fs}, window_s={window_s}")
    ref = np.sort(np.asarray(reference, dtype=np.int64).ravel())
    det = np.sort(np.asarray(detected, dtype=np.int64).ravel())
    tol = int(round(window_s * fs))
    if start_s or end_s is not None:
        lo = int(round(start_s * fs))
        hi = int(round(end_s * fs)) if end_s is not None else np.iinfo(np.int64).max // 2
        if hi < lo:
            raise SignalError(f"the test period ends ({end_s} s) before it starts ({start_s} s)")
        m = match_beats(ref[(ref >= lo) & (ref <= hi)], det[(det >= lo - tol) & (det <= hi + tol)], fs, window_s)
        outside = (m.unmatched_test < lo) | (m.unmatched_test > hi)
        return BeatMatch(tp=m.tp, fn=m.fn, fp=m.fp - int(outside.sum()), matched_ref=m.matched_ref,
                         matched_test=m.matched_test, unmatched_test=m.unmatched_test[~outside])
    i = j = 0
    mr, mt = [], []
    while i < len(ref) and j < len(det):
        if det[j] < ref[i] - tol:
            j += 1  # detection too early for this and every later reference beat: false positive
        elif det[j] > ref[i] + tol:
            i += 1  # no detection near this reference beat: false negative
        else:
            # det[j] is usable for ref[i]; if the next reference beat is closer and det[j+1] cannot serve ref[i],
            # keep the classic nearest rule: give det[j] to whichever of ref[i], ref[i+1] is closer
            if (i + 1 < len(ref) and abs(det[j] - ref[i + 1]) < abs(det[j] - ref[i])
                    and not (j + 1 < len(det) and abs(det[j + 1] - ref[i]) <= tol)):
                i += 1
                continue
            mr.append(i)
            mt.append(j)
            i += 1
            j += 1
    tp = len(mr)
    mt_idx = np.asarray(mt, dtype=np.int64)
    return BeatMatch(tp=tp, fn=len(ref) - tp, fp=len(det) - tp,
                     matched_ref=ref[np.asarray(mr, dtype=np.int64)], matched_test=det[mt_idx],
                     unmatched_test=np.delete(det, mt_idx))


def ec57_summary(matches: Mapping[str, BeatMatch]) -> pd.DataFrame:
    """Per-record rows (TP, FN, FP, Se, +P), then the **gross** and **average** statistics of EC57.

    Gross: TP, FN and FP summed over the records, then Se = TP / (TP + FN) and +P = TP / (TP + FP)
    (long records weigh more). Average: the mean of the per-record Se and +P (each record weighs the
    same). ``bxb`` reports both through ``sumstats``; ``wfdb.processing.benchmark_mitdb`` returns
    only the average. Introduced in chapters/14_beyond_radiology.ipynb.
    """
    if not matches:
        raise SignalError("ec57_summary needs at least one record's BeatMatch, got none")
    rows = {name: {"TP": m.tp, "FN": m.fn, "FP": m.fp, "Se": m.sensitivity, "+P": m.ppv}
            for name, m in matches.items()}
    table = pd.DataFrame(rows).T
    tp, fn, fp = (int(table[c].sum()) for c in ("TP", "FN", "FP"))
    gross = {"TP": tp, "FN": fn, "FP": fp, "Se": tp / (tp + fn) if tp + fn else float("nan"),
             "+P": tp / (tp + fp) if tp + fp else float("nan")}
    average = {"TP": np.nan, "FN": np.nan, "FP": np.nan, "Se": float(table["Se"].astype(float).mean()),
               "+P": float(table["+P"].astype(float).mean())}
    return pd.concat([table, pd.DataFrame({"gross": gross, "average": average}).T])


def add_bandlimited_noise(x: np.ndarray, fs: float, snr_db: float, rng: np.random.Generator,
                          low: float = 5.0, high: float = 50.0) -> np.ndarray:
    """``x`` plus Gaussian noise band-limited to ``low``-``high`` Hz, scaled to ``snr_db`` dB below its power.

    The SNR is ``10 log10(P_signal / P_noise)`` with the signal's power taken about its mean. The
    default 5-50 Hz band overlaps the QRS band, as muscle (EMG) noise does. Used in
    chapters/14_beyond_radiology.ipynb to stress R-peak detectors with several noise draws.
    """
    x = np.asarray(x, dtype=float)
    if not 0 < low < high < fs / 2:
        raise SignalError(f"the noise band must satisfy 0 < low < high < fs/2 = {fs / 2:g} Hz, got {low}-{high} Hz")
    if x.size < 10 * fs / low:
        raise SignalError(f"{x.size} samples are too few to shape noise down to {low} Hz; pass a longer signal")
    noise = bandpass(rng.normal(0.0, 1.0, x.size), fs, low=low, high=high)
    power = np.mean((x - x.mean()) ** 2)
    return x + noise * np.sqrt(power / 10 ** (snr_db / 10)) / noise.std()


def hrv_time(peaks: np.ndarray, fs: float) -> dict[str, float]:
    """Time-domain HRV from R-peak samples: mean HR (bpm), mean NN, SDNN, RMSSD (ms) and pNN50 (%).

    SDNN uses the sample standard deviation (ddof=1) and pNN50 divides by the number of intervals, as
    neurokit2's ``hrv_time`` (and the 1996 Task Force definition) do. No ectopic beat is
    removed here, so on a record with premature beats these are RR, not strictly NN, statistics.
    Used in chapters/14_beyond_radiology.ipynb.
    """
    rr = np.diff(np.sort(np.asarray(peaks))) / fs * 1000.0
    if len(rr) < 2:
        raise SignalError(f"hrv_time needs at least three R peaks, got {np.size(peaks)}; detect the peaks "
                          "on a longer stretch of the record (a few minutes gives stable HRV)")
    d = np.diff(rr)
    return {"mean_hr_bpm": float(60000.0 / rr.mean()), "mean_nn_ms": float(rr.mean()),
            "sdnn_ms": float(rr.std(ddof=1)), "rmssd_ms": float(np.sqrt(np.mean(d ** 2))),
            "pnn50_pct": float(100.0 * np.sum(np.abs(d) > 50.0) / len(rr))}


def beat_windows(x: np.ndarray, peaks: np.ndarray, fs: float, before_s: float = 0.25,
                 after_s: float = 0.45) -> tuple[np.ndarray, np.ndarray]:
    """Windows of ``x`` around each R peak, and the indices of the peaks kept (those fully inside ``x``).

    Each window is centred on its own median (baseline removed). Used in chapters/14_beyond_radiology.ipynb.
    """
    b, a = int(round(before_s * fs)), int(round(after_s * fs))
    peaks = np.asarray(peaks)
    keep = np.flatnonzero((peaks - b >= 0) & (peaks + a <= len(x)))
    win = np.stack([x[p - b:p + a] for p in peaks[keep]]) if len(keep) else np.zeros((0, a + b))
    return (win - np.median(win, axis=1, keepdims=True)).astype(np.float32), keep


def rr_features(peaks: np.ndarray, fs: float, local: int = 10) -> np.ndarray:
    """Per beat: previous RR, next RR (s), and previous RR over the mean of the last ``local`` RRs.

    The first and last beats copy their neighbour's interval. A premature beat has a short previous
    RR, a long next RR and a ratio below 1. Used in chapters/14_beyond_radiology.ipynb.
    """
    p = np.asarray(peaks, dtype=float)
    rr = np.diff(p) / fs
    pre = np.concatenate([[rr[0]], rr])
    post = np.concatenate([rr, [rr[-1]]])
    csum = np.concatenate([[0.0], np.cumsum(pre)])
    idx = np.arange(len(pre))
    lo = np.maximum(0, idx - local)
    local_mean = (csum[idx + 1] - csum[lo]) / (idx + 1 - lo)
    return np.stack([pre, post, pre / local_mean], axis=1).astype(np.float32)


class BeatCNN(nn.Module):
    """A small 1D CNN for beat windows: three conv blocks, global average pooling, a linear head.

    ``n_extra`` features (e.g. :func:`rr_features`) are concatenated before the head. Input shape
    ``(batch, 1 + n_extra... )``: pass ``x`` of shape ``(batch, 1, length)`` and optionally ``extra``
    of shape ``(batch, n_extra)``. Introduced in chapters/14_beyond_radiology.ipynb.
    """

    def __init__(self, num_classes: int = 2, width: int = 16, n_extra: int = 0):
        super().__init__()
        blocks = []
        c_in = 1
        for c_out in (width, 2 * width, 2 * width):
            blocks += [nn.Conv1d(c_in, c_out, 7, padding=3), nn.BatchNorm1d(c_out), nn.ReLU(), nn.MaxPool1d(2)]
            c_in = c_out
        self.features = nn.Sequential(*blocks, nn.AdaptiveAvgPool1d(1), nn.Flatten())
        self.n_extra = n_extra
        self.head = nn.Linear(c_in + n_extra, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch; when ``n_extra > 0``, the last ``n_extra`` samples of ``x`` are the extras."""
        if self.n_extra:
            extra = x[:, 0, -self.n_extra:]
            x = x[..., :-self.n_extra]
            return self.head(torch.cat([self.features(x), extra], dim=1))
        return self.head(self.features(x))
