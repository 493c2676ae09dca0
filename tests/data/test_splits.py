import pytest

from rnnlab.data.splits import split_indices
from rnnlab.errors import ConfigError


def test_fractions_deterministic_disjoint_complete():
    first = split_indices(103, fractions=(0.8, 0.1, 0.1), seed=7)
    assert first == split_indices(103, fractions=(0.8, 0.1, 0.1), seed=7)
    assert first != split_indices(103, fractions=(0.8, 0.1, 0.1), seed=8)
    parts = [set(first.train), set(first.valid), set(first.test)]
    assert (len(first.train), len(first.valid), len(first.test)) == (83, 10, 10)
    assert not parts[0] & parts[1] and not parts[0] & parts[2] and not parts[1] & parts[2]
    assert parts[0] | parts[1] | parts[2] == set(range(103))


def test_counts_and_ordered():
    split = split_indices(10, counts=(2, 3), shuffle=False)
    assert (split.train, split.valid, split.test) == ([0, 1, 2, 3, 4], [5, 6], [7, 8, 9])
    split = split_indices(10, counts=(4, 1, 1), seed=0)
    assert (len(split.train), len(split.valid), len(split.test)) == (4, 1, 1)


def test_take():
    split = split_indices(4, counts=(1, 1), shuffle=False)
    assert split.take("abcd") == (["a", "b"], ["c"], ["d"])


def test_bad_arguments():
    with pytest.raises(ConfigError, match="summing to 1"):
        split_indices(10, fractions=(0.5, 0.1, 0.1))
    with pytest.raises(ConfigError, match="exactly one of"):
        split_indices(10)
    with pytest.raises(ConfigError, match="summing to <= 10"):
        split_indices(10, counts=(6, 6))
