"""Every registered cell equals its naive, gate-by-gate oracle (tests/reference.py).

Random weights (randn * 0.5, fixed seed), random inputs and states, float64, 1e-12.
Also: the tests themselves are shown able to catch the bugs that matter (swapped gate
order, transposed full peepholes, the wrong GRU reset variant, a masked carry).
"""

from __future__ import annotations

import itertools

import pytest
import torch
from reference import (
    naive_gru_step,
    naive_initial_state,
    naive_lstm_step,
    naive_rated_step,
    naive_run,
    naive_step_for,
    randomize_parameters,
)

from rnnlab.cells import CELLS, JordanCell, RatedCell, ElmanCell, make_cell

B, I, H = 3, 5, 4
TOL = dict(rtol=0.0, atol=1e-12)
DTYPE = torch.float64


def build(name: str, seed: int = 0, **options) -> torch.nn.Module:
    cell = make_cell(name, I, H, **options).to(DTYPE)
    randomize_parameters(cell, seed)
    return cell


def random_inputs(cell, seed: int, batch: int = B):
    """x (B, I), a random state (each field (B, H)) and a dropout-like mask (B, H)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, I, generator=gen, dtype=DTYPE)
    state = cell.state_type(*(torch.randn(batch, H, generator=gen, dtype=DTYPE)
                              for _ in cell.state_type._fields))
    keep = (torch.rand(batch, H, generator=gen) > 0.4).to(DTYPE)
    mask = keep / 0.6  # inverted-dropout scaling: some zeros, the rest 1/0.6
    return x, state, mask


def assert_states_close(actual, expected, **tol):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        torch.testing.assert_close(a, e, **(tol or TOL))


def max_diff(actual, expected) -> float:
    return max((a - e).abs().max().item() for a, e in zip(actual, expected))


# --------------------------------------------------------------------------- all cells


@pytest.mark.parametrize("use_mask", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("learn_initial_state", [False, True], ids=["zero0", "learned0"])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_one_step_equals_naive_oracle(name, learn_initial_state, use_mask):
    cell = build(name, seed=1, learn_initial_state=learn_initial_state)
    x, state, mask = random_inputs(cell, seed=2)
    m = mask if use_mask else None

    actual = cell(x, state, recurrent_mask=m)
    expected = naive_step_for(cell)(x, tuple(state), recurrent_mask=m)

    assert type(actual) is cell.state_type
    assert_states_close(actual, expected)


@pytest.mark.parametrize("use_mask", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("learn_initial_state", [False, True], ids=["zero0", "learned0"])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_steps_from_initial_state_equal_naive_oracle(name, learn_initial_state, use_mask):
    """Five steps from ``initial_state`` (zeros or the learned, randomised h0/c0/y0)."""
    cell = build(name, seed=3, learn_initial_state=learn_initial_state)
    gen = torch.Generator().manual_seed(4)
    xs = torch.randn(5, B, I, generator=gen, dtype=DTYPE)
    m = ((torch.rand(B, H, generator=gen) > 0.5).to(DTYPE) * 2.0) if use_mask else None
    step = naive_step_for(cell)

    state = cell.initial_state(B)
    expected = naive_initial_state(cell, B)
    assert_states_close(state, expected, rtol=0.0, atol=0.0)
    for x in xs:
        state = cell(x, state, recurrent_mask=m)
        expected = step(x, expected, recurrent_mask=m)
        assert_states_close(state, expected)


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_naive_run_of_the_cell_equals_naive_run_of_its_oracle(name, reverse):
    """``naive_run`` accepts a real cell as its step (manual stepping, the runner's
    oracle) and then equals the fully naive run, with lengths, padding and a mask."""
    cell = build(name, seed=30, learn_initial_state=True)
    gen = torch.Generator().manual_seed(31)
    lengths = [5, 2, 0]
    xs = torch.randn(B, 5, I, generator=gen, dtype=DTYPE)
    for b, L in enumerate(lengths):
        xs[b, L:] = float("nan")  # padding is never read
    mask = (torch.rand(B, H, generator=gen) > 0.5).to(DTYPE) * 2.0
    kwargs = dict(lengths=lengths, reverse=reverse, recurrent_mask=mask)
    manual = naive_run(cell, xs, cell.initial_state(B), **kwargs)
    naive = naive_run(naive_step_for(cell), xs, naive_initial_state(cell, B), **kwargs)
    assert type(manual.final_state) is cell.state_type
    torch.testing.assert_close(manual.outputs, naive.outputs, **TOL)
    assert_states_close(manual.final_state, naive.final_state)
    assert torch.equal(manual.outputs[1, 2:], torch.zeros(3, H, dtype=DTYPE))


@pytest.mark.parametrize("name", sorted(CELLS))
def test_learned_initial_state_is_the_parameter(name):
    cell = build(name, seed=5, learn_initial_state=True)
    state = cell.initial_state(B)
    for field, value in zip(cell.state_type._fields, state):
        param = getattr(cell, f"{field}0")
        assert param.shape == (H,)
        assert param.abs().min() > 0  # randomised, so the check below is not 0 == 0
        torch.testing.assert_close(value, param.expand(B, H), rtol=0, atol=0)
    zero_cell = build(name, seed=5)
    for value in zero_cell.initial_state(B):
        assert torch.equal(value, torch.zeros(B, H, dtype=DTYPE))


RECURRENT_PRODUCT_CELLS = sorted(n for n, (cls, _) in CELLS.items() if cls.has_recurrent_product)


@pytest.mark.parametrize("name", RECURRENT_PRODUCT_CELLS)
def test_mask_changes_the_step_and_all_ones_mask_changes_nothing(name):
    """Guards the masked tests: the mask must reach the computation at all."""
    cell = build(name, seed=6)
    x, state, mask = random_inputs(cell, seed=7)
    plain = cell(x, state)
    assert max_diff(cell(x, state, recurrent_mask=mask), plain) > 1e-3
    assert_states_close(cell(x, state, recurrent_mask=torch.ones(B, H, dtype=DTYPE)), plain,
                        rtol=0.0, atol=0.0)


@pytest.mark.parametrize("name", ["mingru", "minlstm"])
def test_cells_without_recurrent_product_ignore_the_mask(name):
    """minGRU/minLSTM gates read x only: there is no product for the mask to enter."""
    cell = build(name, seed=6)
    assert cell.has_recurrent_product is False
    x, state, mask = random_inputs(cell, seed=7)
    assert_states_close(cell(x, state, recurrent_mask=mask), cell(x, state), rtol=0.0, atol=0.0)


@pytest.mark.parametrize("name", ["gru", "gru_reset_before", "rated", "lstm"])
def test_carried_state_is_not_masked(name):
    """An oracle that also masked the carried state would disagree with the cell.

    With mask == 0 only the recurrent product loses h; GRU's z*h, rated's (1-z)*h and
    LSTM's c still carry the old state, so the step is not that of a zero state.
    """
    cell = build(name, seed=8)
    x, state, _ = random_inputs(cell, seed=9)
    zero_mask = torch.zeros(B, H, dtype=DTYPE)
    with_zero_mask = cell(x, state, recurrent_mask=zero_mask)
    from_zero_state = cell(x, cell.state_type(*(torch.zeros_like(s) for s in state)))
    assert max_diff(with_zero_mask, from_zero_state) > 1e-3
    if name == "lstm":  # only h is masked: masking c too would give the zero-state step
        h_zero_only = cell(x, cell.state_type(torch.zeros_like(state.h), state.c))
        assert_states_close(with_zero_mask, h_zero_only)


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("output_activation", ["tanh", "relu", "sigmoid", "identity"])
def test_jordan_activations_equal_oracle(activation, output_activation):
    cell = JordanCell(I, H, activation=activation, output_activation=output_activation).to(DTYPE)
    randomize_parameters(cell, seed=10)
    x, state, mask = random_inputs(cell, seed=11)
    assert_states_close(cell(x, state, mask), naive_step_for(cell)(x, tuple(state), mask))


@pytest.mark.parametrize("cls", [RatedCell, ElmanCell])
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_rated_and_elman_activations_equal_oracle(cls, activation):
    cell = cls(I, H, activation=activation).to(DTYPE)
    randomize_parameters(cell, seed=12)
    x, state, mask = random_inputs(cell, seed=13)
    assert_states_close(cell(x, state, mask), naive_step_for(cell)(x, tuple(state), mask))


@pytest.mark.parametrize("name", ["lstm", "lstm_peephole", "lstm_full_peephole"])
@pytest.mark.parametrize("forget_bias", [1.0, -0.5])
def test_forget_bias_sets_the_forget_slice_only(name, forget_bias):
    torch.manual_seed(0)
    cell = make_cell(name, I, H, forget_bias=forget_bias)
    forget = slice(H, 2 * H)
    others = torch.cat([torch.arange(0, H), torch.arange(2 * H, 4 * H)])
    with torch.no_grad():
        assert torch.equal(cell.bias_ih[forget], torch.full((H,), forget_bias))
        assert torch.equal(cell.bias_hh[forget], torch.zeros(H))
        # the other gates keep torch's uniform init: distinct, non-constant values
        bound = 1 / H**0.5
        for bias in (cell.bias_ih, cell.bias_hh):
            rest = bias[others]
            assert rest.unique().numel() == rest.numel()
            assert rest.abs().max() <= bound
    # and the option really reaches the step: the effective forget bias is forget_bias
    cell = cell.to(DTYPE)
    x, state, _ = random_inputs(cell, seed=14)
    assert_states_close(cell(x, state), naive_step_for(cell)(x, tuple(state)))


def test_no_forget_bias_keeps_uniform_init():
    torch.manual_seed(0)
    cell = make_cell("lstm", I, H)
    f = cell.bias_ih.detach()[H:2 * H]
    assert f.unique().numel() == H and not torch.any(f == 1.0)
    assert not torch.all(cell.bias_hh.detach()[H:2 * H] == 0)


def test_full_peephole_uses_the_seed_convention():
    """weight_ci = seed's Wci.T: the cell equals the seed's ``c_prev @ Wci`` formula.

    Checked against the seed's own layout, written out here (x-times-W matrices, as in
    seed 000's Theano LSTM), and shown to fail when the matrices are not transposed.
    """
    cell = build("lstm_full_peephole", seed=15)
    gen = torch.Generator().manual_seed(16)
    Wci, Wcf, Wco = (torch.randn(H, H, generator=gen, dtype=DTYPE) for _ in range(3))
    assert not torch.allclose(Wci, Wci.T)  # asymmetric, so a transpose is visible
    x, state, _ = random_inputs(cell, seed=17)
    h_prev, c_prev = state

    def seed_step():
        """Seed 000's LSTM step with x-times-W matrices (gates i, f, g, o)."""
        W = cell.weight_ih.detach().T  # (I, 4H), seed layout
        U = cell.weight_hh.detach().T  # (H, 4H)
        b = (cell.bias_ih + cell.bias_hh).detach()
        pre = x @ W + h_prev @ U + b
        xi, xf, xg, xo = pre[:, :H], pre[:, H:2 * H], pre[:, 2 * H:3 * H], pre[:, 3 * H:]
        i = torch.sigmoid(xi + c_prev @ Wci)
        f = torch.sigmoid(xf + c_prev @ Wcf)
        c = f * c_prev + i * torch.tanh(xg)
        o = torch.sigmoid(xo + c @ Wco)
        return o * torch.tanh(c), c

    with torch.no_grad():
        cell.weight_ci.copy_(Wci.T)
        cell.weight_cf.copy_(Wcf.T)
        cell.weight_co.copy_(Wco.T)
    expected = seed_step()
    assert_states_close(cell(x, state), expected)
    assert_states_close(naive_step_for(cell)(x, tuple(state)), expected)

    with torch.no_grad():  # the untransposed seed matrices give a different cell
        cell.weight_ci.copy_(Wci)
        cell.weight_cf.copy_(Wcf)
        cell.weight_co.copy_(Wco)
    assert max_diff(cell(x, state), expected) > 1e-3


def test_diagonal_and_full_peepholes_are_different_cells():
    diag = build("lstm_peephole", seed=18)
    full = build("lstm_full_peephole", seed=18)
    x, state, _ = random_inputs(diag, seed=19)
    params = {k: v.detach() for k, v in diag.named_parameters()}
    plain = naive_lstm_step(x, state.h, state.c, params, peephole=None)
    diagonal = naive_lstm_step(x, state.h, state.c, params, peephole="diagonal")
    assert max_diff(diag(x, state), plain) > 1e-3  # peepholes are really used
    assert_states_close(diag(x, state), diagonal)
    full_params = {k: v.detach() for k, v in full.named_parameters()}
    assert max_diff(full(x, state), naive_lstm_step(
        x, state.h, state.c, full_params, peephole=None)) > 1e-3


# --------------------------------------------------------------------------- variants


def test_gru_reset_before_and_after_are_different():
    """Same weights, same inputs: the two GRU variants give different steps, and each
    matches its own oracle and NOT the other's."""
    after = build("gru", seed=20)
    before = make_cell("gru_reset_before", I, H).to(DTYPE)
    before.load_state_dict(after.state_dict(), strict=True)
    x, state, mask = random_inputs(after, seed=21)
    params = {k: v.detach() for k, v in after.named_parameters()}
    for m in (None, mask):
        out_after, out_before = after(x, state, m), before(x, state, m)
        assert max_diff(out_after, out_before) > 1e-3
        oracle_after = (naive_gru_step(x, state.h, params, reset_after=True, recurrent_mask=m),)
        oracle_before = (naive_gru_step(x, state.h, params, reset_after=False, recurrent_mask=m),)
        assert_states_close(out_after, oracle_after)
        assert_states_close(out_before, oracle_before)
        assert max_diff(out_after, oracle_before) > 1e-3
        assert max_diff(out_before, oracle_after) > 1e-3


def swap_gate_blocks(params: dict, a: int, b: int, hidden: int) -> dict:
    """Params with gate blocks a and b exchanged in every stacked weight and bias."""
    swapped = {}
    for key, value in params.items():
        value = value.detach()
        if key in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            blocks = list(value.split(hidden))
            blocks[a], blocks[b] = blocks[b], blocks[a]
            value = torch.cat(blocks)
        swapped[key] = value
    return swapped


GATED = {  # name -> (number of gate blocks, oracle taking (x, state, params))
    "lstm": (4, lambda x, s, p: naive_lstm_step(x, s.h, s.c, p)),
    "lstm_peephole": (4, lambda x, s, p: naive_lstm_step(x, s.h, s.c, p, "diagonal")),
    "gru": (3, lambda x, s, p: (naive_gru_step(x, s.h, p, reset_after=True),)),
    "gru_reset_before": (3, lambda x, s, p: (naive_gru_step(x, s.h, p, reset_after=False),)),
    "rated": (2, lambda x, s, p: (naive_rated_step(x, s.h, p),)),
}
SWAPS = [(name, a, b) for name, (n, _) in GATED.items()
         for a, b in itertools.combinations(range(n), 2)]


@pytest.mark.parametrize("name,a,b", SWAPS, ids=[f"{n}-{a}{b}" for n, a, b in SWAPS])
def test_a_swapped_gate_order_is_caught(name, a, b):
    """The oracle reading gates in another order (e.g. f, i, g, o) does NOT match the
    cell: random weights make every gate block distinguishable."""
    n_blocks, oracle = GATED[name]
    cell = build(name, seed=22)
    x, state, _ = random_inputs(cell, seed=23)
    params = dict(cell.named_parameters())
    actual = cell(x, state)
    assert_states_close(actual, oracle(x, state, params))
    assert max_diff(actual, oracle(x, state, swap_gate_blocks(params, a, b, H))) > 1e-3
