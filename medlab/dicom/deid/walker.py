"""The element-by-element walk of de-identification: decide an action, apply it.

:meth:`_Walker.decide` holds every rule, those of Table E.1-1 and those for
the elements the table does not list (documented in :mod:`medlab.dicom.deid`);
:meth:`_Walker.apply` carries the action out, nested sequences included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydicom.datadict import keyword_for_tag
from pydicom.dataelem import DataElement, empty_value_for_VR
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag, Tag

from ..errors import DeidError
from .table import _PSEUDONYM_TAGS, _name, _resolve, annex_e_code
from .values import FREE_TEXT_VRS, _dummy, _needs_unlisted_remap, pseudonym, remap_uid, shift_date

if TYPE_CHECKING:
    from .core import DeidReport

_NEVER_SHIFT = {0x00100030, 0x00100032}  # PatientBirthDate, PatientBirthTime


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
            return "X"  # no Retain Safe Private Option
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
        if code is not None:
            return _resolve(tag, code)
        # --- not in Table E.1-1 (all stricter than keeping)
        if vr in ("DA", "DT"):
            return "X"  # a date the table does not list
        if vr == "UI" and elem.value and _needs_unlisted_remap(_name(tag), elem.value):
            return "U"
        if not keyword_for_tag(tag):
            return "X"  # an attribute pydicom's dictionary does not know: cannot be judged
        if vr in FREE_TEXT_VRS:
            return "Z"  # names and narrative: emptied (no Clean Descriptors Option)
        return "K"

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
            return self._dummy(ds, tag, elem, path)
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
                    elem.value = shift_date(value or "", self.offset or 0, vr)
                else:
                    elem.value = [shift_date(v, self.offset or 0, vr) for v in value]
                return "shifted"
            except DeidError:
                self.report.flags.append(
                    f"{path}: date could not be shifted by whole days, emptied")
                elem.value = empty_value_for_VR(vr)
                return "Z"
        if vr == "SQ":
            self._walk_items(elem, path)
        return "K"

    def _dummy(self, ds: Dataset, tag: BaseTag, elem: DataElement, path: str) -> str:
        vr = elem.VR
        if vr == "SQ":
            elem.value = []
            return "Z"
        if vr == "UI":
            return self.apply(ds, tag, elem, "U", path)
        if int(tag) in _PSEUDONYM_TAGS:
            if elem.value:
                elem.value = pseudonym(elem.value, self.salt)
            return "D"
        if int(tag) == 0x00420011 and elem.value:  # EncapsulatedDocument
            self.report.flags.append(
                f"{path}: the encapsulated document was replaced by a dummy value (D): "
                "its content is lost; de-identify the document itself and re-encapsulate it")
        dummy = _dummy(vr)
        if dummy is None:
            del ds[tag]
            return "X"
        elem.value = dummy
        return "D"

    def _walk_items(self, elem: DataElement, path: str) -> None:
        for i, item in enumerate(elem.value or []):
            self.walk(item, f"{path}[{i}].")
