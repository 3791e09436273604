"""medlab: the helper package of medlab-book.

A chapter holds the lesson; ``medlab`` holds what chapters reuse. Every public
helper's docstring names the chapter that introduces it. The package is
versioned with the book: a chapter prints the version it ran with.
"""

__version__ = "0.1.0"

from .profiles import PROFILES, Profile, get_profile  # noqa: E402
from .record import record_metrics  # noqa: E402
from .runtime import pick_device, set_seed, setup  # noqa: E402

__all__ = ["__version__", "PROFILES", "Profile", "get_profile", "record_metrics",
           "pick_device", "set_seed", "setup"]
