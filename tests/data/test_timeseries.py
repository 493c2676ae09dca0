import numpy as np
import pytest

from rnnlab.data.timeseries import read_time_series_csv
from rnnlab.errors import ConfigError, DataError

HEADER = "date,p (mbar),wv (m/s)\n"


def write(tmp_path, body, name="w.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def test_reads_values_and_timestamps(tmp_path):
    path = write(tmp_path, "2020-01-01 00:10:00,1008.89,1.02\r\n2020-01-01 00:20:00,1008.76,0.43\r\n")
    series = read_time_series_csv(path)
    assert series.columns == ["p (mbar)", "wv (m/s)"]
    assert series.values.tolist() == [[1008.89, 1.02], [1008.76, 0.43]]
    assert series.timestamps[1] - series.timestamps[0] == np.timedelta64(10, "m")
    assert not series.filled.any()
    assert read_time_series_csv(path, columns=[2]).values[:, 0].tolist() == [1.02, 0.43]


def test_non_numeric_names_line_and_column(tmp_path):
    path = write(tmp_path, "2020-01-01 00:10:00,1008.89,1.02\n2020-01-01 00:20:00,high,0.43\n")
    with pytest.raises(DataError) as info:
        read_time_series_csv(path)
    assert str(info.value) == f"{path}:3: column 'p (mbar)': 'high' is not a number"


def test_bad_timestamp(tmp_path):
    path = write(tmp_path, "2020-01-01 00:10:00,1,1\nyesterday,2,2\n")
    with pytest.raises(DataError, match=r"w\.csv:3: column 'date': 'yesterday' is not a timestamp"):
        read_time_series_csv(path)


PLACEHOLDER = (
    "2020-01-01 00:00:00,1,0\n"
    "2020-01-01 00:10:00,2,-9999\n"
    "2020-01-01 00:20:00,3,-9999\n"
    "2020-01-01 00:30:00,4,3\n"
)


def test_placeholder_error_by_default(tmp_path):
    path = write(tmp_path, PLACEHOLDER)
    with pytest.raises(DataError, match=r"w\.csv:3: column 'wv \(m/s\)' is missing or a placeholder \[-9999\.0\] \(2 such cells\)"):
        read_time_series_csv(path)


def test_placeholder_interpolate_ffill_drop(tmp_path):
    path = write(tmp_path, PLACEHOLDER)
    interpolated = read_time_series_csv(path, missing="interpolate")
    assert interpolated.values[:, 1].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert interpolated.filled.tolist() == [False, True, True, False]
    assert read_time_series_csv(path, missing="ffill").values[:, 1].tolist() == [0.0, 0.0, 0.0, 3.0]
    with pytest.raises(DataError, match=r"w\.csv:5: gap in time from 2020-01-01T00:00:00 to 2020-01-01T00:30:00"):
        # Dropped rows leave a gap, and gaps default to "error" (with two rows left, the step must be given).
        read_time_series_csv(path, missing="drop", step=np.timedelta64(10, "m"))
    dropped = read_time_series_csv(path, missing="drop", gaps="ignore", step=np.timedelta64(10, "m"))
    assert dropped.values[:, 0].tolist() == [1.0, 4.0]


GAP = (
    "2020-05-29 09:20:00,1,10\n"
    "2020-05-29 09:30:00,2,20\n"
    "2020-05-29 10:00:00,5,50\n"
    "2020-05-29 10:10:00,6,60\n"
)


def test_gap_error_by_default(tmp_path):
    path = write(tmp_path, GAP)
    with pytest.raises(DataError) as info:
        read_time_series_csv(path)
    assert str(info.value).startswith(f"{path}:4: gap in time from 2020-05-29T09:30:00 to 2020-05-29T10:00:00")


def test_gap_interpolate_and_ffill(tmp_path):
    path = write(tmp_path, GAP)
    series = read_time_series_csv(path, gaps="interpolate")
    assert [str(t) for t in series.timestamps[2:4]] == ["2020-05-29T09:40:00", "2020-05-29T09:50:00"]
    assert series.values[:, 0].tolist() == [1, 2, 3, 4, 5, 6]
    assert series.filled.tolist() == [False, False, True, True, False, False]
    assert read_time_series_csv(path, gaps="ffill").values[:, 1].tolist() == [10, 20, 20, 20, 50, 60]
    assert len(read_time_series_csv(path, gaps="ignore")) == 4


def test_repeated_and_backward_timestamps(tmp_path):
    path = write(tmp_path, "2020-01-01 00:00:00,1,1\n2020-01-01 00:10:00,2,2\n2020-01-01 00:10:00,9,9\n2020-01-01 00:20:00,3,3\n")
    with pytest.raises(DataError, match=r"w\.csv:4: timestamp 2020-01-01T00:10:00 repeats line 3"):
        read_time_series_csv(path)
    assert read_time_series_csv(path, gaps="interpolate").values[:, 0].tolist() == [1, 2, 3]
    path = write(tmp_path, "2020-01-01 00:10:00,1,1\n2020-01-01 00:00:00,2,2\n")
    with pytest.raises(DataError, match=r"w\.csv:3: timestamp 2020-01-01T00:00:00 is earlier"):
        read_time_series_csv(path, gaps="ignore")


def test_missing_column_and_policy_names(tmp_path):
    path = write(tmp_path, "2020-01-01 00:00:00,1,1\n")
    with pytest.raises(DataError, match=r"w\.csv:1: no column 'wv'.*the columns are: date, p \(mbar\), wv \(m/s\)"):
        read_time_series_csv(path, columns=["wv"])
    with pytest.raises(ConfigError, match="gaps must be"):
        read_time_series_csv(path, gaps="drop")


def test_quoted_header_and_custom_time_format(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('"Date","Temp"\n"01/02/1981",20.7\n"02/02/1981",17.9\n')
    series = read_time_series_csv(path, time_format="%d/%m/%Y")
    assert series.columns == ["Temp"] and str(series.timestamps[1]) == "1981-02-02T00:00:00"
