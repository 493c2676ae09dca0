"""Held-out evaluation of a language model: cross-entropy, perplexity, bits per character.

For a text of N predicted tokens with model probabilities p(w_i | w_<i)::

    loss       = -(1/N) sum_i ln p(w_i | w_<i)       (nats per token)
    perplexity = exp(loss)                            (word level)
    bits/char  = loss / ln 2                          (character level)

Tokens the vocabulary does not know are mapped to ``<unk>`` and scored as such
(the usual convention; the unknown rate is reported beside the number, because a
high one makes perplexity look better than it is).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from rnnlab.lm.corpus import encode, read_units, tokenize_units
from rnnlab.lm.saved import SavedLanguageModel
from rnnlab.lm.task import LanguageModelling, line_batches, stream_batches


@dataclass
class Evaluation:
    """The result of :func:`evaluate_file`."""

    loss: float  # nats per predicted token
    tokens: int  # predicted tokens
    unknown: int  # tokens of the text that map to <unk>
    total: int  # tokens of the text (before encoding)
    level: str  # "char" or "word"

    @property
    def perplexity(self) -> float:
        return math.exp(self.loss) if self.loss < 700 else math.inf

    @property
    def bits_per_token(self) -> float:
        return self.loss / math.log(2)

    @property
    def unk_rate(self) -> float:
        return self.unknown / self.total if self.total else 0.0

    def summary(self) -> str:
        unit = "char" if self.level == "char" else "token"
        main = (f"{self.bits_per_token:.4f} bits/char" if self.level == "char"
                else f"perplexity {self.perplexity:.2f}")
        return (f"{main} | {self.loss:.4f} nats/{unit} | perplexity {self.perplexity:.3f} | "
                f"{self.tokens} predicted tokens | unknown {self.unknown} of {self.total} "
                f"({100 * self.unk_rate:.2f}%)")


@torch.no_grad()
def mean_loss(model, data: list, mode: str, batch_size: int = 10, bptt: int = 64) -> tuple[float, int]:
    """(nats per predicted token, predicted tokens) of ``model`` on encoded ``data``.

    Stream mode carries the state across windows as in training; line mode
    scores every sequence from ``<bos>`` to ``<eos>``.
    """
    model.eval()
    task = LanguageModelling()
    if mode == "stream":
        rows = max(1, min(batch_size, (len(data) - 1) // 2))
        batches = stream_batches(data, rows, bptt)
    else:
        batches = line_batches(data, batch_size, shuffle=False)
    total, count, state = 0.0, 0, None
    for batch in batches:
        out = task.loss(model, batch, state)
        state = out.state
        total += float(out.loss) * int(out.n_items)
        count += int(out.n_items)
    return total / max(count, 1), count


def evaluate_file(saved: SavedLanguageModel, path: str, batch_size: int = 10) -> Evaluation:
    """Score the text file ``path`` with a saved model, read as its training text was."""
    config = saved.config.data
    sequences = tokenize_units(read_units(path, config), saved.tokenizer, config)
    coverage = saved.vocab.coverage(
        [[t for t in s if t not in ("<bos>", "<eos>", "\n")] for s in sequences])
    data = encode(sequences, saved.vocab, config.mode)
    loss, count = mean_loss(saved.model, data, config.mode, batch_size, saved.config.train.bptt or 64)
    return Evaluation(loss, count, coverage.unknown, coverage.total, config.level)
