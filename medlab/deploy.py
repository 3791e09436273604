"""From a trained PyTorch model to a file a device can run: ONNX export, ONNX Runtime, int8, latency.

- :func:`export_onnx` writes a model to ONNX with ``torch.onnx.export`` (the
  ``torch.export``-based exporter, ``dynamo=True``, by default) with a
  dynamic batch axis, and checks the file with ``onnx.checker``;
- :func:`load_session` opens it in ONNX Runtime on the CPU with a chosen
  number of threads, and raises a :class:`DeployError` naming the file and the
  fix when the file is missing or is not an ONNX model;
- :func:`onnx_probabilities` runs a session over images in batches;
- :func:`quantize_dynamic_int8` and :func:`quantize_static_int8` wrap ONNX
  Runtime's dynamic and static (calibrated, QDQ) int8 quantisation;
  :class:`ImageCalibrationReader` feeds calibration images to the latter;
- :func:`latency` times a session (median and 95th percentile per batch, and
  throughput); :func:`torch_latency` does the same for an eager PyTorch model.

Timings depend on the CPU, the other work running on it, the thread count and
the library versions: they are measurements of one machine, not properties of
a model. ``onnx`` and ``onnxruntime`` are imported inside the functions that
use them, so ``import medlab`` does not need them (they are in the ``deploy``
extra).

Introduced in the chapter "From notebook to clinic"
(chapters/15_from_notebook_to_clinic.ipynb).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from .errors import MedlabError
from .io import atomic_write_bytes

INPUT_NAME = "image"
OUTPUT_NAME = "logits"


class DeployError(MedlabError, ValueError):
    """A model file that cannot be deployed (missing, not ONNX, or the wrong input shape)."""


def export_onnx(model: nn.Module, path: str | os.PathLike, example: torch.Tensor, *,
                dynamo: bool = True, opset: int | None = None) -> Path:
    """Export ``model`` (in eval mode) to ONNX at ``path``, with a dynamic batch axis.

    ``example`` is one input batch (e.g. ``torch.zeros(1, 1, 28, 28)``). With
    ``dynamo=True`` the graph is captured by ``torch.export`` and translated by
    onnxscript; ``dynamo=False`` uses the older TorchScript-tracing exporter.
    The file is checked with ``onnx.checker.check_model`` and written
    atomically. Returns the path. Introduced in the chapter "From notebook to
    clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    import onnx

    path = Path(path)
    model = model.eval()
    kwargs: dict[str, Any] = {"input_names": [INPUT_NAME], "output_names": [OUTPUT_NAME]}
    if opset is not None:
        kwargs["opset_version"] = opset
    if dynamo:
        kwargs.update(dynamo=True, verbose=False, dynamic_shapes=({0: torch.export.Dim("batch")},))
    else:
        kwargs.update(dynamo=False, dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}})
    with tempfile.TemporaryDirectory() as tmpdir, warnings.catch_warnings(), \
            contextlib.redirect_stdout(io.StringIO()):  # the exporter prints its progress
        warnings.simplefilter("ignore")
        tmp = Path(tmpdir) / "model.onnx"
        torch.onnx.export(model, (example,), str(tmp), **kwargs)
        model_proto = onnx.load(str(tmp))  # external data (if any) folded in
        onnx.checker.check_model(model_proto)
        atomic_write_bytes(path, model_proto.SerializeToString())
    return path


def _check_file(path: Path) -> None:
    import onnx

    if not path.is_file():
        raise DeployError(f"{path.name}: no such model file; export it first with medlab.deploy.export_onnx")
    try:
        onnx.checker.check_model(str(path))
    except Exception as err:  # onnx raises several types (ValidationError, DecodeError, ...)
        raise DeployError(f"{path.name}: not a valid ONNX model ({type(err).__name__}); re-export it with "
                          "medlab.deploy.export_onnx, or check that the file was copied whole") from err


def load_session(path: str | os.PathLike, threads: int = 1):
    """An ONNX Runtime CPU ``InferenceSession`` for ``path`` using ``threads`` intra-op threads.

    Inter-op parallelism is off (one operator at a time, as on a small
    device) and every graph optimisation is on. Raises :class:`DeployError`
    if the file is missing or not a valid ONNX model. Introduced in the
    chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    import onnxruntime as ort

    path = Path(path)
    _check_file(path)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = int(threads)
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


def _as_batch(images: np.ndarray | torch.Tensor) -> np.ndarray:
    x = images.detach().cpu().numpy() if isinstance(images, torch.Tensor) else np.asarray(images)
    if x.ndim == 3:  # N x H x W -> N x 1 x H x W
        x = x[:, None]
    if x.ndim != 4:
        raise DeployError(f"images must be N x C x H x W (or N x H x W), got shape {x.shape}")
    return np.ascontiguousarray(x, dtype=np.float32)


def onnx_logits(session, images: np.ndarray | torch.Tensor, batch_size: int = 256) -> np.ndarray:
    """Raw model outputs of an ONNX Runtime session over ``images``, in batches.

    Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    x = _as_batch(images)
    name = session.get_inputs()[0].name
    expected = session.get_inputs()[0].shape
    if len(expected) == 4 and all(isinstance(d, int) for d in expected[1:]) and list(x.shape[1:]) != expected[1:]:
        raise DeployError(f"the model expects images of shape {expected[1:]}, got {list(x.shape[1:])}")
    return np.concatenate([session.run(None, {name: x[i:i + batch_size]})[0]
                           for i in range(0, len(x), batch_size)])


def onnx_probabilities(session, images: np.ndarray | torch.Tensor, batch_size: int = 256) -> np.ndarray:
    """Class probabilities (softmax of :func:`onnx_logits`), one row per image.

    Introduced in the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    z = onnx_logits(session, images, batch_size)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class ImageCalibrationReader:
    """Feeds calibration batches to ``onnxruntime.quantization.quantize_static``.

    Implements ONNX Runtime's ``CalibrationDataReader`` protocol
    (``get_next`` returns one input dict, then ``None``). Use training images
    only: the ranges it measures become part of the model. Introduced in the
    chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """

    def __init__(self, images: np.ndarray | torch.Tensor, batch_size: int = 32, input_name: str = INPUT_NAME):
        self.x, self.batch_size, self.input_name = _as_batch(images), batch_size, input_name
        self._it: Iterator[dict[str, np.ndarray]] | None = None

    def _batches(self) -> Iterator[dict[str, np.ndarray]]:
        for i in range(0, len(self.x), self.batch_size):
            yield {self.input_name: self.x[i:i + self.batch_size]}

    def get_next(self) -> dict[str, np.ndarray] | None:
        """The next calibration batch, or ``None`` when all have been given."""
        if self._it is None:
            self._it = self._batches()
        return next(self._it, None)

    def rewind(self) -> None:
        """Start again from the first batch."""
        self._it = None


def quantize_dynamic_int8(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """Dynamic int8 quantisation with ONNX Runtime (weights int8, activations quantised per batch at run time).

    No calibration data are needed; convolutions become ``ConvInteger`` and
    matrix products ``MatMulInteger``. Introduced in the chapter "From
    notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    src, dst = Path(src), Path(dst)
    _check_file(src)
    _quiet_quantizer()
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)
    return dst


def _quiet_quantizer() -> None:
    import logging

    logging.getLogger().setLevel(logging.ERROR)  # the quantizer logs advice through the root logger


def quantize_static_int8(src: str | os.PathLike, dst: str | os.PathLike, calibration: np.ndarray | torch.Tensor,
                         per_channel: bool = True, batch_size: int = 32) -> Path:
    """Static int8 quantisation (QDQ format) calibrated on ``calibration`` images.

    The model is first pre-processed (shape inference and graph
    optimisation, ``quant_pre_process``), then activation ranges are measured
    on the calibration images (min-max) and frozen into the model, so no
    range is computed at run time. Calibrate on training images, never on
    test images. Introduced in the chapter "From notebook to clinic"
    (chapters/15_from_notebook_to_clinic.ipynb).
    """
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    src, dst = Path(src), Path(dst)
    _check_file(src)
    _quiet_quantizer()
    pre = dst.with_name(dst.stem + ".pre.onnx")
    quant_pre_process(str(src), str(pre))

    class _Reader(ImageCalibrationReader, CalibrationDataReader):
        pass

    try:
        quantize_static(str(pre), str(dst), _Reader(calibration, batch_size), quant_format=QuantFormat.QDQ,
                        activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, per_channel=per_channel)
    finally:
        pre.unlink(missing_ok=True)
    return dst


def file_size_mb(path: str | os.PathLike) -> float:
    """Size of a file in MB (10^6 bytes). Introduced in chapters/15_from_notebook_to_clinic.ipynb."""
    return Path(path).stat().st_size / 1e6


@dataclass(frozen=True)
class Latency:
    """Per-batch latency of one model at one batch size and thread count, in milliseconds."""

    batch_size: int
    threads: int
    median_ms: float
    p95_ms: float
    runs: int

    @property
    def throughput(self) -> float:
        """Images per second at the median latency."""
        return self.batch_size / (self.median_ms / 1000)

    def as_dict(self) -> dict[str, float]:
        """The timing as a plain dict, throughput included."""
        return {**asdict(self), "throughput": self.throughput}


def _summarise(times_ns: Sequence[int], batch_size: int, threads: int) -> Latency:
    ms = np.asarray(times_ns, dtype=float) / 1e6
    return Latency(batch_size, threads, float(np.median(ms)), float(np.percentile(ms, 95)), len(ms))


def latency(session, image_shape: Sequence[int] = (1, 28, 28), batch_size: int = 1, runs: int = 200,
            warmup: int = 20, threads: int | None = None, seed: int = 0) -> Latency:
    """Time ``session.run`` on one random batch: median and 95th percentile over ``runs`` calls.

    ``warmup`` calls are made and discarded first (memory allocation, caches).
    ``threads`` is only recorded (set it when opening the session, see
    :func:`load_session`). A benchmark helper: the numbers depend on the CPU
    and its load, so measure on a quiet machine. Introduced in the chapter
    "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    x = np.random.default_rng(seed).random((batch_size, *image_shape), dtype=np.float32)
    name = session.get_inputs()[0].name
    for _ in range(warmup):
        session.run(None, {name: x})
    times = []
    for _ in range(runs):
        t0 = time.perf_counter_ns()
        session.run(None, {name: x})
        times.append(time.perf_counter_ns() - t0)
    if threads is None:
        threads = session.get_session_options().intra_op_num_threads
    return _summarise(times, batch_size, threads)


@torch.no_grad()
def torch_latency(model: nn.Module, image_shape: Sequence[int] = (1, 28, 28), batch_size: int = 1,
                  runs: int = 200, warmup: int = 20, threads: int = 1, seed: int = 0) -> Latency:
    """The same measurement as :func:`latency` for an eager PyTorch model on the CPU.

    Sets ``torch.set_num_threads(threads)`` while timing and restores it
    after. Introduced in the chapter "From notebook to clinic"
    (chapters/15_from_notebook_to_clinic.ipynb).
    """
    g = torch.Generator().manual_seed(seed)
    x = torch.rand((batch_size, *image_shape), generator=g)
    model = model.eval()
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        for _ in range(warmup):
            model(x)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter_ns()
            model(x)
            times.append(time.perf_counter_ns() - t0)
    finally:
        torch.set_num_threads(before)
    return _summarise(times, batch_size, threads)


__all__ = ["INPUT_NAME", "OUTPUT_NAME", "DeployError", "export_onnx", "load_session", "onnx_logits",
           "onnx_probabilities", "ImageCalibrationReader", "quantize_dynamic_int8", "quantize_static_int8",
           "file_size_mb", "Latency", "latency", "torch_latency"]
