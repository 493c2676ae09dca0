"""The Jordan cell: the recurrence feeds back the previous *output*."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.cells.base import ACTIVATIONS, JordanState, RecurrentCell, masked, uniform_init
from rnnlab.errors import unknown_choice

OUTPUT_ACTIVATIONS = {**ACTIVATIONS, "identity": lambda y: y}


class JordanCell(RecurrentCell):
    r"""Jordan's network (Jordan 1986; seed 003): the state fed back is the output y.

    Equations, one step::

        h(t) = f(W_ih x(t) + b_ih + W_hh y(t-1) + b_hh)
        y(t) = g(W_hy h(t) + b_y)

    ``f`` is ``activation`` (tanh | relu | sigmoid), ``g`` is ``output_activation``
    (tanh | relu | sigmoid | identity). In an Elman cell h(t-1) is fed back; here
    only y(t-1) is, so the hidden vector h is recomputed from scratch each step.

    Shapes: ``x`` (B, I); state ``JordanState(y)`` with ``y`` (B, H); ``weight_ih``
    (H, I), ``weight_hh`` (H, H) acting on y, ``weight_hy`` (H, H), biases (H,). The
    output size equals ``hidden_size`` so the cell stacks like any other; put a
    task head (a Linear layer) after the runner for another output size.
    """

    state_type = JordanState

    def __init__(self, input_size: int, hidden_size: int, activation: str = "tanh",
                 output_activation: str = "tanh", learn_initial_state: bool = False):
        super().__init__(input_size, hidden_size, learn_initial_state)
        if activation not in ACTIVATIONS:
            raise unknown_choice("activation", activation, ACTIVATIONS)
        if output_activation not in OUTPUT_ACTIVATIONS:
            raise unknown_choice("output_activation", output_activation, OUTPUT_ACTIVATIONS)
        self.activation = activation
        self.output_activation = output_activation
        self.weight_ih = nn.Parameter(torch.empty(hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(hidden_size))
        self.weight_hy = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.bias_y = nn.Parameter(torch.empty(hidden_size))
        uniform_init(self, hidden_size)

    def forward(self, x: torch.Tensor, state: JordanState,
                recurrent_mask: torch.Tensor | None = None) -> JordanState:
        f = ACTIVATIONS[self.activation]
        g = OUTPUT_ACTIVATIONS[self.output_activation]
        y_in = masked(state.y, recurrent_mask)
        h = f(F.linear(x, self.weight_ih, self.bias_ih) + F.linear(y_in, self.weight_hh, self.bias_hh))
        y = g(F.linear(h, self.weight_hy, self.bias_y))
        return JordanState(y)

    def extra_repr(self) -> str:
        return (f"{super().extra_repr()}, activation={self.activation!r}, "
                f"output_activation={self.output_activation!r}")
