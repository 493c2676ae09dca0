"""Text for a language model: read, split, tokenize, build the vocabulary, encode.

Steps (:func:`load_corpus`):

1. read *units*: the file's lines (``mode`` stream or line), its sentences
   (``mode="sentence"``), or a CSV column's rows (``csv_column``);
2. split the units in file order into train / valid / test (or read the
   separate ``valid_path`` / ``test_path`` files);
3. tokenize; build the vocabulary on the training part only;
4. encode: ``stream`` mode gives one id list per part (words get ``<eos>`` at each
   unit's end, characters keep ``"\\n"``); ``line``/``sentence`` mode gives one
   ``<bos> ... <eos>`` id list per unit.

With ``path = "pydoc"`` the text is the Python reference manual that every Python
installation carries (``pydoc_data.topics``), so a model can be trained offline.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from rnnlab.data import (BOS, EOS, CharTokenizer, Vocab, WhitespaceTokenizer, WordTokenizer, iter_lines,
                         split_sentences)
from rnnlab.data.files import check_file
from rnnlab.errors import DataError
from rnnlab.lm.config import BUILTIN_CORPUS, LMDataConfig

NEWLINE = "\n"


@dataclass
class LMCorpus:
    """Encoded parts of a corpus and the vocabulary built on ``train``.

    In stream mode each part is a list of ids; in line/sentence mode a list of
    id lists (each ``<bos> ... <eos>``). ``test`` may be empty.
    """

    vocab: Vocab
    train: list
    valid: list
    test: list
    source: str  # what was read, for messages

    def num_tokens(self, part: list) -> int:
        return sum(len(p) for p in part) if part and isinstance(part[0], list) else len(part)


def make_tokenizer(config: LMDataConfig):
    """The tokenizer a data config names."""
    if config.level == "char":
        return CharTokenizer(lowercase=config.lowercase)
    if config.word_tokenizer == "whitespace":
        return WhitespaceTokenizer(lowercase=config.lowercase)
    return WordTokenizer(lowercase=config.lowercase)


def builtin_text() -> str:
    """Python's reference manual as plain text (``pydoc_data.topics``, topics in sorted order)."""
    from pydoc_data.topics import topics

    return "\n".join(topics[key] for key in sorted(topics))


def read_units(path: str, config: LMDataConfig) -> list[str]:
    """The file's text units: lines, sentences, or CSV rows, in file order."""
    if path == BUILTIN_CORPUS:
        lines = builtin_text().splitlines()
    elif config.csv_column is not None:
        lines = _csv_column(path, config.csv_column)
    else:
        lines = [line for _, line in iter_lines(path)]
    if config.mode == "sentence":
        units, paragraph = [], []
        for line in lines + [""]:
            if line.strip():
                paragraph.append(line.strip())
            elif paragraph:
                units.extend(split_sentences(" ".join(paragraph)))
                paragraph = []
        return units
    if config.csv_column is not None:
        lines = [" ".join(row.split()) for row in lines]  # a comment may span lines
    return lines


def _csv_column(path: str, column: str) -> list[str]:
    check_file(path)
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise DataError(f"{path}:1: no column {column!r}; the columns are: "
                            f"{', '.join(reader.fieldnames or [])}")
        return [row[column] or "" for row in reader]


def tokenize_units(units: list[str], tokenizer, config: LMDataConfig) -> list[list[str]]:
    """Token lists, one per unit; in line/sentence mode framed and cut to ``max_len``; empty units dropped."""
    sequences = []
    for unit in units:
        tokens = tokenizer.tokenize(unit)
        if config.mode == "stream":
            sequences.append(tokens + [NEWLINE if config.level == "char" else EOS])
            continue
        if not tokens:
            continue
        if config.max_len is not None:
            tokens = tokens[: config.max_len]
        sequences.append([BOS, *tokens, EOS])
    return sequences


def load_corpus(config: LMDataConfig) -> LMCorpus:
    """Read, split, tokenize and encode the corpus ``config`` describes (see the module doc)."""
    for name in ("valid_path", "test_path"):
        if getattr(config, name) is not None and config.csv_column is None:
            check_file(getattr(config, name))
    if config.path != BUILTIN_CORPUS:
        check_file(config.path)
    tokenizer = make_tokenizer(config)
    units = read_units(config.path, config)
    if config.valid_path is None:
        n = len(units)
        n_train = int(round(n * config.split[0]))
        n_valid = int(round(n * config.split[1]))
        parts = [units[:n_train], units[n_train:n_train + n_valid], units[n_train + n_valid:]]
        if config.test_path is not None:
            parts[2] = read_units(config.test_path, config)
    else:
        test = read_units(config.test_path, config) if config.test_path else []
        parts = [units, read_units(config.valid_path, config), test]
    train, valid, test = (tokenize_units(p, tokenizer, config) for p in parts)
    if not train or not valid:
        raise DataError(f"{config.path}: too little text for a training and a validation part "
                        f"({len(units)} units, split {list(config.split)})")
    vocab = Vocab.build(train, max_size=config.max_vocab, min_freq=config.min_freq)
    encoded = [encode(part, vocab, config.mode) for part in (train, valid, test)]
    if config.mode == "stream" and config.max_valid_tokens is not None:
        encoded[1] = encoded[1][: config.max_valid_tokens]
    source = "Python reference manual (pydoc_data.topics)" if config.path == BUILTIN_CORPUS else config.path
    return LMCorpus(vocab, *encoded, source=source)


def encode(sequences: list[list[str]], vocab: Vocab, mode: str) -> list:
    """Stream mode: one flat id list; line/sentence mode: one id list per sequence."""
    if mode == "stream":
        return [i for sequence in sequences for i in vocab.encode(sequence)]
    return [vocab.encode(sequence) for sequence in sequences]


def encode_text(text: str, vocab: Vocab, config: LMDataConfig) -> list[int]:
    """Ids of ``text`` as the model saw text in training (for prompts), without a final end."""
    tokens = make_tokenizer(config).tokenize(text)
    return vocab.encode(tokens)

