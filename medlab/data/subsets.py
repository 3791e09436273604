"""Subsets named by their rows' content, rebuilt from the official file they were taken from.

The chapters' default training set, the PneumoniaMNIST subset
(``pneumoniamnist_subset``, chapters/03_first_classifier.ipynb), has no
download of its own. Its registry entry lists a short digest of every row
(:func:`row_digests`), and :func:`take_rows` picks those rows out of the
official ``pneumoniamnist.npz``, in the subset's order, whatever their order
there; :func:`medlab.data.fetch.fetch` then checks the result against the
registered checksum (``python -m medlab.data.fetch pneumoniamnist_subset``).

At the bottom of the data layer: it imports only NumPy and
:mod:`medlab.data.sources`, so the registry can use it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .sources import DatasetFormatError

SPLITS = ("train", "val", "test")

ROW_DIGEST_SIZE = 4  # bytes of each row's digest in a subset manifest (see row_digests)


def row_digests(images: np.ndarray, labels: np.ndarray) -> list[bytes]:
    """A short content digest of every (image, label) row of a split.

    The first ``ROW_DIGEST_SIZE`` bytes of the SHA-256 of the label (as
    decimal digits), a NUL byte and the image's C-order bytes. It names a row
    by what it holds, not by its position, so :func:`take_rows` finds the rows
    of a subset in the file it was taken from whatever their order there.
    """
    flat = labels.reshape(len(labels), -1)[:, 0]
    return [hashlib.sha256(b"%d\0" % int(y) + np.ascontiguousarray(x).tobytes()).digest()[:ROW_DIGEST_SIZE]
            for x, y in zip(images, flat)]


def _encode_rows(images: np.ndarray, labels: np.ndarray) -> str:
    """The manifest of one split for :func:`take_rows`: its row digests, in order, as base64."""
    return base64.b64encode(b"".join(row_digests(images, labels))).decode("ascii")


def take_rows(source: Path, out_file: Path, rows: Mapping[str, str]) -> None:
    """Write ``out_file``: for every split, the rows of ``source`` that ``rows[split]`` names, in that order.

    ``rows`` maps ``"train"``, ``"val"`` and ``"test"`` to a manifest from
    ``_encode_rows``. The archive gets the keys ``<split>_images`` and
    ``<split>_labels`` in that order, with the dtypes of ``source``, written by
    ``numpy.savez_compressed``. This is how the PneumoniaMNIST subset is rebuilt
    from the official file (its registry entry's ``derive``). Raises
    :class:`~medlab.data.sources.DatasetFormatError` when ``source`` lacks a
    split or one of the rows.
    """
    out: dict[str, np.ndarray] = {}
    with np.load(source, allow_pickle=False) as data:
        for split in SPLITS:
            keys = (f"{split}_images", f"{split}_labels")
            if any(k not in data.files for k in keys):
                raise DatasetFormatError(f"{source}: no {keys[0]}/{keys[1]} arrays; found {data.files}")
            images, labels = data[keys[0]], data[keys[1]]
            where: dict[bytes, int] = {}
            for i, digest in enumerate(row_digests(images, labels)):
                where.setdefault(digest, i)  # identical rows (duplicates) are interchangeable
            wanted = base64.b64decode(rows[split])
            digests = [wanted[i:i + ROW_DIGEST_SIZE] for i in range(0, len(wanted), ROW_DIGEST_SIZE)]
            missing = sum(d not in where for d in digests)
            if missing:
                raise DatasetFormatError(
                    f"{source}: {missing} of the {len(digests)} {split} rows to take are not in it "
                    "(it is not the file these rows were taken from)")
            index = np.array([where[d] for d in digests], dtype=np.int64)
            out[keys[0]], out[keys[1]] = images[index], labels[index]
    with open(out_file, "wb") as fh:
        np.savez_compressed(fh, **out)


__all__ = ["ROW_DIGEST_SIZE", "row_digests", "take_rows"]
