"""`rnnlab train classify|tag|forecast` and `rnnlab predict`, through a parser built from the register functions."""

import argparse
import io
import json
import random
import sys

import pytest

from rnnlab.cli.classify import register, register_train
from rnnlab.errors import RnnlabError

TINY = ["--epochs", "4", "--hidden", "8", "--quiet", "--set", "train.plot=false", "--set", "train.lr=0.02"]


def cli(argv, capsys, stdin=None, monkeypatch=None):
    """Run like rnnlab.cli.main: returns (exit code, stdout, stderr); user errors are one line."""
    parser = argparse.ArgumentParser(prog="rnnlab")
    commands = parser.add_subparsers(dest="command")
    train = commands.add_parser("train").add_subparsers(dest="task")
    register_train(train)
    register(commands)
    args = parser.parse_args(argv)
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = args.func(args)
    except RnnlabError as error:
        print(f"rnnlab {args.command}: error: {error}", file=sys.stderr)
        code = 2
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def reviews(tmp_path_factory):
    rng = random.Random(0)
    good, bad, filler = ["good", "great", "fine"], ["bad", "awful", "poor"], ["the", "film", "was", "plot", "a"]
    rows = ["id,text,label"]
    for i in range(160):
        label = i % 2
        words = rng.choices(filler, k=rng.randint(2, 6)) + [rng.choice(good if label else bad)]
        rng.shuffle(words)
        rows.append(f'{i},"{" ".join(words)}",{"pos" if label else "neg"}')
    path = tmp_path_factory.mktemp("data") / "reviews.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_train_classify_then_predict_text_file_stdin(reviews, tmp_path, capsys, monkeypatch):
    run = tmp_path / "run"
    code, out, err = cli(["train", "classify", "--data", str(reviews), "--text-col", "text", "--label-col", "label",
                          "--out", str(run), "--cell", "gru", "--pooling", "max", *TINY], capsys)
    assert code == 0, err
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] >= 0.9 and "macro_f1" in metrics["test"]
    assert (run / "confusion.png").is_file() and (run / "checkpoints" / "best.safetensors").is_file()
    assert "macro-F1" in out

    code, out, _ = cli(["predict", str(run), "a great film", "the plot was awful", "--json"], capsys)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["label"] for r in results] == ["pos", "neg"]
    assert sum(results[0]["probabilities"].values()) == pytest.approx(1.0, abs=1e-4)

    inputs = tmp_path / "inputs.txt"
    inputs.write_text("good plot\n\nawful\n")
    code, out, _ = cli(["predict", str(run), "--file", str(inputs)], capsys)
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == ["pos", "neg"]

    code, out, _ = cli(["predict", str(run), "--json"], capsys, stdin="poor film\nfine\n", monkeypatch=monkeypatch)
    assert [json.loads(line)["label"] for line in out.splitlines()] == ["neg", "pos"]

    # --resume continues from the last checkpoint with more epochs
    code, _, err = cli(["train", "classify", "--data", str(reviews), "--out", str(run), "--resume",
                        *TINY[:-4], "--set", "train.plot=false", "--set", "train.lr=0.02", "--epochs", "5"], capsys)
    assert code == 0, err
    assert json.loads((run / "metrics.json").read_text())["steps"] > metrics["steps"]


def test_train_classify_jsonl_and_folders(tmp_path, capsys):
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text("".join(json.dumps({"body": t, "y": y}) + "\n"
                             for t, y in [("good", 1), ("bad", 0)] * 20))
    code, _, err = cli(["train", "classify", "--data", str(jsonl), "--text-col", "body", "--label-col", "y",
                        "--out", str(tmp_path / "r1"), *TINY], capsys)
    assert code == 0, err
    for label, word in (("pos", "good"), ("neg", "bad")):
        (tmp_path / "folders" / label).mkdir(parents=True)
        for i in range(10):
            (tmp_path / "folders" / label / f"{i}.txt").write_text(f"{word} {i}")
    code, _, err = cli(["train", "classify", "--data", str(tmp_path / "folders"), "--out", str(tmp_path / "r2"),
                        *TINY], capsys)
    assert code == 0, err


CONLLU = """# sent_id = 1
1\tthe\tthe\tDET\tDT\t_\t2\tdet\t_\t_
2\tdog\tdog\tNOUN\tNN\t_\t3\tnsubj\t_\t_
3\truns\trun\tVERB\tVBZ\t_\t0\troot\t_\t_

"""


def test_train_tag_conllu_then_predict(tmp_path, capsys, monkeypatch):
    sentences = []
    for det in ("the", "a"):
        for noun in ("dog", "cat", "bird"):
            for verb in ("runs", "sleeps"):
                sentences.append(CONLLU.replace("the\tthe", f"{det}\t{det}").replace("dog\tdog", f"{noun}\t{noun}")
                                 .replace("runs\trun", f"{verb}\t{verb}"))
    path = tmp_path / "train.conllu"
    path.write_text("".join(sentences * 4))
    run = tmp_path / "tagrun"
    code, out, err = cli(["train", "tag", "--data", str(path), "--out", str(run), "--epochs", "15", "--hidden", "8",
                          "--quiet", "--set", "train.plot=false", "--set", "train.lr=0.05"], capsys)
    assert code == 0, err
    assert json.loads((run / "metrics.json").read_text())["test"]["accuracy"] == 1.0
    code, out, _ = cli(["predict", str(run), "a cat sleeps", "--json"], capsys)
    assert json.loads(out) == {"tokens": ["a", "cat", "sleeps"], "tags": ["DET", "NOUN", "VERB"]}
    code, out, _ = cli(["predict", str(run)], capsys, stdin="the bird runs\n", monkeypatch=monkeypatch)
    assert out.strip() == "the/DET bird/NOUN runs/VERB"


def test_train_tag_parity_format(tmp_path, capsys):
    code, _, err = cli(["train", "tag", "--format", "parity", "--out", str(tmp_path / "p"), "--max-steps", "2",
                        "--quiet", "--set", "data.bits=6", "--set", "train.plot=false"], capsys)
    assert code == 0, err
    assert "string_accuracy" in json.loads((tmp_path / "p" / "metrics.json").read_text())["test"]


@pytest.fixture
def hourly_csv(tmp_path):
    import math

    rows = ["date,load,temp"]
    for i in range(600):
        day, hour = divmod(i, 24)
        temp = 10 + 5 * math.sin(2 * math.pi * i / 24) + 0.1 * ((i * 7919) % 11 - 5)
        rows.append(f"2020-01-{1 + day:02d} {hour:02d}:00:00,{(i * 31) % 7},{temp:.3f}")
    path = tmp_path / "series.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_train_forecast_then_predict(hourly_csv, tmp_path, capsys, monkeypatch):
    run = tmp_path / "fc"
    code, out, err = cli(["train", "forecast", "--data", str(hourly_csv), "--target", "temp", "--lookback", "24",
                          "--horizon", "3", "--season", "24", "--out", str(run), "--epochs", "2", "--hidden", "8",
                          "--quiet"], capsys)
    assert code == 0, err
    metrics = json.loads((run / "metrics.json").read_text())
    assert set(metrics["test"]) == {"model", "persistence", "seasonal_naive"}
    for errors in metrics["test"].values():
        assert set(errors) == {"original", "normalised"} and set(errors["original"]) == {"mae", "rmse", "mse"}
    assert (run / "forecast.png").is_file() and "persistence" in out
    code, out, _ = cli(["predict", str(run), "--file", str(hourly_csv), "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["targets"] == ["temp"] and len(result["forecast"]) == 3
    assert result["timestamps"][0] == "2020-01-26T00:00:00"
    code, out, _ = cli(["predict", str(run)], capsys, stdin=hourly_csv.read_text(), monkeypatch=monkeypatch)
    assert code == 0 and out.splitlines()[0] == "timestamp\ttemp"


# ----------------------------------------------------------------------------- one-line errors


def _one_line(err):
    assert "\n" not in err.strip() and "Traceback" not in err
    return err.strip()


def test_missing_column_lists_the_columns(reviews, tmp_path, capsys):
    code, _, err = cli(["train", "classify", "--data", str(reviews), "--text-col", "txt", "--out", str(tmp_path)],
                       capsys)
    assert code == 2
    assert _one_line(err).endswith("no column 'txt' (did you mean 'text'?); the columns are: id, text, label")


def test_forecast_missing_target_column_lists_columns(hourly_csv, tmp_path, capsys):
    code, _, err = cli(["train", "forecast", "--data", str(hourly_csv), "--target", "tmp", "--out", str(tmp_path)],
                       capsys)
    assert code == 2 and "no column 'tmp' (did you mean 'temp'?); the columns are: load, temp" in _one_line(err)


def test_lookback_or_horizon_that_does_not_fit(hourly_csv, tmp_path, capsys):
    code, _, err = cli(["train", "forecast", "--data", str(hourly_csv), "--target", "temp", "--lookback", "24",
                        "--horizon", "70", "--out", str(tmp_path)], capsys)
    assert code == 2
    assert "valid split, rows [396, 480): lookback 24 + delay 0 + horizon 70 does not fit" in _one_line(err)


def test_predict_on_a_run_of_another_task(tmp_path, capsys):
    import torch

    from rnnlab.training import StepOutput, Trainer, TrainConfig

    class Loss:
        def loss(self, model, batch, state):
            return StepOutput(model(batch).pow(2).mean(), n_items=1)

    config = TrainConfig(out_dir=str(tmp_path / "lm"), max_steps=1, progress=False, plot=False)
    Trainer(torch.nn.Linear(2, 2), Loss(), config, lambda e: [torch.ones(1, 2)],
            run_config={"task": "lm"}).fit()
    code, _, err = cli(["predict", str(tmp_path / "lm"), "hello"], capsys)
    assert code == 2 and "this run is a 'lm' model; expected classify or tag or forecast" in _one_line(err)


def test_tag_features_from_a_run_of_another_task(reviews, tmp_path, capsys):
    run = tmp_path / "cls"
    assert cli(["train", "classify", "--data", str(reviews), "--out", str(run), "--max-steps", "1", "--quiet"],
               capsys)[0] == 0
    code, _, err = cli(["train", "classify", "--data", str(reviews), "--out", str(tmp_path / "x"),
                        "--set", "data.features=tags", "--set", f"data.tagger_run={run}"], capsys)
    assert code == 2 and "this run is a 'classify' model; expected tag" in _one_line(err)


def test_bad_config_key_suggests(reviews, tmp_path, capsys):
    code, _, err = cli(["train", "classify", "--data", str(reviews), "--set", "model.hiden=3"], capsys)
    assert code == 2 and "did you mean 'model.hidden'" in _one_line(err)
