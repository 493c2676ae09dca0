"""The rated recurrent unit: an Elman cell with an update gate only."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.cells.base import ACTIVATIONS, HiddenState, RecurrentCell, masked, uniform_init
from rnnlab.errors import unknown_choice


class RatedCell(RecurrentCell):
    r"""Rated recurrent unit (seed 000 ch. 5): a gate z blends old state and Elman update.

    Equations, one step (gates in the order z, n)::

        z(t) = sigmoid(W_iz x(t) + b_iz + W_hz h(t-1) + b_hz)      # the rate
        n(t) = f(W_in x(t) + b_in + W_hn h(t-1) + b_hn)           # Elman candidate
        h(t) = (1 - z(t)) * h(t-1) + z(t) * n(t)

    As in the seed, z is the share of the *new* value (a low-pass filter on the
    Elman update). Shapes: ``weight_ih`` (2H, I) = [W_iz; W_in], ``weight_hh``
    (2H, H) = [W_hz; W_hn], ``bias_ih``/``bias_hh`` (2H,); state ``HiddenState(h)``.
    """

    state_type = HiddenState

    def __init__(self, input_size: int, hidden_size: int, activation: str = "tanh",
                 learn_initial_state: bool = False):
        super().__init__(input_size, hidden_size, learn_initial_state)
        if activation not in ACTIVATIONS:
            raise unknown_choice("activation", activation, ACTIVATIONS)
        self.activation = activation
        self.weight_ih = nn.Parameter(torch.empty(2 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(2 * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(2 * hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(2 * hidden_size))
        uniform_init(self, hidden_size)

    def forward(self, x: torch.Tensor, state: HiddenState,
                recurrent_mask: torch.Tensor | None = None) -> HiddenState:
        f = ACTIVATIONS[self.activation]
        h_prev = state.h
        gates = (F.linear(x, self.weight_ih, self.bias_ih)
                 + F.linear(masked(h_prev, recurrent_mask), self.weight_hh, self.bias_hh))
        z_pre, n_pre = gates.chunk(2, dim=-1)  # each (B, H)
        z = torch.sigmoid(z_pre)
        n = f(n_pre)
        h = (1 - z) * h_prev + z * n
        return HiddenState(h)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, activation={self.activation!r}"
