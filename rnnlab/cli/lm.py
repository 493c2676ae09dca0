"""Language-model commands.

- ``rnnlab train lm``       (:func:`register_train`, under the shared ``train`` command)
- ``rnnlab generate RUN``, ``neighbors``, ``analogy``, ``export-embeddings``,
  ``plot-embeddings``  (:func:`register`)
- ``rnnlab evaluate RUN --data FILE`` for task "lm" calls :func:`evaluate_run`.
"""

from __future__ import annotations

import argparse
import sys

from rnnlab.cells import CELLS
from rnnlab.cli.run_options import add_run_options, base_config_file

# CLI flag -> config key; a flag left out keeps the config file's (or default) value.
TRAIN_FLAGS = {
    "data": "data.path", "valid_data": "data.valid_path", "test_data": "data.test_path",
    "level": "data.level", "mode": "data.mode", "max_vocab": "data.max_vocab",
    "cell": "model.cell", "hidden": "model.hidden_size", "embedding": "model.embedding_size",
    "layers": "model.num_layers", "dropout": "model.dropout",
    "epochs": "train.epochs", "max_steps": "train.max_steps", "lr": "train.lr",
    "batch_size": "train.batch_size", "bptt": "train.bptt", "seed": "train.seed",
    "device": "train.device", "out": "train.out_dir",
}


def register_train(train_subparsers) -> None:
    """Add ``lm`` under ``rnnlab train``."""
    p = train_subparsers.add_parser(
        "lm", help="train a language model (default: char-level LSTM on Python's reference manual)",
        description="Train a recurrent language model. Without --data it reads the Python reference "
                    "manual that ships with Python (pydoc_data), so it runs offline anywhere.")
    p.add_argument("--data", metavar="FILE", help="training text (default: the built-in corpus)")
    p.add_argument("--valid-data", metavar="FILE", help="held-out text (default: a split of --data)")
    p.add_argument("--test-data", metavar="FILE", help="test text (default: a split of --data)")
    p.add_argument("--level", choices=["char", "word"], help="tokens are characters or words")
    p.add_argument("--mode", choices=["stream", "line", "sentence"],
                   help="one stream with truncated BPTT, or <bos>..<eos> lines / sentences")
    p.add_argument("--max-vocab", type=int, metavar="N", help="most frequent N tokens; others are <unk>")
    p.add_argument("--cell", metavar="NAME", help=f"recurrent cell: {', '.join(CELLS)}")
    p.add_argument("--hidden", type=int, metavar="H", help="hidden units per layer")
    p.add_argument("--embedding", type=int, metavar="E", help="embedding size")
    p.add_argument("--layers", type=int, metavar="L", help="stacked recurrent layers")
    p.add_argument("--dropout", type=float, help="locked dropout between layers")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--bptt", type=int, help="truncated-BPTT window (stream mode)")
    p.add_argument("--seed", type=int)
    p.add_argument("--device", help="auto | cpu | cuda")
    add_run_options(p)
    p.set_defaults(func=train_lm)


def experiment_from_args(args: argparse.Namespace):
    """The LMExperiment of ``--config`` (or the resumed run's, or the defaults), then the flags, then ``--set``."""
    from rnnlab.config import apply_overrides, load_config
    from rnnlab.lm.config import LMExperiment

    base = base_config_file(args)
    experiment = load_config(base, LMExperiment) if base else LMExperiment()
    flags = [f"{key}={_literal(getattr(args, name))}" for name, key in TRAIN_FLAGS.items()
             if getattr(args, name) is not None]
    if args.quiet:
        flags.append("train.progress=false")
    return apply_overrides(experiment, flags + list(args.set))


def _literal(value) -> str:
    """A value as a TOML literal for an override (strings quoted, so paths stay strings)."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def train_lm(args: argparse.Namespace) -> int:
    from rnnlab.lm.task import report_loss
    from rnnlab.lm.training import train_language_model

    experiment = experiment_from_args(args)
    result = train_language_model(experiment, resume=args.resume, say=lambda text: print(text, flush=True))
    level = experiment.data.level
    print(f"engine in training: {result.engine}")
    print(f"stopped: {result.fit.stop_reason} after {result.fit.steps} steps "
          f"({result.fit.wall_time_s:.0f} s)")
    print(f"validation: {report_loss(result.valid_loss, level)}")
    if result.test_loss is not None:
        print(f"test:       {report_loss(result.test_loss, level)}")
    print("sample:\n" + "\n".join("  " + line for line in result.sample.splitlines()))
    print(f"saved: {result.run_dir} (try: rnnlab generate {result.run_dir})")
    return 0


def register(subparsers) -> None:
    """Add ``generate``, ``neighbors``, ``analogy``, ``export-embeddings``, ``plot-embeddings``."""
    p = subparsers.add_parser("generate", help="sample text from a trained language model")
    p.add_argument("run", metavar="RUN", help="run folder or checkpoint file")
    p.add_argument("--prompt", default="", help="text to continue")
    p.add_argument("--temperature", type=float, default=0.8, help="0 = greedy (default: 0.8)")
    p.add_argument("--top-k", type=int, help="sample from the k most likely tokens")
    p.add_argument("--top-p", type=float, help="sample from the smallest set with this probability")
    p.add_argument("--max-tokens", type=int, default=200, help="tokens to produce (default: 200)")
    p.add_argument("--lines", type=int, metavar="N", help="produce N lines instead, each ended at a line end")
    p.add_argument("--seed", type=int, default=None, help="sampling seed (same seed, same text)")
    p.add_argument("--allow-unk", action="store_true", help="let the model produce <unk>")
    p.set_defaults(func=generate_run)

    p = subparsers.add_parser("neighbors", help="nearest words in a language model's embedding")
    p.add_argument("run", metavar="RUN")
    p.add_argument("word")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--metric", choices=["cosine", "euclidean"], default="cosine")
    p.set_defaults(func=neighbors_run)

    p = subparsers.add_parser("analogy", help="A - B + C (king man woman -> queen), or accuracy on a file")
    p.add_argument("run", metavar="RUN")
    p.add_argument("words", nargs="*", metavar="WORD", help="three words A B C: finds A - B + C")
    p.add_argument("--file", metavar="QUESTIONS", help="questions-words file: report accuracy and coverage")
    p.add_argument("--method", choices=["3cosadd", "3cosmul"], default="3cosadd")
    p.add_argument("--metric", choices=["cosine", "euclidean"], default="cosine")
    p.add_argument("--k", type=int, default=5, help="answers to show (default: 5)")
    p.add_argument("--lowercase", action="store_true", help="lower-case the question words")
    p.set_defaults(func=analogy_run)

    p = subparsers.add_parser("export-embeddings", help="write the embedding in word2vec text format")
    p.add_argument("run", metavar="RUN")
    p.add_argument("out", metavar="FILE.txt")
    p.set_defaults(func=export_run)

    p = subparsers.add_parser("plot-embeddings", help="2-D PCA plot (PNG) of chosen words")
    p.add_argument("run", metavar="RUN")
    p.add_argument("words", nargs="+", metavar="WORD")
    p.add_argument("--out", default="embeddings.png", metavar="FILE.png")
    p.set_defaults(func=plot_run)


def generate_run(args: argparse.Namespace) -> int:
    from rnnlab.data import BOS_ID, EOS_ID
    from rnnlab.lm.generation import Sampling, generate, generate_lines
    from rnnlab.lm.saved import load_language_model

    saved = load_language_model(args.run)
    data = saved.config.data
    sampling = Sampling(args.temperature, args.top_k, args.top_p, args.allow_unk, args.seed)
    prompt = saved.encode(args.prompt)
    stream = data.mode == "stream"
    line_end = saved.vocab.token_to_id("\n") if stream and data.level == "char" else EOS_ID
    if args.lines:
        lines = generate_lines(saved.model, args.lines, line_end, sampling, prompt, restart_each_line=not stream)
        print("\n".join(saved.decode(line) for line in lines))
        return 0
    start = prompt if stream else [BOS_ID] + prompt  # <bos> starts a line-mode text
    if not start:
        start = [line_end]
    ids = generate(saved.model, start, args.max_tokens, sampling, stop_ids=() if stream else (EOS_ID,))
    tokens = [("\n" if t == "<eos>" else t) for t in saved.vocab.decode(prompt + ids, skip_special=False)
              if t not in ("<bos>", "<pad>")]
    print(saved.tokenizer.detokenize(tokens))
    return 0


def evaluate_run(args: argparse.Namespace) -> int:
    """``rnnlab evaluate RUN --data FILE`` for a language model (reads ``args.run``, ``args.data``)."""
    from rnnlab.lm.evaluation import evaluate_file
    from rnnlab.lm.saved import load_language_model

    saved = load_language_model(args.run)
    result = evaluate_file(saved, args.data)
    print(f"{args.data}: {result.summary()}")
    return 0


def _word_vectors(run: str):
    from rnnlab.lm.embeddings import WordVectors
    from rnnlab.lm.saved import load_language_model

    saved = load_language_model(run)
    return WordVectors.from_embedding(saved.vocab.tokens, saved.model.embedding.weight)


def neighbors_run(args: argparse.Namespace) -> int:
    from rnnlab.lm.embeddings import neighbors

    label = "cosine" if args.metric == "cosine" else "distance"
    for word, score in neighbors(_word_vectors(args.run), args.word, args.k, args.metric):
        print(f"{word}\t{label} {score:.4f}")
    return 0


def analogy_run(args: argparse.Namespace) -> int:
    from rnnlab.errors import ConfigError
    from rnnlab.lm.embeddings import analogy, analogy_accuracy

    wv = _word_vectors(args.run)
    if args.file:
        if args.words:
            raise ConfigError("give either three words or --file, not both")
        report = analogy_accuracy(wv, args.file, args.method, args.metric, args.lowercase)
        for name, (correct, answered, skipped) in report.sections.items():
            share = f"{100 * correct / answered:.1f}%" if answered else "-"
            print(f"{name:<30} {share:>7} ({correct}/{answered}, skipped {skipped})")
        print(f"{args.method}/{args.metric}: {report.summary()}")
        return 0
    if len(args.words) != 3:
        raise ConfigError(f"give three words A B C (A - B + C), got {len(args.words)}")
    a_word, b_word, c_word = (w.lower() if args.lowercase else w for w in args.words)
    # A - B + C is "B is to A as C is to ?"
    for word, score in analogy(wv, b_word, a_word, c_word, args.method, args.metric, args.k):
        print(f"{word}\t{score:.4f}")
    return 0


def export_run(args: argparse.Namespace) -> int:
    from rnnlab.lm.embeddings import export_word2vec

    wv = _word_vectors(args.run)
    path = export_word2vec(wv, args.out)
    print(f"wrote {len(wv.words)} vectors of size {wv.vectors.shape[1]} to {path}", file=sys.stderr)
    return 0


def plot_run(args: argparse.Namespace) -> int:
    from rnnlab.lm.embeddings import plot_embeddings

    path = plot_embeddings(_word_vectors(args.run), args.words, args.out)
    print(f"wrote {path}")
    return 0
