"""The language-modelling task hook and its batches, for the shared Trainer.

Two kinds of batch:

- :class:`StreamBatch` (stream mode, truncated BPTT): ``inputs``/``targets`` (B, t)
  from :class:`rnnlab.data.ContiguousBatches`; the final state is returned so the
  Trainer carries it (detached) into the next window.
- :class:`LineBatch` (line/sentence mode, full BPTT): padded ``<bos> ... <eos>``
  sequences (B, T) with ``lengths``; the model reads tokens ``0..T-2`` and predicts
  ``1..T-1``; padding is ignored in the loss and every sequence starts from the
  initial state.

The loss is the mean cross-entropy in nats per predicted token; ``metrics`` add
``bits`` (per token) and the validation average gives ``perplexity = exp(loss)``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn.functional as F

from rnnlab.data import ContiguousBatches, PAD_ID, bucket_batches, pad_sequences
from rnnlab.training import StepOutput


class StreamBatch(NamedTuple):
    inputs: torch.Tensor  # (B, t) ids
    targets: torch.Tensor  # (B, t) ids, the inputs shifted by one


class LineBatch(NamedTuple):
    tokens: torch.Tensor  # (B, T) ids, <bos> ... <eos> then padding
    lengths: torch.Tensor  # (B,) sequence lengths including <bos> and <eos>


class LanguageModelling:
    """``loss(model, batch, state) -> StepOutput`` for both batch kinds."""

    def loss(self, model, batch, state) -> StepOutput:
        if isinstance(batch, LineBatch):
            return self._line_loss(model, batch)
        logits, state = model(batch.inputs, state)  # (B, t, V)
        loss = F.cross_entropy(logits.flatten(0, 1), batch.targets.flatten())
        return StepOutput(loss, n_items=batch.targets.numel(), state=state)

    def _line_loss(self, model, batch: LineBatch) -> StepOutput:
        inputs, targets = batch.tokens[:, :-1], batch.tokens[:, 1:]  # (B, T-1) each
        lengths = batch.lengths - 1  # predictions per sequence
        logits, _ = model(inputs, lengths=lengths)  # (B, T-1, V)
        steps = torch.arange(inputs.shape[1], device=inputs.device)
        valid = steps[None, :] < lengths[:, None]  # (B, T-1)
        targets = targets.masked_fill(~valid, -100)  # ignored by cross_entropy
        n_items = int(valid.sum())
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=-100)
        return StepOutput(loss, n_items=n_items, state=None)


def stream_batches(ids: list[int], batch_size: int, bptt: int) -> list[StreamBatch]:
    """All truncated-BPTT windows of a stream, in order (the same every epoch)."""
    batches = ContiguousBatches(ids, batch_size, bptt)
    return [StreamBatch(b.inputs, b.targets) for b in batches]


def line_batches(sequences: list[list[int]], batch_size: int, seed: int = 0,
                 shuffle: bool = True) -> list[LineBatch]:
    """Padded batches of similar-length sequences, in an order fixed by ``seed``."""
    keep = [s for s in sequences if len(s) >= 2]  # a sequence needs one prediction at least
    order = bucket_batches([len(s) for s in keep], batch_size, seed=seed, shuffle=shuffle)
    batches = []
    for indices in order:
        padded = pad_sequences([keep[i] for i in indices], pad_id=PAD_ID)
        batches.append(LineBatch(padded.tokens, padded.lengths))
    return batches


class BatchPlan:
    """``train_batches(epoch)`` and ``valid_batches()`` callables for the Trainer."""

    def __init__(self, mode: str, train: list, valid: list, batch_size: int, bptt: int | None,
                 seed: int, valid_batch_size: int | None = None):
        self.mode, self.train, self.valid = mode, train, valid
        self.batch_size, self.bptt, self.seed = batch_size, bptt, seed
        self.valid_batch_size = valid_batch_size or batch_size
        if mode == "stream":
            self._train = stream_batches(train, batch_size, bptt)
            self._valid = stream_batches(valid, min(self.valid_batch_size, max(1, (len(valid) - 1) // 2)), bptt)

    def train_batches(self, epoch: int) -> list:
        if self.mode == "stream":
            return self._train
        return line_batches(self.train, self.batch_size, seed=self.seed + epoch)

    def valid_batches(self) -> list:
        if self.mode == "stream":
            return self._valid
        return line_batches(self.valid, self.valid_batch_size, shuffle=False)


def perplexity(loss_nats: float) -> float:
    """exp(loss), or inf when it overflows."""
    return math.exp(loss_nats) if loss_nats < 700 else math.inf


def bits(loss_nats: float) -> float:
    """Nats per token to bits per token."""
    return loss_nats / math.log(2)


def report_loss(loss_nats: float, level: str) -> str:
    """``"1.234 bits/char"`` (char) or ``"perplexity 123.4"`` (word), plus nats."""
    if level == "char":
        return f"{bits(loss_nats):.3f} bits/char ({loss_nats:.3f} nats/char)"
    return f"perplexity {perplexity(loss_nats):.2f} ({loss_nats:.3f} nats/token)"

