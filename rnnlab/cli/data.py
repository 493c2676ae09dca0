"""``rnnlab data``: list the registered corpora and download them into the cache.

    rnnlab data list
    rnnlab data get ptb [--cache DIR] [--url MIRROR]
"""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    """Add the ``data`` subcommand and its ``get`` / ``list`` actions."""
    parser = subparsers.add_parser("data", help="list and download classic corpora")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    get = actions.add_parser("get", help="download a dataset into the cache (verifying sha256)")
    get.add_argument("name", help="dataset name, see `rnnlab data list`")
    get.add_argument("--cache", help="cache folder (default $RNNLAB_CACHE or ~/.cache/rnnlab)")
    get.add_argument("--url", help="mirror base URL; each file is fetched from URL/<file name>")
    get.add_argument("--quiet", action="store_true", help="no progress bar")
    get.set_defaults(func=get_command)

    listing = actions.add_parser("list", help="list the registered datasets")
    listing.add_argument("--cache", help="cache folder, to show what is already downloaded")
    listing.set_defaults(func=list_command)


def get_command(args: argparse.Namespace) -> int:
    """Download every file of ``args.name``; print each path and its sha256."""
    from rnnlab.data.sources import fetch, sha256_of

    for path in fetch(args.name, cache=args.cache, mirror=args.url, progress=not args.quiet):
        print(f"{path}  sha256={sha256_of(path)}")
    return 0


def list_command(args: argparse.Namespace) -> int:
    """Print one line per dataset: name, files (``*`` = cached), description."""
    from rnnlab.data.sources import SOURCES, cache_dir

    root = cache_dir(args.cache)
    for name, source in SOURCES.items():
        files = ", ".join(
            file.filename + ("*" if (root / name / file.filename).is_file() else "") for file in source.files
        )
        print(f"{name:16s} {source.description} [{files}]")
    print(f"cache: {root}  (* = downloaded)")
    return 0
