"""The task hooks: what a training task tells the one shared Trainer.

A task says how to turn a batch into a loss; the Trainer does everything else
(devices, optimizer, clipping, schedules, evaluation, checkpoints, logs)::

    class LanguageModelling:
        def loss(self, model, batch, state):
            inputs, targets = batch                       # (B, T) token ids each
            logits, state = model(inputs, state)          # (B, T, V), carried state
            loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
            return StepOutput(loss, n_items=targets.numel(), state=state)

Truncated BPTT: return the final recurrent state as ``state``; the Trainer detaches
it and passes it to the next batch, and passes ``None`` at each epoch start. Full
BPTT on short sequences: ignore ``state`` and return ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import torch


@dataclass
class StepOutput:
    """What :meth:`Task.loss` returns for one batch.

    Attributes:
        loss: scalar tensor, the mean loss over the batch's items (backpropagated).
        n_items: how many items (tokens, samples) the loss averages over; drives the
            throughput display and the item-weighted validation average.
        metrics: extra per-batch numbers to log (floats or scalar tensors), averaged
            item-weighted over validation like the loss.
        state: recurrent state to carry into the next batch (None for full BPTT).
    """

    loss: torch.Tensor
    n_items: int | torch.Tensor
    metrics: dict[str, float | torch.Tensor] = field(default_factory=dict)
    state: Any = None


@runtime_checkable
class Task(Protocol):
    """Required hook: the loss of one batch."""

    def loss(self, model: torch.nn.Module, batch: Any, state: Any) -> StepOutput:
        """Forward ``batch`` (already on the model's device) starting from ``state``."""
        ...


@runtime_checkable
class EvaluatingTask(Task, Protocol):
    """A task that also has its own validation (otherwise the Trainer averages
    :meth:`Task.loss` over the validation batches, carrying state through them)."""

    def evaluate(self, model: torch.nn.Module, batches: Iterable[Any]) -> dict[str, float]:
        """Metrics over ``batches`` (already on the device); model is in eval mode
        and gradients are off."""
        ...
