"""Forecasting windows over a time series, and normalisation fitted on training rows only.

The windows follow the generator of Chollet's *Deep Learning with Python*
(Jena climate): for each **anchor** row ``r``,

- the input is the ``lookback`` rows before ``r``, sampled every ``step`` rows:
  rows ``r - lookback, r - lookback + step, ..., < r``;
- the target is the row ``delay`` rows ahead: row ``r + delay`` (and, with
  ``horizon > 1``, the ``horizon - 1`` rows after it).

Every row a window touches lies in ``[start, end)``, so windows never read
across a split border. For a valid/test split, pass ``start = border - lookback``
to let its first windows look back into the previous part, as the ETT loaders do.

Example (values ``0..9`` in one column, ``lookback=4, step=2, delay=1``):
anchor ``r=4`` reads rows ``[0, 2]`` and targets row ``5``; the last anchor is ``8``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from rnnlab.errors import ConfigError, DataError


class Normalizer:
    """Per-column standardisation ``(x - mean) / std`` with statistics from training rows.

    Args:
        mean: ``(F,)`` column means.
        std: ``(F,)`` column standard deviations (a zero std is replaced by 1).

    Example:
        >>> norm = Normalizer.fit(series.values[:train_end])   # training rows only
        >>> scaled = norm.transform(series.values)               # every row
    """

    def __init__(self, mean, std):
        self.mean = np.asarray(mean, dtype=np.float64)
        std = np.asarray(std, dtype=np.float64)
        self.std = np.where(std > 0, std, 1.0)

    @classmethod
    def fit(cls, train_values: np.ndarray) -> "Normalizer":
        """Statistics of ``train_values`` ``(N_train, F)`` -- pass only the training rows."""
        train_values = np.asarray(train_values, dtype=np.float64)
        if train_values.ndim != 2 or len(train_values) < 2:
            raise DataError(f"need a (rows, columns) array with >= 2 rows to fit, got shape {train_values.shape}")
        return cls(train_values.mean(axis=0), train_values.std(axis=0))

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=np.float64) - self.mean) / self.std

    def inverse(self, values: np.ndarray, columns: list[int] | None = None) -> np.ndarray:
        """Undo :meth:`transform`; ``columns`` selects the statistics for a subset (e.g. targets)."""
        index = slice(None) if columns is None else columns
        return np.asarray(values, dtype=np.float64) * self.std[index] + self.mean[index]

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, state: dict) -> "Normalizer":
        return cls(state["mean"], state["std"])


class Window(NamedTuple):
    """One forecasting example."""

    inputs: torch.Tensor  # (ceil(lookback / step), F) float32
    targets: torch.Tensor  # (horizon, len(target_columns)) float32


class TimeWindows(torch.utils.data.Dataset):
    """All windows of a series whose rows lie in ``[start, end)``.

    Args:
        values: ``(N, F)`` array, usually already normalised.
        lookback: how many rows back the input reaches.
        delay: the target is ``delay`` rows after the anchor (``>= 0``).
        step: sample the input every ``step`` rows.
        horizon: number of consecutive target rows.
        target_columns: columns of the target; default all.
        start, end: the rows this split may read (``end=None``: to the last row).
        stride: distance between consecutive anchors.

    Anchors are ``r = start + lookback + k * stride`` while ``r + delay + horizon - 1 < end``.
    """

    def __init__(
        self,
        values: np.ndarray,
        lookback: int,
        delay: int,
        step: int = 1,
        horizon: int = 1,
        target_columns: list[int] | None = None,
        start: int = 0,
        end: int | None = None,
        stride: int = 1,
    ):
        values = np.asarray(values, dtype=np.float32)
        if values.ndim != 2:
            raise DataError(f"values must be (rows, columns), got shape {values.shape}")
        end = len(values) if end is None else end
        for name, value, low in (("lookback", lookback, 1), ("step", step, 1), ("horizon", horizon, 1),
                                 ("stride", stride, 1), ("delay", delay, 0), ("start", start, 0)):
            if value < low:
                raise ConfigError(f"{name} must be >= {low}, got {value}")
        if not start < end <= len(values):
            raise ConfigError(f"need start < end <= {len(values)} rows, got start={start}, end={end}")
        self.values = torch.from_numpy(values)
        self.lookback, self.delay, self.step, self.horizon = lookback, delay, step, horizon
        self.target_columns = list(range(values.shape[1])) if target_columns is None else list(target_columns)
        first = start + lookback
        last = end - delay - horizon  # largest anchor allowed
        self.anchors = range(first, last + 1, stride)
        if len(self.anchors) == 0:
            raise DataError(
                f"no window fits in rows [{start}, {end}): need more than lookback + delay + horizon - 1 = "
                f"{lookback + delay + horizon - 1} rows"
            )

    def __len__(self) -> int:
        return len(self.anchors)

    def __getitem__(self, index: int) -> Window:
        r = self.anchors[index]
        inputs = self.values[r - self.lookback : r : self.step]  # (ceil(lookback / step), F)
        targets = self.values[r + self.delay : r + self.delay + self.horizon, self.target_columns]  # (horizon, T)
        return Window(inputs=inputs, targets=targets)
