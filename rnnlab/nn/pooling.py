"""Pooling over time: one vector per sequence from ``(B, T, D)`` step outputs, respecting lengths.

Every pooling reads only the valid steps ``t < lengths[b]``; what lies in the padded
steps never changes the result.

=============  ==============================================================  ==========================
name           pooled vector                                                   parameters
=============  ==============================================================  ==========================
``last``       the output at the last valid step ``t = len - 1``; with two     none
               directions (concat layout), the forward half at ``len - 1``
               and the backward half at ``t = 0`` (where it ends)
``mean``       ``sum_{t < len} x_t / len``                                     none
``max``        ``max_{t < len} x_t`` per feature                               none
``attention``  ``sum_t a_t x_t``, ``a = softmax_t(v^T tanh(W x_t))``,          ``W (A, D)``, ``v (A,)``
               ``a_t = 0`` exactly at padded steps                             (Yang et al. 2016)
=============  ==============================================================  ==========================
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from rnnlab.errors import ConfigError, unknown_choice


def length_mask(lengths: torch.Tensor, steps: int) -> torch.Tensor:
    """``(B, T)`` bool mask, True at valid steps ``t < lengths[b]``."""
    return torch.arange(steps, device=lengths.device)[None, :] < lengths[:, None]


class Pooled(NamedTuple):
    """What a pooling returns: the pooled vector and, for attention, the weights."""

    vector: torch.Tensor              # (B, D)
    weights: torch.Tensor | None      # (B, T) attention weights (0 at padded steps), else None


class LastPooling(nn.Module):
    """The output at each sequence's last valid step (the final state of the top layer).

    Args:
        num_directions: 2 when ``x`` is a bidirectional concat ``[forward, backward]``
            layout; the backward half is then read at ``t = 0``, where that direction ends.
    """

    def __init__(self, num_directions: int = 1):
        super().__init__()
        if num_directions not in (1, 2):
            raise ConfigError(f"num_directions must be 1 or 2, got {num_directions}")
        self.num_directions = num_directions

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> Pooled:
        """x (B, T, D), lengths (B,) -> (B, D)."""
        rows = torch.arange(x.shape[0], device=x.device)
        last = x[rows, lengths.to(x.device) - 1]  # (B, D)
        if self.num_directions == 1:
            return Pooled(last, None)
        half = x.shape[-1] // 2
        return Pooled(torch.cat([last[:, :half], x[:, 0, half:]], dim=-1), None)


class MeanPooling(nn.Module):
    """Mean of the valid steps."""

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> Pooled:
        """x (B, T, D), lengths (B,) -> (B, D)."""
        mask = length_mask(lengths.to(x.device), x.shape[1]).unsqueeze(-1)  # (B, T, 1)
        total = (x * mask).sum(dim=1)  # (B, D)
        return Pooled(total / lengths.to(x.device, x.dtype).unsqueeze(-1), None)


class MaxPooling(nn.Module):
    """Feature-wise maximum over the valid steps."""

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> Pooled:
        """x (B, T, D), lengths (B,) -> (B, D)."""
        mask = length_mask(lengths.to(x.device), x.shape[1]).unsqueeze(-1)  # (B, T, 1)
        return Pooled(x.masked_fill(~mask, float("-inf")).amax(dim=1), None)


class AttentionPooling(nn.Module):
    """Additive self-attention pooling (Yang et al. 2016, "Hierarchical Attention Networks").

    ``e_t = v^T tanh(W x_t + b)``; ``a = softmax(e)`` over the valid steps (padded
    steps get ``-inf`` before the softmax, so their weight is exactly 0);
    the result is ``sum_t a_t x_t``.

    Args:
        size: D, features of ``x``.
        attention_size: A, width of the scoring layer (default D).

    Example::

        >>> pool = AttentionPooling(8)
        >>> vector, weights = pool(torch.randn(2, 5, 8), torch.tensor([5, 2]))
        >>> weights[1, 2:]          # tensor([0., 0., 0.])
    """

    def __init__(self, size: int, attention_size: int | None = None):
        super().__init__()
        attention_size = attention_size or size
        self.proj = nn.Linear(size, attention_size)
        self.score = nn.Linear(attention_size, 1, bias=False)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> Pooled:
        """x (B, T, D), lengths (B,) -> Pooled((B, D), weights (B, T))."""
        mask = length_mask(lengths.to(x.device), x.shape[1])  # (B, T)
        energy = self.score(torch.tanh(self.proj(x))).squeeze(-1)  # (B, T)
        weights = torch.softmax(energy.masked_fill(~mask, float("-inf")), dim=1)  # (B, T)
        return Pooled(torch.bmm(weights.unsqueeze(1), x).squeeze(1), weights)


POOLINGS = ("last", "mean", "max", "attention")


def make_pooling(name: str, size: int, num_directions: int = 1) -> nn.Module:
    """Build the pooling ``name`` for ``(B, T, size)`` inputs."""
    if name == "last":
        return LastPooling(num_directions)
    if name == "mean":
        return MeanPooling()
    if name == "max":
        return MaxPooling()
    if name == "attention":
        return AttentionPooling(size)
    raise unknown_choice("pooling", name, POOLINGS)
