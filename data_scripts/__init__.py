"""Scripts that prepare or mirror the book's data (run from the book's root).

The data layer itself (registry, downloads, fetch command) is :mod:`medlab.data`.
"""
