"""The ``max_len`` policy shared by all readers: truncate with a warning, or fail.

A reader creates one :class:`LengthLimit`, calls :meth:`LengthLimit.apply`
on each sequence with its location, and :meth:`LengthLimit.report` at the end,
which emits a single warning naming how many sequences were cut.
"""

from __future__ import annotations

import warnings
from typing import Literal, TypeVar

from rnnlab.errors import ConfigError, DataError

TooLong = Literal["truncate", "error"]
T = TypeVar("T")


class LengthLimit:
    """Enforce ``max_len`` on sequences read from ``source``.

    Args:
        max_len: the most items a sequence may have; ``None`` means no limit.
        too_long: ``"truncate"`` keeps the first ``max_len`` items and warns once
            (the default); ``"error"`` raises :class:`DataError` at the first long one.
        source: the file name, used in messages.
    """

    def __init__(self, max_len: int | None, too_long: TooLong = "truncate", source: str = ""):
        if max_len is not None and max_len < 1:
            raise ConfigError(f"max_len must be >= 1 or None, got {max_len}")
        if too_long not in ("truncate", "error"):
            raise ConfigError(f"too_long must be 'truncate' or 'error', got {too_long!r}")
        self.max_len = max_len
        self.too_long = too_long
        self.source = source
        self.truncated = 0
        self.first_line: int | None = None

    def apply(self, sequence: list[T], line: int | None = None) -> list[T]:
        """Return ``sequence``, cut to ``max_len`` items if it is longer."""
        if self.max_len is None or len(sequence) <= self.max_len:
            return sequence
        location = f"{self.source}:{line}" if line is not None else self.source
        if self.too_long == "error":
            raise DataError(
                f"{location}: sequence has {len(sequence)} tokens, more than max_len="
                f"{self.max_len}; raise max_len or pass too_long='truncate'"
            )
        self.truncated += 1
        if self.first_line is None:
            self.first_line = line
        return sequence[: self.max_len]

    def report(self) -> None:
        """Warn once if any sequence was truncated."""
        if self.truncated:
            first = f" (first at line {self.first_line})" if self.first_line is not None else ""
            warnings.warn(
                f"{self.source}: truncated {self.truncated} sequence(s) to max_len={self.max_len}{first}",
                stacklevel=3,
            )
