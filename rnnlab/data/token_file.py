"""Large corpora: encode once into a memory-mapped token file, then stream BPTT batches.

A token file is two files side by side:

- ``corpus.tokens`` -- the token ids, raw little-endian ``uint16`` (vocabulary
  up to 65,536 tokens) or ``uint32``, no header, readable with ``numpy.memmap``;
- ``corpus.tokens.json`` -- the sidecar header::

      {"format": "rnnlab.tokens", "version": 1, "dtype": "uint16",
       "length": 929589, "vocab_size": 10000, "vocab_fingerprint": "3f1c...",
       "source": "ptb.train.txt"}

Encoding reads the text line by line and writes ids in chunks, so memory stays
bounded by the chunk, not the corpus. :func:`open_token_file` checks the
sidecar against the file size and (if given) the vocabulary, and returns a
read-only memmap for random access plus a :class:`TokenFileReader` for streaming:
:class:`~rnnlab.data.bptt.ContiguousBatches` slices either on demand.

Example:
    >>> encode_token_file("train.txt", "train.tokens", WhitespaceTokenizer(), vocab)
    >>> token_file = open_token_file("train.tokens", vocab=vocab)
    >>> for batch in ContiguousBatches(token_file.reader(), batch_size=32, bptt=35): ...
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from rnnlab.data.files import DecodeErrors, iter_lines
from rnnlab.data.tokenizers import Tokenizer
from rnnlab.data.vocab import EOS_ID, Vocab
from rnnlab.errors import DataError

_FORMAT = "rnnlab.tokens"
_VERSION = 1


@dataclass(frozen=True)
class TokenFileHeader:
    """What the ``.json`` sidecar records about a token file."""

    dtype: str  # "uint16" or "uint32" (little-endian)
    length: int  # number of tokens
    vocab_size: int
    vocab_fingerprint: str  # Vocab.fingerprint() of the vocabulary used to encode
    source: str  # the text file it was encoded from
    format: str = _FORMAT
    version: int = _VERSION


class TokenFileReader:
    """Slices of a token file read with ordinary file reads (``os.pread``).

    Behaves like a read-only 1-D array for slicing (``reader[a:b]``, ``len``,
    ``shape``), which is all :class:`~rnnlab.data.bptt.ContiguousBatches` needs.
    Unlike a memmap, whose pages stay resident after being touched until the
    OS reclaims them, only the slice being read is in memory, so streaming a
    corpus of any size keeps the process's RSS flat.
    """

    def __init__(self, path: str | os.PathLike, dtype: np.dtype, length: int):
        self.path = Path(path)
        self.dtype = np.dtype(dtype)
        self.length = length
        self._fd = os.open(self.path, os.O_RDONLY)

    @property
    def shape(self) -> tuple[int]:
        return (self.length,)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: slice) -> np.ndarray:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("TokenFileReader supports contiguous slices only, e.g. reader[10:45]")
        start, stop, _ = index.indices(self.length)
        count = max(0, stop - start)
        data = os.pread(self._fd, count * self.dtype.itemsize, start * self.dtype.itemsize)
        return np.frombuffer(data, dtype=self.dtype)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self):
        self.close()


@dataclass(frozen=True)
class TokenFile:
    """An opened token file."""

    tokens: np.memmap  # (length,) read-only, for random access
    header: TokenFileHeader
    path: Path

    def reader(self) -> TokenFileReader:
        """A reader for streaming with flat memory (see :class:`TokenFileReader`)."""
        return TokenFileReader(self.path, self.tokens.dtype, self.header.length)


def sidecar_path(path: str | os.PathLike) -> Path:
    """The header file of a token file: ``corpus.tokens`` -> ``corpus.tokens.json``."""
    return Path(str(path) + ".json")


def encode_token_file(
    text_path: str | os.PathLike,
    out_path: str | os.PathLike,
    tokenizer: Tokenizer,
    vocab: Vocab,
    *,
    eos_at_line_end: bool = True,
    chunk_tokens: int = 65536,
    errors: DecodeErrors = "strict",
) -> TokenFileHeader:
    """Encode a text file into a token file plus its sidecar header.

    Args:
        text_path: UTF-8 text, read line by line.
        out_path: the token file to write (the sidecar is ``out_path + ".json"``).
        tokenizer: splits each line into tokens.
        vocab: maps tokens to ids (unknown tokens -> ``<unk>``).
        eos_at_line_end: append ``<eos>`` after every line, as :func:`~rnnlab.data.text.read_stream` does.
        chunk_tokens: ids buffered before each write (bounds memory).
        errors: ``"strict"`` or ``"replace"`` for invalid UTF-8.

    Returns:
        The header written. Both files are written to temporary names and
        renamed at the end, so an interrupted run leaves no half-written file.
    """
    out_path = Path(out_path)
    dtype = np.dtype("<u2") if len(vocab) <= 2**16 else np.dtype("<u4")
    temporary = out_path.with_name(out_path.name + ".tmp")
    length = 0
    buffer: list[int] = []
    with open(temporary, "wb") as handle:
        for _, line in iter_lines(text_path, errors=errors):
            buffer.extend(vocab.encode(tokenizer.tokenize(line)))
            if eos_at_line_end:
                buffer.append(EOS_ID)
            if len(buffer) >= chunk_tokens:
                handle.write(np.asarray(buffer, dtype=dtype).tobytes())
                length += len(buffer)
                buffer = []
        handle.write(np.asarray(buffer, dtype=dtype).tobytes())
        length += len(buffer)
    if length == 0:
        temporary.unlink()
        raise DataError(f"{text_path}: no tokens found; expected text")
    header = TokenFileHeader(
        dtype=dtype.name, length=length, vocab_size=len(vocab),
        vocab_fingerprint=vocab.fingerprint(), source=str(text_path),
    )
    header_temporary = sidecar_path(temporary)
    header_temporary.write_text(json.dumps(asdict(header), indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, out_path)
    os.replace(header_temporary, sidecar_path(out_path))
    return header


def open_token_file(path: str | os.PathLike, vocab: Vocab | None = None) -> TokenFile:
    """Open a token file read-only as a memmap, after checking its header.

    Args:
        path: the token file written by :func:`encode_token_file`.
        vocab: if given, must be the vocabulary the file was encoded with.

    Raises:
        DataError: missing or malformed sidecar, a size that does not match
            the header, or a different vocabulary.
    """
    path = Path(path)
    meta_path = sidecar_path(path)
    if not path.is_file():
        raise DataError(f"{path}: token file not found")
    try:
        fields = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{meta_path}: header file not found; re-encode with encode_token_file") from None
    except json.JSONDecodeError as error:
        raise DataError(f"{meta_path}: not a JSON header ({error})") from None
    if not isinstance(fields, dict) or fields.get("format") != _FORMAT or fields.get("version") != _VERSION:
        raise DataError(f"{meta_path}: field 'format'/'version': expected {_FORMAT!r} version {_VERSION}")
    try:
        header = TokenFileHeader(**fields)
    except TypeError as error:
        raise DataError(f"{meta_path}: unexpected or missing fields ({error})") from None
    if header.dtype not in ("uint16", "uint32"):
        raise DataError(f"{meta_path}: field 'dtype': expected 'uint16' or 'uint32', got {header.dtype!r}")
    dtype = np.dtype("<u2") if header.dtype == "uint16" else np.dtype("<u4")
    size = path.stat().st_size
    if size != header.length * dtype.itemsize:
        raise DataError(
            f"{path}: {size} bytes, but the header says {header.length} {header.dtype} tokens "
            f"({header.length * dtype.itemsize} bytes); the file is truncated or from another encoding"
        )
    if vocab is not None and vocab.fingerprint() != header.vocab_fingerprint:
        raise DataError(
            f"{path}: encoded with a different vocabulary (fingerprint {header.vocab_fingerprint[:12]}, "
            f"size {header.vocab_size}; given {vocab.fingerprint()[:12]}, size {len(vocab)})"
        )
    return TokenFile(tokens=np.memmap(path, dtype=dtype, mode="r", shape=(header.length,)), header=header, path=path)
