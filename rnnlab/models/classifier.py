"""Sequence classification (many-to-one): a sequence in, one class out.

    tokens (B, T) -> embedding (B, T, E)          or  features (B, T, F)
                  -> [ConvFrontEnd: (B, T', C)]    optional (seed 002's CNN-GRU)
                  -> Recurrent (any cell, stacked, bidirectional)  (B, T', D*H)
                  -> pooling: last | mean | max | attention        (B, D*H)
                  -> dropout -> Linear                              (B, classes)

Binary tasks are two-class softmax classifiers (the same loss as a sigmoid on the
logit difference). :class:`SequenceEncoder` (everything up to the recurrence) is
shared with the tagger (:mod:`rnnlab.models.tagger`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import nn

from rnnlab.cells import CELLS
from rnnlab.config import check_fields, require_at_least, require_rate
from rnnlab.errors import ConfigError, unknown_choice
from rnnlab.layers import Recurrent
from rnnlab.layers.config import MERGES
from rnnlab.nn.conv_frontend import ConvFrontEnd
from rnnlab.nn.pooling import make_pooling


@dataclass
class EncoderConfig:
    """The shared input side: embedding or features, optional convolutions, recurrence."""

    cell: str = "lstm"               # registered cell (rnnlab.cells.CELLS)
    embed_dim: int = 64              # token embedding size (text inputs only)
    hidden: int = 64                 # H: units per direction
    layers: int = 1                  # stacked recurrent layers
    bidirectional: bool = False      # add a backward direction
    merge: str = "concat"            # how directions combine: concat | sum | mean
    dropout: float = 0.0             # dropout on the embeddings, between layers and before the head
    recurrent_dropout: float = 0.0   # variational dropout on the fed-back state
    conv_channels: list[int] = field(default_factory=list)  # Conv1D front end channels; [] = none
    conv_kernel: int = 5             # odd convolution width
    conv_pool: int = 1               # max-pool width after each convolution (1 = none)
    backend: str = "auto"            # runner engine: auto | fused | reference

    def __post_init__(self) -> None:
        check_fields(self)
        if self.cell not in CELLS:
            raise unknown_choice("cell", self.cell, CELLS)
        if self.merge not in MERGES:
            raise unknown_choice("merge", self.merge, MERGES)
        require_at_least(self, ("embed_dim", "hidden", "layers", "conv_kernel", "conv_pool"), prefix="model.")
        require_rate(self, ("dropout", "recurrent_dropout"), prefix="model.")


@dataclass
class ClassifierConfig(EncoderConfig):
    """:class:`EncoderConfig` plus how steps are pooled into one vector."""

    pooling: Literal["last", "mean", "max", "attention"] = "last"  # see rnnlab.nn.pooling

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.pooling == "last" and self.bidirectional and self.merge != "concat":
            raise ConfigError("model.pooling = 'last' with bidirectional needs merge = 'concat' "
                              "(each direction ends at a different step)")


class SequenceEncoder(nn.Module):
    """Inputs to recurrent step outputs.

    Args:
        config: the :class:`EncoderConfig`.
        vocab_size: number of token ids (text inputs, (B, T) long); or
        input_size: features per step (numeric inputs, (B, T, F) float).

    forward(inputs, lengths) -> (outputs (B, T', D*H) zero at padded steps, lengths' (B,)).
    """

    def __init__(self, config: EncoderConfig, *, vocab_size: int | None = None, input_size: int | None = None):
        super().__init__()
        if (vocab_size is None) == (input_size is None):
            raise ConfigError("give exactly one of vocab_size (token inputs) or input_size (features)")
        self.embedding = nn.Embedding(vocab_size, config.embed_dim, padding_idx=0) if vocab_size else None
        size = config.embed_dim if vocab_size else input_size
        self.dropout = nn.Dropout(config.dropout)
        self.conv = None
        if config.conv_channels:
            self.conv = ConvFrontEnd(size, config.conv_channels, config.conv_kernel, config.conv_pool)
            size = self.conv.output_size
        self.rnn = Recurrent(config.cell, size, config.hidden, num_layers=config.layers,
                             bidirectional=config.bidirectional, merge=config.merge, dropout=config.dropout,
                             recurrent_dropout=config.recurrent_dropout, backend=config.backend)
        self.output_size = self.rnn.output_size
        self.num_directions = self.rnn.num_directions if config.merge == "concat" else 1

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        B, T = inputs.shape[:2]
        if lengths is None:
            lengths = torch.full((B,), T, dtype=torch.long)
        lengths = lengths.to(inputs.device)
        x = self.embedding(inputs) if self.embedding is not None else inputs  # (B, T, E | F)
        x = self.dropout(x)
        if self.conv is not None:
            x, lengths = self.conv(x, lengths)  # (B, T', C)
        return self.rnn(x, lengths).outputs, lengths  # (B, T', D*H)


class SequenceClassifier(nn.Module):
    """Many-to-one classifier: encoder, pooling over valid steps, linear head.

    Args:
        config: :class:`ClassifierConfig`.
        num_classes: C >= 2.
        vocab_size / input_size: as :class:`SequenceEncoder`.

    Example::

        >>> model = SequenceClassifier(ClassifierConfig(cell="gru", pooling="attention"), 2, vocab_size=100)
        >>> model(torch.randint(1, 100, (4, 12)), torch.tensor([12, 9, 3, 1])).shape
        torch.Size([4, 2])
    """

    def __init__(self, config: ClassifierConfig, num_classes: int, *, vocab_size: int | None = None,
                 input_size: int | None = None):
        super().__init__()
        if num_classes < 2:
            raise ConfigError(f"a classifier needs at least 2 classes, got {num_classes}")
        self.encoder = SequenceEncoder(config, vocab_size=vocab_size, input_size=input_size)
        self.pool = make_pooling(config.pooling, self.encoder.output_size, self.encoder.num_directions)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(self.encoder.output_size, num_classes)
        self.last_attention: torch.Tensor | None = None  # (B, T') weights of the last forward

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """inputs (B, T) ids or (B, T, F) features, lengths (B,) -> logits (B, C)."""
        outputs, lengths = self.encoder(inputs, lengths)
        pooled = self.pool(outputs, lengths)
        self.last_attention = pooled.weights
        return self.head(self.dropout(pooled.vector))
