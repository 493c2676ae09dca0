"""Subword BPE tokenizer, trained with the optional Hugging Face ``tokenizers`` library.

Install it with ``pip install tokenizers``. The tokenizer works on bytes
(GPT-2 style byte-level BPE), so any text can be encoded and
``detokenize(tokenize(text)) == text``.

Example:
    >>> bpe = BPETokenizer.train(["low lower lowest"] * 50, vocab_size=300)
    >>> bpe.detokenize(bpe.tokenize("lowest low"))
    'lowest low'
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from rnnlab.errors import DataError


def _import_tokenizers():
    """Import the optional ``tokenizers`` library or explain how to get it."""
    try:
        import tokenizers
    except ImportError:
        raise DataError(
            "BPE needs the optional 'tokenizers' library; install it with `pip install tokenizers`"
        ) from None
    return tokenizers


class BPETokenizer:
    """Byte-level BPE with :meth:`tokenize` / :meth:`detokenize` like the other tokenizers.

    Build one with :meth:`train` or :meth:`load`; the constructor wraps an
    existing ``tokenizers.Tokenizer``.
    """

    def __init__(self, backend):
        self.backend = backend  # a tokenizers.Tokenizer

    @classmethod
    def train(
        cls,
        texts: Iterable[str],
        vocab_size: int = 8000,
        min_frequency: int = 2,
        special_tokens: tuple[str, ...] = ("<pad>", "<unk>", "<bos>", "<eos>"),
    ) -> "BPETokenizer":
        """Learn merges from ``texts``.

        Args:
            texts: training text, e.g. the lines of the training split.
            vocab_size: size of the subword vocabulary, special tokens included.
            min_frequency: a pair must occur this often to be merged.
            special_tokens: reserved tokens, given the first ids in this order
                (so the defaults match :class:`rnnlab.data.vocab.Vocab`).
        """
        tk = _import_tokenizers()
        backend = tk.Tokenizer(tk.models.BPE(unk_token=special_tokens[1] if len(special_tokens) > 1 else None))
        backend.pre_tokenizer = tk.pre_tokenizers.ByteLevel(add_prefix_space=False)
        backend.decoder = tk.decoders.ByteLevel()
        trainer = tk.trainers.BpeTrainer(
            vocab_size=vocab_size,
            min_frequency=min_frequency,
            special_tokens=list(special_tokens),
            initial_alphabet=tk.pre_tokenizers.ByteLevel.alphabet(),
        )
        backend.train_from_iterator(texts, trainer=trainer)
        return cls(backend)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "BPETokenizer":
        """Load a tokenizer saved with :meth:`save` (the library's JSON format)."""
        tk = _import_tokenizers()
        if not Path(path).is_file():
            raise DataError(f"{path}: BPE tokenizer file not found")
        return cls(tk.Tokenizer.from_file(str(path)))

    def save(self, path: str | os.PathLike) -> None:
        self.backend.save(str(path))

    def tokenize(self, text: str) -> list[str]:
        return self.backend.encode(text).tokens

    def detokenize(self, tokens: list[str]) -> str:
        ids = [self.backend.token_to_id(token) for token in tokens]
        return self.backend.decode([i for i in ids if i is not None])

    def vocab_size(self) -> int:
        return self.backend.get_vocab_size()
