"""Published MedMNIST v2 baselines: the one table every chapter compares with.

Source: Yang, J. et al. MedMNIST v2 - A large-scale lightweight benchmark for
2D and 3D biomedical image classification. Scientific Data 10, 41 (2023),
Table 3 (2D datasets) and Table 4 (3D datasets). Each number is the test AUC or
test accuracy (ACC, threshold 0.5 on the probability of class 1) trained on the
official training split, averaged over at least three trials of the method; the
paper reports the mean only, with no standard deviation or interval, so the
seed-to-seed spread of a published row is unknown.

For the 2D datasets the book uses (PneumoniaMNIST, BreastMNIST) all seven rows
of Table 3 are transcribed; for AdrenalMNIST3D all eight rows of Table 4.
Method names follow the paper: "(28)" and "(224)" are the input sizes of the 2D
ResNets (224 means the 28-pixel images upsampled, not more detail); "2.5D",
"3D" and "ACS" are the three ways the 3D ResNets handle volumes. auto-sklearn
and AutoKeras search over models on the 28-pixel images (auto-sklearn on the
flattened pixels); Google AutoML Vision, a commercial service, was given the
images upsampled to 224 pixels, so its row is not a 28-pixel result either.

MedMNIST+ rows (:data:`MEDMNIST_PLUS`, Doerrich et al., Scientific Reports 2025)
are kept apart: they come from a different protocol (ImageNet-pretrained
backbones, images zero-padded to 224 pixels, AdamW with a cosine schedule, early
stopping on the validation loss) at several real image sizes. The paper reports
ACC and AUC as mean ± sd over three seeds; only the mean AUC is transcribed here.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .data.registry import MEDMNIST_CITE
from .errors import MedlabError


class NoBaselineError(MedlabError, KeyError):
    """A dataset, method or size the published tables hold no row for (also a ``KeyError``)."""


CITATION = MEDMNIST_CITE
"""The reference for every number in :data:`BASELINES`."""


@dataclass(frozen=True)
class Baseline:
    """One published result: ``auc`` and ``accuracy`` of ``method`` on ``dataset``'s test split."""

    dataset: str
    method: str
    auc: float
    accuracy: float
    table: str


BASELINES: tuple[Baseline, ...] = (
    Baseline("pneumoniamnist", "ResNet-18 (28)", 0.944, 0.854, "Table 3"),
    Baseline("pneumoniamnist", "ResNet-18 (224)", 0.956, 0.864, "Table 3"),
    Baseline("pneumoniamnist", "ResNet-50 (28)", 0.948, 0.854, "Table 3"),
    Baseline("pneumoniamnist", "ResNet-50 (224)", 0.962, 0.884, "Table 3"),
    Baseline("pneumoniamnist", "auto-sklearn", 0.942, 0.855, "Table 3"),
    Baseline("pneumoniamnist", "AutoKeras", 0.947, 0.878, "Table 3"),
    Baseline("pneumoniamnist", "Google AutoML Vision", 0.991, 0.946, "Table 3"),
    Baseline("breastmnist", "ResNet-18 (28)", 0.901, 0.863, "Table 3"),
    Baseline("breastmnist", "ResNet-18 (224)", 0.891, 0.833, "Table 3"),
    Baseline("breastmnist", "ResNet-50 (28)", 0.857, 0.812, "Table 3"),
    Baseline("breastmnist", "ResNet-50 (224)", 0.866, 0.842, "Table 3"),
    Baseline("breastmnist", "auto-sklearn", 0.836, 0.803, "Table 3"),
    Baseline("breastmnist", "AutoKeras", 0.871, 0.831, "Table 3"),
    Baseline("breastmnist", "Google AutoML Vision", 0.919, 0.861, "Table 3"),
    Baseline("adrenalmnist3d", "ResNet-18 + 2.5D", 0.718, 0.772, "Table 4"),
    Baseline("adrenalmnist3d", "ResNet-18 + 3D", 0.827, 0.721, "Table 4"),
    Baseline("adrenalmnist3d", "ResNet-18 + ACS", 0.839, 0.754, "Table 4"),
    Baseline("adrenalmnist3d", "ResNet-50 + 2.5D", 0.732, 0.763, "Table 4"),
    Baseline("adrenalmnist3d", "ResNet-50 + 3D", 0.828, 0.745, "Table 4"),
    Baseline("adrenalmnist3d", "ResNet-50 + ACS", 0.758, 0.754, "Table 4"),
    Baseline("adrenalmnist3d", "auto-sklearn", 0.828, 0.802, "Table 4"),
    Baseline("adrenalmnist3d", "AutoKeras", 0.804, 0.705, "Table 4"),
)
"""MedMNIST v2's published test AUC and accuracy, as transcribed from the paper."""

SAME_TEST_SPLIT: dict[str, str] = {"pneumoniamnist_subset": "pneumoniamnist"}
"""Registry datasets that are not the official release but keep its test split."""


def published_name(dataset: str) -> str:
    """The MedMNIST dataset whose published numbers apply to registry dataset ``dataset``.

    The redistributed ``pneumoniamnist_subset`` keeps PneumoniaMNIST's test
    split, so PneumoniaMNIST's rows apply to it (its training split differs,
    which a chapter must say beside the comparison).
    """
    return SAME_TEST_SPLIT.get(dataset, dataset)


def baselines(dataset: str, methods: Sequence[str] | None = None) -> pd.DataFrame:
    """The published rows for ``dataset``: index ``method``, columns ``auc`` and ``accuracy``.

    ``methods`` picks and orders rows; a dataset or method the table does not
    hold raises :class:`NoBaselineError` (a ``KeyError``) naming what it does hold.
    """
    name = published_name(dataset)
    rows = {b.method: {"auc": b.auc, "accuracy": b.accuracy} for b in BASELINES if b.dataset == name}
    if not rows:
        known = sorted({b.dataset for b in BASELINES} | set(SAME_TEST_SPLIT))
        raise NoBaselineError(f"no published MedMNIST v2 numbers for '{dataset}'; the table has "
                              f"{', '.join(known)}: pass one of those names")
    if methods is not None:
        unknown = [m for m in methods if m not in rows]
        if unknown:
            raise NoBaselineError(f"{name}: no published row for {unknown}; the table has {', '.join(rows)}: "
                                  "pass methods among those (spelled as in the paper)")
        rows = {m: rows[m] for m in methods}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "method"
    return frame


MEDMNIST_PLUS_CITATION = (
    "Doerrich, S. et al. Rethinking model prototyping through the MedMNIST+ dataset collection. "
    "Scientific Reports (2025)."
)
"""The reference for every number in :data:`MEDMNIST_PLUS`.

Introduced in the chapter "Transfer learning" (chapters/06_transfer_learning.ipynb).
"""


@dataclass(frozen=True)
class SizedBaseline:
    """One published MedMNIST+ result: mean test ``auc`` of ``method`` trained on ``size``-pixel images of ``dataset``.

    MedMNIST+ reports each model at the image sizes 28, 64, 128 and 224 (real
    higher-resolution images, not upsampled ones), with ACC and AUC as mean ± sd
    over three seeds; ``auc`` is the mean AUC (the ACC and the sd are not
    transcribed). ``note`` says why a row is quoted. Introduced in the chapter "Transfer learning"
    (chapters/06_transfer_learning.ipynb).
    """

    dataset: str
    method: str
    size: int
    auc: float
    note: str = ""


MEDMNIST_PLUS: tuple[SizedBaseline, ...] = (
    SizedBaseline("breastmnist", "AlexNet", 28, 0.891),
    SizedBaseline("breastmnist", "ResNet-18", 28, 0.876),
    SizedBaseline("breastmnist", "DINO ViT-B/16, linear probe", 28, 0.868),
    SizedBaseline("breastmnist", "AlexNet", 128, 0.940, "best BreastMNIST AUC at any size"),
)
"""MedMNIST+ (Doerrich et al., Scientific Reports 2025) test AUCs the book compares with."""


def medmnist_plus(dataset: str, size: int | None = None) -> pd.DataFrame:
    """The MedMNIST+ rows for ``dataset`` (at ``size`` pixels, or all): index ``"method (size)"``.

    Columns ``auc``, ``size`` and ``note``; a dataset without rows raises
    :class:`NoBaselineError` (a ``KeyError``). Introduced in the chapter "Transfer learning"
    (chapters/06_transfer_learning.ipynb).
    """
    rows = [b for b in MEDMNIST_PLUS if b.dataset == published_name(dataset) and size in (None, b.size)]
    if not rows:
        known = sorted({(b.dataset, b.size) for b in MEDMNIST_PLUS})
        raise NoBaselineError(f"no MedMNIST+ row for '{dataset}' at size {size}; the table has {known} "
                              "(dataset, size): pass one of those, or size=None for every size")
    frame = pd.DataFrame({"auc": [b.auc for b in rows], "size": [b.size for b in rows],
                          "note": [b.note for b in rows]},
                         index=[f"{b.method} ({b.size})" for b in rows])
    frame.index.name = "method"
    return frame


__all__ = ["CITATION", "Baseline", "BASELINES", "SAME_TEST_SPLIT", "published_name", "baselines",
           "MEDMNIST_PLUS_CITATION", "SizedBaseline", "MEDMNIST_PLUS", "medmnist_plus", "NoBaselineError"]
