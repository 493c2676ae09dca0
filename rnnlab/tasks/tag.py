"""The tagging task: one tag per token (CoNLL, CoNLL-U, or the parity problem as tagging):
config, data, batches, Trainer hooks and :class:`TagPredictor`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from rnnlab.config import check_fields, config_from_dict, require_rate
from rnnlab.data import (TaggedSentences, Vocab, bucket_batches, pad_sequences, read_conll,
    read_conllu, split_indices)
from rnnlab.errors import ConfigError
from rnnlab.evaluation.classification import classification_report, plot_confusion
from rnnlab.models.tagger import IGNORE_INDEX, SequenceTagger, TaggerConfig, tagging_loss
from rnnlab.training import StepOutput, Trainer, TrainConfig, seed_everything


@dataclass
class TagDataConfig:
    """Tagged sentences and how words become ids."""

    path: str = ""                 # training file (.conll / .conllu); unused for format "parity"
    format: Literal["auto", "conll", "conllu", "parity"] = "auto"  # auto: .conllu -> conllu, else conll
    valid_path: str | None = None  # validation file; None = carve valid_fraction out of train
    test_path: str | None = None   # test file; None = carve test_fraction out of train
    valid_fraction: float = 0.1
    test_fraction: float = 0.1
    token_col: int = 0             # CoNLL: 0-based word column
    tag_col: int = -1              # CoNLL: 0-based tag column (-1 = last)
    tag: Literal["upos", "xpos"] = "upos"  # CoNLL-U: which tag column
    lowercase: bool = False        # lower-case words before the vocabulary
    max_vocab: int | None = None   # ordinary words kept (most frequent in train)
    min_freq: int = 1              # rarer training words become <unk>
    word_dropout: float = 0.0      # replace training words by <unk> with this probability (teaches <unk>)
    bits: int = 12                 # parity: string length
    train_size: int = 3000         # parity: training strings
    test_size: int = 600           # parity: held-out strings (half valid, half test)
    seed: int = 0                  # split and batch order

    def __post_init__(self) -> None:
        check_fields(self)
        require_rate(self, ("valid_fraction", "test_fraction", "word_dropout"), prefix="data.")


@dataclass
class TagExperiment:
    """``rnnlab train tag``: one run."""

    task: Literal["tag"] = "tag"
    data: TagDataConfig = field(default_factory=TagDataConfig)
    model: TaggerConfig = field(default_factory=TaggerConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


def parity_sentences(bits: int, count: int, test_count: int, seed: int) -> tuple[TaggedSentences, TaggedSentences]:
    """Parity strings as tagged sentences: tokens "0"/"1", tag = parity of the prefix so far."""
    from rnnlab.tasks.parity import make_split, parity_labels

    train, test = make_split(bits, count, test_count, seed)
    as_sentences = lambda a: TaggedSentences([[str(b) for b in row] for row in a],
                                             [[str(t) for t in row] for row in parity_labels(a)])
    return as_sentences(train), as_sentences(test)


def read_tagged(data: TagDataConfig, path: str) -> TaggedSentences:
    fmt = data.format if data.format != "auto" else ("conllu" if path.endswith(".conllu") else "conll")
    if not path:
        raise ConfigError("no data: pass --data FILE.conll (or data.path in the config)")
    if fmt == "conllu":
        return read_conllu(path, tag=data.tag)
    return read_conll(path, token_col=data.token_col, tag_col=data.tag_col)


def load_tag_splits(data: TagDataConfig) -> tuple[TaggedSentences, TaggedSentences, TaggedSentences]:
    """Train / valid / test sentences from files or carved out of the training file."""
    if data.format == "parity":
        train, held = parity_sentences(data.bits, data.train_size, data.test_size, data.seed)
        half = len(held) // 2
        return train, TaggedSentences(held.tokens[:half], held.tags[:half]), \
            TaggedSentences(held.tokens[half:], held.tags[half:])
    full = read_tagged(data, data.path)
    valid_fraction = 0.0 if data.valid_path else data.valid_fraction
    test_fraction = 0.0 if data.test_path else data.test_fraction
    parts = split_indices(len(full), fractions=(1 - valid_fraction - test_fraction, valid_fraction, test_fraction),
                          seed=data.seed)
    pick = lambda idx: TaggedSentences([full.tokens[i] for i in idx], [full.tags[i] for i in idx])
    train, valid, test = pick(parts.train), pick(parts.valid), pick(parts.test)
    if data.valid_path:
        valid = read_tagged(data, data.valid_path)
    if data.test_path:
        test = read_tagged(data, data.test_path)
    return train, valid, test


def tag_batches(ids, tag_ids, batch_size: int, seed: int | None, word_dropout: float = 0.0):
    """``(tokens (B, T), lengths (B,), tags (B, T) with IGNORE_INDEX at padding)`` batches."""
    order = bucket_batches([len(x) for x in ids], batch_size, seed=seed or 0, shuffle=seed is not None)
    generator = torch.Generator().manual_seed(seed or 0)
    batches = []
    for index in order:
        padded = pad_sequences([ids[i] for i in index])
        tokens = padded.tokens
        if word_dropout > 0.0:  # <unk> (id 1) in place of some real words
            drop = (torch.rand(tokens.shape, generator=generator) < word_dropout) & (tokens > 0)
            tokens = tokens.masked_fill(drop, 1)
        tags = pad_sequences([tag_ids[i] for i in index], pad_id=IGNORE_INDEX).tokens
        batches.append((tokens, padded.lengths, tags))
    return batches


class TaggingTask:
    """Trainer hooks: cross-entropy over valid steps; n_items = valid tokens."""

    def loss(self, model, batch, state):
        tokens, lengths, tags = batch
        logits = model(tokens, lengths)  # (B, T, C)
        valid = tags != IGNORE_INDEX
        correct = ((logits.argmax(-1) == tags) & valid).sum()
        n = valid.sum()
        return StepOutput(tagging_loss(logits, tags), n_items=int(n), metrics={"accuracy": correct.float().detach() / n})


class TagPredictor:
    """A trained tag run: words in, tags out."""

    def __init__(self, config: TagExperiment, vocab: dict, model_state: dict):
        self.config, self.vocab, self.tags = config, Vocab(vocab["tokens"]), vocab["tags"]
        self.model = SequenceTagger(config.model, len(self.tags), vocab_size=len(self.vocab))
        self.model.load_state_dict(model_state)
        self.model.eval()

    @classmethod
    def from_saved(cls, saved) -> "TagPredictor":
        return cls(config_from_dict(TagExperiment, saved.config), saved.vocab, saved.model_state)

    @classmethod
    def load(cls, run: str) -> "TagPredictor":
        from rnnlab.runs import open_run

        return cls.from_saved(open_run(run, "tag"))

    def encode(self, sentences: list[list[str]]) -> list[list[int]]:
        lower = self.config.data.lowercase
        return [self.vocab.encode([w.lower() if lower else w for w in s]) for s in sentences]

    def tag(self, sentences: list[list[str]], batch_size: int = 256) -> list[list[str]]:
        """Tag tokenised sentences (each non-empty)."""
        ids = self.encode(sentences)
        out: list[list[str]] = [[] for _ in ids]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        with torch.no_grad():
            for start in range(0, len(order), batch_size):
                index = order[start:start + batch_size]
                padded = pad_sequences([ids[i] for i in index])
                predicted = self.model(padded.tokens, padded.lengths).argmax(-1)  # (B, T)
                for row, i in enumerate(index):
                    out[i] = [self.tags[t] for t in predicted[row, :len(ids[i])].tolist()]
        return out

    def tag_texts(self, texts: list[str]) -> list[tuple[list[str], list[str]]]:
        """Raw text lines -> (words, tags); parity runs split into characters, others into words."""
        if self.config.data.format == "parity":
            sentences = [[c for c in text if c in "01"] for text in texts]
        else:
            from rnnlab.data import WordTokenizer

            tokenizer = WordTokenizer()
            sentences = [tokenizer.tokenize(text) for text in texts]
        keep = [i for i, s in enumerate(sentences) if s]
        tagged = self.tag([sentences[i] for i in keep])
        result = [(s, []) for s in sentences]
        for i, tags in zip(keep, tagged):
            result[i] = (sentences[i], tags)
        return result


def train_tag(config: TagExperiment, resume: bool = False, log=print) -> dict:
    """Train a tagger, then score every test token; writes metrics.json and confusion.png."""
    from rnnlab.tasks.classify import best_weights, resume_path, write_metrics

    train, valid, test = load_tag_splits(config.data)
    lower = config.data.lowercase
    words = lambda s: [[w.lower() if lower else w for w in sent] for sent in s.tokens]
    vocab = Vocab.build(words(train), max_size=config.data.max_vocab, min_freq=config.data.min_freq)
    tag_names = sorted({t for sent in train.tags for t in sent})
    tag_index = {t: i for i, t in enumerate(tag_names)}
    encode_tags = lambda s: [[tag_index.get(t, IGNORE_INDEX) for t in sent] for sent in s.tags]
    train_ids, valid_ids = [vocab.encode(s) for s in words(train)], [vocab.encode(s) for s in words(valid)]
    train_tags, valid_tags = encode_tags(train), encode_tags(valid)
    log(f"tag: {len(train)} train / {len(valid)} valid / {len(test)} test sentences, {len(tag_names)} tags, "
        f"vocabulary {len(vocab)}")
    seed_everything(config.train.seed)
    model = SequenceTagger(config.model, len(tag_names), vocab_size=len(vocab))
    bs, seed, drop = config.train.batch_size, config.data.seed, config.data.word_dropout
    trainer = Trainer(
        model, TaggingTask(), config.train,
        train_batches=lambda epoch: tag_batches(train_ids, train_tags, bs, seed + epoch, drop),
        valid_batches=(lambda: tag_batches(valid_ids, valid_tags, bs, None)) if len(valid) else None,
        vocab={"tokens": vocab.tokens, "tags": tag_names}, run_config=config, item_name="tokens",
    )
    fit = trainer.fit(resume=resume_path(config, resume))
    best_weights(trainer, fit)
    metrics: dict[str, Any] = {"task": "tag", "stop_reason": fit.stop_reason, "steps": fit.steps,
                               "wall_time_s": round(fit.wall_time_s, 1)}
    if len(test):
        predictor = TagPredictor(config, {"tokens": vocab.tokens, "tags": tag_names}, trainer.model.state_dict())
        predicted = predictor.tag(test.tokens)
        truth = [t for sent in test.tags for t in sent]
        guess = [t for sent in predicted for t in sent]
        names = sorted(set(tag_names) | set(truth))
        index = {t: i for i, t in enumerate(names)}
        report = classification_report([index[t] for t in truth], [index[t] for t in guess], names)
        metrics["test"] = report.to_dict()
        if config.data.format == "parity":  # whole strings right at the final step
            metrics["test"]["string_accuracy"] = float(np.mean([p[-1] == t[-1] for p, t in zip(predicted, test.tags)]))
        plot_confusion(report, Path(config.train.out_dir) / "confusion.png", "tag confusion")
        log(report.format())
    write_metrics(config.train.out_dir, metrics)
    return metrics
