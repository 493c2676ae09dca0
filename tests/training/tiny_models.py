"""Tiny models, tasks and synthetic data for the training-engine tests.

Independent of rnnlab's own cells/data: plain nn.Embedding + nn.GRU + nn.Linear.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.training import StepOutput

# ----------------------------------------------------------------------------- classifier


class Example(NamedTuple):
    tokens: torch.Tensor  # (B, T) int64
    label: torch.Tensor  # (B,) int64


class TinyClassifier(nn.Module):
    """Embedding -> GRU -> dropout -> linear on the last hidden state."""

    def __init__(self, vocab: int = 12, classes: int = 3, hidden: int = 16, dropout: float = 0.2):
        super().__init__()
        self.embed = nn.Embedding(vocab, 8)
        self.rnn = nn.GRU(8, hidden, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        _, h = self.rnn(self.drop(self.embed(tokens)))  # h: (1, B, H)
        return self.out(self.drop(h[-1]))  # (B, C)


class ClassifyTask:
    """Full BPTT: every batch starts from a zero state (state is ignored)."""

    def loss(self, model, batch: Example, state):
        logits = model(batch.tokens)
        loss = F.cross_entropy(logits, batch.label)
        accuracy = (logits.argmax(-1) == batch.label).float().mean()
        return StepOutput(loss, n_items=batch.label.numel(), metrics={"accuracy": accuracy})


def classification_data(n: int, seed: int, vocab: int = 12, length: int = 6) -> Example:
    """Label = first token mod 3: the GRU must remember it over the sequence."""
    g = torch.Generator().manual_seed(seed)
    tokens = torch.randint(0, vocab, (n, length), generator=g)
    return Example(tokens, tokens[:, 0] % 3)


def batches_of(data: Example, batch_size: int, epoch: int | None):
    """Deterministic batches: shuffled by a generator seeded with the epoch."""
    n = data.label.numel()
    order = torch.arange(n) if epoch is None else torch.randperm(
        n, generator=torch.Generator().manual_seed(1000 + epoch))
    return [Example(data.tokens[order[i:i + batch_size]], data.label[order[i:i + batch_size]])
            for i in range(0, n, batch_size)]


# ----------------------------------------------------------------------------- language model


class LMState(NamedTuple):
    h: torch.Tensor  # (layers, B, H)


class TinyLM(nn.Module):
    """Embedding -> 2-layer GRU (dropout between layers) -> dropout -> linear."""

    def __init__(self, vocab: int = 10, hidden: int = 24, dropout: float = 0.2):
        super().__init__()
        self.embed = nn.Embedding(vocab, 12)
        self.rnn = nn.GRU(12, hidden, num_layers=2, batch_first=True, dropout=dropout)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tokens: torch.Tensor, state: LMState | None):
        outputs, h = self.rnn(self.embed(tokens), None if state is None else state.h)
        return self.out(self.drop(outputs)), LMState(h)  # (B, T, V)


class LMTask:
    """Truncated BPTT: the final state of one window starts the next."""

    def loss(self, model, batch: dict, state):
        logits, state = model(batch["input"], state)
        loss = F.cross_entropy(logits.flatten(0, 1), batch["target"].flatten())
        return StepOutput(loss, n_items=batch["target"].numel(), state=state)


def lm_stream(batch: int = 4, length: int = 81, vocab: int = 10, seed: int = 0) -> torch.Tensor:
    """(B, L) token streams: a fixed cyclic pattern from a random start per row,
    so after a few tokens the next one is fully predictable."""
    pattern = torch.tensor([3, 1, 4, 1, 5, 9, 2, 6]) % vocab
    starts = torch.randint(0, len(pattern), (batch,), generator=torch.Generator().manual_seed(seed))
    index = (starts[:, None] + torch.arange(length)[None, :]) % len(pattern)
    return pattern[index]


def lm_windows(stream: torch.Tensor, bptt: int) -> list[dict]:
    """Consecutive (input, target) windows of length ``bptt`` over the stream."""
    return [{"input": stream[:, i:i + bptt], "target": stream[:, i + 1:i + 1 + bptt]}
            for i in range(0, stream.shape[1] - 1 - bptt + 1, bptt)]


UNIFORM_LM_LOSS = math.log(10)
