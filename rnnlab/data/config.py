"""Configuration of a text data pipeline, validated when it is built.

:class:`DataConfig` is a plain dataclass: every field has a comment, and
``__post_init__`` raises :class:`~rnnlab.errors.ConfigError` naming the field
and what was expected. The data functions themselves take plain arguments;
this config is the adapter used by recipes and the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from rnnlab.errors import ConfigError, unknown_choice


@dataclass
class DataConfig:
    path: str = ""  # text file (or folder, for folder-per-class data) to read
    level: Literal["char", "word"] = "word"  # tokenizer: CharTokenizer or WordTokenizer
    lowercase: bool = False  # lower-case text before tokenizing
    max_vocab: int | None = None  # most ordinary tokens kept in the vocabulary (None = all)
    min_freq: int = 1  # drop tokens seen fewer times in the training split
    split: tuple[float, float, float] = (0.8, 0.1, 0.1)  # train / valid / test fractions, sum 1
    seed: int = 0  # seed of the split shuffle and of length bucketing
    max_len: int | None = None  # longest sequence in tokens (None = no limit)
    truncate: Literal["truncate", "error"] = "truncate"  # what to do with longer sequences

    def __post_init__(self):
        if self.level not in ("char", "word"):
            raise unknown_choice("level", str(self.level), ("char", "word"))
        if self.truncate not in ("truncate", "error"):
            raise unknown_choice("truncate", str(self.truncate), ("truncate", "error"))
        if not isinstance(self.lowercase, bool):
            raise ConfigError(f"lowercase must be true or false, got {self.lowercase!r}")
        if self.max_vocab is not None and (not isinstance(self.max_vocab, int) or self.max_vocab < 1):
            raise ConfigError(f"max_vocab must be a positive integer or None, got {self.max_vocab!r}")
        if not isinstance(self.min_freq, int) or self.min_freq < 1:
            raise ConfigError(f"min_freq must be an integer >= 1, got {self.min_freq!r}")
        if self.max_len is not None and (not isinstance(self.max_len, int) or self.max_len < 1):
            raise ConfigError(f"max_len must be a positive integer or None, got {self.max_len!r}")
        if not isinstance(self.seed, int):
            raise ConfigError(f"seed must be an integer, got {self.seed!r}")
        split = tuple(self.split)
        if len(split) != 3 or any(not isinstance(f, (int, float)) or f < 0 for f in split) or abs(sum(split) - 1) > 1e-6:
            raise ConfigError(f"split must be three non-negative fractions (train, valid, test) summing to 1, got {self.split!r}")
        self.split = split

    @classmethod
    def from_dict(cls, values: dict) -> "DataConfig":
        """Build from a plain dict (e.g. a TOML table); unknown keys are errors with a suggestion."""
        known = {f.name for f in fields(cls)}
        for key in values:
            if key not in known:
                raise unknown_choice("data config key", key, known)
        return cls(**values)
