"""medlab.deploy: ONNX export against PyTorch, ONNX Runtime's quantisers, clear errors (chapter 15)."""

from __future__ import annotations

import math

import numpy as np
import onnx
import pytest
import torch

from medlab import deploy, models

TOLERANCE = 1e-4  # largest |logit(ONNX Runtime) - logit(PyTorch)| accepted for fp32


@pytest.fixture(scope="module")
def cnn() -> torch.nn.Module:
    torch.manual_seed(0)
    return models.build_model("simple_cnn").eval()


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    return torch.rand(40, 1, 28, 28, generator=torch.Generator().manual_seed(1))


@pytest.fixture(scope="module")
def exported(cnn, tmp_path_factory):
    path = tmp_path_factory.mktemp("onnx") / "cnn.onnx"
    return deploy.export_onnx(cnn, path, torch.zeros(1, 1, 28, 28), dynamo=False)


def _ops(path) -> set[str]:
    return {n.op_type for n in onnx.load(str(path)).graph.node}


def test_legacy_export_matches_pytorch_at_any_batch_size(cnn, images, exported):
    session = deploy.load_session(exported)
    with torch.no_grad():
        expected = cnn(images).numpy()
    for n in (1, 7, 40):
        got = deploy.onnx_logits(session, images[:n], batch_size=16)
        assert got.shape == (n, 2)
        np.testing.assert_allclose(got, expected[:n], atol=TOLERANCE, rtol=0)
    probs = deploy.onnx_probabilities(session, images)
    np.testing.assert_allclose(probs, torch.softmax(torch.as_tensor(expected), 1).numpy(), atol=1e-5)
    np.testing.assert_allclose(probs.sum(1), 1, atol=1e-6)


@pytest.mark.slow  # the torch.export-based exporter takes a few seconds
def test_dynamo_export_matches_pytorch(cnn, images, tmp_path):
    path = deploy.export_onnx(cnn, tmp_path / "cnn.onnx", torch.zeros(1, 1, 28, 28), dynamo=True)
    onnx.checker.check_model(str(path))
    got = deploy.onnx_logits(deploy.load_session(path, threads=2), images[:5])
    with torch.no_grad():
        np.testing.assert_allclose(got, cnn(images[:5]).numpy(), atol=TOLERANCE, rtol=0)


def test_dynamic_int8_uses_integer_kernels_and_stays_close(cnn, images, exported, tmp_path):
    out = deploy.quantize_dynamic_int8(exported, tmp_path / "dyn.onnx")
    assert {"DynamicQuantizeLinear", "ConvInteger"} <= _ops(out)
    assert deploy.file_size_mb(out) < 0.5 * deploy.file_size_mb(exported)  # weights: 4 bytes -> 1 byte
    fp32 = deploy.onnx_probabilities(deploy.load_session(exported), images)
    int8 = deploy.onnx_probabilities(deploy.load_session(out), images)
    assert np.abs(int8 - fp32).max() < 0.05


def test_static_int8_is_qdq_and_stays_close(cnn, images, exported, tmp_path):
    out = deploy.quantize_static_int8(exported, tmp_path / "static.onnx", images[:32], batch_size=8)
    assert {"QuantizeLinear", "DequantizeLinear"} <= _ops(out)
    assert not (tmp_path / "static.pre.onnx").exists()
    fp32 = deploy.onnx_probabilities(deploy.load_session(exported), images)
    int8 = deploy.onnx_probabilities(deploy.load_session(out), images)
    assert np.abs(int8 - fp32).max() < 0.05


def test_calibration_reader_follows_the_protocol(images):
    from onnxruntime.quantization import CalibrationDataReader

    reader = deploy.ImageCalibrationReader(images[:10, 0].numpy(), batch_size=4)  # N x H x W is accepted
    batches = list(iter(reader.get_next, None))
    assert [b[deploy.INPUT_NAME].shape for b in batches] == [(4, 1, 28, 28), (4, 1, 28, 28), (2, 1, 28, 28)]
    assert reader.get_next() is None
    reader.rewind()
    assert reader.get_next()[deploy.INPUT_NAME].dtype == np.float32
    assert callable(CalibrationDataReader.get_next)  # the method name ONNX Runtime calls


def test_missing_or_broken_file_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(deploy.DeployError, match=r"absent\.onnx.*export_onnx"):
        deploy.load_session(tmp_path / "absent.onnx")
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"not a protobuf")
    with pytest.raises(deploy.DeployError, match=r"broken\.onnx.*re-export"):
        deploy.load_session(bad)
    with pytest.raises(deploy.DeployError, match="broken.onnx"):
        deploy.quantize_dynamic_int8(bad, tmp_path / "out.onnx")


def test_wrong_image_shape_is_refused(exported):
    session = deploy.load_session(exported)
    with pytest.raises(deploy.DeployError, match=r"\[1, 28, 28\]"):
        deploy.onnx_logits(session, np.zeros((2, 1, 32, 32), np.float32))
    with pytest.raises(deploy.DeployError, match="N x C x H x W"):
        deploy.onnx_logits(session, np.zeros(28, np.float32))


def test_latency_summary_is_consistent(exported, cnn):
    """Not a timing test: only that the summary of the timings is well formed."""
    lat = deploy.latency(deploy.load_session(exported, threads=1), batch_size=4, runs=15, warmup=2)
    assert lat.runs == 15 and lat.batch_size == 4 and lat.threads == 1
    assert 0 < lat.median_ms <= lat.p95_ms
    assert math.isclose(lat.throughput, 4 / (lat.median_ms / 1000))
    assert set(lat.as_dict()) == {"batch_size", "threads", "median_ms", "p95_ms", "runs", "throughput"}
    before = torch.get_num_threads()
    eager = deploy.torch_latency(cnn, runs=5, warmup=1, threads=1)
    assert eager.runs == 5 and torch.get_num_threads() == before
