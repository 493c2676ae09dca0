"""The options every ``rnnlab train TASK`` shares, and where its config starts from.

Each task adds its own data and model flags; these are the run-level ones, with the
same names and meaning everywhere. The experiment config is built, in order, from:
the defaults or a base file (:func:`base_config_file`), the task's flags, then ``--set``.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """``--config --set --out --resume --epochs --max-steps --quiet``."""
    parser.add_argument("--config", metavar="FILE.toml", help="experiment config (a recipe); flags override it")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override any config key, e.g. --set train.lr=0.001 (repeatable; applied last)")
    parser.add_argument("--out", metavar="RUN", help="run folder (train.out_dir)")
    parser.add_argument("--resume", action="store_true",
                        help="continue RUN/checkpoints/last.safetensors exactly (without --config: "
                             "with RUN/config.toml)")
    parser.add_argument("--epochs", type=int, help="train.epochs")
    parser.add_argument("--max-steps", type=int, metavar="N", help="train.max_steps: stop after N optimizer steps")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (train.progress = false)")


def run_values(args: argparse.Namespace) -> dict[str, object]:
    """Dotted config keys set by the run options (None = not given)."""
    return {"train.out_dir": args.out, "train.epochs": args.epochs, "train.max_steps": args.max_steps,
            "train.progress": False if args.quiet else None}


def base_config_file(args: argparse.Namespace) -> str | None:
    """``--config``; or, resuming without it, the run's own ``RUN/config.toml``; or None (defaults)."""
    if args.config:
        return args.config
    saved = Path(args.out or "") / "config.toml"
    if args.resume and args.out and saved.is_file():
        return str(saved)
    return None
