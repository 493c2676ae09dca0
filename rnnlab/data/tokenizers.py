"""Tokenizers: text -> list of token strings, and back (for generated output).

Every tokenizer has the same two methods (the :class:`Tokenizer` protocol):

- ``tokenize(text) -> list[str]``
- ``detokenize(tokens) -> str``

Tokenizers here are pure Python and need no training:

- :class:`CharTokenizer`: one token per character (char-rnn).
- :class:`WhitespaceTokenizer`: split on whitespace, optionally lower-case and
  strip punctuation (the classic "seed" preprocessing of RNN tutorials).
- :class:`WordTokenizer`: words, numbers and punctuation as separate tokens,
  English contractions split the Penn Treebank way (``don't`` -> ``do n't``).

Sentence splitting is :func:`split_sentences`. Subword BPE (which is trained)
lives in :mod:`rnnlab.data.bpe`.
"""

from __future__ import annotations

import re
import string
from typing import Protocol, runtime_checkable


@runtime_checkable
class Tokenizer(Protocol):
    """What every tokenizer provides."""

    def tokenize(self, text: str) -> list[str]: ...

    def detokenize(self, tokens: list[str]) -> str: ...


class CharTokenizer:
    """One token per character; ``detokenize`` concatenates.

    Example:
        >>> CharTokenizer().tokenize("hi!")
        ['h', 'i', '!']
    """

    def __init__(self, lowercase: bool = False):
        self.lowercase = lowercase

    def tokenize(self, text: str) -> list[str]:
        return list(text.lower() if self.lowercase else text)

    def detokenize(self, tokens: list[str]) -> str:
        return "".join(tokens)


class WhitespaceTokenizer:
    """Split on whitespace, optionally lower-casing and stripping punctuation.

    Args:
        lowercase: lower-case the text first.
        strip_punctuation: delete ASCII punctuation characters (``string.punctuation``)
            before splitting, so ``"don't!"`` becomes ``"dont"``.

    Example:
        >>> WhitespaceTokenizer(lowercase=True, strip_punctuation=True).tokenize("He left!")
        ['he', 'left']
    """

    def __init__(self, lowercase: bool = False, strip_punctuation: bool = False):
        self.lowercase = lowercase
        self.strip_punctuation = strip_punctuation
        self._delete = str.maketrans("", "", string.punctuation)

    def tokenize(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        if self.strip_punctuation:
            text = text.translate(self._delete)
        return text.split()

    def detokenize(self, tokens: list[str]) -> str:
        return " ".join(tokens)


# One alternative per token kind, tried in order at each position.
_WORD_PATTERN = re.compile(
    r"""
    \d+(?:[.,:]\d+)*%?(?!\w)     # numbers: 42, 3.14, 1,000, 10:30, 50%
    | \w+(?:[-'’]\w+)*           # words, hyphenated words, words with apostrophes
    | \.\.\.|--                  # ellipsis, double dash
    | \S                         # any other visible character on its own
    """,
    re.VERBOSE,
)
# Clitics split off the Penn Treebank way: don't -> do n't, I'm -> I 'm, Bob's -> Bob 's.
_NEGATION = re.compile(r"^(\w+)(n['’]t)$", re.IGNORECASE)
_CLITIC = re.compile(r"^(\w+)(['’](?:s|m|d|ll|re|ve))$", re.IGNORECASE)

_NO_SPACE_BEFORE = set(".,!?;:%)]}…") | {"...", "'s", "'m", "'d", "'ll", "'re", "'ve", "n't"}
_NO_SPACE_AFTER = set("([{¿¡$")


class WordTokenizer:
    """Words with punctuation as separate tokens; contractions and numbers kept sensible.

    Rules, in order at each position of the text:

    1. a number (``3.14``, ``1,000``, ``10:30``, ``50%``) is one token;
    2. a word, possibly hyphenated or with an inner apostrophe, is one token,
       then a trailing clitic is split off (``don't`` -> ``do``, ``n't``;
       ``it's`` -> ``it``, ``'s``);
    3. ``...`` and ``--`` are one token; any other punctuation character is its own token.

    ``detokenize`` joins with spaces except before closing punctuation and
    clitics and after opening brackets, so ``detokenize(tokenize(s)) == s`` for
    ordinarily spaced English.

    Example:
        >>> WordTokenizer().tokenize("He left! Don't wait: it's 3.5 km.")
        ['He', 'left', '!', 'Do', "n't", 'wait', ':', 'it', "'s", '3.5', 'km', '.']
    """

    def __init__(self, lowercase: bool = False):
        self.lowercase = lowercase

    def tokenize(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        tokens: list[str] = []
        for match in _WORD_PATTERN.finditer(text):
            token = match.group()
            split = _NEGATION.match(token) or _CLITIC.match(token)
            tokens.extend(split.groups() if split else (token,))
        return tokens

    def detokenize(self, tokens: list[str]) -> str:
        pieces: list[str] = []
        open_quote = False  # straight double quotes alternate: opening, closing, ...
        after_opening = False
        for i, token in enumerate(tokens):
            closing_quote = token == '"' and open_quote
            glue = i == 0 or after_opening or closing_quote or token.lower() in _NO_SPACE_BEFORE
            pieces.append(token if glue else " " + token)
            after_opening = token in _NO_SPACE_AFTER or (token == '"' and not open_quote)
            if token == '"':
                open_quote = not open_quote
        return "".join(pieces)


# Words that end with a period but rarely end a sentence (compared lower-case, without the dot).
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt vs etc e.g i.e inc ltd co corp dept fig no vol "
    "jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k a.m p.m approx".split()
)
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*\s+")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences at ``.``, ``!`` and ``?`` (regex rules, no model).

    A boundary is terminal punctuation followed by whitespace, except when

    - the punctuation is a single ``.`` after a known abbreviation
      (:data:`ABBREVIATIONS`, e.g. ``Mr.``) or a single-letter initial (``J.``), or
    - the next character is lower-case (``etc. and so on``).

    Returns:
        The sentences, stripped, without empty ones.

    Example:
        >>> split_sentences("Mr. Smith left. Did he? Yes!")
        ['Mr. Smith left.', 'Did he?', 'Yes!']
    """
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        next_char = text[match.end() : match.end() + 1]
        if next_char.islower():
            continue
        mark = match.group().rstrip()
        if mark.rstrip("\"'”’)]") == ".":
            previous_word = text[start : match.start()].split()[-1:] or [""]
            word = previous_word[0].lower().lstrip("(\"'“‘").rstrip(".")
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]
