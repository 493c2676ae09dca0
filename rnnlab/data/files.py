"""Reading text files safely: one place that turns bad bytes into clear errors.

Every reader in :mod:`rnnlab.data` gets its lines from :func:`iter_lines`, so
they all report the same one-line :class:`~rnnlab.errors.DataError` for

- a missing file or a folder given as a file,
- an empty file,
- a binary file (a NUL byte, which never occurs in text),
- invalid UTF-8 (with the 1-based line and the byte offset inside that line),
  unless ``errors="replace"`` asks to replace bad bytes with U+FFFD.

Lines are read one at a time, so memory stays bounded for large files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from rnnlab.errors import DataError

DecodeErrors = Literal["strict", "replace"]


def where(path: str | os.PathLike, line: int | None = None) -> str:
    """Format an error location: ``"data/train.txt:12"`` (line is 1-based)."""
    return f"{path}:{line}" if line is not None else str(path)


def check_file(path: str | os.PathLike) -> Path:
    """Return ``path`` as a :class:`Path` after checking it is a non-empty file."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    if not path.is_file():
        raise DataError(f"{path}: expected a file, found a folder or special file")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: file is empty; expected text")
    return path


def iter_lines(
    path: str | os.PathLike, *, errors: DecodeErrors = "strict"
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` for each line of a UTF-8 text file.

    Args:
        path: the file to read.
        errors: ``"strict"`` raises on invalid UTF-8; ``"replace"`` puts U+FFFD
            in place of each bad byte sequence.

    Yields:
        The 1-based line number and the line without its line end (``\\n`` or
        ``\\r\\n``). A UTF-8 byte-order mark at the start is dropped.

    Raises:
        DataError: missing or empty file, NUL byte, or invalid UTF-8.
    """
    if errors not in ("strict", "replace"):
        raise DataError(f"errors must be 'strict' or 'replace', got {errors!r}")
    path = check_file(path)
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            nul = raw.find(b"\x00")
            if nul >= 0:
                raise DataError(
                    f"{where(path, number)}: binary data (NUL byte at byte {nul + 1} "
                    "of the line); expected a UTF-8 text file"
                )
            try:
                text = raw.decode("utf-8", errors=errors)
            except UnicodeDecodeError as error:
                raise DataError(
                    f"{where(path, number)}: invalid UTF-8 at byte {error.start + 1} of "
                    f"the line ({raw[error.start:error.start + 1]!r}); "
                    "re-encode the file as UTF-8 or pass errors='replace'"
                ) from None
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            yield number, text.rstrip("\r\n")


def read_text(path: str | os.PathLike, *, errors: DecodeErrors = "strict") -> str:
    """Read a whole UTF-8 text file with the checks of :func:`iter_lines`.

    Line ends are normalised to ``\\n``; the text ends with ``\\n`` only if the
    file did. Use it for small files; large corpora go through :func:`iter_lines`.
    """
    lines = [line for _, line in iter_lines(path, errors=errors)]
    text = "\n".join(lines)
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) == b"\n":
            text += "\n"
    return text
