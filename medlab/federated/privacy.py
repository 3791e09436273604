"""Differential privacy for the sites' training (DP-SGD with Opacus) and what updates give away.

- ``make_dp_compatible`` fixes a model for per-sample gradients
  (Opacus' ``ModuleValidator.fix`` replaces BatchNorm by GroupNorm; in-place
  activations are turned off, which Opacus' hooks cannot handle);
- ``dp_trainer`` returns a local-training function for
  ``medlab.federated.fedavg.fedavg`` that runs DP-SGD (Abadi et al. 2016):
  Poisson-sampled batches, each example's gradient clipped to
  ``max_grad_norm``, Gaussian noise of sd ``noise_multiplier x max_grad_norm``
  added to the sum;
- ``per_example_grad_norms`` measures the norm of each image's gradient,
  the quantity that DP-SGD clips to ``max_grad_norm``;
- ``epsilon`` is the (epsilon, delta) guarantee of a number of such steps,
  from Opacus' Renyi-DP accountant (Mironov 2017);
- ``loss_attack_auc`` measures membership leakage with the
  loss-threshold attack (Yeom et al. 2018): how well a model's loss on an
  image tells whether the image was in its training data.

Opacus is imported inside the functions (it is in the ``federated`` extra).

Introduced in the chapter "Federated learning" (chapters/10_federated_learning.ipynb).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from torch import nn

from ..errors import MedlabError
from ..experiment import class_weights, module_device, seeded
from .fedavg import LocalConfig, SiteFailure, as_batch, get_weights, make_optimizer, round_seed, set_weights
from .partition import Site

TrainFn = Callable[..., dict[str, float]]
# (model, site, config, seed, server_round, site_index, device=None) -> metrics, as fedavg.train_site


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


def epsilon(noise_multiplier: float, sample_rate: float, steps: int, delta: float) -> float:
    """Epsilon of ``steps`` DP-SGD steps at ``noise_multiplier`` and Poisson ``sample_rate``, at ``delta``.

    Opacus' ``RDPAccountant``: the Renyi-DP of the subsampled Gaussian
    mechanism, composed over the steps and converted to (epsilon, delta).
    """
    from opacus.accountants import RDPAccountant

    if steps <= 0:
        return 0.0
    accountant = RDPAccountant()
    accountant.history = [(float(noise_multiplier), float(sample_rate), int(steps))]
    return float(accountant.get_epsilon(delta=delta))


def dp_trainer(noise_multiplier: float, max_grad_norm: float = 1.0) -> TrainFn:
    """A ``train_fn`` for ``fedavg`` whose local training is DP-SGD (Opacus' ``PrivacyEngine``).

    Each step samples every image of the site with probability
    ``batch_size / len(site)`` (Poisson sampling, as the accountant assumes),
    clips each image's gradient to ``max_grad_norm`` and adds Gaussian noise;
    the optimiser of ``config`` then uses the noisy gradient. Over ``R`` rounds a site takes
    ``R x steps`` such steps: ``epsilon`` gives its guarantee. The model
    must be DP-compatible (``make_dp_compatible``). The returned function
    trains on its ``device`` argument (default: the CPU); its randomness is
    seeded by (seed, round, site) in a fork of torch's random state, so the
    caller's is left as it was.
    """
    def train(model: nn.Module, site: Site, config: LocalConfig, seed: int, server_round: int,
              site_index: int, device: torch.device | str | None = None) -> dict[str, float]:
        from opacus import PrivacyEngine

        s = round_seed(seed, server_round, site_index)
        with seeded(s, device) as dev:  # Poisson sampling, noise and dropout draw from torch's global generators
            work = copy.deepcopy(model).to(dev).train()
            data = torch.utils.data.TensorDataset(as_batch(site.images),
                                                  torch.as_tensor(site.labels, dtype=torch.long))
            loader = torch.utils.data.DataLoader(data, batch_size=config.batch_size, shuffle=False)
            engine = PrivacyEngine(accountant="rdp")
            private, optimizer, loader = engine.make_private(
                module=work, optimizer=make_optimizer(work, config), data_loader=loader,
                noise_multiplier=noise_multiplier, max_grad_norm=max_grad_norm, poisson_sampling=True)
            private.train()
            weight = class_weights(site.labels, num_classes=2).to(dev) if config.class_weighted else None
            losses, step = [], 0
            while step < config.steps:
                for x, y in loader:
                    if step >= config.steps:
                        break
                    if server_round in site.fail_rounds and step == config.steps // 2:
                        raise SiteFailure(f"{site.name}: connection lost during round {server_round} (step {step})")
                    x, y = x.to(dev, non_blocking=True), y.to(dev, non_blocking=True)
                    optimizer.zero_grad(set_to_none=True)
                    loss = nn.functional.cross_entropy(private(x), y, weight=weight)
                    loss.backward()
                    optimizer.step()
                    losses.append(float(loss.detach()) if len(y) else float("nan"))
                    step += 1
            private._close()
        set_weights(model, get_weights(work))
        return {"num-examples": float(len(site)), "train-loss": float(np.nanmean(losses)) if losses else float("nan")}

    return train


def per_example_grad_norms(model: nn.Module, images: np.ndarray, labels: np.ndarray,
                           weight: torch.Tensor | None = None) -> np.ndarray:
    """L2 norm, over all parameters, of each image's loss gradient (evaluation mode, one image at a time).

    With ``weight`` (class weights, as ``LocalConfig(class_weighted=True)``
    uses them) each image's loss is multiplied by its class's weight. This is
    the gradient that DP-SGD compares with ``max_grad_norm``: Opacus scales a
    batch's mean loss back to a sum of per-image terms, and weights from
    ``medlab.experiment.class_weights`` average 1 over a hospital. The model's
    gradients are left zeroed. The model runs on the device it is on.
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
