"""Multi-reader multi-case (MRMC) reader studies: the Obuchowski-Rockette analysis, and a simulator.

A reader study asks whether readers diagnose better with one modality (for
example, with an AI aid) than with another. Every reader reads every case in
every modality, so the per-reader AUCs share cases and readers. The
conclusion should hold for *other* readers and *other* cases, so both are
random effects: the uncertainty has a case part (a different sample of cases
gives different AUCs) and a reader part (readers differ in how much the
modality helps them, the modality x reader interaction).

- :func:`simulate_roe_metz`: confidence scores from the Roe & Metz (1997)
  model, a sum of normal effects for modality, reader, case and their
  interactions, separately for diseased and non-diseased cases;
- :func:`obuchowski_rockette`: the Obuchowski & Rockette (1995) analysis with
  Hillis's (2007) denominator degrees of freedom: per-reader, per-modality
  AUCs; their case covariances from the jackknife over cases; the test of
  equal reader-averaged AUCs and a confidence interval for their
  difference, once with readers random and once with readers fixed (only
  cases random), to show what treating readers as fixed leaves out.

For real studies use maintained software (RJafroc in R, the FDA's iMRMC),
which also offers the Dorfman-Berbaum-Metz analysis and sample-size planning.

Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from . import LabelsError


def _auc(scores: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Mann-Whitney AUC along the last axis (ties count one half); ``truth`` is 0/1 per case."""
    pos, neg = scores[..., truth == 1], scores[..., truth == 0]
    diff = pos[..., :, None] - neg[..., None, :]
    return ((diff > 0) + 0.5 * (diff == 0)).mean(axis=(-2, -1))


def simulate_roe_metz(n_readers: int = 5, n_negative: int = 50, n_positive: int = 50, delta: float = 0.3,
                      mu: float = 1.0, var_r: float = 0.05, var_c: float = 0.3, var_tr: float = 0.03,
                      var_tc: float = 0.1, var_rc: float = 0.2, var_e: float = 0.2,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Scores of two modalities x ``n_readers`` readers x cases from the Roe-Metz model, and the truth.

    A diseased case's score has mean ``mu`` in modality 0 and ``mu + delta``
    in modality 1, a non-diseased case's mean 0; to it are added independent
    normal effects of the reader (variance ``var_r``), the case (``var_c``),
    modality x reader (``var_tr``), modality x case (``var_tc``), reader x
    case (``var_rc``) and noise (``var_e``), drawn separately for diseased and
    non-diseased cases (Roe & Metz, Acad Radiol 1997). Returns ``scores`` of
    shape (2, n_readers, n_cases) and ``truth`` (0/1, negatives first).

    Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
    """
    if n_readers < 2 or n_negative < 2 or n_positive < 2:
        raise LabelsError(f"simulate_roe_metz: need at least 2 readers, 2 negative and 2 positive cases, got "
                          f"{n_readers}, {n_negative}, {n_positive}")
    if min(var_r, var_c, var_tr, var_tc, var_rc, var_e) < 0:
        raise LabelsError("simulate_roe_metz: variances must be >= 0")
    rng = np.random.default_rng(seed)
    n_t, n_j = 2, n_readers
    parts = []
    for n_k, mean in ((n_negative, np.zeros(n_t)), (n_positive, np.array([mu, mu + delta]))):
        x = mean[:, None, None] + np.zeros((n_t, n_j, n_k))
        x += rng.normal(0, np.sqrt(var_r), (1, n_j, 1)) + rng.normal(0, np.sqrt(var_c), (1, 1, n_k))
        x += rng.normal(0, np.sqrt(var_tr), (n_t, n_j, 1)) + rng.normal(0, np.sqrt(var_tc), (n_t, 1, n_k))
        x += rng.normal(0, np.sqrt(var_rc), (1, n_j, n_k)) + rng.normal(0, np.sqrt(var_e), (n_t, n_j, n_k))
        parts.append(x)
    truth = np.r_[np.zeros(n_negative, int), np.ones(n_positive, int)]
    return np.concatenate(parts, axis=2), truth


@dataclass(frozen=True)
class ORResult:
    """The Obuchowski-Rockette analysis of a two-modality reader study (see :func:`obuchowski_rockette`).

    Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
    """

    auc: pd.DataFrame  # modalities x readers
    difference: float  # reader-averaged AUC, modality 1 minus modality 0
    ci_random_readers: tuple[float, float]
    p_random_readers: float
    ddf: float  # Hillis's denominator degrees of freedom
    ci_fixed_readers: tuple[float, float]
    p_fixed_readers: float
    components: dict[str, float]  # ms_tr, var, cov1, cov2, cov3 (AUC units squared)

    def summary(self) -> pd.Series:
        """The result in one labelled column."""
        def p(v: float) -> str:
            return "p < 0.001" if v < 0.001 else f"p = {v:.3f}"

        lo, hi = self.ci_random_readers
        flo, fhi = self.ci_fixed_readers
        return pd.Series({"AUC difference": f"{self.difference:.3f}",
                          "95% CI, readers and cases random": f"[{lo:.3f}, {hi:.3f}] ({p(self.p_random_readers)}, "
                                                               f"ddf = {self.ddf:.1f})",
                          "95% CI, cases random, readers fixed": f"[{flo:.3f}, {fhi:.3f}] "
                                                                 f"({p(self.p_fixed_readers)})"})


def obuchowski_rockette(scores: np.ndarray, truth: np.ndarray, level: float = 0.95) -> ORResult:
    """Obuchowski-Rockette analysis (Hillis 2007 df) of ``scores`` (2 modalities x readers x cases).

    The per-reader AUCs are Mann-Whitney AUCs. Their case variance and
    covariances come from the jackknife over cases: ``var`` (same modality,
    same reader), ``cov1`` (different modality, same reader), ``cov2`` (same
    modality, different readers), ``cov3`` (different modality, different
    readers). With readers random, the difference of reader-averaged AUCs has
    variance ``2 / J * (MS(T*R) + J * max(cov2 - cov3, 0))`` on Hillis's
    ``ddf``; with readers fixed, ``2 / J * (var - cov1 + (J - 1) * (cov2 -
    cov3))`` with a normal reference.

    Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
    """
    scores, truth = np.asarray(scores, float), np.asarray(truth)
    if scores.ndim != 3 or scores.shape[0] != 2:
        raise LabelsError(f"obuchowski_rockette: expected scores of shape (2 modalities, readers, cases), got "
                          f"{scores.shape}")
    n_t, n_j, n_k = scores.shape
    if n_j < 2:
        raise LabelsError("obuchowski_rockette: need at least 2 readers to treat readers as random")
    if truth.shape != (n_k,) or not np.isin(truth, (0, 1)).all() or len(np.unique(truth)) < 2:
        raise LabelsError(f"obuchowski_rockette: truth must be 0/1 for each of the {n_k} cases, with both classes")
    if not 0 < level < 1:
        raise LabelsError(f"obuchowski_rockette: level must lie in (0, 1), got {level}")
    theta = _auc(scores, truth)  # (T, J)
    jack = np.stack([_auc(np.delete(scores, k, axis=2), np.delete(truth, k)) for k in range(n_k)])  # (K, T, J)
    dev = (jack - jack.mean(axis=0)).reshape(n_k, -1)
    cov = (n_k - 1) / n_k * dev.T @ dev  # jackknife covariance of the T*J AUCs
    t_idx, j_idx = np.divmod(np.arange(n_t * n_j), n_j)
    same_t, same_j = t_idx[:, None] == t_idx[None], j_idx[:, None] == j_idx[None]
    var = cov[same_t & same_j].mean()
    cov1 = cov[~same_t & same_j].mean()
    cov2 = cov[same_t & ~same_j].mean()
    cov3 = cov[~same_t & ~same_j].mean()
    means_t, means_j, grand = theta.mean(axis=1), theta.mean(axis=0), theta.mean()
    ms_tr = ((theta - means_t[:, None] - means_j[None] + grand) ** 2).sum() / ((n_t - 1) * (n_j - 1))
    diff = float(means_t[1] - means_t[0])
    denom = ms_tr + n_j * max(cov2 - cov3, 0.0)
    ddf = denom**2 / (ms_tr**2 / ((n_t - 1) * (n_j - 1))) if ms_tr > 0 else np.inf
    se = np.sqrt(2 / n_j * denom)
    q = stats.t.ppf((1 + level) / 2, ddf)
    p = float(2 * stats.t.sf(abs(diff) / se, ddf)) if se > 0 else float(diff == 0)
    se_fixed = np.sqrt(max(2 / n_j * (var - cov1 + (n_j - 1) * (cov2 - cov3)), 0.0))
    z = stats.norm.ppf((1 + level) / 2)
    p_fixed = float(2 * stats.norm.sf(abs(diff) / se_fixed)) if se_fixed > 0 else float(diff == 0)
    auc = pd.DataFrame(theta, index=[f"modality {t}" for t in range(n_t)],
                       columns=[f"reader {j + 1}" for j in range(n_j)])
    return ORResult(auc=auc, difference=diff, ci_random_readers=(diff - q * se, diff + q * se),
                    p_random_readers=p, ddf=float(ddf), ci_fixed_readers=(diff - z * se_fixed, diff + z * se_fixed),
                    p_fixed_readers=p_fixed,
                    components={"ms_tr": float(ms_tr), "var": float(var), "cov1": float(cov1), "cov2": float(cov2),
                                "cov3": float(cov3)})
