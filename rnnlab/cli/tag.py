"""``rnnlab train tag``: the command line of :mod:`rnnlab.tasks.tag`.
"""

from __future__ import annotations

import argparse

from rnnlab.tasks.tag import (TagExperiment, train_tag)


def register_train(train_subparsers) -> None:
    from rnnlab.cli.classify import add_common_train_options

    parser = train_subparsers.add_parser(
        "tag", help="train a sequence tagger (CoNLL, CoNLL-U, parity)",
        description="Many-to-many tagging: one tag per token; the loss ignores padding.")
    parser.add_argument("--data", metavar="FILE", help="training file, .conll or .conllu (data.path)")
    parser.add_argument("--valid-data", metavar="FILE", help="validation file (data.valid_path)")
    parser.add_argument("--test-data", metavar="FILE", help="test file (data.test_path)")
    parser.add_argument("--format", choices=("auto", "conll", "conllu", "parity"), help="data.format")
    add_common_train_options(parser)
    parser.set_defaults(func=run_train_tag)


def run_train_tag(args: argparse.Namespace) -> int:
    from rnnlab.cli.classify import build_experiment

    config = build_experiment(TagExperiment, args, {
        "data.path": args.data, "data.valid_path": args.valid_data, "data.test_path": args.test_data,
        "data.format": args.format})
    train_tag(config, resume=args.resume, log=lambda m: print(m, flush=True))
    print(f"run folder: {config.train.out_dir}  (metrics.json, confusion.png, checkpoints/)")
    return 0
