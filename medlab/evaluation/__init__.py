"""Evaluating a binary diagnostic model: measures, uncertainty, thresholds, calibration.

- :mod:`~medlab.evaluation.diagnostic`: :func:`diagnostic_report` (every
  measure with bootstrap confidence intervals) and PPV/NPV at another prevalence;
- :mod:`~medlab.evaluation.thresholds`: operating points chosen on validation data;
- :mod:`~medlab.evaluation.comparisons`: two models on the same cases
  (DeLong's test, paired bootstrap);
- :mod:`~medlab.evaluation.calibration`: reliability, ECE, Brier score and
  temperature scaling;
- :mod:`~medlab.evaluation.estimates`: :class:`Estimate`, one shape (and one
  formatter) for a value with its interval, and :func:`mean_sd_ci` over seeds.

Metric keys are the book's one vocabulary (:mod:`medlab.metrics`). Chapters
import the package and call ``evaluation.diagnostic_report(...)`` and so on;
everything is re-exported here.

Introduced in the chapter "Evaluating a diagnostic model"
(chapters/05_evaluating_diagnostic_models.ipynb).
"""

from .calibration import (
                          NotFittedError,
                          TemperatureScaler,
                          brier_score,
                          correct_prior,
                          estimate_prevalence,
                          expected_calibration_error,
                          plot_reliability,
                          predict_logits,
                          reliability_curve,
)
from .comparisons import (
                          PairedResult,
                          delong_components,
                          delong_covariance,
                          paired_auc_test,
                          paired_bootstrap,
                          subset_auc_difference,
)
from .diagnostic import (
                          METRICS,
                          EvaluationError,
                          bootstrap_metrics,
                          check_binary,
                          diagnostic_report,
                          format_report,
                          npv_at_prevalence,
                          plot_ppv_prevalence,
                          ppv_at_prevalence,
                          stratified_resample_weights,
                          weighted_auc,
)
from .estimates import Estimate, mean_sd_ci
from .thresholds import ThresholdChoice, operating_point, threshold_for_sensitivity, threshold_max_youden

__all__ = [
    "correct_prior", "estimate_prevalence", "subset_auc_difference",
    "stratified_resample_weights", "weighted_auc", "Estimate", "mean_sd_ci",
    "METRICS", "check_binary", "bootstrap_metrics", "diagnostic_report", "format_report",
    "ppv_at_prevalence", "npv_at_prevalence", "plot_ppv_prevalence", "ThresholdChoice",
    "threshold_for_sensitivity", "threshold_max_youden", "operating_point", "delong_components",
    "delong_covariance", "PairedResult", "paired_auc_test", "paired_bootstrap", "brier_score",
    "reliability_curve", "expected_calibration_error", "TemperatureScaler", "predict_logits",
    "plot_reliability", "EvaluationError", "NotFittedError",
]
