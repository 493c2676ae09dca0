"""The forecasting task. .

Split protocols (``data.split``):

* ``ratio`` (Autoformer's ``Dataset_Custom``, weather.csv): first ``fractions[0]`` of the
  rows train, last ``fractions[2]`` test, the rest valid;
* ``ett`` (Informer / Autoformer ``Dataset_ETT_*``): 12 / 4 / 4 months of 30 days
  (hourly rows [0, 8640), [8640, 11520), [11520, 14400); x4 for 15-minute data).

Valid and test windows may look back ``lookback`` rows across their border (as those
loaders do); targets never cross it. Values are standardised with the training rows'
mean and std; errors are reported in those units and in the original units, beside
the persistence and seasonal-naive baselines on the same windows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F

from rnnlab.config import check_fields, require_at_least
from rnnlab.data import Normalizer, TimeWindows, read_time_series_csv
from rnnlab.errors import ConfigError, DataError
from rnnlab.evaluation.forecasting import (forecast_errors, persistence_forecast, plot_forecast,
    seasonal_naive_forecast)
from rnnlab.models.forecaster import Forecaster, ForecasterConfig
from rnnlab.training import StepOutput, Trainer, TrainConfig, seed_everything


@dataclass
class ForecastDataConfig:
    """The series, its windows and its split."""

    path: str = ""                        # CSV with a timestamp column
    time_col: str | int = 0               # timestamp column (name or 0-based index)
    columns: list[str | int] | None = None  # input columns (names or indices); None = every other column
    target: list[str | int] = field(default_factory=list)  # target columns (also fed as inputs)
    lookback: int = 96                    # input rows before the anchor
    step: int = 1                         # read every step-th input row
    delay: int = 0                        # first target row = anchor + delay (0: the row right after the inputs)
    horizon: int = 1                      # consecutive target rows (direct multi-step)
    stride: int = 1                       # distance between training anchors
    split: Literal["ratio", "ett"] = "ratio"  # split protocol (see the module docstring)
    fractions: tuple[float, float, float] = (0.7, 0.1, 0.2)  # ratio: train / valid / test
    season: int = 24                      # rows per season for the seasonal-naive baseline (a day of rows)
    missing: Literal["error", "interpolate", "ffill", "drop"] = "interpolate"  # empty cells and -9999
    gaps: Literal["error", "interpolate", "ffill", "ignore"] = "interpolate"   # missing / repeated timestamps
    loss: Literal["mse", "mae"] = "mse"   # training loss on standardised targets

    def __post_init__(self) -> None:
        check_fields(self)
        require_at_least(self, ("lookback", "step", "horizon", "stride", "season"), prefix="data.")
        if self.delay < 0:
            raise ConfigError(f"data.delay must be >= 0, got {self.delay}")
        if abs(sum(self.fractions) - 1.0) > 1e-6 or min(self.fractions) < 0:
            raise ConfigError(f"data.fractions must be three non-negative numbers summing to 1, got {list(self.fractions)}")


@dataclass
class ForecastExperiment:
    """``rnnlab train forecast``: one run."""

    task: Literal["forecast"] = "forecast"
    data: ForecastDataConfig = field(default_factory=ForecastDataConfig)
    model: ForecasterConfig = field(default_factory=ForecasterConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


@dataclass
class SeriesData:
    """A read series, its column choice and normalisation."""

    timestamps: np.ndarray   # (N,)
    values: np.ndarray       # (N, F) original units, input columns
    names: list[str]         # F input column names
    target_index: list[int]  # target columns among the inputs
    normalizer: Normalizer   # fitted on training rows


def _column_index(spec: str | int, names: list[str], where: str) -> int:
    if isinstance(spec, int):
        if not 0 <= spec < len(names):
            raise ConfigError(f"{where}: column index {spec} out of range; the columns are: {', '.join(names)}")
        return spec
    if spec not in names:
        from rnnlab.errors import suggest

        raise DataError(f"{where}: no column {spec!r}{suggest(spec, names)}; the columns are: {', '.join(names)}")
    return names.index(spec)


def read_series(data: ForecastDataConfig, path: str | None = None):
    """Read the CSV (all value columns) and pick inputs and targets."""
    path = path or data.path
    if not path:
        raise ConfigError("no data: pass --data FILE.csv (or data.path in the config)")
    if not data.target:
        raise ConfigError("no target: pass --target COLUMN (or data.target in the config)")
    series = read_time_series_csv(path, time_col=data.time_col, missing=data.missing, gaps=data.gaps)
    inputs = (list(range(len(series.columns))) if data.columns is None
              else [_column_index(c, series.columns, path) for c in data.columns])
    targets = [_column_index(c, series.columns, path) for c in data.target]
    inputs += [t for t in targets if t not in inputs]  # targets are always inputs too
    names = [series.columns[i] for i in inputs]
    return series.timestamps, series.values[:, inputs], names, [inputs.index(t) for t in targets]


def split_borders(data: ForecastDataConfig, n: int, timestamps: np.ndarray) -> tuple[int, int, int]:
    """(train_end, valid_end, test_end) row borders of the protocol."""
    if data.split == "ett":
        seconds = float(np.median(np.diff(timestamps[:100]).astype("timedelta64[s]").astype(np.float64)))
        per_month = int(round(30 * 24 * 3600 / seconds))
        borders = (12 * per_month, 16 * per_month, 20 * per_month)
        if borders[2] > n:
            raise DataError(f"the ett split needs {borders[2]} rows (20 months of 30 days); the series has {n}")
        return borders
    train_end = int(n * data.fractions[0])
    test_rows = int(n * data.fractions[2])
    return train_end, n - test_rows, n


def make_windows(values: np.ndarray, data: ForecastDataConfig, target_index: list[int], start: int, end: int,
                 stride: int, part: str) -> TimeWindows:
    try:
        return TimeWindows(values, data.lookback, data.delay, data.step, data.horizon, target_index,
                           start=max(start, 0), end=end, stride=stride)
    except (DataError, ConfigError) as error:
        raise DataError(f"{part} split, rows [{max(start, 0)}, {end}): lookback {data.lookback} + delay "
                        f"{data.delay} + horizon {data.horizon} does not fit ({error})") from None


def stack_windows(windows: TimeWindows, index) -> tuple[torch.Tensor, torch.Tensor]:
    """Windows ``index`` stacked: inputs (B, L', F), targets (B, H, K)."""
    anchors = torch.as_tensor([windows.anchors[i] for i in index])
    inputs_rows = anchors[:, None] - windows.lookback + torch.arange(0, windows.lookback, windows.step)
    target_rows = anchors[:, None] + windows.delay + torch.arange(windows.horizon)
    targets = windows.values[target_rows][..., windows.target_columns]
    return windows.values[inputs_rows], targets


def window_rows(windows: TimeWindows) -> tuple[np.ndarray, np.ndarray]:
    """(last observed input row (W,), target rows (W, H)) of every window."""
    anchors = np.asarray(windows.anchors)
    last = anchors - windows.lookback + windows.step * ((windows.lookback - 1) // windows.step)
    return last, anchors[:, None] + windows.delay + np.arange(windows.horizon)


class ForecastTask:
    """Trainer hooks: MSE (or MAE) on standardised targets; MAE logged as a metric."""

    def __init__(self, loss: str = "mse"):
        self.loss_name = loss

    def loss(self, model, batch, state):
        inputs, targets = batch
        predicted = model(inputs)  # (B, H, K)
        loss = F.mse_loss(predicted, targets) if self.loss_name == "mse" else F.l1_loss(predicted, targets)
        return StepOutput(loss, n_items=len(inputs), metrics={"mae": F.l1_loss(predicted.detach(), targets)})


def predict_windows(model, windows: TimeWindows, batch_size: int = 512) -> np.ndarray:
    """Standardised predictions (W, H, K) for every window."""
    model.eval()
    device = next(model.parameters()).device
    out = []
    with torch.no_grad():
        for start in range(0, len(windows), batch_size):
            inputs, _ = stack_windows(windows, range(start, min(start + batch_size, len(windows))))
            out.append(model(inputs.to(device)).cpu().numpy())
    return np.concatenate(out).astype(np.float64)


def train_forecast(config: ForecastExperiment, resume: bool = False, log=print) -> dict:
    """Train, then score the test windows beside persistence and seasonal naive; writes metrics.json and forecast.png."""
    from rnnlab.tasks.classify import best_weights, resume_path, write_metrics

    data = config.data
    timestamps, raw, names, target_index = read_series(data)
    train_end, valid_end, test_end = split_borders(data, len(raw), timestamps)
    normalizer = Normalizer.fit(raw[:train_end])
    values = normalizer.transform(raw)
    train = make_windows(values, data, target_index, 0, train_end, data.stride, "train")
    valid = make_windows(values, data, target_index, train_end - data.lookback, valid_end, 1, "valid")
    test = make_windows(values, data, target_index, valid_end - data.lookback, test_end, 1, "test")
    log(f"forecast: {len(train)} train / {len(valid)} valid / {len(test)} test windows; {len(names)} inputs, "
        f"targets {[names[i] for i in target_index]}, lookback {data.lookback}, delay {data.delay}, "
        f"horizon {data.horizon}")
    seed_everything(config.train.seed)
    model = Forecaster(config.model, len(names), data.horizon, target_index)
    bs = config.train.batch_size

    def train_batches(epoch):
        order = torch.randperm(len(train), generator=torch.Generator().manual_seed(config.train.seed + epoch))
        return [stack_windows(train, chunk.tolist()) for chunk in order.split(bs)]

    def valid_batches():
        return [stack_windows(valid, range(s, min(s + bs * 4, len(valid)))) for s in range(0, len(valid), bs * 4)]

    trainer = Trainer(model, ForecastTask(data.loss), config.train, train_batches, valid_batches,
                      vocab={"columns": names, "target_index": target_index, "normalizer": normalizer.to_dict()},
                      run_config=config, item_name="windows")
    fit = trainer.fit(resume=resume_path(config, resume))
    best_weights(trainer, fit)

    # Score the test windows: model and baselines, standardised and original units.
    predicted = predict_windows(trainer.model, test)  # (W, H, K) standardised
    last, rows = window_rows(test)
    truth = raw[:, target_index][rows]  # (W, H, K) original units
    mean, std = normalizer.mean[target_index], normalizer.std[target_index]
    forecasts = {
        "model": predicted * std + mean,
        "persistence": persistence_forecast(raw[:, target_index], last, rows),
        "seasonal_naive": seasonal_naive_forecast(raw[:, target_index], last, rows, data.season),
    }
    metrics: dict[str, Any] = {"task": "forecast", "stop_reason": fit.stop_reason, "steps": fit.steps,
                               "wall_time_s": round(fit.wall_time_s, 1), "test_windows": len(test), "test": {}}
    for name, forecast in forecasts.items():
        metrics["test"][name] = {"original": asdict(forecast_errors(forecast, truth)),
                                 "normalised": asdict(forecast_errors((forecast - mean) / std, (truth - mean) / std))}
    base = metrics["test"]["persistence"]["original"]["mae"]
    metrics["mae_vs_persistence"] = 1.0 - metrics["test"]["model"]["original"]["mae"] / base if base else None
    log(format_forecast_metrics(metrics))
    shown = slice(0, min(len(test), 500))
    plot_forecast(truth[shown, -1, 0], {k: v[shown, -1, 0] for k, v in forecasts.items()},
                  Path(config.train.out_dir) / "forecast.png",
                  title=f"{names[target_index[0]]}, step {data.delay + data.horizon} ahead (test)",
                  ylabel=names[target_index[0]])
    write_metrics(config.train.out_dir, metrics)
    return metrics


def format_forecast_metrics(metrics: dict) -> str:
    lines = [f"{'test':<15} {'MAE':>9} {'RMSE':>9} {'MSE':>10} | {'MAE (std)':>9} {'MSE (std)':>9}"]
    for name, errors in metrics["test"].items():
        o, s = errors["original"], errors["normalised"]
        lines.append(f"{name:<15} {o['mae']:9.4f} {o['rmse']:9.4f} {o['mse']:10.4f} | {s['mae']:9.4f} {s['mse']:9.4f}")
    if metrics.get("mae_vs_persistence") is not None:
        lines.append(f"model MAE is {metrics['mae_vs_persistence']:+.1%} better than persistence")
    return "\n".join(lines)
