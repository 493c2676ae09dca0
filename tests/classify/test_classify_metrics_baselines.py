"""Metrics and baselines against hand computations."""

import numpy as np
import pytest

from rnnlab.evaluation.classification import classification_report, confusion_matrix, plot_confusion
from rnnlab.evaluation.forecasting import (forecast_errors, persistence_forecast, plot_forecast,
                                           seasonal_naive_forecast)


def test_confusion_and_macro_f1_by_hand(tmp_path):
    truth, predicted = [0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]
    assert confusion_matrix(truth, predicted, 3).tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    report = classification_report(truth, predicted, ["a", "b", "c"])
    assert report.accuracy == pytest.approx(4 / 6)
    # a: p 1/2 r 1/2 f1 1/2; b: p 2/3 r 1 f1 0.8; c: p 1 r 1/2 f1 2/3
    assert [c.f1 for c in report.classes] == pytest.approx([0.5, 0.8, 2 / 3])
    assert [c.precision for c in report.classes] == pytest.approx([0.5, 2 / 3, 1.0])
    assert [c.support for c in report.classes] == [2, 2, 2]
    assert report.macro_f1 == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    assert "macro-F1" in report.format()
    assert plot_confusion(report, tmp_path / "c.png").stat().st_size > 0


def test_class_never_predicted_has_zero_precision_not_nan():
    report = classification_report([0, 1], [0, 0], ["x", "y"])
    assert report.classes[1].precision == 0.0 and report.classes[1].f1 == 0.0


def test_forecast_errors_by_hand():
    errors = forecast_errors([1.0, 2.0, 4.0], [1.0, 3.0, 2.0])
    assert errors.mae == pytest.approx(1.0) and errors.mse == pytest.approx(5 / 3)
    assert errors.rmse == pytest.approx(np.sqrt(5 / 3))


def test_baselines_on_hand_made_series(tmp_path):
    values = np.arange(10, dtype=float)[:, None] * np.array([[1.0, 10.0]])  # (10, 2)
    last, rows = np.array([3, 5]), np.array([[4, 5, 6], [6, 7, 8]])
    persistence = persistence_forecast(values, last, rows)
    assert persistence[:, :, 0].tolist() == [[3, 3, 3], [5, 5, 5]]
    assert persistence[0, :, 1].tolist() == [30, 30, 30]
    # season 2: row 4 <- 2, row 5 <- 3, row 6 <- 2 (the last observed row is 3); row 6 <- 4, 7 <- 5, 8 <- 4
    seasonal = seasonal_naive_forecast(values, last, rows, season=2)
    assert seasonal[:, :, 0].tolist() == [[2, 3, 2], [4, 5, 4]]
    # season 1 is persistence
    assert np.array_equal(seasonal_naive_forecast(values, last, rows, season=1), persistence)
    assert plot_forecast(values[:, 0], {"p": values[:, 0] + 1}, tmp_path / "f.png").stat().st_size > 0
