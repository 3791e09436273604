"""medlab.book.resources: peak memory of child processes, byte formatting."""

from __future__ import annotations

import subprocess
import sys

import pytest

from medlab.book.resources import PeakMemory, format_bytes, gpu_info


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_peak_memory_sees_a_child_that_allocates():
    code = "import time; b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(1.2)"
    with PeakMemory(interval=0.1) as small:
        subprocess.run([sys.executable, "-c", "import time; time.sleep(1.2)"], check=True)
    with PeakMemory(interval=0.1) as big:
        subprocess.run([sys.executable, "-c", code], check=True)
    assert big.peak_bytes >= 300 * 2**20
    assert big.peak_bytes > small.peak_bytes


def test_format_bytes():
    assert format_bytes(None) == "-"
    assert format_bytes(512) == "512 B"
    assert format_bytes(3 * 2**30 // 2) == "1.5 GiB"


def test_gpu_info_is_none_without_cuda():
    import torch

    if torch.cuda.is_available():
        info = gpu_info()
        assert info["name"] and info["cuda"]
    else:
        assert gpu_info() is None
