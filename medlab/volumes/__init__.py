"""Volumes: 2D, 2.5D, ACS and 3D classifiers, 3D segmentation helpers, three-plane plots in mm, measured cost.

- :mod:`medlab.volumes.models`: four ways to read a volume with the same small
  CNN (``build_volume_model``), and the ACS conversion of a 2D network
  (``acs_convert``);
- :mod:`medlab.volumes.segmentation`: a ``brain_mr.Study`` on a coarse grid,
  training patches, sliding-window inference and Dice/HD95 in mm (MONAI);
- :mod:`medlab.volumes.display`: axial, coronal and sagittal cuts with axes in mm;
- :mod:`medlab.volumes.cost`: seconds per training step and per volume, and
  peak tensor memory from ``torch.profiler``.

Introduced in the chapter "3D volumes" (chapters/09_volumes_3d.ipynb).
"""

from .cost import measure_cost, peak_tensor_memory, seconds
from .display import PLANES, plane_extents, plane_orientation_labels, plot_three_planes
from .models import (
    KINDS,
    ACSConv,
    MiddleSlices,
    SlicesAsChannels,
    SmallCNN,
    VolumeShapeError,
    acs_convert,
    build_volume_model,
)
from .segmentation import (
    GridVolume,
    predict_volume,
    random_patches,
    resample_study,
    segmentation_scores,
    train_segmenter,
)

__all__ = [
    "KINDS", "VolumeShapeError", "SmallCNN", "MiddleSlices", "SlicesAsChannels", "ACSConv", "acs_convert",
    "build_volume_model", "GridVolume", "resample_study", "random_patches", "train_segmenter", "predict_volume",
    "segmentation_scores", "PLANES", "plane_extents", "plane_orientation_labels", "plot_three_planes", "seconds",
    "peak_tensor_memory", "measure_cost",
]
