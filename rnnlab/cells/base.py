"""What every recurrent cell shares: its state type, its initial state, its contract.

A cell computes ONE time step::

    new_state = cell(x_t, state)          # x_t: (B, input_size)

``state`` is a named tuple of tensors, each ``(B, hidden_size)``. Its first field is
the cell's output at that step (``h`` for most cells, ``y`` for the Jordan cell), so
the runner never needs to know which cell it runs.

``recurrent_mask`` (optional, ``(B, hidden_size)``) multiplies the fed-back state
where it enters the recurrent matrix product only (Gal & Ghahramani's variational
dropout, Keras's ``recurrent_dropout``); the state carried to the next step is not
masked. The runner draws one mask per sequence and passes it at every step.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn


class HiddenState(NamedTuple):
    """State of cells that carry one vector: ``h`` (B, H)."""

    h: torch.Tensor


class LSTMState(NamedTuple):
    """State of LSTM cells: output ``h`` (B, H) and memory cell ``c`` (B, H)."""

    h: torch.Tensor
    c: torch.Tensor


class JordanState(NamedTuple):
    """State of the Jordan cell: its previous output ``y`` (B, H)."""

    y: torch.Tensor


ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}


def masked(h: torch.Tensor, recurrent_mask: torch.Tensor | None) -> torch.Tensor:
    """``h * recurrent_mask``, or ``h`` itself when there is no mask."""
    return h if recurrent_mask is None else h * recurrent_mask


class RecurrentCell(nn.Module):
    """Base class: sizes, state type and the (optionally learnable) initial state.

    Subclasses set ``state_type`` and implement ``forward(x, state, recurrent_mask)``.

    Args:
        input_size: features per step of the input, I.
        hidden_size: units, H (every state field is (B, H)).
        learn_initial_state: if True, the initial state is a trained parameter per
            state field (``h0``, ``c0``, ``y0``; seed 000 trains ``h0``); else zeros.
    """

    state_type: type = HiddenState
    # False for cells whose gates read only x(t) (minGRU, minLSTM): no recurrent
    # product, so recurrent dropout has nothing to mask.
    has_recurrent_product: bool = True

    def __init__(self, input_size: int, hidden_size: int, learn_initial_state: bool = False):
        super().__init__()
        if input_size < 1 or hidden_size < 1:
            raise ValueError(
                f"input_size and hidden_size must be >= 1, got {input_size} and {hidden_size}"
            )
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.learn_initial_state = learn_initial_state
        if learn_initial_state:
            for field in self.state_type._fields:
                self.register_parameter(f"{field}0", nn.Parameter(torch.zeros(hidden_size)))

    def initial_state(
        self, batch_size: int, dtype: torch.dtype | None = None, device: torch.device | None = None
    ):
        """The state before the first step: each field (B, H), zeros or the learned value."""
        fields = []
        for field in self.state_type._fields:
            if self.learn_initial_state:
                learned = getattr(self, f"{field}0")
                fields.append(learned.to(dtype=dtype or learned.dtype).expand(batch_size, -1))
            else:
                ref = next(self.parameters())
                fields.append(
                    torch.zeros(batch_size, self.hidden_size, dtype=dtype or ref.dtype,
                                device=device or ref.device)
                )
        return self.state_type(*fields)

    @staticmethod
    def output(state) -> torch.Tensor:
        """The cell's output at a step: the first state field, (B, H)."""
        return state[0]

    def extra_repr(self) -> str:
        extra = ", learn_initial_state=True" if self.learn_initial_state else ""
        return f"{self.input_size}, {self.hidden_size}{extra}"


def uniform_init(module: nn.Module, hidden_size: int) -> None:
    """torch.nn's default: every parameter ~ U(-1/sqrt(H), 1/sqrt(H)); initial states zero."""
    bound = 1.0 / hidden_size**0.5
    for name, param in module.named_parameters(recurse=False):
        if name.endswith("0") and name[:-1] in ("h", "c", "y"):
            continue  # learned initial states start at zero
        nn.init.uniform_(param, -bound, bound)
