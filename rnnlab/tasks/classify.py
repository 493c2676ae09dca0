"""The classification task: experiment config, labelled-text data and splits, encoding,
the Trainer hooks, k-fold cross-validation and :class:`ClassifyPredictor`. Helpers
shared with tagging and forecasting (resume, best weights, metrics.json) live here too.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F

from rnnlab.config import check_fields, require_rate, with_values
from rnnlab.data import (CharTokenizer, LabelledTexts, Vocab, WhitespaceTokenizer, WordTokenizer,
    bucket_batches, pad_sequences, read_class_folders, read_labelled_jsonl, read_labelled_table,
    split_indices)
from rnnlab.errors import ConfigError, DataError
from rnnlab.evaluation.classification import classification_report, plot_confusion
from rnnlab.models.classifier import ClassifierConfig, SequenceClassifier
from rnnlab.training import StepOutput, Trainer, TrainConfig, seed_everything


def resume_path(config: Any, resume: bool) -> Path | None:
    """``RUN/checkpoints/last.safetensors`` when resuming (an error if it is missing)."""
    if not resume:
        return None
    path = Path(config.train.out_dir) / "checkpoints" / "last.safetensors"
    if not path.is_file():
        raise ConfigError(f"--resume: {path} not found; train into {config.train.out_dir} first")
    return path


def best_weights(trainer: Trainer, fit) -> None:
    """Load the best checkpoint's weights into the trainer's model (else keep the last)."""
    from rnnlab.training import load_checkpoint

    path = fit.best_checkpoint or trainer.best_path
    if Path(path).is_file():
        trainer.model.load_state_dict(load_checkpoint(path, device=trainer.device).model_state)


def write_metrics(out_dir: str | Path, metrics: dict) -> Path:
    path = Path(out_dir) / "metrics.json"
    path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return path


def make_tokenizer(kind: str, lowercase: bool):
    if kind == "word":
        return WordTokenizer(lowercase=lowercase)
    if kind == "whitespace":
        return WhitespaceTokenizer(lowercase=lowercase)
    return CharTokenizer(lowercase=lowercase)


# ============================================================================ classification config


@dataclass
class ClassifyDataConfig:
    """Where the labelled texts come from and how they become token ids."""

    path: str = ""                # CSV/TSV/JSONL file or class-folder root (root/<label>/*.txt)
    format: Literal["auto", "table", "jsonl", "folders", "lines"] = "auto"  # auto: by path / files
    files: dict[str, str] = field(default_factory=dict)  # format "lines": label -> file, one text per non-empty line
    text_col: str = "text"        # table / JSONL text column
    label_col: str = "label"      # table / JSONL label column
    split_col: str | None = None  # column naming each row's split ("train" / "test"), e.g. IMDB's "split"
    test_path: str | None = None  # a separate test set in the same format (e.g. aclImdb/test)
    valid_fraction: float = 0.1   # of the training rows, held out for validation
    test_fraction: float = 0.1    # of all rows, when neither split_col nor test_path gives a test set
    tokenizer: Literal["word", "whitespace", "char"] = "word"
    lowercase: bool = True        # lower-case before tokenizing
    strip_html: bool = True       # replace HTML tags such as IMDB's <br /> with a space
    max_vocab: int | None = 20000 # ordinary tokens kept (most frequent in train)
    min_freq: int = 1             # drop rarer training tokens
    max_len: int | None = 400     # tokens kept per text (None = all)
    keep: Literal["first", "last"] = "first"  # which end of a long text is kept
    features: Literal["words", "tags"] = "words"  # "tags": replace words by a tag run's predicted tags
    tagger_run: str | None = None  # run folder of `rnnlab train tag` (features = "tags")
    kfold: int = 0                # > 1: also k-fold cross-validation over train+valid (mean and spread)
    seed: int = 0                 # split shuffle and batch order

    def __post_init__(self) -> None:
        check_fields(self)
        require_rate(self, ("valid_fraction", "test_fraction"), prefix="data.")
        if self.features == "tags" and not self.tagger_run:
            raise ConfigError("data.features = 'tags' needs data.tagger_run (a `rnnlab train tag` run folder)")
        if self.kfold == 1 or self.kfold < 0:
            raise ConfigError(f"data.kfold must be 0 (off) or >= 2, got {self.kfold}")


@dataclass
class ClassifyExperiment:
    """``rnnlab train classify``: one run."""

    task: Literal["classify"] = "classify"
    data: ClassifyDataConfig = field(default_factory=ClassifyDataConfig)
    model: ClassifierConfig = field(default_factory=ClassifierConfig)
    class_weights: str | list[float] = "none"  # "none", "balanced" (n / (C * count)) or one weight per class
    train: TrainConfig = field(default_factory=TrainConfig)


# ============================================================================ classification data

_HTML_TAG = re.compile(r"<[^>]+>")


def _read_split_column(path: Path, split_col: str) -> list[str]:
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle, delimiter="\t" if path.suffix.lower() in (".tsv", ".tab") else ",")
        header = next(reader)
        if split_col not in header:
            raise DataError(f"{path}:1: no column {split_col!r} (data.split_col); the columns are: {', '.join(header)}")
        index = header.index(split_col)
        return [row[index].strip() for row in reader if row]


def _read_lines_files(files: dict[str, str]) -> LabelledTexts:
    from rnnlab.data import iter_lines

    if len(files) < 2:
        raise ConfigError(f"data.files needs at least 2 labels (label = file), got {len(files)}")
    names = sorted(files)
    texts, labels = [], []
    for label, name in enumerate(names):
        for _, line in iter_lines(files[name]):
            if line.strip():
                texts.append(line.strip())
                labels.append(label)
    return LabelledTexts(texts=texts, labels=labels, label_names=names)


def read_labelled(data: ClassifyDataConfig, path: str) -> LabelledTexts:
    """Read one labelled set as ``data.format`` says (``auto``: folder, .jsonl or table)."""
    fmt = data.format
    if fmt == "auto":
        fmt = ("lines" if data.files else "folders" if Path(path).is_dir()
               else "jsonl" if path.endswith((".jsonl", ".json")) else "table")
    if fmt == "lines":
        return _read_lines_files(data.files)
    if not path:
        raise ConfigError("no data: pass --data FILE (or data.path in the config)")
    if fmt == "folders":
        return read_class_folders(path)
    if fmt == "jsonl":
        return read_labelled_jsonl(path, data.text_col, data.label_col)
    return read_labelled_table(path, data.text_col, data.label_col)


@dataclass
class ClassifySplits:
    """Texts and labels of the three parts, and the label names."""

    names: list[str]
    train: tuple[list[str], list[int]]
    valid: tuple[list[str], list[int]]
    test: tuple[list[str], list[int]]


def load_classify_splits(data: ClassifyDataConfig) -> ClassifySplits:
    """Train / valid / test texts: by ``split_col``, by ``test_path``, or by fractions."""
    full = read_labelled(data, data.path)
    take = lambda idx: ([full.texts[i] for i in idx], [full.labels[i] for i in idx])
    if data.split_col:
        split = _read_split_column(Path(data.path), data.split_col)
        if len(split) != len(full):
            raise DataError(f"{data.path}: split column has {len(split)} rows but {len(full)} texts were read")
        pool = [i for i, s in enumerate(split) if s != "test"]
        test = [i for i, s in enumerate(split) if s == "test"]
        if not test:
            raise DataError(f"{data.path}: no row has {data.split_col} = 'test'; values seen: {sorted(set(split))}")
    elif data.test_path:
        pool, test = list(range(len(full))), []
    else:
        parts = split_indices(len(full), fractions=(1 - data.test_fraction, 0.0, data.test_fraction), seed=data.seed)
        pool, test = parts.train, parts.test
    inner = split_indices(len(pool), fractions=(1 - data.valid_fraction, data.valid_fraction, 0.0), seed=data.seed + 1)
    train, valid = [pool[i] for i in inner.train], [pool[i] for i in inner.valid]
    test_part = take(test)
    if data.test_path:
        other = read_labelled(data, data.test_path)
        index = {name: i for i, name in enumerate(full.label_names)}
        unknown = sorted(set(other.label_names) - set(index))
        if unknown:
            raise DataError(f"{data.test_path}: labels {unknown} do not occur in {data.path}")
        test_part = (other.texts, [index[other.label_names[y]] for y in other.labels])
    return ClassifySplits(full.label_names, take(train), take(valid), test_part)


class TextEncoder:
    """Text -> token ids as the run's data config says (cleaning, tokenizer, tag features, truncation)."""

    def __init__(self, data: ClassifyDataConfig, vocab: Vocab | None = None):
        self.data, self.vocab = data, vocab
        self.tokenizer = make_tokenizer(data.tokenizer, data.lowercase)
        self.tagger = None
        if data.features == "tags":
            from rnnlab.tasks.tag import TagPredictor

            self.tagger = TagPredictor.load(data.tagger_run)

    def tokens(self, texts: list[str]) -> list[list[str]]:
        cleaned = [_HTML_TAG.sub(" ", t) if self.data.strip_html else t for t in texts]
        if self.tagger is not None:  # tag with the tagger's own tokenizer, then keep the tags
            return [tags or ["<unk>"] for _, tags in self.tagger.tag_texts(cleaned)]
        tokens = [self.tokenizer.tokenize(t) or ["<unk>"] for t in cleaned]
        n = self.data.max_len
        if n is not None:
            tokens = [t[:n] if self.data.keep == "first" else t[-n:] for t in tokens]
        return tokens

    def encode(self, texts: list[str]) -> list[list[int]]:
        return [self.vocab.encode(t) for t in self.tokens(texts)]


def classify_batches(ids: list[list[int]], labels: list[int], batch_size: int, seed: int | None):
    """Padded ``(tokens (B, T), lengths (B,), labels (B,))`` batches; bucketed by length, shuffled by ``seed``."""
    order = bucket_batches([len(x) for x in ids], batch_size, seed=seed or 0, shuffle=seed is not None)
    batches = []
    for index in order:
        padded = pad_sequences([ids[i] for i in index])
        batches.append((padded.tokens, padded.lengths, torch.tensor([labels[i] for i in index])))
    return batches


class ClassificationTask:
    """Trainer hooks: cross-entropy (optionally class-weighted) and accuracy per batch."""

    def __init__(self, class_weights: torch.Tensor | None = None):
        self.class_weights = class_weights

    def loss(self, model, batch, state):
        tokens, lengths, labels = batch
        logits = model(tokens, lengths)  # (B, C)
        weight = None if self.class_weights is None else self.class_weights.to(logits.device)
        loss = F.cross_entropy(logits, labels, weight=weight)
        accuracy = (logits.argmax(-1) == labels).float().mean()
        return StepOutput(loss, n_items=len(labels), metrics={"accuracy": accuracy})


def class_weight_tensor(spec: str | list[float], labels: list[int], num_classes: int) -> torch.Tensor | None:
    if spec == "none":
        return None
    if spec == "balanced":
        counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
        return torch.tensor(len(labels) / (num_classes * np.maximum(counts, 1)), dtype=torch.float32)
    if isinstance(spec, str):
        raise ConfigError(f"class_weights must be 'none', 'balanced' or a list of numbers, got {spec!r}")
    if len(spec) != num_classes:
        raise ConfigError(f"class_weights has {len(spec)} values but there are {num_classes} classes")
    return torch.tensor(spec, dtype=torch.float32)


def predict_classes(model, ids: list[list[int]], batch_size: int = 256) -> np.ndarray:
    """``(N, C)`` class probabilities, in the order of ``ids``."""
    model.eval()
    device = next(model.parameters()).device
    probabilities = np.zeros((len(ids), model.head.out_features), dtype=np.float64)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            padded = pad_sequences([ids[i] for i in index])
            logits = model(padded.tokens.to(device), padded.lengths.to(device))
            probabilities[index] = torch.softmax(logits.float(), -1).cpu().numpy()
    return probabilities


def _fit_classifier(config: ClassifyExperiment, encoder: TextEncoder, names, train, valid, resume=None,
                    run_config=None):
    train_ids, valid_ids = encoder.encode(train[0]), encoder.encode(valid[0])
    seed_everything(config.train.seed)
    model = SequenceClassifier(config.model, len(names), vocab_size=len(encoder.vocab))
    task = ClassificationTask(class_weight_tensor(config.class_weights, train[1], len(names)))
    bs, seed = config.train.batch_size, config.data.seed
    trainer = Trainer(
        model, task, config.train,
        train_batches=lambda epoch: classify_batches(train_ids, train[1], bs, seed + epoch),
        valid_batches=(lambda: classify_batches(valid_ids, valid[1], bs, None)) if valid_ids else None,
        vocab={"tokens": encoder.vocab.tokens, "labels": names}, run_config=run_config, item_name="texts",
    )
    fit = trainer.fit(resume=resume)
    best_weights(trainer, fit)
    return trainer, fit


def train_classify(config: ClassifyExperiment, resume: bool = False, log=print) -> dict:
    """Train, then score the test split; writes ``metrics.json`` and ``confusion.png`` in the run folder.

    Returns the metrics dict (test accuracy, macro-F1, per-class report, k-fold summary).
    """
    splits = load_classify_splits(config.data)
    encoder = TextEncoder(config.data)
    encoder.vocab = Vocab.build(encoder.tokens(splits.train[0]), max_size=config.data.max_vocab,
                                min_freq=config.data.min_freq)
    log(f"classify: {len(splits.train[0])} train / {len(splits.valid[0])} valid / {len(splits.test[0])} test texts, "
        f"{len(splits.names)} classes, vocabulary {len(encoder.vocab)}")
    trainer, fit = _fit_classifier(config, encoder, splits.names, splits.train, splits.valid,
                                   resume_path(config, resume), run_config=config)
    metrics: dict[str, Any] = {"task": "classify", "stop_reason": fit.stop_reason, "steps": fit.steps,
                               "wall_time_s": round(fit.wall_time_s, 1)}
    if splits.test[0]:
        probabilities = predict_classes(trainer.model, encoder.encode(splits.test[0]))
        report = classification_report(splits.test[1], probabilities.argmax(1), splits.names)
        metrics["test"] = report.to_dict()
        plot_confusion(report, Path(config.train.out_dir) / "confusion.png")
        log(report.format())
    if config.data.kfold > 1:
        metrics["kfold"] = _kfold(config, splits, log)
    write_metrics(config.train.out_dir, metrics)
    return metrics


def _kfold(config: ClassifyExperiment, splits: ClassifySplits, log) -> dict:
    """k-fold cross-validation over train + valid: one fresh model per fold, scored on its held-out fold."""
    texts, labels = splits.train[0] + splits.valid[0], splits.train[1] + splits.valid[1]
    order = torch.randperm(len(texts), generator=torch.Generator().manual_seed(config.data.seed)).tolist()
    folds = [order[k::config.data.kfold] for k in range(config.data.kfold)]
    scores = []
    for k, held in enumerate(folds):
        held_set = set(held)
        rest = [i for i in order if i not in held_set]
        part = lambda idx: ([texts[i] for i in idx], [labels[i] for i in idx])
        encoder = TextEncoder(config.data)
        encoder.vocab = Vocab.build(encoder.tokens(part(rest)[0]), max_size=config.data.max_vocab,
                                    min_freq=config.data.min_freq)
        fold_config = with_values(config, {"train.out_dir": str(Path(config.train.out_dir) / "folds" / str(k)),
                                           "train.progress": False, "train.plot": False})
        trainer, _ = _fit_classifier(fold_config, encoder, splits.names, part(rest), ([], []))
        probabilities = predict_classes(trainer.model, encoder.encode(part(held)[0]))
        scores.append(float((probabilities.argmax(1) == np.array(part(held)[1])).mean()))
        log(f"fold {k + 1}/{config.data.kfold}: accuracy {scores[-1]:.4f}")
    mean, spread = float(np.mean(scores)), float(np.std(scores, ddof=1)) if len(scores) > 1 else 0.0
    log(f"{config.data.kfold}-fold accuracy: {mean:.4f} +- {spread:.4f} (mean +- sample std)")
    return {"folds": config.data.kfold, "accuracy": scores, "mean": mean, "std": spread}


class ClassifyPredictor:
    """A trained classification run, ready to label texts."""

    def __init__(self, config: ClassifyExperiment, vocab: dict, model_state: dict):
        self.config, self.names = config, vocab["labels"]
        self.encoder = TextEncoder(config.data, Vocab(vocab["tokens"]))
        self.model = SequenceClassifier(config.model, len(self.names), vocab_size=len(self.encoder.vocab))
        self.model.load_state_dict(model_state)
        self.model.eval()

    def predict(self, texts: list[str]) -> list[dict]:
        probabilities = predict_classes(self.model, self.encoder.encode(texts))
        return [{"text": text, "label": self.names[int(p.argmax())],
                 "probabilities": {name: round(float(q), 6) for name, q in zip(self.names, p)}}
                for text, p in zip(texts, probabilities)]


# ============================================================================ commands
