"""The book's datasets: official sources, checksums, sizes, licences, citations.

One entry per dataset. SHA-256 values were measured on the files; MD5 values
of MedMNIST files are the official ones from ``medmnist.INFO``. A dataset that
is not the official release (the PneumoniaMNIST subset) is its own entry with
``official=False`` and says so wherever it is shown.

:func:`entry` looks a dataset up by name; :func:`~medlab.data.fetch.fetch` and
:func:`~medlab.data.fetch.describe` use it. ``python -m medlab.data.fetch --list``
prints the registry.

Introduced in the chapter "Your first classifier" (chapters/03_first_classifier.ipynb).
"""

from __future__ import annotations

from .sources import DatasetEntry, RemoteFile
from .tcia import tcia_entry

ZENODO = "https://zenodo.org/records/10519652/files"
MEDMNIST_CITE = (
    "Yang, J. et al. MedMNIST v2 - A large-scale lightweight benchmark for 2D and 3D "
    "biomedical image classification. Scientific Data 10, 41 (2023)."
)
MEDMNIST_HOME = "https://medmnist.com (files on Zenodo, record 10519652)"
PHYSIONET_CITE = (
    "Goldberger, A. L. et al. PhysioBank, PhysioToolkit, and PhysioNet. Circulation 101, "
    "e215-e220 (2000)."
)


def _medmnist(name: str, fname: str, md5: str, sha256: str | None, size: int | None,
              title: str, extra_cite: str = "") -> DatasetEntry:
    return DatasetEntry(
        name=name,
        title=title,
        files=(RemoteFile(fname, f"{ZENODO}/{fname}?download=1", sha256=sha256, md5=md5, size=size),),
        licence="CC BY 4.0",
        citation=MEDMNIST_CITE + (f" {extra_cite}" if extra_cite else ""),
        homepage=MEDMNIST_HOME,
        mirror_dir="medmnist",
    )


REGISTRY: dict[str, DatasetEntry] = {}


def _add(entry: DatasetEntry) -> None:
    REGISTRY[entry.name] = entry


_add(_medmnist(
    "pneumoniamnist", "pneumoniamnist.npz", "28209eda62fecd6e6a2d98b1501bb15f", None, None,
    "PneumoniaMNIST (28 px paediatric chest X-rays, normal vs pneumonia; 4708/524/624)",
    "Kermany, D. S. et al. Identifying medical diagnoses and treatable diseases by "
    "image-based deep learning. Cell 172, 1122-1131 (2018).",
))
_add(DatasetEntry(
    name="pneumoniamnist_subset",
    title="PneumoniaMNIST subset (28 px; train 3882 = all 3494 pneumonia + 388 of 1214 "
          "normals; official val 524 and test 624)",
    files=(RemoteFile(
        "pneumoniamnist_subset.npz", None,
        sha256="a554d2332488d3ddc075125e66a1af77ec379fd2bafc09108ab95a37e2bd9c26",
        md5="f5b994ec7c2fe8bc81ae15cbab7c3df8", size=3549652),),
    licence="CC BY 4.0 (derived from Kermany et al. 2018 through MedMNIST)",
    citation=MEDMNIST_CITE + " Kermany, D. S. et al. Cell 172, 1122-1131 (2018).",
    homepage="redistributed subset of PneumoniaMNIST (no public URL of its own)",
    official=False,
    mirror_dir="medmnist-subsets",
    note="a redistributed subset whose training split keeps only 388 of the 1214 "
         "normal images (about 1 normal to 9 pneumonia); val and test are the official splits",
))
_add(_medmnist(
    "breastmnist", "breastmnist.npz", "750601b1f35ba3300ea97c75c52ff8f6",
    "3a22d2a4625e7dd8903f0f59030e81a3d0c222bece2e5e10927456cb50efdec1", 559580,
    "BreastMNIST (28 px breast ultrasound, malignant vs normal/benign; 546/78/156)",
    "Al-Dhabyani, W. et al. Dataset of breast ultrasound images. Data in Brief 28, 104863 (2020).",
))
# MedMNIST+ (larger images of the same BreastMNIST cases, same splits): not in the offline
# mirror; fetched from Zenodo where a network is available (chapter "Transfer learning").
for _size, _md5 in ((64, "742edef2a1fd1524b2efff4bd7ba9364"), (128, "363e4b3f8d712e9b5de15470a2aaadf1"),
                    (224, "b56378a6eefa9fed602bb16d192d4c8b")):
    _add(_medmnist(
        f"breastmnist_{_size}", f"breastmnist_{_size}.npz", _md5, None, None,
        f"BreastMNIST at {_size} px (MedMNIST+; the same 546/78/156 cases as the 28 px file)",
        "Al-Dhabyani, W. et al. Dataset of breast ultrasound images. Data in Brief 28, 104863 (2020).",
    ))
_add(_medmnist(
    "adrenalmnist3d", "adrenalmnist3d.npz", "bbd3c5a5576322bc4cdfea780653b1ce",
    "8ffd78c0f000265deb7cf4ee0b454136fb3170f9839ecaa7bb01adf9f88aa7d1", 276833,
    "AdrenalMNIST3D (28^3 adrenal shapes from CT, normal vs hyperplasia; 1188/98/298)",
))
_add(_medmnist(
    "adrenalmnist3d_64", "adrenalmnist3d_64.npz", "17721accfe9fb005146a47d33bc54b2f",
    "124a53ea2c66c8ac1985a4c98ea6f34d1ab35bdab1dc50947f80d4a87e54057d", 1880591,
    "AdrenalMNIST3D at 64^3 (MedMNIST+)",
))
_add(tcia_entry())

_PHYSIONET = "https://physionet.org/files"
_add(DatasetEntry(
    name="mitdb_100",
    title="MIT-BIH Arrhythmia Database, record 100 (30 min, leads MLII and V5, 360 Hz, beat annotations)",
    files=(
        RemoteFile("100.hea", f"{_PHYSIONET}/mitdb/1.0.0/100.hea",
                   sha256="309c8a1d71baee199620a53b8f210cb7bcbaa978af961d191e5b69beb58dd343", size=144),
        RemoteFile("100.dat", f"{_PHYSIONET}/mitdb/1.0.0/100.dat",
                   sha256="b2ea3c250e56e48f4b7b90697832b8ecd1afa1e0bb31f2dcfea4ed6e1075a639", size=1950000),
        RemoteFile("100.atr", f"{_PHYSIONET}/mitdb/1.0.0/100.atr",
                   sha256="8d8a5349fb16638ebbf649f1779d12e96d91b736b2aafe59db43719ae583d471", size=4558),
    ),
    licence="ODC-By 1.0",
    citation="Moody, G. B. & Mark, R. G. The impact of the MIT-BIH Arrhythmia Database. "
             "IEEE Eng. Med. Biol. 20, 45-50 (2001). " + PHYSIONET_CITE,
    homepage="https://physionet.org/content/mitdb/1.0.0/",
    mirror_dir="physionet/mitdb",
    note="checksums measured on the mirrored copy, whose header keeps its source's line endings",
))
_add(DatasetEntry(
    name="ptbdb_s0010_re",
    title="PTB Diagnostic ECG Database, patient001 record s0010_re (12 + 3 Frank leads, 1 kHz, 38.4 s)",
    files=(
        RemoteFile("s0010_re.hea", f"{_PHYSIONET}/ptbdb/1.0.0/patient001/s0010_re.hea",
                   sha256="30d2d5db5b7b735f7dc39e5cf3e60a433a868b53d24587c9820cf51aa1729b87", size=2687),
        RemoteFile("s0010_re.dat", f"{_PHYSIONET}/ptbdb/1.0.0/patient001/s0010_re.dat",
                   sha256="4e26a62c96e50eebd0eca7a11a4ad62ac8d7654e4de47acf2e0ce64be9565f20", size=921600),
        RemoteFile("s0010_re.xyz", f"{_PHYSIONET}/ptbdb/1.0.0/patient001/s0010_re.xyz",
                   sha256="0caffd208e17c5c597fb39c8416f85ce55726f3e8e9d5486a6331c9ec4451265", size=230400),
    ),
    licence="ODC-By 1.0",
    citation="Bousseljot, R., Kreiseler, D. & Schnabel, A. Nutzung der EKG-Signaldatenbank "
             "CARDIODAT der PTB ueber das Internet. Biomed. Tech. 40, S317 (1995). " + PHYSIONET_CITE,
    homepage="https://physionet.org/content/ptbdb/1.0.0/",
    mirror_dir="physionet/ptbdb",
))
_add(DatasetEntry(
    name="scipy_ecg",
    title="MIT-BIH record 208 excerpt, 5 min at 360 Hz, as shipped by SciPy",
    files=(RemoteFile("ecg.dat", "https://raw.githubusercontent.com/scipy/dataset-ecg/main/ecg.dat",
                      sha256="f20ad3365fb9b7f845d0e5c48b6fe67081377ee466c3a220b7f69f35c8958baf",
                      size=119035),),
    licence="BSD-3-Clause (SciPy) / ODC-By 1.0 (MIT-BIH)",
    citation="Moody & Mark 2001; the SciPy datasets module (scipy.datasets.electrocardiogram).",
    homepage="https://github.com/scipy/dataset-ecg",
    mirror_dir="scipy-data",
))


def entry(name: str) -> DatasetEntry:
    """The registry entry of dataset ``name``; a ``KeyError`` lists the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(
            f"unknown dataset '{name}'; the registry has: {', '.join(sorted(REGISTRY))}"
        ) from None


def registry_names() -> list[str]:
    """Names of every dataset in the registry, sorted."""
    return sorted(REGISTRY)


__all__ = ["REGISTRY", "MEDMNIST_CITE", "entry", "registry_names"]
