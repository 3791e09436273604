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
  throughput); :func:`torch_latency` does the same for an eager PyTorch model,
  and :func:`time_calls` for any function (preprocessing, a whole pipeline);
- :func:`benchmark` repeats such measurements several times, interleaved and
  each with its own warm-up, and :func:`summarise_repeats` reports the median
  over repeats with a distribution-free interval (:func:`median_interval`);
- :func:`preprocess_frame` decodes, resizes and normalises one encoded frame
  the way the training images were prepared, so its cost counts in the
  latency budget; :func:`cpu_features` reads the instruction sets that int8
  kernels depend on (AVX2, AVX-512, VNNI, AMX).

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
import math
import os
import platform
import tempfile
import time
import warnings
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
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
    optimisation, ``quant_pre_process``). Then ONNX Runtime's min-max
    *observers* record the smallest and largest value of every activation
    tensor over the calibration images, and each activation tensor gets one
    scale and one zero point (per tensor, asymmetric int8), frozen into the
    model, so no range is computed at run time. Weights are quantised
    symmetrically (zero point 0); with ``per_channel=True`` each output
    channel of a convolution or fully connected layer gets its own scale
    ``max|w_c| / 127``, so a channel with small weights is not rounded with
    the step of the largest one. Biases become int32 with scale
    ``activation scale x weight scale``. Calibrate on training images, never on
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


def _check_counts(runs: int, warmup: int) -> None:
    if int(runs) < 1 or int(warmup) < 0:
        raise DeployError(f"a timing needs runs >= 1 and warmup >= 0, got runs={runs}, warmup={warmup}")


def time_calls(fn: Callable[[], object], runs: int = 200, warmup: int = 20, batch_size: int = 1,
               threads: int = 1) -> Latency:
    """Time ``fn()``: ``warmup`` calls discarded, then the median and 95th percentile of ``runs`` calls.

    ``fn`` does one unit of work (one batch of ``batch_size`` images through a
    model, or one frame through preprocessing and the model); ``batch_size``
    and ``threads`` are only recorded. The building block of :func:`latency`
    and :func:`torch_latency`. Introduced in the chapter "From notebook to
    clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    _check_counts(runs, warmup)
    for _ in range(int(warmup)):
        fn()
    times = []
    for _ in range(int(runs)):
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    return _summarise(times, batch_size, threads)


def latency(session, image_shape: Sequence[int] = (1, 28, 28), batch_size: int = 1, runs: int = 200,
            warmup: int = 20, threads: int | None = None, seed: int = 0) -> Latency:
    """Time ``session.run`` on one random batch: median and 95th percentile over ``runs`` calls.

    ``warmup`` calls are made and discarded first (memory allocation, caches).
    ``threads`` is only recorded (set it when opening the session, see
    :func:`load_session`). One measurement is one sample of a machine's
    state: repeat it with :func:`benchmark`. Introduced in the chapter "From
    notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    x = np.random.default_rng(seed).random((batch_size, *image_shape), dtype=np.float32)
    name = session.get_inputs()[0].name
    if threads is None:
        threads = session.get_session_options().intra_op_num_threads
    return time_calls(lambda: session.run(None, {name: x}), runs, warmup, batch_size, threads)


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
        return time_calls(lambda: model(x), runs, warmup, batch_size, threads)
    finally:
        torch.set_num_threads(before)


# --- Repeated measurements ----------------------------------------------------------------------


def median_interval(values: Sequence[float], level: float = 0.9) -> tuple[float, float, float]:
    """A distribution-free interval for the median of the distribution ``values`` were drawn from.

    With ``n`` independent values sorted, ``[x_(k), x_(n+1-k)]`` holds the
    median with probability ``1 - 2 P(Binomial(n, 1/2) <= k - 1)``, whatever
    the distribution; the widest ``k`` whose coverage is at least ``level`` is
    used (``k = 1``, the range, when even that covers less). Returns ``(low,
    high, coverage)``: with 5 repeats the range covers 93.75 %, with 3 only
    75 %. Introduced in the chapter "From notebook to clinic"
    (chapters/15_from_notebook_to_clinic.ipynb).
    """
    x = np.sort(np.asarray(values, dtype=float))
    if x.ndim != 1 or len(x) < 2:
        raise DeployError(f"an interval over repeats needs at least 2 values, got {len(np.atleast_1d(x))}")
    if not np.isfinite(x).all():
        raise DeployError("the repeated values must be finite numbers")
    if not 0 < level < 1:
        raise DeployError(f"level must be between 0 and 1, got {level}")
    n = len(x)

    def coverage(k: int) -> float:
        return 1 - 2 * sum(math.comb(n, i) for i in range(k)) / 2 ** n

    k = 1
    while k + 1 <= (n + 1) // 2 and coverage(k + 1) >= level:
        k += 1
    return float(x[k - 1]), float(x[n - k]), coverage(k)


@dataclass(frozen=True)
class RepeatedLatency:
    """Repeated :class:`Latency` measurements of one model and setting, summarised over repeats.

    ``medians_ms`` and ``p95s_ms`` hold each repeat's median and 95th
    percentile; ``median_ms`` and ``p95_ms`` are their medians over repeats,
    and ``*_low``/``*_high`` the distribution-free interval of
    :func:`median_interval`, which covers the typical repeat's value with
    probability ``coverage``. ``runs`` is the number of timed calls per
    repeat. Introduced in the chapter "From notebook to clinic"
    (chapters/15_from_notebook_to_clinic.ipynb).
    """

    batch_size: int
    threads: int
    repeats: int
    runs: int
    medians_ms: tuple[float, ...]
    p95s_ms: tuple[float, ...]
    median_ms: float
    median_low: float
    median_high: float
    p95_ms: float
    p95_low: float
    p95_high: float
    coverage: float

    @property
    def throughput(self) -> float:
        """Images per second at the median latency (median over repeats)."""
        return self.batch_size / (self.median_ms / 1000)

    @property
    def throughput_interval(self) -> tuple[float, float]:
        """The interval of :attr:`throughput`: the median interval turned into images per second."""
        return self.batch_size / (self.median_high / 1000), self.batch_size / (self.median_low / 1000)

    def as_dict(self) -> dict[str, Any]:
        """The summary as a plain dict (throughput and its interval included), for the run record."""
        low, high = self.throughput_interval
        return {**asdict(self), "medians_ms": list(self.medians_ms), "p95s_ms": list(self.p95s_ms),
                "throughput": self.throughput, "throughput_low": low, "throughput_high": high}


def summarise_repeats(latencies: Sequence[Latency], level: float = 0.9) -> RepeatedLatency:
    """Summarise independent repeats of one measurement: median over repeats and its interval.

    All repeats must share batch size, thread count and number of calls.
    Each repeat's median and 95th percentile are one value each; their median
    over repeats is reported with :func:`median_interval`, so the interval
    reflects how much the whole measurement moves from one repeat to the next
    (the load on the machine, caches, frequency scaling), which the calls
    within one repeat cannot show. Introduced in the chapter "From notebook
    to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    lats = list(latencies)
    if len(lats) < 2:
        raise DeployError(f"summarise_repeats needs at least 2 repeats, got {len(lats)}")
    settings = {(lat.batch_size, lat.threads, lat.runs) for lat in lats}
    if len(settings) != 1:
        raise DeployError(f"repeats of one measurement must share batch size, threads and runs, got {sorted(settings)}")
    batch_size, threads, runs = settings.pop()
    medians = tuple(lat.median_ms for lat in lats)
    p95s = tuple(lat.p95_ms for lat in lats)
    m_low, m_high, cov = median_interval(medians, level)
    p_low, p_high, _ = median_interval(p95s, level)
    return RepeatedLatency(batch_size, threads, len(lats), runs, medians, p95s, float(np.median(medians)),
                           m_low, m_high, float(np.median(p95s)), p_low, p_high, cov)


def benchmark(measures: Mapping[Hashable, Callable[[], Latency]], repeats: int = 5,
              level: float = 0.9) -> dict[Hashable, RepeatedLatency]:
    """Run every measurement ``repeats`` times, interleaved, and summarise each with :func:`summarise_repeats`.

    ``measures`` maps a name to a function that makes one complete
    measurement, its own warm-up included (e.g. ``lambda:
    deploy.latency(session, runs=40, warmup=4)``). Round ``r`` runs every
    measurement once before round ``r + 1`` starts, so a slow spell on the
    machine falls on all of them rather than on one. Introduced in the chapter
    "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    if int(repeats) < 2:
        raise DeployError(f"benchmark needs at least 2 repeats for an interval, got {repeats}")
    if not measures:
        raise DeployError("benchmark needs at least one measurement")
    results: dict[Hashable, list[Latency]] = {key: [] for key in measures}
    for _ in range(int(repeats)):
        for key, measure in measures.items():
            results[key].append(measure())
    return {key: summarise_repeats(lats, level) for key, lats in results.items()}


# --- Preprocessing and the CPU ------------------------------------------------------------------


def preprocess_frame(encoded: bytes, size: int = 28, resample: str = "bilinear") -> np.ndarray:
    """Decode one encoded image (PNG, JPEG, ...), convert to grey, resize to ``size`` pixels, scale to [-1, 1].

    The device's half of the model: the same mapping as
    ``medlab.data.to_tensor`` (8-bit pixels ``p`` to ``p / 127.5 - 1``),
    returned as a 1 x 1 x size x size float32 batch ready for
    :func:`onnx_logits`. ``resample`` names a Pillow filter (``nearest``,
    ``bilinear``, ``bicubic``, ``box``, ``lanczos``); it must be the one that
    made the training images, or the validated model is not the one running.
    Raises :class:`DeployError` for bytes that are not an image. Introduced in
    the chapter "From notebook to clinic" (chapters/15_from_notebook_to_clinic.ipynb).
    """
    from PIL import Image, UnidentifiedImageError

    filters = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR,
               "bicubic": Image.Resampling.BICUBIC, "box": Image.Resampling.BOX,
               "lanczos": Image.Resampling.LANCZOS}
    if resample not in filters:
        raise DeployError(f"unknown resample filter {resample!r}; use one of {', '.join(filters)}")
    if int(size) < 1:
        raise DeployError(f"size must be a positive number of pixels, got {size}")
    try:
        with Image.open(io.BytesIO(encoded)) as img:
            grey = img.convert("L").resize((int(size), int(size)), filters[resample])
    except (UnidentifiedImageError, OSError) as err:
        raise DeployError(f"could not decode the frame ({len(encoded)} bytes) as an image: {err}") from err
    pixels = np.asarray(grey, dtype=np.float32)
    return (pixels / np.float32(127.5) - np.float32(1.0))[None, None]


INT8_CPU_FLAGS: dict[str, str] = {
    "avx2": "AVX2", "avx512f": "AVX-512", "avx512bw": "AVX-512 BW", "avx512_vnni": "AVX-512 VNNI",
    "avx_vnni": "AVX-VNNI", "amx_tile": "AMX", "amx_int8": "AMX-INT8", "asimddp": "Arm dot product"}
"""The /proc/cpuinfo flags that decide which int8 kernels ONNX Runtime and PyTorch can use, with their names.

VNNI (Vector Neural Network Instructions) multiply-add 8-bit integers in one
instruction; AMX adds tile matrix units on recent Intel Xeons; without them
int8 arithmetic on x86 takes several instructions per product.
"""


def parse_cpu_flags(cpuinfo: str) -> dict[str, Any]:
    """Vendor, family, model number and :data:`INT8_CPU_FLAGS` (present or not) from ``/proc/cpuinfo`` text.

    Only the first processor block is read (all cores of one CPU report the
    same flags). Introduced in the chapter "From notebook to clinic"
    (chapters/15_from_notebook_to_clinic.ipynb).
    """
    info: dict[str, Any] = {}
    flags: set[str] | None = None
    for line in cpuinfo.splitlines():
        if not line.strip():
            if info or flags is not None:
                break
            continue
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key in ("vendor_id", "cpu family", "model", "model name") and key not in info:
            info[key] = value
        elif key in ("flags", "Features") and flags is None:
            flags = set(value.split())
    if flags is None:
        raise DeployError("no 'flags' line found: this is not the text of /proc/cpuinfo")
    return {**info, "flags": {name: flag in flags for flag, name in INT8_CPU_FLAGS.items()}}


def cpu_features(path: str | os.PathLike = "/proc/cpuinfo") -> dict[str, Any]:
    """The CPU's int8-relevant instruction sets (:func:`parse_cpu_flags` of ``path``).

    On systems without ``/proc/cpuinfo`` (macOS, Windows) returns only the
    processor name and an empty ``flags`` dict: the instruction sets are then
    unknown, not absent. Introduced in the chapter "From notebook to clinic"
    (chapters/15_from_notebook_to_clinic.ipynb).
    """
    try:
        text = Path(path).read_text()
    except OSError:
        return {"model name": platform.processor() or platform.machine(), "flags": {}}
    return parse_cpu_flags(text)


__all__ = ["INPUT_NAME", "OUTPUT_NAME", "DeployError", "export_onnx", "load_session", "onnx_logits",
           "onnx_probabilities", "ImageCalibrationReader", "quantize_dynamic_int8", "quantize_static_int8",
           "file_size_mb", "Latency", "latency", "torch_latency", "time_calls", "median_interval",
           "RepeatedLatency", "summarise_repeats", "benchmark", "preprocess_frame", "INT8_CPU_FLAGS",
           "parse_cpu_flags", "cpu_features"]
