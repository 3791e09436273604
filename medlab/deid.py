"""De-identify DICOM files with the Basic Application Level Confidentiality Profile.

The DICOM standard says attribute by attribute what a de-identifier must do
(PS3.15 Annex E, Table E.1-1, "Basic Prof." column). This module applies that
table to a pydicom ``Dataset`` (:func:`deidentify`), to a file
(:func:`deidentify_file`) and to a folder (:func:`deidentify_folder`), and
:func:`find_phi` checks afterwards that none of a list of known identifying
strings survived anywhere, nested sequences and private tags included.

The table
    :data:`ANNEX_E` maps each tag of Table E.1-1 to its action code, read from
    a maintained machine-readable copy of the standard's table: the
    ``dicomfields_2026c`` module of the ``dicom-anonymizer`` package
    (Kitware, BSD-3-Clause), generated from DICOM PS3.15 edition **2026c**
    (652 attributes, plus the repeating groups curve data ``(50xx,xxxx)``,
    overlay data ``(60xx,3000)`` and overlay comments ``(60xx,4000)`` in
    :data:`ANNEX_E_REPEATING`). :func:`annex_e_table` lists it with keywords.

Action codes (PS3.15 E.1.1)
    ``X`` remove; ``Z`` replace with a zero-length value; ``D`` replace with a
    non-zero-length dummy value of the element's VR; ``U`` replace a UID with
    another one, consistently within the set of instances; ``K`` keep. The
    compound codes leave a choice to the implementer; this module takes the
    strictest choice that keeps the output useful (:data:`COMPOUND_CHOICE`):
    ``X/Z``, ``X/D``, ``X/Z/D`` -> ``X`` (remove); ``Z/D`` -> ``Z`` (empty),
    except Patient ID, which gets a salted pseudonym (``D``) so that the
    studies of one patient stay linked; ``X/Z/U*`` (Referenced Image Sequence,
    Source Image Sequence) -> ``U``: the sequence is kept and every UID inside
    it is remapped with the same mapping as the rest of the data, so that
    references between images survive. A sequence whose code is ``D`` is
    emptied (reported ``Z``): a dummy item would carry no information either.

Beyond the table (all stricter, none looser)
    * every private element (odd group) is removed, at every nesting level;
    * whole overlay groups ``(60xx,xxxx)`` are removed, not only the overlay
      data and comments, since an overlay can draw text on the image;
    * retired group-length elements ``(gggg,0000)`` are dropped (they would
      be wrong after removals), and the file meta information is rebuilt with
      only what a reader needs;
    * a date (DA, DT) that the table does not list is removed too, or shifted
      with ``date_offset_days``;
    * a UID element that the table does not list is remapped too when its
      value is not a UID registered by the standard (for example
      ``MultiFrameSourceSOPInstanceUID``); class and transfer-syntax UIDs are
      kept.

UIDs
    A UID ``u`` becomes ``generate_uid(prefix=UID_PREFIX,
    entropy_srcs=[HMAC-SHA256(salt, u)])``: deterministic, so that the same
    salt maps the same study to the same new ``StudyInstanceUID`` in every
    file and every run, and keyed, so that nobody without the salt can test
    a guessed original UID. Treat the salt as a secret key; use a new one when
    two releases must not be linkable. ``UID_PREFIX`` is pydicom's root,
    suitable for teaching; an institution would use its own root.

Dates
    By default dates and times follow the table (removed, emptied or
    dummied). With ``date_offset_days=N`` every DA and DT value is instead
    shifted by N days (the time part of a DT is kept) and TM values are kept:
    the "Retain Longitudinal Temporal Information with Modified Dates" option
    (code 113107), which keeps the intervals between studies. The patient's
    birth date and time still follow the table. Whoever knows N can undo the
    shift: choose it at random per project and keep it secret.

Burned-in text
    Pixel data are never changed. A dataset whose ``BurnedInAnnotation`` is
    ``YES`` is refused (:class:`BurnedInAnnotationError`) unless
    ``allow_burned_in=True``, which proceeds and adds a warning to
    ``report.flags``. When the attribute is missing for a modality where
    text is often burned into the pixels (:data:`BURNED_IN_MODALITIES`:
    ultrasound, secondary capture, photographs, endoscopy, "other") the
    report is flagged too. Only a person (or an OCR step, not done here) can
    check the pixels themselves.

Limitations
    Free text in attributes the table keeps (for example coded concept
    meanings) is not inspected; faces can be reconstructed from CT and MR
    volumes of the head; pixel data are not cleaned. File and folder names
    are replaced by :func:`deidentify_folder` (unless ``keep_names=True``),
    but a name given to :func:`deidentify_file` is the caller's
    responsibility. Truncated files are recognised by heuristics (an element
    shorter than its declared length, an unterminated item, an image without
    pixel data): pydicom itself reads a cut-off file without complaint. A file
    without the ``DICM`` preamble is read only when it starts with a group
    0008 or 0002 element. Attributes of the 2026c table newer than pydicom's
    dictionary are handled by tag and reported as ``"(gggg,eeee)"``.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

import pydicom
from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c as _table
from pydicom.datadict import dictionary_description, keyword_for_tag
from pydicom.dataelem import DataElement, empty_value_for_VR
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag, Tag
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    UID,
    UID_dictionary,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    MediaStorageDirectoryStorage,
    generate_uid,
)

__all__ = [
    "ANNEX_E",
    "ANNEX_E_REPEATING",
    "BURNED_IN_MODALITIES",
    "COMPOUND_CHOICE",
    "STANDARD_EDITION",
    "BurnedInAnnotationError",
    "DeidError",
    "DeidReport",
    "FolderReport",
    "UnreadableDicomError",
    "annex_e_code",
    "annex_e_table",
    "deidentify",
    "deidentify_file",
    "deidentify_folder",
    "find_phi",
    "pseudonym",
    "read_dicom",
    "remap_uid",
    "shift_date",
]

STANDARD_EDITION = "2026c"
"""Edition of DICOM PS3.15 whose Table E.1-1 :data:`ANNEX_E` holds."""

UID_PREFIX = "1.2.826.0.1.3680043.8.498."  # pydicom's root (pydicom.uid.PYDICOM_ROOT_UID)

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
        raise ImportError("the Annex E table of dicom-anonymizer looks incomplete")
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
"""What this module does for each compound code of Table E.1-1."""

_PSEUDONYM_TAGS = {0x00100020}  # PatientID (Z/D): "D" with a salted pseudonym
_NEVER_SHIFT = {0x00100030, 0x00100032}  # PatientBirthDate, PatientBirthTime
_PATIENT_IDENTITY_REMOVED = 0x00120062
_DEID_METHOD = 0x00120063
_DEID_METHOD_CODES = 0x00120064
_LONGITUDINAL_MODIFIED = 0x00280303

BURNED_IN_MODALITIES = frozenset({"US", "SC", "XC", "ES", "OT"})
"""Modalities flagged when ``BurnedInAnnotation`` is missing: ultrasound,
secondary capture, external-camera photography, endoscopy and "other" often
carry names, dates or measurements drawn into the pixels."""

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
# Strictness, to report one action per keyword when a keyword occurs twice.
_RANK = {"X": 6, "Z": 5, "D": 4, "U": 3, "shifted": 2, "K": 1}


class DeidError(ValueError):
    """A dataset or file could not be de-identified."""


class BurnedInAnnotationError(DeidError):
    """``BurnedInAnnotation`` is ``YES`` and ``allow_burned_in`` was not given."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class UnreadableDicomError(DeidError):
    """A file is not DICOM, or is truncated or incomplete."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass
class DeidReport:
    """What :func:`deidentify` did to one dataset.

    ``actions`` maps each attribute's keyword (or ``"(gggg,eeee)"`` for a
    private or unknown tag) to the action taken (``X``, ``Z``, ``D``, ``U``,
    ``shifted``, ``K``; the strictest one when the keyword occurs at several
    places); ``paths`` gives the action for every element path, for example
    ``"ReferencedImageSequence[0].ReferencedSOPInstanceUID"``; ``flags`` holds
    the warnings a person should read (burned-in text, dates not shifted).
    """

    actions: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    paths: dict[str, str] = field(default_factory=dict)
    method: str = ""
    date_offset_days: int | None = None

    def summary(self) -> str:
        """One line: how many elements were removed, emptied, ... and the warnings."""
        words = {"X": "removed", "Z": "emptied", "D": "replaced", "U": "UIDs remapped",
                 "shifted": "dates shifted", "K": "kept"}
        counts = ", ".join(f"{n} {words[a]}" for a, n in self.counts().items())
        return f"{self.method}: {counts}; {len(self.flags)} warning(s)."

    def counts(self) -> dict[str, int]:
        """How many elements (at every nesting level) got each action."""
        out: dict[str, int] = {}
        for action in self.paths.values():
            out[action] = out.get(action, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: -_RANK[kv[0]]))

    def _record(self, name: str, path: str, action: str) -> None:
        self.paths[path] = action
        old = self.actions.get(name)
        if old is None or _RANK[action] > _RANK[old]:
            self.actions[name] = action


@dataclass
class FolderReport:
    """What :func:`deidentify_folder` did: files written, files skipped and why."""

    src_dir: Path
    dst_dir: Path
    written: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    flags: list[tuple[Path, str]] = field(default_factory=list)
    sources: dict[Path, Path] = field(default_factory=dict)  # written file -> its source
    method: str = ""

    def summary(self, max_listed: int = 5) -> str:
        """One short paragraph, with names relative to the source folder."""
        total = len(self.written) + len(self.skipped)
        parts = [
            f"De-identified {len(self.written)} of {total} files into "
            f"'{self.dst_dir.name}' ({self.method})."
        ]
        if self.skipped:
            parts.append(f"Skipped {len(self.skipped)}: " + _listing(
                [f"{self._rel(p)} ({_short_reason(why)})" for p, why in self.skipped],
                max_listed) + ".")
        if self.flags:
            files = sorted({self._rel(p) for p, _ in self.flags})
            parts.append(f"{len(self.flags)} warning(s) for {len(files)} file(s), "
                         f"check their pixels: " + _listing(files, max_listed) + ".")
        return " ".join(parts)

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.src_dir).as_posix()
        except ValueError:
            return path.name


def _short_reason(reason: str) -> str:
    return reason.split(":")[0].split(" (")[0].strip()


def _listing(items: list[str], max_listed: int) -> str:
    text = "; ".join(items[:max_listed])
    if len(items) > max_listed:
        text += f"; and {len(items) - max_listed} more"
    return text


# ----------------------------------------------------------------------------- table
def annex_e_code(tag: int) -> str | None:
    """The Table E.1-1 code of ``tag`` (Basic Profile column), or ``None``."""
    tag = int(tag)
    code = ANNEX_E.get(tag)
    if code is not None:
        return code
    for (base, mask), code in ANNEX_E_REPEATING.items():
        if tag & mask == base:
            return code
    return None


def annex_e_table() -> list[dict[str, str]]:
    """Table E.1-1 as rows: tag, keyword, name, code and what this module does."""
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


# -------------------------------------------------------------------- primitives
def remap_uid(uid: str, salt: str) -> str:
    """The new UID for ``uid``: deterministic for a given salt, keyed by it."""
    key = hmac.new(salt.encode("utf-8"), str(uid).strip().encode("utf-8"),
                   hashlib.sha256).hexdigest()
    return str(generate_uid(prefix=UID_PREFIX, entropy_srcs=[key]))


def pseudonym(value: str, salt: str, prefix: str = "ANON-") -> str:
    """A short salted pseudonym for an identifier (used for Patient ID)."""
    digest = hmac.new(salt.encode("utf-8"), str(value).strip().encode("utf-8"),
                      hashlib.sha256).hexdigest()
    return prefix + digest[:12].upper()


_DA = re.compile(r"^(\d{4})\.?(\d{2})\.?(\d{2})$")
_DT = re.compile(r"^(\d{8})(.*)$")


def shift_date(value: str, days: int, vr: str = "DA") -> str:
    """Shift one DA (``YYYYMMDD``) or DT value by ``days``; keep a DT's time part.

    Ranges (``A-B``, used in queries) are shifted at both ends. Raises
    ``ValueError`` when the value is not a full date (for example a DT with
    only a year), since such a value cannot be shifted by an exact number of days.
    """
    value = str(value).strip()
    if not value:
        return value
    if vr == "DA" and "-" in value:
        return "-".join(shift_date(v, days, "DA") if v else v for v in value.split("-"))
    if vr == "DA":
        m = _DA.match(value)
        if not m:
            raise ValueError(f"not a DA value: {value!r}")
        y, mo, d = (int(x) for x in m.groups())
        rest = ""
    else:
        m = _DT.match(value)
        if not m:
            raise ValueError(f"DT value without a full date: {value!r}")
        y, mo, d = int(m[1][:4]), int(m[1][4:6]), int(m[1][6:8])
        rest = m[2]
    new = date(y, mo, d) + timedelta(days=days)
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


# --------------------------------------------------------------------- the walker
class _Walker:
    def __init__(self, salt: str, offset: int | None, report: DeidReport) -> None:
        self.salt = salt
        self.offset = offset
        self.report = report
        self._uids: dict[str, str] = {}

    def uid(self, value: str) -> str:
        value = str(value).strip()
        if not value:
            return value
        if value not in self._uids:
            self._uids[value] = remap_uid(value, self.salt)
        return self._uids[value]

    def decide(self, tag: BaseTag, elem: DataElement) -> str:
        group = tag.group
        if tag.is_private:
            return "X"
        if 0x6000 <= group <= 0x601E or 0x5000 <= group <= 0x501E:
            return "X"  # overlays (stricter than the table) and curves
        if tag.element == 0x0000:
            return "X"  # retired group length, wrong after removals
        vr = elem.VR
        code = annex_e_code(tag)
        if self.offset is not None and tag not in _NEVER_SHIFT:
            if vr in ("DA", "DT"):
                return "shifted"
            if vr == "TM":
                return "K"
        if code is None:
            if vr in ("DA", "DT"):
                return "X"  # a date the table does not list (stricter than the table)
            if vr == "UI" and elem.value and _needs_unlisted_remap(_name(tag),
                                                                   elem.value):
                return "U"
            return "K"
        return _resolve(tag, code)

    def walk(self, ds: Dataset, prefix: str = "") -> None:
        for tag in list(ds.keys()):
            tag = Tag(tag)
            name = _name(tag)
            path = prefix + name
            try:
                elem = ds[tag]
            except Exception:  # noqa: BLE001 - a value pydicom cannot decode
                del ds[tag]
                self.report.flags.append(f"{path}: undecodable value, removed")
                self.report._record(name, path, "X")
                continue
            action = self.decide(tag, elem)
            action = self.apply(ds, tag, elem, action, path)
            self.report._record(name, path, action)

    def apply(self, ds: Dataset, tag: BaseTag, elem: DataElement, action: str,
              path: str) -> str:
        vr = elem.VR
        if action == "X":
            del ds[tag]
            return "X"
        if action == "Z":
            elem.value = empty_value_for_VR(vr)
            return "Z"
        if action == "D":
            if vr == "SQ":
                elem.value = []
                return "Z"
            if vr == "UI":
                return self.apply(ds, tag, elem, "U", path)
            if int(tag) in _PSEUDONYM_TAGS:
                if elem.value:
                    elem.value = pseudonym(elem.value, self.salt)
                return "D"
            dummy = _dummy(vr)
            if dummy is None:
                del ds[tag]
                return "X"
            elem.value = dummy
            return "D"
        if action == "U":
            if vr == "SQ":
                self._walk_items(elem, path)
                return "U"
            if vr != "UI":
                del ds[tag]
                return "X"
            value = elem.value
            if isinstance(value, str):
                elem.value = self.uid(value)
            elif value is not None:
                elem.value = [self.uid(v) for v in value]
            return "U"
        if action == "shifted":
            try:
                value = elem.value
                if isinstance(value, str) or value is None:
                    elem.value = shift_date(value or "", self.offset, vr)
                else:
                    elem.value = [shift_date(v, self.offset, vr) for v in value]
                return "shifted"
            except ValueError:
                self.report.flags.append(
                    f"{path}: date could not be shifted by whole days, emptied")
                elem.value = empty_value_for_VR(vr)
                return "Z"
        if vr == "SQ":
            self._walk_items(elem, path)
        return "K"

    def _walk_items(self, elem: DataElement, path: str) -> None:
        for i, item in enumerate(elem.value or []):
            self.walk(item, f"{path}[{i}].")


# ----------------------------------------------------------------------- datasets
def _method(offset: int | None) -> str:
    dates = "dates shifted" if offset is not None else "dates removed"
    return f"medlab.deid PS3.15 Annex E Basic; {dates}; UIDs remapped"


def _code_item(value: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = "DCM"
    item.CodeMeaning = meaning
    return item


def _check_burned_in(ds: Dataset, allow: bool, report: DeidReport) -> None:
    value = str(ds.get("BurnedInAnnotation", "") or "").strip().upper()
    modality = str(ds.get("Modality", "") or "").strip().upper()
    if value == "YES":
        if not allow:
            raise BurnedInAnnotationError(
                "BurnedInAnnotation is YES: the pixels show identifying text; "
                "clean the pixels first, or pass allow_burned_in=True to proceed "
                "and review the images by hand")
        report.flags.append("BurnedInAnnotation is YES: pixel data may show identifying "
                            "text (allowed by allow_burned_in=True); pixels not cleaned")
    elif value != "NO" and modality in BURNED_IN_MODALITIES:
        report.flags.append(f"BurnedInAnnotation is missing for modality {modality}: "
                            "burned-in text is common there; check the pixels")
    if str(ds.get("RecognizableVisualFeatures", "") or "").strip().upper() == "YES":
        report.flags.append("RecognizableVisualFeatures is YES: the image may show "
                            "a recognisable face or body feature")


def deidentify(ds: Dataset, *, salt: str, date_offset_days: int | None = None,
               allow_burned_in: bool = False) -> tuple[Dataset, DeidReport]:
    """De-identify a dataset with the Basic Profile; ``ds`` is not modified.

    Returns a new dataset and a :class:`DeidReport`. When ``ds`` has file
    meta information the new dataset is a ``FileDataset`` with rebuilt file
    meta (``MediaStorageSOPInstanceUID`` equal to the new ``SOPInstanceUID``)
    and a zeroed preamble, so ``save_as`` writes a complete file. ``salt`` keys the UID mapping and the
    Patient ID pseudonym (keep it secret; the same salt gives the same
    mapping). ``date_offset_days`` shifts dates instead of removing them.
    Raises :class:`BurnedInAnnotationError` when ``BurnedInAnnotation`` is
    ``YES`` unless ``allow_burned_in`` is true.
    """
    if not isinstance(salt, str) or not salt:
        raise DeidError("salt must be a non-empty string (a secret key)")
    if date_offset_days is not None:
        if isinstance(date_offset_days, bool) or not isinstance(date_offset_days, int):
            raise DeidError("date_offset_days must be an int or None")
    report = DeidReport(method=_method(date_offset_days),
                        date_offset_days=date_offset_days)
    _check_burned_in(ds, allow_burned_in, report)

    walker = _Walker(salt, date_offset_days, report)
    with warnings.catch_warnings():
        # pydicom warns about badly formatted values in the source while it
        # decodes them; they are removed, replaced or kept as they were.
        warnings.simplefilter("ignore", UserWarning)
        source = copy.deepcopy(ds)
        out = Dataset()
        for elem in source:  # a plain Dataset: no file name, preamble or file object
            out.add(elem)
        walker.walk(out)

    out.PatientIdentityRemoved = "YES"
    out.DeidentificationMethod = report.method
    codes = [_code_item("113100", "Basic Application Confidentiality Profile")]
    if date_offset_days is not None:
        codes.append(_code_item(
            "113107", "Retain Longitudinal Temporal Information Modified Dates Option"))
    out.DeidentificationMethodCodeSequence = Sequence(codes)
    out.LongitudinalTemporalInformationModified = (
        "MODIFIED" if date_offset_days is not None else "REMOVED")
    for tag in (_PATIENT_IDENTITY_REMOVED, _DEID_METHOD, _DEID_METHOD_CODES,
                _LONGITUDINAL_MODIFIED):
        report._record(_name(Tag(tag)), _name(Tag(tag)), "D")

    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        # a FileDataset with a zero preamble, so that a plain ``save_as`` writes
        # a complete DICOM file; no file name, nothing of the source's preamble
        new_meta = _new_meta(meta, out, walker, report, ds)
        out = FileDataset("", out, file_meta=new_meta, preamble=b"\x00" * 128)
    return out, report


def _transfer_syntax(meta: Dataset, ds: Dataset) -> UID | None:
    syntax = meta.get("TransferSyntaxUID")
    if syntax:
        return UID(syntax)
    implicit, little = getattr(ds, "original_encoding", (None, None))
    if implicit is None:
        return None
    if implicit:
        return ImplicitVRLittleEndian
    return ExplicitVRLittleEndian if little else ExplicitVRBigEndian


def _new_meta(meta: Dataset, out: Dataset, walker: _Walker, report: DeidReport,
              original: Dataset) -> FileMetaDataset:
    new = FileMetaDataset()
    new.FileMetaInformationVersion = b"\x00\x01"
    sop_class = out.get("SOPClassUID") or meta.get("MediaStorageSOPClassUID")
    if sop_class:
        new.MediaStorageSOPClassUID = sop_class
    sop_instance = out.get("SOPInstanceUID")
    if not sop_instance and meta.get("MediaStorageSOPInstanceUID"):
        sop_instance = walker.uid(meta.MediaStorageSOPInstanceUID)
    if sop_instance:
        new.MediaStorageSOPInstanceUID = sop_instance
    syntax = _transfer_syntax(meta, original)
    if syntax:
        new.TransferSyntaxUID = syntax
    new.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    new.ImplementationVersionName = f"PYDICOM {pydicom.__version__}"[:16]
    kept = {"FileMetaInformationGroupLength", "FileMetaInformationVersion",
            "MediaStorageSOPClassUID", "TransferSyntaxUID"}
    for elem in meta:
        name = _name(elem.tag)
        if name == "MediaStorageSOPInstanceUID":
            action = "U"
        elif name in kept:
            action = "K"
        else:
            action = "X" if name not in new else "D"
        report._record(name, f"file_meta.{name}", action)
    return new


# ----------------------------------------------------------------------- find_phi
def find_phi(ds: Dataset, values: Iterable[str]) -> list[str]:
    """Element paths where any of ``values`` still occurs (case-insensitive).

    Every element is searched, file meta information, nested sequence items
    and private elements included; byte values (OB, UN, ...) are searched for
    the UTF-8 encoding. Pixel data (group 7FE0) are not searched: text burned
    into an image is not a header value. Example result:
    ``["ReferencedStudySequence[0].ReferencedSOPInstanceUID"]``.
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
            low = bytes(value).lower()
            return any(n in low for n in byte_needles)
        if isinstance(value, str):
            low = value.lower()
            return any(n in low for n in needles)
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


# -------------------------------------------------------------------------- files
def read_dicom(path: str | os.PathLike[str]) -> Dataset:
    """Read a DICOM file, refusing non-DICOM, truncated or incomplete ones.

    The checks of :func:`medlab.dicom.read_dataset` (not DICOM, cut-off
    elements, no file meta) apply; de-identification adds two: a file without
    the ``DICM`` preamble is accepted when its data set starts right away with
    a group 0008 or 0002 element, and an image must still have its pixel data.
    Raises :class:`UnreadableDicomError` (the message names the file).
    """
    from . import dicom  # medlab.dicom: the book's one DICOM reader

    path = Path(path)
    try:
        ds = dicom.read_dataset(path, lazy=False)
    except dicom.NotDicomError:
        ds = _read_headerless(path)
        if ds is None:
            raise UnreadableDicomError(f"{path.name}: not a DICOM file", path) from None
    except dicom.DicomError as exc:
        raise UnreadableDicomError(str(exc), path) from None
    if _image_without_pixels(ds):
        raise UnreadableDicomError(f"{path.name}: image without pixel data (truncated?)", path)
    return ds


def _read_headerless(path: Path) -> Dataset | None:
    """A preamble-less file whose data set starts with group 0008/0002, else ``None``."""
    with open(path, "rb") as fh:
        if fh.read(2) not in (b"\x08\x00", b"\x02\x00"):
            return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, force=True)
    except Exception:  # noqa: BLE001 - pydicom raises many kinds
        return None
    if "SOPClassUID" not in ds:
        return None
    if getattr(ds, "file_meta", None) is None:
        ds.file_meta = FileMetaDataset()
    return ds


def _image_without_pixels(ds: Dataset) -> bool:
    has_pixels = any(t in ds for t in (0x7FE00010, 0x7FE00008, 0x7FE00009))
    sop_class = str(ds.get("SOPClassUID", "") or "")
    is_image = "Rows" in ds or (bool(sop_class) and "Image Storage" in UID(sop_class).name)
    return is_image and not has_pixels


def _save(ds: Dataset, fh: Any) -> None:
    ds.save_as(fh, enforce_file_format=True)


def _write_atomic(ds: Dataset, dst: Path) -> None:
    """Write to a temporary file beside ``dst``, then rename it into place."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".part", dir=dst.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            _save(ds, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def deidentify_file(src: str | os.PathLike[str], dst: str | os.PathLike[str], *,
                    salt: str, date_offset_days: int | None = None,
                    allow_burned_in: bool = False) -> DeidReport:
    """De-identify one file into ``dst``, atomically (temp file + ``os.replace``).

    Nothing is written when anything fails; errors are :class:`DeidError`
    subclasses that name the file. The output name is the caller's choice:
    make sure it carries no identifier.
    """
    src, dst = Path(src), Path(dst)
    if _same_file(src, dst):
        raise DeidError(f"{src.name}: refusing to overwrite the original file")
    out, report = _deidentify_path(src, salt, date_offset_days, allow_burned_in)
    _write_atomic(out, dst)
    return report


def _check_writable(out: Dataset, src: Path) -> None:
    meta = out.file_meta
    missing = [k for k in ("MediaStorageSOPClassUID", "MediaStorageSOPInstanceUID",
                           "TransferSyntaxUID") if not meta.get(k)]
    if missing:
        raise DeidError(f"{src.name}: cannot write a DICOM file without "
                        + ", ".join(missing))


def _deidentify_path(src: Path, salt: str, offset: int | None,
                     allow: bool) -> tuple[Dataset, DeidReport]:
    ds = read_dicom(src)
    if (ds.get("SOPClassUID") == MediaStorageDirectoryStorage
            or "DirectoryRecordSequence" in ds):
        raise DeidError(f"{src.name}: a DICOMDIR (it names the original files); "
                        "build a new one from the de-identified files")
    try:
        out, report = deidentify(ds, salt=salt, date_offset_days=offset,
                                 allow_burned_in=allow)
    except BurnedInAnnotationError as exc:
        raise BurnedInAnnotationError(f"{src.name}: {exc}", src) from None
    _check_writable(out, src)
    return out, report


def _short(uid: Any) -> str:
    return hashlib.sha256(str(uid or "none").encode()).hexdigest()


def _output_name(out: Dataset) -> Path:
    study = _short(out.get("StudyInstanceUID"))[:10]
    series = _short(out.get("SeriesInstanceUID"))[:10]
    sop = out.get("SOPInstanceUID") or out.file_meta.get("MediaStorageSOPInstanceUID")
    return Path(f"study-{study}", f"series-{series}", f"{_short(sop)[:16]}.dcm")


def deidentify_folder(src_dir: str | os.PathLike[str],
                      dst_dir: str | os.PathLike[str], *, salt: str, date_offset_days: int | None = None,
                      allow_burned_in: bool = False,
                      keep_names: bool = False) -> FolderReport:
    """De-identify every file under ``src_dir`` into ``dst_dir``.

    Files that are not DICOM, are truncated, are refused (burned-in text) or
    fail for any other reason are skipped and listed in ``report.skipped``
    with the reason; the batch never stops for one bad file. Output names
    carry no original name: ``study-<h>/series-<h>/<h>.dcm`` where each ``<h>``
    is a hash of the new UID, since folder and file names often hold patient
    IDs, names or dates. ``keep_names=True`` mirrors the source layout
    instead.
    """
    src_dir, dst_dir = Path(src_dir), Path(dst_dir)
    if not src_dir.is_dir():
        raise DeidError(f"not a folder: {src_dir.name}")
    if _same_file(src_dir, dst_dir):
        raise DeidError("the destination must differ from the source folder")
    if not isinstance(salt, str) or not salt:
        raise DeidError("salt must be a non-empty string (a secret key)")
    report = FolderReport(src_dir=src_dir, dst_dir=dst_dir,
                          method=_method(date_offset_days))
    dst_resolved = dst_dir.resolve()
    files = sorted(p for p in src_dir.rglob("*")
                   if p.is_file() and dst_resolved not in p.resolve().parents)
    for src in files:
        try:
            out, rep = _deidentify_path(src, salt, date_offset_days, allow_burned_in)
            rel = src.relative_to(src_dir) if keep_names else _output_name(out)
            dst = dst_dir / rel
            if dst in report.sources:
                other = report._rel(report.sources[dst])
                raise DeidError(f"same SOP Instance UID as {other}")
            _write_atomic(out, dst)
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the batch
            report.skipped.append((src, _reason(exc, src)))
            continue
        report.written.append(dst)
        report.sources[dst] = src
        report.flags.extend((src, flag) for flag in rep.flags)
    return report


def _reason(exc: Exception, src: Path) -> str:
    text = str(exc)
    prefix = f"{src.name}: "
    if text.startswith(prefix):
        text = text[len(prefix):]
    text = text.replace(str(src), src.name)
    if not isinstance(exc, DeidError):
        text = f"{type(exc).__name__}: {text}"
    return text.split("\n")[0][:200]
