"""The fused engine: PyTorch's own RNN kernels (oneDNN on CPU, cuDNN on GPU).

It runs a cell only where ``torch.nn.RNN/GRU/LSTM`` computes exactly the same math
(see :func:`fused_kind`); the weights stay the cell's own parameters, passed to the
kernel as they are, so gradients flow back to the cell. Padded batches go through a
packed sequence, so padding never reaches the kernel.
"""

from __future__ import annotations

import torch
from torch import _VF
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnlab.cells.base import RecurrentCell
from rnnlab.cells.elman import ElmanCell
from rnnlab.cells.gru import GRUCell
from rnnlab.cells.lstm import LSTMCell

# The torch.nn module each fused kind matches, for messages and converters.
TORCH_MODULES = {"lstm": "torch.nn.LSTM", "gru": "torch.nn.GRU",
                 "rnn_tanh": "torch.nn.RNN(nonlinearity='tanh')",
                 "rnn_relu": "torch.nn.RNN(nonlinearity='relu')"}


def fused_kind(cell: RecurrentCell) -> tuple[str | None, str]:
    """Which torch kernel computes ``cell`` exactly: (kind, reason), kind None if none.

    Exact type checks, not isinstance: a subclass (a peephole LSTM) changes the math.
    """
    name = type(cell).__name__
    if type(cell) is LSTMCell:
        return "lstm", "plain LSTM is torch.nn.LSTM's math"
    if type(cell) is GRUCell:
        return "gru", "reset-after GRU is torch.nn.GRU's math"
    if type(cell) is ElmanCell:
        if cell.activation in ("tanh", "relu"):
            return f"rnn_{cell.activation}", f"Elman {cell.activation} is torch.nn.RNN's math"
        return None, (f"cell '{name}' with activation='{cell.activation}' has no fused kernel "
                      "(torch.nn.RNN supports tanh and relu)")
    return None, f"cell '{name}' has no fused kernel in torch.nn (only LSTM, reset-after GRU, tanh/relu Elman)"


def run_fused(cell: RecurrentCell, kind: str, x: torch.Tensor, state, lengths: torch.Tensor | None = None):
    """Run ``cell`` over ``x`` (B, T, I) with torch's kernel; return (outputs (B, T, H), final state).

    Same contract as :func:`rnnlab.kernels.reference.run_reference` without dropout
    masks or zoneout (the dispatch never sends those here).
    """
    weights = [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
    hx = tuple(s.unsqueeze(0).contiguous() for s in state)  # each (1, B, H)
    if lengths is not None and bool((lengths == x.shape[1]).all()):
        lengths = None  # nothing is padded: the dense kernel is faster
    if lengths is None:
        result = _call(kind, x, hx, weights, batch_sizes=None)
        outputs = result[0]
    else:
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        hx = tuple(h.index_select(1, packed.sorted_indices) for h in hx)
        result = _call(kind, packed.data, hx, weights, batch_sizes=packed.batch_sizes)
        out_packed = packed._replace(data=result[0])
        outputs, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=x.shape[1])
        result = (result[0],) + tuple(h.index_select(1, packed.unsorted_indices) for h in result[1:])
    final = type(state)(*(h.squeeze(0) for h in result[1:]))
    return outputs, final


def _call(kind, data, hx, weights, batch_sizes):
    """One call of torch's fused kernel for a single layer, one direction."""
    if kind == "lstm":
        fn, hx_arg = _VF.lstm, hx
    else:
        fn, hx_arg = getattr(_VF, kind), hx[0]
    # cuDNN keeps what backward needs only in "train" mode; dropout is 0 either way.
    train = torch.is_grad_enabled()
    if batch_sizes is None:
        # (input, hx, weights, has_biases, num_layers, dropout, train, bidirectional, batch_first)
        return fn(data, hx_arg, weights, True, 1, 0.0, train, False, True)
    # (data, batch_sizes, hx, weights, has_biases, num_layers, dropout, train, bidirectional)
    return fn(data, batch_sizes, hx_arg, weights, True, 1, 0.0, train, False)
