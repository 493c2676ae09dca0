"""The NumPy Elman LM equals rnnlab's torch Elman LM in float64: loss and gradients."""

import numpy as np
import torch
import torch.nn.functional as F

from rnnlab.layers import Recurrent
from rnnlab.lm.numpy_twin import NumpyElmanLM

V, H, T = 7, 5, 12


def _torch_twin(lm: NumpyElmanLM):
    rnn = Recurrent("elman", V, H).double()
    out = torch.nn.Linear(H, V).double()
    cell = rnn.cells[0]
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(lm.U))
        cell.weight_hh.copy_(torch.from_numpy(lm.W))
        cell.bias_ih.copy_(torch.from_numpy(lm.b) * 0.3)  # any split of b between the two biases
        cell.bias_hh.copy_(torch.from_numpy(lm.b) * 0.7)
        out.weight.copy_(torch.from_numpy(lm.Vo))
        out.bias.copy_(torch.from_numpy(lm.c))
    return rnn, out


def _torch_loss(rnn, out, x, y, truncate=None):
    onehot = F.one_hot(torch.from_numpy(x), V).double()[None]  # (1, T, V)
    targets = torch.from_numpy(y)
    window = truncate or len(x)
    state, total = None, 0.0
    for start in range(0, len(x), window):
        result = rnn(onehot[:, start:start + window], initial_state=state)
        logits = out(result.outputs[0])
        total = total + F.cross_entropy(logits, targets[start:start + window], reduction="sum")
        state = type(result.final_state)(*(f.detach() for f in result.final_state))  # truncation point
    return total / len(x)


def _grads(rnn, out):
    cell = rnn.cells[0]
    return {"U": cell.weight_ih.grad, "W": cell.weight_hh.grad, "b": cell.bias_ih.grad,
            "Vo": out.weight.grad, "c": out.bias.grad}


def _data(seed=0):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, V, T + 1)
    return tokens[:-1], tokens[1:]


def test_full_bptt_equals_torch():
    lm = NumpyElmanLM(V, H, seed=1)
    x, y = _data()
    rnn, out = _torch_twin(lm)
    loss = _torch_loss(rnn, out, x, y)
    loss.backward()
    assert abs(float(loss.detach()) - lm.loss(x, y)) < 1e-12
    grads = lm.bptt(x, y)
    for name, grad in _grads(rnn, out).items():
        np.testing.assert_allclose(grads[name], grad.numpy(), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(rnn.cells[0].bias_hh.grad, rnn.cells[0].bias_ih.grad)


def test_truncated_bptt_equals_torch_with_detached_state():
    lm = NumpyElmanLM(V, H, seed=2)
    x, y = _data(1)
    rnn, out = _torch_twin(lm)
    loss = _torch_loss(rnn, out, x, y, truncate=4)
    loss.backward()
    assert abs(float(loss.detach()) - lm.loss(x, y)) < 1e-12  # truncation changes gradients, not the loss
    grads = lm.bptt(x, y, truncate=4)
    for name, grad in _grads(rnn, out).items():
        np.testing.assert_allclose(grads[name], grad.numpy(), rtol=1e-10, atol=1e-12)
    full = lm.bptt(x, y)
    assert not np.allclose(full["W"], grads["W"])  # and it really is a different gradient


def test_numerical_gradient_check_and_learning():
    lm = NumpyElmanLM(V, H, seed=3)
    x, y = _data(2)
    assert lm.gradient_check(x, y) < 1e-6
    before = lm.loss(x, y)
    for _ in range(30):
        lm.sgd_step(x, y, lr=0.5)
    assert lm.loss(x, y) < 0.7 * before
