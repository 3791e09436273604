"""Plots chapters repeat: image grids, learning curves, confusion matrices, ROC curves.

Each function returns the matplotlib ``Figure`` so a notebook can save or
adjust it. Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import ConfusionMatrixDisplay, RocCurveDisplay

from .train import History


def show_images(images: np.ndarray, labels: Sequence[int], classes: Sequence[str],
                per_class: int = 6, seed: int = 0, cmap: str = "gray") -> Figure:
    """A grid with ``per_class`` random images of each class, one row per class."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    fig, axes = plt.subplots(len(classes), per_class, figsize=(1.4 * per_class, 1.5 * len(classes)),
                             squeeze=False)
    for row, name in enumerate(classes):
        idx = np.flatnonzero(labels == row)
        pick = rng.choice(idx, min(per_class, len(idx)), replace=False) if len(idx) else []
        for col, ax in enumerate(axes[row]):
            ax.axis("off")
            if col < len(pick):
                ax.imshow(images[pick[col]], cmap=cmap)
        axes[row][0].set_title(name, loc="left", fontsize=9)
    fig.tight_layout()
    return fig


def plot_history(histories: History | Mapping[str, History],
                 metrics: Sequence[str] = ("train_loss", "val_loss", "val_auc")) -> Figure:
    """Learning curves: one panel per metric, one line per run; the best epoch is marked."""
    if isinstance(histories, History):
        histories = {"model": histories}
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 3), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for name, h in histories.items():
            values = h[metric]
            if not values:
                continue
            epochs = np.arange(1, len(values) + 1)
            (line,) = ax.plot(epochs, values, marker="o", ms=3, label=name)
            if h.best_epoch is not None:
                ax.plot(h.best_epoch, values[h.best_epoch - 1], "*", ms=12, color=line.get_color())
        ax.set_xlabel("epoch")
        ax.set_title(metric)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_confusion(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str],
                   title: str = "", ax: plt.Axes | None = None) -> Figure:
    """Confusion matrix with counts (rows: truth, columns: prediction)."""
    disp = ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=list(range(len(classes))), display_labels=list(classes),
        cmap="Blues", colorbar=False, ax=ax)
    disp.ax_.set_title(title)
    disp.figure_.tight_layout()
    return disp.figure_


def plot_roc(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], title: str = "ROC") -> Figure:
    """ROC curves of several models: ``{name: (y_true, positive_class_score)}``, AUC in the legend."""
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    for name, (y, score) in curves.items():
        RocCurveDisplay.from_predictions(y, score, name=name, ax=ax)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    ax.set_title(title)
    fig.tight_layout()
    return fig
