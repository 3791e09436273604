"""Check afterwards: does any known identifying value survive anywhere in a dataset?

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydicom.dataset import Dataset
from pydicom.tag import Tag

from .table import _name


def find_phi(ds: Dataset, values: Iterable[str]) -> list[str]:
    """Element paths where any of ``values`` still occurs (case-insensitive).

    Every element is searched, file meta information, nested sequence items
    and private elements included; byte values (OB, UN, ...) are searched for
    the UTF-8 encoding. Pixel data (group 7FE0) are not searched: text burned
    into an image is not a header value. Example result:
    ``["ReferencedStudySequence[0].ReferencedSOPInstanceUID"]``.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    if isinstance(values, (str, bytes)):
        values = [values]
    needles = [str(v).lower() for v in values if str(v)]
    byte_needles = [n.encode("utf-8") for n in needles]
    hits: list[str] = []

    def contains(value: Any) -> bool:
        if value is None:
            return False
        if isinstance(value, (bytes, bytearray)):
            raw = bytes(value).lower()
            return any(n in raw for n in byte_needles)
        if isinstance(value, str):
            text = value.lower()
            return any(n in text for n in needles)
        if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
            return any(contains(v) for v in value)
        return contains(str(value))

    def visit(d: Dataset, prefix: str) -> None:
        for tag in list(d.keys()):
            tag = Tag(tag)
            path = prefix + _name(tag)
            try:
                elem = d[tag]
            except Exception:  # unconvertible value: search the raw bytes
                raw = d.get_item(tag)
                if contains(getattr(raw, "value", None)):
                    hits.append(path)
                continue
            if elem.VR == "SQ":
                for i, item in enumerate(elem.value or []):
                    visit(item, f"{path}[{i}].")
            elif tag.group != 0x7FE0 and contains(elem.value):
                hits.append(path)

    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        visit(meta, "file_meta.")
    visit(ds, "")
    return hits


__all__ = ["find_phi"]
