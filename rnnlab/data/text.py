"""Plain-text corpora: one sequence per line or sentence, or one long token stream.

Two ways to read a text file:

- :func:`read_sequences` -- for models that see one sentence at a time
  (classifiers, seq2seq, sentence-level LMs). Each line, or each sentence
  found by :func:`~rnnlab.data.tokenizers.split_sentences`, becomes one token
  list framed by ``<bos>`` ... ``<eos>``.
- :func:`read_stream` -- for language models trained with truncated BPTT: the
  whole file as one token list, with ``<eos>`` at each line end (PTB / WikiText
  convention) unless turned off.

Example (file ``a.txt`` holding ``"He left!\\nShe stayed."``):

    >>> read_sequences("a.txt", WordTokenizer())
    [['<bos>', 'He', 'left', '!', '<eos>'], ['<bos>', 'She', 'stayed', '.', '<eos>']]
    >>> read_stream("a.txt", WordTokenizer())
    ['He', 'left', '!', '<eos>', 'She', 'stayed', '.', '<eos>']
"""

from __future__ import annotations

import os
from typing import Literal

from rnnlab.data.files import DecodeErrors, iter_lines, read_text, where
from rnnlab.data.limits import LengthLimit, TooLong
from rnnlab.data.tokenizers import Tokenizer, split_sentences
from rnnlab.data.vocab import BOS, EOS
from rnnlab.errors import ConfigError, DataError

Unit = Literal["line", "sentence"]


def read_sequences(
    path: str | os.PathLike,
    tokenizer: Tokenizer,
    *,
    unit: Unit = "line",
    add_bos_eos: bool = True,
    max_len: int | None = None,
    too_long: TooLong = "truncate",
    errors: DecodeErrors = "strict",
) -> list[list[str]]:
    """Read a text file as a list of token sequences.

    Args:
        path: UTF-8 text file.
        tokenizer: any :class:`~rnnlab.data.tokenizers.Tokenizer`.
        unit: ``"line"`` (one sequence per non-blank line) or ``"sentence"``
            (the file's text split into sentences; blank lines also end sentences).
        add_bos_eos: frame each sequence with ``<bos>`` and ``<eos>``.
        max_len: longest allowed sequence in tokens, not counting ``<bos>``/``<eos>``.
        too_long: ``"truncate"`` (warn) or ``"error"`` for sequences over ``max_len``.
        errors: ``"strict"`` or ``"replace"`` for invalid UTF-8.

    Returns:
        One list of token strings per line or sentence, in file order.
    """
    if unit not in ("line", "sentence"):
        raise ConfigError(f"unit must be 'line' or 'sentence', got {unit!r}")
    limit = LengthLimit(max_len, too_long, source=str(path))
    sequences: list[list[str]] = []
    if unit == "line":
        pieces = ((number, line) for number, line in iter_lines(path, errors=errors))
    else:
        # Paragraphs (blank-line separated) are split into sentences; the line
        # number reported for a sentence is where its paragraph starts.
        pieces = _sentences_with_lines(path, errors)
    for number, piece in pieces:
        tokens = tokenizer.tokenize(piece)
        if not tokens:
            continue
        tokens = limit.apply(tokens, number)
        sequences.append([BOS, *tokens, EOS] if add_bos_eos else tokens)
    limit.report()
    if not sequences:
        raise DataError(f"{where(path)}: no tokens found; expected text")
    return sequences


def _sentences_with_lines(path, errors):
    paragraph: list[str] = []
    start = 1
    for number, line in iter_lines(path, errors=errors):
        if line.strip():
            if not paragraph:
                start = number
            paragraph.append(line)
            continue
        for sentence in split_sentences(" ".join(paragraph)):
            yield start, sentence
        paragraph = []
    for sentence in split_sentences(" ".join(paragraph)):
        yield start, sentence


def read_stream(
    path: str | os.PathLike,
    tokenizer: Tokenizer,
    *,
    eos_at_line_end: bool = True,
    errors: DecodeErrors = "strict",
) -> list[str]:
    """Read a text file as one long token stream (for truncated BPTT).

    Args:
        path: UTF-8 text file.
        tokenizer: any tokenizer. A :class:`~rnnlab.data.tokenizers.CharTokenizer`
            with ``eos_at_line_end=False`` sees the newlines as ``"\\n"`` tokens
            (char-rnn style); other tokenizers drop them.
        eos_at_line_end: append ``<eos>`` after each line (blank lines included,
            as in the PTB/WikiText convention) instead of keeping the newline.
        errors: ``"strict"`` or ``"replace"`` for invalid UTF-8.

    Returns:
        The token strings in file order.
    """
    if not eos_at_line_end:
        tokens = tokenizer.tokenize(read_text(path, errors=errors))
    else:
        tokens = []
        for _, line in iter_lines(path, errors=errors):
            tokens.extend(tokenizer.tokenize(line))
            tokens.append(EOS)
    if not tokens or all(token == EOS for token in tokens):
        raise DataError(f"{where(path)}: no tokens found; expected text")
    return tokens
