"""Agreement between readers: kappas and alpha on labels, Dice and surface distances on masks.

- :func:`pairwise_kappa`: Cohen's kappa for every pair of readers
  (scikit-learn's ``cohen_kappa_score``, optionally weighted for ordinal calls);
- :func:`fleiss_kappa`: one chance-corrected agreement for many readers
  (statsmodels);
- :func:`krippendorff_alpha`: the same question for nominal or ordinal calls,
  tolerant of missing calls (the ``krippendorff`` package);
- :func:`dice` and :func:`mask_agreement`: overlap and boundary distances
  between two masks in millimetres (MONAI's surface-distance metrics);
- :func:`cluster_bootstrap`: a percentile interval for any of these
  statistics that resamples whole studies (clusters), not slices or voxels:
  the slices of one study share a patient, a scanner and a tumour, so they
  are not independent, and an interval that treats them so is too narrow.

Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from . import LabelsError


def _calls(calls: Mapping[str, Sequence[int]] | pd.DataFrame) -> pd.DataFrame:
    """Reader calls as a units x readers frame of integer categories."""
    frame = pd.DataFrame(calls)
    if frame.shape[1] < 2:
        raise LabelsError(f"agreement needs at least two readers (columns), got {list(frame.columns)}")
    if frame.isna().any().any():
        raise LabelsError("reader calls contain missing values; use krippendorff_alpha, which allows them")
    return frame.astype(int)


def pairwise_kappa(calls: Mapping[str, Sequence[int]] | pd.DataFrame, weights: str | None = None) -> pd.DataFrame:
    """Cohen's kappa between every pair of readers, as a symmetric readers x readers table.

    ``calls`` maps each reader to one call per unit (a slice, an image).
    ``weights`` is passed to scikit-learn (``"linear"`` or ``"quadratic"`` for
    ordinal calls). The diagonal is 1.
    """
    frame = _calls(calls)
    names = list(frame.columns)
    table = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for a, b in combinations(names, 2):
        k = cohen_kappa_score(frame[a], frame[b], weights=weights)
        table.loc[a, b] = table.loc[b, a] = k
    return table


def fleiss_kappa(calls: Mapping[str, Sequence[int]] | pd.DataFrame) -> float:
    """Fleiss' kappa of all readers together (statsmodels' ``fleiss_kappa`` on the count table)."""
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as _fleiss

    counts, _ = aggregate_raters(_calls(calls).to_numpy())
    return float(_fleiss(counts, method="fleiss"))


def krippendorff_alpha(calls: Mapping[str, Sequence[float]] | pd.DataFrame, level: str = "nominal") -> float:
    """Krippendorff's alpha (``level``: nominal, ordinal, interval); missing calls may be NaN."""
    import krippendorff

    frame = pd.DataFrame(calls).astype(float)
    if frame.shape[1] < 2:
        raise LabelsError(f"agreement needs at least two readers (columns), got {list(frame.columns)}")
    return float(krippendorff.alpha(reliability_data=frame.to_numpy().T, level_of_measurement=level))


def slice_calls(mask: np.ndarray, min_pixels: int = 1) -> np.ndarray:
    """Per-slice "tumour present" call (1/0) of a (z, y, x) mask: at least ``min_pixels`` foreground pixels."""
    mask = np.asarray(mask)
    if mask.ndim != 3:
        raise LabelsError(f"slice_calls: expected a 3D mask, got shape {mask.shape}")
    return (mask.reshape(len(mask), -1).sum(axis=1) >= min_pixels).astype(int)


def dice(a: np.ndarray, b: np.ndarray) -> float:
    """Dice overlap ``2 |A and B| / (|A| + |B|)`` of two binary masks; 1.0 when both are empty."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    if a.shape != b.shape:
        raise LabelsError(f"dice: masks differ in shape {a.shape} vs {b.shape}; resample one onto the other's grid")
    total = a.sum() + b.sum()
    return 1.0 if total == 0 else float(2 * (a & b).sum() / total)


def mask_agreement(a: np.ndarray, b: np.ndarray, spacing: Sequence[float]) -> dict[str, float]:
    """Dice, 95th-percentile Hausdorff distance and mean symmetric surface distance (mm) of two masks.

    ``spacing`` is the voxel size in mm in the array's axis order (``Volume.spacing``).
    Distances come from MONAI's ``compute_hausdorff_distance`` and
    ``compute_average_surface_distance``; they are NaN when either mask is empty.
    """
    import torch
    from monai.metrics import compute_average_surface_distance, compute_hausdorff_distance

    a, b = np.asarray(a, bool), np.asarray(b, bool)
    out = {"dice": dice(a, b), "hd95_mm": float("nan"), "assd_mm": float("nan")}
    if not a.any() or not b.any():
        return out
    ta, tb = (torch.from_numpy(m[None, None].astype(np.float32)) for m in (a, b))
    sp = [float(s) for s in spacing]
    with warnings.catch_warnings():  # MONAI 1.5+ warns about one of its own internal arguments
        warnings.simplefilter("ignore", FutureWarning)
        out["hd95_mm"] = float(compute_hausdorff_distance(ta, tb, include_background=True, percentile=95,
                                                          spacing=sp).item())
        out["assd_mm"] = float(compute_average_surface_distance(ta, tb, include_background=True, symmetric=True,
                                                                spacing=sp).item())
    return out


@dataclass(frozen=True)
class BootstrapInterval:
    """A statistic with its cluster-bootstrap percentile interval (see :func:`cluster_bootstrap`).

    Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
    """

    estimate: float
    low: float
    high: float
    level: float
    n_clusters: int
    n_boot: int
    n_failed: int = 0
    replicates: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)

    def __str__(self) -> str:
        return f"{self.estimate:.2f} [{self.low:.2f}, {self.high:.2f}]"


def cluster_bootstrap(frame: pd.DataFrame, statistic: Callable[[pd.DataFrame], float], cluster: str,
                      n_boot: int = 2000, level: float = 0.95, seed: int = 0) -> BootstrapInterval:
    """Percentile interval for ``statistic(frame)`` that resamples whole clusters with replacement.

    ``frame`` holds one row per unit (a slice, a reader pair) and a column
    ``cluster`` naming the unit that was sampled (the study, the patient).
    Each of ``n_boot`` replicates draws as many clusters as there are, with
    replacement, stacks all rows of the drawn clusters (a cluster drawn twice
    appears twice) and evaluates ``statistic`` on that frame. The interval is
    the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the
    replicates; replicates where the statistic is undefined (NaN, e.g. a kappa
    on calls that are all identical) are dropped and counted in ``n_failed``.

    With few clusters the percentile interval is itself rough (it tends to be
    too narrow); it is still honest about *which* unit varies, which an
    interval over pooled slices is not.

    Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
    """
    if not isinstance(frame, pd.DataFrame):
        raise LabelsError(f"cluster_bootstrap: expected a pandas DataFrame, got {type(frame).__name__}")
    if cluster not in frame.columns:
        raise LabelsError(f"cluster_bootstrap: no column {cluster!r} in the frame (columns: {list(frame.columns)}); "
                          "add a column naming each row's study or patient")
    if not 0 < level < 1:
        raise LabelsError(f"cluster_bootstrap: level must lie in (0, 1), e.g. 0.95, got {level}")
    if n_boot < 100:
        raise LabelsError(f"cluster_bootstrap: n_boot={n_boot} is too few for a percentile interval; use >= 100")
    groups = list(frame.groupby(cluster, sort=True).indices.values())  # row positions of each cluster
    if len(groups) < 2:
        raise LabelsError(f"cluster_bootstrap: {len(groups)} cluster(s) in column {cluster!r}; resampling needs "
                          "at least two (with one, every replicate is the data and the interval has zero width)")
    estimate = float(statistic(frame))
    rng = np.random.default_rng(seed)
    reps = np.empty(n_boot)
    for b in range(n_boot):
        pick = rng.integers(len(groups), size=len(groups))
        rows = np.concatenate([groups[i] for i in pick])
        reps[b] = float(statistic(frame.iloc[rows].reset_index(drop=True)))
    ok = reps[np.isfinite(reps)]
    if len(ok) < n_boot / 2:
        raise LabelsError(f"cluster_bootstrap: the statistic was undefined in {n_boot - len(ok)} of {n_boot} "
                          "replicates; too few clusters vary for an interval")
    low, high = np.quantile(ok, [(1 - level) / 2, (1 + level) / 2])
    return BootstrapInterval(estimate=estimate, low=float(low), high=float(high), level=level,
                             n_clusters=len(groups), n_boot=n_boot, n_failed=n_boot - len(ok), replicates=ok)
