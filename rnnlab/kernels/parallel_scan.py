"""The scan engine: cells whose recurrence is linear in h, all steps at once.

For ``h(t) = a(t) * h(t-1) + b(t)`` with a in (0, 1) and b > 0 (minGRU, minLSTM), the
solution from h(0) is::

    A(t) = a(1) ... a(t)                         (log A = cumsum(log a))
    h(t) = A(t) * h(0) + A(t) * sum_{k<=t} b(k) / A(k)

and the sum is a ``logcumsumexp`` in log space (Heinsen 2023; Feng et al. 2024), so
no step waits for the one before. h(0) is kept out of the logarithms, so it may
have any sign. Padded steps get a = 1, b = 0: the state holds, as in the loop.
"""

from __future__ import annotations

import torch

from rnnlab.layers.padding import step_mask


def run_scan(cell, x: torch.Tensor, state, lengths: torch.Tensor | None = None, chunk: int = 128):
    """Run ``cell`` (with ``scan_coefficients``) over ``x`` (B, T, I); same contract as the loop.

    Steps are scanned in chunks of ``chunk``, each starting from the previous chunk's
    last state: log A then spans at most ``chunk`` steps, which keeps float32 exact to
    ~1e-5 however long the sequence (one chunk over 2,000 steps loses ~1e-3).
    """
    log_a, log_b = cell.scan_coefficients(x)  # (B, T, H) each
    if lengths is not None:
        valid = step_mask(lengths, x.shape[1], x.device)[:, :, None]  # (B, T, 1)
        log_a = log_a.masked_fill(~valid, 0.0)              # a = 1: hold the state
        log_b = log_b.masked_fill(~valid, float("-inf"))   # b = 0: add nothing
    h = state.h  # (B, H)
    pieces = []
    for chunk_a, chunk_b in zip(log_a.split(chunk, dim=1), log_b.split(chunk, dim=1)):
        log_A = torch.cumsum(chunk_a, dim=1)  # (B, t, H)
        hs = torch.exp(log_A) * h[:, None, :] + torch.exp(log_A + torch.logcumsumexp(chunk_b - log_A, dim=1))
        pieces.append(hs)
        h = hs[:, -1]  # padded steps held the state, so this is the last valid one
    outputs = torch.cat(pieces, dim=1)
    if lengths is not None:
        outputs = outputs.masked_fill(~valid, 0.0)
    return outputs, type(state)(h)
