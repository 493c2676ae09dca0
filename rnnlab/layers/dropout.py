"""Dropout that stays fixed along time (variational) and zoneout.

- :func:`variational_mask` draws ONE inverted-dropout mask per sequence, reused at
  every step (Gal & Ghahramani 2016; Keras ``dropout``/``recurrent_dropout``).
- :func:`zoneout_masks` draws which units keep their previous value at each step
  (probability ``rate``; Krueger et al. 2017); at evaluation engines use the expectation.
"""

from __future__ import annotations

import torch


def variational_mask(batch_size: int, features: int, rate: float, like: torch.Tensor) -> torch.Tensor:
    """(B, F) mask of 0 and 1/(1 - rate): multiply a (B, F) or (B, T, F) tensor by it."""
    keep = 1.0 - rate
    mask = torch.empty(batch_size, features, dtype=like.dtype, device=like.device)
    return mask.bernoulli_(keep).div_(keep)


def zoneout_masks(fields: int, batch_size: int, steps: int, hidden_size: int, rate: float,
                  like: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """One (B, T, H) mask of 0/1 per state field: 1 = the unit keeps its previous value.

    Drawn once per forward pass, before the loop, so every engine applies the same
    masks (the reference loop and the compiled engine are tested equal with them).
    At evaluation no mask is drawn: engines blend with the expectation
    ``rate * previous + (1 - rate) * new``.
    """
    return tuple(torch.empty(batch_size, steps, hidden_size, dtype=like.dtype, device=like.device)
                 .bernoulli_(rate) for _ in range(fields))
