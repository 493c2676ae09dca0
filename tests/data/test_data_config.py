import pytest

from rnnlab.data.config import DataConfig
from rnnlab.errors import ConfigError


def test_defaults_valid():
    config = DataConfig(path="x.txt")
    assert config.level == "word" and config.split == (0.8, 0.1, 0.1)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("level", "chars", "unknown level 'chars' \\(did you mean 'char'\\?\\)"),
        ("min_freq", 0, "min_freq must be an integer >= 1, got 0"),
        ("max_vocab", -5, "max_vocab must be a positive integer or None, got -5"),
        ("split", (0.5, 0.5, 0.5), "split must be three non-negative fractions"),
        ("max_len", 0, "max_len must be a positive integer or None"),
        ("truncate", "warn", "unknown truncate 'warn'"),
    ],
)
def test_invalid_fields_named(field, value, message):
    with pytest.raises(ConfigError, match=message):
        DataConfig(**{field: value})


def test_from_dict_unknown_key_suggests():
    with pytest.raises(ConfigError, match="unknown data config key 'min_freqs' \\(did you mean 'min_freq'\\?\\)"):
        DataConfig.from_dict({"min_freqs": 2})
    assert DataConfig.from_dict({"split": [0.9, 0.05, 0.05]}).split == (0.9, 0.05, 0.05)
