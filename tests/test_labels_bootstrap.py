"""medlab.labels.agreement.cluster_bootstrap: whole studies are resampled, not their slices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medlab.labels import LabelsError, agreement


def _clustered(n_clusters: int = 8, per: int = 30, spread: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Units whose values share a cluster effect of sd ``spread`` plus small unit noise."""
    rng = np.random.default_rng(seed)
    effect = rng.normal(0, spread, n_clusters)
    return pd.DataFrame({"study": np.repeat(np.arange(n_clusters), per),
                         "x": np.repeat(effect, per) + rng.normal(0, 0.1, n_clusters * per)})


def test_cluster_interval_is_wider_than_the_pooled_one_for_clustered_data():
    frame = _clustered()
    mean = lambda f: f["x"].mean()  # noqa: E731
    by_study = agreement.cluster_bootstrap(frame, mean, "study", n_boot=500, seed=1)
    pooled = agreement.cluster_bootstrap(frame.assign(unit=np.arange(len(frame))), mean, "unit", n_boot=500, seed=1)
    assert by_study.estimate == pytest.approx(frame.x.mean())
    assert by_study.low < by_study.estimate < by_study.high
    # the cluster effect (sd 1) dominates: pooling 240 units as independent is several times too narrow
    assert (by_study.high - by_study.low) > 3 * (pooled.high - pooled.low)
    assert by_study.n_clusters == 8 and pooled.n_clusters == 240


def test_one_unit_per_cluster_is_the_ordinary_bootstrap():
    rng = np.random.default_rng(2)
    x = rng.normal(size=400)
    res = agreement.cluster_bootstrap(pd.DataFrame({"id": np.arange(400), "x": x}), lambda f: f["x"].mean(), "id",
                                      n_boot=1000, seed=0)
    se = x.std(ddof=1) / np.sqrt(len(x))
    assert res.low == pytest.approx(x.mean() - 1.96 * se, abs=0.4 * se)
    assert res.high == pytest.approx(x.mean() + 1.96 * se, abs=0.4 * se)


def test_replicates_hold_whole_clusters_and_are_reproducible():
    frame = pd.DataFrame({"study": [0] * 3 + [1] * 5 + [2] * 7, "x": 1.0})
    sizes = []
    res = agreement.cluster_bootstrap(frame, lambda f: sizes.append(len(f)) or len(f), "study", n_boot=200, seed=3)
    # every replicate is a sum of three whole-cluster sizes
    possible = {a + b + c for a in (3, 5, 7) for b in (3, 5, 7) for c in (3, 5, 7)}
    assert set(sizes[1:]) <= possible and len(set(sizes[1:])) > 3
    again = agreement.cluster_bootstrap(frame, lambda f: len(f), "study", n_boot=200, seed=3)
    assert np.array_equal(res.replicates, again.replicates)
    assert str(res).startswith("15.00 [")


def test_undefined_replicates_are_dropped_and_counted():
    frame = pd.DataFrame({"study": np.repeat(np.arange(6), 2), "x": [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6]})
    res = agreement.cluster_bootstrap(frame, lambda f: f.x.mean() if (f.x == 0).any() else np.nan, "study",
                                      n_boot=400, seed=0)
    assert 0 < res.n_failed < 400 and len(res.replicates) == 400 - res.n_failed


def test_fleiss_kappa_by_study_runs_on_reader_calls():
    rng = np.random.default_rng(4)
    truth = rng.integers(0, 2, 120)
    calls = pd.DataFrame({r: np.where(rng.random(120) < 0.1, 1 - truth, truth) for r in "abc"})
    calls["study"] = np.repeat(np.arange(6), 20)
    res = agreement.cluster_bootstrap(calls, lambda f: agreement.fleiss_kappa(f[list("abc")]), "study",
                                      n_boot=200, seed=0)
    assert res.low <= res.estimate <= res.high and res.high > res.low


def test_bad_input_is_refused_with_a_fix():
    frame = _clustered(n_clusters=3, per=2)
    stat = lambda f: f["x"].mean()  # noqa: E731
    with pytest.raises(LabelsError, match="no column 'patient'"):
        agreement.cluster_bootstrap(frame, stat, "patient")
    with pytest.raises(LabelsError, match="at least two"):
        agreement.cluster_bootstrap(frame.assign(study=0), stat, "study")
    with pytest.raises(LabelsError, match="level"):
        agreement.cluster_bootstrap(frame, stat, "study", level=95)
    with pytest.raises(LabelsError, match="n_boot"):
        agreement.cluster_bootstrap(frame, stat, "study", n_boot=10)
    with pytest.raises(LabelsError, match="DataFrame"):
        agreement.cluster_bootstrap(frame.to_numpy(), stat, "study")
