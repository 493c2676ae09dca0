"""The one protocol every compiled family is tested with: equal to the reference loop.

``check_equal(cell, ...)`` runs the reference engine and the compiled engine on the
same inputs, state, masks and lengths, then backpropagates the same random output
and final-state gradients, and compares outputs, final states and the gradients
w.r.t. x, every initial-state field and every parameter of the cell.
"""

from __future__ import annotations

import pytest
import torch

from rnnlab.kernels.compiled import FAMILIES, compiled_blocker, run_compiled
from rnnlab.kernels.reference import run_reference
from rnnlab.layers.padding import step_mask


def require_compiled(cell) -> None:
    """Skip (with the reason) where the family cannot be built here."""
    why = compiled_blocker(cell, "cpu")
    if why is not None:
        pytest.skip(f"compiled engine unavailable: {why}")


def random_state(cell, B: int, dtype, generator) -> tuple:
    """A non-zero initial state (zeros would hide gradient bugs w.r.t. h0/c0)."""
    return cell.state_type(*(torch.randn(B, cell.hidden_size, dtype=dtype, generator=generator)
                             for _ in cell.state_type._fields))


def check_equal(cell, *, B: int = 3, T: int = 5, lengths=None, recurrent_dropout: float = 0.0,
                zoneout: float = 0.0, training: bool = True, dtype=torch.float64,
                seed: int = 0, atol: float | None = None, learned_state: bool = False) -> None:
    """Assert compiled == reference for ``cell`` (forward and backward).

    lengths: list of B ints or None; recurrent_dropout/zoneout: rates for masks drawn
    here once and given to both engines (training) or zoneout's expectation (not training).
    learned_state: start from ``cell.initial_state(B)`` (a learned h0 gets gradients)
    instead of a random leaf state.
    """
    assert type(cell) in FAMILIES, f"{type(cell).__name__} has no compiled family"
    require_compiled(cell)
    g = torch.Generator().manual_seed(seed)
    cell = cell.to(dtype)
    H = cell.hidden_size
    if atol is None:
        atol = 1e-10 if dtype == torch.float64 else 2e-5
    x = torch.randn(B, T, cell.input_size, dtype=dtype, generator=g)
    lengths_t = None if lengths is None else torch.tensor(lengths)
    valid = None if lengths_t is None else step_mask(lengths_t, T, x.device)
    rec_mask = None
    if recurrent_dropout > 0.0:
        rec_mask = (torch.rand(B, H, generator=g) >= recurrent_dropout).to(dtype) / (1 - recurrent_dropout)
    keep = None
    if zoneout > 0.0 and training:
        keep = tuple((torch.rand(B, T, H, generator=g) < zoneout).to(dtype) for _ in cell.state_type._fields)
    grad_out = torch.randn(B, T, H, dtype=dtype, generator=g)
    grad_final = [torch.randn(B, H, dtype=dtype, generator=g) for _ in cell.state_type._fields]

    results = []
    for engine in ("reference", "compiled"):
        cell.zero_grad(set_to_none=True)
        xe = x.clone().requires_grad_(True)
        if learned_state:
            state = cell.initial_state(B, dtype)
            leaves = []
        else:
            state = cell.state_type(*(f.clone().requires_grad_(True) for f in
                                      random_state(cell, B, dtype, torch.Generator().manual_seed(seed + 1))))
            leaves = list(state)
        if engine == "reference":
            out, final = run_reference(cell, xe, state, lengths_t, rec_mask, zoneout, keep)
        else:
            out, final = run_compiled(cell, xe, state, valid, rec_mask, keep, zoneout)
        loss = (out * grad_out).sum() + sum((f * gf).sum() for f, gf in zip(final, grad_final))
        loss.backward()
        grads = {"x": xe.grad}
        grads.update({f"state.{n}": leaf.grad for n, leaf in zip(cell.state_type._fields, leaves)})
        grads.update({name: p.grad for name, p in cell.named_parameters()})
        results.append((out.detach(), [f.detach() for f in final], grads))

    (ref_out, ref_final, ref_grads), (out, final, grads) = results
    torch.testing.assert_close(out, ref_out, atol=atol, rtol=0, msg="outputs differ")
    for name, a, b in zip(cell.state_type._fields, final, ref_final):
        torch.testing.assert_close(a, b, atol=atol, rtol=0, msg=f"final state {name} differs")
    for name, ref in ref_grads.items():
        got = grads[name]
        if ref is None:
            assert got is None or torch.count_nonzero(got) == 0, f"grad {name} should be zero"
            continue
        assert got is not None, f"compiled engine gave no gradient for {name}"
        torch.testing.assert_close(got, ref, atol=atol * 10, rtol=0, msg=f"grad {name} differs")
