"""The plumbing around :func:`medlab.train.fit` that training chapters would otherwise repeat.

"Your first classifier" writes each of these steps by hand once; later
chapters call them by name:

- :func:`class_weights`: loss weights that make every class count equally;
- :func:`make_loaders`: the training loader (shuffled, seeded) and the two
  evaluation loaders of a split dictionary from :func:`~medlab.data.medmnist.load_splits`;
- :func:`lr_milestones`: MedMNIST's learning-rate drops at 50 % and 75 % of training;
- :func:`fit_seeds`: build, train and test a model once per seed, and report
  the mean and standard deviation (:class:`SeedRuns`).

Introduced in the chapters "Classical ML vs deep learning"
(chapters/04_classical_vs_deep.ipynb) and "Evaluating a diagnostic model"
(chapters/05_evaluating_diagnostic_models.ipynb).
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from . import models, train
from .errors import MedlabError
from .evaluation import Estimate
from .metrics import classification_metrics
from .runtime import record
from .runtime.session import set_seed

SPLIT_NAMES = ("train", "val", "test")


class ExperimentInputError(MedlabError, ValueError):
    """Labels, epochs, seeds or a test mask the training plumbing cannot use (also a ``ValueError``).

    Introduced in the chapter "Classical ML vs deep learning" (chapters/04_classical_vs_deep.ipynb).
    """


class SplitNameError(MedlabError, KeyError):
    """A split dictionary with an unknown split, or without one that is needed (also a ``KeyError``).

    Introduced in the chapter "Evaluating a diagnostic model" (chapters/05_evaluating_diagnostic_models.ipynb).
    """


def as_device(device: torch.device | str | None) -> torch.device:
    """``device`` as a ``torch.device``; ``None``, the default of every helper that trains, means the CPU.

    First used in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb), by
    :func:`medlab.transfer.fine_tune`.
    """
    return torch.device("cpu") if device is None else torch.device(device)


def module_device(module: nn.Module) -> torch.device:
    """The device of ``module``'s first parameter (or buffer); the CPU for a module that has none.

    Prediction helpers run a model where it lives and return NumPy arrays on
    the CPU. First used in the chapter "Transfer learning"
    (chapters/06_transfer_learning.ipynb), by :func:`medlab.transfer.predict_proba`.
    """
    for tensor in (*module.parameters(), *module.buffers()):
        return tensor.device
    return torch.device("cpu")


@contextlib.contextmanager
def seeded(seed: int, device: torch.device | str | None = None, *, everything: bool = False) -> Iterator[torch.device]:
    """Run a block with torch's random numbers seeded by ``seed``; afterwards, every global generator is as it was.

    Inside the block torch's CPU generator, and that of ``device`` if it is a
    CUDA or MPS device, start from ``seed``: the block draws the numbers it
    would draw after ``torch.manual_seed(seed)``. With ``everything``, NumPy's
    and Python's global generators are seeded too, as
    :func:`medlab.runtime.session.set_seed` does. On exit all of them are put
    back (``torch.random.fork_rng``), so a helper that trains under
    ``seeded`` gives the same result for the same seed and leaves its
    caller's random state, and the deterministic-algorithm flags, alone.
    Yields ``device`` as a ``torch.device`` (``None``: the CPU).

    First used in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb), by
    :func:`medlab.transfer.fine_tune`.
    """
    device = as_device(device)
    accelerator = device.type in ("cuda", "mps")
    index = 0
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
    np_state, py_state = np.random.get_state(), random.getstate()
    with torch.random.fork_rng(devices=[index] if accelerator else [],
                               device_type=device.type if accelerator else None):
        torch.random.default_generator.manual_seed(seed)  # not torch.manual_seed: it also seeds every CUDA device
        if device.type == "cuda":
            with torch.cuda.device(index):
                torch.cuda.manual_seed(seed)
        elif device.type == "mps":
            torch.mps.manual_seed(seed)
        if everything:
            np.random.seed(seed)
            random.seed(seed)
        try:
            yield device
        finally:
            np.random.set_state(np_state)
            random.setstate(py_state)


def class_weights(labels: np.ndarray | Sequence[int], num_classes: int | None = None) -> torch.Tensor:
    """Inverse-frequency loss weights ``n / (num_classes * count_c)``, as a float32 tensor.

    The same numbers as scikit-learn's ``compute_class_weight("balanced")``:
    with them every class contributes equally to a weighted cross-entropy.
    ``num_classes`` defaults to the largest label + 1; a class without any
    example has no finite weight and raises ``ValueError``.
    Introduced in the chapter "Classical ML vs deep learning"
    (chapters/04_classical_vs_deep.ipynb).
    """
    y = np.asarray(labels).astype(int).ravel()
    if y.size == 0:
        raise ExperimentInputError("class_weights needs at least one label; pass the training labels, not an "
                                   "empty array")
    k = int(y.max()) + 1 if num_classes is None else num_classes
    counts = np.bincount(y, minlength=k)
    if len(counts) > k:
        raise ExperimentInputError(f"labels go up to {len(counts) - 1} but num_classes is {k}; pass "
                                   f"num_classes={len(counts)} or more (or leave it None)")
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0).tolist()
        raise ExperimentInputError(f"class(es) {missing} have no example, so no finite weight; train without "
                                   "class weights or on a split that has every class")
    return torch.tensor(len(y) / (k * counts), dtype=torch.float32)


def make_loaders(splits: Mapping[str, Dataset], batch_size: int, seed: int = 0,
                 device: torch.device | str = "cpu", num_workers: int = 0,
                 eval_batch_size: int = 256) -> dict[str, DataLoader]:
    """``{"train", "val", "test"}`` loaders for the splits of :func:`~medlab.data.medmnist.load_splits`.

    The training loader shuffles with a generator seeded by ``seed``
    (:func:`medlab.train.make_loader`); the evaluation loaders keep the
    order and use ``eval_batch_size``. Splits missing from ``splits`` get no
    loader. Introduced in the chapter "Evaluating a diagnostic model"
    (chapters/05_evaluating_diagnostic_models.ipynb).
    """
    unknown = set(splits) - set(SPLIT_NAMES)
    if unknown:
        raise SplitNameError(f"unknown split(s) {sorted(unknown)}; expected {SPLIT_NAMES}: rename or drop them")
    loaders = {}
    for name, ds in splits.items():
        is_train = name == "train"
        loaders[name] = train.make_loader(ds, batch_size if is_train else eval_batch_size, train=is_train,
                                          seed=seed, num_workers=num_workers if is_train else 0,
                                          device=device)
    return loaders


def lr_milestones(epochs: int, fractions: Sequence[float] = (0.5, 0.75)) -> list[int]:
    """Epochs after which MedMNIST's protocol divides the learning rate by 10.

    MedMNIST v2 trains 100 epochs and drops the rate at epochs 50 and 75;
    for a shorter run the drops stay at the same fractions of training (at
    least after epoch 1). Use with ``torch.optim.lr_scheduler.MultiStepLR``.
    Introduced in the chapter "Evaluating a diagnostic model"
    (chapters/05_evaluating_diagnostic_models.ipynb).
    """
    if epochs < 1:
        raise ExperimentInputError(f"epochs must be at least 1, not {epochs}; pass a positive number of epochs")
    return [max(1, int(f * epochs)) for f in fractions]


@dataclass
class SeedRuns:
    """What :func:`fit_seeds` returns: one row per seed and the training histories.

    ``table`` is indexed by seed, with columns ``best_epoch``, ``val_auc``,
    ``test_auc``, ``test_accuracy`` and ``seconds``, and ``test_auc_dedup``
    (the AUC on the test images a leakage audit kept) when :func:`fit_seeds`
    was given ``test_keep``.
    """

    table: pd.DataFrame
    histories: dict[int, train.History] = field(default_factory=dict)

    @property
    def seeds(self) -> list[int]:
        """The seeds, in the order they ran."""
        return [int(s) for s in self.table.index]

    def summary(self) -> pd.DataFrame:
        """Mean and sample standard deviation (``ddof=1``) of the test metrics over seeds."""
        cols = [c for c in ("test_auc", "test_auc_dedup", "test_accuracy") if c in self.table]
        return pd.DataFrame({"mean": self.table[cols].mean(), "sd": self.table[cols].std(ddof=1)})

    def mean_sd(self, column: str, digits: int = 3) -> str:
        """``"mean ± sd"`` of one column, for a comparison table."""
        values = self.table[column]
        return Estimate(float(values.mean()), sd=float(values.std(ddof=1))).format(digits)

    def record(self, prefix: str, **extra: Any) -> dict[str, Any]:
        """Record the per-seed and summary numbers for the chapter's results.

        The seeds themselves are recorded where they are drawn, by
        :meth:`medlab.runtime.session.Session.seeds`.

        Keys: ``auc_mean``, ``auc_sd``, ``accuracy_mean``, ``accuracy_sd``,
        ``per_seed_auc``, ``per_seed_accuracy``, ``best_epochs``, with
        ``auc_dedup_mean``, ``auc_dedup_sd`` and ``per_seed_auc_dedup`` when the
        de-duplicated AUC was computed, plus ``extra``.
        """
        s = self.summary()
        if "test_auc_dedup" in self.table:
            extra = {"auc_dedup_mean": s.loc["test_auc_dedup", "mean"], "auc_dedup_sd": s.loc["test_auc_dedup", "sd"],
                     "per_seed_auc_dedup": self.table["test_auc_dedup"].tolist(), **extra}
        return record.record_metrics(
            prefix, auc_mean=s.loc["test_auc", "mean"], auc_sd=s.loc["test_auc", "sd"],
            accuracy_mean=s.loc["test_accuracy", "mean"], accuracy_sd=s.loc["test_accuracy", "sd"],
            per_seed_auc=self.table["test_auc"].tolist(),
            per_seed_accuracy=self.table["test_accuracy"].tolist(),
            best_epochs=self.table["best_epoch"].tolist(), **extra)


def fit_seeds(model: str | Callable[[], nn.Module], splits: Mapping[str, Dataset],
              seeds: Sequence[int], *, epochs: int, lr: float = 1e-3, batch_size: int = 128,
              device: torch.device | str = "cpu", class_weighted: bool = False,
              milestones: Sequence[int] = (), monitor: str = "val_auc",
              patience: int | None = None, num_workers: int = 0,
              test_keep: np.ndarray | None = None, verbose: bool = True) -> SeedRuns:
    """Train and test a fresh model for every seed: the loop behind a "mean ± sd" row.

    For each seed: :func:`~medlab.runtime.session.set_seed`, build ``model`` (a name for
    :func:`medlab.models.build_model`, or a function returning a new
    module), train it with :func:`medlab.train.fit` (Adam at ``lr``,
    ``MultiStepLR`` dividing it by 10 after each of ``milestones``, the epoch
    with the best ``monitor`` kept), and score the ``test`` split with
    :func:`medlab.metrics.classification_metrics` (MedMNIST's ACC and AUC).
    ``class_weighted`` weights the loss with :func:`class_weights` of the
    training labels (``splits["train"].labels``). ``test_keep``, a boolean
    mask over the test items (:func:`medlab.data.leakage.keep_mask`), adds the
    AUC on the de-duplicated test split (``test_auc_dedup``). Introduced in the chapter
    "Evaluating a diagnostic model" (chapters/05_evaluating_diagnostic_models.ipynb).
    """
    if not seeds:
        raise ExperimentInputError("fit_seeds needs at least one seed; pass e.g. seeds=(0, 1, 2)")
    missing = [s for s in SPLIT_NAMES if s not in splits]
    if missing:
        raise SplitNameError(f"splits lacks {missing}; pass the dictionary of medlab.data.load_splits")
    loss_fn = nn.CrossEntropyLoss(weight=class_weights(splits["train"].labels)) if class_weighted else None
    if test_keep is not None:
        test_keep = np.asarray(test_keep, dtype=bool)
        if test_keep.shape != (len(splits["test"]),):
            raise ExperimentInputError(f"test_keep has shape {test_keep.shape}; it must hold one flag per test item "
                                       f"({len(splits['test'])}): pass the keep_mask of this test split")
    rows, histories = [], {}
    for seed in seeds:
        set_seed(seed)
        net = models.build_model(model) if isinstance(model, str) else model()
        loaders = make_loaders(splits, batch_size, seed=seed, device=device, num_workers=num_workers)
        optimizer = torch.optim.Adam(net.parameters(), lr=lr)
        scheduler = (torch.optim.lr_scheduler.MultiStepLR(optimizer, list(milestones), gamma=0.1)
                     if milestones else None)
        history = train.fit(net, loaders["train"], loaders["val"], epochs=epochs, device=device,
                            optimizer=optimizer, scheduler=scheduler, loss_fn=loss_fn,
                            monitor=monitor, patience=patience, verbose=False)
        y, probs = train.predict(net, loaders["test"], device)
        test = classification_metrics(y, probs)
        row = {"seed": seed, "best_epoch": history.best_epoch,
               "val_auc": history.best.get("val_auc", float("nan")),
               "test_auc": test["auc"], "test_accuracy": test["accuracy"],
               "seconds": history.train_seconds}
        if test_keep is not None:
            row["test_auc_dedup"] = classification_metrics(y[test_keep], probs[test_keep])["auc"]
        rows.append(row)
        histories[seed] = history
        if verbose:
            print(f"seed {seed}: best epoch {history.best_epoch}, test AUC {test['auc']:.3f}, "
                  f"accuracy {test['accuracy']:.3f} ({history.train_seconds:.0f} s)")
    return SeedRuns(pd.DataFrame(rows).set_index("seed"), histories)


__all__ = ["ExperimentInputError", "SplitNameError", "as_device", "module_device", "seeded", "class_weights",
           "make_loaders", "lr_milestones", "SeedRuns", "fit_seeds"]
