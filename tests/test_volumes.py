"""medlab.volumes: the four volume models, ACS against 2D convolutions, segmentation helpers against
MONAI and SciPy, three-plane extents, and the tensor-memory measurement (chapter 09)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import ndimage
from torch import nn

from medlab.data import brain_mr
from medlab.dicom import Volume
from medlab.volumes import (
    KINDS,
    ACSConv,
    MiddleSlices,
    SlicesAsChannels,
    VolumeShapeError,
    acs_convert,
    build_volume_model,
    measure_cost,
    peak_tensor_memory,
    plane_extents,
    plot_three_planes,
    predict_volume,
    random_patches,
    resample_study,
    segmentation_scores,
)


@pytest.fixture
def conv2d() -> nn.Conv2d:
    torch.manual_seed(0)
    return nn.Conv2d(2, 7, 3, padding=1, bias=True)


def test_acs_axial_group_is_the_2d_convolution_of_every_slice(conv2d):
    x = torch.randn(2, 2, 5, 9, 8)  # (N, C, D, H, W)
    out = ACSConv(conv2d)(x)
    assert out.shape == (2, 7, 5, 9, 8)
    n_axial = 7 - 2 * (7 // 3)  # 3 axial, 2 coronal, 2 sagittal
    slices = x.permute(0, 2, 1, 3, 4).reshape(10, 2, 9, 8)  # every axial slice as a 2D image
    expected = conv2d(slices).reshape(2, 5, 7, 9, 8).permute(0, 2, 1, 3, 4)
    torch.testing.assert_close(out[:, :n_axial], expected[:, :n_axial], rtol=1e-5, atol=1e-5)


def test_acs_coronal_and_sagittal_groups_convolve_their_planes(conv2d):
    x = torch.randn(1, 2, 6, 5, 4)
    out = ACSConv(conv2d)(x)
    coronal = slice(3, 5)  # channels of the coronal group: kernel in the (D, W) plane, one per row y
    planes = x.permute(0, 3, 1, 2, 4).reshape(5, 2, 6, 4)  # (y, C, D, W)
    exp = conv2d(planes)[:, coronal].permute(1, 2, 0, 3)  # (C_out, D, y, W)
    torch.testing.assert_close(out[0, coronal], exp, rtol=1e-5, atol=1e-5)
    sagittal = slice(5, 7)
    planes = x.permute(0, 4, 1, 2, 3).reshape(4, 2, 6, 5)  # (x, C, D, H)
    exp = conv2d(planes)[:, sagittal].permute(1, 2, 3, 0)
    torch.testing.assert_close(out[0, sagittal], exp, rtol=1e-5, atol=1e-5)


def test_acs_convert_keeps_the_weights_and_leaves_the_2d_model_alone():
    model2d = build_volume_model("2d").eval()[1]  # the SmallCNN behind the middle slice
    acs = acs_convert(model2d).eval()
    convs2d = [m for m in model2d.modules() if isinstance(m, nn.Conv2d)]
    acs_convs = [m for m in acs.modules() if isinstance(m, ACSConv)]
    assert len(convs2d) == len(acs_convs) == 3
    assert not any(isinstance(m, (nn.Conv2d, nn.BatchNorm2d)) for m in acs.modules())
    for a, b in zip(convs2d, acs_convs):
        torch.testing.assert_close(a.weight, b.weight)
        assert a.weight.data_ptr() != b.weight.data_ptr()
    assert sum(p.numel() for p in acs.parameters()) == sum(p.numel() for p in model2d.parameters())
    assert acs(torch.randn(2, 1, 12, 12, 12)).shape == (2, 2)
    assert model2d(torch.randn(2, 1, 12, 12)).shape == (2, 2)  # the original still reads images


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_reads_a_batch_of_volumes(kind):
    model = build_volume_model(kind, depth=28)
    out = model(torch.randn(3, 1, 28, 28, 28))
    assert out.shape == (3, 2)
    out.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_slice_views():
    x = torch.arange(2 * 1 * 5 * 2 * 2, dtype=torch.float32).reshape(2, 1, 5, 2, 2)
    torch.testing.assert_close(MiddleSlices(1)(x), x[:, :, 2])
    torch.testing.assert_close(MiddleSlices(3)(x), x[:, 0, 1:4])
    torch.testing.assert_close(SlicesAsChannels()(x), x[:, 0])
    with pytest.raises(VolumeShapeError, match=r"\(N, C, D, H, W\)"):
        SlicesAsChannels()(torch.zeros(2, 5, 4, 4))
    with pytest.raises(KeyError, match="choose one of"):
        build_volume_model("4d")


def _study(shape=(4, 12, 10), spacing=(6.5, 0.5, 0.5)) -> brain_mr.Study:
    rng = np.random.default_rng(0)
    arr = rng.integers(1, 1000, size=shape).astype(np.int16)
    mask = np.zeros(shape, np.uint8)
    mask[1:3, 2:10, 2:6] = 1

    def vol(a):
        return Volume(array=a, spacing=spacing, origin=np.zeros(3), direction=np.eye(3), files=[])

    return brain_mr.Study("P1", "S1", vol(arr), vol(arr[::-1].copy()), vol(mask))


def test_resample_study_keeps_slices_and_field_of_view():
    g = resample_study(_study(), size=6)
    assert g.image.shape == (2, 4, 6, 6) and g.mask.shape == (4, 6, 6)
    assert g.spacing == pytest.approx((6.5, 1.0, 1.0))  # 12 pixels of 0.5 mm (square) -> 6 of 1 mm
    assert 0 <= g.image.min() and g.image.max() <= 1
    # rows 2-9, columns 2-5 (3-6 after padding 10 -> 12 columns): 4 coarse rows; coarse columns 1, 2, 3 are at
    # least half tumour (the rule of brain_mr.slices)
    assert g.mask.sum(axis=(1, 2)).tolist() == [0, 12, 12, 0]
    flat = brain_mr.slices([_study()], size=6, min_brain_fraction=0)  # the 2D version: the same pixels
    np.testing.assert_allclose(flat.images, g.image.transpose(1, 0, 2, 3))
    np.testing.assert_array_equal(flat.masks, g.mask)


def test_random_patches_shapes_and_tumour_bias():
    g = resample_study(_study(), size=6)
    rng = np.random.default_rng(1)
    x, y = random_patches([g], 50, depth=2, rng=rng, tumour_fraction=1.0)
    assert x.shape == (50, 2, 2, 6, 6) and y.shape == (50, 1, 2, 6, 6)
    assert (y.flatten(1).sum(1) > 0).all()  # every patch centred on a tumour slice holds tumour
    x, y = random_patches([g], 5, depth=1, rng=rng)
    assert x.shape == (5, 2, 6, 6) and y.shape == (5, 1, 6, 6)
    x, y = random_patches([g], 30, depth=1, rng=rng, size=3, tumour_fraction=1.0)
    assert x.shape == (30, 2, 3, 3) and (y.flatten(1).sum(1) > 0).all()
    with pytest.raises(VolumeShapeError, match="smaller than the patch"):
        random_patches([g], 1, depth=5, rng=rng)


@pytest.mark.slow  # imports MONAI's metrics (seconds on a busy CPU)
def test_segmentation_scores_match_their_definitions():
    truth = np.zeros((10, 20, 20), np.uint8)
    truth[3:7, 5:15, 5:15] = 1
    pred = np.roll(truth, 2, axis=0)  # shifted by two slices
    spacing = (6.5, 1.0, 1.0)
    s = segmentation_scores(pred, truth, spacing)
    overlap = (pred & truth).sum()
    assert s["dice"] == pytest.approx(2 * overlap / (pred.sum() + truth.sum()))
    # symmetric surface distances from SciPy's exact Euclidean distance transform, in mm
    def surface(m):
        return m & ~ndimage.binary_erosion(m, border_value=0)

    dist_to = {k: ndimage.distance_transform_edt(~surface(m.astype(bool)), sampling=spacing)
               for k, m in (("t", truth), ("p", pred))}
    d = np.concatenate([dist_to["t"][surface(pred.astype(bool))], dist_to["p"][surface(truth.astype(bool))]])
    assert s["hd95_mm"] == pytest.approx(np.percentile(d, 95), rel=0.05)
    assert s["hd95_mm"] > 6  # in mm, not voxels: a two-slice shift is 13 mm at most
    assert s["volume_ml"] == pytest.approx(truth.sum() * 6.5 / 1000)
    empty = segmentation_scores(np.zeros_like(truth), truth, spacing)
    assert empty["dice"] == 0 and np.isnan(empty["hd95_mm"])
    with pytest.raises(VolumeShapeError):
        segmentation_scores(pred[:5], truth, spacing)


@pytest.mark.slow  # imports MONAI's inferers
def test_sliding_window_equals_the_whole_volume_for_a_pointwise_network():
    torch.manual_seed(0)
    net = nn.Conv3d(2, 2, 1)  # no spatial context: every window gives the same voxel outputs
    image = np.random.default_rng(0).random((2, 10, 16, 16)).astype(np.float32)
    whole = net(torch.from_numpy(image)[None])[0].argmax(0).numpy()
    np.testing.assert_array_equal(predict_volume(net, image, roi=(4, 16, 16)), whole)
    net2d = nn.Conv2d(2, 2, 1)
    per_slice = net2d(torch.from_numpy(image).permute(1, 0, 2, 3)).argmax(1).numpy()
    np.testing.assert_array_equal(predict_volume(net2d, image), per_slice)
    with pytest.raises(VolumeShapeError):
        predict_volume(net, image[0])


def test_plane_extents_are_in_mm():
    ext = plane_extents((24, 64, 64), (6.5, 3.4375, 3.4375))
    assert ext["axial"] == (0.0, 220.0, 220.0, 0.0)
    assert ext["coronal"] == (0.0, 220.0, 0.0, 156.0)
    assert ext["sagittal"] == (0.0, 220.0, 0.0, 156.0)


def test_plot_three_planes_draws_with_physical_aspect():
    import matplotlib

    matplotlib.use("Agg")
    img = np.random.default_rng(0).random((8, 16, 16))
    mask = np.zeros_like(img, dtype=np.uint8)
    mask[3:5, 6:10, 6:10] = 1
    fig = plot_three_planes(img, (6.5, 2.0, 2.0), {"truth": mask})
    ax = fig.axes[1]  # coronal: 16 columns of 2 mm wide, 8 slices of 6.5 mm high
    assert ax.get_images()[0].get_extent() == [0.0, 32.0, 0.0, 52.0]
    with pytest.raises(VolumeShapeError, match="pick a channel"):
        plot_three_planes(np.zeros((2, 8, 16, 16)), (6.5, 2.0, 2.0))
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_peak_tensor_memory_counts_what_is_alive_at_once():
    def two_at_once():
        a = torch.ones(1024, 1024)  # 4 MiB
        b = a * 2  # 4 MiB more while a is alive
        del a
        return (b + 1).sum()  # a freed first: the peak stays at 8 MiB

    assert peak_tensor_memory(two_at_once) == pytest.approx(8 * 2**20, rel=0.01)
    x = torch.ones(1024, 1024)
    assert peak_tensor_memory(lambda: x * 2) == pytest.approx(4 * 2**20, rel=0.01)  # x existed before


def test_measure_cost_reports_and_leaves_the_model_unchanged():
    model = build_volume_model("2.5d", depth=8)
    before = [p.detach().clone() for p in model.parameters()]
    cost = measure_cost(model, torch.randn(4, 1, 8, 16, 16), torch.tensor([0, 1, 0, 1]), repeat=1)
    assert cost["parameters"] == sum(p.numel() for p in model.parameters())
    assert cost["train_step_s"] > 0 and cost["infer_s"] > 0 and cost["train_peak_mib"] > 0
    for a, b in zip(before, model.parameters()):
        torch.testing.assert_close(a, b)


@pytest.mark.slow  # imports MONAI's transforms
def test_largest_component_keeps_the_biggest_blob():
    net = nn.Conv2d(2, 2, 1)
    with torch.no_grad():  # class 1 where channel 0 is above 0.5
        net.weight.zero_()
        net.weight[1, 0] = 1.0
        net.bias.copy_(torch.tensor([0.5, 0.0]))
    image = np.zeros((2, 6, 12, 12), np.float32)
    image[0, 1:4, 1:5, 1:5] = 1  # 48 voxels
    image[0, 2:4, 8:10, 8:10] = 1  # 8 voxels, apart
    labels, n = ndimage.label(image[0] > 0.5, structure=np.ones((3, 3, 3)))
    assert n == 2
    all_of_it = predict_volume(net, image)
    np.testing.assert_array_equal(all_of_it, image[0] > 0.5)
    kept = predict_volume(net, image, largest_component=True)
    np.testing.assert_array_equal(kept, labels == np.argmax(np.bincount(labels.ravel())[1:]) + 1)


def test_volume_model_errors_are_medlab_errors():
    from medlab.errors import MedlabError
    from medlab.volumes.models import SmallCNN, UnknownModelKindError, VolumeModelError

    assert issubclass(VolumeModelError, MedlabError) and issubclass(VolumeModelError, ValueError)
    assert issubclass(UnknownModelKindError, MedlabError) and issubclass(UnknownModelKindError, KeyError)
    with pytest.raises(UnknownModelKindError, match="choose one of"):
        build_volume_model("4d")
    with pytest.raises(VolumeModelError, match="dims must be 2 or 3"):
        SmallCNN(dims=4)
    with pytest.raises(VolumeModelError, match="square, ungrouped"):
        ACSConv(nn.Conv2d(2, 2, 3, groups=2))


def test_orientation_labels_follow_nibabel_axis_codes():
    import nibabel as nib

    from medlab.volumes import plane_orientation_labels

    # head-first supine axial MR: columns to the patient's left, rows to the back, slices upwards (DICOM LPS)
    lps = np.diag([1.0, 1.0, 1.0, 1.0])
    codes = "".join(nib.aff2axcodes(np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps))  # as Volume.orientation
    assert codes == "LPS"
    sides = plane_orientation_labels(codes)
    assert sides["axial"] == {"left": "R", "right": "L", "top": "A", "bottom": "P"}  # radiological convention
    assert sides["coronal"] == {"left": "R", "right": "L", "bottom": "I", "top": "S"}
    assert sides["sagittal"] == {"left": "A", "right": "P", "bottom": "I", "top": "S"}
    # a volume stored in RAS order (x to the right, y to the front) flips the axial and sagittal labels
    ras = plane_orientation_labels("".join(nib.aff2axcodes(np.eye(4))))
    assert ras["axial"] == {"left": "L", "right": "R", "top": "P", "bottom": "A"}
    assert ras["sagittal"]["left"] == "P"
    for bad in ("LP", "LLS", "LPX"):
        with pytest.raises(VolumeShapeError, match="orientation"):
            plane_orientation_labels(bad)


def test_plot_three_planes_writes_the_orientation_letters():
    import matplotlib
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    fig = plot_three_planes(np.zeros((4, 8, 8)), (6.5, 2.0, 2.0), orientation="LPS")
    letters = [{t.get_text() for t in ax.texts} for ax in fig.axes]
    assert letters == [{"R", "L", "A", "P"}, {"R", "L", "S", "I"}, {"A", "P", "S", "I"}]
    plt.close(fig)
    fig = plot_three_planes(np.zeros((4, 8, 8)), (1.0, 1.0, 1.0), unit="voxels")
    assert not any(ax.texts for ax in fig.axes)  # no orientation given, none drawn
    plt.close(fig)


@pytest.mark.slow  # imports MONAI's losses
@pytest.mark.parametrize("batch_dice", [True, False])
def test_train_segmenter_uses_monai_dice_ce_over_the_batch_or_per_sample(batch_dice):
    from monai.losses import DiceCELoss

    from medlab.volumes import train_segmenter

    g = resample_study(_study(), size=6)
    torch.manual_seed(0)
    net = nn.Conv2d(2, 2, 3, padding=1)
    start = [p.detach().clone() for p in net.parameters()]
    losses = train_segmenter(net, [g], steps=1, batch=6, depth=1, seed=4, tumour_fraction=0.5,
                             batch_dice=batch_dice)
    x, y = random_patches([g], 6, 1, np.random.default_rng(4), tumour_fraction=0.5)  # the same draws
    with torch.no_grad():
        for p, p0 in zip(net.parameters(), start):
            p.copy_(p0)
        expected = DiceCELoss(to_onehot_y=True, softmax=True, include_background=False, batch=batch_dice)(net(x), y)
    assert losses[0] == pytest.approx(float(expected), rel=1e-5)
    # a right and confident (not saturated) prediction of a batch with empty masks: per sample the empty ones
    # still cost about 1, pooled over the batch almost nothing
    perfect = torch.cat([1 - y, y], 1).float() * 10 - 5
    per_sample = DiceCELoss(to_onehot_y=True, softmax=True, include_background=False)(perfect, y)
    pooled = DiceCELoss(to_onehot_y=True, softmax=True, include_background=False, batch=True)(perfect, y)
    if (y.flatten(1).sum(1) == 0).any():
        assert float(per_sample) > 0.1 > float(pooled)
