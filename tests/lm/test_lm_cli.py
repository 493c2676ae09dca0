"""The commands, through a parser built with rnnlab.cli.lm's register functions."""

import argparse
import glob
import os
from pathlib import Path

import pytest

from rnnlab.cli import lm as lm_cli
from rnnlab.errors import RnnlabError

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--set", "model.hidden_size=8", "--set", "model.embedding_size=4", "--set", "model.num_layers=1",
        "--set", "train.max_steps=1", "--set", "train.progress=false", "--set", "train.plot=false",
        "--set", "data.max_valid_tokens=200", "--set", "train.batch_size=2", "--set", "train.eval_every=1",
        "--set", "sample.max_tokens=5", "--set", "sample.lines=0", "--set", "train.schedule=constant"]


def run(*argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    lm_cli.register_train(sub.add_parser("train").add_subparsers(dest="task"))
    lm_cli.register(sub)
    evaluate = sub.add_parser("evaluate")
    evaluate.add_argument("run")
    evaluate.add_argument("--data", required=True)
    evaluate.set_defaults(func=lm_cli.evaluate_run)
    args = parser.parse_args([str(a) for a in argv])
    return args.func(args)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    words = "the cat sat on the mat . the dog sat on the log . a cat saw a dog .".split(" ")
    lines = [" ".join(words[i % 9:] + words[:i % 9]) for i in range(40)]
    (folder / "train.txt").write_text("\n".join(lines) + "\n")
    (folder / "held.txt").write_text("the cat sat on the zebra .\n")
    return folder


@pytest.fixture(scope="module")
def word_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "words"
    assert run("train", "lm", "--data", corpus / "train.txt", "--level", "word", "--mode", "line",
               "--cell", "gru", "--hidden", 16, "--embedding", 8, "--epochs", 2, "--batch-size", 8,
               "--out", out, "--quiet", "--set", "train.plot=false", "--set", "train.max_steps=none",
               "--set", "sample.lines=2") == 0
    return out


def test_train_writes_a_run_folder_that_generate_and_evaluate_read(word_run, corpus, capsys):
    assert (word_run / "checkpoints" / "last.safetensors").is_file()
    assert 'task = "lm"' in (word_run / "config.toml").read_text()
    capsys.readouterr()
    assert run("generate", word_run, "--lines", 3, "--seed", 1) == 0
    first = capsys.readouterr().out
    assert len(first.strip().splitlines()) == 3
    run("generate", word_run, "--lines", 3, "--seed", 1)
    assert capsys.readouterr().out == first  # same seed, same text
    assert run("generate", word_run, "--prompt", "the cat", "--max-tokens", 5, "--top-k", 3, "--seed", 0) == 0
    assert capsys.readouterr().out.startswith("the cat")
    assert run("evaluate", word_run, "--data", corpus / "held.txt") == 0
    out = capsys.readouterr().out
    assert "perplexity" in out and "unknown 1 of 7 " in out  # "zebra"


def test_resume_continues_from_the_last_checkpoint(corpus, tmp_path, capsys):
    base = ["train", "lm", "--data", corpus / "train.txt", "--level", "char", "--out", tmp_path / "r",
            "--quiet", "--hidden", 8, "--embedding", 4, "--layers", 1, "--bptt", 8, "--batch-size", 4,
            "--set", "train.plot=false", "--set", "train.eval_every=2", "--set", "train.checkpoint_every=2"]
    assert run(*base, "--max-steps", 2) == 0
    assert "stopped: max_steps after 2 steps" in capsys.readouterr().out
    assert run(*base, "--max-steps", 4, "--resume") == 0
    assert "stopped: max_steps after 4 steps" in capsys.readouterr().out
    log = (tmp_path / "r" / "log.jsonl").read_text()
    assert '"step": 4' in log


def test_embedding_commands(word_run, tmp_path, capsys):
    assert run("neighbors", word_run, "cat", "--k", 3) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 3
    assert run("analogy", word_run, "cat", "dog", "log", "--method", "3cosmul", "--k", 2) == 0
    capsys.readouterr()
    questions = tmp_path / "q.txt"
    questions.write_text(": animals\ncat dog mat log\ncat zebra mat log\n")
    assert run("analogy", word_run, "--file", questions) == 0
    assert "skipped 1 of 2" in capsys.readouterr().out
    assert run("export-embeddings", word_run, tmp_path / "v.txt") == 0
    header = (tmp_path / "v.txt").read_text().splitlines()[0]
    assert header.split()[1] == "8"
    assert run("plot-embeddings", word_run, "cat", "dog", "mat", "--out", tmp_path / "p.png") == 0
    assert (tmp_path / "p.png").stat().st_size > 0


def test_clear_errors(corpus, tmp_path, word_run):
    with pytest.raises(RnnlabError, match="missing.txt: file not found"):
        run("train", "lm", "--data", tmp_path / "missing.txt", "--out", tmp_path / "x")
    with pytest.raises(RnnlabError, match="unknown cell 'lstn'.*did you mean 'lstm'"):
        run("train", "lm", "--data", corpus / "train.txt", "--cell", "lstn", "--out", tmp_path / "x")
    with pytest.raises(RnnlabError, match="unknown key 'train.lrr'"):
        run("train", "lm", "--set", "train.lrr=1", "--out", tmp_path / "x")
    with pytest.raises(RnnlabError, match="no such run folder"):
        run("generate", tmp_path / "nothing")
    with pytest.raises(RnnlabError, match="not in the vocabulary"):
        run("neighbors", word_run, "zebra")
    # A run folder of another task.
    from rnnlab.training import TrainConfig, Trainer
    import torch
    other = tmp_path / "classifier"
    model = torch.nn.Linear(2, 2)

    class Task:
        def loss(self, model, batch, state):
            from rnnlab.training import StepOutput
            return StepOutput(model(batch).sum(), n_items=1)

    Trainer(model, Task(), TrainConfig(epochs=1, out_dir=str(other), progress=False, plot=False),
            lambda e: [torch.ones(1, 2)], run_config={"task": "classify"}).fit()
    with pytest.raises(RnnlabError, match="this run is a 'classify' model; expected lm"):
        run("generate", other)


@pytest.mark.parametrize("recipe", sorted(glob.glob(str(ROOT / "recipes" / "lm_*.toml"))),
                         ids=lambda p: os.path.basename(p))
def test_every_recipe_parses_and_runs_one_tiny_step(recipe, tmp_path):
    from rnnlab.config import load_config
    from rnnlab.lm.config import LMExperiment

    experiment = load_config(recipe, LMExperiment)
    paths = [experiment.data.path, experiment.data.valid_path, experiment.data.test_path]
    if any(p and not Path(p).exists() for p in paths):
        pytest.skip(f"data of {recipe} not on this machine")
    assert run("train", "lm", "--config", recipe, "--out", tmp_path / "run", *TINY) == 0
    assert (tmp_path / "run" / "checkpoints" / "last.safetensors").is_file()
