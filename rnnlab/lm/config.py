"""The config of a language-model run: ``task``, ``[data]``, ``[model]``, ``[train]``, ``[sample]``.

A recipe file (``recipes/lm_*.toml``) is this dataclass tree in TOML; ``rnnlab train lm
--config FILE --set train.lr=0.5`` reads it with :func:`rnnlab.config.load_config`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rnnlab.config import check_fields
from rnnlab.errors import ConfigError
from rnnlab.models.lm_config import LanguageModelConfig
from rnnlab.training.config import TrainConfig

BUILTIN_CORPUS = "pydoc"  # data.path value for the reference manual shipped with Python


@dataclass
class LMDataConfig:
    path: str = BUILTIN_CORPUS  # training text ("pydoc": Python's own reference manual, offline)
    valid_path: str | None = None  # held-out file; None = take data.split from data.path
    test_path: str | None = None  # test file; None = take data.split from data.path
    csv_column: str | None = None  # read data.path as CSV and use this column (reddit: "body")
    level: Literal["char", "word"] = "char"  # one token per character, or words
    word_tokenizer: Literal["word", "whitespace"] = "word"  # word: split punctuation; whitespace: pre-tokenised text (PTB)
    lowercase: bool = False  # lower-case text before tokenizing
    mode: Literal["stream", "line", "sentence"] = "stream"  # one stream (truncated BPTT) or framed lines / sentences
    max_vocab: int | None = None  # most ordinary tokens; the rest become <unk>
    min_freq: int = 1  # drop tokens seen fewer times in training
    split: tuple[float, float, float] = (0.9, 0.05, 0.05)  # train/valid/test fractions, in file order
    max_len: int | None = None  # line/sentence mode: longest sequence in tokens (longer are cut)
    max_valid_tokens: int | None = None  # evaluate on at most this many validation tokens (None = all)

    def __post_init__(self) -> None:
        check_fields(self)
        if len(self.split) != 3 or min(self.split) < 0 or abs(sum(self.split) - 1) > 1e-6:
            raise ConfigError(f"split must be three fractions >= 0 summing to 1, got {list(self.split)}")
        if self.valid_path is None and self.split[1] == 0:
            raise ConfigError("split gives no validation part; set split[1] > 0 or data.valid_path")
        if self.min_freq < 1:
            raise ConfigError(f"min_freq must be >= 1, got {self.min_freq}")
        for name in ("max_vocab", "max_len", "max_valid_tokens"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ConfigError(f"{name} must be >= 1 or \"none\", got {value}")


@dataclass
class SampleConfig:
    prompt: str = ""  # text the sample after training starts from
    max_tokens: int = 300  # length of the sample printed after training
    lines: int = 0  # > 0: print this many generated lines instead (line/sentence mode)
    temperature: float = 0.8  # < 1 sharper, > 1 flatter
    top_k: int | None = None  # keep the k most likely tokens
    top_p: float | None = None  # keep the smallest set with this much probability
    seed: int = 0  # sampling seed

    def __post_init__(self) -> None:
        check_fields(self)
        if self.temperature <= 0:
            raise ConfigError(f"temperature must be > 0, got {self.temperature}")


@dataclass
class LMExperiment:
    task: str = "lm"  # always "lm": later commands check it
    name: str = "lm"  # a label for logs
    # The defaults are the offline demo (`make demo`): about 1.5 minutes on 2 CPU cores.
    # A section given in a file starts from that section's own class defaults.
    data: LMDataConfig = field(default_factory=lambda: LMDataConfig(max_valid_tokens=20000))
    model: LanguageModelConfig = field(default_factory=lambda: LanguageModelConfig(
        cell="lstm", embedding_size=64, hidden_size=256, num_layers=2))
    train: TrainConfig = field(default_factory=lambda: TrainConfig(
        optimizer="adam", lr=3e-3, clip_norm=1.0, epochs=50, max_steps=1000, batch_size=32, bptt=64,
        eval_every=500, out_dir="runs/lm-demo", checkpoint_every=500, log_every=10))
    sample: SampleConfig = field(default_factory=lambda: SampleConfig(prompt="The "))

    def __post_init__(self) -> None:
        check_fields(self)
        if self.task != "lm":
            raise ConfigError(f"task must be 'lm' for `rnnlab train lm`, got {self.task!r}")
        if self.data.mode == "stream" and self.train.bptt is None:
            raise ConfigError("data.mode = 'stream' needs train.bptt (the truncated-BPTT window)")
