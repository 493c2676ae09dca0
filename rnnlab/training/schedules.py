"""Learning-rate schedules with JSON-serialisable state.

A schedule owns a multiplier of each parameter group's base learning rate and
writes ``lr = base_lr * factor`` into the optimizer. The Trainer calls three hooks:

* ``before_step(step)`` before optimizer step ``step`` (1-based)  - warmup_cosine
* ``after_epoch(epoch)`` after epoch ``epoch`` (0-based) finishes  - epoch_decay
* ``after_eval(value)`` with the monitored validation metric       - halve_on_rise, plateau

``state_dict()`` returns plain numbers so checkpoints stay JSON; loading it restores
the optimizer's learning rates too, so a resumed run continues exactly.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from rnnlab.errors import CheckpointError, ConfigError, unknown_choice
from rnnlab.training.config import TrainConfig


class Schedule:
    """Constant learning rate; base class of the others (all hooks are no-ops)."""

    name = "constant"
    state_keys: tuple[str, ...] = ()  # attributes saved besides factor and base_lrs

    def __init__(self, optimizer: torch.optim.Optimizer, min_lr: float = 0.0):
        self.optimizer = optimizer
        self.base_lrs = [float(g["lr"]) for g in optimizer.param_groups]
        self.min_lr = min_lr
        self.factor = 1.0

    @property
    def lrs(self) -> list[float]:
        """Current learning rate of each parameter group."""
        return [float(g["lr"]) for g in self.optimizer.param_groups]

    def _apply(self) -> None:
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = max(base * self.factor, min(self.min_lr, base))

    def before_step(self, step: int) -> None:
        """Called before optimizer step ``step`` (1-based)."""

    def after_epoch(self, epoch: int) -> None:
        """Called when epoch ``epoch`` (0-based) has finished."""

    def after_eval(self, value: float) -> None:
        """Called with the monitored metric after each validation, oriented so that
        lower is better (the Trainer negates metrics where higher is better)."""

    def state_dict(self) -> dict[str, Any]:
        """The changing state (not the hyperparameters, which come from the config)."""
        state = {"name": self.name, "factor": self.factor, "base_lrs": list(self.base_lrs)}
        state.update({key: getattr(self, key) for key in self.state_keys})
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state.get("name") != self.name:
            raise CheckpointError(
                f"checkpoint was trained with schedule '{state.get('name')}', not '{self.name}'"
            )
        expected = {"name", "factor", "base_lrs", *self.state_keys}
        if set(state) != expected:
            raise CheckpointError(
                f"schedule state has keys {sorted(state)}, expected {sorted(expected)}"
            )
        self.factor = float(state["factor"])
        self.base_lrs = [float(v) for v in state["base_lrs"]]
        for key in self.state_keys:
            setattr(self, key, state[key])
        self._apply()


class EpochDecay(Schedule):
    """``lr = base_lr * decay ** epochs_done`` (e.g. decay 0.5 halves each epoch)."""

    name = "epoch_decay"

    def __init__(self, optimizer: torch.optim.Optimizer, decay: float):
        super().__init__(optimizer)
        self.decay = decay

    def after_epoch(self, epoch: int) -> None:
        self.factor = self.decay ** (epoch + 1)
        self._apply()


class HalveOnRise(Schedule):
    """Multiply the lr by ``factor`` (default 0.5) whenever validation loss rises."""

    name = "halve_on_rise"
    state_keys = ("previous",)

    def __init__(self, optimizer: torch.optim.Optimizer, factor: float = 0.5):
        super().__init__(optimizer)
        self.decay_factor = factor
        self.previous: float | None = None

    def after_eval(self, value: float) -> None:
        if self.previous is not None and value > self.previous:
            self.factor *= self.decay_factor
            self._apply()
        self.previous = value


class ReduceOnPlateau(Schedule):
    """Multiply the lr by ``factor`` after ``patience`` evaluations without a new best.

    An evaluation improves when ``value < best - threshold``. The lr never goes
    below ``min_lr``.
    """

    name = "plateau"
    state_keys = ("best", "bad_evals")

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        factor: float = 0.5,
        patience: int = 2,
        threshold: float = 0.0,
        min_lr: float = 0.0,
    ):
        super().__init__(optimizer, min_lr=min_lr)
        self.decay_factor, self.patience, self.threshold = factor, patience, threshold
        self.best = math.inf
        self.bad_evals = 0

    def after_eval(self, value: float) -> None:
        if value < self.best - self.threshold:
            self.best, self.bad_evals = value, 0
            return
        self.bad_evals += 1
        if self.bad_evals >= self.patience:
            self.factor *= self.decay_factor
            self.bad_evals = 0
            self._apply()


class WarmupCosine(Schedule):
    """Linear warmup to ``base_lr`` over ``warmup_steps``, then cosine down to ``min_lr``.

    For step ``s`` (1-based) and ``W`` warmup steps of ``N`` total:
    ``s <= W``: ``lr = base * s / W``;
    else ``lr = min_lr + (base - min_lr) * (1 + cos(pi * (s - W) / (N - W))) / 2``.
    """

    name = "warmup_cosine"

    def __init__(
        self, optimizer: torch.optim.Optimizer, warmup_steps: int, total_steps: int, min_lr: float = 0.0
    ):
        super().__init__(optimizer, min_lr=min_lr)
        if total_steps <= warmup_steps:
            raise ConfigError(
                f"warmup_cosine: total steps ({total_steps}) must exceed warmup_steps ({warmup_steps})"
            )
        self.warmup_steps, self.total_steps = warmup_steps, total_steps

    def before_step(self, step: int) -> None:
        step = min(step, self.total_steps)
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            if step <= self.warmup_steps:
                group["lr"] = base * step / self.warmup_steps
            else:
                progress = (step - self.warmup_steps) / (self.total_steps - self.warmup_steps)
                low = min(self.min_lr, base)
                group["lr"] = low + (base - low) * 0.5 * (1.0 + math.cos(math.pi * progress))
        self.factor = self.lrs[0] / self.base_lrs[0]


SCHEDULES = ("constant", "epoch_decay", "halve_on_rise", "plateau", "warmup_cosine")


def schedule_from_config(
    optimizer: torch.optim.Optimizer, config: TrainConfig, total_steps: int | None = None
) -> Schedule:
    """Build the schedule named by ``config.schedule``.

    ``total_steps`` (needed by warmup_cosine) is the planned number of optimizer steps.
    """
    name = config.schedule
    if name == "constant":
        return Schedule(optimizer)
    if name == "epoch_decay":
        return EpochDecay(optimizer, config.lr_decay)
    if name == "halve_on_rise":
        return HalveOnRise(optimizer, config.decay_factor)
    if name == "plateau":
        return ReduceOnPlateau(
            optimizer, config.decay_factor, config.plateau_patience, 0.0, config.min_lr
        )
    if name == "warmup_cosine":
        if total_steps is None:
            raise ConfigError(
                "schedule 'warmup_cosine' needs train.max_steps or train batches with a len()"
            )
        return WarmupCosine(optimizer, config.warmup_steps, total_steps, config.min_lr)
    raise unknown_choice("schedule", name, SCHEDULES)
