"""The log-space parallel scan equals the step-by-step loop for minGRU and minLSTM."""

import pytest
import torch
from torch.func import functional_call

from rnnlab.layers import Recurrent

CELLS = ["mingru", "minlstm"]


def twins(cell, **options):
    torch.manual_seed(0)
    scan = Recurrent(cell, 3, 5, backend="scan", **options).double()
    with torch.no_grad():
        for p in scan.parameters():
            p.copy_(torch.randn_like(p))  # random, larger than the default init
    loop = Recurrent(cell, 3, 5, backend="reference", **options).double()
    loop.load_state_dict(scan.state_dict())
    return scan, loop


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("options", [
    {}, {"bidirectional": True}, {"num_layers": 2, "bidirectional": True, "merge": "sum"},
    {"learn_initial_state": True},
])
@pytest.mark.parametrize("padded", [False, True])
def test_scan_equals_loop_forward_and_backward(cell, options, padded):
    scan, loop = twins(cell, **options)
    torch.manual_seed(1)
    x = torch.randn(4, 9, 3, dtype=torch.float64)
    lengths = torch.tensor([9, 2, 1, 6]) if padded else None
    count = len(scan.cells)
    given = None
    if not options.get("learn_initial_state"):
        given = scan.state_type(torch.randn(count, 4, 5, dtype=torch.float64) * 3)  # any sign
    results = []
    for rnn in (scan, loop):
        xi = x.clone().requires_grad_(True)
        h0 = None if given is None else scan.state_type(given.h.clone().requires_grad_(True))
        out = rnn(xi, lengths, h0)
        loss = (out.outputs * torch.linspace(-1, 1, out.outputs.shape[-1], dtype=torch.float64)).sum() \
            + (out.final_state.h ** 2).sum()
        inputs = [xi] + ([h0.h] if h0 is not None else []) + list(rnn.parameters())
        results.append((out, torch.autograd.grad(loss, inputs)))
    (a, ga), (b, gb) = results
    assert scan.last_engine.engine == "scan" and loop.last_engine.engine == "reference"
    torch.testing.assert_close(a.outputs, b.outputs, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(a.final_state.h, b.final_state.h, rtol=1e-10, atol=1e-10)
    for g1, g2 in zip(ga, gb):
        torch.testing.assert_close(g1, g2, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("cell", CELLS)
def test_scan_is_stable_over_long_sequences_in_float32(cell):
    scan, loop = twins(cell)
    x = torch.randn(2, 2000, 3, dtype=torch.float64) * 4
    expected = loop(x).outputs
    got = scan.float()(x.float()).outputs
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got.double(), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("cell", CELLS)
def test_scan_gradcheck(cell):
    scan, _ = twins(cell, bidirectional=True)
    names = [n for n, _ in scan.named_parameters()]
    x = torch.randn(3, 4, 3, dtype=torch.float64, requires_grad=True)
    params = [p.detach().clone().requires_grad_(True) for p in scan.parameters()]
    lengths = torch.tensor([4, 1, 3])

    def run(x, *flat):
        out = functional_call(scan, dict(zip(names, flat)), (x, lengths))
        return out.outputs, out.final_state.h

    assert torch.autograd.gradcheck(run, (x, *params))


@pytest.mark.parametrize("cell", CELLS)
def test_generation_by_steps_continues_the_scan(cell):
    """Train-time scan over a prefix, then one cell step at a time, equals one long scan."""
    scan, _ = twins(cell)
    x = torch.randn(2, 12, 3, dtype=torch.float64)
    whole = scan(x).outputs
    prefix = scan(x[:, :8])
    state = type(prefix.final_state)(prefix.final_state.h[0])
    steps = []
    for t in range(8, 12):
        state = scan.cells[0](x[:, t], state)
        steps.append(state.h)
    torch.testing.assert_close(torch.stack(steps, 1), whole[:, 8:], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
def test_chunk_boundaries_change_nothing(cell):
    from rnnlab.kernels.parallel_scan import run_scan
    from rnnlab.kernels.reference import run_reference

    scan, _ = twins(cell)
    x = torch.randn(3, 10, 3, dtype=torch.float64)
    lengths = torch.tensor([10, 4, 7])
    state = scan.cells[0].initial_state(3, torch.float64)
    expected = run_reference(scan.cells[0], x, state, lengths)
    for chunk in (1, 3, 4, 128):
        got = run_scan(scan.cells[0], x, state, lengths, chunk=chunk)
        torch.testing.assert_close(got[0], expected[0], rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(got[1].h, expected[1].h, rtol=1e-12, atol=1e-12)
