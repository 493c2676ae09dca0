"""Deterministic train / valid / test splits, by fractions or by counts.

:func:`split_indices` shuffles ``range(n)`` with a seed and cuts it in three;
the same ``(n, sizes, seed)`` always gives the same split, and the three parts
are disjoint and cover every index. Pass ``shuffle=False`` for time series
and streams, where the split must be in order (train first, test last).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import torch

from rnnlab.errors import ConfigError

T = TypeVar("T")


@dataclass(frozen=True)
class Split:
    """Index lists of the three parts (each sorted when ``shuffle=False``)."""

    train: list[int]
    valid: list[int]
    test: list[int]

    def take(self, items: Sequence[T]) -> tuple[list[T], list[T], list[T]]:
        """The items at each part's indices: ``(train_items, valid_items, test_items)``."""
        return ([items[i] for i in self.train], [items[i] for i in self.valid], [items[i] for i in self.test])


def split_sizes(n: int, fractions: Sequence[float] | None = None, counts: Sequence[int] | None = None) -> tuple[int, int, int]:
    """Turn fractions or counts into the three part sizes, which sum to ``n``.

    Fractions are ``(train, valid, test)`` summing to 1; valid and test get
    ``round(fraction * n)`` and train takes the rest. Counts are
    ``(valid, test)`` or ``(train, valid, test)``; with two counts train takes the rest.
    """
    if (fractions is None) == (counts is None):
        raise ConfigError("give exactly one of fractions=(train, valid, test) or counts")
    if fractions is not None:
        if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-6:
            raise ConfigError(f"fractions must be three non-negative numbers summing to 1, got {tuple(fractions)}")
        valid, test = round(fractions[1] * n), round(fractions[2] * n)
        return n - valid - test, valid, test
    counts = tuple(int(c) for c in counts)
    if len(counts) == 2:
        counts = (n - counts[0] - counts[1], *counts)
    if len(counts) != 3 or min(counts) < 0 or sum(counts) > n:
        raise ConfigError(f"counts must be (valid, test) or (train, valid, test), non-negative, summing to <= {n}; got {counts}")
    return counts


def split_indices(
    n: int,
    fractions: Sequence[float] | None = None,
    counts: Sequence[int] | None = None,
    seed: int = 0,
    shuffle: bool = True,
) -> Split:
    """Split ``range(n)`` into train, valid and test parts.

    Args:
        n: number of items.
        fractions: ``(train, valid, test)`` summing to 1, e.g. ``(0.8, 0.1, 0.1)``.
        counts: ``(valid, test)`` or ``(train, valid, test)`` item counts.
        seed: seed of the shuffle.
        shuffle: ``False`` keeps order: train is the first part, test the last.

    Returns:
        :class:`Split` of index lists (in shuffled order when ``shuffle``).
    """
    train, valid, test = split_sizes(n, fractions, counts)
    if shuffle:
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    else:
        order = list(range(n))
    return Split(
        train=order[:train],
        valid=order[train : train + valid],
        test=order[train + valid : train + valid + test],
    )
