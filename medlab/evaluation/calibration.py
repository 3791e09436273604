"""Calibration: can the predicted probabilities be taken at face value?

- :func:`reliability_curve`, :func:`expected_calibration_error` and
  :func:`brier_score` measure it; :func:`plot_reliability` draws it;
- :class:`TemperatureScaler` repairs it with one temperature fitted on
  validation logits (:func:`predict_logits` collects them);
- :func:`correct_prior` moves probabilities from the prevalence a model was
  trained at to the prevalence where it is used (prior shift).

Introduced in the chapter "Evaluating a diagnostic model"
(chapters/05_evaluating_diagnostic_models.ipynb).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure
from scipy import optimize, special
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from torch import nn
from torch.utils.data import DataLoader

from ..errors import MedlabError
from ..metrics import as_scores
from ..train import predict
from .diagnostic import EvaluationError, check_binary


class NotFittedError(MedlabError, RuntimeError):
    """A :class:`TemperatureScaler` used before :meth:`~TemperatureScaler.fit` (also a ``RuntimeError``)."""


def brier_score(y_true: np.ndarray, probs: np.ndarray) -> float:
    """Mean squared difference between probability and outcome (scikit-learn's)."""
    y, p = check_binary(y_true, probs)
    return float(skm.brier_score_loss(y, p))


def _bin_ids(p: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    # the same bins as sklearn.calibration.calibration_curve
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 100, n_bins + 1))
    else:
        raise EvaluationError(f"strategy must be 'uniform' or 'quantile', not {strategy!r}")
    return np.searchsorted(edges[1:-1], p)


def reliability_curve(y_true: np.ndarray, probs: np.ndarray, n_bins: int = 10,
                      strategy: str = "uniform") -> pd.DataFrame:
    """Observed frequency against mean predicted probability, per non-empty bin.

    Uses ``sklearn.calibration.calibration_curve`` (bins of equal width
    for ``"uniform"``, of equal counts for ``"quantile"``) and adds the
    number of cases per bin. Columns: ``mean_predicted``,
    ``fraction_positive``, ``count``.
    """
    y, p = check_binary(y_true, probs)
    frac, mean_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    counts = np.bincount(_bin_ids(p, n_bins, strategy), minlength=n_bins)
    counts = counts[counts > 0]
    return pd.DataFrame({"mean_predicted": mean_pred, "fraction_positive": frac, "count": counts})


def expected_calibration_error(y_true: np.ndarray, probs: np.ndarray, n_bins: int = 10,
                               strategy: str = "uniform") -> float:
    """ECE: the count-weighted mean gap between the reliability curve and the diagonal.

    ``sum_b (n_b / N) * |fraction_positive_b - mean_predicted_b|`` over the
    bins of :func:`reliability_curve`, for the positive-class probability.
    (Guo et al. 2017 bin the top-class confidence instead; the two differ
    for binary models, so state which one you report.)
    """
    curve = reliability_curve(y_true, probs, n_bins, strategy)
    gaps = (curve["fraction_positive"] - curve["mean_predicted"]).abs()
    return float((gaps * curve["count"]).sum() / curve["count"].sum())


def _log_softmax(z: np.ndarray) -> np.ndarray:
    return z - special.logsumexp(z, axis=1, keepdims=True)


class TemperatureScaler:
    """Temperature scaling (Guo et al., ICML 2017): ``softmax(logits / T)``.

    :meth:`fit` finds the single temperature ``T > 0`` that minimises the
    negative log-likelihood on held-out (validation) logits; apply it to
    test logits with :meth:`predict_proba`. Dividing every logit by the same
    ``T`` never changes which case scores higher, so ROC AUC and the ranking
    stay the same; only the confidence changes (``T > 1`` softens).
    """

    def __init__(self, bounds: tuple[float, float] = (0.05, 20.0)):
        self.bounds = bounds
        self.temperature_: float | None = None

    @staticmethod
    def nll(logits: np.ndarray, y_true: np.ndarray, temperature: float = 1.0) -> float:
        """Mean negative log-likelihood of the labels under ``softmax(logits / T)``."""
        z = np.asarray(logits, dtype=float) / temperature
        y = np.asarray(y_true).astype(int).ravel()
        return float(-_log_softmax(z)[np.arange(len(y)), y].mean())

    def fit(self, logits: np.ndarray, y_true: np.ndarray) -> TemperatureScaler:
        """Fit the temperature on validation logits (N x C) and labels."""
        z = np.asarray(logits, dtype=float)
        if z.ndim != 2:
            raise EvaluationError(f"logits must be N x C (C >= 2), got shape {z.shape}; pass the raw "
                                  "outputs of predict_logits, not probabilities of one class")
        lo, hi = np.log(self.bounds[0]), np.log(self.bounds[1])
        res = optimize.minimize_scalar(lambda log_t: self.nll(z, y_true, math.exp(log_t)),
                                       bounds=(lo, hi), method="bounded",
                                       options={"xatol": 1e-6})
        self.temperature_ = float(math.exp(res.x))
        if min(abs(res.x - lo), abs(res.x - hi)) < 1e-3:
            warnings.warn(f"fitted temperature {self.temperature_:.3g} is at the bound of {self.bounds}: "
                          "the best temperature may lie outside; widen `bounds` and refit", stacklevel=2)
        return self

    def _check(self) -> float:
        if self.temperature_ is None:
            raise NotFittedError("this TemperatureScaler has no temperature yet; call "
                                 "fit(validation_logits, validation_labels) first")
        return self.temperature_

    def transform(self, logits: np.ndarray) -> np.ndarray:
        """Scaled logits ``logits / T``."""
        return np.asarray(logits, dtype=float) / self._check()

    def predict_proba(self, logits: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities ``softmax(logits / T)`` (N x C)."""
        return np.exp(_log_softmax(self.transform(logits)))

    def __repr__(self) -> str:
        t = "unfitted" if self.temperature_ is None else f"T={self.temperature_:.3f}"
        return f"TemperatureScaler({t})"


def predict_logits(model: nn.Module, loader: DataLoader,
                   device: torch.device | str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Labels and raw logits (before the softmax) of every item in ``loader``.

    :func:`medlab.train.predict` with ``logits=True``; temperature scaling
    needs the logits, not the probabilities.
    """
    return predict(model, loader, device, amp=False, logits=True)


def correct_prior(probs: np.ndarray, train_prevalence: float, target_prevalence: float) -> np.ndarray:
    """P(positive | image) at ``target_prevalence`` from a model trained at ``train_prevalence``.

    Under *prior shift* the images of each class look the same everywhere and
    only the share of positives changes. Bayes' rule then says the posterior
    odds scale with the prior odds, so the correction is a shift of the logit
    (Saerens, Latinne & Decaestecker, *Neural Computation* 2002)::

        logit(p') = logit(p) + logit(target_prevalence) - logit(train_prevalence)

    ``probs`` are class-1 probabilities (or an N x 2 array). The ranking, and so
    the ROC AUC, is unchanged; a threshold of 0.5 moves. A model trained with a
    class-balanced loss behaves as if trained at prevalence 0.5.
    """
    for name, value in (("train_prevalence", train_prevalence), ("target_prevalence", target_prevalence)):
        if not 0 < value < 1:
            raise EvaluationError(f"{name} must be strictly between 0 and 1, not {value}; pass a "
                                  "prevalence as a fraction (0.1 for 10 %)")
    p = as_scores(probs)
    shift = special.logit(target_prevalence) - special.logit(train_prevalence)
    return special.expit(special.logit(np.clip(p, 1e-12, 1 - 1e-12)) + shift)


def estimate_prevalence(probs: np.ndarray, train_prevalence: float, tol: float = 1e-8,
                        max_iter: int = 1000) -> float:
    """The prevalence of a new, *unlabelled* set of cases, by EM on the model's scores.

    The expectation-maximisation procedure of Saerens, Latinne & Decaestecker
    (*Neural Computation* 2002): start from ``train_prevalence``, correct every
    score to the current guess with :func:`correct_prior`, take the mean
    corrected score as the new guess, and repeat until it moves by less than
    ``tol``. It needs no label of the new cases, so a deployment site can
    estimate its own prevalence; it assumes prior shift only and a model
    calibrated at ``train_prevalence``, and it inherits the model's
    miscalibration. Introduced in the chapter "Evaluating a diagnostic model"
    (chapters/05_evaluating_diagnostic_models.ipynb).
    """
    if not 0 < train_prevalence < 1:
        raise EvaluationError(f"train_prevalence must be strictly between 0 and 1, not {train_prevalence}; "
                              "pass a prevalence as a fraction (0.1 for 10 %)")
    p = as_scores(probs)
    if len(p) == 0:
        raise EvaluationError("estimate_prevalence needs the scores of at least one case")
    prevalence = train_prevalence
    for _ in range(max_iter):
        new = float(np.clip(correct_prior(p, train_prevalence, prevalence).mean(), 1e-6, 1 - 1e-6))
        if abs(new - prevalence) < tol:
            return new
        prevalence = new
    return prevalence


def plot_reliability(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], n_bins: int = 10,
                     strategy: str = "uniform", title: str = "Reliability diagram") -> Figure:
    """Reliability diagram (top) and histogram of predictions (bottom) for several models.

    ``curves`` maps a name to ``(y_true, positive_class_probability)``; the
    legend gives each model's ECE and Brier score.
    """
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(4.8, 5.6), sharex=True,
                                   gridspec_kw={"height_ratios": [3, 1]})
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfect calibration")
    bins = np.linspace(0, 1, n_bins + 1)
    for name, (y, p) in curves.items():
        p = as_scores(p)
        curve = reliability_curve(y, p, n_bins, strategy)
        ece = expected_calibration_error(y, p, n_bins, strategy)
        (line,) = ax.plot(curve["mean_predicted"], curve["fraction_positive"], marker="o", ms=4,
                          label=f"{name} (ECE {ece:.3f}, Brier {brier_score(y, p):.3f})")
        hist.hist(p, bins=bins, histtype="step", lw=1.5, color=line.get_color())
    ax.set_ylabel("observed fraction positive")
    ax.set_title(title)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    hist.set_xlabel("predicted probability of the positive class")
    hist.set_ylabel("cases")
    hist.set_yscale("log")
    fig.tight_layout()
    return fig


__all__ = ["brier_score", "reliability_curve", "expected_calibration_error", "TemperatureScaler", "correct_prior",
           "estimate_prevalence", "predict_logits", "plot_reliability"]
