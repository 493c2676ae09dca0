"""The reference engine: a plain loop over time that calls the cell once per step.

Every configuration runs here; fast engines are tested equal to it. One direction,
time running forward, batch first: the runner reverses sequences itself.
"""

from __future__ import annotations

import torch

from rnnlab.cells.base import RecurrentCell
from rnnlab.layers.padding import step_mask


def run_reference(
    cell: RecurrentCell,
    x: torch.Tensor,
    state,
    lengths: torch.Tensor | None = None,
    recurrent_mask: torch.Tensor | None = None,
    zoneout_rate: float = 0.0,
    zoneout_keep: tuple[torch.Tensor, ...] | None = None,
):
    """Run ``cell`` over ``x`` (B, T, I) from ``state``; return (outputs (B, T, H), final state).

    ``zoneout_keep`` (training) holds one (B, T, H) 0/1 tensor per state field, drawn
    by the runner (1 = keep the previous value); without it a ``zoneout_rate`` > 0
    (evaluation) blends with the expectation ``rate * previous + (1 - rate) * new``.

    1. At each step the cell maps (x_t, state) to a candidate state.
    2. Zoneout (if any) blends the candidate with the previous state, per unit.
    3. Sequences already past their length keep their state; their outputs are 0,
       so the final state is the one after each sequence's last valid step.
    """
    B, T, _ = x.shape
    valid = None if lengths is None else step_mask(lengths, T, x.device)  # (B, T)
    outputs = []
    for t, x_t in enumerate(x.unbind(1)):
        new = cell(x_t, state, recurrent_mask)
        if zoneout_keep is not None:
            new = type(new)(*(torch.where(k[:, t].bool(), p, n) for k, p, n in zip(zoneout_keep, state, new)))
        elif zoneout_rate > 0.0:
            new = type(new)(*(zoneout_rate * p + (1.0 - zoneout_rate) * n for p, n in zip(state, new)))
        if valid is not None:
            keep = valid[:, t, None]  # (B, 1)
            new = type(new)(*(torch.where(keep, n, p) for p, n in zip(state, new)))
            outputs.append(cell.output(new).masked_fill(~keep, 0.0))
        else:
            outputs.append(cell.output(new))
        state = new
    return torch.stack(outputs, dim=1), state
