"""What a chapter costs: peak memory of a run, and the GPU it ran on.

The runner (:mod:`medlab.book.run`) wraps each chapter in a
:class:`PeakMemory` watcher, which follows the notebook's kernel (a child
process) and records the largest resident set size any of them reached, so
the provenance box and the status page can say "peak memory 1.9 GiB" beside
the wall time. :func:`gpu_info` names the GPU, its driver and the CUDA and
cuDNN versions PyTorch was built with, for the provenance of GPU runs.

Used by the runner, ``python -m medlab.run``, whose records feed the page
"Reproducibility" (reproducibility.md): every chapter's wall time, peak
memory and device.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import Any


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids += [int(p) for p in task.read_text().split()]
        except (OSError, ValueError):
            continue
    return kids


def _hwm_kib(pid: int) -> int:
    """Peak resident set size (VmHWM) of ``pid`` in KiB, 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class PeakMemory:
    """Context manager: the peak resident memory of this process's descendants (the kernel).

    On Linux a thread reads ``VmHWM`` of every descendant process every
    ``interval`` seconds (a process's own high-water mark, so a short peak
    between two reads is not missed; only a process that starts and ends
    between two reads is). Elsewhere it falls back to ``getrusage``'s
    ``ru_maxrss`` of waited-for children, which is a maximum over all
    children so far. ``peak_bytes`` is the largest single process's peak
    (the kernel's, in practice), not a sum.
    """

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._proc = Path("/proc/self/status").exists()

    def _poll_once(self) -> None:
        todo, seen = _children(os.getpid()), set()  # descendants only, not the runner itself
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            self.peak_kib = max(self.peak_kib, _hwm_kib(pid))
            todo += _children(pid)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._poll_once()

    def __enter__(self) -> PeakMemory:
        if self._proc:
            self._poll_once()
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if not self._proc:  # no /proc: the largest waited-for child so far (KiB on Linux, bytes on macOS)
            children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            self.peak_kib = max(self.peak_kib, children // 1024 if sys.platform == "darwin" else children)

    @property
    def peak_bytes(self) -> int:
        """The peak resident set size in bytes."""
        return self.peak_kib * 1024


def gpu_info() -> dict[str, Any] | None:
    """Name, memory, compute capability, driver, CUDA and cuDNN of GPU 0; ``None`` without CUDA.

    The driver version comes from ``nvidia-smi`` when it is on the PATH
    (PyTorch knows only the CUDA API level the driver supports).
    """
    import torch

    if not torch.cuda.is_available():
        return None
    props = torch.cuda.get_device_properties(0)
    info: dict[str, Any] = {
        "name": props.name,
        "memory_gib": round(props.total_memory / 2**30, 1),
        "capability": f"{props.major}.{props.minor}",
        "multiprocessors": props.multi_processor_count,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "driver": None,
    }
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20, check=True).stdout
        info["driver"] = out.strip().splitlines()[0] if out.strip() else None
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def format_bytes(n: int | float | None) -> str:
    """``1.9 GiB``-style text for a byte count (``-`` for None)."""
    if not n:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit in ("B", "KiB") else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


__all__ = ["PeakMemory", "gpu_info", "format_bytes"]
