"""Dataset shift between hospitals: simulate it, measure it, detect it, harmonise it.

- :func:`acquisition_shift` rebuilds real images as another scanner or
  protocol would have produced them (:data:`SHIFTS`: gamma curve, lower
  contrast, noise, lower resolution, a narrower intensity window), at
  severities 0 (none) to 3;
- :func:`match_histograms` and :func:`normalise_intensity` harmonise images
  (scikit-image's ``exposure.match_histograms`` and ``rescale_intensity``);
  :func:`combat` harmonises extracted features (neuroCombat's ComBat);
- :func:`auc_over_models` gives the mean AUC of several seeds' models with a
  case-bootstrap interval;
- :func:`mmd2`, :func:`mmd_test` (kernel two-sample test with permutations)
  and :func:`classifier_test` (a domain classifier, Lopez-Paz & Oquab 2017)
  detect a shift without labels;
- :func:`cusum` turns a stream of daily statistics into an alarm, for
  post-deployment monitoring.

neuroCombat is imported inside :func:`combat` (it is in the ``trust`` extra).

Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from skimage import exposure, transform
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .errors import MedlabError
from .evaluation import stratified_resample_weights, weighted_auc


class ShiftError(MedlabError, ValueError):
    """Bad input to a shift helper (unknown kind, severity out of range, wrong array shape)."""


SHIFTS: dict[str, tuple[float, ...]] = {
    "gamma": (1.0, 1.5, 2.0, 3.0),        # I' = 255 (I/255)^gamma: darker mid-tones
    "contrast": (1.0, 0.7, 0.5, 0.3),     # I' = mean + f (I - mean): flatter image
    "noise": (0.0, 8.0, 16.0, 32.0),      # additive Gaussian noise, sd in grey levels
    "resolution": (28, 20, 14, 10),       # down-sample to this many pixels, then back up
    "window": (256, 192, 128, 96),        # keep a window of this width around 128, stretch, clip
}
"""Each kind of acquisition change and its parameter at severities 0 (none) to 3.

Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
"""


def _check_images(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ShiftError(f"expected uint8 images of shape N x H x W, got {images.dtype} {images.shape}; "
                         "pass the arrays of medlab.data.load_arrays")
    return images


def acquisition_shift(images: np.ndarray, kind: str, severity: int, seed: int = 0,
                      parameter: float | None = None) -> np.ndarray:
    """``images`` (uint8, N x H x W) as a different acquisition would give them.

    ``kind`` is a key of :data:`SHIFTS`, ``severity`` 0 (unchanged) to 3;
    ``parameter`` (e.g. a gamma of 1.3) replaces the table's value for
    ``severity`` when given. The result is uint8 again, clipped to [0, 255];
    noise is drawn with ``seed``.
    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    images = _check_images(images)
    if kind not in SHIFTS:
        raise ShiftError(f"unknown shift '{kind}'; choose one of {', '.join(SHIFTS)}")
    if not 0 <= severity < len(SHIFTS[kind]):
        raise ShiftError(f"severity must be 0 to {len(SHIFTS[kind]) - 1}, not {severity}")
    p = SHIFTS[kind][severity] if parameter is None else parameter
    if p == SHIFTS[kind][0]:
        return images.copy()
    x = images.astype(np.float64)
    if kind == "gamma":
        x = 255.0 * (x / 255.0) ** p
    elif kind == "contrast":
        mean = x.mean(axis=(1, 2), keepdims=True)
        x = mean + p * (x - mean)
    elif kind == "noise":
        x = x + np.random.default_rng(seed).normal(0.0, p, size=x.shape)
    elif kind == "resolution":
        h, w = images.shape[1:]
        small = transform.resize(x, (len(x), int(p), int(p)), order=1, anti_aliasing=True, preserve_range=True)
        x = transform.resize(small, (len(x), h, w), order=1, preserve_range=True)
    elif kind == "window":
        low = 128.0 - p / 2
        x = (x - low) / p * 255.0
    return np.clip(np.rint(x), 0, 255).astype(np.uint8)


def reference_image(images: np.ndarray, size: int = 20_000, seed: int = 0) -> np.ndarray:
    """A 1-D sample of pixel values from ``images``: the intensity distribution to match to.

    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    pixels = _check_images(images).ravel()
    return np.random.default_rng(seed).choice(pixels, size=min(size, len(pixels)), replace=False)


def match_histograms(images: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Each image's grey levels mapped so its histogram matches ``reference``'s (scikit-image).

    ``reference`` is a sample of pixel values of the training site
    (:func:`reference_image`). Introduced in the chapter "Trustworthy deployment"
    (chapters/13_trustworthy_deployment.ipynb).
    """
    images = _check_images(images)
    ref = np.asarray(reference).reshape(1, -1)  # a one-row grey image
    out = np.stack([exposure.match_histograms(im, ref) for im in images])
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def normalise_intensity(images: np.ndarray, low: float = 1.0, high: float = 99.0) -> np.ndarray:
    """Per-image intensity normalisation: the ``low``-``high`` percentile range stretched to 0-255.

    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    images = _check_images(images)
    out = np.empty_like(images)
    for i, im in enumerate(images):
        lo, hi = np.percentile(im, (low, high))
        if hi <= lo:
            out[i] = im
            continue
        out[i] = exposure.rescale_intensity(im.astype(np.float64), in_range=(lo, hi), out_range=(0, 255)
                                            ).round().astype(np.uint8)
    return out


# ------------------------------------------------------------------ AUC over seeds


def _auc_rows(y: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """AUC of each row of ``scores`` (M x N) against labels ``y`` (Mann-Whitney, ties averaged)."""
    ranks = stats.rankdata(scores, axis=1)
    pos = y == 1
    n1, n0 = pos.sum(), (~pos).sum()
    return (ranks[:, pos].sum(axis=1) - n1 * (n1 + 1) / 2) / (n1 * n0)


def auc_over_models(y_true: np.ndarray, scores: np.ndarray, n_boot: int = 1000, seed: int = 0,
                    ci: float = 0.95) -> tuple[float, float, float]:
    """Mean AUC of several models (rows of ``scores``) and a case-bootstrap interval for it.

    Each resample draws the cases again (stratified by class) and averages the
    models' AUCs on it, so the interval is the uncertainty from the test set
    for the seed-averaged AUC (the resamples are
    :func:`medlab.evaluation.diagnostic.stratified_resample_weights`, the AUCs
    :func:`medlab.evaluation.diagnostic.weighted_auc`). Returns ``(mean_auc, lower, upper)``.
    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    y = np.asarray(y_true).astype(int).ravel()
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    if s.shape[1] != len(y):
        raise ShiftError(f"scores have {s.shape[1]} cases per model, labels {len(y)}")
    if set(np.unique(y)) != {0, 1}:
        raise ShiftError("an AUC needs both classes among the labels")
    estimate = float(_auc_rows(y, s).mean())
    w = stratified_resample_weights(y, n_boot, np.random.default_rng(seed))
    boot = np.zeros(n_boot)
    for start in range(0, n_boot, 256):  # bounded memory: 256 resamples x N cases at a time
        chunk = w[start:start + 256]
        boot[start:start + 256] = np.mean([weighted_auc(y, row, chunk) for row in s], axis=0)
    alpha = (1 - ci) / 2
    return estimate, float(np.quantile(boot, alpha)), float(np.quantile(boot, 1 - alpha))


# ------------------------------------------------------------------ two-sample tests


def _sq_dists(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
    return np.maximum(d, 0.0)


def median_bandwidth(x: np.ndarray, y: np.ndarray) -> float:
    """The median heuristic: the median distance between all pooled points.

    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    z = np.vstack([x, y]).astype(float)
    d = np.sqrt(_sq_dists(z, z)[np.triu_indices(len(z), 1)])
    return float(np.median(d)) or 1.0


def mmd2(x: np.ndarray, y: np.ndarray, bandwidth: float) -> float:
    """Unbiased squared maximum mean discrepancy with a Gaussian kernel (Gretton et al. 2012).

    ``k(a, b) = exp(-|a - b|^2 / (2 bandwidth^2))``; the within-sample sums
    leave out the diagonal. Introduced in the chapter "Trustworthy deployment"
    (chapters/13_trustworthy_deployment.ipynb).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    z = np.vstack([x, y])
    k = np.exp(-_sq_dists(z, z) / (2 * bandwidth ** 2))
    return _mmd2_from_kernel(k, len(x))


def _mmd2_from_kernel(k: np.ndarray, m: int) -> float:
    n = len(k) - m
    kxx, kyy, kxy = k[:m, :m], k[m:, m:], k[:m, m:]
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.mean())


@dataclass(frozen=True)
class TestResult:
    """A two-sample test: its statistic, p-value and what the statistic means.

    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """

    statistic: float
    p_value: float
    detail: str


def mmd_test(x: np.ndarray, y: np.ndarray, n_permutations: int = 500, bandwidth: float | None = None,
             seed: int = 0) -> TestResult:
    """Permutation test of "``x`` and ``y`` come from the same distribution" with :func:`mmd2`.

    The kernel matrix is computed once; each permutation reshuffles which
    rows count as ``x``. The p-value is ``(1 + #{MMD_perm >= MMD}) / (1 + n_permutations)``.
    ``bandwidth`` defaults to :func:`median_bandwidth`. Introduced in the chapter
    "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1] or min(len(x), len(y)) < 2:
        raise ShiftError(f"need two samples of feature rows with the same width, got {x.shape} and {y.shape}")
    bw = bandwidth or median_bandwidth(x, y)
    z = np.vstack([x, y])
    k = np.exp(-_sq_dists(z, z) / (2 * bw ** 2))
    m = len(x)
    observed = _mmd2_from_kernel(k, m)
    rng = np.random.default_rng(seed)
    null = np.empty(n_permutations)
    for i in range(n_permutations):
        p = rng.permutation(len(z))
        null[i] = _mmd2_from_kernel(k[np.ix_(p, p)], m)
    p_value = (1 + (null >= observed).sum()) / (1 + n_permutations)
    return TestResult(observed, float(p_value), f"MMD^2 (Gaussian kernel, bandwidth {bw:.3g})")


def classifier_test(x: np.ndarray, y: np.ndarray, seed: int = 0) -> TestResult:
    """Classifier two-sample test: can a model tell ``x`` from ``y`` on held-out rows?

    A logistic regression (standardised inputs) is trained on a random half
    of the pooled rows to predict which sample each came from, then scored on
    the other half. Under "no shift" its held-out accuracy is at most the
    majority share; the one-sided binomial test gives the p-value (Lopez-Paz &
    Oquab, ICLR 2017). The statistic is the held-out accuracy. Introduced in the
    chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    z = np.vstack([x, y])
    d = np.r_[np.zeros(len(x)), np.ones(len(y))]
    z_fit, z_test, d_fit, d_test = train_test_split(z, d, test_size=0.5, stratify=d, random_state=seed)
    clf = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)).fit(z_fit, d_fit)
    correct = int((clf.predict(z_test) == d_test).sum())
    chance = max(d_test.mean(), 1 - d_test.mean())
    p = stats.binomtest(correct, len(d_test), chance, alternative="greater").pvalue
    return TestResult(correct / len(d_test), float(p), f"held-out accuracy (chance {chance:.2f})")


# ------------------------------------------------------------------ feature harmonisation


def combat(reference: np.ndarray, other: np.ndarray) -> np.ndarray:
    """ComBat (neuroCombat) harmonisation of ``other``'s features to the ``reference`` site.

    Rows are cases, columns features. The two sites are pooled with a batch
    label and harmonised with the reference batch left unchanged
    (``ref_batch``), so a model trained on the reference site can be applied
    to the returned rows. No outcome or covariate enters, so no label of
    ``other`` is used (and a real difference in case mix between the sites
    would be removed too). Features constant within a site are passed through.
    Introduced in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    import pandas as pd
    from neuroCombat import neuroCombat

    reference, other = np.asarray(reference, dtype=float), np.asarray(other, dtype=float)
    if reference.ndim != 2 or other.ndim != 2 or reference.shape[1] != other.shape[1]:
        raise ShiftError(f"need two feature tables with the same columns, got {reference.shape} and {other.shape}")
    keep = (reference.std(0) > 1e-8) & (other.std(0) > 1e-8)
    out = other.copy()
    if not keep.any():
        return out
    pooled = np.vstack([reference[:, keep], other[:, keep]]).T
    batch = pd.DataFrame({"site": ["reference"] * len(reference) + ["other"] * len(other)})
    # neuroCombat 0.2.12 calls np.int (removed in NumPy 1.24) on its ref_batch path: lend it the
    # builtin for this call only
    had_int = hasattr(np, "int")
    if not had_int:
        np.int = int  # type: ignore[attr-defined]
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():  # it prints every step
            warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 in its convergence check for constant features
            result = neuroCombat(dat=pooled, covars=batch, batch_col="site", ref_batch="reference")
    finally:
        if not had_int:
            del np.int  # type: ignore[attr-defined]
    out[:, keep] = result["data"].T[len(reference):]
    return out


# ------------------------------------------------------------------ monitoring


def cusum(values: Sequence[float] | np.ndarray, mean: float, sd: float, k: float = 0.5,
          h: float = 5.0, two_sided: bool = False) -> tuple[np.ndarray, int | None]:
    """CUSUM of a stream, and the index of its first alarm (``None`` if none).

    With standardised values ``z_t = (x_t - mean) / sd``, the upper statistic
    is ``S+_t = max(0, S+_{t-1} + z_t - k)`` from ``S+_0 = 0`` (Page 1954);
    with ``two_sided`` the lower one, ``S-_t = max(0, S-_{t-1} - z_t - k)``,
    runs beside it and the returned statistic is ``max(S+_t, S-_t)``. The
    alarm goes off when the statistic exceeds ``h``. ``k`` is half the shift
    (in sd) the chart is tuned to, ``h`` sets the false-alarm rate. Introduced
    in the chapter "Trustworthy deployment" (chapters/13_trustworthy_deployment.ipynb).
    """
    if sd <= 0:
        raise ShiftError("sd must be positive: estimate it on in-control (reference) data")
    z = (np.asarray(values, dtype=float) - mean) / sd
    s = np.empty(len(z))
    up = down = 0.0
    for t, zt in enumerate(z):
        up = max(0.0, up + zt - k)
        down = max(0.0, down - zt - k) if two_sided else 0.0
        s[t] = max(up, down)
    above = np.flatnonzero(s > h)
    return s, (int(above[0]) if len(above) else None)


__all__ = ["ShiftError", "SHIFTS", "acquisition_shift", "reference_image", "match_histograms",
           "normalise_intensity", "auc_over_models", "median_bandwidth", "mmd2", "TestResult", "mmd_test",
           "classifier_test", "combat", "cusum"]
