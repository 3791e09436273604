"""Fetch the book's datasets: ``python -m data_scripts.fetch [NAME ...] [--all] [--list]``.

Each dataset comes from the mirror (``MEDLAB_DATA_MIRROR``), the data
directory (``MEDLAB_DATA_DIR``) or its official source, and is verified
against the registry's checksums. ``--optional`` names datasets whose absence
is reported but does not fail the command (for example the official
PneumoniaMNIST on a machine without network access).
"""

from __future__ import annotations

import argparse
import sys

from medlab.data import DataError, data_dir, fetch, mirror_dir

from .registry import REGISTRY


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch and verify the book's datasets.")
    parser.add_argument("names", nargs="*", help="dataset names (see --list)")
    parser.add_argument("--all", action="store_true", help="every dataset in the registry")
    parser.add_argument("--list", action="store_true", help="list the registry and exit")
    parser.add_argument("--optional", nargs="*", default=[], metavar="NAME",
                        help="datasets whose absence is reported but not fatal")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)

    if args.list:
        for name, entry in sorted(REGISTRY.items()):
            size = f"{entry.size / 1e6:7.1f} MB" if entry.size else "   size ?"
            flag = "" if entry.official else "  [not official]"
            print(f"{name:30s} {size}  {entry.licence}{flag}\n    {entry.title}")
        return 0
    names = sorted(REGISTRY) if args.all else args.names
    if not names:
        parser.error("name at least one dataset, or pass --all")
    unknown = [n for n in names + args.optional if n not in REGISTRY]
    if unknown:
        parser.error(f"unknown dataset(s) {unknown}; see --list")

    print(f"data directory: {data_dir()}\nmirror: {mirror_dir() or 'unset'}")
    failures = 0
    for name in names:
        try:
            folder = fetch(name, progress=not args.quiet)
            print(f"ok       {name:30s} {len(REGISTRY[name].files)} file(s) in {folder}")
        except DataError as exc:
            if name in args.optional:
                print(f"skipped  {name:30s} (optional) {exc}")
            else:
                failures += 1
                print(f"FAILED   {name:30s} {exc}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
