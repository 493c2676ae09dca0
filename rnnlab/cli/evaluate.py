"""``rnnlab evaluate RUN --data FILE``: held-out scores for a trained run.

The run's own checkpoint says which task it is; the task's module computes the
scores (perplexity or bits per character for a language model; BLEU, chrF and
perplexity for seq2seq).
"""

from __future__ import annotations

import argparse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="score a trained run on held-out data (lm: perplexity/bpc; seq2seq: BLEU/chrF)")
    parser.add_argument("run", metavar="RUN", help="run folder or checkpoint file")
    parser.add_argument("--data", metavar="FILE",
                        help="held-out text (lm) or tab-separated pairs (seq2seq; default: the run's test split)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rnnlab.errors import CheckpointError, ConfigError
    from rnnlab.runs import find_checkpoint
    from rnnlab.training.checkpoint import load_checkpoint

    path = find_checkpoint(args.run)
    task = (load_checkpoint(path).meta.get("run_config") or {}).get("task")
    if task == "lm":
        from rnnlab.cli.lm import evaluate_run
        if args.data is None:
            raise ConfigError("rnnlab evaluate on a language model needs --data FILE (held-out text)")
        return evaluate_run(args)
    if task == "seq2seq":
        from rnnlab.cli.seq2seq import evaluate_run
        return evaluate_run(args)
    if task in ("classify", "tag", "forecast"):
        raise ConfigError(f"{path}: a '{task}' run is scored when it trains (metrics.json); "
                          "use `rnnlab predict RUN` on new inputs")
    raise CheckpointError(f"{path}: unknown task {task!r} in the checkpoint's config")
