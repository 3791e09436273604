"""Post-deployment monitoring: CUSUM charts on many streams at once, calibrated to a false-alarm rate.

:func:`medlab.shift.cusum` runs one chart on one stream. Choosing its
threshold ``h`` needs thousands of simulated drift-free streams, so this
module runs the same chart on a whole array of streams (one row per stream):

- :func:`cusum_paths` gives every stream's CUSUM statistic, day by day;
- :func:`first_alarms` turns them into the day of the first alarm at a given ``h``;
- :func:`calibrate_threshold` sets ``h`` so that a chosen share of
  drift-free streams raise a false alarm within their length;
- :func:`alarm_counts` and :func:`threshold_for_alarm_count` count alarms
  when the chart restarts after each one (false alarms per year);
- :func:`recalibrate_intercept` re-estimates a model's intercept from a small
  labelled sample of a new site (recalibration-in-the-large).

Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special

from .errors import MedlabError


class MonitoringError(MedlabError, ValueError):
    """Bad input to a monitoring helper (wrong shape, non-positive sd, a rate outside (0, 1)).

    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """


def _standardise(streams: np.ndarray, mean: float, sd: float) -> np.ndarray:
    x = np.asarray(streams, dtype=float)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] == 0:
        raise MonitoringError(f"streams must be a 2-D array (streams x days) with at least one day, got shape "
                              f"{np.shape(streams)}")
    if not np.isfinite(sd) or sd <= 0:
        raise MonitoringError(f"sd must be positive and finite, not {sd}: estimate it on in-control data")
    if not np.isfinite(x).all():
        raise MonitoringError("streams contain NaN or infinite values")
    return (x - mean) / sd


def _check_k(k: float) -> None:
    if not np.isfinite(k) or k < 0:
        raise MonitoringError(f"the reference value k must be a finite number >= 0, not {k}")


def cusum_paths(streams: np.ndarray, mean: float, sd: float, k: float = 0.5,
                two_sided: bool = True) -> np.ndarray:
    """The CUSUM statistic of every stream (rows of ``streams``), day by day, without restarts.

    Row ``i`` equals ``medlab.shift.cusum(streams[i], mean, sd, k, two_sided=two_sided)[0]``:
    on ``z_t = (x_t - mean) / sd``, ``S+_t = max(0, S+_{t-1} + z_t - k)`` and, when
    ``two_sided``, ``S-_t = max(0, S-_{t-1} - z_t - k)``; the result is
    ``max(S+_t, S-_t)``. ``k`` is the reference value: half the shift, in sd
    of the daily statistic, that the chart is tuned to detect. A 1-D
    ``streams`` is one stream. Returns an array of the shape streams x days.
    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    _check_k(k)
    z = _standardise(streams, mean, sd)
    out = np.empty_like(z)
    up = np.zeros(len(z))
    down = np.zeros(len(z))
    for t in range(z.shape[1]):
        up = np.maximum(0.0, up + z[:, t] - k)
        if two_sided:
            down = np.maximum(0.0, down - z[:, t] - k)
        out[:, t] = np.maximum(up, down)
    return out


def first_alarms(paths: np.ndarray, h: float) -> np.ndarray:
    """The index of each stream's first day with a statistic above ``h``; NaN where none is.

    ``paths`` are the rows of :func:`cusum_paths`. The result is a float
    array so that "no alarm" can be NaN. Introduced in the chapter
    "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    p = np.atleast_2d(np.asarray(paths, dtype=float))
    if p.ndim != 2:
        raise MonitoringError(f"paths must be streams x days, got shape {np.shape(paths)}")
    above = p > h
    out = np.full(len(p), np.nan)
    hit = above.any(axis=1)
    out[hit] = above[hit].argmax(axis=1)
    return out


def _check_rate(rate: float, name: str) -> None:
    if not 0 < rate < 1:
        raise MonitoringError(f"{name} must be strictly between 0 and 1, not {rate}; pass a share (0.05 for 5 %)")


def calibrate_threshold(null_streams: np.ndarray, mean: float, sd: float, k: float = 0.5,
                        false_alarm_rate: float = 0.05, two_sided: bool = True) -> float:
    """The threshold ``h`` at which a share ``false_alarm_rate`` of drift-free streams raise an alarm.

    ``null_streams`` (streams x days) are simulated or recorded *in-control*
    streams, as long as the horizon the rate refers to. A stream alarms within
    its length exactly when its largest CUSUM value exceeds ``h``, so ``h``
    is the ``1 - false_alarm_rate`` quantile of those maxima. Use many streams
    (thousands): the rate is only as precise as the simulation. Introduced in
    the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    _check_rate(false_alarm_rate, "false_alarm_rate")
    maxima = cusum_paths(null_streams, mean, sd, k, two_sided).max(axis=1)
    if len(maxima) * false_alarm_rate < 1:
        raise MonitoringError(f"{len(maxima)} streams cannot resolve a false-alarm rate of {false_alarm_rate}; "
                              f"simulate at least {int(np.ceil(1 / false_alarm_rate))}")
    return float(np.quantile(maxima, 1 - false_alarm_rate))


def alarm_counts(streams: np.ndarray, mean: float, sd: float, k: float, h: float,
                 two_sided: bool = True) -> np.ndarray:
    """How many alarms each stream raises when the chart restarts at zero after every alarm.

    This is how a monitor runs in practice: an alarm is investigated, found
    false, and the chart starts again. On drift-free streams the mean count
    is the expected number of false alarms over the streams' length.
    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    _check_k(k)
    if not h > 0:
        raise MonitoringError(f"h must be positive, not {h}")
    z = _standardise(streams, mean, sd)
    up = np.zeros(len(z))
    down = np.zeros(len(z))
    counts = np.zeros(len(z), dtype=int)
    for t in range(z.shape[1]):
        up = np.maximum(0.0, up + z[:, t] - k)
        if two_sided:
            down = np.maximum(0.0, down - z[:, t] - k)
        alarm = np.maximum(up, down) > h
        counts += alarm
        up[alarm] = 0.0
        down[alarm] = 0.0
    return counts


def threshold_for_alarm_count(null_streams: np.ndarray, mean: float, sd: float, k: float = 0.5,
                              alarms_per_stream: float = 1.0, two_sided: bool = True,
                              tol: float = 1e-3) -> float:
    """The ``h`` at which drift-free streams raise ``alarms_per_stream`` false alarms on average.

    With restarts (:func:`alarm_counts`); found by bisection, since the mean
    count falls as ``h`` rises. For streams of 365 days and
    ``alarms_per_stream=1`` this is "one false alarm a year". Introduced in
    the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    if not alarms_per_stream > 0:
        raise MonitoringError(f"alarms_per_stream must be positive, not {alarms_per_stream}")
    z = np.asarray(null_streams, dtype=float)
    days = z.shape[-1] if z.ndim else 0
    if alarms_per_stream >= days:
        raise MonitoringError(f"streams of {days} days cannot average {alarms_per_stream} alarms each")

    def excess(h: float) -> float:
        return float(alarm_counts(null_streams, mean, sd, k, h, two_sided).mean()) - alarms_per_stream

    low, high = 1e-6, 1.0
    while excess(high) > 0:
        high *= 2
        if high > 1e6:
            raise MonitoringError("no threshold below 1e6 reaches so few alarms; check mean and sd")
    return float(optimize.brentq(excess, low, high, xtol=tol)) if excess(low) > 0 else low


def recalibrate_intercept(probs: np.ndarray, y_true: np.ndarray, pseudo_count: float = 1.0) -> float:
    """The logit shift that makes ``probs`` match the observed rate of a small labelled sample.

    Recalibration-in-the-large: solve ``mean(expit(logit(p) + a)) = target``
    for ``a``, where ``target = (sum(y) + pseudo_count / 2) / (n + pseudo_count)``
    (half a positive and half a negative case added, so a sample without a
    positive case still gives a finite shift). Apply it with
    ``expit(logit(p) + a)``. The ranking, and so the AUC, is unchanged.
    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    p = np.clip(np.asarray(probs, dtype=float).ravel(), 1e-12, 1 - 1e-12)
    y = np.asarray(y_true).ravel()
    if len(p) == 0 or len(p) != len(y):
        raise MonitoringError(f"need one label per probability, got {len(p)} probabilities and {len(y)} labels")
    if not set(np.unique(y)) <= {0, 1}:
        raise MonitoringError("labels must be 0 or 1")
    if not pseudo_count > 0:
        raise MonitoringError(f"pseudo_count must be positive, not {pseudo_count}")
    target = (y.sum() + pseudo_count / 2) / (len(y) + pseudo_count)
    logits = special.logit(p)
    return float(optimize.brentq(lambda a: special.expit(logits + a).mean() - target, -50.0, 50.0))


__all__ = ["MonitoringError", "cusum_paths", "first_alarms", "calibrate_threshold", "alarm_counts",
           "threshold_for_alarm_count", "recalibrate_intercept"]
