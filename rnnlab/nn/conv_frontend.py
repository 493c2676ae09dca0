"""A Conv1D + max-pooling front end that shortens sequences before the recurrence.

Seed 002's CNN-GRU (Chollet, *Deep Learning with Python* 6.4): convolutions extract
local features and pooling downsamples, so the recurrent layer reads a shorter,
higher-level sequence::

    x (B, T, I) -> [Conv1d(k) -> ReLU -> MaxPool1d(p)] x n -> (B, ceil(T / p^n), C)

Differences from Keras' example, both so that padding never changes a result:

* convolutions use "same" padding (``k // 2`` zeros each side; ``k`` odd), so a
  sequence keeps its length and short texts survive (Keras' "valid" convolution
  drops ``k - 1`` steps);
* the padded steps are set to zero before every convolution and to ``-inf`` before
  every pooling (a window entirely in the padding gives 0), and the pool's last
  window may be partial: a length ``L`` becomes ``ceil(L / p)``.

A step past a sequence's end is then the same zero whether it is the batch's edge or
padding, so the valid outputs do not depend on how much the batch is padded.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.errors import ConfigError
from rnnlab.nn.pooling import length_mask


class ConvFrontEnd(nn.Module):
    """Stacked Conv1d + ReLU + MaxPool1d blocks over ``(B, T, I)`` padded sequences.

    Args:
        input_size: I, features per step.
        channels: output channels of each convolution, e.g. ``(32, 32)``.
        kernel_size: odd convolution width.
        pool_size: max-pooling width and stride after each convolution (1 = none).

    Returns (forward): ``(outputs (B, T', C), lengths' (B,))`` with
    ``T' = ceil(T / pool^n)`` and ``lengths' = ceil(lengths / pool^n)``; outputs are 0 at
    padded steps.

    Example::

        >>> front = ConvFrontEnd(8, channels=(32, 32), kernel_size=5, pool_size=3)
        >>> y, n = front(torch.randn(2, 20, 8), torch.tensor([20, 4]))
        >>> y.shape, n                          # (2, 3, 32), tensor([3, 1])
    """

    def __init__(self, input_size: int, channels: tuple[int, ...] | list[int] = (32,),
                 kernel_size: int = 5, pool_size: int = 1):
        super().__init__()
        if not channels or min(channels) < 1:
            raise ConfigError(f"conv channels must be a non-empty list of positive integers, got {list(channels)}")
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ConfigError(f"conv kernel_size must be odd and >= 1 ('same' padding), got {kernel_size}")
        if pool_size < 1:
            raise ConfigError(f"conv pool_size must be >= 1, got {pool_size}")
        sizes = [input_size, *channels]
        self.convs = nn.ModuleList(
            nn.Conv1d(sizes[i], sizes[i + 1], kernel_size, padding=kernel_size // 2) for i in range(len(channels))
        )
        self.pool_size = pool_size
        self.output_size = sizes[-1]

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """Map input lengths (B,) to output lengths: ``ceil(L / pool)`` per block."""
        for _ in self.convs:
            lengths = (lengths + self.pool_size - 1) // self.pool_size
        return lengths

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        lengths = lengths.to(x.device)
        for conv in self.convs:
            mask = length_mask(lengths, x.shape[1]).unsqueeze(1)  # (B, 1, T)
            h = x.transpose(1, 2) * mask  # (B, C, T), zero past each end
            h = F.relu(conv(h))  # (B, C', T)
            if self.pool_size > 1:
                h = h.masked_fill(~mask, float("-inf"))
                extra = (-h.shape[-1]) % self.pool_size
                h = F.pad(h, (0, extra), value=float("-inf"))  # (B, C', p * ceil(T / p))
                h = F.max_pool1d(h, self.pool_size)  # (B, C', ceil(T / p))
                lengths = (lengths + self.pool_size - 1) // self.pool_size
                h = h.masked_fill(~length_mask(lengths, h.shape[-1]).unsqueeze(1), 0.0)
            else:
                h = h * mask
            x = h.transpose(1, 2)  # (B, T', C')
        return x, lengths
