"""Perplexity and bits per character on a toy distribution with a known value."""

import math

import torch

from rnnlab.data import EOS_ID, UNK_ID, Vocab, WordTokenizer
from rnnlab.lm.config import LMDataConfig, LMExperiment
from rnnlab.lm.evaluation import evaluate_file
from rnnlab.lm.saved import SavedLanguageModel
from rnnlab.models.language_model import LanguageModel


def _fixed_distribution_model(vocab, probs):
    """A model whose next-token distribution is ``probs`` whatever the input."""
    model = LanguageModel(len(vocab), "elman", embedding_size=2, hidden_size=2)
    with torch.no_grad():
        model.decoder.weight.zero_()
        model.decoder.bias.fill_(-1e4)
        for token_id, p in probs.items():
            model.decoder.bias[token_id] = math.log(p)
    return model.eval()


def test_perplexity_of_a_known_distribution(tmp_path):
    vocab = Vocab.build([["a", "b"]])
    a, b = vocab.token_to_id("a"), vocab.token_to_id("b")
    model = _fixed_distribution_model(vocab, {a: 0.5, b: 0.25, EOS_ID: 0.125, UNK_ID: 0.125})
    path = tmp_path / "held_out.txt"
    path.write_text("a a b\na z\n")  # predicted: a a b <eos> a <unk> <eos>
    config = LMExperiment(data=LMDataConfig(level="word", mode="line"))
    saved = SavedLanguageModel(model, vocab, WordTokenizer(), config, tmp_path / "none")
    result = evaluate_file(saved, str(path))
    # -ln p: a = ln 2 (x3), b = 2 ln 2, <eos> = 3 ln 2 (x2), <unk> = 3 ln 2 -> 14 ln 2 over 7 tokens
    assert result.tokens == 7
    assert math.isclose(result.loss, 2 * math.log(2), rel_tol=1e-6)
    assert math.isclose(result.perplexity, 4.0, rel_tol=1e-6)
    assert math.isclose(result.bits_per_token, 2.0, rel_tol=1e-6)
    assert (result.unknown, result.total) == (1, 5) and math.isclose(result.unk_rate, 0.2)
    assert "perplexity 4.00" in result.summary() and "unknown 1 of 5 (20.00%)" in result.summary()


def test_bits_per_char_of_a_uniform_model(tmp_path):
    vocab = Vocab.build([list("abcd\n")])
    ids = [vocab.token_to_id(c) for c in "abcd\n"]
    model = _fixed_distribution_model(vocab, {i: 0.2 for i in ids})
    path = tmp_path / "chars.txt"
    path.write_text("abcdabcd\n" * 40)
    config = LMExperiment(data=LMDataConfig(level="char", mode="stream"))
    from rnnlab.data import CharTokenizer
    saved = SavedLanguageModel(model, vocab, CharTokenizer(), config, tmp_path / "none")
    result = evaluate_file(saved, str(path))
    assert math.isclose(result.bits_per_token, math.log2(5), rel_tol=1e-6)
    assert result.unknown == 0 and "bits/char" in result.summary()
