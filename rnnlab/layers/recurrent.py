"""The runner: any rnnlab cell over time, in one or two directions, stacked.

One module owns the loop's surroundings for every cell: batch-first or time-first
inputs, padded batches with lengths, reversal within valid lengths, bidirectional
merging, stacking with dropout between layers, variational dropout on inputs and on
the recurrent state, and zoneout. The loop itself runs in an engine chosen by
:func:`rnnlab.kernels.dispatch.choose_engine`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.cells import make_cell
from rnnlab.cells.base import RecurrentCell
from rnnlab.errors import ConfigError, unknown_choice
from rnnlab.kernels.dispatch import EngineChoice, check_backend, choose_engine
from rnnlab.kernels.compiled import run_compiled
from rnnlab.kernels.parallel_scan import run_scan
from rnnlab.kernels.reference import run_reference
from rnnlab.kernels.torch_fused import run_fused
from rnnlab.layers.config import MERGES, RecurrentConfig
from rnnlab.layers.dropout import variational_mask, zoneout_masks
from rnnlab.layers.padding import check_lengths, reverse_padded, step_mask


class RecurrentOutput(NamedTuple):
    """What :class:`Recurrent` returns, always.

    outputs: (B, T, D*H) for merge="concat", else (B, T, H) — time-first (T, B, .)
        if ``batch_first=False``; zeros at padded steps.
    final_state: the cell's state type (e.g. ``LSTMState(h, c)``); each field is
        (num_layers * num_directions, B, H), index ``layer * num_directions + direction``
        as in ``torch.nn.LSTM``; taken at each sequence's last valid step.
    """

    outputs: torch.Tensor
    final_state: Any


class Recurrent(nn.Module):
    """Run a recurrent cell over sequences.

    Args:
        cell: a registered cell name (see :data:`rnnlab.cells.CELLS`) or a factory
            ``f(input_size, hidden_size) -> RecurrentCell`` for your own cell.
        input_size: I, features per step.
        hidden_size: H, units per direction.
        num_layers: stacked layers; layer l > 0 reads layer l-1's merged outputs.
        bidirectional: add a direction that reads each sequence backwards within
            its valid length.
        merge: how two directions combine: "concat" (2H) | "sum" | "mean" (H).
        batch_first: inputs and outputs are (B, T, .) if True, else (T, B, .).
        dropout: ordinary dropout on the outputs of every layer but the last.
        input_dropout: variational dropout on each layer's input: one mask per
            sequence, the same at every step.
        recurrent_dropout: variational dropout on the state where it enters the
            recurrent product (Keras ``recurrent_dropout``), one mask per sequence.
        zoneout: probability that a state unit keeps its previous value per step.
        backend: "auto" | "fused" | "compiled" | "scan" | "reference" (see
            :mod:`rnnlab.kernels.dispatch`).
        **cell_options: passed to the cell (``activation``, ``forget_bias``,
            ``learn_initial_state``, ...).

    Example::

        >>> rnn = Recurrent("lstm", input_size=8, hidden_size=16, num_layers=2, bidirectional=True)
        >>> out = rnn(torch.randn(4, 10, 8), lengths=torch.tensor([10, 7, 3, 1]))
        >>> out.outputs.shape, out.final_state.h.shape
        (torch.Size([4, 10, 32]), torch.Size([4, 4, 16]))
        >>> rnn.last_engine.engine
        'fused'
    """

    def __init__(self, cell: str | Callable[[int, int], RecurrentCell], input_size: int,
                 hidden_size: int, num_layers: int = 1, bidirectional: bool = False,
                 merge: str = "concat", batch_first: bool = True, dropout: float = 0.0,
                 input_dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 zoneout: float = 0.0, backend: str = "auto", **cell_options: Any):
        super().__init__()
        self.config = RecurrentConfig(
            cell=cell if isinstance(cell, str) else getattr(cell, "__name__", "custom"),
            input_size=input_size, hidden_size=hidden_size, num_layers=num_layers,
            bidirectional=bidirectional, merge=merge, batch_first=batch_first, dropout=dropout,
            input_dropout=input_dropout, recurrent_dropout=recurrent_dropout, zoneout=zoneout,
            backend=backend,
        )
        if merge not in MERGES:
            raise unknown_choice("merge", merge, MERGES)
        self.num_directions = 2 if bidirectional else 1
        self.output_size = hidden_size * (self.num_directions if merge == "concat" else 1)
        self.cells = nn.ModuleList()
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else self.output_size
            for _ in range(self.num_directions):
                if isinstance(cell, str):
                    self.cells.append(make_cell(cell, layer_input, hidden_size, **cell_options))
                else:
                    self.cells.append(cell(layer_input, hidden_size, **cell_options))
        if recurrent_dropout > 0.0 and not self.cells[0].has_recurrent_product:
            raise ConfigError(f"recurrent_dropout={recurrent_dropout} has nothing to mask in cell "
                              f"'{self.config.cell}': its gates read only x(t); use input_dropout")
        check_backend(backend, self.cells[0], recurrent_dropout, zoneout)
        self.state_type = self.cells[0].state_type
        self.last_engine: EngineChoice | None = None

    @classmethod
    def from_config(cls, config: RecurrentConfig, **cell_options: Any) -> "Recurrent":
        """Build from a :class:`RecurrentConfig` (the config system's entry point)."""
        fields = {k: getattr(config, k) for k in config.__dataclass_fields__}
        return cls(**fields, **cell_options)

    def engine(self, training: bool | None = None, batch_size: int | None = None,
               device: torch.device | str | None = None) -> EngineChoice:
        """The engine that runs this layer in training (or evaluation) mode, and why."""
        c = self.config
        if device is None:
            device = next(self.parameters()).device
        return choose_engine(c.backend, self.cells[0], recurrent_dropout=c.recurrent_dropout,
                             zoneout=c.zoneout, training=self.training if training is None else training,
                             batch_size=batch_size, device=device)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None,
                initial_state: Any = None) -> RecurrentOutput:
        """Run over ``x`` (B, T, I) (or (T, B, I)); lengths (B,) ints in [1, T]."""
        c = self.config
        if x.dim() != 3 or x.shape[-1] != c.input_size:
            layout = "(B, T, I)" if c.batch_first else "(T, B, I)"
            raise ConfigError(f"input must be {layout} with I={c.input_size}; got shape {tuple(x.shape)}")
        if not c.batch_first:
            x = x.transpose(0, 1)
        B, T, _ = x.shape
        lengths = check_lengths(lengths, B, T)
        initial = self._initial_states(initial_state, B, x)
        choice = self.engine(batch_size=B, device=x.device)
        self.last_engine = choice

        layer_input = x
        finals = []
        for layer in range(c.num_layers):
            if self.training and c.input_dropout > 0.0:
                mask = variational_mask(B, layer_input.shape[-1], c.input_dropout, layer_input)
                layer_input = layer_input * mask[:, None, :]  # same mask at every step
            direction_outputs = []
            for direction in range(self.num_directions):
                index = layer * self.num_directions + direction
                seq = layer_input if direction == 0 else reverse_padded(layer_input, lengths)
                out, final = self._run_engine(choice, self.cells[index], seq, initial[index], lengths)
                direction_outputs.append(out if direction == 0 else reverse_padded(out, lengths))
                finals.append(final)
            layer_output = self._merge(direction_outputs)
            if layer < c.num_layers - 1 and c.dropout > 0.0:
                layer_output = F.dropout(layer_output, c.dropout, self.training)
            layer_input = layer_output

        outputs = layer_input if c.batch_first else layer_input.transpose(0, 1)
        final_state = self.state_type(*(torch.stack(field) for field in zip(*finals)))
        return RecurrentOutput(outputs, final_state)

    def _run_engine(self, choice: EngineChoice, cell: RecurrentCell, x, state, lengths):
        if choice.engine == "fused":
            return run_fused(cell, choice.fused_kind, x, state, lengths)
        if choice.engine == "scan":
            return run_scan(cell, x, state, lengths)
        # Dropout masks are drawn here, once, so that every engine applies the same ones.
        c = self.config
        B, T, _ = x.shape
        recurrent_mask = keep = None
        if self.training and c.recurrent_dropout > 0.0:
            recurrent_mask = variational_mask(B, c.hidden_size, c.recurrent_dropout, x)
        if self.training and c.zoneout > 0.0:
            keep = zoneout_masks(len(self.state_type._fields), B, T, c.hidden_size, c.zoneout, x)
        if choice.engine == "compiled":
            valid = None if lengths is None else step_mask(lengths, T, x.device)
            return run_compiled(cell, x, state, valid, recurrent_mask, keep, c.zoneout)
        return run_reference(cell, x, state, lengths, recurrent_mask, c.zoneout, keep)

    def _merge(self, outputs: list[torch.Tensor]) -> torch.Tensor:
        if len(outputs) == 1:
            return outputs[0]
        merge = self.config.merge
        if merge == "concat":
            return torch.cat(outputs, dim=-1)
        total = outputs[0] + outputs[1]
        return total if merge == "sum" else total / 2

    def _initial_states(self, initial_state, batch_size: int, like: torch.Tensor) -> list:
        """One state per (layer, direction): given (fields (L*D, B, H)) or each cell's own."""
        count = len(self.cells)
        if initial_state is None:
            return [cell.initial_state(batch_size, like.dtype, like.device) for cell in self.cells]
        if not isinstance(initial_state, self.state_type):
            if isinstance(initial_state, torch.Tensor) and len(self.state_type._fields) == 1:
                initial_state = self.state_type(initial_state)
            else:
                raise ConfigError(f"initial_state must be a {self.state_type.__name__}"
                                  f"{self.state_type._fields}; got {type(initial_state).__name__}")
        expected = (count, batch_size, self.config.hidden_size)
        for name, field in zip(self.state_type._fields, initial_state):
            if tuple(field.shape) != expected:
                raise ConfigError(f"initial_state.{name} must have shape {expected} "
                                  f"(layers*directions, B, H); got {tuple(field.shape)}")
        return [self.state_type(*(field[i] for field in initial_state)) for i in range(count)]

    def extra_repr(self) -> str:
        c = self.config
        return f"cell={c.cell!r}, layers={c.num_layers}, directions={self.num_directions}, backend={c.backend!r}"
