"""Every seq2seq recipe parses and trains for one tiny step on data of its own format."""

from pathlib import Path

import pytest

from rnnlab.tasks.seq2seq import Seq2SeqExperiment, train_seq2seq
from rnnlab.tasks.translator import Translator
from rnnlab.config import load_config

RECIPES = sorted(Path(__file__).parents[2].joinpath("recipes").glob("seq2seq_*.toml"))


def tiny_data(kind: str, folder: Path) -> str:
    if kind == "tsv":
        path = folder / "spa.txt"
        path.write_text("".join(f"Go {i}.\tVe {i}.\tCC-BY 2.0\n" for i in range(30)), encoding="utf-8")
        return str(path)
    for split in ("train", "validation", "test"):
        (folder / split).mkdir()
        (folder / split / f"dialogues_{split}.txt").write_text(
            "Hi , Jim . __eou__ Hello ! How are you ? __eou__ Fine . __eou__\n", encoding="utf-8")
    return str(folder)


def test_there_are_recipes():
    assert {p.name for p in RECIPES} >= {"seq2seq_spa_eng.toml", "seq2seq_dailydialog.toml"}


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_recipe_runs_one_tiny_step(recipe, tmp_path):
    experiment = load_config(recipe, Seq2SeqExperiment)
    assert experiment.task == "seq2seq"
    path = tiny_data(experiment.data.format, tmp_path)
    small = load_config(recipe, Seq2SeqExperiment, overrides=[
        f'data.path="{path}"', "data.valid_size=4", "data.test_size=4", "data.min_freq=1",
        "model.embedding_size=8", "model.hidden_size=8", "train.max_steps=1", "train.batch_size=4",
        f'train.out_dir="{tmp_path / "run"}"', "train.progress=false", "train.plot=false"])
    result = train_seq2seq(small)
    assert result.steps == 1
    translator = Translator.from_run(tmp_path / "run")
    assert len(translator.translate(["Ve 3.", "Hello !"], beam_size=2)) == 2
