"""torch.autograd.gradcheck, float64, tiny sizes, for every registered cell.

The checked function unrolls a few steps and takes as inputs the sequence, the state
(or, with ``learn_initial_state``, starts from the cell's learned h0/c0/y0) and EVERY
parameter of the cell, so numeric and analytic gradients are compared for all of them.
"""

from __future__ import annotations

import pytest
import torch
from reference import randomize_parameters
from torch.func import functional_call

from rnnlab.cells import CELLS, make_cell

B, I, H, T = 2, 3, 4, 3
DTYPE = torch.float64


class Unroll(torch.nn.Module):
    """T steps of ``cell`` from a given state, or from ``cell.initial_state`` if None."""

    def __init__(self, cell):
        super().__init__()
        self.cell = cell

    def forward(self, xs, state0, recurrent_mask):
        state = self.cell.initial_state(xs.shape[1]) if state0 is None else state0
        outputs = []
        for x in xs:  # xs (T, B, I)
            state = self.cell(x, state, recurrent_mask=recurrent_mask)
            outputs.append(self.cell.output(state))
        return (torch.stack(outputs), *state)  # (T, B, H), then each field (B, H)


@pytest.mark.parametrize("use_mask", [False, True], ids=["nomask", "mask"])
@pytest.mark.parametrize("learn_initial_state", [False, True], ids=["given0", "learned0"])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_gradcheck(name, learn_initial_state, use_mask):
    cell = make_cell(name, I, H, learn_initial_state=learn_initial_state).to(DTYPE)
    randomize_parameters(cell, seed=0)
    unroll = Unroll(cell)
    names = [f"cell.{n}" for n, _ in cell.named_parameters()]
    params = [p.detach().clone().requires_grad_(True) for p in cell.parameters()]

    gen = torch.Generator().manual_seed(1)
    xs = torch.randn(T, B, I, generator=gen, dtype=DTYPE, requires_grad=True)
    fields = cell.state_type._fields
    state = [torch.randn(B, H, generator=gen, dtype=DTYPE, requires_grad=True) for _ in fields]
    mask = (torch.rand(B, H, generator=gen) > 0.5).to(DTYPE) * 2.0 if use_mask else None
    if learn_initial_state:
        state = []  # the state comes from the learned h0/c0/y0 among ``params``
        assert {f"cell.{f}0" for f in fields} <= set(names)

    def f(xs, *tensors):
        given, param_values = tensors[:len(state)], tensors[len(state):]
        state0 = cell.state_type(*given) if given else None
        return functional_call(unroll, dict(zip(names, param_values, strict=True)),
                               (xs, state0, mask))

    # guard against a vacuous check: every input really reaches the outputs
    outs = f(xs, *state, *params)
    grads = torch.autograd.grad(sum(o.sum() for o in outs), [xs, *state, *params])
    for label, g in zip(["xs", *fields[:len(state)], *names], grads, strict=True):
        assert g.abs().max() > 0, f"{label} does not reach the outputs"

    assert torch.autograd.gradcheck(f, (xs, *state, *params), eps=1e-6, atol=1e-7, rtol=1e-5)
