"""Deliberately naive reference implementations (oracles) for the recurrent cells.

Everything here is written from the EQUATIONS in the cells' docstrings, gate by gate,
and never calls rnnlab's code: each gate's weight rows are sliced by hand and every
pre-activation is an explicit ``x @ W.T + b``. Slow and plain on purpose: when a cell
and its oracle disagree, read the oracle first.

Shapes used throughout: B batch, T time, I input features, H hidden units.

Oracles for one step (``params`` maps the cell's parameter names to tensors, e.g.
``dict(cell.named_parameters())`` or a ``torch.nn.LSTMCell``'s ``state_dict()``)::

    naive_elman_step(x, h, params, activation="tanh", recurrent_mask=None)        -> h
    naive_jordan_step(x, y, params, activation="tanh", output_activation="tanh",
                      recurrent_mask=None)                                        -> y
    naive_rated_step(x, h, params, activation="tanh", recurrent_mask=None)        -> h
    naive_gru_step(x, h, params, reset_after=True, recurrent_mask=None)           -> h
    naive_lstm_step(x, h, c, params, peephole=None, recurrent_mask=None)          -> (h, c)

    x (B, I); h, c, y, recurrent_mask (B, H). ``recurrent_mask`` multiplies the
    fed-back state only where it enters a recurrent matrix product; the state carried
    forward (GRU's ``z * h``, rated's ``(1 - z) * h``, LSTM's ``c``) is never masked.

Glue for whole cells, sequences and test inputs::

    naive_step_for(cell)       -> step_fn(x, state, recurrent_mask=None) -> tuple state
    naive_initial_state(cell, B) -> tuple of (B, H) tensors (zeros, or h0/c0/y0 expanded)
    naive_run(step_fn, xs, state0, lengths=None, reverse=False, recurrent_mask=None)
        -> NaiveRun(outputs (B, T, H), final_state)
    randomize_parameters(module, seed, scale=0.5)   # every parameter <- randn * scale
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import torch

# --------------------------------------------------------------------------- helpers


def sigmoid(v: torch.Tensor) -> torch.Tensor:
    """The logistic function written out: 1 / (1 + exp(-v))."""
    return 1.0 / (1.0 + torch.exp(-v))


def tanh(v: torch.Tensor) -> torch.Tensor:
    return torch.tanh(v)


def relu(v: torch.Tensor) -> torch.Tensor:
    return torch.clamp(v, min=0.0)


def identity(v: torch.Tensor) -> torch.Tensor:
    return v


ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": tanh, "relu": relu, "sigmoid": sigmoid, "identity": identity,
}


def affine(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None = None) -> torch.Tensor:
    """``x @ W.T + b``: x (B, K), W (H, K), b (H,) -> (B, H)."""
    out = x @ W.T
    return out if b is None else out + b


def gate_rows(t: torch.Tensor, k: int, H: int) -> torch.Tensor:
    """Rows k*H .. (k+1)*H - 1 of a stacked weight (nH, K) or bias (nH,): gate k's block."""
    return t[k * H:(k + 1) * H]


def _mask(h: torch.Tensor, recurrent_mask: torch.Tensor | None) -> torch.Tensor:
    return h if recurrent_mask is None else h * recurrent_mask


# --------------------------------------------------------------------------- one step


def naive_elman_step(x, h, params, activation="tanh", recurrent_mask=None):
    """Elman: ``h(t) = f(x W_ih^T + b_ih + (m*h(t-1)) W_hh^T + b_hh)``; returns h (B, H)."""
    f = ACTIVATIONS[activation]
    h_in = _mask(h, recurrent_mask)
    pre = affine(x, params["weight_ih"], params["bias_ih"]) + affine(
        h_in, params["weight_hh"], params["bias_hh"])
    return f(pre)


def naive_jordan_step(x, y, params, activation="tanh", output_activation="tanh",
                      recurrent_mask=None):
    """Jordan: the previous OUTPUT y is fed back; returns the new y (B, H).

        h(t) = f(x W_ih^T + b_ih + (m*y(t-1)) W_hh^T + b_hh)
        y(t) = g(h(t) W_hy^T + b_y)
    """
    f = ACTIVATIONS[activation]
    g = ACTIVATIONS[output_activation]
    y_in = _mask(y, recurrent_mask)
    hidden = f(affine(x, params["weight_ih"], params["bias_ih"])
               + affine(y_in, params["weight_hh"], params["bias_hh"]))
    return g(affine(hidden, params["weight_hy"], params["bias_y"]))


def naive_rated_step(x, h, params, activation="tanh", recurrent_mask=None):
    """Rated unit, gate order (z, n); z is the share of the NEW value. Returns h (B, H).

        z = sigmoid(x W_iz^T + b_iz + (m*h) W_hz^T + b_hz)
        n = f(x W_in^T + b_in + (m*h) W_hn^T + b_hn)
        h(t) = (1 - z) * h(t-1) + z * n          # carried h(t-1) unmasked
    """
    H = h.shape[1]
    f = ACTIVATIONS[activation]
    W_ih, W_hh, b_ih, b_hh = (params[k] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    W_iz, W_in = gate_rows(W_ih, 0, H), gate_rows(W_ih, 1, H)
    W_hz, W_hn = gate_rows(W_hh, 0, H), gate_rows(W_hh, 1, H)
    b_iz, b_in = gate_rows(b_ih, 0, H), gate_rows(b_ih, 1, H)
    b_hz, b_hn = gate_rows(b_hh, 0, H), gate_rows(b_hh, 1, H)
    h_in = _mask(h, recurrent_mask)
    z = sigmoid(affine(x, W_iz, b_iz) + affine(h_in, W_hz, b_hz))
    n = f(affine(x, W_in, b_in) + affine(h_in, W_hn, b_hn))
    return (1 - z) * h + z * n


def naive_gru_step(x, h, params, reset_after=True, recurrent_mask=None):
    """GRU, gate order (r, z, n), torch's update convention. Returns h (B, H).

        r = sigmoid(x W_ir^T + b_ir + (m*h) W_hr^T + b_hr)
        z = sigmoid(x W_iz^T + b_iz + (m*h) W_hz^T + b_hz)
        reset_after=True  (torch.nn.GRUCell): n = tanh(x W_in^T + b_in + r * ((m*h) W_hn^T + b_hn))
        reset_after=False (Cho et al.):       n = tanh(x W_in^T + b_in + (r * (m*h)) W_hn^T + b_hn)
        h(t) = (1 - z) * n + z * h(t-1)          # carried h(t-1) unmasked
    """
    H = h.shape[1]
    W_ih, W_hh, b_ih, b_hh = (params[k] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    W_ir, W_iz, W_in = gate_rows(W_ih, 0, H), gate_rows(W_ih, 1, H), gate_rows(W_ih, 2, H)
    W_hr, W_hz, W_hn = gate_rows(W_hh, 0, H), gate_rows(W_hh, 1, H), gate_rows(W_hh, 2, H)
    b_ir, b_iz, b_in = gate_rows(b_ih, 0, H), gate_rows(b_ih, 1, H), gate_rows(b_ih, 2, H)
    b_hr, b_hz, b_hn = gate_rows(b_hh, 0, H), gate_rows(b_hh, 1, H), gate_rows(b_hh, 2, H)
    h_in = _mask(h, recurrent_mask)
    r = sigmoid(affine(x, W_ir, b_ir) + affine(h_in, W_hr, b_hr))
    z = sigmoid(affine(x, W_iz, b_iz) + affine(h_in, W_hz, b_hz))
    if reset_after:
        n = tanh(affine(x, W_in, b_in) + r * affine(h_in, W_hn, b_hn))
    else:
        n = tanh(affine(x, W_in, b_in) + affine(r * h_in, W_hn, b_hn))
    return (1 - z) * n + z * h


def naive_lstm_step(x, h, c, params, peephole=None, recurrent_mask=None):
    """LSTM, gate order (i, f, g, o). Returns (h, c), each (B, H).

        i = x W_ii^T + b_ii + (m*h) W_hi^T + b_hi      (likewise f, g, o)
        peephole=None:       i = sigmoid(i);  f = sigmoid(f);  o uses nothing extra
        peephole="diagonal": i = sigmoid(i + w_ci * c(t-1)), f likewise with w_cf,
                             o = sigmoid(o + w_co * c(t))          (w_c* are (H,))
        peephole="full":     seed 000's Theano form with x-times-W matrices
                             Wci = weight_ci.T etc.:  i = sigmoid(i + c(t-1) @ Wci),
                             f likewise, o = sigmoid(o + c(t) @ Wco)
        c(t) = f * c(t-1) + i * tanh(g)                # c is never masked
        h(t) = o * tanh(c(t))
    """
    H = h.shape[1]
    W_ih, W_hh, b_ih, b_hh = (params[k] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    W_ii, W_if, W_ig, W_io = W_ih[0:H], W_ih[H:2 * H], W_ih[2 * H:3 * H], W_ih[3 * H:4 * H]
    W_hi, W_hf, W_hg, W_ho = W_hh[0:H], W_hh[H:2 * H], W_hh[2 * H:3 * H], W_hh[3 * H:4 * H]
    b_ii, b_if, b_ig, b_io = b_ih[0:H], b_ih[H:2 * H], b_ih[2 * H:3 * H], b_ih[3 * H:4 * H]
    b_hi, b_hf, b_hg, b_ho = b_hh[0:H], b_hh[H:2 * H], b_hh[2 * H:3 * H], b_hh[3 * H:4 * H]
    h_in = _mask(h, recurrent_mask)

    i_pre = affine(x, W_ii, b_ii) + affine(h_in, W_hi, b_hi)
    f_pre = affine(x, W_if, b_if) + affine(h_in, W_hf, b_hf)
    g_pre = affine(x, W_ig, b_ig) + affine(h_in, W_hg, b_hg)
    o_pre = affine(x, W_io, b_io) + affine(h_in, W_ho, b_ho)

    if peephole == "diagonal":
        i_pre = i_pre + params["weight_ci"] * c
        f_pre = f_pre + params["weight_cf"] * c
    elif peephole == "full":
        Wci, Wcf = params["weight_ci"].T, params["weight_cf"].T  # seed's x-times-W layout
        i_pre = i_pre + c @ Wci
        f_pre = f_pre + c @ Wcf
    elif peephole is not None:
        raise ValueError(f"peephole must be None, 'diagonal' or 'full', got {peephole!r}")

    i = sigmoid(i_pre)
    f = sigmoid(f_pre)
    g = tanh(g_pre)
    c_new = f * c + i * g

    if peephole == "diagonal":
        o_pre = o_pre + params["weight_co"] * c_new
    elif peephole == "full":
        o_pre = o_pre + c_new @ params["weight_co"].T
    o = sigmoid(o_pre)
    h_new = o * tanh(c_new)
    return h_new, c_new


# --------------------------------------------------------------------------- cells


def naive_positive(v: torch.Tensor) -> torch.Tensor:
    """minGRU/minLSTM's g, elementwise by cases: v + 0.5 where v >= 0, sigmoid(v) elsewhere."""
    out = torch.empty_like(v)
    nonneg = v >= 0
    out[nonneg] = v[nonneg] + 0.5
    out[~nonneg] = 1.0 / (1.0 + torch.exp(-v[~nonneg]))
    return out


def naive_min_gru_step(x, h, params):
    """minGRU (Feng et al. 2024): gates z, n read x only; h = (1 - z) h + z g(n)."""
    H = h.shape[-1]
    W, b = params["weight_ih"], params["bias_ih"]
    z = sigmoid(affine(x, W[0:H], b[0:H]))
    n = naive_positive(affine(x, W[H:2 * H], b[H:2 * H]))
    return (1 - z) * h + z * n


def naive_min_lstm_step(x, h, params):
    """minLSTM: f, i, n read x only; h = f/(f+i) h + i/(f+i) g(n)."""
    H = h.shape[-1]
    W, b = params["weight_ih"], params["bias_ih"]
    f = sigmoid(affine(x, W[0:H], b[0:H]))
    i = sigmoid(affine(x, W[H:2 * H], b[H:2 * H]))
    n = naive_positive(affine(x, W[2 * H:3 * H], b[2 * H:3 * H]))
    return f / (f + i) * h + i / (f + i) * n


def naive_step_for(cell: torch.nn.Module, params: dict[str, torch.Tensor] | None = None):
    """The oracle step for an rnnlab cell, using its parameters and options.

    Returns ``step_fn(x, state, recurrent_mask=None) -> tuple state`` where ``x`` is
    (B, I) and ``state`` a tuple of (B, H) tensors in the cell's field order (``(h,)``,
    ``(h, c)`` or ``(y,)``). ``params`` defaults to ``dict(cell.named_parameters())``,
    read at call time. Dispatches on the EXACT class (a subclass may change the math),
    so a newly registered cell without an oracle fails loudly with a TypeError.
    """
    from rnnlab.cells import (ElmanCell, FullPeepholeLSTMCell, GRUCell, GRUResetBeforeCell,
                              JordanCell, LSTMCell, MinGRUCell, MinLSTMCell, PeepholeLSTMCell,
                              RatedCell)

    def p() -> dict[str, torch.Tensor]:
        return dict(cell.named_parameters()) if params is None else params

    kind = type(cell)
    if kind is ElmanCell:
        return lambda x, s, recurrent_mask=None: (
            naive_elman_step(x, s[0], p(), cell.activation, recurrent_mask),)
    if kind is JordanCell:
        return lambda x, s, recurrent_mask=None: (naive_jordan_step(
            x, s[0], p(), cell.activation, cell.output_activation, recurrent_mask),)
    if kind is RatedCell:
        return lambda x, s, recurrent_mask=None: (
            naive_rated_step(x, s[0], p(), cell.activation, recurrent_mask),)
    if kind in (GRUCell, GRUResetBeforeCell):
        reset_after = kind is GRUCell
        return lambda x, s, recurrent_mask=None: (
            naive_gru_step(x, s[0], p(), reset_after, recurrent_mask),)
    peepholes = {LSTMCell: None, PeepholeLSTMCell: "diagonal", FullPeepholeLSTMCell: "full"}
    if kind in peepholes:
        return lambda x, s, recurrent_mask=None: naive_lstm_step(
            x, s[0], s[1], p(), peepholes[kind], recurrent_mask)
    if kind is MinGRUCell:  # no recurrent product: a recurrent mask has nothing to act on
        return lambda x, s, recurrent_mask=None: (naive_min_gru_step(x, s[0], p()),)
    if kind is MinLSTMCell:
        return lambda x, s, recurrent_mask=None: (naive_min_lstm_step(x, s[0], p()),)
    raise TypeError(f"no naive oracle for {kind.__name__}: add one to tests/reference.py")


def naive_initial_state(cell: torch.nn.Module, batch_size: int) -> tuple[torch.Tensor, ...]:
    """The state before step 0, one (B, H) tensor per field of ``cell.state_type``.

    ``learn_initial_state=True``: the parameters ``h0``/``c0``/``y0`` (H,) repeated over
    the batch; otherwise zeros in the dtype of ``weight_ih``.
    """
    ref = cell.weight_ih
    fields = []
    for name in cell.state_type._fields:
        if cell.learn_initial_state:
            fields.append(getattr(cell, f"{name}0").unsqueeze(0).repeat(batch_size, 1))
        else:
            fields.append(torch.zeros(batch_size, cell.hidden_size, dtype=ref.dtype))
    return tuple(fields)


# --------------------------------------------------------------------------- sequences


class NaiveRun(NamedTuple):
    """What :func:`naive_run` returns.

    outputs: (B, T, H), the first state field after each valid step at that step's
        position; exactly zero at padded positions t >= lengths[b].
    final_state: same type as ``state0`` (a NamedTuple type is kept), each field
        (B, H): the state after the last valid step of each sample (``state0[b]``
        itself when lengths[b] == 0).
    """

    outputs: torch.Tensor
    final_state: Any


def naive_run(
    step_fn: Callable[..., Sequence[torch.Tensor]],
    xs: torch.Tensor,
    state0: Sequence[torch.Tensor],
    lengths: Sequence[int] | torch.Tensor | None = None,
    reverse: bool = False,
    recurrent_mask: torch.Tensor | None = None,
) -> NaiveRun:
    """Run ``step_fn`` over a padded batch, one SAMPLE and one step at a time.

    Args:
        step_fn: ``step_fn(x_t, state) -> new_state`` with x_t (1, I) and state of
            ``state0``'s type (a NamedTuple stays one) with (1, H) fields; the first
            field of what it returns is the step's output. An oracle from
            :func:`naive_step_for` or an rnnlab cell itself both fit (the latter gives
            "manual stepping" of the real cell). When ``recurrent_mask`` is given it is
            called as ``step_fn(x_t, state, recurrent_mask=m_b)`` with m_b (1, H).
        xs: (B, T, I), batch first; values at padded positions are never read (they
            may be NaN).
        state0: tuple/NamedTuple of (B, H) tensors, the state before the first step.
        lengths: valid length L_b of each sample (0 <= L_b <= T); None means all T.
        reverse: if False, sample b visits t = 0, 1, ..., L_b - 1; if True it visits
            t = L_b - 1, ..., 1, 0 (reversed WITHIN its valid length: padding is never
            read, and the first step reads x[b, L_b - 1]). Either way the output of
            the step that read x[b, t] is written at position t.
        recurrent_mask: optional (B, H): one mask per sequence, passed at every step.

    Returns:
        NaiveRun(outputs (B, T, H), final_state), see :class:`NaiveRun`.

    Example::

        >>> step = lambda x, s: (s[0] + x,)                  # running sum, I == H
        >>> run = naive_run(step, torch.ones(2, 3, 1), (torch.zeros(2, 1),), lengths=[3, 1])
        >>> run.outputs[..., 0]
        tensor([[1., 2., 3.],
                [1., 0., 0.]])
        >>> run.final_state[0][:, 0]
        tensor([3., 1.])
    """
    B, T, _ = xs.shape
    if lengths is None:
        lengths = [T] * B
    lengths = [int(L) for L in lengths]
    if len(lengths) != B or any(L < 0 or L > T for L in lengths):
        raise ValueError(f"lengths must be {B} ints in [0, {T}], got {lengths}")

    # keep the state's type (an rnnlab cell reads state.h / state.c by name)
    make_state = type(state0)._make if hasattr(state0, "_fields") else tuple
    per_sample_outputs = []  # B tensors (T, H)
    per_sample_finals = []   # B states of (1, H) tensors
    for b in range(B):
        L = lengths[b]
        state = make_state(field[b:b + 1] for field in state0)  # each (1, H)
        out_at = {}  # time index -> (H,)
        times = range(L - 1, -1, -1) if reverse else range(L)
        for t in times:
            x_t = xs[b:b + 1, t]  # (1, I)
            if recurrent_mask is None:
                state = make_state(step_fn(x_t, state))
            else:
                state = make_state(step_fn(x_t, state, recurrent_mask=recurrent_mask[b:b + 1]))
            out_at[t] = state[0][0]
        H = state[0].shape[1]
        zero = torch.zeros(H, dtype=state0[0].dtype, device=state0[0].device)
        per_sample_outputs.append(torch.stack([out_at.get(t, zero) for t in range(T)]))
        per_sample_finals.append(state)

    outputs = torch.stack(per_sample_outputs)  # (B, T, H)
    fields = [torch.cat([fin[k] for fin in per_sample_finals]) for k in range(len(state0))]
    final = make_state(fields)
    return NaiveRun(outputs, final)


# --------------------------------------------------------------------------- test inputs


def randomize_parameters(module: torch.nn.Module, seed: int, scale: float = 0.5) -> None:
    """Overwrite EVERY parameter (learned initial states included) with randn * scale.

    Never test against constant initialisers: they hide swapped gates. Parameters are
    filled in ``named_parameters()`` order from one generator seeded with ``seed``.
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, param in module.named_parameters():
            noise = torch.randn(param.shape, generator=gen, dtype=torch.float64) * scale
            param.copy_(noise.to(param.dtype))
