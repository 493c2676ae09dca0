"""A recurrent language model: embedding -> stacked recurrent layers -> softmax.

With the AWD-LSTM regularisers (Merity et al. 2018), each optional:

- **embedding dropout**: drop whole token types (a row of the embedding matrix) for
  a whole batch (Gal & Ghahramani's word dropout, AWD ``dropoute``);
- **locked dropout**: one dropout mask per sequence, the same at every step, on
  every recurrent layer's input and on the last layer's output (the runner's
  ``input_dropout`` and :func:`rnnlab.layers.dropout.variational_mask`);
- **weight drop**: DropConnect on each cell's recurrent matrix ``weight_hh``, one
  mask per forward pass (i.e. shared by all time steps and sequences of a batch);
- **weight tying**: the output matrix is the embedding matrix (Press & Wolf 2017;
  Inan et al. 2017).

Weight drop is done without touching the cells: the dropped matrices are computed
from the parameters at each training forward and swapped in for that call with
:func:`torch.func.functional_call`. The cells keep their exact type (so the fused
kernel still applies) and their parameter names; gradients flow through the mask
back to ``weight_hh``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from rnnlab.layers import Recurrent
from rnnlab.layers.dropout import variational_mask
from rnnlab.models.lm_config import LanguageModelConfig


class LMOutput(NamedTuple):
    """What :class:`LanguageModel` returns.

    logits: (B, T, V) unnormalised next-token scores.
    state: the cells' state (e.g. ``LSTMState(h, c)``), each field (L, B, H),
        taken at each sequence's last valid step; feed it back as ``state``.
    """

    logits: torch.Tensor
    state: Any


class LanguageModel(nn.Module):
    """Next-token model over a vocabulary of ``vocab_size`` tokens.

    Args:
        vocab_size: V.
        cell: a registered cell name (``"lstm"``, ``"gru"``, ``"elman"``, ...).
        embedding_size: E.
        hidden_size: H per layer.
        num_layers: L stacked recurrent layers.
        tie_weights: share the (V, E) embedding matrix with the output layer; if
            E != H a linear projection H -> E comes before it.
        dropout: locked dropout rate on each layer's input and on the last output.
        embedding_dropout: probability of dropping a token type in a batch.
        weight_drop: DropConnect rate on every ``weight_hh`` in training.
        recurrent_dropout, zoneout, backend, learn_initial_state, **cell_options:
            passed to :class:`rnnlab.layers.Recurrent`.
        pad_id: embedding row kept at zero for padding.

    Example::

        >>> lm = LanguageModel(100, "lstm", embedding_size=16, hidden_size=32, num_layers=2)
        >>> out = lm(torch.randint(0, 100, (4, 10)))
        >>> out.logits.shape, out.state.h.shape
        (torch.Size([4, 10, 100]), torch.Size([2, 4, 32]))
    """

    def __init__(self, vocab_size: int, cell: str = "lstm", embedding_size: int = 128,
                 hidden_size: int = 256, num_layers: int = 1, tie_weights: bool = False,
                 dropout: float = 0.0, embedding_dropout: float = 0.0, weight_drop: float = 0.0,
                 recurrent_dropout: float = 0.0, zoneout: float = 0.0, backend: str = "auto",
                 learn_initial_state: bool = False, pad_id: int = 0, **cell_options: Any):
        super().__init__()
        self.vocab_size = vocab_size
        self.dropout, self.embedding_dropout, self.weight_drop = dropout, embedding_dropout, weight_drop
        self.embedding = nn.Embedding(vocab_size, embedding_size, padding_idx=pad_id)
        self.rnn = Recurrent(cell, embedding_size, hidden_size, num_layers=num_layers,
                             input_dropout=dropout, recurrent_dropout=recurrent_dropout,
                             zoneout=zoneout, backend=backend,
                             learn_initial_state=learn_initial_state, **cell_options)
        self.projection = None
        if tie_weights and embedding_size != hidden_size:
            self.projection = nn.Linear(hidden_size, embedding_size)  # H -> E before the tied output
        out_features = embedding_size if tie_weights else hidden_size
        self.decoder = nn.Linear(out_features, vocab_size)
        if tie_weights:
            self.decoder.weight = self.embedding.weight  # one (V, E) tensor, two uses
        nn.init.uniform_(self.embedding.weight, -0.1, 0.1)
        with torch.no_grad():
            self.embedding.weight[pad_id].zero_()
        nn.init.zeros_(self.decoder.bias)

    @classmethod
    def from_config(cls, config: LanguageModelConfig, vocab_size: int) -> "LanguageModel":
        """Build from the ``[model]`` section of a run's config."""
        return cls(vocab_size, config.cell, config.embedding_size, config.hidden_size,
                   config.num_layers, config.tie_weights, config.dropout, config.embedding_dropout,
                   config.weight_drop, config.recurrent_dropout, config.zoneout, config.backend,
                   config.learn_initial_state, **config.cell_options)

    def forward(self, tokens: torch.Tensor, state: Any = None,
                lengths: torch.Tensor | None = None) -> LMOutput:
        """tokens (B, T) ids; state from a previous call or None; lengths (B,) for padded batches."""
        embedded = self._embed(tokens)  # (B, T, E)
        rnn_args = (embedded,)
        rnn_kwargs = {"lengths": lengths, "initial_state": state}
        if self.training and self.weight_drop > 0.0:
            out = functional_call(self.rnn, self.dropped_recurrent_weights(), rnn_args, rnn_kwargs,
                                  strict=False)
        else:
            out = self.rnn(*rnn_args, **rnn_kwargs)
        hidden = out.outputs  # (B, T, H)
        if self.training and self.dropout > 0.0:
            mask = variational_mask(hidden.shape[0], hidden.shape[-1], self.dropout, hidden)
            hidden = hidden * mask[:, None, :]  # the same mask at every step
        if self.projection is not None:
            hidden = self.projection(hidden)  # (B, T, E)
        return LMOutput(self.decoder(hidden), out.final_state)  # (B, T, V)

    def dropped_recurrent_weights(self) -> dict[str, torch.Tensor]:
        """DropConnect: ``{"cells.k.weight_hh": weight_hh * mask / (1 - p)}`` for every cell.

        One fresh mask per call; the result is a function of the parameters, so
        gradients reach them (zero where an entry was dropped).
        """
        return {f"cells.{k}.weight_hh": F.dropout(cell.weight_hh, self.weight_drop, training=True)
                for k, cell in enumerate(self.rnn.cells)}

    def _embed(self, tokens: torch.Tensor) -> torch.Tensor:
        weight = self.embedding.weight  # (V, E)
        if self.training and self.embedding_dropout > 0.0:
            keep = 1.0 - self.embedding_dropout
            rows = torch.empty(weight.shape[0], 1, dtype=weight.dtype, device=weight.device)
            weight = weight * rows.bernoulli_(keep).div_(keep)  # a dropped type is zero everywhere
        return F.embedding(tokens, weight, padding_idx=self.embedding.padding_idx)

    def initial_state(self, batch_size: int) -> Any:
        """The state before the first token (zeros or the learned h0/c0), fields (L, B, H)."""
        weight = self.embedding.weight
        states = [cell.initial_state(batch_size, weight.dtype, weight.device) for cell in self.rnn.cells]
        return self.rnn.state_type(*(torch.stack(field) for field in zip(*states)))

    @property
    def tied(self) -> bool:
        """Whether the output layer shares the embedding tensor."""
        return self.decoder.weight is self.embedding.weight
