"""The fused engine (torch's own kernels) equals the reference loop.

Two runners with one state dict, one on ``backend="fused"``, one on
``backend="reference"``: outputs, final states and the gradients w.r.t. the input,
the given initial state and every parameter agree to 1e-10 in float64, over every
fusable configuration. Then auto-dispatch under recurrent dropout (fused in eval,
reference in training), and the same comparison on CUDA when there is one.
"""

from __future__ import annotations

import itertools

import pytest
import torch

from rnnlab.layers import Recurrent

B, T, I, H = 3, 4, 2, 3
FUSABLE = ["lstm", "gru", "elman", "elman_relu"]
UNSORTED_LENGTHS = [2, 1, 4]  # sorting permutation is not its own inverse


def pair(cell: str, dtype=torch.float64, device="cpu", **options):
    """(fused, reference) runners sharing random weights (learned initial states too)."""
    torch.manual_seed(0)
    fused = Recurrent(cell, I, H, backend="fused", **options).to(dtype=dtype, device=device)
    with torch.no_grad():
        for p in fused.parameters():
            p.uniform_(-0.8, 0.8)
    reference = Recurrent(cell, I, H, backend="reference", **options).to(dtype=dtype, device=device)
    reference.load_state_dict(fused.state_dict())
    return fused, reference


def run_with_grads(rnn, x, lengths, initial_fields, weights):
    """Forward, then gradients of a random projection of everything returned.

    Returns (outputs, final fields, {name: grad}) with grads for "x", "initial.<i>"
    and every parameter name.
    """
    x = x.detach().clone().requires_grad_()
    initial = [f.detach().clone().requires_grad_() for f in initial_fields]
    initial_state = rnn.state_type(*initial) if initial else None
    result = rnn(x, lengths=lengths, initial_state=initial_state)
    returned = [result.outputs, *result.final_state]
    loss = sum((r * w).sum() for r, w in zip(returned, weights(returned)))
    names = (["x"] + [f"initial.{i}" for i in range(len(initial))]
             + [n for n, _ in rnn.named_parameters()])
    tensors = [x, *initial, *rnn.parameters()]
    grads = torch.autograd.grad(loss, tensors)
    return result.outputs, list(result.final_state), dict(zip(names, grads))


def random_weights(seed):
    def make(returned):
        generator = torch.Generator().manual_seed(seed)
        return [torch.randn(r.shape, dtype=r.dtype, generator=generator).to(r.device) for r in returned]
    return make


def assert_engines_agree(cell, *, init, bidirectional, num_layers, padded, batch_first,
                         dtype=torch.float64, device="cpu", tol=None, training=True, grads=True):
    tol = tol or {"rtol": 1e-9, "atol": 1e-10}
    options = {"bidirectional": bidirectional, "num_layers": num_layers,
               "batch_first": batch_first, "learn_initial_state": init == "learned"}
    fused, reference = pair(cell, dtype, device, **options)
    fused.train(training)
    reference.train(training)
    torch.manual_seed(1)
    x = torch.randn(B, T, I, dtype=dtype, device=device)
    if not batch_first:
        x = x.transpose(0, 1).contiguous()  # (T, B, I)
    lengths = torch.tensor(UNSORTED_LENGTHS) if padded else None
    count = num_layers * (2 if bidirectional else 1)
    fields = len(fused.state_type._fields)
    initial = ([torch.randn(count, B, H, dtype=dtype, device=device) for _ in range(fields)]
               if init == "given" else [])

    if not grads:
        with torch.no_grad():
            a = fused(x, lengths, fused.state_type(*initial) if initial else None)
            b = reference(x, lengths, reference.state_type(*initial) if initial else None)
        torch.testing.assert_close(a.outputs, b.outputs, **tol)
        for fa, fb in zip(a.final_state, b.final_state):
            torch.testing.assert_close(fa, fb, **tol)
        return

    out_f, final_f, grads_f = run_with_grads(fused, x, lengths, initial, random_weights(2))
    out_r, final_r, grads_r = run_with_grads(reference, x, lengths, initial, random_weights(2))
    assert fused.last_engine.engine == "fused"
    assert reference.last_engine.engine == "reference"
    torch.testing.assert_close(out_f, out_r, **tol)
    for fa, fb in zip(final_f, final_r):
        torch.testing.assert_close(fa, fb, **tol)
    assert grads_f.keys() == grads_r.keys()
    for name in grads_f:
        torch.testing.assert_close(grads_f[name], grads_r[name], **tol,
                                   msg=lambda m: f"grad {name}: {m}")
    if init == "learned":
        assert any(name.endswith("h0") for name in grads_f)


CONFIGS = list(itertools.product(
    FUSABLE, ["zeros", "learned", "given"], [False, True], [1, 2], [False, True], [True, False]))


@pytest.mark.parametrize("cell,init,bidirectional,num_layers,padded,batch_first", CONFIGS)
def test_fused_equals_reference(cell, init, bidirectional, num_layers, padded, batch_first):
    assert_engines_agree(cell, init=init, bidirectional=bidirectional, num_layers=num_layers,
                         padded=padded, batch_first=batch_first)


@pytest.mark.parametrize("cell", FUSABLE)
def test_fused_equals_reference_with_full_lengths(cell):
    """Lengths that pad nothing take the fused engine's dense path: still equal."""
    fused, reference = pair(cell, bidirectional=True)
    torch.manual_seed(1)
    x = torch.randn(B, T, I, dtype=torch.float64)
    lengths = torch.full((B,), T)
    a, b = fused(x, lengths), reference(x, lengths)
    torch.testing.assert_close(a.outputs, b.outputs, rtol=1e-9, atol=1e-10)
    for fa, fb in zip(a.final_state, b.final_state):
        torch.testing.assert_close(fa, fb, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("cell", FUSABLE)
def test_auto_under_recurrent_dropout_is_fused_in_eval_only(cell):
    torch.manual_seed(0)
    options = {"bidirectional": True, "num_layers": 2, "recurrent_dropout": 0.4}
    auto = Recurrent(cell, I, H, backend="auto", **options).double()
    reference = Recurrent(cell, I, H, backend="reference", **options).double()
    reference.load_state_dict(auto.state_dict())
    assert auto.engine(training=True).engine == "reference"
    assert "recurrent_dropout=0.4" in auto.engine(training=True).reason
    assert auto.engine(training=False).engine == "fused"

    x = torch.randn(B, T, I, dtype=torch.float64, requires_grad=True)
    lengths = torch.tensor(UNSORTED_LENGTHS)
    auto.eval()
    reference.eval()
    a = auto(x, lengths)
    assert auto.last_engine.engine == "fused"
    b = reference(x, lengths)
    torch.testing.assert_close(a.outputs, b.outputs, rtol=1e-9, atol=1e-10)
    for fa, fb in zip(a.final_state, b.final_state):
        torch.testing.assert_close(fa, fb, rtol=1e-9, atol=1e-10)
    grads_a = torch.autograd.grad(a.outputs.sum(), [x, *auto.parameters()])
    grads_b = torch.autograd.grad(b.outputs.sum(), [x, *reference.parameters()])
    for ga, gb in zip(grads_a, grads_b):
        torch.testing.assert_close(ga, gb, rtol=1e-9, atol=1e-10)

    auto.train()
    auto(x, lengths)
    assert auto.last_engine.engine == "reference"


# ---------------------------------------------------------------------------- CUDA

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
CUDA_CONFIGS = list(itertools.product(["zeros", "learned", "given"], [False, True], [1, 2],
                                      [False, True]))  # init, bidirectional, layers, padded


@pytest.fixture
def no_tf32():
    """cuDNN may use TF32 for float32 RNNs; compare in true float32."""
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved


@needs_cuda
@pytest.mark.cuda
@pytest.mark.parametrize("cell", FUSABLE)
def test_fused_equals_reference_cuda_forward(cell, no_tf32):
    for init, bidirectional, num_layers, padded in CUDA_CONFIGS:
        assert_engines_agree(cell, init=init, bidirectional=bidirectional, num_layers=num_layers,
                             padded=padded, batch_first=True, dtype=torch.float32, device="cuda",
                             tol={"rtol": 1e-4, "atol": 1e-5}, grads=False)


@needs_cuda
@pytest.mark.cuda
@pytest.mark.parametrize("cell", FUSABLE)
def test_fused_equals_reference_cuda_gradients(cell, no_tf32):
    for init, bidirectional, num_layers, padded in CUDA_CONFIGS:
        assert_engines_agree(cell, init=init, bidirectional=bidirectional, num_layers=num_layers,
                             padded=padded, batch_first=True, dtype=torch.float32, device="cuda",
                             tol={"rtol": 1e-4, "atol": 1e-5})
