"""Float64 gradient checks of every cell through the runner (seed 001 checks its RNN).

For each cell, a tiny padded batch runs through :class:`rnnlab.layers.Recurrent`
(reference engine, learned initial state), and the gradient of a random projection
of all outputs and final states is compared with central finite differences, for
the input and every parameter. ``torch.autograd.gradcheck`` must also pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.func import functional_call

from rnnlab.cells import CELLS
from rnnlab.errors import unknown_choice
from rnnlab.layers import Recurrent


@dataclass
class GradcheckRow:
    """One cell's result: the largest |analytic - numeric| gradient entry, and pass/fail."""

    cell: str
    max_abs_error: float
    values_checked: int
    passed: bool


def gradcheck_cell(name: str, *, seed: int = 0, eps: float = 1e-6, atol: float = 1e-6) -> GradcheckRow:
    """Check cell ``name`` (B=3, T=4, I=3, H=4, lengths 4/2/1, two directions)."""
    if name not in CELLS:
        raise unknown_choice("cell", name, CELLS)
    torch.manual_seed(seed)
    rnn = Recurrent(name, 3, 4, bidirectional=True, backend="reference",
                    learn_initial_state=True).double()
    with torch.no_grad():
        for p in rnn.parameters():
            p.copy_(torch.randn_like(p) * 0.5)  # random, never constant: hides no swapped gate
    x = torch.randn(3, 4, 3, dtype=torch.float64)
    lengths = torch.tensor([4, 2, 1])
    names = [n for n, _ in rnn.named_parameters()]
    inputs = [x] + [p.detach().clone() for _, p in rnn.named_parameters()]
    probe = None

    def scalar(*tensors):
        nonlocal probe
        out = functional_call(rnn, dict(zip(names, tensors[1:])), (tensors[0], lengths))
        flat = torch.cat([out.outputs.reshape(-1)] + [f.reshape(-1) for f in out.final_state])
        if probe is None:
            probe = torch.randn(flat.shape, dtype=flat.dtype, generator=torch.Generator().manual_seed(seed))
        return (flat * probe).sum()

    leaves = [t.clone().requires_grad_(True) for t in inputs]
    analytic = torch.autograd.grad(scalar(*leaves), leaves)
    max_error, checked = 0.0, 0
    with torch.no_grad():
        for tensor, grad in zip(inputs, analytic):
            flat = tensor.view(-1)
            for k in range(flat.numel()):
                original = flat[k].item()
                flat[k] = original + eps
                plus = scalar(*inputs).item()
                flat[k] = original - eps
                minus = scalar(*inputs).item()
                flat[k] = original
                numeric = (plus - minus) / (2 * eps)
                max_error = max(max_error, abs(numeric - grad.view(-1)[k].item()))
                checked += 1
    torch_ok = torch.autograd.gradcheck(scalar, tuple(leaves), eps=eps, atol=atol, raise_exception=False)
    return GradcheckRow(name, max_error, checked, bool(torch_ok) and max_error < atol)


def gradcheck_all(names: list[str] | None = None) -> list[GradcheckRow]:
    """:func:`gradcheck_cell` for each name (default: every registered cell)."""
    return [gradcheck_cell(name) for name in (names or list(CELLS))]
