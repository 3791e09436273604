"""medlab.monitoring: CUSUM on many streams, threshold calibration, recalibration (chapter 13)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from medlab import monitoring as mon
from medlab import shift as sh


@pytest.fixture
def streams():
    rng = np.random.default_rng(0)
    x = rng.normal(10.0, 2.0, size=(50, 40))
    x[:5, 20:] += 4.0  # five streams with a step of two sd from day 20
    return x


@pytest.mark.parametrize("two_sided", [True, False])
def test_paths_match_the_single_stream_cusum(streams, two_sided):
    paths = mon.cusum_paths(streams, 10.0, 2.0, k=0.5, two_sided=two_sided)
    assert paths.shape == streams.shape
    for row, path in zip(streams, paths):
        s, alarm = sh.cusum(row, 10.0, 2.0, k=0.5, h=4.0, two_sided=two_sided)
        assert np.allclose(path, s)
        first = mon.first_alarms(path[None], 4.0)[0]
        assert (np.isnan(first) and alarm is None) or first == alarm


def test_a_one_dimensional_stream_is_one_row(streams):
    assert np.allclose(mon.cusum_paths(streams[0], 10.0, 2.0), mon.cusum_paths(streams[:1], 10.0, 2.0))


def test_calibrated_threshold_gives_the_rate_on_new_streams():
    rng = np.random.default_rng(1)
    h = mon.calibrate_threshold(rng.normal(size=(4000, 60)), 0.0, 1.0, k=0.5, false_alarm_rate=0.05)
    fresh = mon.first_alarms(mon.cusum_paths(rng.normal(size=(4000, 60)), 0.0, 1.0, k=0.5), h)
    rate = np.mean(~np.isnan(fresh))
    assert 0.035 < rate < 0.065
    # a stricter rate needs a higher threshold
    assert mon.calibrate_threshold(rng.normal(size=(4000, 60)), 0.0, 1.0, false_alarm_rate=0.01) > h


def test_alarm_counts_restart_and_the_count_threshold():
    # a constant stream one sd above the mean: S+ grows by 0.5 a day and alarms every 5th day at h = 2.2
    x = np.ones((1, 20))
    assert mon.alarm_counts(x, 0.0, 1.0, k=0.5, h=2.2)[0] == 4
    assert mon.alarm_counts(x, 0.0, 1.0, k=0.5, h=100.0)[0] == 0
    rng = np.random.default_rng(2)
    null = rng.normal(size=(1500, 365))
    h1 = mon.threshold_for_alarm_count(null, 0.0, 1.0, k=0.5, alarms_per_stream=1.0)
    assert mon.alarm_counts(null, 0.0, 1.0, 0.5, h1).mean() == pytest.approx(1.0, abs=0.05)
    h_half = mon.threshold_for_alarm_count(null, 0.0, 1.0, k=0.5, alarms_per_stream=0.5)
    assert h_half > h1


def test_recalibrate_intercept_matches_the_observed_rate():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.05, 0.6, 400)
    y = (rng.uniform(size=400) < 0.5).astype(int)
    a = mon.recalibrate_intercept(p, y, pseudo_count=1.0)
    assert special.expit(special.logit(p) + a).mean() == pytest.approx((y.sum() + 0.5) / 401)
    assert np.isfinite(mon.recalibrate_intercept(p[:30], np.zeros(30)))  # no positive case: still finite


def test_bad_input_is_named(streams):
    with pytest.raises(mon.MonitoringError, match="sd must be positive"):
        mon.cusum_paths(streams, 0.0, 0.0)
    with pytest.raises(mon.MonitoringError, match="2-D"):
        mon.cusum_paths(np.zeros((2, 3, 4)), 0.0, 1.0)
    with pytest.raises(mon.MonitoringError, match="reference value k"):
        mon.cusum_paths(streams, 0.0, 1.0, k=-1)
    with pytest.raises(mon.MonitoringError, match="strictly between 0 and 1"):
        mon.calibrate_threshold(streams, 10.0, 2.0, false_alarm_rate=5)
    with pytest.raises(mon.MonitoringError, match="cannot resolve"):
        mon.calibrate_threshold(streams[:10], 10.0, 2.0, false_alarm_rate=0.01)
    with pytest.raises(mon.MonitoringError, match="NaN"):
        mon.cusum_paths(np.array([[1.0, np.nan]]), 0.0, 1.0)
    with pytest.raises(mon.MonitoringError, match="one label per probability"):
        mon.recalibrate_intercept(np.array([0.2, 0.3]), np.array([1]))
    with pytest.raises(mon.MonitoringError, match="0 or 1"):
        mon.recalibrate_intercept(np.array([0.2, 0.3]), np.array([1, 2]))
    with pytest.raises(mon.MonitoringError, match="h must be positive"):
        mon.alarm_counts(streams, 10.0, 2.0, 0.5, 0.0)
