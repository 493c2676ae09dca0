"""The ``rnnlab`` command.

Each subcommand lives in its own module under :mod:`rnnlab.cli` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a plain
function ``func(args) -> int``. The list below is the whole registry.
"""

from __future__ import annotations

import argparse
import os
import sys

from rnnlab.errors import RnnlabError


def _subcommand_modules():
    # Imported lazily so `rnnlab --help` stays fast; explicit list, no import magic.
    from rnnlab.cli import classify, data, evaluate, gradcheck, lm, parity, seq2seq, train

    # train TASK; then the commands that read a run folder; then utilities.
    return [train, evaluate, lm, classify, seq2seq, parity, gradcheck, data]


def build_parser() -> argparse.ArgumentParser:
    from rnnlab import __version__

    parser = argparse.ArgumentParser(
        prog="rnnlab",
        description="Recurrent neural networks you can read and run fast.",
    )
    parser.add_argument("--version", action="version", version=f"rnnlab {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _subcommand_modules():
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except RnnlabError as error:
        print(f"rnnlab {args.command}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt:
        print(f"rnnlab {args.command}: interrupted", file=sys.stderr)
        return 130
