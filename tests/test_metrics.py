"""medlab.metrics agrees with scikit-learn, and is the one metric vocabulary."""

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from medlab import evaluation
from medlab.metrics import METRIC_KEYS, METRIC_LABELS, binary_report, classification_metrics, labelled


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = np.clip(0.35 * y + rng.normal(0.35, 0.2, n), 0, 1)
    return y, score


def test_binary_report_matches_sklearn():
    y, score = _data()
    r = binary_report(y, np.c_[1 - score, score], threshold=0.5)
    pred = (score > 0.5).astype(int)
    assert np.isclose(r["auc"], skm.roc_auc_score(y, score))
    assert np.isclose(r["accuracy"], skm.accuracy_score(y, pred))
    assert np.isclose(r["sensitivity"], skm.recall_score(y, pred))
    assert np.isclose(r["specificity"], skm.recall_score(1 - y, 1 - pred))
    assert np.isclose(r["ppv"], skm.precision_score(y, pred))
    assert np.isclose(r["f1"], skm.f1_score(y, pred))
    assert r["tn"] + r["fp"] + r["fn"] + r["tp"] == len(y)


def test_classification_metrics_binary_and_multiclass():
    y, score = _data()
    m = classification_metrics(y, np.c_[1 - score, score])
    assert np.isclose(m["auc"], skm.roc_auc_score(y, score))
    rng = np.random.default_rng(1)
    y3 = rng.integers(0, 3, 300)
    p3 = rng.dirichlet([1, 1, 1], 300)
    p3[np.arange(300), y3] += 0.5
    p3 /= p3.sum(1, keepdims=True)
    m3 = classification_metrics(y3, p3)
    assert np.isclose(m3["accuracy"], np.mean(p3.argmax(1) == y3))
    assert np.isclose(m3["auc"], skm.roc_auc_score(y3, p3, multi_class="ovr"))


def test_single_class_auc_is_nan():
    m = classification_metrics(np.ones(5, int), np.full(5, 0.9))
    assert np.isnan(m["auc"]) and m["accuracy"] == 1.0


def test_one_vocabulary_across_functions():
    """metrics and evaluation report the same keys; every key has one display label."""
    y, score = _data()
    assert set(METRIC_KEYS) <= set(METRIC_LABELS)
    assert set(classification_metrics(y, score)) <= set(METRIC_KEYS)
    counts = {"tn", "fp", "fn", "tp", "prevalence"}
    assert set(binary_report(y, score)) - counts <= set(METRIC_KEYS)
    assert set(evaluation.METRICS) <= set(METRIC_KEYS)
    report = evaluation.diagnostic_report(y, score, n_boot=0)
    shared = set(binary_report(y, score)) & set(report.index)
    assert shared >= {"accuracy", "auc", "sensitivity", "specificity", "ppv", "npv", "f1"}
    for key in shared:  # the same key means the same number everywhere
        assert np.isclose(binary_report(y, score)[key], report.loc[key, "estimate"])


def test_labelled_uses_the_one_label_table():
    frame = pd.DataFrame({"auc": [0.9], "ppv": [0.5], "seconds": [3.0]}, index=["model"])
    assert list(labelled(frame).columns) == ["ROC AUC", "PPV", "seconds"]
    series = pd.Series({"f1": 0.1, "brier": 0.2})
    assert list(labelled(series).index) == [METRIC_LABELS["f1"], METRIC_LABELS["brier"]]
    assert labelled({"npv": 1, "other": 2}) == {"NPV": 1, "other": 2}
    assert labelled(frame.T).index.tolist() == ["ROC AUC", "PPV", "seconds"]
    with pytest.raises(TypeError):
        labelled([("auc", 1)])
    from medlab.metrics import MetricTableError

    with pytest.raises(MetricTableError, match="DataFrame, Series or dict"):
        labelled([("auc", 1)])


def test_classification_metrics_accepts_medmnist_n_by_1_labels():
    import numpy as np

    from medlab.metrics import classification_metrics

    y = np.array([0, 1, 1, 0, 1])
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.3, 0.7], [0.6, 0.4]])
    flat = classification_metrics(y, probs)
    column = classification_metrics(y.reshape(-1, 1), probs)  # MedMNIST's own N x 1 labels
    assert column == flat and flat["accuracy"] == 0.6
    import pytest

    from medlab.metrics import MetricInputError

    with pytest.raises(MetricInputError, match="N x 1"):
        classification_metrics(np.zeros((5, 2)), probs)
    assert issubclass(MetricInputError, ValueError)


# ------------------------------------------------------------------ confusion_rates: the one implementation


def test_confusion_rates_match_scikit_learn():
    from medlab.metrics import confusion_rates

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    called = rng.random(300) < 0.4 + 0.3 * y
    r = confusion_rates(y, called)
    tn, fp, fn, tp = skm.confusion_matrix(y, called.astype(int), labels=[0, 1]).ravel()
    assert (r["tn"], r["fp"], r["fn"], r["tp"]) == (tn, fp, fn, tp)
    assert r["sensitivity"] == pytest.approx(skm.recall_score(y, called))
    assert r["specificity"] == pytest.approx(skm.recall_score(y, called, pos_label=0))
    assert r["ppv"] == pytest.approx(skm.precision_score(y, called))
    assert r["npv"] == pytest.approx(skm.precision_score(y, called, pos_label=0))
    assert r["fpr"] == pytest.approx(1 - r["specificity"])
    assert r["f1"] == pytest.approx(skm.f1_score(y, called))
    assert r["accuracy"] == pytest.approx(skm.accuracy_score(y, called))


def test_confusion_rates_weights_are_repeated_cases_and_empty_denominators_are_nan():
    from medlab.metrics import MetricInputError, confusion_rates

    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 50)
    called = rng.random(50) < 0.5
    w = rng.integers(0, 4, size=(3, 50))
    rows = confusion_rates(y, called, w)
    for b in range(3):
        rep = np.repeat(np.arange(50), w[b])
        ref = confusion_rates(y[rep], called[rep])
        for key, value in ref.items():
            assert rows[key][b] == pytest.approx(value, nan_ok=True)
    nothing = confusion_rates(np.array([0, 1, 1]), np.zeros(3, bool))
    assert np.isnan(nothing["ppv"]) and nothing["f1"] == 0.0 and nothing["sensitivity"] == 0.0
    with pytest.raises(MetricInputError):
        confusion_rates(y, called[:-1])


def test_binary_report_counts_and_rates_unchanged():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 200)
    p = np.clip(0.3 * y + rng.random(200) * 0.7, 0, 1)
    r = binary_report(y, p, threshold=0.5)
    pred = (p > 0.5).astype(int)
    assert r["sensitivity"] == pytest.approx(skm.recall_score(y, pred))
    assert r["ppv"] == pytest.approx(skm.precision_score(y, pred))
    assert r["f1"] == pytest.approx(skm.f1_score(y, pred))
    assert r["prevalence"] == pytest.approx(y.mean())
    assert all(isinstance(r[k], int) for k in ("tn", "fp", "fn", "tp"))
