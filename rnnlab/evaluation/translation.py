"""Translation metrics: corpus BLEU and chrF (sacrebleu), and perplexity.

BLEU and chrF are computed by ``sacrebleu`` (``pip install sacrebleu``; imported
here only when called) on detokenized text, with its default ``13a`` tokenizer,
so numbers are comparable with published sacreBLEU scores; each result carries
sacrebleu's signature, which records those settings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rnnlab.errors import ConfigError, RnnlabError


@dataclass(frozen=True)
class CorpusScore:
    """A corpus-level score and the sacrebleu signature that reproduces it."""

    name: str  # "BLEU" or "chrF2"
    score: float  # 0..100
    signature: str  # e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"
    details: str  # sacrebleu's one-line summary (n-gram precisions, brevity penalty, ...)

    def __str__(self) -> str:
        return f"{self.name} = {self.score:.2f}  ({self.signature})"


def _sacrebleu():
    try:
        import sacrebleu
    except ImportError:
        raise RnnlabError("BLEU and chrF need the sacrebleu package: pip install sacrebleu") from None
    return sacrebleu


def _check(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]) -> list[list[str]]:
    """Normalise references to sacrebleu's layout: a list of reference *streams*."""
    if references and isinstance(references[0], str):
        references = [list(references)]
    for stream in references:
        if len(stream) != len(hypotheses):
            raise ConfigError(f"{len(hypotheses)} hypotheses but {len(stream)} references; expected one per hypothesis")
    if not hypotheses:
        raise ConfigError("no hypotheses to score")
    return [list(stream) for stream in references]


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]) -> CorpusScore:
    """sacreBLEU over detokenized sentences.

    Args:
        hypotheses: N system outputs.
        references: N references, or several streams of N references each.
    """
    from_sacrebleu = _sacrebleu().metrics.BLEU()
    result = from_sacrebleu.corpus_score(list(hypotheses), _check(hypotheses, references))
    return CorpusScore("BLEU", result.score, str(from_sacrebleu.get_signature()), str(result))


def corpus_chrf(hypotheses: Sequence[str], references: Sequence[str] | Sequence[Sequence[str]]) -> CorpusScore:
    """chrF (character n-gram F-score, beta 2) over detokenized sentences."""
    from_sacrebleu = _sacrebleu().metrics.CHRF()
    result = from_sacrebleu.corpus_score(list(hypotheses), _check(hypotheses, references))
    return CorpusScore("chrF2", result.score, str(from_sacrebleu.get_signature()), str(result))


def perplexity(total_nll: float, n_tokens: int) -> float:
    """``exp(total negative log-likelihood / tokens)``: the per-token perplexity."""
    if n_tokens < 1:
        raise ConfigError("perplexity needs at least one token")
    return math.exp(total_nll / n_tokens)
