"""Differential privacy for the sites' training (DP-SGD with Opacus) and what updates give away.

What the guarantee says. A training procedure M is (epsilon, delta)-DP per
record (here: per image) if, for any two training sets D and D' that differ
in one image and any set S of outcomes,
``P[M(D) in S] <= exp(epsilon) * P[M(D') in S] + delta``: whatever an
observer concludes from the trained model, the odds of that conclusion with
and without any one image differ by at most a factor ``exp(epsilon)``, up to
a small probability ``delta`` of failure. A patient with k images in the
data is protected as a group of k records: by group privacy, with k epsilon
(and a delta that grows with k). ``delta`` must be far below 1/n: a procedure
that publishes one randomly chosen image in full is (0, 1/n)-DP. Hence
``DEFAULT_DELTA`` (1e-5) and ``dp_delta`` (min(1e-5, 1/(10 n))).

The bound on each image's influence (the sensitivity behind the accountant)
holds only if one image's presence does not change any other image's
gradient. A class-weighted cross-entropy with mean reduction divides by the
batch's sum of weights, so one image rescales every other image's gradient,
and its weights are computed from the private labels: ``dp_trainer`` refuses
``LocalConfig(class_weighted=True)`` and trains with ``dp_loss``, an
unweighted cross-entropy averaged over the batch, which Opacus turns back
into each image's own gradient (``LOSS_REDUCTION``).

- ``make_dp_compatible`` fixes a model for per-sample gradients
  (Opacus' ``ModuleValidator.fix`` replaces BatchNorm by GroupNorm; in-place
  activations are turned off, which Opacus' hooks cannot handle);
- ``dp_trainer`` returns a local-training function for
  ``medlab.federated.fedavg.fedavg`` that runs DP-SGD (Abadi et al. 2016):
  Poisson-sampled batches, each example's gradient clipped to
  ``max_grad_norm``, Gaussian noise of sd ``noise_multiplier x max_grad_norm``
  added to the sum, which is divided by the expected batch size;
- ``per_sample_gradients`` gives the per-image gradients Opacus computes
  (and clips) for a loss, to check that one image does not change another's;
- ``per_example_grad_norms`` measures the norm of each image's gradient,
  the quantity that DP-SGD clips to ``max_grad_norm``;
- ``epsilon`` is the (epsilon, delta) guarantee of a number of such steps,
  from Opacus' Renyi-DP accountant (Mironov 2017); ``site_epsilon`` is the
  same for one site, with ``delta`` checked against its size;
- ``frozen_features`` turns images into features of a network pretrained
  on public photographs (ImageNet), so that DP-SGD only has to train a linear
  head; ``feature_sites`` applies it to every site;
- ``loss_attack_auc`` measures membership leakage with the
  loss-threshold attack (Yeom et al. 2018): how well a model's loss on an
  image tells whether the image was in its training data.

Opacus is imported inside the functions (it is in the ``federated`` extra).

Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn

from ..errors import MedlabError
from ..experiment import module_device, seeded
from .fedavg import LocalConfig, SiteFailure, as_batch, get_weights, make_optimizer, round_seed, set_weights
from .partition import Site

TrainFn = Callable[..., dict[str, float]]
# (model, site, config, seed, server_round, site_index, device=None) -> metrics, as fedavg.train_site
LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

DEFAULT_DELTA = 1e-5
"""The delta of the book's guarantees: far below 1/n for every site (``dp_delta`` lowers it for larger ones)."""

LOSS_REDUCTION = "mean"
"""How ``dp_loss`` reduces over a batch; passed to Opacus' ``make_private(loss_reduction=...)``.

With ``"mean"`` Opacus multiplies the per-sample gradients by the batch's size
(undoing the mean), clips them, and divides the noisy sum by the *expected*
batch size, a fixed number, never by anything computed from the batch.
"""


class PrivacyConfigError(MedlabError, ValueError):
    """A DP setting that would void the guarantee or that the accountant cannot use (also a ``ValueError``)."""


class NotDPCompatibleError(MedlabError, ValueError):
    """A model Opacus still rejects after ``make_dp_compatible`` fixed it (also a ``ValueError``)."""


def make_dp_compatible(model: nn.Module) -> nn.Module:
    """``model`` made fit for Opacus: BatchNorm replaced (``ModuleValidator.fix``), no in-place ReLU."""
    from opacus.validators import ModuleValidator

    model = ModuleValidator.fix(model)
    for m in model.modules():
        if isinstance(m, (nn.ReLU, nn.LeakyReLU, nn.ELU)):
            m.inplace = False
    errors = ModuleValidator.validate(model, strict=False)
    if errors:
        raise NotDPCompatibleError(f"model is not DP-compatible after fixing: {errors}; replace the layers named "
                                   "there by ones Opacus supports (see opacus.validators.ModuleValidator)")
    return model


def dp_delta(n_records: int, cap: float = DEFAULT_DELTA) -> float:
    """The delta for a dataset of ``n_records``: ``min(cap, 1 / (10 n))``, far below 1/n.

    Releasing one randomly chosen record in full is already (0, 1/n)-DP, so
    a delta near 1/n promises nothing; the usual choice is a delta well below
    1/n, here at most ``cap`` (1e-5). Introduced in the chapter "Federated
    learning" (chapters/10_federated_learning.ipynb).
    """
    if int(n_records) < 1:
        raise PrivacyConfigError(f"dp_delta needs the number of records (at least 1), got {n_records}; pass len(site)")
    if not 0 < cap < 1:
        raise PrivacyConfigError(f"cap must lie strictly between 0 and 1, got {cap}; the book uses 1e-5")
    return float(min(cap, 1.0 / (10 * int(n_records))))


def check_delta(delta: float, n_records: int) -> float:
    """``delta`` if it is far enough below 1/``n_records`` (at most 1/(10 n)); else ``PrivacyConfigError``."""
    if int(n_records) < 1:
        raise PrivacyConfigError(f"need the number of records (at least 1), got {n_records}; pass len(site)")
    if not 0 < delta <= 1.0 / (10 * int(n_records)):
        raise PrivacyConfigError(
            f"delta = {delta:g} is not far below 1/n = 1/{int(n_records)}: publishing one random record in full "
            f"is already (0, 1/n)-DP; use privacy.dp_delta({int(n_records)}) = {dp_delta(n_records):g}")
    return float(delta)


def epsilon(noise_multiplier: float, sample_rate: float, steps: int, delta: float) -> float:
    """Epsilon of ``steps`` DP-SGD steps at ``noise_multiplier`` and Poisson ``sample_rate``, at ``delta``.

    Opacus' ``RDPAccountant``: the Renyi-DP of the subsampled Gaussian
    mechanism, composed over the steps and converted to (epsilon, delta).
    The guarantee is per record (per image), for the ``delta`` passed in;
    ``noise_multiplier`` 0 gives ``inf`` (no guarantee).
    """
    from opacus.accountants import RDPAccountant

    if not 0 < delta < 1:
        raise PrivacyConfigError(f"delta must lie strictly between 0 and 1, got {delta}; use privacy.dp_delta(n)")
    if not 0 < sample_rate <= 1:
        raise PrivacyConfigError(f"sample_rate must lie in (0, 1], got {sample_rate}; it is batch size / n")
    if noise_multiplier < 0:
        raise PrivacyConfigError(f"noise_multiplier must be >= 0, got {noise_multiplier}")
    if steps <= 0:
        return 0.0
    if noise_multiplier == 0:
        return float("inf")
    accountant = RDPAccountant()
    accountant.history = [(float(noise_multiplier), float(sample_rate), int(steps))]
    return float(accountant.get_epsilon(delta=delta))


def site_epsilon(noise_multiplier: float, batch_size: int, n_records: int, steps: int,
                 delta: float | None = None) -> float:
    """Epsilon per image of a site of ``n_records`` images after ``steps`` DP-SGD steps of expected ``batch_size``.

    The sampling rate is ``batch_size / n_records`` (at most 1); ``delta``
    defaults to ``dp_delta(n_records)`` and is refused if it is not far below
    1/n (``check_delta``). Introduced in the chapter "Federated learning"
    (chapters/10_federated_learning.ipynb).
    """
    delta = dp_delta(n_records) if delta is None else check_delta(delta, n_records)
    return epsilon(noise_multiplier, min(1.0, batch_size / n_records), steps, delta)


def dp_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The DP-SGD loss: unweighted cross-entropy, summed over the batch and divided by its size.

    Each image's term depends on that image alone, so with Opacus'
    ``loss_reduction="mean"`` (``LOSS_REDUCTION``) each per-sample gradient
    is the image's own gradient, whatever else is in the batch. No class
    weights: they would be computed from the private labels and, with a mean
    reduction, divide by the batch's sum of weights. An empty Poisson batch
    gives a loss of 0. Introduced in the chapter "Federated learning"
    (chapters/10_federated_learning.ipynb).
    """
    return nn.functional.cross_entropy(logits, labels, reduction="sum") / max(len(labels), 1)


def per_sample_gradients(model: nn.Module, images: np.ndarray, labels: np.ndarray, loss_fn: LossFn = dp_loss,
                         loss_reduction: str = LOSS_REDUCTION) -> np.ndarray:
    """The per-image gradients Opacus computes (and DP-SGD clips) for ``loss_fn`` on one batch, N x P.

    ``model`` is wrapped in Opacus' ``GradSampleModule`` (on a copy, on the
    CPU, dropout switched off) with ``loss_reduction``; row i is image i's
    gradient, all trainable parameters flattened. With ``dp_loss`` a row does
    not change when another image joins the batch; with a class-weighted
    mean loss it does. Introduced in the chapter "Federated learning"
    (chapters/10_federated_learning.ipynb).
    """
    from opacus import GradSampleModule

    if loss_reduction not in ("mean", "sum"):
        raise PrivacyConfigError(f"loss_reduction must be 'mean' or 'sum' (Opacus), not {loss_reduction!r}")
    net = copy.deepcopy(model).cpu().train()  # Opacus records activations in training mode only
    for m in net.modules():
        if isinstance(m, nn.modules.dropout._DropoutNd):
            m.eval()  # but dropout stays off: the gradients are those of the model as given
    work = GradSampleModule(net, loss_reduction=loss_reduction)
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    loss_fn(work(as_batch(images)), y).backward()
    rows = [p.grad_sample.reshape(len(y), -1) for p in work.parameters() if p.requires_grad]
    out = torch.cat(rows, dim=1).detach().numpy().copy()
    work._close()
    return out


def dp_trainer(noise_multiplier: float, max_grad_norm: float = 1.0) -> TrainFn:
    """A ``train_fn`` for ``fedavg`` whose local training is DP-SGD (Opacus' ``PrivacyEngine``).

    Each step samples every image of the site with probability
    ``batch_size / len(site)`` (Poisson sampling, as the accountant assumes),
    computes each image's gradient of ``dp_loss``, clips it to
    ``max_grad_norm``, adds Gaussian noise of sd ``noise_multiplier x
    max_grad_norm`` to the sum and divides by the expected batch size; the
    optimiser of ``config`` then uses the noisy gradient. Over ``R`` rounds a
    site takes ``R x steps`` such steps: ``site_epsilon`` gives its guarantee
    per image. ``config.class_weighted`` raises ``PrivacyConfigError`` (the
    weights come from private labels and couple the images of a batch);
    ``config.mu`` (FedProx) is not supported either. The model must be
    DP-compatible (``make_dp_compatible``). The returned function trains on
    its ``device`` argument (default: the CPU); its randomness is seeded by
    (seed, round, site) in a fork of torch's random state, so the caller's is
    left as it was.
    """
    if noise_multiplier < 0 or max_grad_norm <= 0:
        raise PrivacyConfigError(f"need noise_multiplier >= 0 and max_grad_norm > 0 (got {noise_multiplier}, "
                                 f"{max_grad_norm})")

    def train(model: nn.Module, site: Site, config: LocalConfig, seed: int, server_round: int,
              site_index: int, device: torch.device | str | None = None) -> dict[str, float]:
        from opacus import PrivacyEngine

        if config.class_weighted:
            raise PrivacyConfigError(
                "DP-SGD cannot use class weights: they are computed from the site's private labels without noise, "
                "and a weighted mean loss makes each image's gradient depend on the rest of its batch; pass "
                "dataclasses.replace(config, class_weighted=False)")
        if config.mu > 0:
            raise PrivacyConfigError("DP-SGD here trains plain FedAvg; pass dataclasses.replace(config, mu=0.0)")
        s = round_seed(seed, server_round, site_index)
        with seeded(s, device) as dev:  # Poisson sampling, noise and dropout draw from torch's global generators
            work = copy.deepcopy(model).to(dev).train()
            data = torch.utils.data.TensorDataset(as_batch(site.images),
                                                  torch.as_tensor(site.labels, dtype=torch.long))
            loader = torch.utils.data.DataLoader(data, batch_size=config.batch_size, shuffle=False)
            engine = PrivacyEngine(accountant="rdp")
            private, optimizer, loader = engine.make_private(
                module=work, optimizer=make_optimizer(work, config), data_loader=loader,
                noise_multiplier=noise_multiplier, max_grad_norm=max_grad_norm, poisson_sampling=True,
                loss_reduction=LOSS_REDUCTION)
            private.train()
            losses, step = [], 0
            while step < config.steps:
                for x, y in loader:
                    if step >= config.steps:
                        break
                    if server_round in site.fail_rounds and step == config.steps // 2:
                        raise SiteFailure(f"{site.name}: connection lost during round {server_round} (step {step})")
                    x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
                    optimizer.zero_grad(set_to_none=True)
                    loss = dp_loss(private(x), y)
                    loss.backward()
                    optimizer.step()
                    losses.append(float(loss.detach()) if len(y) else float("nan"))
                    step += 1
            private._close()
        set_weights(model, get_weights(work))
        return {"num-examples": float(len(site)), "train-loss": float(np.nanmean(losses)) if losses else float("nan")}

    return train


@torch.no_grad()
def frozen_features(images: np.ndarray, size: int = 32, batch_size: int = 256) -> np.ndarray:
    """Features of uint8 images from EfficientNet-Lite0 pretrained on ImageNet, frozen: N x 1280, float32.

    The images are adapted as in chapter 06 (``medlab.transfer.ImageNetInput``
    at ``size`` pixels), the 1280 globally pooled channels the network feeds
    its classifier are kept, and each image's vector is divided by its own
    L2 norm. The extractor was trained on public photographs and every step
    uses one image alone (no statistics of the training set), so it costs no
    privacy; DP-SGD then trains only a linear head on these features.
    Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
    """
    from ..transfer import PooledStages, efficientnet_lite0, extract

    images = np.asarray(images)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise PrivacyConfigError(f"frozen_features needs uint8 N x H x W images, got {images.dtype} with shape "
                                 f"{images.shape}; pass a site's images as medlab.data.load_arrays gives them")
    with torch.random.fork_rng(devices=[]):
        pooled = PooledStages(efficientnet_lite0(pretrained=True))
    feats = extract(pooled, images, size, batch_size=batch_size)[:, pooled.columns["head"]]
    feats = feats / feats.norm(dim=1, keepdim=True).clamp_min(1e-12)
    return feats.numpy().astype(np.float32)


def feature_sites(sites: Sequence[Site], extract: Callable[[np.ndarray], np.ndarray] = frozen_features) -> list[Site]:
    """Copies of ``sites`` whose training, validation and test images are replaced by ``extract(images)``.

    ``fedavg``, ``dp_trainer`` and ``predict_proba`` accept such sites
    (``as_batch`` passes float N x F features through). Introduced in the
    chapter "Federated learning" (chapters/10_federated_learning.ipynb).
    """
    return [dataclasses.replace(s, images=extract(s.images),
                                val_images=None if s.val_images is None else extract(s.val_images),
                                test_images=None if s.test_images is None else extract(s.test_images))
            for s in sites]


def per_example_grad_norms(model: nn.Module, images: np.ndarray, labels: np.ndarray,
                           weight: torch.Tensor | None = None) -> np.ndarray:
    """L2 norm, over all parameters, of each image's loss gradient (evaluation mode, one image at a time).

    Without ``weight`` this is the gradient of ``dp_loss`` that DP-SGD
    compares with ``max_grad_norm``. With ``weight`` (class weights, as the
    non-private ``LocalConfig(class_weighted=True)`` uses them) each image's
    loss is multiplied by its class's weight; ``dp_trainer`` refuses such
    weights. The model's gradients are left zeroed. The model runs on the
    device it is on.
    """
    model.eval()
    dev = module_device(model)
    params = [p for p in model.parameters() if p.requires_grad]
    x_all = as_batch(images).to(dev)
    y_all = torch.as_tensor(labels, dtype=torch.long).to(dev)
    weight = None if weight is None else weight.to(dev)
    norms = np.empty(len(y_all))
    for i in range(len(y_all)):
        y = y_all[i:i + 1]
        loss = nn.functional.cross_entropy(model(x_all[i:i + 1]), y, reduction="none")
        if weight is not None:
            loss = loss * weight[y]
        grads = torch.autograd.grad(loss.sum(), params)
        norms[i] = float(torch.sqrt(sum((g ** 2).sum() for g in grads)))
    return norms


@torch.no_grad()
def per_example_loss(model: nn.Module, images: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cross-entropy of each image under ``model`` (evaluation mode, on the device it is on), as a NumPy array."""
    model.eval()
    dev = module_device(model)
    logits = model(as_batch(images).to(dev))
    y = torch.as_tensor(labels, dtype=torch.long).to(dev)
    return nn.functional.cross_entropy(logits, y, reduction="none").cpu().numpy()


def loss_attack_auc(model: nn.Module, members: tuple[np.ndarray, np.ndarray],
                    non_members: tuple[np.ndarray, np.ndarray]) -> float:
    """AUC of the loss-threshold membership attack: 0.5 means the loss reveals nothing.

    ``members`` and ``non_members`` are (images, labels) that were and were
    not in the training data; a low loss is taken as evidence of membership.
    """
    loss_in = per_example_loss(model, *members)
    loss_out = per_example_loss(model, *non_members)
    y = np.r_[np.ones(len(loss_in)), np.zeros(len(loss_out))]
    return float(roc_auc_score(y, -np.r_[loss_in, loss_out]))


def matched_membership_indices(member_strata: np.ndarray, non_member_strata: np.ndarray,
                               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices of members and non-members drawn so that both sets have the same count in every stratum.

    ``member_strata`` and ``non_member_strata`` give each candidate's stratum
    (e.g. hospital and class combined). In each stratum present in both,
    ``min(members, non-members)`` of each are drawn without replacement, so
    a membership attack cannot score by recognising the stratum (a
    hospital's scanner, a class) instead of membership. Introduced in the
    chapter "Federated learning" (chapters/10_federated_learning.ipynb).
    """
    a, b = np.asarray(member_strata), np.asarray(non_member_strata)
    rng = np.random.default_rng(seed)
    idx_in, idx_out = [], []
    for key in np.intersect1d(np.unique(a), np.unique(b)):
        ia, ib = np.flatnonzero(a == key), np.flatnonzero(b == key)
        m = min(len(ia), len(ib))
        idx_in.append(np.sort(rng.choice(ia, m, replace=False)))
        idx_out.append(np.sort(rng.choice(ib, m, replace=False)))
    if not idx_in:
        raise PrivacyConfigError("members and non-members share no stratum; pass strata defined the same way for both")
    return np.concatenate(idx_in), np.concatenate(idx_out)
