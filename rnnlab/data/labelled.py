"""Labelled texts for classification: CSV / TSV / JSONL tables and folder-per-class layouts.

All readers return :class:`LabelledTexts`: the raw texts, an integer label
per text, and the label names. Label ids index ``label_names``, which are
sorted (numerically when every name is an integer, so ``"2"`` < ``"10"``).

Formats:

- CSV (``.csv``, comma, quoted fields may span lines) and TSV (``.tsv``/``.tab``,
  tab, no quoting) with a header row; pick the columns by name::

      id,review,label
      1,"Great film, loved it",pos

- JSONL: one JSON object per line, ``{"text": "...", "label": "pos"}``.
- Folders: ``root/<label>/*.txt``, one text per file (the aclImdb layout).

A label column with a single class is an error: nothing can be learned from it.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

from rnnlab.data.files import DecodeErrors, check_file, iter_lines, read_text, where
from rnnlab.errors import DataError, suggest


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with one class label each."""

    texts: list[str]
    labels: list[int]  # labels[i] indexes label_names
    label_names: list[str]

    def __len__(self) -> int:
        return len(self.texts)


def _sort_names(names: set[str]) -> list[str]:
    if all(name.lstrip("-").isdigit() for name in names):
        return sorted(names, key=int)
    return sorted(names)


def _finish(texts: list[str], raw_labels: list[str], source: str, field: str) -> LabelledTexts:
    if not texts:
        raise DataError(f"{source}: no rows found; expected a header and at least one row")
    names = _sort_names(set(raw_labels))
    if len(names) < 2:
        raise DataError(
            f"{source}: {field} has a single class {names[0]!r}; a classifier needs at least 2 classes"
        )
    index = {name: i for i, name in enumerate(names)}
    return LabelledTexts(texts=texts, labels=[index[label] for label in raw_labels], label_names=names)


def _column(header: list[str], name: str, path) -> int:
    if name not in header:
        raise DataError(
            f"{where(path, 1)}: no column {name!r}{suggest(name, header)}; the columns are: {', '.join(header)}"
        )
    return header.index(name)


def read_labelled_table(
    path: str | os.PathLike,
    text_col: str = "text",
    label_col: str = "label",
    *,
    delimiter: str | None = None,
    errors: DecodeErrors = "strict",
) -> LabelledTexts:
    """Read a CSV or TSV file with a header row.

    Args:
        path: the file; ``.tsv`` / ``.tab`` mean tab-separated, anything else comma.
        text_col: header name of the text column.
        label_col: header name of the label column.
        delimiter: override the delimiter; a tab always means no quoting.
        errors: ``"strict"`` or ``"replace"`` for invalid UTF-8.

    Raises:
        DataError: missing column (listing the columns there are), a row with a
            different number of fields than the header, an empty text or label,
            or a single class.
    """
    path = check_file(path)
    if delimiter is None:
        delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
    lines = (line + "\n" for _, line in iter_lines(path, errors=errors))
    reader = csv.reader(lines, delimiter=delimiter, quoting=quoting)
    texts: list[str] = []
    labels: list[str] = []
    try:
        header = next(reader)
        text_index, label_index = _column(header, text_col, path), _column(header, label_col, path)
        start = reader.line_num + 1  # 1-based line where the next record starts
        for row in reader:
            if row:
                if len(row) != len(header):
                    raise DataError(
                        f"{where(path, start)}: expected {len(header)} fields like the header, found {len(row)}"
                    )
                text, label = row[text_index], row[label_index].strip()
                if not text.strip():
                    raise DataError(f"{where(path, start)}: field {text_col!r} is empty; expected text")
                if not label:
                    raise DataError(f"{where(path, start)}: field {label_col!r} is empty; expected a label")
                texts.append(text)
                labels.append(label)
            start = reader.line_num + 1
    except csv.Error as error:
        raise DataError(f"{where(path, reader.line_num)}: malformed CSV ({error})") from None
    return _finish(texts, labels, str(path), f"column {label_col!r}")


def read_labelled_jsonl(
    path: str | os.PathLike,
    text_col: str = "text",
    label_col: str = "label",
    *,
    errors: DecodeErrors = "strict",
) -> LabelledTexts:
    """Read a JSON-lines file: one object per line with a text and a label field.

    Blank lines are skipped. Labels may be strings, integers or booleans
    (they become their string form).
    """
    texts: list[str] = []
    labels: list[str] = []
    for number, line in iter_lines(path, errors=errors):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{where(path, number)}: invalid JSON ({error.msg} at column {error.colno})") from None
        if not isinstance(record, dict):
            raise DataError(f"{where(path, number)}: expected a JSON object, found {type(record).__name__}")
        for field in (text_col, label_col):
            if field not in record:
                keys = list(record)
                raise DataError(
                    f"{where(path, number)}: no field {field!r}{suggest(field, keys)}; the fields are: {', '.join(keys)}"
                )
        text, label = record[text_col], record[label_col]
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"{where(path, number)}: field {text_col!r} must be a non-empty string")
        if label is None or isinstance(label, (dict, list)) or str(label).strip() == "":
            raise DataError(f"{where(path, number)}: field {label_col!r} must be a string or number, got {label!r}")
        texts.append(text)
        labels.append(str(label).strip())
    return _finish(texts, labels, str(path), f"field {label_col!r}")


def read_class_folders(
    root: str | os.PathLike,
    pattern: str = "*.txt",
    *,
    errors: DecodeErrors = "strict",
) -> LabelledTexts:
    """Read ``root/<label>/<file>`` layouts such as aclImdb's ``train/pos/*.txt``.

    Args:
        root: folder whose sub-folders are the classes (sub-folders with no
            matching file, like aclImdb's ``unsup`` when it is empty, are ignored).
        pattern: glob of the files to read in each class folder.
        errors: ``"strict"`` or ``"replace"`` for invalid UTF-8.

    Returns:
        Texts in class order then file-name order; label names are the folder names.
    """
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: folder not found; expected root/<label>/{pattern}")
    texts: list[str] = []
    labels: list[str] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for file in sorted(folder.glob(pattern)):
            texts.append(read_text(file, errors=errors).strip())
            labels.append(folder.name)
    if not texts:
        raise DataError(f"{root}: no files matching <label>/{pattern}; expected root/<label>/{pattern}")
    return _finish(texts, labels, str(root), "the class folders")
