"""``python -m medlab.run``: re-run chapters and store their outputs with provenance.

The documented command of the book's runner (README, ``book.sh run``); the
runner itself is :mod:`medlab.book.run`. Usage::

    python -m medlab.run chapters/03_first_classifier.ipynb --profile full
    python -m medlab.run --all --profile paper
"""

from __future__ import annotations

import sys

from .book.run import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
