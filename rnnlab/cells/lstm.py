"""Long short-term memory cells: plain, diagonal peepholes, full-matrix peepholes.

All three share ``torch.nn.LSTMCell``'s parameters (gate order i, f, g, o):
``weight_ih`` (4H, I), ``weight_hh`` (4H, H), ``bias_ih`` and ``bias_hh`` (4H,).
Peephole cells add connections from the memory cell ``c`` into the gates: the input
and forget gates look at c(t-1), the output gate at the new c(t).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.cells.base import LSTMState, RecurrentCell, masked, uniform_init


class LSTMCell(RecurrentCell):
    r"""The LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000).

    Equations, one step (exactly ``torch.nn.LSTMCell``; state dicts interchange)::

        i, f, g, o = split(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh)     # 4 x (B, H)
        c(t) = sigmoid(f) * c(t-1) + sigmoid(i) * tanh(g)
        h(t) = sigmoid(o) * tanh(c(t))

    Shapes: ``x`` (B, I); state ``LSTMState(h, c)``, each (B, H).

    Args:
        forget_bias: if given, initialise the forget gate's bias to this value
            (``bias_ih[f] = forget_bias``, ``bias_hh[f] = 0``); Jozefowicz et al. 2015
            and Keras's ``unit_forget_bias`` use 1.0. Default: torch's uniform init.
    """

    state_type = LSTMState

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float | None = None,
                 learn_initial_state: bool = False):
        super().__init__(input_size, hidden_size, learn_initial_state)
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(4 * hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(4 * hidden_size))
        self.forget_bias = forget_bias
        self._init_peepholes()
        uniform_init(self, hidden_size)
        if forget_bias is not None:
            forget = slice(hidden_size, 2 * hidden_size)
            with torch.no_grad():
                self.bias_ih[forget] = forget_bias
                self.bias_hh[forget] = 0.0

    def _init_peepholes(self) -> None:
        """Plain LSTM: none. Peephole subclasses register their weights here."""

    def gate_inputs(self, x: torch.Tensor, h_prev: torch.Tensor):
        """The four gate pre-activations i, f, g, o from x and h(t-1), each (B, H)."""
        return (F.linear(x, self.weight_ih, self.bias_ih)
                + F.linear(h_prev, self.weight_hh, self.bias_hh)).chunk(4, dim=-1)

    def forward(self, x: torch.Tensor, state: LSTMState,
                recurrent_mask: torch.Tensor | None = None) -> LSTMState:
        i, f, g, o = self.gate_inputs(x, masked(state.h, recurrent_mask))
        c = torch.sigmoid(f) * state.c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        return LSTMState(h, c)

    def extra_repr(self) -> str:
        fb = "" if self.forget_bias is None else f", forget_bias={self.forget_bias}"
        return super().extra_repr() + fb


class PeepholeLSTMCell(LSTMCell):
    r"""LSTM with diagonal peepholes (Gers & Schmidhuber 2000; Graves 2013 eq. 7-11).

    Equations, one step (``*`` is elementwise; ``w_ci, w_cf, w_co`` are (H,) vectors)::

        i, f, g, o = split(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh)
        i = sigmoid(i + w_ci * c(t-1))
        f = sigmoid(f + w_cf * c(t-1))
        c(t) = f * c(t-1) + i * tanh(g)
        o = sigmoid(o + w_co * c(t))
        h(t) = o * tanh(c(t))

    Parameters: those of :class:`LSTMCell` plus ``weight_ci``, ``weight_cf``,
    ``weight_co``, each (H,).
    """

    def _init_peepholes(self) -> None:
        H = self.hidden_size
        self.weight_ci = nn.Parameter(torch.empty(H))
        self.weight_cf = nn.Parameter(torch.empty(H))
        self.weight_co = nn.Parameter(torch.empty(H))

    def forward(self, x: torch.Tensor, state: LSTMState,
                recurrent_mask: torch.Tensor | None = None) -> LSTMState:
        i, f, g, o = self.gate_inputs(x, masked(state.h, recurrent_mask))
        i = torch.sigmoid(i + self.weight_ci * state.c)
        f = torch.sigmoid(f + self.weight_cf * state.c)
        c = f * state.c + i * torch.tanh(g)
        o = torch.sigmoid(o + self.weight_co * c)
        h = o * torch.tanh(c)
        return LSTMState(h, c)


class FullPeepholeLSTMCell(LSTMCell):
    r"""LSTM with full-matrix peepholes, exactly as seed 000's Theano LSTM.

    Equations, one step (``W_c*`` are (H, H) matrices acting on the memory cell)::

        i, f, g, o = split(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh)
        i = sigmoid(i + W_ci c(t-1))
        f = sigmoid(f + W_cf c(t-1))
        c(t) = f * c(t-1) + i * tanh(g)
        o = sigmoid(o + W_co c(t))
        h(t) = o * tanh(c(t))

    The seed writes ``c_t1.dot(Wci)`` with (H, H) matrices in x-times-W layout; ours
    are in torch's W-times-x layout, so ``weight_ci = Wci.T`` (likewise cf, co).
    Parameters: those of :class:`LSTMCell` plus ``weight_ci``, ``weight_cf``,
    ``weight_co``, each (H, H).
    """

    def _init_peepholes(self) -> None:
        H = self.hidden_size
        self.weight_ci = nn.Parameter(torch.empty(H, H))
        self.weight_cf = nn.Parameter(torch.empty(H, H))
        self.weight_co = nn.Parameter(torch.empty(H, H))

    def forward(self, x: torch.Tensor, state: LSTMState,
                recurrent_mask: torch.Tensor | None = None) -> LSTMState:
        i, f, g, o = self.gate_inputs(x, masked(state.h, recurrent_mask))
        i = torch.sigmoid(i + F.linear(state.c, self.weight_ci))
        f = torch.sigmoid(f + F.linear(state.c, self.weight_cf))
        c = f * state.c + i * torch.tanh(g)
        o = torch.sigmoid(o + F.linear(c, self.weight_co))
        h = o * torch.tanh(c)
        return LSTMState(h, c)
