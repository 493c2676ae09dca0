import pytest

from rnnlab.data.text import read_sequences, read_stream
from rnnlab.data.tokenizers import CharTokenizer, WhitespaceTokenizer, WordTokenizer
from rnnlab.errors import DataError


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("He left! Mr. Smith stayed.\n\nShe ran.\n")
    return path


def test_line_mode_frames_each_line(corpus):
    assert read_sequences(corpus, WordTokenizer()) == [
        ["<bos>", "He", "left", "!", "Mr", ".", "Smith", "stayed", ".", "<eos>"],
        ["<bos>", "She", "ran", ".", "<eos>"],
    ]


def test_sentence_mode(corpus):
    sequences = read_sequences(corpus, WhitespaceTokenizer(), unit="sentence", add_bos_eos=False)
    assert sequences == [["He", "left!"], ["Mr.", "Smith", "stayed."], ["She", "ran."]]


def test_stream_mode_eos_per_line(corpus):
    stream = read_stream(corpus, WhitespaceTokenizer())
    assert stream == ["He", "left!", "Mr.", "Smith", "stayed.", "<eos>", "<eos>", "She", "ran.", "<eos>"]


def test_stream_mode_char_keeps_newlines(corpus):
    stream = read_stream(corpus, CharTokenizer(), eos_at_line_end=False)
    assert "".join(stream) == corpus.read_text()


def test_max_len_truncates_with_warning(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("a b c d e\nf g\nh i j k\n")
    with pytest.warns(UserWarning, match=r"long\.txt: truncated 2 sequence\(s\) to max_len=3 \(first at line 1\)"):
        sequences = read_sequences(path, WhitespaceTokenizer(), max_len=3)
    assert sequences == [["<bos>", "a", "b", "c", "<eos>"], ["<bos>", "f", "g", "<eos>"], ["<bos>", "h", "i", "j", "<eos>"]]


def test_max_len_error(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("a b\nf g h i\n")
    with pytest.raises(DataError, match=r"long\.txt:2: sequence has 4 tokens, more than max_len=3"):
        read_sequences(path, WhitespaceTokenizer(), max_len=3, too_long="error")


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n")
    with pytest.raises(DataError, match=r"blank\.txt: no tokens found; expected text"):
        read_sequences(path, WordTokenizer())
