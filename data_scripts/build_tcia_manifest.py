"""Rebuild ``medlab/data/tcia_brain_tumor_progression.json`` from a local copy of the series.

The manifest records, for every series the book uses, its DICOM identifiers
(the NBIA API downloads a series by ``SeriesInstanceUID``) and the SHA-256 of
every file, so that a download or a mirror can be verified file by file.

Usage::

    python -m data_scripts.build_tcia_manifest /path/to/tcia-brain-tumor-progression
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import pydicom

from medlab.data.tcia import MANIFEST
from medlab.io import atomic_write_text


def build(root: Path) -> dict:
    """Walk ``root/<patient>/<study>/<series>/*.dcm`` and describe every series."""
    series = []
    for folder in sorted(p for p in root.glob("*/*/*") if p.is_dir()):
        files = sorted(folder.glob("*.dcm"))
        if not files:
            continue
        header = pydicom.dcmread(files[0], stop_before_pixels=True)
        series.append(
            {
                "path": folder.relative_to(root).as_posix(),
                "patient_id": str(header.PatientID),
                "study_instance_uid": str(header.StudyInstanceUID),
                "series_instance_uid": str(header.SeriesInstanceUID),
                "series_description": str(header.get("SeriesDescription", "")),
                "modality": str(header.Modality),
                "files": [
                    {
                        "name": f.name,
                        "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
                        "size": f.stat().st_size,
                    }
                    for f in files
                ],
            }
        )
    return {"collection": "Brain-Tumor-Progression", "series": series}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    args = parser.parse_args(argv)
    atomic_write_text(MANIFEST, json.dumps(build(args.root), indent=1) + "\n")
    print(f"wrote {MANIFEST}")


if __name__ == "__main__":
    main()
