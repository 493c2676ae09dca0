"""Gated recurrent units, in both places the reset gate can act.

The two variants differ only in the candidate ``n``:

- reset *after* the recurrent product (``GRUCell``; cuDNN, ``torch.nn.GRU``, Keras's
  default ``reset_after=True``):  ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``
- reset *before* it (``GRUResetBeforeCell``; Cho et al. 2014, seed 000 ch. 5, Keras
  ``reset_after=False``):          ``n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)``

Both use torch's convention for the update gate: ``h(t) = (1 - z) * n + z * h(t-1)``,
so z is the share of the *old* state. (Seed 000 writes ``(1 - z) * h(t-1) + z * n``:
its z is our ``1 - z``; the model family is the same.)
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.cells.base import HiddenState, RecurrentCell, masked, uniform_init


class _GRUParameters(RecurrentCell):
    """Parameters shared by both variants, in ``torch.nn.GRUCell``'s layout.

    ``weight_ih`` (3H, I) = [W_ir; W_iz; W_in], ``weight_hh`` (3H, H) = [W_hr; W_hz;
    W_hn], ``bias_ih`` and ``bias_hh`` (3H,). Gate order r, z, n.
    """

    state_type = HiddenState

    def __init__(self, input_size: int, hidden_size: int, learn_initial_state: bool = False):
        super().__init__(input_size, hidden_size, learn_initial_state)
        self.weight_ih = nn.Parameter(torch.empty(3 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(3 * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(3 * hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(3 * hidden_size))
        uniform_init(self, hidden_size)


class GRUCell(_GRUParameters):
    r"""GRU with the reset gate applied *after* the recurrent product (the default).

    Equations, one step (exactly ``torch.nn.GRUCell``; state dicts interchange)::

        r(t) = sigmoid(W_ir x + b_ir + W_hr h(t-1) + b_hr)
        z(t) = sigmoid(W_iz x + b_iz + W_hz h(t-1) + b_hz)
        n(t) = tanh(W_in x + b_in + r(t) * (W_hn h(t-1) + b_hn))
        h(t) = (1 - z(t)) * n(t) + z(t) * h(t-1)

    Shapes: ``x`` (B, I), ``h`` (B, H). Source: Cho et al. 2014 as implemented by
    cuDNN (``reset_after``); Keras's ``GRU(reset_after=True)``.
    """

    def forward(self, x: torch.Tensor, state: HiddenState,
                recurrent_mask: torch.Tensor | None = None) -> HiddenState:
        h_prev = state.h
        x_r, x_z, x_n = F.linear(x, self.weight_ih, self.bias_ih).chunk(3, dim=-1)
        h_r, h_z, h_n = F.linear(masked(h_prev, recurrent_mask), self.weight_hh,
                                 self.bias_hh).chunk(3, dim=-1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        h = (1 - z) * n + z * h_prev
        return HiddenState(h)


class GRUResetBeforeCell(_GRUParameters):
    r"""GRU with the reset gate applied *before* the recurrent product (Cho et al.).

    Equations, one step::

        r(t) = sigmoid(W_ir x + b_ir + W_hr h(t-1) + b_hr)
        z(t) = sigmoid(W_iz x + b_iz + W_hz h(t-1) + b_hz)
        n(t) = tanh(W_in x + b_in + W_hn (r(t) * h(t-1)) + b_hn)
        h(t) = (1 - z(t)) * n(t) + z(t) * h(t-1)

    Shapes and parameter layout as :class:`GRUCell`. Source: Cho et al. 2014, eq. 5-8;
    seed 000 ch. 5 (``(r * h_t1).dot(Whh)``); Keras ``GRU(reset_after=False)`` (one
    bias: ours is ``b_in + b_hn``). ``torch.nn`` has no kernel for it.
    """

    def forward(self, x: torch.Tensor, state: HiddenState,
                recurrent_mask: torch.Tensor | None = None) -> HiddenState:
        h_prev = state.h
        h_in = masked(h_prev, recurrent_mask)
        W_hrz, W_hn = self.weight_hh.split([2 * self.hidden_size, self.hidden_size])
        b_hrz, b_hn = self.bias_hh.split([2 * self.hidden_size, self.hidden_size])
        x_r, x_z, x_n = F.linear(x, self.weight_ih, self.bias_ih).chunk(3, dim=-1)
        h_r, h_z = F.linear(h_in, W_hrz, b_hrz).chunk(2, dim=-1)
        r = torch.sigmoid(x_r + h_r)
        z = torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + F.linear(r * h_in, W_hn, b_hn))
        h = (1 - z) * n + z * h_prev
        return HiddenState(h)
