"""Lengths and padding: validation, step masks, and reversal within valid lengths."""

from __future__ import annotations

import torch

from rnnlab.errors import ConfigError


def check_lengths(lengths: torch.Tensor | None, batch_size: int, steps: int) -> torch.Tensor | None:
    """Validate ``lengths`` (B,) against a (B, T, ...) batch; return them as int64 CPU.

    ``None`` (every sequence is full length) stays ``None``. Lengths must be integers
    in [1, T]: a zero-length sequence has no last step to take a final state from.
    """
    if lengths is None:
        return None
    lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1 or lengths.numel() != batch_size:
        raise ConfigError(
            f"lengths must have shape ({batch_size},), one per sequence; got {tuple(lengths.shape)}"
        )
    if lengths.dtype.is_floating_point or lengths.dtype == torch.bool:
        raise ConfigError(f"lengths must be integers, got dtype {lengths.dtype}")
    lengths = lengths.to(device="cpu", dtype=torch.int64)
    low, high = int(lengths.min()), int(lengths.max())
    if low < 1 or high > steps:
        raise ConfigError(f"lengths must lie in [1, {steps}] (the padded length); got min {low}, max {high}")
    return lengths


def step_mask(lengths: torch.Tensor, steps: int, device: torch.device) -> torch.Tensor:
    """(B, T) bool: True where step t is inside sequence b (t < lengths[b])."""
    return torch.arange(steps, device=device)[None, :] < lengths.to(device)[:, None]


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """Reverse each sequence of ``x`` (B, T, F) within its valid length.

    Step t < L_b goes to L_b - 1 - t; padded steps stay where they are. Applying it
    twice gives ``x`` back, so the runner uses it both to feed a backward direction
    and to put that direction's outputs back in time order.
    """
    if lengths is None:
        return x.flip(1)
    B, T = x.shape[:2]
    t = torch.arange(T)[None, :].expand(B, T)
    L = lengths[:, None]
    index = torch.where(t < L, L - 1 - t, t).to(x.device)  # (B, T)
    return x.gather(1, index[:, :, None].expand(-1, -1, x.shape[2]))
