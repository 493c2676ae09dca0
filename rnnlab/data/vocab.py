"""Vocabulary: token strings <-> integer ids, with fixed special tokens.

The four special tokens always have the same ids, in every vocabulary:

====== ========= ==
name   token     id
====== ========= ==
pad    ``<pad>`` 0
unk    ``<unk>`` 1
bos    ``<bos>`` 2
eos    ``<eos>`` 3
====== ========= ==

Ordinary tokens follow, most frequent first; **ties are broken
alphabetically** (by Python string order), so the same counts always give the
same ids, whatever order the text was read in.

Example:
    >>> vocab = Vocab.build([["a", "b", "a"], ["c"]], min_freq=1)
    >>> vocab.tokens
    ['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'c']
    >>> vocab.encode(["a", "zzz"], add_eos=True)
    [4, 1, 3]
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rnnlab.errors import ConfigError, DataError

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
SPECIAL_TOKENS = (PAD, UNK, BOS, EOS)
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3

_FORMAT = "rnnlab.vocab"
_VERSION = 1


@dataclass(frozen=True)
class Coverage:
    """How well a vocabulary covers some text (see :meth:`Vocab.coverage`)."""

    total: int  # tokens seen
    unknown: int  # tokens that map to <unk> (including literal "<unk>" tokens in the text)
    unknown_types: int  # distinct token strings that map to <unk>

    @property
    def unk_rate(self) -> float:
        """Share of tokens mapped to ``<unk>`` (0.0 for no tokens)."""
        return self.unknown / self.total if self.total else 0.0

    def __str__(self) -> str:
        return (
            f"{self.total} tokens, {self.unknown} unknown ({100 * self.unk_rate:.2f}%), "
            f"{self.unknown_types} unknown types"
        )


class Vocab:
    """A fixed list of tokens; a token's id is its position.

    Args:
        tokens: all tokens in id order; must start with :data:`SPECIAL_TOKENS`
            and contain no duplicates. Usually made by :meth:`build` or :meth:`load`.
    """

    def __init__(self, tokens: Sequence[str]):
        tokens = list(tokens)
        if tuple(tokens[: len(SPECIAL_TOKENS)]) != SPECIAL_TOKENS:
            raise DataError(
                f"vocabulary must start with {list(SPECIAL_TOKENS)}, got {tokens[:4]}"
            )
        self._ids = {token: i for i, token in enumerate(tokens)}
        if len(self._ids) != len(tokens):
            duplicate = next(t for t, n in Counter(tokens).items() if n > 1)
            raise DataError(f"vocabulary has duplicate token {duplicate!r}")
        self.tokens = tokens

    @classmethod
    def build(
        cls,
        sequences: Iterable[Iterable[str]] | Counter,
        max_size: int | None = None,
        min_freq: int = 1,
    ) -> "Vocab":
        """Build a vocabulary from tokenised text or from token counts.

        Args:
            sequences: an iterable of token sequences, or a ready :class:`Counter`.
            max_size: keep at most this many ordinary tokens (the four special
                tokens are not counted); ``None`` keeps all.
            min_freq: drop tokens seen fewer times than this.

        Returns:
            The vocabulary: specials, then tokens by decreasing count, ties alphabetical.
        """
        if max_size is not None and max_size < 0:
            raise ConfigError(f"max_size must be >= 0 or None, got {max_size}")
        if min_freq < 1:
            raise ConfigError(f"min_freq must be >= 1, got {min_freq}")
        if isinstance(sequences, Counter):
            counts = sequences
        else:
            counts = Counter()
            for sequence in sequences:
                counts.update(sequence)
        kept = [(t, n) for t, n in counts.items() if n >= min_freq and t not in SPECIAL_TOKENS]
        kept.sort(key=lambda item: (-item[1], item[0]))
        if max_size is not None:
            kept = kept[:max_size]
        return cls(list(SPECIAL_TOKENS) + [token for token, _ in kept])

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self._ids

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.tokens == other.tokens

    def __repr__(self) -> str:
        return f"Vocab(size={len(self)}, first={self.tokens[4:9]})"

    def token_to_id(self, token: str) -> int:
        """The id of ``token``, or :data:`UNK_ID` if it is not in the vocabulary."""
        return self._ids.get(token, UNK_ID)

    def id_to_token(self, index: int) -> str:
        if not 0 <= index < len(self.tokens):
            raise DataError(f"token id {index} is out of range for a vocabulary of {len(self)}")
        return self.tokens[index]

    def encode(self, tokens: Iterable[str], add_bos: bool = False, add_eos: bool = False) -> list[int]:
        """Map tokens to ids (unknown -> 1), optionally framed by ``<bos>``/``<eos>``."""
        ids = [self._ids.get(token, UNK_ID) for token in tokens]
        return ([BOS_ID] if add_bos else []) + ids + ([EOS_ID] if add_eos else [])

    def decode(self, ids: Iterable[int], skip_special: bool = True) -> list[str]:
        """Map ids to tokens; by default drop pad/bos/eos (``<unk>`` is kept)."""
        dropped = {PAD_ID, BOS_ID, EOS_ID} if skip_special else set()
        return [self.id_to_token(int(i)) for i in ids if int(i) not in dropped]

    def coverage(self, sequences: Iterable[Iterable[str]]) -> Coverage:
        """Count how many tokens of ``sequences`` this vocabulary maps to ``<unk>``."""
        total = unknown = 0
        unknown_types: set[str] = set()
        for sequence in sequences:
            for token in sequence:
                total += 1
                if token == UNK or token not in self._ids:
                    unknown += 1
                    unknown_types.add(token)
        return Coverage(total=total, unknown=unknown, unknown_types=len(unknown_types))

    def fingerprint(self) -> str:
        """sha256 (hex) of the token list; equal vocabularies have equal fingerprints."""
        payload = json.dumps(self.tokens, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def save(self, path: str | os.PathLike) -> None:
        """Write the vocabulary as JSON (UTF-8); :meth:`load` reads it back exactly."""
        document = {"format": _FORMAT, "version": _VERSION, "tokens": self.tokens}
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=0)
            handle.write("\n")

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Vocab":
        """Read a vocabulary written by :meth:`save`."""
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except FileNotFoundError:
            raise DataError(f"{path}: vocabulary file not found") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise DataError(f"{path}: not a JSON vocabulary file ({error})") from None
        if not isinstance(document, dict) or document.get("format") != _FORMAT:
            raise DataError(f"{path}: field 'format': expected {_FORMAT!r}")
        if document.get("version") != _VERSION:
            raise DataError(f"{path}: field 'version': expected {_VERSION}, got {document.get('version')!r}")
        tokens = document.get("tokens")
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise DataError(f"{path}: field 'tokens': expected a list of strings")
        try:
            return cls(tokens)
        except DataError as error:
            raise DataError(f"{path}: field 'tokens': {error}") from None
