"""BLEU / chrF through sacrebleu, and perplexity."""

import math

import pytest

from rnnlab.errors import ConfigError
from rnnlab.evaluation.translation import corpus_bleu, corpus_chrf, perplexity

sacrebleu = pytest.importorskip("sacrebleu")

HYP = ["the cat sat on the mat .", "what is your name ?"]
REF = ["the cat is on the mat .", "what's your name ?"]


def test_perfect_translation_scores_100():
    assert corpus_bleu(REF, REF).score == pytest.approx(100.0)
    assert corpus_chrf(REF, REF).score == pytest.approx(100.0)


def test_known_pair_matches_sacrebleu_directly():
    bleu = corpus_bleu(HYP, REF)
    assert bleu.score == pytest.approx(sacrebleu.corpus_bleu(HYP, [REF]).score)
    assert 0 < bleu.score < 100 and "tok:13a" in bleu.signature and "BLEU" in str(bleu)
    assert corpus_chrf(HYP, REF).score == pytest.approx(sacrebleu.corpus_chrf(HYP, [REF]).score)
    two_refs = [REF, ["the cat sat on the mat .", "what is your name ?"]]
    assert corpus_bleu(HYP, two_refs).score == pytest.approx(100.0)


def test_perplexity_and_errors():
    assert perplexity(10 * math.log(4.0), 10) == pytest.approx(4.0)
    with pytest.raises(ConfigError, match="2 hypotheses but 1 references"):
        corpus_bleu(HYP, REF[:1])
    with pytest.raises(ConfigError):
        perplexity(1.0, 0)
