"""The compiled engine: our own C++ loop over time with a hand-written BPTT backward.

PyTorch fuses only plain LSTM, reset-after GRU and tanh/relu Elman; every other cell
(peepholes, reset-before GRU, the rated unit, Jordan, sigmoid Elman, anything with
recurrent dropout or zoneout in training) would otherwise run the reference loop.
Here each cell *family* has one C++ file (``csrc/<family>.cpp``, built on first use
by :mod:`rnnlab.kernels.compiled.build`) and one Python module that wraps it in a
``torch.autograd.Function``. The pattern, whatever the cell:

1. one matrix product projects the inputs of all steps at once (autograd handles it);
2. per step, one product with the recurrent weights plus one fused pointwise update
   that keeps the gates it computed;
3. backward through time per step: only pointwise gradients and ``dh = dgates @ W_hh``;
   then one large product each for the recurrent weights' gradients.

Family module contract (``rnnlab/kernels/compiled/<family>.py``)::

    def run(ext, cell, x, state, valid, recurrent_mask, zoneout_keep, zoneout_rate):
        '''Same result as rnnlab.kernels.reference.run_reference.

        ext: the loaded extension module of this family.
        x: (B, T, I) batch first; state: the cell's state NamedTuple, fields (B, H).
        valid: (B, T) bool (True inside each sequence) or None (all full length).
        recurrent_mask: (B, H) multiplies the fed-back state in the recurrent
            product only, or None.
        zoneout_keep: one (B, T, H) float tensor of 0/1 per state field (1 = keep
            the previous value), drawn by the runner in training, or None.
        zoneout_rate: with zoneout_keep None and rate > 0 (evaluation), blend
            rate * previous + (1 - rate) * new.
        Returns (outputs (B, T, H), final state) with outputs 0 at padded steps.
        '''
"""

from __future__ import annotations

import importlib

import torch

from rnnlab.cells.base import RecurrentCell
from rnnlab.cells.elman import ElmanCell
from rnnlab.cells.gru import GRUCell, GRUResetBeforeCell
from rnnlab.cells.jordan import JordanCell
from rnnlab.cells.lstm import FullPeepholeLSTMCell, LSTMCell, PeepholeLSTMCell
from rnnlab.cells.rated import RatedCell
from rnnlab.kernels.compiled.build import family_blocker, load_family

# Exact types: a subclass may change the math, so it must be registered itself.
FAMILIES: dict[type[RecurrentCell], str] = {
    ElmanCell: "elman",
    RatedCell: "elman",
    JordanCell: "elman",
    GRUCell: "gru",
    GRUResetBeforeCell: "gru",
    LSTMCell: "lstm",
    PeepholeLSTMCell: "lstm",
    FullPeepholeLSTMCell: "lstm",
}


def compiled_blocker(cell: RecurrentCell, device: torch.device | str | None = None) -> str | None:
    """None if the compiled engine runs ``cell`` exactly here, else what blocks it.

    May build the family's extension (first use only) to find out.
    """
    family = FAMILIES.get(type(cell))
    if family is None:
        return f"cell '{type(cell).__name__}' has no compiled family"
    if device is not None and torch.device(device).type != "cpu":
        return f"the compiled engine runs on the CPU; the tensors are on {torch.device(device).type}"
    return family_blocker(family)


def run_compiled(cell: RecurrentCell, x: torch.Tensor, state, valid: torch.Tensor | None = None,
                 recurrent_mask: torch.Tensor | None = None, zoneout_keep=None,
                 zoneout_rate: float = 0.0):
    """Run ``cell`` over ``x`` (B, T, I) with its family's compiled kernel (contract above)."""
    family = FAMILIES[type(cell)]
    module = importlib.import_module(f"rnnlab.kernels.compiled.{family}")
    return module.run(load_family(family), cell, x, state, valid, recurrent_mask,
                      zoneout_keep, zoneout_rate)
