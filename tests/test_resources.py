"""medlab.runtime.resources: peak memory of child processes, byte formatting."""

from __future__ import annotations

import subprocess
import sys

import pytest

from medlab.runtime.resources import format_bytes, gpu_info


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_peak_memory_sees_a_child_that_allocates():
    # In a fresh interpreter, so that no other child of the test process (a notebook
    # kernel, a DataLoader worker) is among the descendants being watched.
    script = """
import subprocess, sys
from medlab.runtime.resources import PeakMemory
grow = "import time; b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(1.2)"
with PeakMemory(interval=0.1) as small:
    subprocess.run([sys.executable, "-c", "import time; time.sleep(1.2)"], check=True)
with PeakMemory(interval=0.1) as big:
    subprocess.run([sys.executable, "-c", grow], check=True)
print(small.peak_bytes, big.peak_bytes)
"""
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    small, big = map(int, out.split())
    assert big >= 300 * 2**20
    assert small < 100 * 2**20  # a sleeping interpreter, not the 300 MiB one


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
