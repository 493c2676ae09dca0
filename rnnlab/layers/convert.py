"""Converters between :class:`Recurrent` and ``torch.nn.RNN/GRU/LSTM``.

Cells already use torch's parameter names and gate order, so a single cell's state
dict loads into ``torch.nn.LSTMCell`` as it is. A whole ``torch.nn.LSTM`` keeps its
layers in one module with suffixed names (``weight_ih_l1_reverse``); these
functions map between that layout and the runner's one-cell-per-(layer, direction).
"""

from __future__ import annotations

import torch
from torch import nn

from rnnlab.errors import ConfigError
from rnnlab.kernels.torch_fused import fused_kind
from rnnlab.layers.recurrent import Recurrent

_TORCH_CLASS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn_tanh": nn.RNN, "rnn_relu": nn.RNN}
_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _suffix(layer: int, direction: int) -> str:
    return f"_l{layer}" + ("_reverse" if direction else "")


def to_torch(rnn: Recurrent) -> nn.RNNBase:
    """A ``torch.nn`` module computing exactly what ``rnn`` computes (weights copied).

    Raises ConfigError naming what torch cannot express: a cell without a torch
    kernel, a merge other than concat, a learned initial state, or per-step dropout.
    """
    c = rnn.config
    kind, why = fused_kind(rnn.cells[0])
    if kind is None:
        raise ConfigError(f"cannot convert to torch.nn: {why}")
    if rnn.num_directions == 2 and c.merge != "concat":
        raise ConfigError(f"cannot convert to torch.nn: merge='{c.merge}' (torch.nn concatenates directions)")
    if any(cell.learn_initial_state for cell in rnn.cells):
        raise ConfigError("cannot convert to torch.nn: learn_initial_state=True (torch.nn has no learned initial state)")
    for name in ("input_dropout", "recurrent_dropout", "zoneout"):
        if getattr(c, name) > 0:
            raise ConfigError(f"cannot convert to torch.nn: {name}={getattr(c, name)} has no torch.nn equivalent")
    options = dict(num_layers=c.num_layers, bidirectional=rnn.num_directions == 2,
                   batch_first=c.batch_first, dropout=c.dropout)
    if kind.startswith("rnn_"):
        options["nonlinearity"] = kind[4:]
    ref = rnn.cells[0].weight_ih
    module = _TORCH_CLASS[kind](c.input_size, c.hidden_size, **options).to(ref.device, ref.dtype)
    state = {}
    for index, cell in enumerate(rnn.cells):
        layer, direction = divmod(index, rnn.num_directions)
        for name in _NAMES:
            state[name + _suffix(layer, direction)] = getattr(cell, name).detach().clone()
    module.load_state_dict(state)
    return module


def from_torch(module: nn.RNNBase, backend: str = "auto") -> Recurrent:
    """A :class:`Recurrent` with ``module``'s weights (``torch.nn.RNN``, ``GRU`` or ``LSTM``)."""
    if isinstance(module, nn.LSTM):
        cell = "lstm"
        if module.proj_size:
            raise ConfigError(f"cannot convert torch.nn.LSTM with proj_size={module.proj_size}: rnnlab has no projection")
    elif isinstance(module, nn.GRU):
        cell = "gru"
    elif isinstance(module, nn.RNN):
        cell = "elman" if module.nonlinearity == "tanh" else "elman_relu"
    else:
        raise ConfigError(f"expected torch.nn.RNN, GRU or LSTM; got {type(module).__name__}")
    if not module.bias:
        raise ConfigError("cannot convert a torch.nn module with bias=False: rnnlab cells always have biases")
    rnn = Recurrent(cell, module.input_size, module.hidden_size, num_layers=module.num_layers,
                    bidirectional=module.bidirectional, batch_first=module.batch_first,
                    dropout=module.dropout, backend=backend)
    ref = module.weight_ih_l0
    rnn.to(ref.device, ref.dtype)
    with torch.no_grad():
        for index, target in enumerate(rnn.cells):
            layer, direction = divmod(index, rnn.num_directions)
            for name in _NAMES:
                getattr(target, name).copy_(getattr(module, name + _suffix(layer, direction)))
    return rnn
