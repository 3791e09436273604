"""De-identify DICOM files with the Basic Application Level Confidentiality Profile.

The DICOM standard says attribute by attribute what a de-identifier must do
(PS3.15 Annex E, Table E.1-1, "Basic Prof." column). This package applies that
table to a pydicom ``Dataset`` (:func:`deidentify`; :func:`action_table`
shows an attribute's value before and after), to a file
(:func:`deidentify_file`) and to a folder (:func:`deidentify_folder`), and
:func:`find_phi` checks afterwards that none of a list of known identifying
strings survived anywhere, nested sequences and private tags included.

Modules: ``medlab.dicom.deid.table`` (Table E.1-1 as data),
``medlab.dicom.deid.values`` (UIDs, pseudonyms, dates),
``medlab.dicom.deid.walker`` (the rules, element by element),
``medlab.dicom.deid.core`` (one dataset), ``medlab.dicom.deid.phi``
(the check), ``medlab.dicom.deid.files`` and
``medlab.dicom.deid.folder`` (atomic, verified writes; one release per
folder), ``medlab.dicom.deid.release`` (the release manifest, which records
completion only at the very end of a run, and :func:`release_status`).
Errors are in ``medlab.dicom.errors`` (all :class:`DeidError`,
a ``medlab.errors.MedlabError`` and a ``ValueError``).

Releases
    :func:`deidentify_folder` writes one release per output folder. Its
    manifest says ``"complete": false`` until the run's very end, so a killed
    run never looks like a finished release: :func:`release_status` reports
    it ``"incomplete"`` (``release_status(folder).require_complete()`` raises
    :class:`IncompleteReleaseError`), and the next run with the same salt
    resumes it, keeping the files already written and verified.

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
    another one, consistently within the set of instances; ``K`` keep;
    ``C`` clean (replace with values of similar meaning known to carry no
    identity: used by the options, never by this package, which removes
    instead). The compound codes leave a choice to the implementer; this
    package takes the strictest choice that keeps the output useful
    (:data:`COMPOUND_CHOICE`):
    ``X/Z``, ``X/D``, ``X/Z/D`` -> ``X`` (remove); ``Z/D`` -> ``Z`` (empty),
    except Patient ID, which gets a salted pseudonym (``D``) so that the
    studies of one patient stay linked; ``X/Z/U*`` (Referenced Image Sequence,
    Source Image Sequence) -> ``U``: the sequence is kept and every UID inside
    it is remapped with the same mapping as the rest of the data, so that
    references between images survive. A sequence whose code is ``D`` is
    emptied (reported ``Z``): a dummy item would carry no information either.

Beyond the table (all stricter, none looser)
    PS3.15 E.1.1 asks a de-identifier to protect *every* attribute that might
    identify the patient, not only those the table lists. So this package
    treats what the table does not list like this:

    * every private element (odd group) is removed, at every nesting level:
      the "Retain Safe Private" option (113111), which keeps private elements
      known to be safe, is not claimed;
    * a standard-group (even) element that pydicom's dictionary does not
      know is removed: what cannot be named cannot be judged safe;
    * names and narrative text (VR PN, LT, ST, UT, UC) are emptied (``Z``),
      for example ``DocumentTitle`` of an encapsulated PDF or ``TextValue``
      of a structured report: the "Clean Descriptors" option (113105) would
      *clean* such text (code ``C``), which needs a person or a language
      model; it is not claimed, and emptying keeps Type 2 attributes present
      as the IODs require;
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

Refused objects
    A DICOMDIR (it lists original file names) and an encapsulated document
    (PDF, CDA, STL...: the table replaces the document itself with a dummy
    value, so the output would be empty) are refused by
    :func:`deidentify_file` and :func:`deidentify_folder`
    (:class:`UnsupportedObjectError`); :func:`deidentify` on such a data set
    follows the table and adds a warning to ``report.flags``.

Limitations
    Short text the table does not list and that is not narrative (LO, SH and
    CS values, for example coded concept meanings or ``ContentDescription``)
    is kept and not inspected; faces can be reconstructed from CT and MR
    volumes of the head; pixel data are not cleaned. File and folder names
    are replaced by :func:`deidentify_folder` (unless ``keep_names=True``),
    but a name given to :func:`deidentify_file` is the caller's
    responsibility. Truncated files are recognised by the checks of
    :func:`medlab.dicom.read_dataset` (an element longer than the rest of the
    file, a missing delimiter, an element cut in its header) plus one: an
    image without pixel data; a file cut exactly between two elements before
    the pixel data of a non-image object cannot be told from a complete one.
    A file without the ``DICM`` preamble is read only when it starts with a
    group 0008 or 0002 element. Attributes of the 2026c table newer than pydicom's
    dictionary are handled by tag and reported as ``"(gggg,eeee)"``.

Introduced in the chapter "DICOM in practice" (chapters/02_dicom_in_practice.ipynb).
"""

from __future__ import annotations

from ..errors import (
                      AnnexTableError,
                      BurnedInAnnotationError,
                      DeidError,
                      HollowOutputError,
                      IncompleteReleaseError,
                      OutputPathError,
                      ReleaseMismatchError,
                      UnreadableDicomError,
                      UnsupportedObjectError,
)
from . import core as _core
from . import release as _release
from . import table as _table
from . import values as _values
from .core import DeidReport, action_table, deidentify
from .files import deidentify_file
from .folder import FolderReport, deidentify_folder
from .phi import find_phi
from .release import ReleaseStatus, release_status
from .table import annex_e_code, annex_e_table
from .values import pseudonym, remap_uid, shift_date

# The data, restated here so that the API page documents it.
ANNEX_E: dict[int, str] = _table.ANNEX_E
"""The Basic Profile column of Table E.1-1, mapping a tag (``0x00100010``) to its code."""
ANNEX_E_REPEATING: dict[tuple[int, int], str] = _table.ANNEX_E_REPEATING
"""The repeating-group rows of Table E.1-1 as ``(tag, mask) -> code``; a tag ``t``
matches a row when ``t & mask == tag``."""
COMPOUND_CHOICE: dict[str, str] = _table.COMPOUND_CHOICE
"""What this package does for each compound code of Table E.1-1."""
STANDARD_EDITION: str = _table.STANDARD_EDITION
"""Edition of DICOM PS3.15 whose Table E.1-1 :data:`ANNEX_E` holds."""
BURNED_IN_MODALITIES: frozenset[str] = _core.BURNED_IN_MODALITIES
"""Modalities flagged when ``BurnedInAnnotation`` is missing: ultrasound, secondary
capture, external-camera photography, endoscopy and "other" often carry names,
dates or measurements drawn into the pixels."""
FREE_TEXT_VRS: frozenset[str] = _values.FREE_TEXT_VRS
"""Value representations of names and narrative text, emptied outside Table E.1-1."""
UID_PREFIX: str = _values.UID_PREFIX
"""Root of the new UIDs (pydicom's; an institution would use its own)."""
MANIFEST: str = _release.MANIFEST
"""The release manifest :func:`deidentify_folder` keeps in its output folder."""
JOURNAL: str = _release.JOURNAL
"""The journal of the files a run has written, kept only until the run finishes."""

__all__ = [
    "ANNEX_E", "ANNEX_E_REPEATING", "BURNED_IN_MODALITIES", "COMPOUND_CHOICE",
    "FREE_TEXT_VRS", "JOURNAL", "MANIFEST", "STANDARD_EDITION", "UID_PREFIX",
    "AnnexTableError", "BurnedInAnnotationError", "DeidError", "DeidReport", "FolderReport",
    "HollowOutputError", "IncompleteReleaseError", "OutputPathError", "ReleaseMismatchError",
    "ReleaseStatus", "UnreadableDicomError", "UnsupportedObjectError", "action_table",
    "annex_e_code", "annex_e_table", "deidentify", "deidentify_file", "deidentify_folder",
    "find_phi", "pseudonym", "release_status", "remap_uid", "shift_date",
]
