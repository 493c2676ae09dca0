"""``rnnlab train seq2seq``, ``rnnlab translate``, ``rnnlab chat`` and seq2seq evaluation.

The task itself (config, data, split, training, :class:`Translator`) is
:mod:`rnnlab.tasks.seq2seq`; this module is the command line. :func:`register_train`
adds ``seq2seq`` under ``rnnlab train``; :func:`register` adds ``translate`` and
``chat``; ``rnnlab evaluate`` calls :func:`evaluate_run` for seq2seq runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

import torch

from rnnlab.cli.run_options import add_run_options, base_config_file
from rnnlab.config import apply_overrides, load_config
from rnnlab.data import SentencePairs, iter_lines
from rnnlab.errors import ConfigError
from rnnlab.tasks.seq2seq import Seq2SeqExperiment, load_splits, read_pairs, train_seq2seq
from rnnlab.tasks.translator import Translator, plot_attention


def register_train(train_subparsers) -> None:
    """Add ``seq2seq`` under ``rnnlab train``."""
    parser = train_subparsers.add_parser(
        "seq2seq", help="train an attentional encoder-decoder (translation, dialogue)",
        description="Train a sequence-to-sequence model with attention. Data: --data pairs.tsv "
                    "(--src-col/--tgt-col, the Tatoeba/Anki format), --src FILE --tgt FILE, or a "
                    "DailyDialog folder (--dialogues DIR). See docs/seq2seq.md.")
    parser.add_argument("--data", metavar="FILE", help="tab-separated sentence pairs")
    parser.add_argument("--src-col", type=int, metavar="N", help="source column of --data (0-based; default 0)")
    parser.add_argument("--tgt-col", type=int, metavar="M", help="target column of --data (default 1)")
    parser.add_argument("--src", metavar="FILE", help="source sentences, one per line (with --tgt)")
    parser.add_argument("--tgt", metavar="FILE", help="target sentences, line-aligned with --src")
    parser.add_argument("--dialogues", metavar="DIR", help="DailyDialog folder (train/ validation/ test/)")
    parser.add_argument("--cell", help="recurrent cell (model.cell)")
    parser.add_argument("--hidden", type=int, help="hidden units (model.hidden_size)")
    parser.add_argument("--layers", type=int, help="stacked layers (model.num_layers)")
    parser.add_argument("--attention", choices=("bahdanau", "dot", "general"), help="attention score")
    parser.add_argument("--device", help="cpu | cuda | auto")
    add_run_options(parser)
    parser.set_defaults(func=run_train)


def experiment_from_args(args: argparse.Namespace) -> Seq2SeqExperiment:
    """The config file (or the resumed run's config), then the flags, then ``--set``."""
    base_file = base_config_file(args)
    experiment = load_config(base_file, Seq2SeqExperiment) if base_file else Seq2SeqExperiment()
    flags = []
    if args.data is not None:
        flags += ["data.format=tsv", f"data.path={json.dumps(args.data)}"]
    if args.src is not None or args.tgt is not None:
        if args.src is None or args.tgt is None:
            raise ConfigError("--src and --tgt go together: give both aligned files")
        flags += ["data.format=files", f"data.src_path={json.dumps(args.src)}", f"data.tgt_path={json.dumps(args.tgt)}"]
    if args.dialogues is not None:
        flags += ["data.format=dialogues", f"data.path={json.dumps(args.dialogues)}"]
    for option, key in (("src_col", "data.src_col"), ("tgt_col", "data.tgt_col"), ("epochs", "train.epochs"),
                        ("max_steps", "train.max_steps"), ("cell", "model.cell"), ("hidden", "model.hidden_size"),
                        ("layers", "model.num_layers"), ("attention", "model.attention"),
                        ("device", "train.device"), ("out", "train.out_dir")):
        value = getattr(args, option)
        if value is not None:
            flags.append(f"{key}={json.dumps(value)}")
    return apply_overrides(experiment, flags + list(args.set))


def run_train(args: argparse.Namespace) -> int:
    experiment = experiment_from_args(args)
    resume = None
    if args.resume:
        resume = Path(experiment.train.out_dir) / "checkpoints" / "last.safetensors"
        if not resume.is_file():
            raise ConfigError(f"--resume: {resume} does not exist (train into {experiment.train.out_dir} first)")
    result = train_seq2seq(experiment, resume=resume, progress=False if args.quiet else None)
    best = f"{result.best_metric:.4f}" if result.best_metric is not None else "n/a"
    print(f"seq2seq | {result.stop_reason} after {result.steps} steps, {result.epochs} epochs, "
          f"{result.wall_time_s:.1f} s | best validation loss {best} | run {experiment.train.out_dir}")
    return 0


def register(subparsers) -> None:
    """Add ``translate`` and ``chat``."""
    parser = subparsers.add_parser("translate", help="translate sentences with a trained seq2seq run",
                                   description="Translate TEXT arguments, --file FILE, or stdin (one sentence per line).")
    parser.add_argument("run", metavar="RUN", help="run folder or checkpoint file")
    parser.add_argument("text", nargs="*", help="sentences to translate ('-' or none: read stdin)")
    parser.add_argument("--file", metavar="FILE", help="translate every line of FILE")
    parser.add_argument("--beam", type=int, help="beam size (default: the run's decode.beam_size; 1 = greedy)")
    parser.add_argument("--n-best", type=int, default=1, help="print the N best translations with scores")
    parser.add_argument("--max-len", type=int, help="most output tokens")
    parser.add_argument("--attention-plot", metavar="FILE.png", help="heatmap of the first sentence's attention")
    parser.add_argument("--device", default="cpu", help="cpu | cuda")
    parser.set_defaults(func=run_translate)

    parser = subparsers.add_parser("chat", help="talk to a seq2seq dialogue run in the terminal",
                                   description="Type a line, get a reply; empty lines are skipped; Ctrl-D ends.")
    parser.add_argument("run", metavar="RUN", help="run folder or checkpoint file")
    parser.add_argument("--beam", type=int, help="reply with beam search of this size instead of sampling")
    parser.add_argument("--temperature", type=float, help="sampling temperature")
    parser.add_argument("--top-k", type=int, help="sample among the K most likely tokens (0 = all)")
    parser.add_argument("--first-top-k", type=int, help="top-k for the first token only (seed 004: 3)")
    parser.add_argument("--top-p", type=float, help="nucleus sampling mass")
    parser.add_argument("--max-len", type=int, help="most reply tokens")
    parser.add_argument("--seed", type=int, default=None, help="sampling seed (default: random)")
    parser.add_argument("--device", default="cpu", help="cpu | cuda")
    parser.set_defaults(func=run_chat)


def _input_lines(args: argparse.Namespace, stdin: TextIO) -> list[str]:
    if args.file and args.text:
        raise ConfigError("give sentences as arguments or --file FILE, not both")
    if args.file:
        return [line.strip() for _, line in iter_lines(args.file)]
    if args.text and args.text != ["-"]:
        return list(args.text)
    return [line.strip() for line in stdin]


def run_translate(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    if args.n_best < 1 or (args.beam is not None and args.beam < 1):
        raise ConfigError(f"--beam and --n-best must be >= 1; got {args.beam}, {args.n_best}")
    translator = Translator.from_run(args.run, device=args.device)
    beam = translator.experiment.decode.beam_size if args.beam is None else args.beam
    if args.n_best > beam:
        raise ConfigError(f"--n-best {args.n_best} needs --beam >= {args.n_best} (beam is {beam})")
    lines = _input_lines(args, stdin)
    options = {} if args.max_len is None else {"max_len": args.max_len}
    texts = [line for line in lines if line]
    outputs = iter(translator.translate(texts, beam, args.n_best, **options) if texts else [])
    first = None
    for line in lines:
        if not line:
            print("", file=stdout)
            continue
        nbest = next(outputs)
        first = first or nbest[0]
        if args.n_best == 1:
            print(nbest[0].text, file=stdout)
        else:
            for rank, t in enumerate(nbest, 1):
                print(f"{rank}\t{t.score:.4f}\t{t.text}", file=stdout)
            print("", file=stdout)
    if args.attention_plot:
        if first is None:
            raise ConfigError("--attention-plot: there is no sentence to plot")
        print(f"attention plot: {plot_attention(first, args.attention_plot)}", file=sys.stderr)
    return 0


def chat_loop(reply, stdin: TextIO, stdout: TextIO, prompt: str = "you> ") -> int:
    """Prompt, read a line, print ``reply(line)``, repeat; empty lines are skipped; EOF ends cleanly."""
    while True:
        stdout.write(prompt)
        stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            line = ""
        if not line:  # EOF (Ctrl-D)
            stdout.write("\n")
            return 0
        line = line.strip()
        if line:
            print(f"bot> {reply(line)}", file=stdout, flush=True)


def run_chat(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    translator = Translator.from_run(args.run, device=args.device)
    generator = torch.Generator()
    generator.manual_seed(args.seed) if args.seed is not None else generator.seed()
    options = {k: v for k, v in (("temperature", args.temperature), ("top_k", args.top_k),
                                 ("first_top_k", args.first_top_k), ("top_p", args.top_p),
                                 ("max_len", args.max_len)) if v is not None}

    def reply(line: str) -> str:
        if args.beam is not None:
            max_len = {"max_len": options["max_len"]} if "max_len" in options else {}
            return translator.translate([line], args.beam, 1, **max_len)[0][0].text
        return translator.sample([line], generator=generator, **options)[0].text

    return chat_loop(reply, stdin or sys.stdin, stdout or sys.stdout)


def evaluate_run(args: argparse.Namespace) -> int:
    """``rnnlab evaluate RUN [--data FILE]`` for seq2seq runs: BLEU, chrF, perplexity.

    Reads ``args.run`` and ``args.data`` (None: the run's own test split, rebuilt
    from its saved data config). ``--data`` is in the run's format: a TSV with the
    run's columns, a two-column TSV for runs trained on two files, or a
    DailyDialog dialogues file.
    """
    from rnnlab.evaluation.translation import corpus_bleu, corpus_chrf

    translator = Translator.from_run(args.run)
    data = translator.experiment.data
    if args.data is not None:
        pairs = read_pairs(data, args.data)
    else:
        pairs = load_splits(data, translator.codec).test
    keep = [i for i, (s, t) in enumerate(zip(pairs.sources, pairs.targets))
            if translator.codec.tokenize(s) and translator.codec.tokenize(t)]
    pairs = SentencePairs([pairs.sources[i] for i in keep], [pairs.targets[i] for i in keep])
    started = time.perf_counter()
    ppl, tokens = translator.perplexity(pairs)
    hypotheses = [n[0].text for n in translator.translate(pairs.sources)]
    references = [translator.codec.detokenize(translator.codec.tokenize(t)) for t in pairs.targets]
    bleu, chrf = corpus_bleu(hypotheses, references), corpus_chrf(hypotheses, references)
    d = translator.experiment.decode
    print(f"seq2seq evaluation of {args.run} on {args.data or 'its test split'}: {len(pairs)} pairs, "
          f"{tokens} target tokens | beam {d.beam_size}, alpha {d.alpha} | {time.perf_counter() - started:.1f} s")
    print(f"perplexity  {ppl:.3f}")
    print(f"BLEU        {bleu.score:.2f}  {bleu.signature}")
    print(f"chrF        {chrf.score:.2f}  {chrf.signature}")
    return 0
