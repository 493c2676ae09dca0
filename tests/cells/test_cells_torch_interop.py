"""Cells whose math equals torch.nn's: same parameter names, interchangeable state
dicts, equal outputs and equal gradients (inputs, states, every parameter), float64."""

from __future__ import annotations

import pytest
import torch
from reference import randomize_parameters

from rnnlab.cells import make_cell

B, I, H, T = 3, 5, 4, 4
DTYPE = torch.float64

PAIRS = {  # rnnlab registry name -> the torch.nn cell with the same math
    "elman": lambda: torch.nn.RNNCell(I, H, nonlinearity="tanh"),
    "elman_relu": lambda: torch.nn.RNNCell(I, H, nonlinearity="relu"),
    "gru": lambda: torch.nn.GRUCell(I, H),
    "lstm": lambda: torch.nn.LSTMCell(I, H),
}


def torch_step(module, x, state):
    """Adapt torch.nn's cell calling convention to rnnlab's state tuples."""
    if isinstance(module, torch.nn.LSTMCell):
        return tuple(module(x, (state[0], state[1])))
    return (module(x, state[0]),)


def unroll(step, xs, state0):
    """Run ``step`` over xs (T, B, I); returns every output (T, B, H) and the final state."""
    state, outputs = state0, []
    for x in xs:
        state = step(x, state)
        outputs.append(state[0])
    return torch.stack(outputs), tuple(state)


def inputs(n_fields, seed):
    gen = torch.Generator().manual_seed(seed)
    xs = torch.randn(T, B, I, generator=gen, dtype=DTYPE, requires_grad=True)
    state0 = tuple(torch.randn(B, H, generator=gen, dtype=DTYPE, requires_grad=True)
                   for _ in range(n_fields))
    return xs, state0


def outputs_and_grads(step, module, xs, state0, seed):
    """Forward T steps, then backprop a random weighting of all outputs and states."""
    outputs, final = unroll(step, xs, state0)
    gen = torch.Generator().manual_seed(seed)
    loss = (outputs * torch.randn(outputs.shape, generator=gen, dtype=DTYPE)).sum()
    for field in final:
        loss = loss + (field * torch.randn(field.shape, generator=gen, dtype=DTYPE)).sum()
    names = [name for name, _ in module.named_parameters()]
    grads = torch.autograd.grad(loss, [xs, *state0, *module.parameters()])
    n = 1 + len(state0)
    return (outputs, final, grads[0], grads[1:n],
            dict(zip(names, grads[n:], strict=True)))


def assert_same_math(ours, theirs, seed):
    n_fields = len(ours.state_type._fields)
    xs, state0 = inputs(n_fields, seed)
    ours_run = outputs_and_grads(lambda x, s: ours(x, ours.state_type(*s)), ours, xs, state0,
                                 seed + 1)
    theirs_run = outputs_and_grads(lambda x, s: torch_step(theirs, x, s), theirs, xs, state0,
                                   seed + 1)
    out_a, fin_a, gx_a, gs_a, gp_a = ours_run
    out_b, fin_b, gx_b, gs_b, gp_b = theirs_run
    tol = dict(rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(out_a, out_b, **tol)
    for a, b in zip(fin_a, fin_b, strict=True):
        torch.testing.assert_close(a, b, **tol)
    torch.testing.assert_close(gx_a, gx_b, **tol)
    for a, b in zip(gs_a, gs_b, strict=True):
        torch.testing.assert_close(a, b, **tol)
    assert gp_a.keys() == gp_b.keys()
    for name in gp_a:
        torch.testing.assert_close(gp_a[name], gp_b[name], **tol, msg=f"grad of {name}")
        assert gp_a[name].abs().max() > 0, name  # the gradient really reaches it


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_torch_state_dict_loads_into_rnnlab_cell(name):
    theirs = PAIRS[name]().to(DTYPE)
    randomize_parameters(theirs, seed=1)
    ours = make_cell(name, I, H).to(DTYPE)
    ours.load_state_dict(theirs.state_dict(), strict=True)
    assert_same_math(ours, theirs, seed=2)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_rnnlab_state_dict_loads_into_torch_cell(name):
    ours = make_cell(name, I, H).to(DTYPE)
    randomize_parameters(ours, seed=3)
    theirs = PAIRS[name]().to(DTYPE)
    theirs.load_state_dict(ours.state_dict(), strict=True)
    assert_same_math(ours, theirs, seed=4)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_parameter_names_shapes_and_order_match_torch(name):
    ours, theirs = make_cell(name, I, H), PAIRS[name]()
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, v.shape) for k, v in theirs.state_dict().items()]


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_learned_initial_state_adds_only_its_own_keys(name):
    ours = make_cell(name, I, H, learn_initial_state=True)
    extra = set(ours.state_dict()) - set(PAIRS[name]().state_dict())
    assert extra == {f"{field}0" for field in ours.state_type._fields}
