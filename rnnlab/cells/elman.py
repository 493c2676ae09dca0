"""The Elman (simple recurrent) cell."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.cells.base import ACTIVATIONS, HiddenState, RecurrentCell, masked, uniform_init
from rnnlab.errors import unknown_choice


class ElmanCell(RecurrentCell):
    r"""Elman's simple recurrent unit (seed 000 ch. 1-2; Elman 1990).

    Equation, one step::

        h(t) = f(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh),   f in {tanh, relu, sigmoid}

    Shapes: ``x`` (B, I); state ``HiddenState(h)`` with ``h`` (B, H). Parameters have
    ``torch.nn.RNNCell``'s names and layout (``weight_ih`` (H, I), ``weight_hh`` (H, H),
    ``bias_ih`` (H,), ``bias_hh`` (H,)), so their state dicts interchange. With
    ``activation="tanh"`` or ``"relu"`` it is exactly ``torch.nn.RNN``'s math (and gets
    the fused kernel); ``"sigmoid"`` is the seed's parity network, which torch lacks.

    Example::

        >>> cell = ElmanCell(3, 8, activation="sigmoid")
        >>> state = cell.initial_state(batch_size=2)
        >>> state = cell(torch.randn(2, 3), state)
        >>> state.h.shape
        torch.Size([2, 8])
    """

    state_type = HiddenState

    def __init__(self, input_size: int, hidden_size: int, activation: str = "tanh",
                 learn_initial_state: bool = False):
        super().__init__(input_size, hidden_size, learn_initial_state)
        if activation not in ACTIVATIONS:
            raise unknown_choice("activation", activation, ACTIVATIONS)
        self.activation = activation
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(hidden_size))
        uniform_init(self, hidden_size)

    def forward(self, x: torch.Tensor, state: HiddenState,
                recurrent_mask: torch.Tensor | None = None) -> HiddenState:
        f = ACTIVATIONS[self.activation]
        h_in = masked(state.h, recurrent_mask)
        h = f(F.linear(x, self.weight_ih, self.bias_ih) + F.linear(h_in, self.weight_hh, self.bias_hh))
        return HiddenState(h)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, activation={self.activation!r}"
