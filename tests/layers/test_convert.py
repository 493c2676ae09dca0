"""Converters between Recurrent and torch.nn.RNN/GRU/LSTM: same outputs, same weights."""

import pytest
import torch
from torch import nn

from rnnlab.errors import ConfigError
from rnnlab.layers import Recurrent, from_torch, to_torch

TORCH_MODULES = [
    lambda **kw: nn.LSTM(3, 5, **kw),
    lambda **kw: nn.GRU(3, 5, **kw),
    lambda **kw: nn.RNN(3, 5, nonlinearity="tanh", **kw),
    lambda **kw: nn.RNN(3, 5, nonlinearity="relu", **kw),
]


@pytest.mark.parametrize("make", TORCH_MODULES)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_from_torch_computes_what_torch_computes(make, bidirectional, batch_first):
    torch.manual_seed(0)
    module = make(num_layers=2, bidirectional=bidirectional, batch_first=batch_first).double()
    rnn = from_torch(module, backend="reference")
    x = torch.randn(4, 6, 3, dtype=torch.float64)
    expected, expected_state = module(x)
    got = rnn(x)
    torch.testing.assert_close(got.outputs, expected, rtol=0, atol=1e-12)
    expected_h = expected_state[0] if isinstance(module, nn.LSTM) else expected_state
    torch.testing.assert_close(got.final_state[0], expected_h, rtol=0, atol=1e-12)
    if isinstance(module, nn.LSTM):
        torch.testing.assert_close(got.final_state.c, expected_state[1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("cell", ["lstm", "gru", "elman", "elman_relu"])
def test_to_torch_round_trip(cell):
    torch.manual_seed(1)
    rnn = Recurrent(cell, 3, 5, num_layers=2, bidirectional=True).double()
    module = to_torch(rnn)
    x = torch.randn(2, 7, 3, dtype=torch.float64)
    torch.testing.assert_close(module(x)[0], rnn(x).outputs, rtol=0, atol=1e-12)
    back = from_torch(module)
    for a, b in zip(rnn.state_dict().values(), back.state_dict().values()):
        assert torch.equal(a, b)


@pytest.mark.parametrize("kwargs, blocker", [
    (dict(cell="lstm_peephole"), "PeepholeLSTMCell"),
    (dict(cell="elman_sigmoid"), "activation='sigmoid'"),
    (dict(cell="lstm", bidirectional=True, merge="sum"), "merge='sum'"),
    (dict(cell="lstm", learn_initial_state=True), "learn_initial_state=True"),
    (dict(cell="gru", zoneout=0.1), "zoneout=0.1"),
])
def test_to_torch_names_what_blocks_it(kwargs, blocker):
    cell = kwargs.pop("cell")
    with pytest.raises(ConfigError, match="cannot convert to torch.nn") as info:
        to_torch(Recurrent(cell, 3, 4, **kwargs))
    assert blocker in str(info.value)


def test_from_torch_rejects_projection_and_no_bias():
    with pytest.raises(ConfigError, match="proj_size=2"):
        from_torch(nn.LSTM(3, 4, proj_size=2))
    with pytest.raises(ConfigError, match="bias=False"):
        from_torch(nn.GRU(3, 4, bias=False))
