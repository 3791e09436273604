"""A small dropout MLP on fixed features, trained full-batch, with Monte Carlo dropout.

Active and semi-supervised learning retrain a model many times; on a laptop
CPU that is affordable for a two-layer network on fixed image features (a few
hundred numbers per image) but not for a CNN on pixels. Dropout kept on at
prediction time (:func:`predict_proba` with ``mc_samples``) gives the
samples that BALD needs (Gal, Islam & Ghahramani, ICML 2017).

Introduced in the chapter "Data and labels" (chapters/12_data_and_labels.ipynb).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..experiment import module_device, seeded
from . import LabelsError


class DropoutMLP(nn.Module):
    """features -> hidden (ReLU, dropout) -> 2 logits."""

    def __init__(self, in_features: int, hidden: int = 64, dropout: float = 0.5):
        super().__init__()
        self.net = nn.Sequential(nn.Dropout(0.2), nn.Linear(in_features, hidden), nn.ReLU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def _tensor(X: np.ndarray, device: torch.device | None = None) -> torch.Tensor:
    return torch.as_tensor(np.asarray(X), dtype=torch.float32).to(device or "cpu")


def check_xy(X: np.ndarray, y: np.ndarray) -> None:
    """Raise :class:`~medlab.labels.LabelsError` unless ``X`` has one row per binary label and both classes."""
    y = np.asarray(y)
    if len(X) != len(y):
        raise LabelsError(f"{len(X)} feature rows but {len(y)} labels; pass one label per row")
    if not np.isin(y, (0, 1)).all() or len(np.unique(y)) < 2:
        raise LabelsError(f"labels must be 0/1 with both classes present, got classes {np.unique(y)}; "
                          "start from a stratified labelled set (medlab.data.stratified_indices)")


def fit_mlp(X: np.ndarray, y: np.ndarray, seed: int = 0, epochs: int = 200, lr: float = 1e-2,
            weight_decay: float = 1e-3, hidden: int = 64, device: torch.device | str | None = None) -> DropoutMLP:
    """Train a :class:`DropoutMLP` with Adam on all of ``(X, y)`` at once, classes weighted by inverse frequency.

    The weights and the dropout are seeded by ``seed`` in a fork of torch's
    random state (the caller's is left alone). The model trains on
    ``device`` (default: the CPU) and is returned there.
    """
    check_xy(X, y)
    with seeded(seed, device) as dev:
        model = DropoutMLP(X.shape[1], hidden).to(dev)
        xt, yt = _tensor(X, dev), torch.as_tensor(np.asarray(y), dtype=torch.long).to(dev)
        counts = torch.bincount(yt, minlength=2).float()
        loss_fn = nn.CrossEntropyLoss(weight=counts.sum() / (2 * counts))
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
        model.train()
        for _ in range(epochs):
            opt.zero_grad()
            loss_fn(model(xt), yt).backward()
            opt.step()
    return model.eval()


@torch.no_grad()
def predict_proba(model: nn.Module, X: np.ndarray, mc_samples: int = 0, seed: int = 0) -> np.ndarray:
    """P(class 1) for each row: ``(n,)`` with dropout off, or ``(mc_samples, n)`` with dropout on.

    The model runs on the device it is on; the result is a NumPy array. The
    dropout masks are seeded by ``seed`` in a fork of torch's random state.
    """
    dev = module_device(model)
    xt = _tensor(X, dev)
    if not mc_samples:
        model.eval()
        return torch.softmax(model(xt), dim=1)[:, 1].cpu().numpy()
    with seeded(seed, dev):
        model.train()
        out = torch.stack([torch.softmax(model(xt), dim=1)[:, 1] for _ in range(mc_samples)]).cpu().numpy()
    model.eval()
    return out
