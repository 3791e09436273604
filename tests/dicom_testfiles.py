"""pydicom's and pydicom-data's test files, for the DICOM tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydicom.data import get_testdata_file


def pydicom_file(name: str) -> Path:
    """Path of one of pydicom's test files; the test skips when it is not installed."""
    path = get_testdata_file(name)
    if path is None:
        pytest.skip(f"{name} not installed (pip install pydicom-data)")
    return Path(path)
