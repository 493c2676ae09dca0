"""minGRU and minLSTM (Feng et al. 2024, "Were RNNs All We Needed?").

Their gates read only the input x(t), never h(t-1), so the recurrence is linear in h::

    h(t) = a(t) * h(t-1) + b(t)        a(t) in (0, 1), b(t) > 0, both from x(t) alone

which a parallel scan computes for all steps at once (rnnlab/kernels/parallel_scan.py,
in log space for stability). The classes here are the step form: generation and the
reference engine use it, and tests prove the two forms equal. Candidates pass
through ``g(v) = v + 0.5 if v >= 0 else sigmoid(v)`` (the paper's positive
activation), so b(t) > 0 and the scan can work with logarithms.

With no recurrent product there is nothing for recurrent dropout to mask.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.cells.base import HiddenState, RecurrentCell, uniform_init


def positive(v: torch.Tensor) -> torch.Tensor:
    """The paper's g: ``v + 0.5`` for v >= 0, ``sigmoid(v)`` below; continuous, > 0."""
    return torch.where(v >= 0, v + 0.5, torch.sigmoid(v))


def log_positive(v: torch.Tensor) -> torch.Tensor:
    """``log(g(v))`` computed stably: ``log(v + 0.5)`` or ``-softplus(-v)``."""
    return torch.where(v >= 0, torch.log(F.relu(v) + 0.5), -F.softplus(-v))


class MinGRUCell(RecurrentCell):
    r"""minGRU: a GRU whose gates see only the input (Feng et al. 2024, sec. 3.1).

    Equations, one step (gates in the order z, n)::

        z(t) = sigmoid(W_iz x(t) + b_iz)
        n(t) = g(W_in x(t) + b_in)
        h(t) = (1 - z(t)) * h(t-1) + z(t) * n(t)

    Shapes: ``x`` (B, I); state ``HiddenState(h)`` (B, H); ``weight_ih`` (2H, I),
    ``bias_ih`` (2H,). Trains with the parallel scan (engine "scan").
    """

    state_type = HiddenState
    has_recurrent_product = False

    def __init__(self, input_size: int, hidden_size: int, learn_initial_state: bool = False):
        super().__init__(input_size, hidden_size, learn_initial_state)
        self.weight_ih = nn.Parameter(torch.empty(2 * hidden_size, input_size))
        self.bias_ih = nn.Parameter(torch.empty(2 * hidden_size))
        uniform_init(self, hidden_size)

    def forward(self, x: torch.Tensor, state: HiddenState,
                recurrent_mask: torch.Tensor | None = None) -> HiddenState:
        z_pre, n_pre = F.linear(x, self.weight_ih, self.bias_ih).chunk(2, dim=-1)
        z = torch.sigmoid(z_pre)
        n = positive(n_pre)
        h = (1 - z) * state.h + z * n
        return HiddenState(h)

    def scan_coefficients(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log a(t) and log b(t) for every step: x (B, T, I) -> two (B, T, H)."""
        z_pre, n_pre = F.linear(x, self.weight_ih, self.bias_ih).chunk(2, dim=-1)
        log_a = -F.softplus(z_pre)                       # log(1 - z)
        log_b = -F.softplus(-z_pre) + log_positive(n_pre)  # log(z) + log(n)
        return log_a, log_b


class MinLSTMCell(RecurrentCell):
    r"""minLSTM: an LSTM whose gates see only the input, normalised (Feng et al. 2024, sec. 3.2).

    Equations, one step (gates in the order f, i, n)::

        f(t) = sigmoid(W_if x(t) + b_if)
        i(t) = sigmoid(W_ii x(t) + b_ii)
        n(t) = g(W_in x(t) + b_in)
        f'(t), i'(t) = f / (f + i), i / (f + i)        # time-independent scale
                                                        # (as sigmoid(log f - log i): no 0/0)
        h(t) = f'(t) * h(t-1) + i'(t) * n(t)

    Shapes: ``x`` (B, I); state ``HiddenState(h)`` (B, H) (no separate memory cell);
    ``weight_ih`` (3H, I), ``bias_ih`` (3H,).
    """

    state_type = HiddenState
    has_recurrent_product = False

    def __init__(self, input_size: int, hidden_size: int, learn_initial_state: bool = False):
        super().__init__(input_size, hidden_size, learn_initial_state)
        self.weight_ih = nn.Parameter(torch.empty(3 * hidden_size, input_size))
        self.bias_ih = nn.Parameter(torch.empty(3 * hidden_size))
        uniform_init(self, hidden_size)

    def forward(self, x: torch.Tensor, state: HiddenState,
                recurrent_mask: torch.Tensor | None = None) -> HiddenState:
        f_pre, i_pre, n_pre = F.linear(x, self.weight_ih, self.bias_ih).chunk(3, dim=-1)
        # f / (f + i) = sigmoid(log f - log i): no 0/0 when both gates underflow.
        f_norm = torch.sigmoid(F.logsigmoid(f_pre) - F.logsigmoid(i_pre))
        i_norm = 1 - f_norm
        n = positive(n_pre)
        h = f_norm * state.h + i_norm * n
        return HiddenState(h)

    def scan_coefficients(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log a(t) and log b(t) for every step: x (B, T, I) -> two (B, T, H)."""
        f_pre, i_pre, n_pre = F.linear(x, self.weight_ih, self.bias_ih).chunk(3, dim=-1)
        # log f' = log sigmoid(log f - log i), log i' = log sigmoid(log i - log f)
        log_ratio = F.logsigmoid(f_pre) - F.logsigmoid(i_pre)
        log_a = F.logsigmoid(log_ratio)
        log_b = F.logsigmoid(-log_ratio) + log_positive(n_pre)
        return log_a, log_b
