"""Typed configuration of the runner, validated when built."""

from __future__ import annotations

from dataclasses import dataclass

from rnnlab.errors import ConfigError, unknown_choice

MERGES = ("concat", "sum", "mean")


@dataclass
class RecurrentConfig:
    """Everything :class:`rnnlab.layers.Recurrent` needs besides cell options."""

    cell: str = "lstm"            # registered cell name (rnnlab.cells.CELLS)
    input_size: int = 1           # I: features per step
    hidden_size: int = 64         # H: units per direction
    num_layers: int = 1           # stacked layers
    bidirectional: bool = False   # add a backward direction
    merge: str = "concat"         # how directions combine: concat | sum | mean
    batch_first: bool = True      # (B, T, I) if True, else (T, B, I)
    dropout: float = 0.0          # dropout between stacked layers
    input_dropout: float = 0.0    # variational dropout on each layer's input
    recurrent_dropout: float = 0.0  # variational dropout on the fed-back state
    zoneout: float = 0.0          # probability a state unit keeps its value per step
    backend: str = "auto"         # auto | fused | reference

    def __post_init__(self) -> None:
        for name in ("input_size", "hidden_size", "num_layers"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1; got {value!r}")
        for name in ("dropout", "input_dropout", "recurrent_dropout", "zoneout"):
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise ConfigError(f"{name} must be in [0, 1); got {value!r}")
        if self.merge not in MERGES:
            raise unknown_choice("merge", self.merge, MERGES)
