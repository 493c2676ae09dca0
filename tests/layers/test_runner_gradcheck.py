"""Numeric gradient checks of the runner in float64, on tiny sizes.

``torch.autograd.gradcheck`` compares autograd's Jacobian with finite differences
w.r.t. the input, every parameter (passed through ``torch.func.functional_call``)
and, for the padded case, the given initial state. Covered: padding with lengths,
reverse (bidirectional), stacking; on the reference engine for representative cells,
on the fused engine for the cells it runs.
"""

from __future__ import annotations

import pytest
import torch
from torch.func import functional_call

from rnnlab.layers import Recurrent

B, T, I, H = 3, 4, 2, 3
LENGTHS = torch.tensor([3, 1, 4])  # unsorted

# name -> (runner options, pass a given initial state?)
SCENARIOS = {
    "padded": ({}, True),
    "reverse": ({"bidirectional": True}, False),
    "stacked": ({"num_layers": 2}, False),
}
REFERENCE_CELLS = ["lstm", "gru_reset_before", "lstm_full_peephole", "jordan", "elman_sigmoid"]
FUSED_CELLS = ["lstm", "gru", "elman"]
CASES = ([(cell, "reference") for cell in REFERENCE_CELLS]
         + [(cell, "fused") for cell in FUSED_CELLS])


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("cell,backend", CASES)
def test_gradcheck(cell, backend, scenario):
    options, given_initial = SCENARIOS[scenario]
    torch.manual_seed(0)
    rnn = Recurrent(cell, I, H, backend=backend, **options).double()
    names = [name for name, _ in rnn.named_parameters()]
    params = [p.detach().clone().requires_grad_() for p in rnn.parameters()]
    x = torch.randn(B, T, I, dtype=torch.float64, requires_grad=True)
    count = rnn.config.num_layers * rnn.num_directions
    n_fields = len(rnn.state_type._fields)
    initial = ([torch.randn(count, B, H, dtype=torch.float64, requires_grad=True)
                for _ in range(n_fields)] if given_initial else [])

    def run(x, *rest):
        state = rest[:len(initial)]
        weights = dict(zip(names, rest[len(initial):]))
        initial_state = rnn.state_type(*state) if state else None
        result = functional_call(rnn, weights, (x,),
                                 {"lengths": LENGTHS, "initial_state": initial_state})
        return (result.outputs, *result.final_state)

    assert torch.autograd.gradcheck(run, (x, *initial, *params), eps=1e-6, atol=1e-7, rtol=1e-5)
    assert rnn.last_engine.engine == backend
