"""medlab.federated.privacy: the conditions a DP-SGD guarantee rests on.

delta far below 1/n, a loss in which one image cannot change another image's
per-sample gradient, no class weights from private labels, clipping that
bounds every step, and the frozen features of the DP linear head.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn

from medlab import federated as fl
from medlab.errors import MedlabError
from medlab.experiment import class_weights
from medlab.federated import privacy


def toy_site(n: int = 40, seed: int = 0, features: bool = False) -> fl.Site:
    """A site of two classes that differ in brightness, as images or as unit-norm 16-dimensional features."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n // 4, dtype=np.int64), np.ones(n - n // 4, dtype=np.int64)]  # skewed, like the hospitals
    if features:
        x = rng.normal(0, 1, (n, 16)) + 2.0 * y[:, None]
        return fl.Site("toy", (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), y)
    x = rng.normal(90 + 60 * y[:, None, None], 30, size=(n, 28, 28)).clip(0, 255).astype(np.uint8)
    return fl.Site("toy", x, y)


def linear_head() -> nn.Module:
    return nn.Linear(16, 2)


def weighted_mean_loss(labels: np.ndarray):
    """The chapter's non-private loss: cross-entropy weighted by inverse class frequencies, mean reduction."""
    w = class_weights(labels, num_classes=2)
    return lambda logits, y: nn.functional.cross_entropy(logits, y, weight=w)


# ----------------------------------------------------------------------------- delta


def test_delta_is_far_below_one_over_n_and_a_delta_near_it_is_refused():
    assert privacy.DEFAULT_DELTA == 1e-5
    assert privacy.dp_delta(244) == 1e-5
    assert privacy.dp_delta(10**6) == pytest.approx(1e-7)
    assert privacy.dp_delta(244) < 1 / (10 * 244)
    with pytest.raises(privacy.PrivacyConfigError, match="far below 1/n"):
        privacy.check_delta(1 / 244, 244)
    with pytest.raises(privacy.PrivacyConfigError, match="dp_delta"):
        privacy.site_epsilon(1.0, 32, 244, 48, delta=1 / 244)
    with pytest.raises(privacy.PrivacyConfigError):
        privacy.dp_delta(0)
    with pytest.raises(privacy.PrivacyConfigError, match="delta"):
        privacy.epsilon(1.0, 0.1, 10, 0.0)
    with pytest.raises(privacy.PrivacyConfigError, match="sample_rate"):
        privacy.epsilon(1.0, 1.5, 10, 1e-5)


def test_site_epsilon_is_the_accountants_epsilon_at_the_sites_delta():
    eps = privacy.site_epsilon(1.0, 32, 244, 48)
    assert eps == pytest.approx(privacy.epsilon(1.0, 32 / 244, 48, 1e-5), rel=1e-12)
    # a smaller delta is a stronger promise and costs a larger epsilon for the same training
    assert eps > privacy.epsilon(1.0, 32 / 244, 48, 1 / 244)
    assert privacy.site_epsilon(2.0, 32, 244, 48) < eps
    assert privacy.site_epsilon(1.0, 500, 244, 1) == pytest.approx(privacy.epsilon(1.0, 1.0, 1, 1e-5))
    assert privacy.epsilon(0.0, 0.1, 10, 1e-5) == float("inf")


# ----------------------------------------------------------------------------- the loss


def test_one_images_presence_does_not_change_another_images_per_sample_gradient():
    site = toy_site(features=True)
    torch.manual_seed(0)
    head = linear_head()
    base = [0, 1, 20, 21, 22, 23]  # one normal (class 0) and five others
    extra = 2  # another image of the rare class joins the batch
    with_extra = base + [extra]
    x, y = site.images, site.labels
    assert y[extra] == 0 and y[20] == 1
    g_without = privacy.per_sample_gradients(head, x[base], y[base])
    g_with = privacy.per_sample_gradients(head, x[with_extra], y[with_extra])
    np.testing.assert_allclose(g_with[:len(base)], g_without, rtol=1e-5, atol=1e-7)
    # and each row is that image's own gradient of its own cross-entropy
    head.zero_grad()
    nn.functional.cross_entropy(head(torch.as_tensor(x[20:21])), torch.as_tensor(y[20:21])).backward()
    own = torch.cat([p.grad.reshape(-1) for p in head.parameters()]).numpy()
    np.testing.assert_allclose(g_without[2], own, rtol=1e-5, atol=1e-7)

    # the positive control: with the class-weighted mean loss, the same image's gradient changes
    loss = weighted_mean_loss(y)
    w_without = privacy.per_sample_gradients(head, x[base], y[base], loss)
    w_with = privacy.per_sample_gradients(head, x[with_extra], y[with_extra], loss)
    change = np.linalg.norm(w_with[2] - w_without[2]) / np.linalg.norm(w_without[2])
    assert change > 0.05


def test_dp_trainer_refuses_class_weights_and_fedprox():
    site = toy_site(features=True)
    train = privacy.dp_trainer(1.0, 1.0)
    with pytest.raises(privacy.PrivacyConfigError, match="class weights"):
        train(linear_head(), site, fl.LocalConfig(steps=1, class_weighted=True), 0, 1, 0)
    with pytest.raises(privacy.PrivacyConfigError, match="mu"):
        train(linear_head(), site, fl.LocalConfig(steps=1, mu=0.1), 0, 1, 0)
    with pytest.raises(privacy.PrivacyConfigError):
        privacy.dp_trainer(-1.0, 1.0)
    with pytest.raises(privacy.PrivacyConfigError):
        privacy.dp_trainer(1.0, 0.0)
    for cls in (privacy.PrivacyConfigError,):
        assert issubclass(cls, MedlabError) and issubclass(cls, ValueError)


def one_noiseless_step(clip: float, lr: float = 0.5) -> tuple[np.ndarray, np.ndarray, fl.Site]:
    """Weights before and after one DP-SGD step with no noise on the whole site (sampling rate 1)."""
    site = toy_site(features=True)
    config = fl.LocalConfig(steps=1, batch_size=len(site), lr=lr, optimizer="sgd")
    torch.manual_seed(0)
    head = linear_head()
    before = torch.cat([p.detach().reshape(-1) for p in head.parameters()]).numpy().copy()
    privacy.dp_trainer(0.0, clip)(head, site, config, 0, 1, 0)
    after = torch.cat([p.detach().reshape(-1) for p in head.parameters()]).numpy()
    return before, after, site


def test_each_step_is_the_mean_of_clipped_per_image_gradients():
    lr, clip = 0.5, 0.05
    before, after, site = one_noiseless_step(clip, lr)
    torch.manual_seed(0)
    grads = privacy.per_sample_gradients(linear_head(), site.images, site.labels)
    norms = np.linalg.norm(grads, axis=1)
    assert (norms > clip).all()  # every image is clipped at this C
    clipped = grads * np.minimum(1.0, clip / norms)[:, None]
    np.testing.assert_allclose(before - after, lr * clipped.mean(0), rtol=1e-4, atol=1e-7)
    assert np.linalg.norm(before - after) <= lr * clip * (1 + 1e-5)

    # with a C above every norm, nothing is clipped: the plain, unweighted mean gradient
    before, after, _ = one_noiseless_step(1e3, lr)
    np.testing.assert_allclose(before - after, lr * grads.mean(0), rtol=1e-4, atol=1e-7)


# ----------------------------------------------------------------------------- features and the linear head


def test_feature_sites_train_a_linear_head_with_dp_sgd():
    site = toy_site(80, features=True)
    assert fl.as_batch(site.images).shape == (80, 16)
    res = fl.fedavg(linear_head, [site], 3, fl.LocalConfig(steps=4, batch_size=40, lr=1.0, optimizer="sgd"), seed=0,
                    train_fn=privacy.dp_trainer(0.5, 1.0))
    p = fl.predict_proba(res.model(linear_head), site.images)
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(site.labels, p) > 0.8


def test_frozen_features_are_unit_norm_and_feature_sites_keep_labels():
    site = dataclasses.replace(toy_site(6), val_images=toy_site(6, seed=1).images,
                               val_labels=toy_site(6, seed=1).labels)
    feats = privacy.frozen_features(site.images)
    assert feats.shape == (6, 1280) and feats.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(feats, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(privacy.frozen_features(site.images[:2]), feats[:2], rtol=1e-4, atol=1e-6)
    (fs,) = privacy.feature_sites([site])
    assert fs.images.shape == (6, 1280) and fs.val_images.shape == (6, 1280)
    np.testing.assert_array_equal(fs.labels, site.labels)
    with pytest.raises(privacy.PrivacyConfigError, match="uint8"):
        privacy.frozen_features(feats)


def test_matched_membership_indices_give_both_sets_the_same_strata():
    rng = np.random.default_rng(0)
    members = rng.choice([0, 1, 2, 3], 300, p=[0.1, 0.2, 0.3, 0.4])  # e.g. hospital x class
    non_members = rng.choice([0, 1, 2, 3], 80, p=[0.4, 0.3, 0.2, 0.1])
    i_in, i_out = privacy.matched_membership_indices(members, non_members, seed=1)
    assert len(set(i_in)) == len(i_in) and len(set(i_out)) == len(i_out)
    for k in range(4):
        assert (members[i_in] == k).sum() == (non_members[i_out] == k).sum() == min((members == k).sum(),
                                                                                  (non_members == k).sum())
    # unmatched, a stratum indicator separates the sets; matched, it cannot (AUC 0.5)
    from sklearn.metrics import roc_auc_score
    y = np.r_[np.ones(len(i_in)), np.zeros(len(i_out))]
    assert roc_auc_score(y, np.r_[members[i_in], non_members[i_out]] == 3) == pytest.approx(0.5)
    with pytest.raises(MedlabError):
        privacy.matched_membership_indices(np.zeros(3), np.ones(3))
