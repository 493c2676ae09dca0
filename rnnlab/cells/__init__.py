"""Recurrent cells: each computes one time step and reads like its equations.

``CELLS`` is the registry the CLI and the runner use: a name maps to a cell class
and the options that name fixes. Build a cell by name with :func:`make_cell`.

========================  =====================================  ================
name                      cell                                   fused kernel
========================  =====================================  ================
``elman``                 Elman, tanh                            torch.nn.RNN
``elman_relu``            Elman, relu                            torch.nn.RNN
``elman_sigmoid``         Elman, sigmoid (seed 000's parity)     none
``jordan``                Jordan (feeds back the output)         none
``rated``                 rated unit (update gate only)          none
``gru``                   GRU, reset gate after the product      torch.nn.GRU
``gru_reset_before``      GRU, reset gate before the product     none
``lstm``                  LSTM                                   torch.nn.LSTM
``lstm_peephole``         LSTM, diagonal peepholes               none
``lstm_full_peephole``    LSTM, full-matrix peepholes (seed 000) none
``mingru``                minGRU (gates read x only)             parallel scan
``minlstm``               minLSTM (gates read x only)            parallel scan
========================  =====================================  ================
"""

from __future__ import annotations

from typing import Any

from rnnlab.cells.base import HiddenState, JordanState, LSTMState, RecurrentCell
from rnnlab.cells.elman import ElmanCell
from rnnlab.cells.gru import GRUCell, GRUResetBeforeCell
from rnnlab.cells.jordan import JordanCell
from rnnlab.cells.lstm import FullPeepholeLSTMCell, LSTMCell, PeepholeLSTMCell
from rnnlab.cells.minimal import MinGRUCell, MinLSTMCell
from rnnlab.cells.rated import RatedCell
from rnnlab.errors import ConfigError, unknown_choice

CELLS: dict[str, tuple[type[RecurrentCell], dict[str, Any]]] = {
    "elman": (ElmanCell, {"activation": "tanh"}),
    "elman_relu": (ElmanCell, {"activation": "relu"}),
    "elman_sigmoid": (ElmanCell, {"activation": "sigmoid"}),
    "jordan": (JordanCell, {}),
    "rated": (RatedCell, {}),
    "gru": (GRUCell, {}),
    "gru_reset_before": (GRUResetBeforeCell, {}),
    "lstm": (LSTMCell, {}),
    "lstm_peephole": (PeepholeLSTMCell, {}),
    "lstm_full_peephole": (FullPeepholeLSTMCell, {}),
    "mingru": (MinGRUCell, {}),
    "minlstm": (MinLSTMCell, {}),
}


def make_cell(name: str, input_size: int, hidden_size: int, **options: Any) -> RecurrentCell:
    """Build the registered cell ``name``; ``options`` go to its constructor.

    Raises ConfigError for an unknown name, or for an option the name fixes
    (``make_cell("elman_relu", ..., activation="tanh")``).
    """
    if name not in CELLS:
        raise unknown_choice("cell", name, CELLS)
    cls, preset = CELLS[name]
    for key, value in options.items():
        if key in preset and preset[key] != value:
            raise ConfigError(f"cell '{name}' fixes {key}={preset[key]!r}; got {key}={value!r}")
    return cls(input_size, hidden_size, **{**preset, **options})


__all__ = [
    "CELLS", "make_cell", "RecurrentCell", "HiddenState", "LSTMState", "JordanState",
    "ElmanCell", "JordanCell", "RatedCell", "GRUCell", "GRUResetBeforeCell",
    "LSTMCell", "PeepholeLSTMCell", "FullPeepholeLSTMCell", "MinGRUCell", "MinLSTMCell",
]
