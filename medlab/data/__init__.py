"""The book's data: one registry, verified files, and the datasets chapters train on.

- :mod:`medlab.data.registry`: every dataset with its official source, checksums,
  licence and citation; :mod:`medlab.data.tcia` adds the TCIA collection.
- :mod:`medlab.data.fetch`: :func:`fetch` a verified folder from the mirror, the
  data directory or the source; :func:`describe` an entry; and the command
  ``python -m medlab.data.fetch``.
- :mod:`medlab.data.download` and :mod:`medlab.data.sources`: checksums,
  resumable downloads, data locations and the data layer's errors.
- :mod:`medlab.data.medmnist`: MedMNIST-style archives as torch datasets, the
  three splits sized by a profile, and the ImageFolder export.
- :mod:`medlab.data.tables`: clinical tables shipped inside installed packages
  (WHAS500, GBSG2, Rotterdam and GBSG), registered and verified like every download.
- :mod:`medlab.data.leakage`: the leakage audit, near-copies of training images
  in the validation and test splits (``data.leakage.audit_splits(...)``).

Everything a chapter needs is importable from here (``from medlab import data``;
``data.fetch(...)``, ``data.MedMNISTDataset(...)``, ``data.load_splits(...)``).
"""

import warnings as _warnings

# ``python -m medlab.data.fetch`` runs a module this package has already imported
# (it exports that module's function ``fetch``); runpy warns about that, harmlessly.
_warnings.filterwarnings("ignore", category=RuntimeWarning,
                         message=r"'medlab\.data\.fetch' found in sys\.modules")

from . import brain_mr, leakage, tables
from .download import file_digest, verify_file
from .fetch import describe, fetch
from .medmnist import (
                         LABELS,
                         SPLITS,
                         InUnitRange,
                         MedMNISTDataset,
                         export_imagefolder,
                         load_arrays,
                         load_splits,
                         npz_path,
                         stratified_indices,
                         to_batch,
                         to_tensor,
)
from .registry import REGISTRY, registry_names
from .sources import (
                         ChecksumError,
                         DataError,
                         DataNotAvailableError,
                         DatasetEntry,
                         DatasetFormatError,
                         IncompleteDownloadError,
                         RemoteFile,
                         data_dir,
                         mirror_dir,
)

__all__ = [
    "fetch", "describe", "file_digest", "verify_file", "data_dir", "mirror_dir", "REGISTRY",
    "registry_names", "RemoteFile", "DatasetEntry", "DataError", "ChecksumError",
    "DataNotAvailableError", "IncompleteDownloadError", "DatasetFormatError", "SPLITS", "LABELS",
    "npz_path", "load_arrays", "stratified_indices", "to_tensor", "to_batch", "InUnitRange", "MedMNISTDataset",
    "load_splits", "export_imagefolder", "leakage", "brain_mr", "tables",
]
