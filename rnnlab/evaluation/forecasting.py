"""Forecast errors, the naive baselines every forecast is reported beside, and a plot.

Baselines use only values the model could also see (rows up to the last input row):

* **persistence** ("same as the last value"): every horizon step is the value of the
  last observed row;
* **seasonal naive** ("same time yesterday" for ``season`` = one day of rows): the
  target row ``q`` gets the value of row ``q - k * season`` with the smallest ``k >= 1``
  that lands on an observed row (``q - k * season <= last``).

Rows are given explicitly (``last_rows`` (W,), ``target_rows`` (W, H)), so the
baselines are computed on exactly the windows the model is scored on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab.errors import DataError
from rnnlab.plotting import load_pyplot


@dataclass
class ForecastErrors:
    """Mean absolute, root-mean-square and mean squared error over all windows, steps and targets."""

    mae: float
    rmse: float
    mse: float


def forecast_errors(predicted, truth) -> ForecastErrors:
    """Errors of ``predicted`` against ``truth`` (same shape, any)."""
    predicted, truth = np.asarray(predicted, dtype=np.float64), np.asarray(truth, dtype=np.float64)
    if predicted.shape != truth.shape:
        raise DataError(f"predictions {predicted.shape} and truth {truth.shape} differ in shape")
    error = predicted - truth
    mse = float(np.mean(error**2))
    return ForecastErrors(mae=float(np.mean(np.abs(error))), rmse=float(np.sqrt(mse)), mse=mse)


def persistence_forecast(values: np.ndarray, last_rows, target_rows) -> np.ndarray:
    """values (N, K), last_rows (W,), target_rows (W, H) -> (W, H, K): the last observed value repeated."""
    values, last_rows, target_rows = np.asarray(values), np.asarray(last_rows), np.asarray(target_rows)
    return np.broadcast_to(values[last_rows][:, None, :], (*target_rows.shape, values.shape[1])).copy()


def seasonal_naive_forecast(values: np.ndarray, last_rows, target_rows, season: int) -> np.ndarray:
    """values (N, K) -> (W, H, K): row ``q`` takes row ``q - k*season``, ``k = ceil((q - last) / season)``."""
    if season < 1:
        raise DataError(f"season must be >= 1 rows, got {season}")
    values, last_rows, target_rows = np.asarray(values), np.asarray(last_rows), np.asarray(target_rows)
    ahead = target_rows - last_rows[:, None]  # (W, H), >= 1
    source = target_rows - season * (-(-ahead // season))  # ceil division
    if source.min() < 0:
        raise DataError(f"seasonal naive needs {season} rows of history before the first window")
    return values[source]  # (W, H, K)


def plot_forecast(truth: np.ndarray, forecasts: dict[str, np.ndarray], path: str | Path,
                  title: str = "forecast vs truth", ylabel: str = "value") -> Path | None:
    """Line plot of a truth series and forecasts of it (1-D arrays, same length); needs matplotlib.

    Returns the path, or None (with a one-line warning) when matplotlib is missing.
    """
    plt = load_pyplot("forecast plot")
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(np.asarray(truth), label="truth", color="black", linewidth=1.2)
    for name, series in forecasts.items():
        ax.plot(np.asarray(series), label=name, linewidth=0.9, alpha=0.85)
    ax.set_xlabel("test window")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
