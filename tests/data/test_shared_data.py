"""Readers on the project's real data files (../shared/data), checked against SOURCES.md facts."""

from pathlib import Path

import numpy as np
import pytest

from rnnlab.data.conll import read_conllu
from rnnlab.data.parallel import read_parallel_tsv
from rnnlab.data.text import read_stream
from rnnlab.data.timeseries import read_time_series_csv
from rnnlab.data.tokenizers import CharTokenizer, WhitespaceTokenizer
from rnnlab.data.vocab import Vocab
from rnnlab.errors import DataError

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared(relative: str) -> Path:
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(f"real data file {path} is absent (the shared data folder is not mounted here)")
    return path


def test_ud_ewt_dev_counts():
    data = read_conllu(shared("ud_english_ewt/en_ewt-ud-dev.conllu"))
    assert len(data) == 2001  # sentences, as in stats.xml
    assert sum(len(s) for s in data.tokens) == 25147  # syntactic words (ranges and empty nodes skipped)
    assert data.tokens[0] == ["From", "the", "AP", "comes", "this", "story", ":"]
    assert data.tags[0] == ["ADP", "DET", "PROPN", "VERB", "DET", "NOUN", "PUNCT"]
    assert len({tag for tags in data.tags for tag in tags}) == 17


def test_spa_eng_pairs():
    pairs = read_parallel_tsv(shared("spa_eng/spa.txt"))
    assert len(pairs) == 118964
    assert (pairs.sources[0], pairs.targets[0]) == ("Go.", "Ve.")


def test_ptb_valid_stream_and_vocab():
    stream = read_stream(shared("ptb/ptb.valid.txt"), WhitespaceTokenizer())
    assert len(stream) == 73760  # 70,390 words + one <eos> per line
    vocab = Vocab.build([stream])
    assert vocab.coverage([stream]).unknown == stream.count("<unk>")


def test_tinyshakespeare_chars():
    stream = read_stream(shared("tinyshakespeare/input.txt"), CharTokenizer(), eos_at_line_end=False)
    assert len(stream) == 1115394 and len(set(stream)) == 65


def test_weather_placeholders_repeat_and_gap():
    path = shared("weather/weather.csv")
    with pytest.raises(DataError, match=r"weather\.csv:\d+: column '(OT|max\. PAR .*|wv \(m/s\))' is missing or a placeholder"):
        read_time_series_csv(path)
    with pytest.raises(DataError, match=r"weather\.csv:19046: timestamp 2020-05-12T06:00:00 repeats line 19045"):
        read_time_series_csv(path, missing="interpolate")
    series = read_time_series_csv(path, missing="interpolate", gaps="interpolate")
    assert series.values.shape == (52696 - 1 + 9, 21)  # one repeat dropped, 9 rows of the 100-minute gap inserted
    assert series.values.min() > -9999
    assert np.all(np.diff(series.timestamps) == np.timedelta64(10, "m"))


def test_melbourne_missing_days():
    path = shared("melbourne_temp/daily-min-temperatures.csv")
    with pytest.raises(DataError, match=r"gap in time from 1984-12-30T00:00:00 to 1985-01-01T00:00:00 .*2 gaps"):
        read_time_series_csv(path)
    series = read_time_series_csv(path, gaps="interpolate")
    assert len(series) == 3652 and series.filled.sum() == 2
    assert series.values.mean() == pytest.approx(11.18, abs=0.01)


def test_etth1_has_no_gaps():
    series = read_time_series_csv(shared("ett/ETTh1.csv"))
    assert series.values.shape == (17420, 7) and series.columns[-1] == "OT"
    assert series.values[:, -1].min() == pytest.approx(-4.08, abs=0.01)
