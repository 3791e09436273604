"""Semi-supervised learning: a few labelled images plus many unlabelled ones.

- :func:`pseudo_label`: train on the labelled set, give the unlabelled items
  the model predicts confidently (probability at least ``threshold`` for one
  class) that class as a label, retrain on both (Lee, ICML workshop 2013;
  scikit-learn's ``SelfTrainingClassifier`` does the same for any classifier);
- :func:`mean_teacher`: a consistency method (Tarvainen & Valpola, NeurIPS
  2017). A *student* is trained on the labelled loss plus a penalty for
  disagreeing with a *teacher* on noisy copies of the unlabelled inputs; the
  teacher's weights are an exponential moving average of the student's.
  Here the inputs are fixed features, so the "augmentation" is Gaussian noise
  and dropout, not image transforms as in FixMatch (Sohn et al. 2020).

Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from ..experiment import seeded
from .learners import DropoutMLP, _tensor, check_xy, fit_mlp, predict_proba


def pseudo_label(X_lab: np.ndarray, y_lab: np.ndarray, X_unlab: np.ndarray, threshold: float = 0.9,
                 seed: int = 0, device: torch.device | str | None = None, **fit_kwargs) -> tuple[DropoutMLP, int]:
    """Self-training with one round of pseudo-labels; returns the retrained model and how many were added.

    Both models are trained by :func:`~medlab.labels.learners.fit_mlp` on
    ``device`` (default: the CPU) with ``fit_kwargs``; the model returned is there.
    """
    check_xy(X_lab, y_lab)
    first = fit_mlp(X_lab, y_lab, seed=seed, device=device, **fit_kwargs)
    p = predict_proba(first, X_unlab)
    sure = (p >= threshold) | (p <= 1 - threshold)
    X = np.concatenate([X_lab, X_unlab[sure]])
    y = np.concatenate([y_lab, (p[sure] >= 0.5).astype(int)])
    return fit_mlp(X, y, seed=seed, device=device, **fit_kwargs), int(sure.sum())


def mean_teacher(X_lab: np.ndarray, y_lab: np.ndarray, X_unlab: np.ndarray, seed: int = 0, epochs: int = 300,
                 lr: float = 1e-2, weight_decay: float = 1e-3, consistency: float = 5.0, noise: float = 0.3,
                 ema: float = 0.95, hidden: int = 64, device: torch.device | str | None = None) -> DropoutMLP:
    """Mean teacher on fixed features, full-batch; returns the teacher.

    The consistency weight ramps up from 0 to ``consistency`` over the first
    40 % of ``epochs`` (the usual sigmoid ramp), so the student first fits
    the labels before it listens to the teacher. The weights, noise and
    dropout are seeded by ``seed`` in a fork of torch's random state (the
    caller's is left alone); training runs on ``device`` (default: the CPU),
    where the teacher is returned.
    """
    check_xy(X_lab, y_lab)
    with seeded(seed, device) as dev:
        student = DropoutMLP(X_lab.shape[1], hidden).to(dev)
        teacher = copy.deepcopy(student)
        for p in teacher.parameters():
            p.requires_grad_(False)
        xl, yl = _tensor(X_lab, dev), torch.as_tensor(np.asarray(y_lab), dtype=torch.long).to(dev)
        xu = torch.cat([xl, _tensor(X_unlab, dev)])
        counts = torch.bincount(yl, minlength=2).float()
        ce = nn.CrossEntropyLoss(weight=counts.sum() / (2 * counts))
        opt = torch.optim.Adam(student.parameters(), lr=lr, weight_decay=weight_decay)
        ramp = max(1, int(0.4 * epochs))
        student.train()
        teacher.train()  # the teacher's dropout is part of the perturbation
        for epoch in range(epochs):
            w = consistency * float(np.exp(-5 * (1 - min(epoch, ramp) / ramp) ** 2))
            opt.zero_grad()
            p_student = torch.softmax(student(xu + noise * torch.randn_like(xu)), dim=1)
            with torch.no_grad():
                p_teacher = torch.softmax(teacher(xu + noise * torch.randn_like(xu)), dim=1)
            loss = ce(student(xl), yl) + w * ((p_student - p_teacher) ** 2).sum(dim=1).mean()
            loss.backward()
            opt.step()
            with torch.no_grad():
                for pt, ps in zip(teacher.parameters(), student.parameters(), strict=True):
                    pt.mul_(ema).add_(ps, alpha=1 - ema)
    return teacher.eval()
