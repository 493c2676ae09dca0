"""Dropout that stays fixed along time (variational) and zoneout.

- :func:`variational_mask` draws ONE inverted-dropout mask per sequence, reused at
  every step (Gal & Ghahramani 2016; Keras ``dropout``/``recurrent_dropout``).
- :func:`zoneout` keeps each unit's previous value with probability ``rate``
  (Krueger et al. 2017); at evaluation it uses the expectation.
"""

from __future__ import annotations

import torch


def variational_mask(batch_size: int, features: int, rate: float, like: torch.Tensor) -> torch.Tensor:
    """(B, F) mask of 0 and 1/(1 - rate): multiply a (B, F) or (B, T, F) tensor by it."""
    keep = 1.0 - rate
    mask = torch.empty(batch_size, features, dtype=like.dtype, device=like.device)
    return mask.bernoulli_(keep).div_(keep)


def zoneout(previous: torch.Tensor, new: torch.Tensor, rate: float, training: bool) -> torch.Tensor:
    """Per unit: keep ``previous`` with probability ``rate``, else take ``new``.

    Training draws a fresh mask each call (each step); evaluation returns the
    expectation ``rate * previous + (1 - rate) * new``.
    """
    if training:
        keep = torch.empty_like(new).bernoulli_(rate).bool()
        return torch.where(keep, previous, new)
    return rate * previous + (1.0 - rate) * new
