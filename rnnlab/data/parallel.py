"""Parallel text for translation: sentence pairs from one TSV file or two aligned files.

- :func:`read_parallel_tsv`: one pair per line, tab-separated, as in the
  Tatoeba / manythings.org Anki files (``spa.txt``)::

      Go.<TAB>Ve.<TAB>CC-BY 2.0 (France) Attribution: tatoeba.org ...

  ``src_col`` and ``tgt_col`` pick the columns (0-based); other columns are ignored.
- :func:`read_parallel_files`: line ``i`` of one file translates line ``i`` of the other.

Texts are returned untokenized; tokenize each side with its own tokenizer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from rnnlab.data.files import DecodeErrors, iter_lines, where
from rnnlab.errors import ConfigError, DataError


@dataclass(frozen=True)
class SentencePairs:
    """Aligned source and target sentences."""

    sources: list[str]
    targets: list[str]  # targets[i] translates sources[i]

    def __len__(self) -> int:
        return len(self.sources)


def read_parallel_tsv(
    path: str | os.PathLike,
    src_col: int = 0,
    tgt_col: int = 1,
    *,
    errors: DecodeErrors = "strict",
) -> SentencePairs:
    """Read tab-separated sentence pairs (no header, no quoting; blank lines skipped).

    Raises:
        DataError: a line with too few columns or an empty source or target.
    """
    if src_col < 0 or tgt_col < 0 or src_col == tgt_col:
        raise ConfigError(f"src_col and tgt_col must be different and >= 0, got {src_col}, {tgt_col}")
    needed = max(src_col, tgt_col) + 1
    pairs = SentencePairs(sources=[], targets=[])
    for number, line in iter_lines(path, errors=errors):
        if not line.strip():
            continue
        columns = line.split("\t")
        if len(columns) < needed:
            raise DataError(
                f"{where(path, number)}: expected at least {needed} tab-separated columns "
                f"(src_col={src_col}, tgt_col={tgt_col}), found {len(columns)}"
            )
        source, target = columns[src_col].strip(), columns[tgt_col].strip()
        for col, text in ((src_col, source), (tgt_col, target)):
            if not text:
                raise DataError(f"{where(path, number)}: column {col} is empty; expected a sentence")
        pairs.sources.append(source)
        pairs.targets.append(target)
    if not pairs.sources:
        raise DataError(f"{where(path)}: no sentence pairs found")
    return pairs


def read_parallel_files(
    source_path: str | os.PathLike,
    target_path: str | os.PathLike,
    *,
    errors: DecodeErrors = "strict",
) -> SentencePairs:
    """Read two line-aligned files. Pairs where both lines are blank are skipped.

    Raises:
        DataError: the files have different line counts (both counts are named),
            or one side of a pair is blank while the other is not.
    """
    sources = [line.strip() for _, line in iter_lines(source_path, errors=errors)]
    targets = [line.strip() for _, line in iter_lines(target_path, errors=errors)]
    if len(sources) != len(targets):
        raise DataError(
            f"{source_path} has {len(sources)} lines but {target_path} has {len(targets)}; "
            "aligned files must have the same number of lines"
        )
    pairs = SentencePairs(sources=[], targets=[])
    for number, (source, target) in enumerate(zip(sources, targets), start=1):
        if not source and not target:
            continue
        if not source or not target:
            blank = source_path if not source else target_path
            raise DataError(f"{where(blank, number)}: blank line where the other file has a sentence")
        pairs.sources.append(source)
        pairs.targets.append(target)
    if not pairs.sources:
        raise DataError(f"{source_path}: no sentence pairs found")
    return pairs
