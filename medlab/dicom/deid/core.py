"""De-identify one dataset: :func:`deidentify` and its :class:`DeidReport`.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Sequence as Seq
from dataclasses import dataclass, field

import pandas as pd
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    UID,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from ..errors import BurnedInAnnotationError, DeidError
from .table import _name, annex_e_code
from .walker import _Walker

_PATIENT_IDENTITY_REMOVED = 0x00120062
_DEID_METHOD = 0x00120063
_DEID_METHOD_CODES = 0x00120064
_LONGITUDINAL_MODIFIED = 0x00280303

BURNED_IN_MODALITIES = frozenset({"US", "SC", "XC", "ES", "OT"})
"""Modalities flagged when ``BurnedInAnnotation`` is missing: ultrasound,
secondary capture, external-camera photography, endoscopy and "other" often
carry names, dates or measurements drawn into the pixels."""

# Strictness, to report one action per keyword when a keyword occurs twice.
_RANK = {"X": 6, "Z": 5, "D": 4, "U": 3, "shifted": 2, "K": 1}


@dataclass
class DeidReport:
    """What :func:`deidentify` did to one dataset.

    ``actions`` maps each attribute's keyword (or ``"(gggg,eeee)"`` for a
    private or unknown tag) to the action taken (``X``, ``Z``, ``D``, ``U``,
    ``shifted``, ``K``; the strictest one when the keyword occurs at several
    places); ``paths`` gives the action for every element path, for example
    ``"ReferencedImageSequence[0].ReferencedSOPInstanceUID"``; ``flags`` holds
    the warnings a person should read (burned-in text, dates not shifted).

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
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


def _method(offset: int | None) -> str:
    dates = "dates shifted" if offset is not None else "dates removed"
    return f"medlab.dicom.deid PS3.15 Annex E Basic Profile; {dates}"  # LO: 64 at most


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
    ``YES`` unless ``allow_burned_in`` is true. The output keeps the source's
    encoding (implicit or explicit VR, little or big endian), so the pixel
    data bytes are written unchanged.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
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
        syntax = new_meta.get("TransferSyntaxUID")
        implicit, little = getattr(ds, "original_encoding", (None, None))
        try:
            implicit, little = syntax.is_implicit_VR, syntax.is_little_endian
        except (AttributeError, ValueError):  # no or a private transfer syntax
            pass
        out = FileDataset("", out, file_meta=new_meta, preamble=b"\x00" * 128,
                          is_implicit_VR=True if implicit is None else implicit,
                          is_little_endian=True if little is None else little)
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


def action_table(before: Dataset, after: Dataset, report: DeidReport,
                 keywords: Seq[str]) -> pd.DataFrame:
    """One row per keyword: its Table E.1-1 code, the action taken, the value before and after.

    "show before hide": the code is the standard's (``None`` when the table does
    not list the attribute), the action is what :func:`deidentify` did
    (``X`` removed, ``Z`` emptied, ``D`` dummy, ``U`` UID replaced,
    ``shifted``, ``K`` kept); values are shortened to 40 characters.

    Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
    """
    def show(ds: Dataset, keyword: str) -> str:
        if keyword not in ds:
            return "(absent)"
        value = ds[keyword].value
        if ds[keyword].VR == "SQ":
            return f"{len(value or [])} item(s)"
        text = str(value if value is not None else "")
        if not text:
            return "(empty)"
        return text if len(text) <= 40 else text[:18] + "..." + text[-19:]

    rows = []
    for keyword in keywords:
        tag = Tag(keyword)
        rows.append({"keyword": keyword, "Table E.1-1": annex_e_code(tag) or "-",
                     "action": report.actions.get(keyword, "-"),
                     "before": show(before, keyword), "after": show(after, keyword)})
    return pd.DataFrame(rows).set_index("keyword")
