"""``rnnlab train classify|tag|forecast`` and ``rnnlab predict RUN``.

``register_train(train_subparsers)`` adds the three training sub-commands under
``rnnlab train``; ``register(subparsers)`` adds ``predict``. Each training command builds
one typed experiment config (``task``, ``data``, ``model``, ``train``) from, in order:
the defaults, ``--config FILE.toml``, the command's flags, then ``--set key=value``;
trains with the shared :class:`~rnnlab.training.Trainer` into ``--out RUN``; then scores
the test split with the best checkpoint and writes ``RUN/metrics.json`` (and plots).
The pipelines are in :mod:`rnnlab.tasks.classify`, :mod:`rnnlab.tasks.tag` and
:mod:`rnnlab.tasks.forecast`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rnnlab.cells import CELLS
from rnnlab.cli.run_options import add_run_options, base_config_file, run_values
from rnnlab.config import apply_overrides, config_from_dict, load_config, with_values
from rnnlab.errors import DataError
from rnnlab.tasks.classify import ClassifyExperiment, ClassifyPredictor, train_classify


def add_common_train_options(parser: argparse.ArgumentParser) -> None:
    """The options every ``rnnlab train classify|tag|forecast`` accepts: run options + model shape."""
    add_run_options(parser)
    parser.add_argument("--cell", help=f"model.cell; one of: {', '.join(CELLS)}")
    parser.add_argument("--hidden", type=int, help="model.hidden: units per direction")
    parser.add_argument("--layers", type=int, help="model.layers: stacked recurrent layers")
    parser.add_argument("--bidirectional", action="store_true", default=None, help="model.bidirectional = true")


def common_values(args: argparse.Namespace) -> dict[str, Any]:
    """Dotted config keys set by the common flags (None = not given)."""
    return {**run_values(args), "model.cell": args.cell, "model.hidden": args.hidden, "model.layers": args.layers,
            "model.bidirectional": args.bidirectional}


def build_experiment(schema: type, args: argparse.Namespace, values: dict[str, Any]) -> Any:
    """Defaults -> ``--config`` -> flags -> ``--set``.

    With ``--resume`` and no ``--config``, the base is the run's own ``RUN/config.toml``.
    """
    base = base_config_file(args)
    config = load_config(base, schema) if base else schema()
    config = with_values(config, {**common_values(args), **values})
    return apply_overrides(config, args.set)


def register_train(train_subparsers) -> None:
    """Add ``classify``, ``tag`` and ``forecast`` under ``rnnlab train``."""
    from rnnlab.cli import forecast, tag

    parser = train_subparsers.add_parser(
        "classify", help="train a sequence classifier on labelled texts (CSV/TSV, JSONL, class folders)",
        description="Many-to-one text classification: embeddings -> recurrence -> pooling -> classes.")
    parser.add_argument("--data", metavar="PATH", help="CSV/TSV/JSONL file or class-folder root (data.path)")
    parser.add_argument("--test-data", metavar="PATH", help="separate test set in the same format (data.test_path)")
    parser.add_argument("--text-col", help="text column / field (data.text_col)")
    parser.add_argument("--label-col", help="label column / field (data.label_col)")
    parser.add_argument("--split-col", help="column with 'train'/'test' per row (data.split_col)")
    parser.add_argument("--pooling", choices=("last", "mean", "max", "attention"), help="model.pooling")
    add_common_train_options(parser)
    parser.set_defaults(func=run_train_classify)
    tag.register_train(train_subparsers)
    forecast.register_train(train_subparsers)


def run_train_classify(args: argparse.Namespace) -> int:
    config = build_experiment(ClassifyExperiment, args, {
        "data.path": args.data, "data.test_path": args.test_data, "data.text_col": args.text_col,
        "data.label_col": args.label_col, "data.split_col": args.split_col, "model.pooling": args.pooling})
    metrics = train_classify(config, resume=args.resume, log=lambda m: print(m, flush=True))
    print(f"run folder: {config.train.out_dir}  (metrics.json, confusion.png, checkpoints/)")
    return 0 if metrics else 1


def register(subparsers) -> None:
    """Add the top-level ``rnnlab predict``."""
    parser = subparsers.add_parser(
        "predict", help="apply a trained classify / tag / forecast run to new input",
        description="Classify or tag each input line (TEXT arguments, --file, or stdin); "
                    "for a forecast run, read a CSV with the training columns and forecast past its end.")
    parser.add_argument("run", metavar="RUN", help="run folder (or checkpoint file) written by `rnnlab train`")
    parser.add_argument("text", nargs="*", metavar="TEXT", help="texts to classify / sentences to tag")
    parser.add_argument("--file", metavar="FILE", help="read inputs from FILE (one per line; a CSV for forecast)")
    parser.add_argument("--json", action="store_true", help="one JSON object per input")
    parser.set_defaults(func=run_predict)


def _read_inputs(args: argparse.Namespace) -> list[str]:
    if args.text:
        return list(args.text)
    if args.file:
        from rnnlab.data import read_text

        text = read_text(args.file)
    else:
        text = sys.stdin.read()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise DataError(f"{args.file or 'stdin'}: no input lines to predict")
    return lines


def run_predict(args: argparse.Namespace) -> int:
    from rnnlab.runs import open_run

    saved = open_run(args.run, ("classify", "tag", "forecast"))
    if saved.task == "forecast":
        from rnnlab.cli.forecast import run_predict_forecast

        return run_predict_forecast(saved, args)
    if saved.task == "tag":
        from rnnlab.tasks.tag import TagPredictor

        predictor = TagPredictor.from_saved(saved)
        for tokens, tags in predictor.tag_texts(_read_inputs(args)):
            if args.json:
                print(json.dumps({"tokens": tokens, "tags": tags}))
            else:
                print(" ".join(f"{w}/{t}" for w, t in zip(tokens, tags)))
        return 0
    config = config_from_dict(ClassifyExperiment, saved.config)
    predictor = ClassifyPredictor(config, saved.vocab, saved.model_state)
    for result in predictor.predict(_read_inputs(args)):
        if args.json:
            print(json.dumps(result))
        else:
            p = result["probabilities"][result["label"]]
            print(f"{result['label']}\t{p:.3f}\t{result['text']}")
    return 0
