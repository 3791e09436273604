"""The value-level operations of de-identification: new UIDs, pseudonyms, shifted dates.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, timedelta
from typing import Any

from pydicom.uid import UID_dictionary, generate_uid

from ..errors import DeidError

UID_PREFIX = "1.2.826.0.1.3680043.8.498."  # pydicom's root (pydicom.uid.PYDICOM_ROOT_UID)

_DUMMY: dict[str, Any] = {
    "AE": "ANONYMOUS",
    "AS": "000Y",
    "CS": "ANONYMIZED",
    "DA": "19000101",
    "DT": "19000101000000",
    "TM": "000000",
    "DS": "0",
    "IS": "0",
    "LO": "ANONYMIZED",
    "LT": "ANONYMIZED",
    "PN": "ANONYMIZED",
    "SH": "ANONYMIZED",
    "ST": "ANONYMIZED",
    "UC": "ANONYMIZED",
    "UT": "ANONYMIZED",
    "UR": "urn:anonymized",
}
_NUMERIC_VRS = {"US", "SS", "UL", "SL", "FL", "FD", "SV", "UV", "AT"}
_BYTES_VRS = {"OB", "OW", "OF", "OD", "OL", "OV", "UN"}
#: Value representations of names and narrative text. Outside Table E.1-1 they
#: are removed: the Basic Profile cannot clean free text (no Clean Descriptors).
FREE_TEXT_VRS = frozenset({"PN", "LT", "ST", "UT", "UC"})


def remap_uid(uid: str, salt: str) -> str:
    """The new UID for ``uid``: deterministic for a given salt, keyed by it.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    key = hmac.new(salt.encode("utf-8"), str(uid).strip().encode("utf-8"),
                   hashlib.sha256).hexdigest()
    return str(generate_uid(prefix=UID_PREFIX, entropy_srcs=[key]))


def pseudonym(value: str, salt: str, prefix: str = "ANON-") -> str:
    """A short salted pseudonym for an identifier (used for Patient ID).

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    digest = hmac.new(salt.encode("utf-8"), str(value).strip().encode("utf-8"),
                      hashlib.sha256).hexdigest()
    return prefix + digest[:12].upper()


_DA = re.compile(r"^(\d{4})\.?(\d{2})\.?(\d{2})$")
_DT = re.compile(r"^(\d{8})(.*)$")


def shift_date(value: str, days: int, vr: str = "DA") -> str:
    """Shift one DA (``YYYYMMDD``) or DT value by ``days``; keep a DT's time part.

    Ranges (``A-B``, used in queries) are shifted at both ends. Raises
    :class:`DeidError` (a ``ValueError``) when the value is not a full, valid
    date (for example a DT with only a year), since such a value cannot be
    shifted by an exact number of days.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    value = str(value).strip()
    if not value:
        return value
    if vr == "DA" and "-" in value:
        return "-".join(shift_date(v, days, "DA") if v else v for v in value.split("-"))
    if vr == "DA":
        m = _DA.match(value)
        if not m:
            raise DeidError(f"not a DA value: {value!r}")
        y, mo, d = (int(x) for x in m.groups())
        rest = ""
    else:
        m = _DT.match(value)
        if not m:
            raise DeidError(f"DT value without a full date: {value!r}")
        y, mo, d = int(m[1][:4]), int(m[1][4:6]), int(m[1][6:8])
        rest = m[2]
    try:
        new = date(y, mo, d) + timedelta(days=days)
    except (ValueError, OverflowError) as exc:
        raise DeidError(f"not a valid date: {value!r} ({exc})") from None
    return f"{new:%Y%m%d}{rest}"


def _dummy(vr: str) -> Any:
    vr = vr.split(" or ")[0]
    if vr in _DUMMY:
        return _DUMMY[vr]
    if vr in _NUMERIC_VRS:
        return 0
    if vr in _BYTES_VRS:
        return b"\x00" * 8
    return None


def _needs_unlisted_remap(keyword: str, value: Any) -> bool:
    """A UI element outside the table is remapped unless it names a class,
    a transfer syntax, or a UID registered by the standard."""
    if re.search(r"Class|TransferSyntax", keyword):
        return False
    values = [value] if isinstance(value, str) else list(value)
    return any(v and str(v) not in UID_dictionary for v in values)


__all__ = ["FREE_TEXT_VRS", "UID_PREFIX", "pseudonym", "remap_uid", "shift_date"]
