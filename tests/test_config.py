"""Config machinery: TOML into typed dataclasses, errors with suggestions, overrides, round trips."""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from typing import Literal

import pytest

from rnnlab.config import (apply_overrides, check_fields, config_to_dict, dumps_toml, load_config,
                           parse_override, save_config)
from rnnlab.errors import ConfigError
from rnnlab.training import TrainConfig

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


@dataclass
class DataConfig:
    path: str = "data/train.txt"
    lowercase: bool = False
    max_vocab: int | None = None

    def __post_init__(self):
        check_fields(self)


@dataclass
class ModelConfig:
    cell: Literal["lstm", "gru", "elman"] = "lstm"
    hidden: int = 32
    dropout: float = 0.0
    sizes: tuple[int, ...] = (8, 8)

    def __post_init__(self):
        check_fields(self)
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), got {self.dropout}")


@dataclass
class Experiment:
    name: str = "demo"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


EXAMPLE = """
name = "ptb-small"

[data]
path = "ptb.train.txt"
max_vocab = 10000

[model]
cell = "gru"
hidden = 200
sizes = [4, 5, 6]

[train]
optimizer = "sgd"
lr = 1
clip_norm = 5.0
bptt = 35
eval_every = 100
"""


def write(tmp_path, text, name="run.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_load_nested_typed_config(tmp_path):
    cfg = load_config(write(tmp_path, EXAMPLE), Experiment)
    assert cfg.name == "ptb-small" and cfg.data.max_vocab == 10000 and cfg.data.lowercase is False
    assert cfg.model.cell == "gru" and cfg.model.sizes == (4, 5, 6)
    assert cfg.train.lr == 1.0 and isinstance(cfg.train.lr, float)
    assert cfg.train.eval_every == 100 and cfg.train.betas == (0.9, 0.999)


@pytest.mark.parametrize("text, message", [
    ("[train]\nlrr = 0.1\n", "run.toml: unknown key 'train.lrr' (did you mean 'train.lr'?)"),
    ("[trian]\nlr = 0.1\n", "run.toml: unknown section or key 'trian' (did you mean 'train'?)"),
    ("[train]\nepochs = \"ten\"\n", "run.toml: train.epochs: expected int, got string 'ten'"),
    ("[train]\nepochs = 2.5\n", "run.toml: train.epochs: expected int, got float 2.5"),
    ("[train]\nlr = true\n", "run.toml: train.lr: expected float, got boolean True"),
    ("[train]\noptimizer = \"adm\"\n", "run.toml: train.optimizer: unknown value 'adm' (did you mean 'adam'?)"),
    ("[train]\nlr = -1\n", "run.toml: train.lr must be > 0, got -1.0"),
    ("[train]\neval_every = \"epch\"\n", "run.toml: train.eval_every: expected int or Literal['epoch']"),
    ("[model]\nsizes = [1, \"a\"]\n", "run.toml: model.sizes[1]: expected int, got string 'a'"),
    ("[model]\ndropout = 1.5\n", "run.toml: model.dropout must be in [0, 1), got 1.5"),
    ("model = 3\n", "run.toml: model: expected a table, got integer 3"),
    ("[train\n", "run.toml: not valid toml"),
])
def test_file_errors_are_one_line_and_name_the_field(tmp_path, text, message):
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), Experiment)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="nothere.toml: cannot read config"):
        load_config(tmp_path / "nothere.toml", Experiment)


def test_parse_override_values():
    assert parse_override("train.lr=0.001") == ("train.lr", 0.001)
    assert parse_override("train.amp = true") == ("train.amp", True)
    assert parse_override("model.sizes=[1, 2]") == ("model.sizes", [1, 2])
    assert parse_override("model.cell=gru") == ("model.cell", "gru")  # not TOML: raw string
    assert parse_override('name="a b"') == ("name", "a b")
    with pytest.raises(ConfigError, match="expected dotted.key=value"):
        parse_override("train.lr")


def test_apply_overrides_type_checks_and_suggests():
    cfg = Experiment()
    new = apply_overrides(cfg, ["train.lr=0.5", "model.cell=elman", "train.bptt=none",
                                "data.max_vocab=50", "train.eval_every=epoch", "model.sizes=[3]"])
    assert (new.train.lr, new.model.cell, new.train.bptt) == (0.5, "elman", None)
    assert new.data.max_vocab == 50 and new.train.eval_every == "epoch" and new.model.sizes == (3,)
    assert cfg.train.lr == 0.001  # the original is unchanged
    with pytest.raises(ConfigError, match=r"unknown key 'train.lrr' \(did you mean 'train.lr'\?\)"):
        apply_overrides(cfg, ["train.lrr=0.1"])
    with pytest.raises(ConfigError, match=r"unknown key 'trian' \(did you mean 'train'\?\)"):
        apply_overrides(cfg, ["trian.lr=0.1"])
    with pytest.raises(ConfigError, match="train.epochs: expected int, got string 'many'"):
        apply_overrides(cfg, ["train.epochs=many"])
    with pytest.raises(ConfigError, match="train.momentum must be in"):
        apply_overrides(cfg, ["train.momentum=1.5"])


def test_load_with_overrides(tmp_path):
    cfg = load_config(write(tmp_path, EXAMPLE), Experiment, overrides=["train.lr=0.25"])
    assert cfg.train.lr == 0.25 and cfg.train.optimizer == "sgd"


def tricky() -> Experiment:
    return Experiment(
        name='quote " backslash \\ newline \n tab \t é ✓',
        data=DataConfig(path="C:\\data\\x.txt", lowercase=True, max_vocab=None),
        model=ModelConfig(cell="elman", hidden=7, dropout=0.1, sizes=()),
        train=TrainConfig(lr=1e-05, eps=1e-300, min_lr=0.0, clip_norm=0.1 + 0.2, bptt=None,
                          max_steps=2**40, betas=(0.5, 0.25), eval_every="epoch", checkpoint_every=7),
    )


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_save_load_round_trip_is_exact(tmp_path, suffix):
    cfg = tricky()
    path = save_config(cfg, tmp_path / f"config{suffix}")
    back = load_config(path, Experiment)
    assert back == cfg
    assert config_to_dict(back) == config_to_dict(cfg)


def test_dumps_toml_parses_back():
    data = {"a": 1, "b": [1.5, float("inf")], "c": {"d": "x", "e": {"f": False}, "g": {}},
            "weird key": "v", "h": {"inline": {"k": 1}}}
    parsed = tomllib.loads(dumps_toml(data))
    assert parsed == data


def test_dataclass_checks_python_construction():
    with pytest.raises(ConfigError, match=r"optimizer: unknown value 'adm' \(did you mean 'adam'\?\)"):
        TrainConfig(optimizer="adm")
    with pytest.raises(ConfigError, match="nesterov = true needs optimizer = 'sgd' and momentum > 0"):
        TrainConfig(optimizer="sgd", nesterov=True)
    with pytest.raises(ConfigError, match="device must be 'auto'"):
        TrainConfig(device="gpu")
    assert TrainConfig(betas=[0.1, 0.2]).betas == (0.1, 0.2)
    assert dataclasses.replace(TrainConfig(), lr=2).lr == 2.0
