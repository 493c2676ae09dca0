import json
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlab.data.bptt import ContiguousBatches
from rnnlab.data.text import read_stream
from rnnlab.data.token_file import encode_token_file, open_token_file, sidecar_path
from rnnlab.data.tokenizers import WhitespaceTokenizer
from rnnlab.data.vocab import Vocab
from rnnlab.errors import DataError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def encoded(tmp_path):
    text = tmp_path / "corpus.txt"
    text.write_text("".join(f"the cat {i % 7} sat on mat {i % 3}\n" for i in range(500)))
    tokenizer = WhitespaceTokenizer()
    stream = read_stream(text, tokenizer)
    vocab = Vocab.build([stream])
    header = encode_token_file(text, tmp_path / "corpus.tokens", tokenizer, vocab, chunk_tokens=100)
    return tmp_path / "corpus.tokens", vocab, stream, header


def test_encode_matches_in_memory_stream(encoded):
    path, vocab, stream, header = encoded
    assert header.length == len(stream) and header.dtype == "uint16"
    token_file = open_token_file(path, vocab=vocab)
    assert token_file.tokens.tolist() == vocab.encode(stream)
    assert json.loads(sidecar_path(path).read_text())["vocab_fingerprint"] == vocab.fingerprint()
    assert not list(path.parent.glob("*.tmp*"))


def test_reader_batches_equal_in_memory_batches(encoded):
    path, vocab, stream, _ = encoded
    reader = open_token_file(path).reader()
    assert reader[5:9].tolist() == vocab.encode(stream[5:9])
    from_file = list(ContiguousBatches(reader, batch_size=3, bptt=17))
    in_memory = list(ContiguousBatches(vocab.encode(stream), batch_size=3, bptt=17))
    assert len(from_file) == len(in_memory)
    for a, b in zip(from_file, in_memory):
        assert a.inputs.equal(b.inputs) and a.targets.equal(b.targets)


def test_vocab_mismatch_and_truncated_file(encoded):
    path, vocab, _, _ = encoded
    with pytest.raises(DataError, match=r"corpus\.tokens: encoded with a different vocabulary"):
        open_token_file(path, vocab=Vocab.build([["other"]]))
    with open(path, "r+b") as handle:
        handle.truncate(10)
    with pytest.raises(DataError, match=r"corpus\.tokens: 10 bytes, but the header says \d+ uint16 tokens"):
        open_token_file(path)


def test_missing_sidecar(encoded):
    path, _, _, _ = encoded
    sidecar_path(path).unlink()
    with pytest.raises(DataError, match=r"corpus\.tokens\.json: header file not found"):
        open_token_file(path)


def test_stream_rss_stays_flat():
    # A fresh process, so ru_maxrss measures only this run.
    output = subprocess.run(
        [sys.executable, str(REPO / "bench" / "data_stream_rss.py"), "--size-mb", "8"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout
    result = json.loads(output)
    growth_mb = result["rss_after_stream_mb"] - result["rss_after_vocab_mb"]
    as_int64_mb = result["tokens"] * 8 / 2**20  # the corpus as one int64 array, the usual in-RAM approach
    assert result["text_mb"] > 7.5
    assert growth_mb < result["text_mb"] / 2, result
    assert growth_mb < as_int64_mb / 4, result
