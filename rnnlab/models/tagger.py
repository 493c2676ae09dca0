"""Sequence tagging (many-to-many, aligned): one label per input step.

    tokens (B, T) / features (B, T, F) -> SequenceEncoder -> (B, T, D*H) -> dropout -> Linear -> (B, T, tags)

Examples: prefix parity (a bit in, the parity so far out), part-of-speech tags.
The loss ignores padded steps (:func:`tagging_loss`). A Conv1D front end may be
used with ``conv_pool = 1`` only: pooling would shorten the sequence and break the
one-label-per-step alignment.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.errors import ConfigError
from rnnlab.models.classifier import EncoderConfig, SequenceEncoder

IGNORE_INDEX = -100  # tag id at padded steps; cross_entropy skips it


@dataclass
class TaggerConfig(EncoderConfig):
    """:class:`EncoderConfig`; tagging needs ``conv_pool = 1``."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.conv_channels and self.conv_pool != 1:
            raise ConfigError(f"model.conv_pool must be 1 for tagging (one tag per input step), got {self.conv_pool}")


class SequenceTagger(nn.Module):
    """Encoder and a per-step linear head.

    Args:
        config: :class:`TaggerConfig`.
        num_tags: number of tag classes.
        vocab_size / input_size: token ids or numeric features, as :class:`SequenceEncoder`.

    forward(inputs, lengths) -> logits (B, T, num_tags).
    """

    def __init__(self, config: TaggerConfig, num_tags: int, *, vocab_size: int | None = None,
                 input_size: int | None = None):
        super().__init__()
        if num_tags < 2:
            raise ConfigError(f"a tagger needs at least 2 tags, got {num_tags}")
        self.encoder = SequenceEncoder(config, vocab_size=vocab_size, input_size=input_size)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(self.encoder.output_size, num_tags)

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        outputs, _ = self.encoder(inputs, lengths)  # (B, T, D*H), conv_pool = 1 keeps T
        return self.head(self.dropout(outputs))  # (B, T, tags)


def tagging_loss(logits: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the steps whose tag is not :data:`IGNORE_INDEX`.

    logits (B, T, C), tags (B, T) long with IGNORE_INDEX at padded steps.
    """
    return F.cross_entropy(logits.flatten(0, 1), tags.flatten(), ignore_index=IGNORE_INDEX)
