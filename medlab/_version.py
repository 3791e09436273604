"""The version of ``medlab``, versioned with the book (at the bottom of the layers: it imports nothing)."""

__version__ = "0.1.0"
