"""Padding never leaks: garbage after a sequence's length changes nothing it returns.

For every cell and every engine that can run it: valid outputs and final states do
not depend on what sits in the padded steps, nor on the other sequences in the
batch; outputs at padded steps are exactly zero; no gradient reaches padded inputs.
"""

from __future__ import annotations

import pytest
import torch

from rnnlab.cells import CELLS, make_cell
from rnnlab.kernels.torch_fused import fused_kind
from rnnlab.layers import Recurrent

B, T, I, H = 3, 5, 2, 3
LENGTHS = torch.tensor([2, 1, 5])  # unsorted, sort not its own inverse; a full and a length-1

FUSABLE = [name for name in CELLS if fused_kind(make_cell(name, 1, 1))[0] is not None]
CELL_ENGINES = ([(name, "reference") for name in CELLS]
                + [(name, "fused") for name in FUSABLE])


def build(cell: str, backend: str, **options) -> Recurrent:
    """A float64 bidirectional two-layer runner with random weights."""
    torch.manual_seed(0)
    options = {"num_layers": 2, "bidirectional": True, **options}
    rnn = Recurrent(cell, I, H, backend=backend, **options).double()
    with torch.no_grad():
        for p in rnn.parameters():
            p.uniform_(-0.8, 0.8)
    return rnn


def with_garbage(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """``x`` (B, T, I) with large random values after each sequence's length."""
    x = x.clone()
    generator = torch.Generator().manual_seed(123)
    for b, n in enumerate(lengths.tolist()):
        x[b, n:] = 1e3 * torch.randn(x[b, n:].shape, dtype=x.dtype, generator=generator)
    return x


def test_fusable_cells_are_the_expected_ones():
    assert FUSABLE == ["elman", "elman_relu", "gru", "lstm"]


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("cell,backend", CELL_ENGINES)
def test_garbage_after_length_changes_nothing(cell, backend, batch_first):
    rnn = build(cell, backend, batch_first=batch_first)
    torch.manual_seed(1)
    clean = torch.randn(B, T, I, dtype=torch.float64)
    dirty = with_garbage(clean, LENGTHS)

    def run(x):
        return rnn(x if batch_first else x.transpose(0, 1), lengths=LENGTHS)

    a, b = run(clean), run(dirty)
    assert rnn.last_engine.engine == backend
    torch.testing.assert_close(b.outputs, a.outputs, rtol=1e-12, atol=1e-12)
    for field_a, field_b in zip(a.final_state, b.final_state):
        torch.testing.assert_close(field_b, field_a, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("merge", ["concat", "sum", "mean"])
@pytest.mark.parametrize("cell,backend", CELL_ENGINES)
def test_outputs_at_padded_steps_are_exactly_zero(cell, backend, merge):
    rnn = build(cell, backend, merge=merge)
    torch.manual_seed(2)
    x = with_garbage(torch.randn(B, T, I, dtype=torch.float64), LENGTHS)
    outputs = rnn(x, lengths=LENGTHS).outputs
    for b, n in enumerate(LENGTHS.tolist()):
        assert torch.all(outputs[b, n:] == 0.0)
        assert torch.all(outputs[b, :n].abs().sum(-1) > 0)  # valid steps are not zeroed


@pytest.mark.parametrize("cell,backend", CELL_ENGINES)
def test_sequence_does_not_depend_on_the_rest_of_the_batch(cell, backend):
    """Each sequence run alone, unpadded, gives what it gives inside the padded batch."""
    rnn = build(cell, backend)
    torch.manual_seed(3)
    x = with_garbage(torch.randn(B, T, I, dtype=torch.float64), LENGTHS)
    batched = rnn(x, lengths=LENGTHS)
    for b, n in enumerate(LENGTHS.tolist()):
        alone = rnn(x[b:b + 1, :n])  # (1, n, I), no lengths
        torch.testing.assert_close(batched.outputs[b:b + 1, :n], alone.outputs,
                                   rtol=1e-12, atol=1e-12)
        for field_batched, field_alone in zip(batched.final_state, alone.final_state):
            torch.testing.assert_close(field_batched[:, b:b + 1], field_alone, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell,backend", CELL_ENGINES)
def test_no_gradient_reaches_padded_inputs(cell, backend):
    rnn = build(cell, backend)
    torch.manual_seed(4)
    x = with_garbage(torch.randn(B, T, I, dtype=torch.float64), LENGTHS).requires_grad_()
    result = rnn(x, lengths=LENGTHS)
    loss = (result.outputs * torch.randn_like(result.outputs)).sum()
    loss = loss + sum((f * torch.randn_like(f)).sum() for f in result.final_state)
    (grad,) = torch.autograd.grad(loss, x)
    for b, n in enumerate(LENGTHS.tolist()):
        assert torch.all(grad[b, n:] == 0.0)
        assert torch.all(grad[b, :n].abs().sum(-1) > 0)
