"""Batches of variable-length sequences: padding with lengths, and length bucketing.

- :func:`pad_sequences` turns id lists into a padded ``(B, T)`` tensor plus lengths.
- :func:`bucket_batches` groups sequence indices into batches of similar length,
  so little padding is wasted, in an order that is shuffled but fixed by a seed.

For one long token stream (language models) see :mod:`rnnlab.data.bptt`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from rnnlab.data.vocab import PAD_ID
from rnnlab.errors import ConfigError, DataError


@dataclass(frozen=True)
class PaddedBatch:
    """Padded sequences and their true lengths."""

    tokens: torch.Tensor  # (B, T) long; positions t >= lengths[b] hold the pad id
    lengths: torch.Tensor  # (B,) long; lengths[b] >= 1


def pad_sequences(
    sequences: Sequence[Sequence[int]],
    pad_id: int = PAD_ID,
    max_len: int | None = None,
) -> PaddedBatch:
    """Pad id sequences to a common length.

    Args:
        sequences: ``B`` non-empty lists (or 1-D tensors) of token ids.
        pad_id: the id written after each sequence's end.
        max_len: pad to this length instead of the longest sequence's
            (every sequence must fit).

    Returns:
        :class:`PaddedBatch` with ``tokens`` ``(B, T)`` and ``lengths`` ``(B,)``.

    Example:
        >>> pad_sequences([[5, 6, 7], [8]]).tokens
        tensor([[5, 6, 7],
                [8, 0, 0]])
    """
    if len(sequences) == 0:
        raise DataError("cannot pad an empty batch; expected at least one sequence")
    lengths = [len(s) for s in sequences]
    if min(lengths) == 0:
        raise DataError(f"sequence {lengths.index(0)} of the batch is empty; expected >= 1 token")
    width = max(lengths) if max_len is None else max_len
    if max(lengths) > width:
        raise DataError(f"a sequence has {max(lengths)} tokens, more than max_len={width}")
    tokens = torch.full((len(sequences), width), pad_id, dtype=torch.long)  # (B, T)
    for row, sequence in enumerate(sequences):
        tokens[row, : lengths[row]] = torch.as_tensor(sequence, dtype=torch.long)
    return PaddedBatch(tokens=tokens, lengths=torch.tensor(lengths, dtype=torch.long))


def bucket_batches(
    lengths: Sequence[int],
    batch_size: int,
    seed: int = 0,
    shuffle: bool = True,
    bucket_factor: int = 50,
    drop_last: bool = False,
) -> list[list[int]]:
    """Group sequence indices into batches of similar length.

    Steps:

    1. shuffle the indices with ``seed`` (so equal lengths mix);
    2. cut them into pools of ``batch_size * bucket_factor`` and sort each pool by length;
    3. cut each pool into batches of ``batch_size``;
    4. shuffle the order of the batches with ``seed``.

    With ``shuffle=False`` the indices are sorted by length globally (stable)
    and batches come out shortest first.

    Args:
        lengths: the length of each sequence (``N`` values).
        batch_size: sequences per batch.
        seed: the same seed always gives the same batches.
        bucket_factor: pool size in batches; larger pools give tighter length
            grouping but less randomness.
        drop_last: drop the batches with fewer than ``batch_size`` sequences.

    Returns:
        Lists of indices into ``lengths``; together they cover every index once
        (less the dropped ones).
    """
    if batch_size < 1:
        raise ConfigError(f"batch_size must be >= 1, got {batch_size}")
    if bucket_factor < 1:
        raise ConfigError(f"bucket_factor must be >= 1, got {bucket_factor}")
    generator = torch.Generator().manual_seed(seed)
    if not shuffle:
        order = sorted(range(len(lengths)), key=lambda i: lengths[i])
        pools = [order]
    else:
        order = torch.randperm(len(lengths), generator=generator).tolist()
        pool_size = batch_size * bucket_factor
        pools = [
            sorted(order[start : start + pool_size], key=lambda i: lengths[i])
            for start in range(0, len(order), pool_size)
        ]
    batches = [pool[start : start + batch_size] for pool in pools for start in range(0, len(pool), batch_size)]
    if drop_last:
        batches = [batch for batch in batches if len(batch) == batch_size]
    if shuffle:
        batches = [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]
    return batches
