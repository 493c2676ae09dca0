"""Token-tagged text in CoNLL-style columns (POS tagging, NER, UD CoNLL-U).

One token per line with whitespace- or tab-separated columns; a blank line
ends a sentence; lines starting with ``#`` are comments. Choose the token and
tag columns by 0-based index::

    # plain two-column file (token_col=0, tag_col=1)
    He      PRON
    left    VERB
    !       PUNCT

For Universal Dependencies CoNLL-U use :func:`read_conllu` (FORM = column 1,
UPOS = column 3, XPOS = column 4, tab-separated). Lines whose ID is a range
(``1-2 don't``, a multiword token) or a decimal (``8.1``, an empty node) are
skipped, as are CoNLL-2003 ``-DOCSTART-`` lines.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Literal

from rnnlab.data.files import DecodeErrors, check_file, iter_lines, where
from rnnlab.data.limits import LengthLimit, TooLong
from rnnlab.errors import ConfigError, DataError

_SKIPPED_ID = re.compile(r"^\d+[-.]\d+$")  # multiword token ranges and empty nodes


@dataclass(frozen=True)
class TaggedSentences:
    """Sentences as token lists with one tag per token."""

    tokens: list[list[str]]
    tags: list[list[str]]  # len(tags[i]) == len(tokens[i])

    def __len__(self) -> int:
        return len(self.tokens)


def read_conll(
    path: str | os.PathLike,
    token_col: int = 0,
    tag_col: int = 1,
    *,
    delimiter: str | None = None,
    max_len: int | None = None,
    too_long: TooLong = "truncate",
    errors: DecodeErrors = "strict",
) -> TaggedSentences:
    """Read a CoNLL-style column file.

    Args:
        path: the file.
        token_col: 0-based column of the token (word form).
        tag_col: 0-based column of the tag; ``-1`` means the last column.
        delimiter: column separator; ``None`` splits on any whitespace, except
            for ``.conllu`` files, which are tab-separated (forms may hold spaces).
        max_len: longest allowed sentence in tokens.
        too_long: ``"truncate"`` (warn) or ``"error"`` for longer sentences.
        errors: ``"strict"`` or ``"replace"`` for invalid UTF-8.

    Raises:
        DataError: a line with too few columns, or no sentences at all.
    """
    path = check_file(path)
    if token_col < 0 or tag_col < -1:
        raise ConfigError(f"token_col must be >= 0 and tag_col >= -1, got {token_col}, {tag_col}")
    if delimiter is None and path.suffix.lower() == ".conllu":
        delimiter = "\t"
    needed = max(token_col, tag_col) + 1
    limit = LengthLimit(max_len, too_long, source=str(path))
    sentences = TaggedSentences(tokens=[], tags=[])
    words: list[str] = []
    tags: list[str] = []
    start = 1

    def end_sentence() -> None:
        if words:
            kept = limit.apply(words, start)
            sentences.tokens.append(kept)
            sentences.tags.append(tags[: len(kept)])

    for number, line in iter_lines(path, errors=errors):
        if not line.strip():
            end_sentence()
            words, tags = [], []
            continue
        if line.startswith("#"):
            continue
        columns = line.split(delimiter) if delimiter else line.split()
        if _SKIPPED_ID.match(columns[0]) or columns[0] == "-DOCSTART-":
            continue
        if len(columns) < needed:
            raise DataError(
                f"{where(path, number)}: expected at least {needed} columns (token column {token_col}, "
                f"tag column {tag_col}), found {len(columns)}"
            )
        if not words:
            start = number
        words.append(columns[token_col])
        tags.append(columns[tag_col])
    end_sentence()
    limit.report()
    if not sentences.tokens:
        raise DataError(f"{where(path)}: no sentences found; expected token and tag columns")
    return sentences


def read_conllu(
    path: str | os.PathLike,
    tag: Literal["upos", "xpos"] = "upos",
    *,
    max_len: int | None = None,
    too_long: TooLong = "truncate",
    errors: DecodeErrors = "strict",
) -> TaggedSentences:
    """Read a Universal Dependencies CoNLL-U file as (FORM, UPOS or XPOS) sentences."""
    columns = {"upos": 3, "xpos": 4}
    if tag not in columns:
        raise ConfigError(f"tag must be 'upos' or 'xpos', got {tag!r}")
    return read_conll(
        path, token_col=1, tag_col=columns[tag], delimiter="\t",
        max_len=max_len, too_long=too_long, errors=errors,
    )
