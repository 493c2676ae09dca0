"""``rnnlab train TASK``: one command, one sub-command per task model.

Each task's CLI module adds its own parser with ``register_train``; the list below
is the whole registry.
"""

from __future__ import annotations


def register(subparsers) -> None:
    from rnnlab.cli import classify, lm, seq2seq

    parser = subparsers.add_parser(
        "train", help="train a model: lm | classify | tag | forecast | seq2seq",
        description="Train a task model on your files (or the built-in corpus for `lm`). "
                    "Every task writes a run folder (--out) with config.toml, checkpoints, "
                    "logs and plots, and resumes exactly with --resume.")
    tasks = parser.add_subparsers(dest="task", metavar="TASK", required=True)
    lm.register_train(tasks)
    classify.register_train(tasks)  # also adds `tag` and `forecast`
    seq2seq.register_train(tasks)
