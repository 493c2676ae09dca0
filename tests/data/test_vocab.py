import json
from collections import Counter

import pytest

from rnnlab.data.vocab import BOS_ID, EOS_ID, PAD_ID, SPECIAL_TOKENS, UNK_ID, Vocab
from rnnlab.errors import ConfigError, DataError


def test_special_ids_are_stable():
    assert (PAD_ID, UNK_ID, BOS_ID, EOS_ID) == (0, 1, 2, 3)
    vocab = Vocab.build([["x"]])
    assert vocab.tokens[:4] == ["<pad>", "<unk>", "<bos>", "<eos>"] == list(SPECIAL_TOKENS)


def test_order_by_count_then_alphabetical():
    # 'b' and 'c' tie at 2, 'z' and 'a' tie at 1: ties alphabetical, whatever the reading order.
    vocab = Vocab.build([["c", "z", "b", "c"], ["b", "a", "d", "d", "d"]])
    assert vocab.tokens[4:] == ["d", "b", "c", "a", "z"]
    reordered = Vocab.build([["a", "z", "d", "d", "d"], ["b", "b", "c", "c"]])
    assert reordered == vocab


def test_max_size_and_min_freq():
    counts = Counter({"a": 5, "b": 3, "c": 3, "d": 1})
    assert Vocab.build(counts, max_size=2).tokens[4:] == ["a", "b"]
    assert Vocab.build(counts, min_freq=3).tokens[4:] == ["a", "b", "c"]
    with pytest.raises(ConfigError, match="min_freq must be >= 1"):
        Vocab.build(counts, min_freq=0)


def test_literal_special_tokens_in_text_keep_their_ids():
    vocab = Vocab.build([["<unk>", "<unk>", "w", "<eos>"]])
    assert vocab.tokens == ["<pad>", "<unk>", "<bos>", "<eos>", "w"]
    assert vocab.encode(["<unk>", "w", "<eos>"]) == [1, 4, 3]


def test_encode_decode():
    vocab = Vocab.build([["the", "cat", "the"]])
    ids = vocab.encode(["the", "dog", "cat"], add_bos=True, add_eos=True)
    assert ids == [2, 4, 1, 5, 3]
    assert vocab.decode(ids) == ["the", "<unk>", "cat"]
    assert vocab.decode(ids, skip_special=False) == ["<bos>", "the", "<unk>", "cat", "<eos>"]
    with pytest.raises(DataError, match="token id 99 is out of range for a vocabulary of 6"):
        vocab.decode([99])


def test_json_round_trip_exact(tmp_path):
    vocab = Vocab.build([["é", "naïve", "日本", '"quote"', "a b", "é"]])
    path = tmp_path / "vocab.json"
    vocab.save(path)
    loaded = Vocab.load(path)
    assert loaded.tokens == vocab.tokens
    assert loaded.fingerprint() == vocab.fingerprint()
    assert loaded.token_to_id("é") == 4


def test_load_errors(tmp_path):
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"format": "rnnlab.vocab", "version": 1, "tokens": ["a", "b"]}))
    with pytest.raises(DataError, match=r"v\.json: field 'tokens': vocabulary must start with"):
        Vocab.load(path)
    path.write_text("{not json")
    with pytest.raises(DataError, match=r"v\.json: not a JSON vocabulary file"):
        Vocab.load(path)


def test_coverage_report():
    vocab = Vocab.build([["a", "b"]])
    report = vocab.coverage([["a", "x", "y"], ["x", "b", "<unk>"]])
    assert (report.total, report.unknown, report.unknown_types) == (6, 4, 3)
    assert report.unk_rate == pytest.approx(4 / 6)
    assert "4 unknown (66.67%)" in str(report)


def test_fingerprint_changes_with_tokens():
    assert Vocab.build([["a"]]).fingerprint() != Vocab.build([["b"]]).fingerprint()
