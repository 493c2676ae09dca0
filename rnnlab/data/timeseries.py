"""Time series from CSV: a timestamp column and numeric columns, with explicit gap handling.

:func:`read_time_series_csv` returns a :class:`TimeSeries` (timestamps, a
``(N, F)`` float array, column names). Two kinds of holes are handled by
explicit policies; **both default to "error"**, so nothing is filled silently:

``missing`` -- a cell is empty, ``NaN``/``NA``, or equal to a placeholder
(``placeholders``, default ``(-9999.0,)``, the sentinel of weather.csv's wind speed):

- ``"error"``: raise, naming file, line and column;
- ``"interpolate"``: linear in time between the nearest valid values of the
  column (before the first / after the last valid value: that value);
- ``"ffill"``: repeat the previous valid value (leading holes take the first valid value);
- ``"drop"``: drop the row; the hole it leaves in time is then a gap, handled by ``gaps``.

``gaps`` -- a timestamp is missing (the difference to the previous row is more
than the sampling ``step``, which is inferred as the most common difference):

- ``"error"``: raise, naming the line and both timestamps;
- ``"interpolate"`` / ``"ffill"``: insert the missing timestamps, values as above;
- ``"ignore"``: keep the rows as they are (windows may then span the gap).

A repeated timestamp is an error under ``gaps="error"``; under any other
policy its first row is kept. Timestamps that go backwards are always an error.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np

from rnnlab.data.files import DecodeErrors, check_file, iter_lines, where
from rnnlab.errors import ConfigError, DataError, suggest

MissingPolicy = Literal["error", "interpolate", "ffill", "drop"]
GapPolicy = Literal["error", "interpolate", "ffill", "ignore"]
_MISSING_WORDS = {"", "nan", "na", "n/a", "null", "none"}


@dataclass(frozen=True)
class TimeSeries:
    """A regularly (or, with ``gaps="ignore"``, irregularly) sampled multivariate series."""

    timestamps: np.ndarray  # (N,) datetime64[s], increasing
    values: np.ndarray  # (N, F) float64, no NaN
    columns: list[str]  # F names, in the order of values' columns
    filled: np.ndarray  # (N,) bool: True where the row or some cell was filled in

    def __len__(self) -> int:
        return len(self.timestamps)


def _pick_column(spec: str | int, header: list[str], path, what: str) -> int:
    if isinstance(spec, int):
        if not -len(header) <= spec < len(header):
            raise DataError(f"{where(path, 1)}: {what} index {spec} is out of range; the file has {len(header)} columns")
        return spec % len(header)
    if spec not in header:
        raise DataError(
            f"{where(path, 1)}: no column {spec!r}{suggest(spec, header)}; the columns are: {', '.join(header)}"
        )
    return header.index(spec)


def _read_rows(path, delimiter: str, errors: DecodeErrors):
    """Header, the rows, and the 1-based line where each row starts."""
    reader = csv.reader((line + "\n" for _, line in iter_lines(path, errors=errors)), delimiter=delimiter)
    header = next(reader)
    rows, lines = [], []
    start = reader.line_num + 1
    for row in reader:
        if row:
            if len(row) != len(header):
                raise DataError(f"{where(path, start)}: expected {len(header)} fields like the header, found {len(row)}")
            rows.append(row)
            lines.append(start)
        start = reader.line_num + 1
    if not rows:
        raise DataError(f"{where(path)}: no data rows; expected a header and at least one row")
    return [name.strip() for name in header], rows, np.asarray(lines)


def _parse_times(cells: list[str], lines, path, column: str, time_format: str | None) -> np.ndarray:
    if time_format is None:
        try:
            return np.array(cells, dtype="datetime64[s]")
        except ValueError:
            pass
    parsed = []
    for cell, line in zip(cells, lines):
        try:
            parsed.append(
                np.datetime64(datetime.strptime(cell.strip(), time_format), "s")
                if time_format
                else np.datetime64(cell.strip(), "s")
            )
        except ValueError:
            expected = f"format {time_format!r}" if time_format else "an ISO 8601 date/time like 2020-01-01 00:10:00"
            raise DataError(f"{where(path, line)}: column {column!r}: {cell!r} is not a timestamp; expected {expected}") from None
    return np.array(parsed, dtype="datetime64[s]")


def _parse_numbers(cells: list[str], lines, path, column: str) -> np.ndarray:
    try:
        return np.array(cells, dtype=np.float64)
    except ValueError:
        pass
    out = np.empty(len(cells))
    for i, (cell, line) in enumerate(zip(cells, lines)):
        text = cell.strip()
        if text.lower() in _MISSING_WORDS:
            out[i] = np.nan
            continue
        try:
            out[i] = float(text)
        except ValueError:
            raise DataError(f"{where(path, line)}: column {column!r}: {cell!r} is not a number") from None
    return out


def _fill(times: np.ndarray, values: np.ndarray, how: str) -> np.ndarray:
    """Fill NaNs in each column of ``values`` (N, F) by time interpolation or forward fill."""
    values = values.copy()
    x = times.astype(np.int64).astype(np.float64)
    for f in range(values.shape[1]):
        column = values[:, f]  # view
        valid = ~np.isnan(column)
        if valid.all():
            continue
        if how == "interpolate":
            column[~valid] = np.interp(x[~valid], x[valid], column[valid])
        else:  # ffill: index of the last valid row at or before each row
            last = np.maximum.accumulate(np.where(valid, np.arange(len(column)), -1))
            last[last < 0] = np.flatnonzero(valid)[0]
            column[:] = column[last]
    return values


def read_time_series_csv(
    path: str | os.PathLike,
    time_col: str | int = 0,
    columns: list[str | int] | None = None,
    *,
    missing: MissingPolicy = "error",
    gaps: GapPolicy = "error",
    placeholders: tuple[float, ...] = (-9999.0,),
    step: np.timedelta64 | None = None,
    time_format: str | None = None,
    delimiter: str = ",",
    errors: DecodeErrors = "strict",
) -> TimeSeries:
    """Read a CSV time series (header row, one timestamp column, numeric columns).

    Args:
        path: the CSV file.
        time_col: name or 0-based index of the timestamp column.
        columns: names or indices of the value columns; default every other column.
        missing: policy for empty cells and placeholders (see the module docstring).
        gaps: policy for missing or repeated timestamps (see the module docstring).
        placeholders: values that mean "missing" (compared exactly).
        step: the sampling interval, e.g. ``np.timedelta64(10, "m")``;
            default the most common difference between consecutive timestamps.
        time_format: a ``datetime.strptime`` format; default ISO 8601.
        delimiter: field separator.
        errors: ``"strict"`` or ``"replace"`` for invalid UTF-8.

    Raises:
        DataError: a non-numeric value (naming file, line and column), a
            missing column, a hole under an ``"error"`` policy, or a column with no valid value.
    """
    if missing not in ("error", "interpolate", "ffill", "drop"):
        raise ConfigError(f"missing must be 'error', 'interpolate', 'ffill' or 'drop', got {missing!r}")
    if gaps not in ("error", "interpolate", "ffill", "ignore"):
        raise ConfigError(f"gaps must be 'error', 'interpolate', 'ffill' or 'ignore', got {gaps!r}")
    path = check_file(path)
    header, rows, lines = _read_rows(path, delimiter, errors)
    time_index = _pick_column(time_col, header, path, "time_col")
    if columns is None:
        value_indices = [i for i in range(len(header)) if i != time_index]
    else:
        value_indices = [_pick_column(c, header, path, "column") for c in columns]
    names = [header[i] for i in value_indices]
    times = _parse_times([row[time_index] for row in rows], lines, path, header[time_index], time_format)
    values = np.stack([_parse_numbers([row[i] for row in rows], lines, path, header[i]) for i in value_indices], axis=1)

    # 1. Missing values: NaN cells and placeholders.
    for placeholder in placeholders:
        values[values == placeholder] = np.nan
    holes = np.isnan(values)  # (N, F)
    if holes.any():
        row, col = np.argwhere(holes)[0]
        if missing == "error":
            raise DataError(
                f"{where(path, lines[row])}: column {names[col]!r} is missing or a placeholder "
                f"{list(placeholders)} ({int(holes.sum())} such cells); pass missing='interpolate', 'ffill' or 'drop'"
            )
        for f in np.flatnonzero(holes.all(axis=0)):
            raise DataError(f"{path}: column {names[f]!r} has no valid value")
        if missing == "drop":
            keep = ~holes.any(axis=1)
            times, values, lines, holes = times[keep], values[keep], lines[keep], holes[keep]
        else:
            values = _fill(times, values, missing)
    filled = holes.any(axis=1)

    # 2. Order, repeats and gaps in time.
    diffs = np.diff(times)
    backwards = np.flatnonzero(diffs < np.timedelta64(0, "s"))
    if len(backwards):
        i = backwards[0]
        raise DataError(f"{where(path, lines[i + 1])}: timestamp {times[i + 1]} is earlier than the previous row's {times[i]}")
    repeats = np.flatnonzero(diffs == np.timedelta64(0, "s"))
    if len(repeats):
        if gaps == "error":
            i = repeats[0]
            raise DataError(
                f"{where(path, lines[i + 1])}: timestamp {times[i + 1]} repeats line {lines[i]} "
                f"({len(repeats)} repeats); pass gaps='interpolate', 'ffill' or 'ignore' to keep the first row"
            )
        keep = np.ones(len(times), dtype=bool)
        keep[repeats + 1] = False
        times, values, lines, filled = times[keep], values[keep], lines[keep], filled[keep]
        diffs = np.diff(times)
    if step is None and len(diffs):
        unique, counts = np.unique(diffs, return_counts=True)
        step = unique[np.argmax(counts)]
    if step is not None and gaps != "ignore":
        step = np.timedelta64(step, "s")
        late = np.flatnonzero(diffs > step)
        if len(late) and gaps == "error":
            i = late[0]
            raise DataError(
                f"{where(path, lines[i + 1])}: gap in time from {times[i]} to {times[i + 1]} (step {step}; "
                f"{len(late)} gaps); pass gaps='interpolate', 'ffill' or 'ignore'"
            )
        if len(late):
            # Only the holes get new rows: t_prev + step, t_prev + 2*step, ... < t_next.
            missing_times = np.concatenate([np.arange(times[i] + step, times[i + 1], step) for i in late])
            order = np.argsort(np.concatenate([times, missing_times]), kind="stable")
            times = np.concatenate([times, missing_times])[order]
            values = np.concatenate([values, np.full((len(missing_times), values.shape[1]), np.nan)])[order]
            filled = np.concatenate([filled, np.ones(len(missing_times), dtype=bool)])[order]
            values = _fill(times, values, gaps)
    return TimeSeries(timestamps=times, values=values, columns=names, filled=filled)
