"""`TrainConfig`: every option of the training engine, one commented field each.

It is the ``[train]`` section of a run's TOML file::

    [train]
    optimizer = "sgd"
    lr = 1.0
    clip_norm = 5.0
    epochs = 13
    schedule = "epoch_decay"
    lr_decay = 0.5
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rnnlab.config import check_fields
from rnnlab.errors import ConfigError

OptimizerName = Literal["sgd", "adam", "adamw", "rmsprop", "adagrad"]
ScheduleName = Literal["constant", "epoch_decay", "halve_on_rise", "plateau", "warmup_cosine"]


@dataclass
class TrainConfig:
    # --- optimizer (see rnnlab.training.optimizers)
    optimizer: OptimizerName = "adam"  # update rule
    lr: float = 1e-3  # initial learning rate (the schedule scales it)
    momentum: float = 0.0  # sgd / rmsprop momentum, in [0, 1)
    nesterov: bool = False  # Nesterov momentum (sgd only, needs momentum > 0)
    betas: tuple[float, float] = (0.9, 0.999)  # adam / adamw moment decay rates
    eps: float = 1e-8  # adam / adamw / rmsprop / adagrad denominator epsilon
    weight_decay: float = 0.0  # L2 penalty (decoupled for adamw)
    clip_norm: float | None = None  # clip the global gradient L2 norm to this
    clip_value: float | None = None  # clip every gradient element to [-v, v]

    # --- length of training
    epochs: int = 10  # passes over train_batches(epoch)
    max_steps: int | None = None  # stop after this many optimizer steps (None: no limit)
    batch_size: int = 32  # read by the code that builds batches, not by the Trainer
    bptt: int | None = None  # truncated-BPTT window for the batcher; None = full BPTT

    # --- learning-rate schedule (see rnnlab.training.schedules)
    schedule: ScheduleName = "constant"  # how the learning rate changes
    lr_decay: float = 1.0  # epoch_decay: multiply the lr by this after every epoch
    decay_factor: float = 0.5  # halve_on_rise / plateau: multiply the lr by this
    plateau_patience: int = 2  # plateau: evaluations without improvement before decay
    warmup_steps: int = 0  # warmup_cosine: linear warmup length in steps
    min_lr: float = 0.0  # lower bound of the lr (plateau floor, cosine end value)

    # --- evaluation and early stopping
    eval_every: int | Literal["epoch"] = "epoch"  # validate every N steps or each epoch
    monitor: str = "loss"  # validation metric that defines "best"
    monitor_mode: Literal["min", "max"] = "min"  # whether lower or higher is better
    early_stopping_patience: int | None = None  # stop after N evals without improvement
    early_stopping_min_delta: float = 0.0  # smallest change that counts as improvement

    # --- runtime
    seed: int = 1234  # seeds python, numpy and torch
    device: str = "auto"  # "auto" (cuda if available), "cpu", "cuda" or "cuda:N"
    amp: bool = False  # mixed precision (autocast + grad scaling); CUDA only
    amp_dtype: Literal["float16", "bfloat16"] = "float16"  # autocast dtype when amp

    # --- outputs
    out_dir: str = "runs/default"  # run folder: logs, checkpoints, config, plot
    log_every: int = 10  # write a train record every N steps
    progress: bool = True  # show a tqdm progress bar
    csv: bool = True  # also write train.csv / eval.csv
    tensorboard: bool = False  # also write TensorBoard events (if installed)
    plot: bool = True  # write loss.png at the end (if matplotlib is installed)
    checkpoint_every: int | Literal["epoch"] = "epoch"  # save last.safetensors this often
    save_best: bool = True  # save best.safetensors whenever the monitor improves

    def __post_init__(self) -> None:
        check_fields(self)
        _positive(self, "lr", "eps", "decay_factor")
        _at_least(self, 0.0, "weight_decay", "min_lr", "early_stopping_min_delta")
        _at_least(self, 1, "epochs", "batch_size", "log_every", "plateau_patience")
        _at_least(self, 0, "warmup_steps")
        for name in ("clip_norm", "clip_value", "max_steps", "bptt", "early_stopping_patience"):
            if getattr(self, name) is not None:
                _positive(self, name)
        for name in ("eval_every", "checkpoint_every"):
            if getattr(self, name) != "epoch":
                _positive(self, name)
        if not 0.0 <= self.momentum < 1.0:
            raise ConfigError(f"momentum must be in [0, 1), got {self.momentum}")
        if not all(0.0 <= b < 1.0 for b in self.betas):
            raise ConfigError(f"betas must be in [0, 1), got {list(self.betas)}")
        if self.nesterov and (self.optimizer != "sgd" or self.momentum == 0.0):
            raise ConfigError("nesterov = true needs optimizer = 'sgd' and momentum > 0")
        if not 0.0 < self.lr_decay <= 1.0:
            raise ConfigError(f"lr_decay must be in (0, 1], got {self.lr_decay}")
        if not self.decay_factor < 1.0:
            raise ConfigError(f"decay_factor must be < 1, got {self.decay_factor}")
        if self.min_lr >= self.lr and self.schedule in ("plateau", "warmup_cosine"):
            raise ConfigError(f"min_lr ({self.min_lr}) must be below lr ({self.lr})")
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", self.device):
            raise ConfigError(
                f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {self.device!r}"
            )


def _positive(config: TrainConfig, *names: str) -> None:
    for name in names:
        value = getattr(config, name)
        if not value > 0:
            raise ConfigError(f"{name} must be > 0, got {value}")


def _at_least(config: TrainConfig, low: float, *names: str) -> None:
    for name in names:
        value = getattr(config, name)
        if not value >= low:
            raise ConfigError(f"{name} must be >= {low}, got {value}")
