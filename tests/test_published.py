"""medlab.published: one table of MedMNIST v2 baselines, looked up by dataset and method."""

import pandas as pd
import pytest

from medlab import published
from medlab.data.registry import REGISTRY


def test_table_is_well_formed():
    keys = [(b.dataset, b.method) for b in published.BASELINES]
    assert len(keys) == len(set(keys)), "a (dataset, method) pair appears twice"
    for b in published.BASELINES:
        assert 0.5 <= b.auc <= 1 and 0 < b.accuracy <= 1, b
        assert b.dataset in REGISTRY, f"{b.dataset} is not a registry dataset"
        assert b.table in {"Table 3", "Table 4"}
    assert "Scientific Data" in published.CITATION and "2023" in published.CITATION


def test_lookup_returns_the_transcribed_rows():
    breast = published.baselines("breastmnist")
    assert isinstance(breast, pd.DataFrame) and list(breast.columns) == ["auc", "accuracy"]
    assert breast.loc["ResNet-18 (28)"].tolist() == [0.901, 0.863]
    rows = [b for b in published.BASELINES if b.dataset == "breastmnist"]
    assert list(breast.index) == [b.method for b in rows]
    picked = published.baselines("adrenalmnist3d", ["AutoKeras", "ResNet-18 + 3D"])
    assert list(picked.index) == ["AutoKeras", "ResNet-18 + 3D"]
    assert picked.loc["ResNet-18 + 3D", "auc"] == 0.827
    assert published.baselines("adrenalmnist3d").loc["auto-sklearn"].tolist() == [0.828, 0.802]


def test_subset_uses_the_official_test_split_rows():
    assert published.published_name("pneumoniamnist_subset") == "pneumoniamnist"
    assert published.baselines("pneumoniamnist_subset").equals(published.baselines("pneumoniamnist"))
    assert not REGISTRY["pneumoniamnist_subset"].official


def test_unknown_dataset_or_method_names_what_exists():
    assert issubclass(published.NoBaselineError, KeyError)
    with pytest.raises(published.NoBaselineError, match="breastmnist"):
        published.baselines("chestmnist")
    with pytest.raises(KeyError, match="ResNet-18 \\(28\\)"):
        published.baselines("breastmnist", ["ResNet-152"])
    with pytest.raises(published.NoBaselineError, match="no published row"):
        published.baselines("pneumoniamnist", ["ResNet-152 (28)"])


def test_every_2d_dataset_the_book_uses_has_all_seven_table_3_rows():
    seven = ["ResNet-18 (28)", "ResNet-18 (224)", "ResNet-50 (28)", "ResNet-50 (224)", "auto-sklearn",
             "AutoKeras", "Google AutoML Vision"]
    for name in ("pneumoniamnist", "breastmnist"):
        assert sorted(published.baselines(name).index) == sorted(seven)
