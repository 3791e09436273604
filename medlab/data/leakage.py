"""Leakage audit: near-copies of training images in the validation and test splits.

A test split measures generalisation only if none of its images is (nearly) an
image the model trained on. Public sets are often split image by image although
they hold several images of the same patient, so the same lesion can sit in
both splits. The audit looks, for every validation and test image, for its
nearest training image under two measures, both computed by SciPy's
``scipy.spatial.distance.cdist``:

- **pixel distance**: the mean absolute grey-level difference (``cityblock``
  distance divided by the number of pixels; 0 = identical, 255 = opposite);
- **correlation**: Pearson's r between the two images (``1 - correlation``
  distance), which also finds copies that differ by brightness or contrast.

An image is a *near-duplicate* when its nearest training image is within
``max_mad`` grey levels or correlates at ``min_corr`` or more. The list is
computed from the data each time, never stored. :func:`keep_mask` turns it into
the mask that scores a model on the de-duplicated test split.

Training images are not the only ones a result depends on: early stopping,
model choice, thresholds and calibration are fitted on the validation split.
:func:`audit_pairs` audits every pair a choice depends on (validation against
training, test against training, test against validation); :func:`keep_mask`
on that table drops an image that is a near-copy of *any* image of a split it
was compared with, so the de-duplicated validation split is free of training
images and the de-duplicated test split of training and validation images.
A pixel audit finds copies of the *same image* only: different images of the
same patient (another view, another frame) are invisible to it.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.spatial.distance import cdist

from .medmnist import load_arrays
from .sources import DataError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .medmnist import MedMNISTDataset

MAX_MAD = 4.0
"""The default pixel-distance threshold, in grey levels (1.6 % of the range)."""
MIN_CORR = 0.99
"""The default correlation threshold (Pearson's r)."""


class LeakageAuditError(DataError, ValueError):
    """Images, an audit table or an option the leakage audit cannot use (also a ``ValueError``)."""


def nearest_neighbours(query: np.ndarray, reference: np.ndarray, chunk: int = 256) -> pd.DataFrame:
    """For each query image, its nearest reference image by pixel distance and by correlation.

    ``query`` and ``reference`` are image stacks (N x H x W[...]) of the same
    shape per image. Returns one row per query image with ``mad`` (mean
    absolute grey-level difference to the closest reference image),
    ``mad_match`` (that image's index), ``corr`` (highest Pearson r) and
    ``corr_match``. A constant image has no defined correlation; it gets r = 0.
    The work is done in chunks of ``chunk`` query images to bound memory.
    """
    if len(query) == 0 or len(reference) == 0:
        raise LeakageAuditError(
            f"nearest_neighbours needs at least one query and one reference image, got {len(query)} query and "
            f"{len(reference)} reference image(s); pass non-empty image stacks (N x H x W)")
    q = np.asarray(query, dtype=np.float64).reshape(len(query), -1)
    r = np.asarray(reference, dtype=np.float64).reshape(len(reference), -1)
    if q.shape[1] != r.shape[1]:
        raise LeakageAuditError(
            f"query images have {q.shape[1]} pixels, reference images {r.shape[1]}; compare images of one "
            "size (the splits of one dataset, at one resolution)")
    n_pixels = q.shape[1]
    mad = np.empty(len(q))
    mad_match = np.empty(len(q), dtype=np.int64)
    corr = np.empty(len(q))
    corr_match = np.empty(len(q), dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        for start in range(0, len(q), chunk):
            part = q[start:start + chunk]
            d = cdist(part, r, metric="cityblock") / n_pixels
            c = 1.0 - cdist(part, r, metric="correlation")
            c = np.nan_to_num(c, nan=0.0)
            rows = np.arange(len(part))
            mad_match[start:start + len(part)] = d.argmin(axis=1)
            mad[start:start + len(part)] = d[rows, mad_match[start:start + len(part)]]
            corr_match[start:start + len(part)] = c.argmax(axis=1)
            corr[start:start + len(part)] = c[rows, corr_match[start:start + len(part)]]
    return pd.DataFrame({"mad": mad, "mad_match": mad_match, "corr": corr, "corr_match": corr_match})


def audit_splits(name: str, splits: Sequence[str] = ("val", "test"), reference: str = "train",
                 max_mad: float = MAX_MAD, min_corr: float = MIN_CORR) -> pd.DataFrame:
    """Audit the official ``splits`` of MedMNIST-style dataset ``name`` against its ``reference`` split.

    One row per image of each audited split (whole splits, as published):
    ``split``, ``index`` (position in that split), ``label``, the nearest
    reference images by both measures (:func:`nearest_neighbours`) with the
    label of the pixel-nearest one (``match_label``), ``near_duplicate``
    (``mad <= max_mad`` or ``corr >= min_corr``) and ``label_conflict`` (a
    near-duplicate whose training twin carries the other label).
    """
    ref_images, ref_labels = load_arrays(name, reference)
    tables = []
    for split in splits:
        images, labels = load_arrays(name, split)
        nn = nearest_neighbours(images, ref_images)
        nn.insert(0, "label", labels)
        nn.insert(0, "index", np.arange(len(labels)))
        nn.insert(0, "split", split)
        nn["match_label"] = ref_labels[nn["mad_match"].to_numpy()]
        nn["near_duplicate"] = (nn["mad"] <= max_mad) | (nn["corr"] >= min_corr)
        nn["label_conflict"] = nn["near_duplicate"] & (nn["label"] != nn["match_label"])
        tables.append(nn)
    table = pd.concat(tables, ignore_index=True)
    table.attrs.update(dataset=name, reference=reference, max_mad=max_mad, min_corr=min_corr)
    return table


PAIRS: tuple[tuple[str, str], ...] = (("val", "train"), ("test", "train"), ("test", "val"))
"""Every (audited split, reference split) pair that a choice depends on: validation drives
early stopping and model choice, so it is audited against training, and the test
split against both."""


def audit_pairs(name: str, pairs: Sequence[tuple[str, str]] = PAIRS, max_mad: float = MAX_MAD,
                min_corr: float = MIN_CORR) -> pd.DataFrame:
    """Audit each ``(split, reference)`` pair of dataset ``name`` (default: :data:`PAIRS`).

    The rows of :func:`audit_splits` for each pair, stacked, with a
    ``reference`` column naming the split each row was compared with. An image
    of a split audited against several references (the test split, by default)
    has one row per reference; :func:`keep_mask` drops it when any row flags
    it, and :func:`summary` gives one line per pair.
    """
    if not pairs:
        raise LeakageAuditError("audit_pairs needs at least one (split, reference) pair, e.g. "
                                "pairs=[('test', 'train')]")
    tables = []
    for split, reference in pairs:
        if split == reference:
            raise LeakageAuditError(f"the pair ({split!r}, {reference!r}) compares a split with itself; "
                                    "pass pairs of two different splits, e.g. ('test', 'val')")
        table = audit_splits(name, splits=[split], reference=reference, max_mad=max_mad, min_corr=min_corr)
        table.insert(1, "reference", reference)
        tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    table.attrs.update(dataset=name, reference=None, pairs=[tuple(p) for p in pairs], max_mad=max_mad,
                       min_corr=min_corr)
    return table


def summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Per audited split (per pair for :func:`audit_pairs`): images, near-duplicates (count and share),
    identical copies, label conflicts."""
    rows = {}
    by = ["split", "reference"] if "reference" in audit.columns else "split"
    for split, part in audit.groupby(by, sort=False):
        if isinstance(split, tuple):
            split = f"{split[0]} vs {split[1]}"
        rows[split] = {
            "images": len(part),
            "near_duplicates": int(part["near_duplicate"].sum()),
            "share": float(part["near_duplicate"].mean()),
            "identical": int((part["mad"] == 0).sum()),
            "label_conflicts": int(part["label_conflict"].sum()),
        }
    return pd.DataFrame(rows).T.astype({"images": int, "near_duplicates": int, "identical": int,
                                         "label_conflicts": int})


def keep_mask(audit: pd.DataFrame, dataset: MedMNISTDataset) -> np.ndarray:
    """Boolean mask over ``dataset``'s items: ``True`` where the image is *not* a near-duplicate.

    ``dataset`` is a :class:`~medlab.data.medmnist.MedMNISTDataset` of an audited split
    (possibly a sub-sample: its ``indices`` map items to the whole split).
    Score a model on ``y[mask]``, ``scores[mask]`` for the de-duplicated split.
    With an :func:`audit_pairs` table, an image is dropped when it is a
    near-copy of an image of any split it was compared with.
    """
    part = audit[audit["split"] == dataset.split]
    if part.empty:
        raise LeakageAuditError(f"the audit has no rows for split '{dataset.split}'; audit it first "
                                f"(audit_splits(..., splits=[{dataset.split!r}]))")
    if audit.attrs.get("dataset") not in (None, dataset.name):
        raise LeakageAuditError(
            f"the audit is of '{audit.attrs['dataset']}', the dataset is '{dataset.name}'; pass the audit of "
            f"'{dataset.name}' (audit_splits({dataset.name!r}))")
    flagged = part.loc[part["near_duplicate"], "index"].to_numpy()
    return ~np.isin(dataset.indices, flagged)


def show_pairs(audit: pd.DataFrame, split: str = "test", n: int = 8, by: str = "mad",
               reference: str | None = None) -> Figure:
    """The ``n`` closest pairs (audited image above, its nearest reference image below), with distances.

    ``by`` is ``"mad"`` (smallest pixel distance first) or ``"corr"``
    (highest correlation first). Titles give both measures and both labels.
    For an :func:`audit_pairs` table, ``reference`` picks the pair (default:
    the first reference ``split`` was audited against).
    """
    import matplotlib.pyplot as plt

    if by not in ("mad", "corr"):
        raise LeakageAuditError(f"by must be 'mad' or 'corr', not {by!r}; pass by='mad' (pixel distance) "
                                "or by='corr' (correlation)")
    name = audit.attrs["dataset"]
    part = audit[audit["split"] == split]
    if part.empty:
        raise LeakageAuditError(f"the audit has no rows for split {split!r}; pass a split it audited "
                                f"({sorted(audit['split'].unique())})")
    if "reference" in part.columns:
        reference = reference or str(part["reference"].iloc[0])
        part = part[part["reference"] == reference]
        if part.empty:
            raise LeakageAuditError(f"the audit never compared {split!r} with {reference!r}; pass one of "
                                    f"{sorted(audit.loc[audit['split'] == split, 'reference'].unique())}")
    else:
        reference = audit.attrs["reference"]
    images, _ = load_arrays(name, split)
    ref_images, _ = load_arrays(name, reference)
    part = part.sort_values(by, ascending=(by == "mad")).head(n)
    fig, axes = plt.subplots(2, len(part), figsize=(1.45 * len(part), 3.4), squeeze=False)
    for k, (_, row) in enumerate(part.iterrows()):
        match = int(row["mad_match"] if by == "mad" else row["corr_match"])
        axes[0, k].imshow(images[int(row["index"])], cmap="gray", vmin=0, vmax=255)
        axes[0, k].set_title(f"{split} {int(row['index'])}\nlabel {int(row['label'])}", fontsize=7)
        axes[1, k].imshow(ref_images[match], cmap="gray", vmin=0, vmax=255)
        axes[1, k].set_title(f"{reference} {match}\nd={row['mad']:.1f} r={row['corr']:.3f}", fontsize=7)
    for ax in axes.ravel():
        ax.axis("off")
    fig.tight_layout()
    return fig


__all__ = ["MAX_MAD", "MIN_CORR", "PAIRS", "LeakageAuditError", "nearest_neighbours", "audit_splits", "audit_pairs",
           "summary", "keep_mask", "show_pairs"]
