"""How fast is ``medlab.dicom.load_series`` next to MONAI's DICOM reader?

Both read the same TCIA series folder into a 3D array with its geometry:

- ``medlab.dicom.load_series(folder)``: pydicom reads every file, the slices
  are sorted by ImagePositionPatient projected on the slice normal, the
  series is checked for gaps, uneven spacing and inconsistent files, and
  RescaleSlope/Intercept is applied (float32);
- ``monai.transforms.LoadImage(reader="PydicomReader")(folder)``: MONAI's own
  pydicom-based series reader, returning a MetaTensor with a RAS affine
  (converted back to ``(z, y, x)`` and LPS by ``medlab.dicom.load_series_monai``).

Data: one real series of the TCIA Brain-Tumor-Progression collection
(``--patient``, ``--series``; default PGBM-001's first T1post, 24 slices of
320 x 260) through ``medlab.data.fetch``, so ``MEDLAB_DATA_MIRROR`` (or a
fetched copy) must provide it; ``--folder`` times any other series folder.

Measurement: one warm-up call of each is discarded (imports, file cache);
then ``--repeats`` rounds (default 7) each time both readers, alternating
which goes first. The script prints the median seconds of each, the ratio
``median(monai) / median(medlab)`` (above 1: ``load_series`` is faster) and
the range of the timings, and checks that both gave the same array, spacing,
origin and direction; it exits with status 1 if they did not. Timings on a
shared machine are noisy: read the ranges, and repeat on a quiet machine
before quoting a small difference.

Usage::

    MEDLAB_DATA_MIRROR=../shared/data .venv/bin/python benchmarks/dicom_loading.py
    .venv/bin/python benchmarks/dicom_loading.py --series FLAIRreg --repeats 11
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from medlab import data, dicom


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patient", default="PGBM-001")
    parser.add_argument("--series", default="T1post", help="T1post, FLAIRreg or MaskTumor")
    parser.add_argument("--folder", type=Path, default=None,
                        help="a series folder to time instead of the TCIA one")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")

    if args.folder is not None:
        folder = args.folder
    else:
        root = data.fetch("tcia_brain_tumor_progression", progress=False)
        matches = sorted(root.glob(f"{args.patient}/*/*-{args.series}-*"))
        if not matches:
            print(f"no {args.series} series for {args.patient}", file=sys.stderr)
            return 2
        folder = matches[0]
    result = dicom.compare_loaders(folder, repeats=args.repeats)
    vol = dicom.load_series(folder)
    spacing = tuple(round(s, 4) for s in vol.spacing)
    print(f"series {folder.name}: {vol.shape} voxels, spacing {spacing} mm; "
          f"{args.repeats} rounds after one warm-up; load "
          f"{os.getloadavg()[0]:.2f} (1-min average)")
    for name in ("medlab", "monai"):
        t = result["times"][name]
        print(f"  {name:7s} median {result[f'{name}_s']:.3f} s "
              f"(min {min(t):.3f}, max {max(t):.3f})")
    print(f"  ratio monai / medlab: {result['ratio_monai_over_medlab']:.2f}")
    checks = {k: v for k, v in result.items() if k.startswith("same_")}
    print("  " + ", ".join(f"{k} {v}" for k, v in checks.items()))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
