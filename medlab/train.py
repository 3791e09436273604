"""One fit/evaluate loop for every chapter.

:func:`fit` trains a classifier for a number of epochs, evaluates it on a
validation loader after each one, keeps the best weights (optionally in a
checkpoint file), stops early when the monitored metric stops improving, and
uses mixed precision with non-blocking transfers on a CUDA GPU. It returns a
:class:`History` that :func:`medlab.viz.plot_history` draws.

The loop is deliberately plain (no callbacks, no hooks): what it adds over a
bare PyTorch loop is measured by ``benchmarks/train_overhead.py``.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

import copy
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler
from tqdm import tqdm

from .errors import MedlabError
from .io import atomic_path
from .metrics import classification_metrics
from .runtime.record import RUNNER_ENV
from .runtime.session import make_generator, seed_worker


class TrainingError(MedlabError, ValueError):
    """Training data or settings the loop cannot use (also a ``ValueError``)."""


class UnknownMonitorError(MedlabError, KeyError):
    """``fit(monitor=...)`` names a metric the epoch records do not hold (also a ``KeyError``)."""


RESIDENT_MAX_ITEMS = 200_000
"""The most items :func:`make_loader` keeps on a CUDA device by default (28-pixel images: about 0.6 GB)."""


@dataclass
class History:
    """Per-epoch records of one training run, plus where the best epoch was."""

    records: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None
    monitor: str = "val_loss"
    stopped_early: bool = False
    train_seconds: float = 0.0

    def __getitem__(self, key: str) -> list[float]:
        return [r[key] for r in self.records if key in r]

    @property
    def best(self) -> dict[str, float]:
        """The record of the best epoch (the last one if there was no validation)."""
        if not self.records:
            return {}
        if self.best_epoch is None:
            return self.records[-1]
        return self.records[self.best_epoch - 1]

    def to_frame(self):
        """The records as a pandas DataFrame, one row per epoch."""
        import pandas as pd

        return pd.DataFrame(self.records).set_index("epoch")


def has_transform(dataset: Dataset) -> bool:
    """Whether ``dataset`` (or a dataset it wraps: ``Subset``, ``ConcatDataset``) has a transform."""
    if getattr(dataset, "transform", None) is not None:
        return True
    inner = [getattr(dataset, "dataset", None), *getattr(dataset, "datasets", [])]
    return any(has_transform(d) for d in inner if d is not None)


class ResidentLoader:
    """Batches from a dataset held whole in device memory, in DataLoader's order.

    On a GPU, a 28-pixel image costs far less to train on than to copy, so
    for small datasets without random per-image transforms the fastest loader
    is no loader: every image is converted once, moved to ``device`` once,
    and each batch is an index into that tensor. The batch order is drawn
    by the same ``torch.utils.data.RandomSampler`` (and generator) that
    :func:`make_loader` uses, so a seed gives the same batches either way.

    Only for datasets whose items are deterministic: a dataset with a
    ``transform`` attribute that is not ``None`` (random augmentation) is
    refused, since its images would be frozen at their first draw.

    Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
    """

    def __init__(self, dataset: Dataset, batch_size: int, train: bool, seed: int = 0,
                 device: torch.device | str = "cpu", channels_last: bool = False):
        if has_transform(dataset):
            raise TrainingError(
                f"{dataset!r} has a transform; a ResidentLoader would freeze its random draws. "
                "Use train.make_loader(..., resident=False) for augmented training data.")
        self.dataset, self.batch_size, self.train = dataset, batch_size, train
        self.device = torch.device(device)
        xs, ys = zip(*(dataset[i] for i in range(len(dataset))))  # type: ignore[arg-type]
        x = torch.stack(list(xs)).to(self.device)
        if channels_last and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        self.x, self.y = x, torch.as_tensor(ys).to(self.device)
        self.generator = make_generator(seed) if train else None
        sampler = RandomSampler(range(len(self.y)), generator=self.generator) if train else \
            SequentialSampler(range(len(self.y)))
        self.batch_sampler = BatchSampler(sampler, batch_size, drop_last=False)

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def __iter__(self):
        # DataLoader draws a base seed for its workers from the generator (the global
        # one if None) before sampling; do the same so the random streams stay in step.
        torch.empty((), dtype=torch.int64).random_(generator=self.generator)
        order = torch.tensor([i for batch in self.batch_sampler for i in batch], device=self.device)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            yield self.x[idx], self.y[idx]


def make_loader(dataset: Dataset, batch_size: int, train: bool, seed: int = 0,
                num_workers: int = 0, device: torch.device | str = "cpu",
                resident: bool | None = None) -> DataLoader | ResidentLoader:
    """A DataLoader with seeded shuffling, seeded workers and pinned memory on CUDA.

    With ``resident=True`` the whole dataset goes to ``device`` once and a
    :class:`ResidentLoader` serves the same batches from there (the fast
    path on a GPU for small, un-augmented datasets). The default, ``None``,
    chooses it on a CUDA device for a dataset without a ``transform`` of at
    most :data:`RESIDENT_MAX_ITEMS` items; either way the batches are the same.
    """
    device = torch.device(device)
    if resident is None:
        resident = (device.type == "cuda" and not has_transform(dataset)
                    and len(dataset) <= RESIDENT_MAX_ITEMS)  # type: ignore[arg-type]
    if resident:
        return ResidentLoader(dataset, batch_size, train, seed=seed, device=device)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=train,
        drop_last=False,
        num_workers=num_workers,
        worker_init_fn=seed_worker if num_workers else None,
        generator=make_generator(seed) if train else None,
        pin_memory=device.type == "cuda",
        persistent_workers=num_workers > 0,
    )


def amp_dtype(device: torch.device | str) -> torch.dtype | None:
    """The mixed-precision dtype :func:`fit` uses on ``device``: bfloat16 where the GPU has it.

    bfloat16 keeps float32's exponent range, so no loss scaling is needed;
    older GPUs fall back to float16 with a ``GradScaler``. ``None`` off CUDA.
    """
    device = torch.device(device)
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _progress_enabled(progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return not os.environ.get(RUNNER_ENV)  # stored notebooks keep one line per epoch


@torch.no_grad()
def predict(model: nn.Module, loader: DataLoader, device: torch.device | str = "cpu",
            amp: bool | None = None, logits: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Labels and class probabilities (softmax) of every item in ``loader``.

    With ``logits=True`` the raw outputs before the softmax are returned
    instead (temperature scaling needs them).
    """
    device = torch.device(device)
    use_amp = device.type == "cuda" if amp is None else amp
    model.eval()
    ys, ps = [], []
    for x, y in loader:
        x = x.to(device, non_blocking=True)
        with torch.autocast(device.type, dtype=amp_dtype(device), enabled=use_amp and device.type == "cuda"):
            out = model(x).float()
        ps.append((out if logits else torch.softmax(out, dim=1)).cpu())
        ys.append(torch.as_tensor(y).cpu())
    return torch.cat(ys).numpy(), torch.cat(ps).numpy()


def evaluate(model: nn.Module, loader: DataLoader, device: torch.device | str = "cpu",
             loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None) -> dict[str, float]:
    """Loss, accuracy and ROC AUC of ``model`` on ``loader`` (MedMNIST's definitions)."""
    y, p = predict(model, loader, device)
    out = classification_metrics(y, p)
    if loss_fn is not None:
        with torch.no_grad():
            logp = torch.log(torch.as_tensor(p).clamp_min(1e-12))
            weight = getattr(loss_fn, "weight", None)  # class weights live on the device; p is on the CPU
            weight = None if weight is None else weight.detach().float().cpu()
            out["loss"] = float(nn.functional.nll_loss(logp, torch.as_tensor(y), weight=weight))
    return out


def fit(model: nn.Module, train_loader: DataLoader, val_loader: DataLoader | None = None, *,
        epochs: int, lr: float = 1e-3, device: torch.device | str = "cpu",
        optimizer: torch.optim.Optimizer | None = None,
        scheduler: Any | None = None,
        loss_fn: nn.Module | None = None,
        monitor: str = "val_auc", patience: int | None = None,
        checkpoint: str | os.PathLike | None = None,
        amp: bool | None = None, channels_last: bool = False,
        progress: bool | None = None, verbose: bool = True) -> History:
    """Train ``model`` and return its :class:`History`; the best weights are restored.

    - ``monitor``: ``"val_loss"`` (lower is better) or ``"val_auc"``/``"val_accuracy"``
      (higher is better); the best epoch's weights are kept in memory and, with
      ``checkpoint``, written atomically to that file.
    - ``patience``: stop after that many epochs without improvement.
    - ``amp``: mixed precision (default: on for CUDA, off elsewhere), in
      bfloat16 where the GPU supports it (:func:`amp_dtype`), else float16
      with a gradient scaler.
    - ``channels_last``: NHWC memory layout for model and batches (faster
      convolutions on tensor-core GPUs; no effect on the result).
    - ``scheduler``: stepped once per epoch.
    - The default optimiser is Adam, with PyTorch's fused kernel on CUDA.
    """
    device = torch.device(device)
    model.to(device)
    use_amp = (device.type == "cuda") if amp is None else (amp and device.type == "cuda")
    dtype = amp_dtype(device)
    memory_format = torch.channels_last if channels_last else torch.preserve_format
    if channels_last:
        model.to(memory_format=torch.channels_last)
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr, fused=device.type == "cuda")
    loss_fn = (loss_fn or nn.CrossEntropyLoss()).to(device)
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp and dtype == torch.float16)
    higher_better = not monitor.endswith("loss")
    best_score, best_state, since_best = -math.inf, None, 0
    history = History(monitor=monitor)
    show = _progress_enabled(progress)
    start = time.perf_counter()

    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        model.train()
        total_loss = torch.zeros((), device=device)
        seen = 0
        batches = tqdm(train_loader, desc=f"epoch {epoch}/{epochs}", leave=False, disable=not show)
        for x, y in batches:
            x = x.to(device, non_blocking=True, memory_format=memory_format)
            y = y.to(device, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device.type, dtype=dtype, enabled=use_amp):
                loss = loss_fn(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            total_loss += loss.detach() * len(y)
            seen += len(y)
        if scheduler is not None:
            scheduler.step()
        rec: dict[str, float] = {"epoch": epoch, "train_loss": float(total_loss) / max(seen, 1)}
        if val_loader is not None:
            val = evaluate(model, val_loader, device, loss_fn)
            rec.update({f"val_{k}": v for k, v in val.items()})
        rec["seconds"] = time.perf_counter() - t0
        history.records.append(rec)

        if val_loader is not None:
            if monitor not in rec:
                raise UnknownMonitorError(f"monitor '{monitor}' is not among the epoch's metrics {sorted(rec)}; "
                                          "pass one of the 'val_...' keys, such as monitor='val_loss'")
            if math.isnan(rec[monitor]):
                raise TrainingError(
                    f"epoch {epoch}: {monitor} is NaN, so no epoch can be chosen as the best "
                    "(an AUC is undefined when the validation split holds one class only); "
                    "use a validation split with every class, or monitor='val_loss'")
            score = rec[monitor] if higher_better else -rec[monitor]
            if score > best_score:
                best_score, since_best, history.best_epoch = score, 0, epoch
                best_state = copy.deepcopy(model.state_dict())
                if checkpoint is not None:
                    save_checkpoint(model, checkpoint, epoch=epoch, metrics=rec)
            else:
                since_best += 1
        if verbose:
            mark = " *" if history.best_epoch == epoch else ""
            print(" ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                           for k, v in rec.items() if k != "seconds") + f" ({rec['seconds']:.1f}s){mark}")
        if patience is not None and since_best >= patience:
            history.stopped_early = True
            if verbose:
                print(f"early stop: no {monitor} improvement for {patience} epochs; best epoch {history.best_epoch}")
            break

    history.train_seconds = time.perf_counter() - start
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def save_checkpoint(model: nn.Module, path: str | os.PathLike, **meta: Any) -> Path:
    """Save ``model``'s weights and ``meta`` to ``path`` atomically (:func:`medlab.io.atomic_path`)."""
    with atomic_path(path) as tmp:
        torch.save({"state_dict": model.state_dict(), **meta}, tmp)
    return Path(path)


def load_checkpoint(model: nn.Module, path: str | os.PathLike, device: torch.device | str = "cpu") -> dict[str, Any]:
    """Load weights saved by :func:`save_checkpoint` into ``model``; return the metadata."""
    blob = torch.load(path, map_location=device, weights_only=False)
    model.load_state_dict(blob.pop("state_dict"))
    return blob
