"""The seq2seq task: experiment config, sentence-pair data (a TSV file, two aligned files
or DailyDialog's dialogues), the seeded deduplicated split, batches, the Trainer hooks,
and :class:`Translator`, which rebuilds a trained model from its run folder.
See docs/seq2seq.md.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import torch
import torch.nn.functional as F

from rnnlab.data import (EOS_ID, PAD_ID, SentencePairs, Vocab, WordTokenizer, bucket_batches,
    iter_lines, pad_sequences, read_parallel_files, read_parallel_tsv)
from rnnlab.data.vocab import BOS_ID
from rnnlab.errors import ConfigError, DataError
from rnnlab.models.seq2seq import Seq2Seq, Seq2SeqConfig
from rnnlab.training import StepOutput, TrainConfig, Trainer


@dataclass
class Seq2SeqDataConfig:
    """The ``[data]`` section: where the pairs come from and how they are split."""

    format: Literal["tsv", "files", "dialogues"] = "tsv"  # one TSV | two aligned files | DailyDialog folder
    path: str = ""  # tsv: the file; dialogues: folder with train/ validation/ test/
    src_col: int = 0  # tsv: source column (0-based); spa.txt is English<TAB>Spanish
    tgt_col: int = 1  # tsv: target column
    src_path: str = ""  # files: source sentences, one per line
    tgt_path: str = ""  # files: target sentences, line-aligned with src_path
    lowercase: bool = True  # lower-case both sides (BLEU is then on lower-cased text)
    strip_accents: bool = False  # drop diacritics ("¿Cómo?" -> "¿Como?"), as the seed's inputs
    max_len: int | None = 50  # drop training pairs with a side longer than this many tokens
    shared_vocab: bool = False  # one vocabulary for source and target
    max_vocab: int | None = None  # most ordinary tokens per vocabulary (None: all)
    min_freq: int = 1  # drop tokens seen fewer times in the training pairs
    valid_size: int = 1000  # tsv / files: validation pairs
    test_size: int = 2000  # tsv / files: test pairs (their sources never occur as training sources)
    seed: int = 0  # seed of the split
    max_train_pairs: int | None = None  # keep only this many training pairs (quick runs)

    def __post_init__(self) -> None:
        from rnnlab.config import check_fields

        check_fields(self)
        for name in ("valid_size", "test_size", "min_freq"):
            if getattr(self, name) < (1 if name == "min_freq" else 0):
                raise ConfigError(f"data.{name} must be >= {1 if name == 'min_freq' else 0}, got {getattr(self, name)}")
        for name in ("max_len", "max_vocab", "max_train_pairs"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ConfigError(f"data.{name} must be >= 1 or 'none', got {getattr(self, name)}")


@dataclass
class DecodeConfig:
    """The ``[decode]`` section: defaults of ``translate``, ``chat`` and ``evaluate``."""

    beam_size: int = 5  # 1 = greedy
    alpha: float = 0.6  # GNMT length-penalty exponent (0 = none)
    max_len: int = 50  # most generated tokens
    min_len: int = 0  # fewest generated tokens before <eos> is allowed
    no_repeat_ngram: int = 0  # block repeated n-grams of this size (0 = off)
    temperature: float = 1.0  # chat sampling temperature
    top_k: int = 0  # chat: sample among the k most likely tokens (0 = all)
    first_top_k: int | None = None  # chat: top-k of the first token only (seed 004: 3, then top_k 2)
    top_p: float = 1.0  # chat: nucleus mass (1 = off)

    def __post_init__(self) -> None:
        from rnnlab.config import check_fields

        check_fields(self)
        if self.beam_size < 1 or self.max_len < 1 or not 0 <= self.min_len <= self.max_len:
            raise ConfigError("decode: beam_size and max_len must be >= 1 and 0 <= min_len <= max_len; got "
                              f"{self.beam_size}, {self.max_len}, {self.min_len}")


@dataclass
class Seq2SeqExperiment:
    """A seq2seq run: what ``rnnlab train seq2seq --config FILE.toml`` reads."""

    task: Literal["seq2seq"] = "seq2seq"
    data: Seq2SeqDataConfig = field(default_factory=Seq2SeqDataConfig)
    model: Seq2SeqConfig = field(default_factory=Seq2SeqConfig)
    train: TrainConfig = field(default_factory=lambda: TrainConfig(clip_norm=5.0, out_dir="runs/seq2seq"))
    decode: DecodeConfig = field(default_factory=DecodeConfig)
    label_smoothing: float = 0.0  # of the training loss (validation perplexity is always plain)


# ============================================================================ data


class TextCodec:
    """Normalise, tokenize and detokenize one side's text (WordTokenizer)."""

    def __init__(self, lowercase: bool, strip_accents: bool):
        self.lowercase, self.strip_accents = lowercase, strip_accents
        self.tokenizer = WordTokenizer()

    def normalize(self, text: str) -> str:
        if self.lowercase:
            text = text.lower()
        if self.strip_accents:
            text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        return unicodedata.normalize("NFC", text)

    def tokenize(self, text: str) -> list[str]:
        return self.tokenizer.tokenize(self.normalize(text))

    def detokenize(self, tokens: list[str]) -> str:
        return self.tokenizer.detokenize(tokens)


def read_dialogue_pairs(path: str | Path) -> SentencePairs:
    """DailyDialog: one dialogue per line, utterances ended by ``__eou__``; pairs (utterance, reply)."""
    pairs = SentencePairs([], [])
    for _, line in iter_lines(path):
        turns = [t.strip() for t in line.split("__eou__")]
        turns = [t for t in turns if t]
        for context, reply in zip(turns, turns[1:]):
            pairs.sources.append(context)
            pairs.targets.append(reply)
    if not pairs.sources:
        raise DataError(f"{path}: no dialogue turns found (expected utterances ending in __eou__)")
    return pairs


def dialogue_file(folder: str | Path, split: str) -> Path:
    """``FOLDER/<split>/dialogues_<split>.txt`` (split: train | validation | test)."""
    path = Path(folder) / split / f"dialogues_{split}.txt"
    if not path.is_file():
        raise DataError(f"{path}: no such file; data.path must be the DailyDialog folder with train/ validation/ test/")
    return path


def read_pairs(data: Seq2SeqDataConfig, file: str | None = None) -> SentencePairs:
    """All pairs of a tsv/files source, or of one ``file`` in the run's format (evaluation)."""
    if data.format == "dialogues":
        return read_dialogue_pairs(file)
    if file is not None or data.format == "tsv":
        path = file or data.path
        if not path:
            raise ConfigError("no data: give --data FILE.tsv (or data.path), or --src FILE --tgt FILE")
        if file is not None and data.format == "files":
            return read_parallel_tsv(path, 0, 1)
        return read_parallel_tsv(path, data.src_col, data.tgt_col)
    if not data.src_path or not data.tgt_path:
        raise ConfigError("data.format = 'files' needs data.src_path and data.tgt_path (--src FILE --tgt FILE)")
    return read_parallel_files(data.src_path, data.tgt_path)


@dataclass
class Splits:
    train: SentencePairs
    valid: SentencePairs
    test: SentencePairs


def split_pairs(pairs: SentencePairs, codec: TextCodec, valid_size: int, test_size: int, seed: int) -> Splits:
    """Deduplicated, seeded split: a test (or valid) source never appears as a training source.

    1. group the pairs by normalised, tokenized source sentence;
    2. shuffle the groups with ``seed``;
    3. fill test, then valid, with whole groups in that order; the group that
       overflows a part is cut and its surplus pairs are dropped (never trained on);
    4. every remaining group is training data.
    """
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, source in enumerate(pairs.sources):
        groups.setdefault(tuple(codec.tokenize(source)), []).append(i)
    keys = list(groups)
    if valid_size + test_size >= len(pairs):
        raise ConfigError(f"data.valid_size + data.test_size ({valid_size + test_size}) leave no training pairs "
                          f"of {len(pairs)}")
    order = torch.randperm(len(keys), generator=torch.Generator().manual_seed(seed)).tolist()
    parts: list[list[int]] = [[], [], []]  # test, valid, train
    wanted = [test_size, valid_size, None]
    part = 0
    for g in order:
        while wanted[part] is not None and len(parts[part]) >= wanted[part]:
            part += 1
        members = groups[keys[g]]
        room = None if wanted[part] is None else wanted[part] - len(parts[part])
        parts[part].extend(members[:room])

    def take(indices: list[int]) -> SentencePairs:
        return SentencePairs([pairs.sources[i] for i in indices], [pairs.targets[i] for i in indices])

    return Splits(train=take(parts[2]), valid=take(parts[1]), test=take(parts[0]))


def load_splits(data: Seq2SeqDataConfig, codec: TextCodec) -> Splits:
    if data.format == "dialogues":
        splits = Splits(*(read_dialogue_pairs(dialogue_file(data.path, s)) for s in ("train", "validation", "test")))
    else:
        splits = split_pairs(read_pairs(data), codec, data.valid_size, data.test_size, data.seed)
    if data.max_train_pairs is not None:
        n = data.max_train_pairs
        splits.train = SentencePairs(splits.train.sources[:n], splits.train.targets[:n])
    return splits


Encoded = list[tuple[list[int], list[int]]]  # (source ids, target ids) per pair, no <bos>/<eos>


def encode_pairs(pairs: SentencePairs, codec: TextCodec, src_vocab: Vocab, tgt_vocab: Vocab,
                 max_len: int | None = None) -> Encoded:
    """Token ids of each pair; pairs with an empty side (or, with ``max_len``, too long) are dropped."""
    encoded = []
    for source, target in zip(pairs.sources, pairs.targets):
        src, tgt = codec.tokenize(source), codec.tokenize(target)
        if not src or not tgt or (max_len is not None and max(len(src), len(tgt)) > max_len):
            continue
        encoded.append((src_vocab.encode(src), tgt_vocab.encode(tgt)))
    return encoded


def make_batch(items: Encoded) -> tuple[torch.Tensor, ...]:
    """(src (B, S), src_lengths (B,), tgt_in (B, T) = <bos> y, tgt_out (B, T) = y <eos>)."""
    src = pad_sequences([s for s, _ in items])
    tgt_in = pad_sequences([[BOS_ID] + t for _, t in items]).tokens
    tgt_out = pad_sequences([t + [EOS_ID] for _, t in items]).tokens
    return src.tokens, src.lengths, tgt_in, tgt_out


def batches(items: Encoded, batch_size: int, seed: int, shuffle: bool = True) -> list[tuple[torch.Tensor, ...]]:
    """Length-bucketed batches, the same for the same seed."""
    groups = bucket_batches([len(s) for s, _ in items], batch_size, seed=seed, shuffle=shuffle)
    return [make_batch([items[i] for i in group]) for group in groups]


def build_vocabs(train: Encoded | SentencePairs, codec: TextCodec, data: Seq2SeqDataConfig) -> tuple[Vocab, Vocab]:
    src_tokens = [codec.tokenize(s) for s in train.sources]
    tgt_tokens = [codec.tokenize(t) for t in train.targets]
    if data.shared_vocab:
        vocab = Vocab.build(src_tokens + tgt_tokens, max_size=data.max_vocab, min_freq=data.min_freq)
        return vocab, vocab
    return (Vocab.build(src_tokens, max_size=data.max_vocab, min_freq=data.min_freq),
            Vocab.build(tgt_tokens, max_size=data.max_vocab, min_freq=data.min_freq))


# ============================================================================ task


class Seq2SeqTask:
    """Trainer hooks: token-level cross-entropy with teacher forcing; validation perplexity."""

    def __init__(self, label_smoothing: float = 0.0):
        self.label_smoothing = label_smoothing

    def loss(self, model: Seq2Seq, batch, state) -> StepOutput:
        src, src_lengths, tgt_in, tgt_out = batch
        logits = model(src, src_lengths, tgt_in).logits  # (B, T, V)
        loss = F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=PAD_ID,
                               label_smoothing=self.label_smoothing)
        real = tgt_out != PAD_ID
        accuracy = ((logits.argmax(-1) == tgt_out) & real).sum() / real.sum()
        return StepOutput(loss, n_items=int(real.sum()), metrics={"accuracy": accuracy.detach()})

    def evaluate(self, model: Seq2Seq, batches) -> dict[str, float]:
        nll, tokens, correct = 0.0, 0, 0
        for src, src_lengths, tgt_in, tgt_out in batches:
            logits = model(src, src_lengths, tgt_in).logits
            nll += F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=PAD_ID,
                                   reduction="sum").item()
            real = tgt_out != PAD_ID
            tokens += int(real.sum())
            correct += int(((logits.argmax(-1) == tgt_out) & real).sum())
        loss = nll / max(tokens, 1)
        return {"loss": loss, "perplexity": float(torch.tensor(loss).exp()), "accuracy": correct / max(tokens, 1)}


def train_seq2seq(experiment: Seq2SeqExperiment, resume: str | Path | None = None, progress: bool | None = None):
    """Read the data, build vocabularies and the model, and train. Returns the Trainer's FitResult."""
    from rnnlab.training import seed_everything

    data = experiment.data
    codec = TextCodec(data.lowercase, data.strip_accents)
    splits = load_splits(data, codec)
    src_vocab, tgt_vocab = build_vocabs(splits.train, codec, data)
    train = encode_pairs(splits.train, codec, src_vocab, tgt_vocab, data.max_len)
    valid = encode_pairs(splits.valid, codec, src_vocab, tgt_vocab)
    if not train:
        raise DataError(f"no training pairs left after the split and data.max_len = {data.max_len}")
    seed_everything(experiment.train.seed)  # the model's initial weights repeat for a seed
    model = Seq2Seq.from_config(experiment.model, len(src_vocab), len(tgt_vocab))
    cfg = experiment.train
    if progress is not None:
        from dataclasses import replace

        cfg = replace(cfg, progress=progress)
    start, final = experiment.model.teacher_forcing, experiment.model.teacher_forcing_final

    def schedule_teacher_forcing(trainer, info) -> None:
        if final is not None and trainer.planned_steps:
            model.teacher_forcing_ratio = start + (final - start) * min(1.0, info.step / trainer.planned_steps)

    trainer = Trainer(model, Seq2SeqTask(experiment.label_smoothing), cfg,
                      train_batches=lambda epoch: batches(train, cfg.batch_size, seed=data.seed + epoch),
                      valid_batches=(lambda: batches(valid, cfg.batch_size, 0, shuffle=False)) if valid else None,
                      vocab={"src": src_vocab.tokens, "tgt": tgt_vocab.tokens}, run_config=experiment,
                      callbacks=[schedule_teacher_forcing], item_name="tokens")
    return trainer.fit(resume=resume)


# ============================================================================ inference
