"""medlab.labels.readers: readers who err in both directions, and schools that share a habit."""

from __future__ import annotations

import numpy as np
import pytest

from medlab.labels import LabelsError, consensus, readers


@pytest.fixture(scope="module")
def ball() -> np.ndarray:
    z, yy, xx = np.mgrid[:9, :60, :60]
    return (((yy - 30) ** 2 + (xx - 30) ** 2 < 64) & (z >= 2) & (z <= 6)).astype(np.uint8)


def test_extra_parts_lie_outside_the_reference_at_the_given_gap(ball):
    from scipy import ndimage

    model = readers.ReaderModel("fp", extra_parts=2, extra_radius=3, extra_gap=10)
    out = readers.simulate_reader(ball, model, seed=1)
    extra = out & ~ball.astype(bool)
    assert extra.any() and (out >= ball.astype(bool)).all()
    assert 1 <= ndimage.label(extra)[1] <= 2
    dist = ndimage.distance_transform_edt(~ball.astype(bool), sampling=(1e6, 1, 1))  # in-plane distance
    assert dist[extra].min() >= 10 - 3 - 1  # a disc of radius 3 centred 10 pixels out
    assert model.adds_voxels and not readers.ReaderModel("t", boundary=-1).adds_voxels


def test_a_school_shares_its_false_positives_and_others_do_not(ball):
    models = [readers.ReaderModel("a1", extra_parts=2, school="A"),
              readers.ReaderModel("a2", extra_parts=2, skip_prob=0.0, boundary=1, school="A"),
              readers.ReaderModel("loner", extra_parts=2)]
    a1, a2, loner = readers.simulate_panel(ball, models, seed=5)
    ref = ball.astype(bool)
    assert np.array_equal(a1 & ~ref & ~_ring(ref), a2 & ~ref & ~_ring(ref))  # the same extra parts
    assert not np.array_equal(a1 & ~ref, loner & ~ref)
    again = readers.simulate_panel(ball, models, seed=5)
    assert all(np.array_equal(x, y) for x, y in zip((a1, a2, loner), again, strict=True))


def _ring(ref: np.ndarray) -> np.ndarray:
    from scipy import ndimage

    return ndimage.binary_dilation(ref, structure=ndimage.generate_binary_structure(2, 1)[None]) & ~ref


def test_skipped_slices_stay_empty_even_with_extra_parts(ball):
    out = readers.simulate_reader(ball, readers.ReaderModel("s", skip_prob=1.0, extra_parts=3), seed=0)
    assert not out[2:7].any()


def test_majority_vote_rejects_a_shared_error_of_two_in_five(ball):
    models = [readers.ReaderModel("t", boundary=-1), readers.ReaderModel("m"), readers.ReaderModel("g", boundary=1),
              readers.ReaderModel("a1", extra_parts=1, school="A"),
              readers.ReaderModel("a2", extra_parts=1, school="A")]
    drawn = readers.simulate_panel(ball, models, seed=0)
    mv = consensus.majority_vote(drawn)
    ref = ball.astype(bool)
    assert not (mv & ~ref & ~_ring(ref)).any()  # the school's shared part has 2 of 5 votes


def test_bad_reader_models_are_refused():
    with pytest.raises(LabelsError, match="probabilities"):
        readers.ReaderModel("x", skip_prob=1.5)
    with pytest.raises(LabelsError, match="extra_parts"):
        readers.ReaderModel("x", extra_parts=-1)
    with pytest.raises(LabelsError, match="unique"):
        readers.simulate_panel(np.zeros((2, 4, 4), np.uint8), [readers.ReaderModel("x")] * 2)
    with pytest.raises(LabelsError, match="ReaderModel"):
        readers.simulate_reader(np.zeros((2, 4, 4), np.uint8), "tight")
