"""Forecasting: a window of past rows in, the next ``horizon`` target rows out (direct multi-step).

    window (B, lookback, F) -> [ConvFrontEnd] -> Recurrent -> last step (B, D*H)
                            -> Linear -> (B, horizon, targets)  [+ last input value of each target]

All ``horizon`` steps come out of one forward pass ("direct" strategy; no feeding
back of predictions). With ``residual = true`` the head predicts the change from
the last observed value of each target column, so an untrained model starts at the
persistence forecast.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from rnnlab.errors import ConfigError
from rnnlab.models.classifier import EncoderConfig, SequenceEncoder
from rnnlab.nn.pooling import LastPooling


@dataclass
class ForecasterConfig(EncoderConfig):
    """:class:`EncoderConfig` plus the residual option."""

    residual: bool = True  # predict the change from the last observed target value


class Forecaster(nn.Module):
    """Direct multi-step forecaster.

    Args:
        config: :class:`ForecasterConfig`.
        input_size: F, features per input row.
        horizon: output rows.
        target_index: the input columns that are the targets (for ``residual``);
            its length is the number of targets.

    Example::

        >>> model = Forecaster(ForecasterConfig(cell="gru"), input_size=3, horizon=4, target_index=[0])
        >>> model(torch.randn(8, 24, 3)).shape
        torch.Size([8, 4, 1])
    """

    def __init__(self, config: ForecasterConfig, input_size: int, horizon: int, target_index: list[int]):
        super().__init__()
        if horizon < 1 or not target_index:
            raise ConfigError(f"need horizon >= 1 and at least one target column, got {horizon}, {target_index}")
        if config.bidirectional and config.merge != "concat":
            raise ConfigError("model.bidirectional forecasting needs merge = 'concat'")
        self.encoder = SequenceEncoder(config, input_size=input_size)
        self.pool = LastPooling(self.encoder.num_directions)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(self.encoder.output_size, horizon * len(target_index))
        self.horizon, self.residual = horizon, config.residual
        self.register_buffer("target_index", torch.tensor(target_index, dtype=torch.long), persistent=False)

    def forward(self, window: torch.Tensor) -> torch.Tensor:
        """window (B, L, F) normalised rows -> (B, horizon, targets) normalised predictions."""
        outputs, lengths = self.encoder(window)
        last = self.pool(outputs, lengths).vector  # (B, D*H)
        prediction = self.head(self.dropout(last)).view(window.shape[0], self.horizon, -1)
        if self.residual:
            prediction = prediction + window[:, -1, self.target_index].unsqueeze(1)  # (B, 1, targets)
        return prediction
