"""The oracles in tests/reference.py, checked WITHOUT rnnlab: against torch.nn and
against sequences whose results are known by hand. If these fail, no test that uses
the oracles can be trusted."""

from __future__ import annotations

import doctest

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import reference
from reference import (
    naive_elman_step,
    naive_gru_step,
    naive_lstm_step,
    naive_run,
    randomize_parameters,
)

B, I, H = 3, 5, 4
DTYPE = torch.float64
TOL = dict(rtol=1e-12, atol=1e-12)


def random_xh(seed, n_states=1):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(B, I, generator=gen, dtype=DTYPE)
    return x, [torch.randn(B, H, generator=gen, dtype=DTYPE) for _ in range(n_states)]


# --------------------------------------------------------------------------- steps


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_naive_elman_equals_torch_rnncell(nonlinearity):
    torch_cell = torch.nn.RNNCell(I, H, nonlinearity=nonlinearity).to(DTYPE)
    randomize_parameters(torch_cell, seed=0)
    x, (h,) = random_xh(1)
    expected = torch_cell(x, h)
    torch.testing.assert_close(
        naive_elman_step(x, h, torch_cell.state_dict(), nonlinearity), expected, **TOL)


def test_naive_gru_reset_after_equals_torch_grucell():
    torch_cell = torch.nn.GRUCell(I, H).to(DTYPE)
    randomize_parameters(torch_cell, seed=2)
    x, (h,) = random_xh(3)
    expected = torch_cell(x, h)
    params = torch_cell.state_dict()
    torch.testing.assert_close(naive_gru_step(x, h, params, reset_after=True), expected, **TOL)
    assert (naive_gru_step(x, h, params, reset_after=False) - expected).abs().max() > 1e-3


def test_naive_lstm_equals_torch_lstmcell():
    torch_cell = torch.nn.LSTMCell(I, H).to(DTYPE)
    randomize_parameters(torch_cell, seed=4)
    x, (h, c) = random_xh(5, n_states=2)
    h_t, c_t = torch_cell(x, (h, c))
    h_n, c_n = naive_lstm_step(x, h, c, torch_cell.state_dict())
    torch.testing.assert_close(h_n, h_t, **TOL)
    torch.testing.assert_close(c_n, c_t, **TOL)


def test_naive_lstm_with_zero_peepholes_is_the_plain_lstm():
    torch_cell = torch.nn.LSTMCell(I, H).to(DTYPE)
    randomize_parameters(torch_cell, seed=6)
    x, (h, c) = random_xh(7, n_states=2)
    plain = naive_lstm_step(x, h, c, torch_cell.state_dict())
    for kind, shape in (("diagonal", (H,)), ("full", (H, H))):
        params = dict(torch_cell.state_dict())
        params.update({k: torch.zeros(shape, dtype=DTYPE)
                       for k in ("weight_ci", "weight_cf", "weight_co")})
        for a, b in zip(naive_lstm_step(x, h, c, params, peephole=kind), plain):
            torch.testing.assert_close(a, b, **TOL)
    # a full peephole matrix that is diagonal equals the diagonal peephole
    diag = {k: torch.randn(H, dtype=DTYPE) for k in ("weight_ci", "weight_cf", "weight_co")}
    p_diag = {**torch_cell.state_dict(), **diag}
    p_full = {**torch_cell.state_dict(), **{k: torch.diag(v) for k, v in diag.items()}}
    for a, b in zip(naive_lstm_step(x, h, c, p_diag, "diagonal"),
                    naive_lstm_step(x, h, c, p_full, "full")):
        torch.testing.assert_close(a, b, **TOL)


def test_mask_of_ones_is_no_mask():
    torch_cell = torch.nn.LSTMCell(I, H).to(DTYPE)
    randomize_parameters(torch_cell, seed=8)
    x, (h, c) = random_xh(9, n_states=2)
    ones = torch.ones(B, H, dtype=DTYPE)
    for a, b in zip(naive_lstm_step(x, h, c, torch_cell.state_dict(), recurrent_mask=ones),
                    naive_lstm_step(x, h, c, torch_cell.state_dict())):
        assert torch.equal(a, b)


# --------------------------------------------------------------------------- naive_run


def running_sum(x, state):
    """h(t) = h(t-1) + x(t) (I == H): order-independent, easy to check by hand."""
    return (state[0] + x,)


def doubling(x, state):
    """h(t) = 2 h(t-1) + x(t): the final state encodes the visiting order in base 2."""
    return (2 * state[0] + x,)


def test_naive_run_forward_with_lengths_by_hand():
    xs = torch.tensor([[1., 2., 3.], [4., 5., float("nan")], [7., float("nan"), float("nan")]])
    xs = xs.unsqueeze(-1)  # (B=3, T=3, I=1); NaN padding must never be read
    h0 = (torch.tensor([[10.], [20.], [30.]]),)
    run = naive_run(running_sum, xs, h0, lengths=[3, 2, 1])
    assert torch.equal(run.outputs[..., 0], torch.tensor(
        [[11., 13., 16.], [24., 29., 0.], [37., 0., 0.]]))
    assert torch.equal(run.final_state[0][:, 0], torch.tensor([16., 29., 37.]))

    run = naive_run(doubling, xs, (torch.zeros(3, 1),), lengths=[3, 2, 1])
    # forward order: ((1*2 + 2)*2 + 3) = 11, (4*2 + 5) = 13, 7
    assert torch.equal(run.final_state[0][:, 0], torch.tensor([11., 13., 7.]))


def test_naive_run_reverse_stays_within_each_valid_length():
    xs = torch.tensor([[1., 2., 3.], [4., 5., float("nan")], [7., float("nan"), float("nan")]])
    xs = xs.unsqueeze(-1)
    run = naive_run(running_sum, xs, (torch.zeros(3, 1),), lengths=[3, 2, 1], reverse=True)
    # output at t is the sum of x[t .. L_b - 1]; padding is zero
    assert torch.equal(run.outputs[..., 0], torch.tensor(
        [[6., 5., 3.], [9., 5., 0.], [7., 0., 0.]]))
    run = naive_run(doubling, xs, (torch.zeros(3, 1),), lengths=[3, 2, 1], reverse=True)
    # reverse order: ((3*2 + 2)*2 + 1) = 17, (5*2 + 4) = 14, 7
    assert torch.equal(run.final_state[0][:, 0], torch.tensor([17., 14., 7.]))


def test_naive_run_zero_length_keeps_the_initial_state():
    xs = torch.randn(2, 3, 1)
    h0 = (torch.tensor([[5.], [6.]]),)
    for reverse in (False, True):
        run = naive_run(running_sum, xs, h0, lengths=[0, 3], reverse=reverse)
        assert torch.equal(run.outputs[0], torch.zeros(3, 1))
        assert run.final_state[0][0, 0] == 5.0


def test_naive_run_passes_each_sample_its_own_mask_row():
    seen = []

    def step(x, state, recurrent_mask=None):
        seen.append(recurrent_mask.clone())
        return (state[0] * recurrent_mask + x,)

    mask = torch.tensor([[2.], [3.]])
    run = naive_run(step, torch.ones(2, 2, 1), (torch.ones(2, 1),), recurrent_mask=mask)
    assert [m.item() for m in seen] == [2., 2., 3., 3.]
    assert torch.equal(run.final_state[0][:, 0], torch.tensor([7., 13.]))  # (1*2+1)*2+1


def test_naive_run_keeps_the_state_type():
    from typing import NamedTuple

    class S(NamedTuple):
        h: torch.Tensor
        c: torch.Tensor

    run = naive_run(lambda x, s: S(s.h + x, s.c - x), torch.ones(2, 3, 1),
                    S(torch.zeros(2, 1), torch.zeros(2, 1)), lengths=[3, 2])
    assert type(run.final_state) is S
    assert torch.equal(run.final_state.c[:, 0], torch.tensor([-3., -2.]))


def test_naive_run_rejects_bad_lengths():
    with pytest.raises(ValueError):
        naive_run(running_sum, torch.ones(2, 3, 1), (torch.zeros(2, 1),), lengths=[4, 1])
    with pytest.raises(ValueError):
        naive_run(running_sum, torch.ones(2, 3, 1), (torch.zeros(2, 1),), lengths=[1])


def test_naive_run_equals_packed_bidirectional_torch_lstm():
    """Forward and reverse runs with lengths equal torch.nn.LSTM on packed sequences."""
    B_, T = 4, 6
    lstm = torch.nn.LSTM(I, H, batch_first=True, bidirectional=True).to(DTYPE)
    randomize_parameters(lstm, seed=10)
    gen = torch.Generator().manual_seed(11)
    xs = torch.randn(B_, T, I, generator=gen, dtype=DTYPE)
    lengths = [6, 3, 1, 4]
    packed = pack_padded_sequence(xs, torch.tensor(lengths), batch_first=True,
                                  enforce_sorted=False)
    out_packed, (h_n, c_n) = lstm(packed)
    outputs, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=T)

    sd = lstm.state_dict()
    for direction, suffix, reverse in ((0, "", False), (1, "_reverse", True)):
        params = {k: sd[f"{k}_l0{suffix}"]
                  for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        xs_nan = xs.clone()
        for b, L in enumerate(lengths):
            xs_nan[b, L:] = float("nan")  # the padding must never be read
        run = naive_run(lambda x, s: naive_lstm_step(x, s[0], s[1], params), xs_nan,
                        (torch.zeros(B_, H, dtype=DTYPE), torch.zeros(B_, H, dtype=DTYPE)),
                        lengths=lengths, reverse=reverse)
        torch.testing.assert_close(run.outputs, outputs[..., direction * H:(direction + 1) * H],
                                   **TOL)
        torch.testing.assert_close(run.final_state[0], h_n[direction], **TOL)
        torch.testing.assert_close(run.final_state[1], c_n[direction], **TOL)


def test_reference_docstring_examples():
    result = doctest.testmod(reference, extraglobs={"torch": torch})
    assert result.attempted > 0 and result.failed == 0
