"""`rnnlab train seq2seq`, `translate`, `chat` and seq2seq evaluation, through an argparse parser built here."""

import argparse
import io
import itertools
import random

import pytest

from rnnlab.cli import seq2seq as cli
from rnnlab.tasks import seq2seq as task
from rnnlab.tasks.translator import Translator
from rnnlab.data import SentencePairs
from rnnlab.errors import RnnlabError

WORDS = ["uno", "dos", "tres", "cuatro", "cinco"]
ENGLISH = {"uno": "one", "dos": "two", "tres": "three", "cuatro": "four", "cinco": "five"}


def run(argv, stdin=None):
    """Like rnnlab.cli.main: parse, call, print RnnlabError as one line and return 2."""
    parser = argparse.ArgumentParser(prog="rnnlab")
    sub = parser.add_subparsers(dest="command")
    train = sub.add_parser("train").add_subparsers(dest="what")
    cli.register_train(train)
    cli.register(sub)
    evaluate = sub.add_parser("evaluate")
    evaluate.add_argument("run")
    evaluate.add_argument("--data")
    evaluate.set_defaults(func=cli.evaluate_run)
    args = parser.parse_args(argv)
    try:
        if stdin is not None:
            return args.func(args, stdin=stdin)
        return args.func(args)
    except RnnlabError as error:
        print(f"rnnlab {args.command}: error: {error}", file=__import__("sys").stderr)
        return 2


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A run folder trained for a few seconds on word-by-word 'translation' of number words."""
    folder = tmp_path_factory.mktemp("s2s")
    rng = random.Random(0)
    lines = []
    for n in (1, 2, 3):
        for words in itertools.product(WORDS, repeat=n):
            lines.append(f"{' '.join(ENGLISH[w] for w in words)}.\t{' '.join(words).capitalize()}.\tCC-BY")
    rng.shuffle(lines)
    data = folder / "pairs.tsv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = folder / "run"
    code = run(["train", "seq2seq", "--data", str(data), "--src-col", "1", "--tgt-col", "0", "--out", str(out),
                "--epochs", "40", "--hidden", "32", "--cell", "gru", "--attention", "general", "--quiet",
                "--set", "data.valid_size=10", "--set", "data.test_size=20", "--set", "train.lr=0.01",
                "--set", "train.batch_size=16", "--set", "model.embedding_size=16", "--set", "model.dropout=0.0",
                "--set", "train.plot=false", "--set", "decode.beam_size=2", "--device", "cpu"])
    assert code == 0
    return folder, out


def test_train_writes_a_run_folder(trained, capsys):
    folder, out = trained
    assert (out / "checkpoints" / "best.safetensors").is_file() and (out / "config.toml").is_file()
    assert 'task = "seq2seq"' in (out / "config.toml").read_text()


def test_translate_argument_file_and_stdin(trained, capsys, tmp_path):
    _, out = trained
    assert run(["translate", str(out), "Dos tres.", "Cinco.", "Cuatro uno."]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0] == "two three."  # learned
    source = tmp_path / "in.txt"
    source.write_text("Dos tres.\n\nCinco.\nCuatro uno.\n", encoding="utf-8")
    assert run(["translate", str(out), "--file", str(source)]) == 0
    assert capsys.readouterr().out.splitlines() == [lines[0], "", *lines[1:]]
    assert run(["translate", str(out)], stdin=io.StringIO("Cinco.\nCuatro uno.\n")) == 0
    assert capsys.readouterr().out.splitlines() == lines[1:]
    assert run(["translate", str(out), "-"], stdin=io.StringIO("Cinco.\n")) == 0
    assert capsys.readouterr().out.splitlines() == lines[1:2]


def test_translate_n_best_and_attention_plot(trained, capsys, tmp_path):
    _, out = trained
    plot = tmp_path / "attention.png"
    assert run(["translate", str(out), "Dos uno.", "--beam", "3", "--n-best", "3",
                "--attention-plot", str(plot)]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines() if line]
    assert [r[0] for r in rows] == ["1", "2", "3"] and rows[0][2] == "two one."
    scores = [float(r[1]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert plot.stat().st_size > 1000


def test_round_trip_through_translator_and_evaluate(trained, capsys):
    folder, out = trained
    translator = Translator.from_run(out)
    greedy = translator.translate(["Dos tres."], beam_size=1)[0][0]
    assert greedy.text == "two three." and greedy.source_tokens == ["dos", "tres", "."]
    assert run(["evaluate", str(out)]) == 0
    text = capsys.readouterr().out
    assert "BLEU" in text and "chrF" in text and "perplexity" in text and "tok:13a" in text
    bleu = float(text.split("BLEU")[1].split()[0])
    assert bleu > 50


def test_chat_loop_skips_empty_input_and_ends_on_eof(trained):
    _, out = trained
    replies = []
    stdout = io.StringIO()
    assert cli.chat_loop(lambda line: replies.append(line) or line.upper(), io.StringIO("hola\n\n   \nadios\n"),
                         stdout) == 0
    assert replies == ["hola", "adios"]
    assert "bot> HOLA" in stdout.getvalue() and "bot> ADIOS" in stdout.getvalue()
    assert cli.chat_loop(lambda line: line, io.StringIO(""), io.StringIO()) == 0  # immediate EOF
    args = argparse.Namespace(run=str(out), beam=None, temperature=None, top_k=1, first_top_k=None, top_p=None,
                              max_len=None, seed=0, device="cpu")
    stdout = io.StringIO()
    assert cli.run_chat(args, stdin=io.StringIO("Dos.\n\n"), stdout=stdout) == 0
    assert "bot> two." in stdout.getvalue()


@pytest.mark.parametrize("argv, message", [
    (["translate", "{tmp}/nowhere", "hola"], "no such run folder or checkpoint file"),
    (["translate", "{run}", "hola", "--beam", "2", "--n-best", "3"], "--n-best 3 needs --beam >= 3"),
    (["train", "seq2seq", "--data", "{tmp}/missing.tsv", "--out", "{tmp}/x"], "missing.tsv"),
    (["train", "seq2seq", "--src", "a.txt"], "--src and --tgt go together"),
    (["train", "seq2seq", "--set", "model.cel=gru"], "did you mean 'model.cell'"),
    (["train", "seq2seq", "--out", "{tmp}/fresh", "--resume"], "--resume"),
])
def test_bad_input_is_a_one_line_error(trained, tmp_path, capsys, argv, message):
    _, out = trained
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{run}", str(out)) for a in argv]
    assert run(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_split_keeps_test_sources_out_of_training():
    codec = task.TextCodec(lowercase=True, strip_accents=True)
    sources = [f"frase {i % 40}" for i in range(200)]  # every source 5 times
    pairs = SentencePairs(sources, [f"sentence {i}" for i in range(200)])
    splits = task.split_pairs(pairs, codec, valid_size=12, test_size=23, seed=3)
    assert len(splits.test) == 23 and len(splits.valid) == 12
    train_sources = set(splits.train.sources)
    assert not train_sources & set(splits.test.sources) and not train_sources & set(splits.valid.sources)
    again = task.split_pairs(pairs, codec, valid_size=12, test_size=23, seed=3)
    assert again.test.targets == splits.test.targets
    assert codec.tokenize("¿Cómo te llamas?") == ["¿", "como", "te", "llamas", "?"]
