import pytest

from rnnlab.data import bpe
from rnnlab.errors import DataError


def test_missing_library_message(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "tokenizers":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(DataError, match="install it with `pip install tokenizers`"):
        bpe.BPETokenizer.train(["a b"], vocab_size=300)


def test_train_round_trip_and_save(tmp_path):
    pytest.importorskip("tokenizers")
    texts = ["the lowest lower low, the newest newer new!"] * 50
    tokenizer = bpe.BPETokenizer.train(texts, vocab_size=300, min_frequency=2)
    tokens = tokenizer.tokenize("the lowest newer")
    assert len(tokens) < len("the lowest newer")  # merges were learned
    assert tokenizer.detokenize(tokens) == "the lowest newer"
    assert tokenizer.backend.token_to_id("<pad>") == 0 and tokenizer.backend.token_to_id("<eos>") == 3
    tokenizer.save(tmp_path / "bpe.json")
    assert bpe.BPETokenizer.load(tmp_path / "bpe.json").tokenize("the lowest newer") == tokens
