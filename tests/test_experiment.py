"""medlab.experiment: class weights (against scikit-learn), loaders, LR milestones, the seeds loop."""

import numpy as np
import pytest
import torch
from sklearn.utils.class_weight import compute_class_weight
from torch.utils.data import Dataset

from medlab import experiment
from medlab.runtime import record


def test_class_weights_match_sklearn_balanced():
    rng = np.random.default_rng(0)
    for k, n in ((2, 50), (3, 200), (5, 1000)):
        y = rng.integers(0, k, n)
        y[:k] = np.arange(k)  # every class present
        w = experiment.class_weights(y)
        assert w.dtype == torch.float32 and w.shape == (k,)
        expected = compute_class_weight("balanced", classes=np.arange(k), y=y)
        assert np.allclose(w.numpy(), expected)
    # an imbalanced split gives the rare class the larger weight
    w = experiment.class_weights(np.array([0] * 10 + [1] * 90))
    assert w[0] > w[1] and np.isclose(float((w * torch.tensor([10.0, 90.0])).sum()), 100)


def test_class_weights_refuse_an_empty_class():
    with pytest.raises(ValueError, match=r"\[1\]"):
        experiment.class_weights([0, 0, 2])
    with pytest.raises(ValueError, match="num_classes"):
        experiment.class_weights([0, 1, 2], num_classes=2)
    assert experiment.class_weights([0, 1], num_classes=2).tolist() == [1.0, 1.0]


def test_lr_milestones_follow_medmnist():
    assert experiment.lr_milestones(100) == [50, 75]  # MedMNIST v2's protocol
    assert experiment.lr_milestones(20) == [10, 15]
    assert experiment.lr_milestones(1) == [1, 1]
    with pytest.raises(ValueError):
        experiment.lr_milestones(0)


class _Blobs(Dataset):
    """Two classes of 1 x 28 x 28 images that differ in brightness (learnable in one epoch)."""

    def __init__(self, n: int, seed: int):
        g = torch.Generator().manual_seed(seed)
        self.labels = np.arange(n) % 2
        self.x = torch.randn(n, 1, 28, 28, generator=g) * 0.3 + torch.as_tensor(self.labels).view(-1, 1, 1, 1) * 1.5

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.x[i], int(self.labels[i])


def _splits():
    return {"train": _Blobs(64, 0), "val": _Blobs(32, 1), "test": _Blobs(32, 2)}


def test_make_loaders_shuffle_only_training():
    loaders = experiment.make_loaders(_splits(), batch_size=16, seed=3, eval_batch_size=8)
    assert set(loaders) == {"train", "val", "test"}
    assert loaders["train"].batch_size == 16 and loaders["val"].batch_size == 8
    first = [y.tolist() for _, y in loaders["train"]]
    again = [y.tolist() for _, y in experiment.make_loaders(_splits(), 16, seed=3)["train"]]
    assert first == again  # seeded shuffle
    assert [y.tolist() for _, y in loaders["test"]][0] == [0, 1] * 4  # evaluation order kept
    with pytest.raises(KeyError, match="valid"):
        experiment.make_loaders({"valid": _Blobs(4, 0)}, 4)


def test_fit_seeds_reports_one_row_per_seed_and_records(capsys):
    torch.set_num_threads(1)
    runs = experiment.fit_seeds("simple_cnn", _splits(), [0, 1], epochs=2, batch_size=16,
                                class_weighted=True, milestones=experiment.lr_milestones(2))
    assert runs.seeds == [0, 1]
    assert list(runs.table.columns) == ["best_epoch", "val_auc", "test_auc", "test_accuracy", "seconds"]
    assert set(runs.histories) == {0, 1} and all(len(h.records) == 2 for h in runs.histories.values())
    assert (runs.table["test_auc"] > 0.9).all()  # the classes differ in brightness
    summary = runs.summary()
    assert np.isclose(summary.loc["test_auc", "mean"], runs.table["test_auc"].mean())
    assert np.isclose(summary.loc["test_accuracy", "sd"], runs.table["test_accuracy"].std(ddof=1))
    assert runs.mean_sd("test_auc").count("±") == 1
    assert "seed 1: best epoch" in capsys.readouterr().out
    saved = runs.record("toy", epochs=2)
    rec = record._snapshot()
    assert "seeds" not in rec["run"]  # seeds are recorded where they are drawn (run.seeds), not here
    assert rec["metrics"]["toy"]["per_seed_auc"] == runs.table["test_auc"].tolist() == saved["per_seed_auc"]
    assert rec["metrics"]["toy"]["epochs"] == 2
    # the same seed gives the same model: the loop really seeds everything
    again = experiment.fit_seeds("simple_cnn", _splits(), [1], epochs=2, batch_size=16, class_weighted=True,
                                 milestones=[1, 1], verbose=False)
    assert np.isclose(again.table.loc[1, "test_auc"], runs.table.loc[1, "test_auc"])


def test_fit_seeds_checks_its_inputs():
    with pytest.raises(ValueError):
        experiment.fit_seeds("simple_cnn", _splits(), [], epochs=1)
    with pytest.raises(KeyError, match="test"):
        experiment.fit_seeds("simple_cnn", {"train": _Blobs(8, 0), "val": _Blobs(8, 1)}, [0], epochs=1)


def test_fit_seeds_scores_the_deduplicated_test_split():
    torch.set_num_threads(1)
    splits = _splits()
    splits["test"].labels[:8] = 1 - splits["test"].labels[:8]  # 8 images whose label contradicts the image
    keep = np.ones(32, dtype=bool)
    keep[:8] = False  # as if those 8 were near-copies of training images, dropped by the audit
    runs = experiment.fit_seeds("simple_cnn", splits, [0], epochs=1, batch_size=16, test_keep=keep, verbose=False)
    assert "test_auc_dedup" in runs.table and "test_auc_dedup" in runs.summary().index
    assert runs.table.loc[0, "test_auc"] < 0.9 < runs.table.loc[0, "test_auc_dedup"]
    # the same model scored on the kept images only, by hand
    from sklearn.metrics import roc_auc_score

    from medlab import models, train
    from medlab.runtime.session import set_seed
    set_seed(0)
    net = models.build_model("simple_cnn")
    loaders = experiment.make_loaders(splits, 16, seed=0)
    train.fit(net, loaders["train"], loaders["val"], epochs=1, optimizer=torch.optim.Adam(net.parameters(), lr=1e-3),
              monitor="val_auc", verbose=False)
    y, probs = train.predict(net, loaders["test"], "cpu")
    assert np.isclose(runs.table.loc[0, "test_auc_dedup"], roc_auc_score(y[keep], probs[keep, 1]))
    saved = runs.record("toy_dedup")
    assert saved["per_seed_auc_dedup"] == runs.table["test_auc_dedup"].tolist()
    with pytest.raises(ValueError, match="one flag per test item"):
        experiment.fit_seeds("simple_cnn", splits, [0], epochs=1, test_keep=keep[:5], verbose=False)


def test_mean_sd_is_mean_and_sample_sd():
    import pandas as pd

    table = pd.DataFrame({"test_auc": [0.9, 0.95, 0.85]}, index=pd.Index([0, 1, 2], name="seed"))
    runs = experiment.SeedRuns(table, {})
    assert runs.mean_sd("test_auc") == "0.900 ± 0.050"
    assert runs.mean_sd("test_auc", digits=2) == "0.90 ± 0.05"


def test_experiment_errors_are_medlab_errors():
    from medlab.errors import MedlabError

    assert issubclass(experiment.ExperimentInputError, MedlabError)
    assert issubclass(experiment.ExperimentInputError, ValueError)
    assert issubclass(experiment.SplitNameError, MedlabError) and issubclass(experiment.SplitNameError, KeyError)
    with pytest.raises(experiment.ExperimentInputError, match="at least one label"):
        experiment.class_weights([])
    with pytest.raises(experiment.ExperimentInputError, match="epochs"):
        experiment.lr_milestones(0)
    with pytest.raises(experiment.SplitNameError, match="valid"):
        experiment.make_loaders({"valid": None}, batch_size=4)


def test_fit_seeds_chooses_epochs_on_the_deduplicated_validation_split(monkeypatch):
    """Chapter 05: the validation split handed to fit_seeds, without its copies of training images, is the one
    that picks the epoch; the copies (here with contradicting labels) would have changed its AUC."""
    from sklearn.metrics import roc_auc_score

    from medlab import data, models, train
    from medlab.data import leakage

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)

    def blobs(n):
        labels = np.arange(n) % 2
        images = np.clip(rng.normal(80 + 90 * labels[:, None, None], 25, (n, 28, 28)), 0, 255).astype(np.uint8)
        return images, labels

    train_x, train_y = blobs(64)
    val_x, val_y = blobs(24)
    val_x[:8], val_y[:8] = train_x[:8], 1 - train_y[:8]  # 8 exact copies of training images, relabelled
    arrays = {"train": (train_x, train_y), "val": (val_x, val_y), "test": blobs(24)}
    monkeypatch.setattr(data.medmnist, "load_arrays", lambda name, split: arrays[split])
    monkeypatch.setattr(leakage, "load_arrays", lambda name, split: arrays[split])

    audit = leakage.audit_pairs("toy")
    assert leakage.summary(audit).loc["val vs train", "identical"] == 8
    splits = {split: data.MedMNISTDataset("toy", split) for split in ("train", "val", "test")}
    val_full = splits["val"]
    splits["val"] = val_full.subset(leakage.keep_mask(audit, val_full))
    assert len(splits["val"]) == 16 and (splits["val"].indices >= 8).all()

    nets = []

    def build():
        nets.append(models.build_model("simple_cnn"))
        return nets[-1]

    runs = experiment.fit_seeds(build, splits, [0], epochs=2, batch_size=16, verbose=False)
    loaders = experiment.make_loaders({"val": splits["val"]}, 16)
    y, probs = train.predict(nets[0], loaders["val"], "cpu")
    assert np.isclose(runs.table.loc[0, "val_auc"], roc_auc_score(y, probs[:, 1]))  # scored on the 16 kept images
    y_all, p_all = train.predict(nets[0], experiment.make_loaders({"val": val_full}, 16)["val"], "cpu")
    assert roc_auc_score(y_all, p_all[:, 1]) < runs.table.loc[0, "val_auc"]  # the relabelled copies pull it down
