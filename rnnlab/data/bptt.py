"""Contiguous batches for truncated backpropagation through time, and sliding windows.

:class:`ContiguousBatches` splits one token stream of length ``N`` into ``B``
parallel streams of ``L = (N - 1) // B`` tokens each (the last ``N - 1 - B*L``
tokens are dropped, so every stream has a next-token target). Stream ``b`` is
``tokens[b*L : (b+1)*L]``. Batch ``i`` holds columns ``i*bptt`` to ``(i+1)*bptt``
of every stream, so the hidden state of row ``b`` after batch ``i`` is the right
initial state for row ``b`` of batch ``i+1``::

    stream:  a b c d e f g h i j k l m     (N=13, B=2, L=6, bptt=4)
    row 0:   a b c d | e f          targets  b c d e | f g
    row 1:   g h i j | k l          targets  h i j k | l m

The last batch is shorter when ``bptt`` does not divide ``L``. Batches are
sliced on demand, so the stream can be a ``numpy.memmap`` far larger than RAM.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from rnnlab.errors import ConfigError, DataError


@dataclass(frozen=True)
class BPTTBatch:
    """One step of truncated BPTT."""

    inputs: torch.Tensor  # (B, t) long, t <= bptt
    targets: torch.Tensor  # (B, t) long, the inputs shifted by one token


class ContiguousBatches:
    """Iterate ``(inputs, targets)`` batches of shape ``(B, bptt)`` over a token stream.

    Args:
        tokens: 1-D ids: a list, numpy array, ``numpy.memmap`` or tensor.
        batch_size: number of parallel streams ``B``.
        bptt: time steps per batch.

    Example:
        >>> batches = ContiguousBatches(list(range(13)), batch_size=2, bptt=4)
        >>> [tuple(b.inputs.shape) for b in batches]
        [(2, 4), (2, 2)]
    """

    def __init__(self, tokens, batch_size: int, bptt: int):
        if batch_size < 1:
            raise ConfigError(f"batch_size must be >= 1, got {batch_size}")
        if bptt < 1:
            raise ConfigError(f"bptt must be >= 1, got {bptt}")
        if isinstance(tokens, list):
            tokens = np.asarray(tokens, dtype=np.int64)
        if len(tokens.shape) != 1:
            raise DataError(f"token stream must be 1-D, got shape {tuple(tokens.shape)}")
        self.tokens = tokens
        self.batch_size = batch_size
        self.bptt = bptt
        self.stream_length = (len(tokens) - 1) // batch_size  # L
        if self.stream_length < 1:
            raise DataError(
                f"token stream of {len(tokens)} tokens is too short for batch_size={batch_size}; "
                f"need at least {batch_size + 1}"
            )

    def __len__(self) -> int:
        return -(-self.stream_length // self.bptt)  # ceil(L / bptt)

    def __getitem__(self, index: int) -> BPTTBatch:
        if not 0 <= index < len(self):
            raise IndexError(index)
        start = index * self.bptt
        width = min(self.bptt, self.stream_length - start)
        rows = []
        for b in range(self.batch_size):
            offset = b * self.stream_length + start
            # One extra token per row for the shifted targets; the row never crosses
            # into another row's inputs except for that last target token.
            rows.append(np.asarray(self.tokens[offset : offset + width + 1], dtype=np.int64))
        block = torch.from_numpy(np.stack(rows))  # (B, width + 1)
        return BPTTBatch(inputs=block[:, :-1], targets=block[:, 1:])

    def __iter__(self) -> Iterator[BPTTBatch]:
        for index in range(len(self)):
            yield self[index]


def sliding_windows(tokens, size: int, stride: int = 1) -> torch.Tensor:
    """All windows of ``size`` consecutive tokens, starting every ``stride`` tokens.

    Args:
        tokens: 1-D ids (list, array or tensor) of length ``N``.
        size: window length ``W``.
        stride: distance between window starts.

    Returns:
        Long tensor ``(num_windows, W)`` with ``num_windows = (N - W) // stride + 1``;
        a tail shorter than ``W`` is dropped. For next-token training take
        ``size = seq_len + 1`` and split each row into ``[:-1]`` and ``[1:]``.
    """
    if size < 1 or stride < 1:
        raise ConfigError(f"size and stride must be >= 1, got size={size}, stride={stride}")
    tokens = torch.as_tensor(np.asarray(tokens), dtype=torch.long)
    if tokens.numel() < size:
        raise DataError(f"token stream of {tokens.numel()} tokens is shorter than the window size {size}")
    return tokens.unfold(0, size, stride).contiguous()  # (num_windows, W)
