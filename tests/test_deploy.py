"""medlab.deploy: ONNX export against PyTorch, ONNX Runtime's quantisers, clear errors (chapter 15)."""

from __future__ import annotations

import io
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


# --- Repeated measurements: the statistics, not the speed ----------------------------------------


def _lat(median: float, p95: float, runs: int = 10, batch: int = 1, threads: int = 1) -> deploy.Latency:
    return deploy.Latency(batch, threads, median, p95, runs)


def test_median_interval_is_the_order_statistic_interval_with_binomial_coverage():
    # five repeats: k = 1 (the range) covers 1 - 2 / 32 = 93.75 %; k = 2 only 1 - 2 * 6 / 32 = 62.5 %
    low, high, cov = deploy.median_interval([5.0, 1.0, 4.0, 2.0, 3.0], level=0.9)
    assert (low, high) == (1.0, 5.0) and cov == pytest.approx(0.9375)
    low, high, cov = deploy.median_interval([5.0, 1.0, 4.0, 2.0, 3.0], level=0.6)
    assert (low, high) == (2.0, 4.0) and cov == pytest.approx(0.625)
    # ten repeats at 90 %: k = 2 (coverage 1 - 2 * 11 / 1024) is the widest k that still reaches 90 %
    low, high, cov = deploy.median_interval(np.arange(10.0), level=0.9)
    assert (low, high) == (1.0, 8.0) and cov == pytest.approx(1 - 22 / 1024)
    # too few repeats for the level: the range, with its (lower) coverage reported
    assert deploy.median_interval([3.0, 1.0, 2.0], level=0.9) == (1.0, 3.0, pytest.approx(0.75))


def test_median_interval_covers_as_promised():
    """The coverage is a property of the method: check it by simulation on a skewed distribution."""
    rng = np.random.default_rng(0)
    true_median = float(np.exp(0.0))  # lognormal(0, 0.5): median 1
    hits = [lo <= true_median <= hi for lo, hi, _ in
            (deploy.median_interval(rng.lognormal(0.0, 0.5, 5)) for _ in range(4000))]
    assert np.mean(hits) == pytest.approx(0.9375, abs=0.015)


def test_summarise_repeats_takes_medians_over_repeats():
    lats = [_lat(m, p) for m, p in [(2.0, 3.0), (1.0, 9.0), (4.0, 5.0), (3.0, 4.0), (5.0, 6.0)]]
    rep = deploy.summarise_repeats(lats)
    assert rep.repeats == 5 and rep.runs == 10
    assert rep.median_ms == 3.0 and (rep.median_low, rep.median_high) == (1.0, 5.0)
    assert rep.p95_ms == 5.0 and (rep.p95_low, rep.p95_high) == (3.0, 9.0)
    assert rep.coverage == pytest.approx(0.9375)
    assert rep.throughput == pytest.approx(1000 / 3.0)
    assert rep.throughput_interval == pytest.approx((1000 / 5.0, 1000 / 1.0))
    d = rep.as_dict()
    assert d["medians_ms"] == [2.0, 1.0, 4.0, 3.0, 5.0] and d["throughput_low"] < d["throughput"] < d["throughput_high"]


def test_repeats_must_match_and_be_enough():
    with pytest.raises(deploy.DeployError, match="at least 2"):
        deploy.summarise_repeats([_lat(1.0, 2.0)])
    with pytest.raises(deploy.DeployError, match="share batch size"):
        deploy.summarise_repeats([_lat(1.0, 2.0), _lat(1.0, 2.0, batch=8)])
    with pytest.raises(deploy.DeployError, match="at least 2"):
        deploy.median_interval([1.0])
    with pytest.raises(deploy.DeployError, match="finite"):
        deploy.median_interval([1.0, float("nan")])
    with pytest.raises(deploy.DeployError, match="level"):
        deploy.median_interval([1.0, 2.0], level=1.5)
    with pytest.raises(deploy.DeployError, match="runs >= 1"):
        deploy.time_calls(lambda: None, runs=0)
    with pytest.raises(deploy.DeployError, match="at least 2 repeats"):
        deploy.benchmark({"a": lambda: _lat(1.0, 1.0)}, repeats=1)


def test_benchmark_interleaves_the_repeats():
    order: list[str] = []

    def measure(name: str):
        def run() -> deploy.Latency:
            order.append(name)
            return _lat(float(len(order)), float(len(order)) + 1)
        return run

    out = deploy.benchmark({"a": measure("a"), "b": measure("b")}, repeats=3)
    assert order == ["a", "b", "a", "b", "a", "b"]
    assert out["a"].medians_ms == (1.0, 3.0, 5.0) and out["b"].medians_ms == (2.0, 4.0, 6.0)


def test_time_calls_counts_warmup_and_runs():
    calls = []
    lat = deploy.time_calls(lambda: calls.append(1), runs=7, warmup=3, batch_size=2, threads=1)
    assert len(calls) == 10 and lat.runs == 7 and lat.batch_size == 2


# --- Preprocessing and the CPU ------------------------------------------------------------------


def test_preprocess_frame_matches_the_training_scaling():
    from PIL import Image

    from medlab.data import to_tensor

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (28, 28), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    x = deploy.preprocess_frame(buf.getvalue(), size=28)  # no resize needed: same size
    assert x.shape == (1, 1, 28, 28) and x.dtype == np.float32
    np.testing.assert_allclose(x[0], to_tensor(pixels).numpy(), atol=1e-6)
    big = io.BytesIO()
    Image.fromarray(np.kron(pixels, np.ones((8, 8), np.uint8))).convert("RGB").save(big, format="PNG")
    y = deploy.preprocess_frame(big.getvalue(), size=28, resample="box")  # box: block average
    np.testing.assert_allclose(y, x, atol=1e-6)
    with pytest.raises(deploy.DeployError, match="decode"):
        deploy.preprocess_frame(b"not an image")
    with pytest.raises(deploy.DeployError, match="resample"):
        deploy.preprocess_frame(buf.getvalue(), resample="cubic-ish")


def test_cpu_flags_are_parsed_from_cpuinfo_text():
    text = ("processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\n"
            "model name\t: Some Xeon\nflags\t\t: fpu avx avx2 avx512f avx512bw avx512_vnni amx_tile amx_int8\n\n"
            "processor\t: 1\nflags\t\t: fpu\n")
    info = deploy.parse_cpu_flags(text)
    assert info["vendor_id"] == "GenuineIntel" and info["model"] == "143"
    assert info["flags"]["AVX2"] and info["flags"]["AVX-512 VNNI"] and info["flags"]["AMX-INT8"]
    assert not info["flags"]["AVX-VNNI"]
    with pytest.raises(deploy.DeployError, match="flags"):
        deploy.parse_cpu_flags("vendor_id: x\n")
    assert deploy.cpu_features("/no/such/file")["flags"] == {}
