"""medlab.explain: attribution maps through captum, their scores and the sanity checks (chapter 07)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch
from scipy import stats
from skimage.metrics import structural_similarity
from torch import nn

from medlab import explain
from medlab.errors import MedlabError

H = W = 32


class RegionModel(nn.Module):
    """A model whose 'tumour' logit is the mean brightness of a fixed region, and nothing else."""

    def __init__(self, region: np.ndarray):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, 1, bias=False)
        nn.init.constant_(self.conv.weight, 1.0)
        self.register_buffer("region", torch.as_tensor(region, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = (torch.relu(self.conv(x))[:, 0] * self.region).sum((1, 2)) / self.region.sum()
        return torch.stack([-s, s], 1)


@pytest.fixture
def region() -> np.ndarray:
    r = np.zeros((H, W), bool)
    r[8:16, 16:32] = True  # two whole cells of an 8-pixel grid
    return r


@pytest.fixture
def images(region) -> torch.Tensor:
    """Dim noisy slices with a bright patch over the region (so blurring it changes the model's output)."""
    g = torch.Generator().manual_seed(0)
    x = 0.1 + 0.2 * torch.rand(3, 2, H, W, generator=g)
    return x + 0.6 * torch.as_tensor(region, dtype=torch.float32)


@pytest.fixture
def cnn() -> explain.SliceCNN:
    torch.manual_seed(0)
    return explain.SliceCNN(in_channels=2).eval()


def test_slice_cnn_shapes_and_layers(cnn):
    assert cnn(torch.rand(2, 2, 64, 64)).shape == (2, 2)
    assert cnn.features(torch.rand(1, 2, 64, 64)).shape == (1, 32, 8, 8)  # the Grad-CAM layer's output
    assert explain.weighted_layers(cnn) == list(explain.SliceCNN.cascade_layers)
    with pytest.raises(explain.ExplainError):
        explain.SliceCNN(widths=(8, 16))


def test_unknown_method_is_a_clear_error(cnn, images):
    with pytest.raises(explain.ExplainError, match="gradcam") as err:
        explain.attribute(cnn, images, "guided_backprop")
    assert isinstance(err.value, MedlabError)
    with pytest.raises(explain.ExplainError, match="batch axis"):
        explain.attribute(cnn, images[0], "saliency")


@pytest.mark.parametrize("method", [*explain.METHODS, "random"])
def test_every_method_returns_one_map_per_image_at_image_resolution(cnn, method):
    x = torch.rand(2, 2, 64, 64)
    out = explain.attribute(cnn, x, method, n_samples=20)
    assert out.shape == (2, 64, 64) and out.dtype == np.float32 and np.isfinite(out).all()


def test_gradcam_matches_captum_called_directly_and_by_hand(cnn):
    from captum.attr import LayerAttribution, LayerGradCam

    x = torch.rand(4, 2, 64, 64)
    ours = explain.attribute(cnn, x, "gradcam")
    direct = LayerAttribution.interpolate(
        LayerGradCam(cnn, cnn.features.block4).attribute(x, target=1, relu_attributions=True), (64, 64),
        interpolate_mode="bilinear")[:, 0].detach().numpy()
    np.testing.assert_allclose(ours, direct, rtol=1e-5, atol=1e-7)
    # by hand: ReLU(sum_k mean(dy/dA^k) A^k), upsampled
    acts = cnn.features(x)
    acts.retain_grad()
    cnn.fc(cnn.pool(acts).flatten(1))[:, 1].sum().backward()
    cam = torch.relu((acts.grad.mean((2, 3), keepdim=True) * acts).sum(1, keepdim=True))
    hand = nn.functional.interpolate(cam, size=(64, 64), mode="bilinear").detach()[:, 0].numpy()
    np.testing.assert_allclose(ours, hand, rtol=1e-4, atol=1e-7)


@pytest.mark.slow  # importing MONAI takes several seconds
def test_gradcam_agrees_with_monai(cnn):
    from monai.visualize import GradCAM

    x = torch.rand(4, 2, 64, 64)
    ours = explain.attribute(cnn, x, "gradcam")
    monai_map = GradCAM(nn_module=cnn, target_layers=cnn.cam_layer)(x, class_idx=1)[:, 0].numpy()
    lo, hi = ours.min((1, 2), keepdims=True), ours.max((1, 2), keepdims=True)
    # MONAI's default normaliser maps (min, max) to (1, 0): its map comes flipped
    np.testing.assert_allclose((ours - lo) / (hi - lo), 1 - monai_map, atol=1e-4)
    assert not np.allclose((ours - lo) / (hi - lo), monai_map, atol=0.1)


def test_wrapped_methods_equal_captum_called_directly(cnn, images):
    from captum.attr import IntegratedGradients, Occlusion, Saliency

    sal = Saliency(cnn).attribute(images, target=1, abs=True).amax(1).numpy()
    np.testing.assert_allclose(explain.attribute(cnn, images, "saliency"), sal, rtol=1e-6)
    ig = IntegratedGradients(cnn).attribute(images, baselines=0.0, target=1, n_steps=16).sum(1).detach().numpy()
    np.testing.assert_allclose(explain.attribute(cnn, images, "integrated_gradients", n_steps=16), ig,
                               rtol=1e-4, atol=1e-7)
    occ = Occlusion(cnn).attribute(images, sliding_window_shapes=(2, 8, 8), strides=(2, 4, 4), baselines=0.0,
                                   target=1).mean(1).numpy()
    np.testing.assert_allclose(explain.attribute(cnn, images, "occlusion"), occ, rtol=1e-5, atol=1e-7)


def test_integrated_gradients_sum_to_the_change_of_the_logit(region, images):
    model = RegionModel(region)
    maps = explain.attribute(model, images, "integrated_gradients", n_steps=64)
    with torch.no_grad():
        change = (model(images)[:, 1] - model(torch.zeros_like(images))[:, 1]).numpy()
    np.testing.assert_allclose(maps.sum((1, 2)), change, rtol=1e-3)


@pytest.mark.parametrize("method", ["saliency", "smoothgrad", "integrated_gradients", "lrp", "occlusion",
                                    "lime", "kernelshap"])
def test_a_model_that_reads_one_region_is_explained_by_that_region(region, images, method):
    model = RegionModel(region)
    segments = None
    if method in ("lime", "kernelshap"):  # a 4 x 4 grid of 8-pixel cells: the region is two of them
        cells = (np.arange(H)[:, None] // 8) * 4 + np.arange(W)[None, :] // 8
        segments = np.repeat(cells[None], len(images), 0)
    maps = explain.attribute(model, images, method, segments=segments, n_samples=200, window=4, stride=2)
    inside = explain.energy_inside(maps, np.repeat(region[None], len(images), 0))
    assert explain.pointing_game(maps, np.repeat(region[None], len(images), 0)).all()
    assert (inside > (0.7 if method in ("occlusion", "lime", "kernelshap", "smoothgrad") else 0.99)).all(), inside
    rand = explain.energy_inside(explain.attribute(model, images, "random"), np.repeat(region[None], len(images), 0))
    assert (rand < 0.2).all()  # the region is 128 of 1024 pixels


def test_pointing_game_on_synthetic_maps():
    mask = np.zeros((4, 10, 10), bool)
    mask[:, 2:4, 2:4] = True
    maps = np.zeros((4, 10, 10))
    maps[0, 3, 3] = 1.0  # inside
    maps[1, 8, 8] = 1.0  # far outside
    maps[2, 3, 5] = 1.0  # two pixels right of the mask
    # maps[3] is constant: points nowhere
    np.testing.assert_array_equal(explain.pointing_game(maps, mask), [True, False, False, False])
    np.testing.assert_array_equal(explain.pointing_game(maps, mask, tolerance=2), [True, False, True, False])
    with pytest.raises(explain.ExplainError, match="same"):
        explain.pointing_game(maps, mask[:, :5])


def test_energy_inside_counts_positive_attribution_only():
    mask = np.zeros((3, 4, 4), bool)
    mask[:, :2, :] = True  # top half
    maps = np.ones((3, 4, 4))
    maps[1, 2:, :] = 3.0  # three times more outside
    maps[2] = -1.0  # nothing positive
    maps[2, 0, 0] = 2.0
    out = explain.energy_inside(maps, mask)
    np.testing.assert_allclose(out[:2], [0.5, 8 / (8 + 24)])
    assert out[2] == 1.0
    assert np.isnan(explain.energy_inside(-np.ones((1, 4, 4)), mask[:1]))[0]


def test_deletion_and_insertion_reward_the_true_map(region, images):
    model = RegionModel(region)
    true_map = np.repeat(region[None].astype(float), len(images), 0)
    wrong_map = 1.0 - true_map
    fr, del_true = explain.perturbation_curve(model, images, true_map, mode="deletion", steps=16)
    _, del_wrong = explain.perturbation_curve(model, images, wrong_map, mode="deletion", steps=16)
    _, ins_true = explain.perturbation_curve(model, images, true_map, mode="insertion", steps=16)
    _, ins_wrong = explain.perturbation_curve(model, images, wrong_map, mode="insertion", steps=16)
    assert fr.shape == (17,) and del_true.shape == (len(images), 17)
    with torch.no_grad():
        p0 = torch.softmax(model(images), 1)[:, 1].numpy()
        p_black = torch.softmax(model(torch.zeros_like(images)), 1)[:, 1].numpy()
    np.testing.assert_allclose(del_true[:, 0], p0, rtol=1e-6)
    np.testing.assert_allclose(del_true[:, -1], p_black, rtol=1e-6)
    np.testing.assert_allclose(ins_true[:, -1], p0, rtol=1e-6)
    assert (explain.curve_auc(fr, del_true) < explain.curve_auc(fr, del_wrong)).all()
    assert (explain.curve_auc(fr, ins_true) > explain.curve_auc(fr, ins_wrong)).all()
    with pytest.raises(explain.ExplainError, match="deletion"):
        explain.perturbation_curve(model, images, true_map, mode="erase")


def test_curve_auc_is_the_trapezoid_rule():
    x = np.linspace(0, 1, 11)
    np.testing.assert_allclose(explain.curve_auc(x, np.vstack([np.ones(11), x, x ** 2])), [1.0, 0.5, 0.335])


def test_cascading_randomization_walks_down_from_the_output(cnn):
    before = {k: v.clone() for k, v in cnn.state_dict().items()}
    stages = explain.cascading_randomization(cnn, seed=1)
    assert [n for n, _ in stages] == list(reversed(explain.SliceCNN.cascade_layers))
    for k, v in cnn.state_dict().items():  # the original is untouched
        assert torch.equal(v, before[k])
    layers = list(explain.SliceCNN.cascade_layers)
    for depth, (_, model) in enumerate(stages, start=1):
        randomised = set(layers[-depth:])
        for name in layers:
            state = model.get_submodule(name).state_dict()
            orig = {k.removeprefix(name + "."): v for k, v in before.items() if k.startswith(name + ".")}
            same = all(torch.equal(state[k], orig[k]) for k in state if state[k].is_floating_point())
            assert same == (name not in randomised), (depth, name)
    bn = stages[-1][1].features.block1.bn
    assert torch.equal(bn.running_var, torch.ones_like(bn.running_var))


def test_map_similarity_is_spearman_and_ssim_of_absolute_maps():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 16, 16)), rng.normal(size=(3, 16, 16))
    out = explain.map_similarity(a, b)
    for i in range(3):
        assert out["spearman"][i] == pytest.approx(stats.spearmanr(np.abs(a[i]).ravel(), np.abs(b[i]).ravel())[0])
        pa, pb = np.abs(a[i]) / np.abs(a[i]).max(), np.abs(b[i]) / np.abs(b[i]).max()
        assert out["ssim"][i] == pytest.approx(structural_similarity(pa, pb, data_range=1.0))
    same = explain.map_similarity(a, -a)  # signs do not matter
    np.testing.assert_allclose(same["spearman"], 1.0)
    np.testing.assert_allclose(same["ssim"], 1.0)
    assert np.isnan(explain.map_similarity(np.ones((1, 8, 8)), a[:1, :8, :8])["spearman"][0])
    with pytest.raises(explain.ExplainError):
        explain.map_similarity(a, b[:2])


def test_superpixels_are_consecutive_labels_with_background_apart():
    img = np.zeros((1, 2, 32, 32), np.float32)
    img[0, :, 4:28, 4:28] = np.linspace(0.2, 1.0, 24)[None, None, :]
    seg = explain.superpixels(img, n_segments=8)
    assert seg.shape == (1, 32, 32)
    labels = np.unique(seg)
    np.testing.assert_array_equal(labels, np.arange(len(labels)))
    assert len(labels) >= 3 and (seg[0][img[0, 0] == 0] == 0).all() and (seg[0][img[0, 0] > 0] > 0).all()


def test_summarize_matches_numpy():
    v = np.array([1.0, 2.0, np.nan, 4.0, 10.0])
    s = explain.summarize({"v": v})["v"]
    w = v[~np.isnan(v)]
    assert s["n"] == 4 and s["mean"] == pytest.approx(w.mean()) and s["sd"] == pytest.approx(w.std(ddof=1))
    assert (s["q1"], s["median"], s["q3"]) == pytest.approx(tuple(np.percentile(w, [25, 50, 75])))


def test_show_overlays_draws_image_and_every_map():
    import matplotlib.pyplot as plt

    mask = np.zeros((16, 16), bool)
    mask[4:8, 4:8] = True
    fig = explain.show_overlays(np.random.rand(16, 16), {"a": np.random.rand(16, 16), "b": -np.ones((16, 16))},
                                mask, title="t")
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[:3] == ["image", "a", "b"]
    assert len(fig.axes) == 4 and fig.axes[3].get_ylabel() == "map / its max"  # one colour bar
    plt.close(fig)
    fig = explain.show_overlays(np.random.rand(16, 16), {"a": np.random.rand(16, 16)}, colorbar=False)
    assert len(fig.axes) == 2
    plt.close(fig)


def test_gradcam_fine_is_captum_layer_gradcam_on_the_earlier_layer(cnn):
    from captum.attr import LayerAttribution, LayerGradCam

    x = torch.rand(3, 2, 64, 64)
    layer = cnn.get_submodule(cnn.fine_cam_layer)
    raw = LayerGradCam(cnn, layer).attribute(x, target=1, relu_attributions=True)
    assert raw.shape[-2:] == (16, 16)  # four times finer cells than the last block's 8 x 8
    expected = LayerAttribution.interpolate(raw, (64, 64), interpolate_mode="bilinear")[:, 0].detach().numpy()
    np.testing.assert_allclose(explain.attribute(cnn, x, "gradcam_fine"), expected, rtol=1e-5, atol=1e-8)
    assert not np.allclose(explain.attribute(cnn, x, "gradcam_fine"), explain.attribute(cnn, x, "gradcam"))
    with pytest.raises(MedlabError, match="fine_cam_layer"):
        explain.attribute(RegionModel(np.ones((H, W), bool)), torch.rand(1, 2, H, W), "gradcam_fine")


def test_head_mask_is_otsu_filled_largest_component():
    from skimage.filters import threshold_otsu

    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:48, :48]
    disk = (yy - 24) ** 2 + (xx - 24) ** 2 < 15 ** 2
    img = 0.05 * rng.random((48, 48)) + 0.8 * disk
    img[22:26, 22:26] = 0.0  # a dark hole inside the head
    img[2:4, 2:4] = 0.9  # a bright speck in the background
    masks = explain.head_mask(np.stack([img, np.zeros_like(img)])[None].repeat(2, 0))
    assert masks.shape == (2, 48, 48) and masks.dtype == bool
    fg = img > threshold_otsu(img)
    assert fg[2:4, 2:4].all() and not fg[22:26, 22:26].any()  # the raw threshold keeps the speck, loses the hole
    np.testing.assert_array_equal(masks[0], disk)  # holes filled, speck dropped
    assert not explain.head_mask(np.zeros((1, 1, 8, 8))).any()
    with pytest.raises(MedlabError, match="channel"):
        explain.head_mask(np.zeros((1, 1, 8, 8)), channel=1)


def test_plant_marker_only_on_the_target_class_and_inside_the_region():
    x = np.full((6, 2, 20, 20), 0.3, dtype=np.float32)
    y = np.array([0, 1, 1, 0, 1, 1])
    region = np.zeros((6, 20, 20), bool)
    region[:, 5:15, 5:15] = True
    out, marks = explain.plant_marker(x, y, size=4, value=1.0, region=region, seed=3)
    assert (marks.sum((1, 2)) == np.where(y == 1, 16, 0)).all()
    assert not (marks & ~region).any()
    np.testing.assert_array_equal(out[:, 0] == 1.0, marks)
    np.testing.assert_array_equal(out[:, 1] == 1.0, marks)
    assert np.array_equal(out[y == 0], x[y == 0]) and x.max() == np.float32(0.3)  # the input is not changed
    again, marks2 = explain.plant_marker(x, y, size=4, region=region, seed=3)
    np.testing.assert_array_equal(marks, marks2)
    with pytest.raises(MedlabError, match="fits inside"):
        explain.plant_marker(x, y, size=12, region=region)


def test_sanity_verdict_is_a_one_sided_paired_wilcoxon():
    rng = np.random.default_rng(1)
    ref = 0.6 + 0.05 * rng.standard_normal(10)
    rnd = 0.1 + 0.05 * rng.standard_normal(10)
    v = explain.sanity_verdict(rnd, ref)
    assert v["p"] == pytest.approx(stats.wilcoxon(0.5 * ref - rnd, alternative="greater").pvalue)
    assert v["passes"] is True and v["reference_mean"] == pytest.approx(ref.mean())
    assert v["random_sd"] == pytest.approx(rnd.std(ddof=1))
    # a map as like the randomised model's as the other trained model's does not pass
    assert explain.sanity_verdict(ref + 0.01 * rng.standard_normal(10), ref)["passes"] is False
    # consistently but only slightly lower than the trained models' agreement: still fails
    assert explain.sanity_verdict(ref - 0.02, ref)["passes"] is False
    assert explain.sanity_verdict(ref - 0.02, ref, keep=1.0)["passes"] is True
    # below a fixed 0.5 cut-off, yet no lower than two trained models agree: fails
    low = 0.3 + 0.05 * rng.standard_normal(10)
    assert explain.sanity_verdict(low - 0.05, low)["passes"] is False
    nan = explain.sanity_verdict(np.array([np.nan, 0.1]), np.array([0.5, 0.6]))
    assert nan["n"] == 1 and nan["passes"] is None
    with pytest.raises(MedlabError, match="paired"):
        explain.sanity_verdict(np.zeros(3), np.zeros(4))
    with pytest.raises(MedlabError, match="keep"):
        explain.sanity_verdict(np.zeros(3), np.zeros(3), keep=0)


def test_shifted_label_aucs_moves_contiguous_blocks_and_matches_sklearn():
    from sklearn.metrics import roc_auc_score

    y = np.array([0, 0, 1, 1, 0, 0, 0, 1, 1, 0])
    groups = np.array(["a"] * 5 + ["b"] * 5)
    scores = np.linspace(0, 1, 10)
    aucs = explain.shifted_label_aucs(y, scores, groups)
    assert len(aucs) == 25  # every pair of offsets, 5 x 5
    expected = sorted(roc_auc_score(np.r_[np.roll(y[:5], i), np.roll(y[5:], j)], scores)
                      for i in range(5) for j in range(5))
    np.testing.assert_allclose(sorted(aucs), expected)
    assert roc_auc_score(y, scores) in set(np.round(aucs, 12)) or np.isclose(aucs, roc_auc_score(y, scores)).any()
    assert len(explain.shifted_label_aucs(y, scores, groups, max_draws=10, seed=1)) == 10
    with pytest.raises(MedlabError, match="one length"):
        explain.shifted_label_aucs(y, scores[:-1], groups)
