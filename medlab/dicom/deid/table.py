"""PS3.15 Table E.1-1 (Basic Profile column) as data, and what this package does per code.

:data:`ANNEX_E` maps each tag of Table E.1-1 to its action code, read from a
maintained machine-readable copy of the standard's table: the
``dicomfields_2026c`` module of the ``dicom-anonymizer`` package (Kitware,
BSD-3-Clause), generated from DICOM PS3.15 edition **2026c** (652 attributes,
plus the repeating groups curve data ``(50xx,xxxx)``, overlay data
``(60xx,3000)`` and overlay comments ``(60xx,4000)`` in
:data:`ANNEX_E_REPEATING`). :func:`annex_e_table` lists it with keywords.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c as _table
from pydicom.datadict import dictionary_description, keyword_for_tag
from pydicom.tag import BaseTag

from ..errors import AnnexTableError

STANDARD_EDITION = "2026c"
"""Edition of DICOM PS3.15 whose Table E.1-1 :data:`ANNEX_E` holds."""

# dicom-anonymizer's list names -> the standard's action codes.
_CATEGORY_CODES = {
    "D_TAGS": "D",
    "Z_TAGS": "Z",
    "X_TAGS": "X",
    "U_TAGS": "U",
    "Z_D_TAGS": "Z/D",
    "X_Z_TAGS": "X/Z",
    "X_D_TAGS": "X/D",
    "X_Z_D_TAGS": "X/Z/D",
    "X_Z_U_STAR_TAGS": "X/Z/U*",
}


def _load_table() -> tuple[dict[int, str], dict[tuple[int, int], str]]:
    exact: dict[int, str] = {}
    repeating: dict[tuple[int, int], str] = {}
    for name, code in _CATEGORY_CODES.items():
        for entry in getattr(_table, name):
            if len(entry) == 2:
                exact[(entry[0] << 16) | entry[1]] = code
            else:  # (group, element, group mask, element mask)
                group, elem, gmask, emask = entry
                repeating[((group << 16) | elem, (gmask << 16) | emask)] = code
    if len(exact) < 600 or not repeating:
        raise AnnexTableError(
            f"dicom-anonymizer's module {_table.__name__}: its copy of Table E.1-1 looks "
            f"incomplete ({len(exact)} attributes, {len(repeating)} repeating groups; "
            "at least 600 and 1 expected), so de-identification cannot start. Reinstall "
            "the version pinned in requirements.txt: pip install --force-reinstall "
            "dicom-anonymizer")
    return dict(sorted(exact.items())), repeating


ANNEX_E: dict[int, str]
"""The Basic Profile column of Table E.1-1, mapping a tag (``0x00100010``) to its code."""
ANNEX_E_REPEATING: dict[tuple[int, int], str]
"""The repeating-group rows of Table E.1-1 as ``(tag, mask) -> code``.

A tag ``t`` matches a row when ``t & mask == tag``."""
ANNEX_E, ANNEX_E_REPEATING = _load_table()

COMPOUND_CHOICE: dict[str, str] = {
    "X/Z": "X",  # remove
    "X/D": "X",  # remove
    "X/Z/D": "X",  # remove
    "Z/D": "Z",  # empty (Patient ID: salted pseudonym, see _PSEUDONYM_TAGS)
    "X/Z/U*": "U",  # keep the sequence, remap every UID inside it
}
"""What this package does for each compound code of Table E.1-1."""

_PSEUDONYM_TAGS = {0x00100020}  # PatientID (Z/D): "D" with a salted pseudonym


def annex_e_code(tag: int) -> str | None:
    """The Table E.1-1 code of ``tag`` (Basic Profile column), or ``None``.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    tag = int(tag)
    code = ANNEX_E.get(tag)
    if code is not None:
        return code
    for (base, mask), code in ANNEX_E_REPEATING.items():
        if tag & mask == base:
            return code
    return None


def annex_e_table() -> list[dict[str, str]]:
    """Table E.1-1 as rows: tag, keyword, name, code and what this package does.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    rows = []
    for tag, code in ANNEX_E.items():
        try:
            name = dictionary_description(tag)
        except KeyError:
            name = ""
        rows.append({
            "tag": _hex(tag), "keyword": keyword_for_tag(tag), "name": name,
            "code": code, "action": _resolve(tag, code),
        })
    for (tag, mask), code in ANNEX_E_REPEATING.items():
        group = f"{tag >> 24:02X}xx"
        elem = "xxxx" if (mask & 0xFFFF) == 0 else f"{tag & 0xFFFF:04X}"
        rows.append({"tag": f"({group},{elem})", "keyword": keyword_for_tag(tag),
                     "name": "", "code": code, "action": "X"})
    return rows


def _resolve(tag: int, code: str) -> str:
    if tag in _PSEUDONYM_TAGS:
        return "D"
    return COMPOUND_CHOICE.get(code, code)


def _hex(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _name(tag: BaseTag) -> str:
    if tag.is_private:
        return _hex(tag)
    return keyword_for_tag(tag) or _hex(tag)


__all__ = ["ANNEX_E", "ANNEX_E_REPEATING", "COMPOUND_CHOICE", "STANDARD_EDITION",
           "annex_e_code", "annex_e_table"]
