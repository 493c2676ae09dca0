"""``rnnlab train forecast`` and forecast predictions: the command line of :mod:`rnnlab.tasks.forecast`.
"""

from __future__ import annotations

import argparse
import json
import tempfile

import numpy as np
import torch

from rnnlab.config import config_from_dict
from rnnlab.data import Normalizer
from rnnlab.errors import ConfigError, DataError
from rnnlab.models.forecaster import Forecaster
from rnnlab.tasks.forecast import (ForecastExperiment, read_series, train_forecast)


def register_train(train_subparsers) -> None:
    from rnnlab.cli.classify import add_common_train_options

    parser = train_subparsers.add_parser(
        "forecast", help="train a forecaster on a CSV time series",
        description="Multivariate windows -> the next HORIZON rows of the target columns, reported beside "
                    "persistence and seasonal-naive baselines on the same test windows.")
    parser.add_argument("--data", metavar="FILE.csv", help="data.path")
    parser.add_argument("--target", nargs="+", metavar="COLUMN", help="target column names or 0-based indices")
    parser.add_argument("--lookback", type=int, help="data.lookback: input rows")
    parser.add_argument("--horizon", type=int, help="data.horizon: output rows")
    parser.add_argument("--delay", type=int, help="data.delay: rows between the inputs' end and the first target")
    parser.add_argument("--step", type=int, help="data.step: read every N-th input row")
    parser.add_argument("--season", type=int, help="data.season: rows per season (seasonal naive)")
    add_common_train_options(parser)
    parser.set_defaults(func=run_train_forecast)


def _column_spec(text: str) -> str | int:
    return int(text) if text.isdigit() else text


def run_train_forecast(args: argparse.Namespace) -> int:
    from rnnlab.cli.classify import build_experiment

    config = build_experiment(ForecastExperiment, args, {
        "data.path": args.data, "data.target": [_column_spec(t) for t in args.target] if args.target else None,
        "data.lookback": args.lookback, "data.horizon": args.horizon, "data.delay": args.delay,
        "data.step": args.step, "data.season": args.season})
    train_forecast(config, resume=args.resume, log=lambda m: print(m, flush=True))
    print(f"run folder: {config.train.out_dir}  (metrics.json, forecast.png, checkpoints/)")
    return 0


def run_predict_forecast(saved, args: argparse.Namespace) -> int:
    """``rnnlab predict RUN --file recent.csv``: forecast the rows after the file's end (original units)."""
    config = config_from_dict(ForecastExperiment, saved.config)
    data = config.data
    if args.text:
        raise ConfigError("a forecast run reads a CSV: pass --file FILE.csv or the CSV on stdin, not TEXT")
    path = args.file
    if path is None:
        import sys

        handle = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8")
        handle.write(sys.stdin.read())
        handle.close()
        path = handle.name
    timestamps, raw, names, target_index = read_series(data, path)
    if names != saved.vocab["columns"]:
        raise DataError(f"{args.file or 'stdin'}: columns {names} differ from the run's {saved.vocab['columns']}")
    if len(raw) < data.lookback:
        raise DataError(f"{args.file or 'stdin'}: {len(raw)} rows, but the run looks back {data.lookback} rows")
    normalizer = Normalizer.from_dict(saved.vocab["normalizer"])
    model = Forecaster(config.model, len(names), data.horizon, target_index)
    model.load_state_dict(saved.model_state)
    model.eval()
    window = torch.as_tensor(normalizer.transform(raw[-data.lookback:])[::data.step], dtype=torch.float32)
    with torch.no_grad():
        predicted = model(window[None])[0].numpy()  # (H, K)
    values = predicted * normalizer.std[target_index] + normalizer.mean[target_index]
    step = timestamps[-1] - timestamps[-2] if len(timestamps) > 1 else np.timedelta64(0, "s")
    times = [str(timestamps[-1] + step * (data.delay + 1 + h)) for h in range(data.horizon)]
    targets = [names[i] for i in target_index]
    if args.json:
        print(json.dumps({"targets": targets, "timestamps": times, "forecast": values.tolist()}))
    else:
        print("timestamp\t" + "\t".join(targets))
        for t, row in zip(times, values):
            print(t + "\t" + "\t".join(f"{v:.4f}" for v in row))
    return 0
