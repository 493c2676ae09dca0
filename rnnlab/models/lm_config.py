"""`LanguageModelConfig`: the ``[model]`` section of a language-model run.

::

    [model]
    cell = "lstm"            # any name in rnnlab.cells.CELLS
    embedding_size = 200
    hidden_size = 200
    num_layers = 2
    tie_weights = false
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from rnnlab.cells import CELLS
from rnnlab.config import check_fields, require_at_least, require_rate
from rnnlab.errors import unknown_choice


@dataclass
class LanguageModelConfig:
    cell: str = "lstm"  # recurrent cell, a name in rnnlab.cells.CELLS
    embedding_size: int = 128  # E, size of a token's vector
    hidden_size: int = 256  # H, units per recurrent layer
    num_layers: int = 1  # stacked recurrent layers
    tie_weights: bool = False  # output matrix = embedding matrix (needs E == H, or a projection)
    dropout: float = 0.0  # locked (variational) dropout on every layer's input and the last output
    embedding_dropout: float = 0.0  # drop whole token types from the embedding (AWD-LSTM dropoute)
    weight_drop: float = 0.0  # DropConnect on each cell's weight_hh in training (AWD-LSTM)
    recurrent_dropout: float = 0.0  # variational dropout on the fed-back state (reference engine)
    zoneout: float = 0.0  # zoneout probability per state unit (reference engine)
    backend: Literal["auto", "fused", "scan", "reference"] = "auto"  # engine choice (docs/engines.md)
    learn_initial_state: bool = False  # train h0 (and c0) as parameters
    cell_options: dict[str, Any] = field(default_factory=dict)  # extra cell arguments, e.g. forget_bias

    def __post_init__(self) -> None:
        check_fields(self)
        if self.cell not in CELLS:
            raise unknown_choice("cell", self.cell, CELLS)
        require_at_least(self, ("embedding_size", "hidden_size", "num_layers"))
        require_rate(self, ("dropout", "embedding_dropout", "weight_drop", "recurrent_dropout", "zoneout"))
