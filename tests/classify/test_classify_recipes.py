"""Every classify / tag / forecast recipe parses and runs one tiny step (on a small slice of its data)."""

from pathlib import Path

import pytest

from rnnlab.config import with_values
from rnnlab.tasks.classify import ClassifyExperiment, train_classify
from rnnlab.tasks.forecast import ForecastExperiment, train_forecast
from rnnlab.tasks.tag import TagExperiment, train_tag
from rnnlab.config import config_to_dict, load_config

RECIPES = Path(__file__).parents[2] / "recipes"
SCHEMAS = {"classify": (ClassifyExperiment, train_classify), "tag": (TagExperiment, train_tag),
           "forecast": (ForecastExperiment, train_forecast)}
NAMES = sorted(p.name for p in RECIPES.glob("*.toml") if p.name.split("_")[0] in SCHEMAS)


def _head(path: str, out: Path, lines: int) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        out.write_text("".join(line for _, line in zip(range(lines), handle)), encoding="utf-8", newline="")
    return str(out)


def _conllu_head(path: str, out: Path, sentences: int) -> str:
    blocks = Path(path).read_text(encoding="utf-8").split("\n\n")[:sentences]
    out.write_text("\n\n".join(blocks) + "\n\n", encoding="utf-8")
    return str(out)


def _imdb_sample(out: Path) -> str:
    rows = ["split,label,rating,id,review"]
    for i in range(40):
        split, label = ("train" if i < 30 else "test"), i % 2
        rows.append(f'{split},{label},{8 if label else 2},{i},"A {"great" if label else "dull"} film.<br />Yes."')
    out.write_text("\n".join(rows) + "\n")
    return str(out)


def _shared_paths(node):
    """Every string in a config section that points into ../shared/data."""
    if isinstance(node, str):
        return [node] if "shared/data" in node else []
    if isinstance(node, dict):
        return [p for value in node.values() for p in _shared_paths(value)]
    if isinstance(node, (list, tuple)):
        return [p for value in node for p in _shared_paths(value)]
    return []


def _skip_without_shared_data(config) -> None:
    data = config_to_dict(config.data)
    if config.task == "classify" and config.data.split_col:
        data.pop("path")  # IMDB: the test writes a small file of the same format instead
    for path in _shared_paths(data):
        if not Path(path).exists():
            pytest.skip(f"recipe data {path} is absent (the shared data folder is not mounted here)")


def _tiny(config, tmp_path: Path, tagger_run: Path):
    """Small data of the same format, one optimizer step, no plots or bars."""
    _skip_without_shared_data(config)
    data, values = config.data, {}
    if config.task == "classify":
        if data.split_col:
            values["data.path"] = _imdb_sample(tmp_path / "imdb.csv")
        values.update({"data.kfold": 2 if data.kfold else 0})
        if data.features == "tags":
            values["data.tagger_run"] = str(tagger_run)
    if config.task == "tag" and data.format != "parity":
        for key in ("path", "valid_path", "test_path"):
            values[f"data.{key}"] = _conllu_head(getattr(data, key), tmp_path / f"{key}.conllu", 40)
    if config.task == "forecast" and data.split != "ett":
        values["data.path"] = _head(data.path, tmp_path / "series.csv", 3000)
    values.update({"train.max_steps": 1, "train.out_dir": str(tmp_path / "run"), "train.progress": False,
                   "train.plot": False, "model.hidden": 4})
    return with_values(config, values)


@pytest.fixture(scope="module")
def tagger_run(tmp_path_factory):
    """A one-step UD tagger run (the poetry tag-features recipe needs one)."""
    tmp = tmp_path_factory.mktemp("ud")
    config = _tiny(load_config(RECIPES / "tag_ud_ewt.toml", TagExperiment), tmp, None)
    train_tag(config, log=lambda m: None)
    return tmp / "run"


def test_every_task_has_recipes():
    assert {name.split("_")[0] for name in NAMES} == set(SCHEMAS) and len(NAMES) >= 8


@pytest.mark.parametrize("name", NAMES)
def test_recipe_parses_and_runs_one_step(name, tmp_path, request):
    text = (RECIPES / name).read_text()
    assert "#" in text.splitlines()[0], "a recipe starts with its goal as a comment"
    task = name.split("_")[0]
    schema, train = SCHEMAS[task]
    config = load_config(RECIPES / name, schema)
    assert config.task == task
    needs_tagger = task == "classify" and config.data.features == "tags"
    tagger = request.getfixturevalue("tagger_run") if needs_tagger else None
    metrics = train(_tiny(config, tmp_path, tagger), log=lambda m: None)
    assert metrics["steps"] == 1 and "test" in metrics
    assert (tmp_path / "run" / "metrics.json").is_file()
