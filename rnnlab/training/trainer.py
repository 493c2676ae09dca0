"""The Trainer: one training loop for every task.

    trainer = Trainer(model, task, TrainConfig(lr=1e-3, epochs=5), train_batches, valid_batches)
    result = trainer.fit()                     # or fit(resume="runs/x/checkpoints/last.safetensors")

Data comes as ``train_batches(epoch) -> Iterable[batch]`` that must yield the same
batches for the same epoch (shuffle with a generator seeded by the epoch), so a
resumed run can skip to its saved position, and ``valid_batches() -> Iterable``.

One step: move the batch to the device, set the scheduled lr, ``task.loss`` from the
carried state, stop on a non-finite loss, backward, clip, optimizer step, detach
the state. Around the steps: validation (every N steps or per epoch), best/last
checkpoints, early stopping, logs, and SIGINT/SIGTERM handling that saves a
checkpoint and returns. A checkpoint holds everything needed so that resuming
reproduces the uninterrupted run bit for bit on CPU.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from rnnlab.config import config_to_dict, save_config
from rnnlab.errors import CheckpointError, ConfigError, RnnlabError
from rnnlab.training import checkpoint as ckpt
from rnnlab.training.config import TrainConfig
from rnnlab.training.interrupts import stop_on_signals
from rnnlab.training.optimizers import clip_gradients, optimizer_from_config
from rnnlab.training.run_log import RunLog, plot_losses, warn
from rnnlab.training.runtime import capture_rng, detach_state, move_to_device, restore_rng
from rnnlab.training.runtime import seed_everything, select_device
from rnnlab.training.schedules import schedule_from_config
from rnnlab.training.task import StepOutput, Task


class TrainingDiverged(RnnlabError):
    """The loss or gradient norm became NaN/inf; the last good checkpoint is kept."""


@dataclass
class StepInfo:
    """What callbacks receive after every optimizer step."""

    step: int  # steps done so far (1-based number of this step)
    epoch: int  # 0-based epoch of this step
    loss: float  # this batch's loss
    lr: float  # learning rate of the first parameter group used for this step
    n_items: int  # items in this batch
    grad_norm: float  # global gradient norm before clipping
    metrics: dict[str, float]  # the task's per-batch metrics


@dataclass
class FitResult:
    """What :meth:`Trainer.fit` returns."""

    stop_reason: str  # "epochs", "max_steps", "early_stopping" or "interrupted (SIGINT)"...
    steps: int  # optimizer steps done in total (including before a resume)
    epochs: int  # epochs completed
    best_metric: float | None  # best validation value of train.monitor (None: no validation)
    best_step: int | None  # step at which it was reached
    wall_time_s: float  # seconds spent in this fit() call
    last_checkpoint: Path | None
    best_checkpoint: Path | None
    log_path: Path
    history: list[dict[str, Any]] = field(default_factory=list)  # all validation records


class Trainer:
    """Trains ``model`` on ``task`` as ``config`` says.

    Args:
        model: any ``nn.Module``; moved to the configured device.
        task: implements ``loss(model, batch, state) -> StepOutput`` (see
            :mod:`rnnlab.training.task`) and optionally ``evaluate(model, batches)``.
        config: the training options.
        train_batches: ``epoch -> iterable of batches``, deterministic per epoch.
        valid_batches: ``() -> iterable of batches`` or None (no validation).
        vocab: JSON-able vocabulary stored in checkpoints and checked on resume.
        run_config: the whole experiment config (dataclass or dict), saved to
            ``out_dir/config.toml`` and into checkpoints.
        callbacks: ``fn(trainer, StepInfo)`` called after every step.
        item_name: unit of ``n_items`` in the progress bar ("tokens", "samples").
    """

    def __init__(
        self,
        model: torch.nn.Module,
        task: Task,
        config: TrainConfig,
        train_batches: Callable[[int], Iterable[Any]],
        valid_batches: Callable[[], Iterable[Any]] | None = None,
        *,
        vocab: Any = None,
        run_config: Any = None,
        callbacks: Sequence[Callable[[Trainer, StepInfo], None]] = (),
        item_name: str = "items",
    ):
        self.config, self.task, self.vocab, self.run_config = config, task, vocab, run_config
        self.train_batches, self.valid_batches = train_batches, valid_batches
        self.callbacks, self.item_name = list(callbacks), item_name
        self.device = select_device(config.device)
        if config.amp and self.device.type != "cuda":
            raise ConfigError(f"train.amp = true needs a CUDA device, but training runs on {self.device}")
        self.model = model.to(self.device)
        self.optimizer = optimizer_from_config(self.model.parameters(), config)
        self.planned_steps = self._planned_steps()
        self.schedule = schedule_from_config(self.optimizer, config, self.planned_steps)
        amp_fp16 = config.amp and config.amp_dtype == "float16"
        self.scaler = torch.amp.GradScaler("cuda") if amp_fp16 else None
        self.out_dir = Path(config.out_dir)
        self.last_path = self.out_dir / "checkpoints" / "last.safetensors"
        self.best_path = self.out_dir / "checkpoints" / "best.safetensors"
        # Progress; everything below is saved in checkpoints.
        self.step, self.epoch, self.batch_in_epoch = 0, 0, 0
        self.epoch_eval_done = False  # the end-of-epoch validation of self.epoch ran
        self.state: Any = None  # carried recurrent state (truncated BPTT)
        self.best: float | None = None
        self.best_step: int | None = None
        self.bad_evals = 0  # validations since the last improvement
        self.history: list[dict[str, Any]] = []
        self.last_good: tuple[Path, int] | None = None  # (checkpoint, step) known finite
        self._stop: str | None = None
        self._log: RunLog | None = None

    def _planned_steps(self) -> int | None:
        batches = self.train_batches(0)
        per_epoch = len(batches) if hasattr(batches, "__len__") else None
        total = per_epoch * self.config.epochs if per_epoch is not None else None
        if self.config.max_steps is not None:
            total = self.config.max_steps if total is None else min(total, self.config.max_steps)
        return total

    def _autocast(self) -> Any:
        if not self.config.amp:
            return contextlib.nullcontext()
        return torch.autocast("cuda", dtype=getattr(torch, self.config.amp_dtype))

    # ------------------------------------------------------------------------- fit

    def request_stop(self, reason: str = "stopped by request") -> None:
        """Ask :meth:`fit` to save a checkpoint and return after the current step."""
        self._stop = reason

    def fit(self, resume: str | Path | None = None) -> FitResult:
        """Train until the epochs or ``max_steps`` are done, early stopping, or a signal.

        Args:
            resume: a checkpoint to continue from exactly (model, optimizer,
                schedule, RNG, carried state, position in the epoch, logs).
        """
        started = time.perf_counter()
        self._stop = None
        if resume is not None:
            self.load(resume)
        else:
            seed_everything(self.config.seed)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if self.run_config is not None:
            save_config(self.run_config, self.out_dir / "config.toml")
        else:
            save_config({"train": config_to_dict(self.config)}, self.out_dir / "config.toml")
        self._log = RunLog(self.out_dir, csv_files=self.config.csv, tensorboard=self.config.tensorboard,
                           resume_step=self.step if resume is not None else None)
        bar = tqdm(total=self.planned_steps, initial=self.step, disable=not self.config.progress,
                   unit="step", dynamic_ncols=True)
        try:
            with stop_on_signals(self.request_stop):
                reason = self._run(bar)
        finally:
            bar.close()
            self._log.close()
        if reason.startswith("interrupted"):
            print(f"rnnlab: {reason} at step {self.step}; saved {self.last_path}", file=sys.stderr)
        if self.config.plot:
            plot_losses(self._log.jsonl_path, self.out_dir / "loss.png", self.config.monitor)
        return FitResult(
            stop_reason=reason, steps=self.step, epochs=self.epoch, best_metric=self.best,
            best_step=self.best_step, wall_time_s=time.perf_counter() - started,
            last_checkpoint=self.last_path if self.last_path.exists() else None,
            best_checkpoint=self.best_path if self.config.save_best and self.best_step is not None else None,
            log_path=self._log.jsonl_path, history=list(self.history),
        )

    def _run(self, bar: Any) -> str:
        cfg = self.config
        meter = {"items": 0, "since": time.perf_counter()}
        while self.epoch < cfg.epochs:
            if cfg.max_steps is not None and self.step >= cfg.max_steps:
                break
            if self.batch_in_epoch == 0:
                self.state = None  # every epoch starts from a fresh recurrent state
            batches = itertools.islice(self.train_batches(self.epoch), self.batch_in_epoch, None)
            self.model.train()
            for batch in batches:
                info = self._train_step(batch)
                bar.update(1)
                meter["items"] += info.n_items
                if self.step % cfg.log_every == 0:
                    self._log_step(info, meter, bar)
                if cfg.eval_every != "epoch" and self.step % cfg.eval_every == 0:
                    self._validate()
                if cfg.checkpoint_every != "epoch" and self.step % cfg.checkpoint_every == 0:
                    self.save(self.last_path)
                for callback in self.callbacks:
                    callback(self, info)
                if cfg.max_steps is not None and self.step >= cfg.max_steps:
                    self._stop = self._stop or "max_steps"
                if self._stop:
                    self.save(self.last_path)
                    return self._stop
            # End of epoch: validation, schedule, counters (a checkpoint taken between
            # these stages records which ones already ran).
            if cfg.eval_every == "epoch" and not self.epoch_eval_done:
                self._validate()
            self.schedule.after_epoch(self.epoch)
            self.epoch, self.batch_in_epoch, self.epoch_eval_done = self.epoch + 1, 0, False
            if cfg.checkpoint_every == "epoch" or self._stop:
                self.save(self.last_path)
            if self._stop:
                return self._stop
        self.save(self.last_path)
        return "max_steps" if cfg.max_steps is not None and self.step >= cfg.max_steps else "epochs"

    def _train_step(self, batch: Any) -> StepInfo:
        cfg = self.config
        batch = move_to_device(batch, self.device)
        self.schedule.before_step(self.step + 1)
        lr = float(self.optimizer.param_groups[0]["lr"])
        with self._autocast():
            out: StepOutput = self.task.loss(self.model, batch, self.state)
        loss = float(out.loss.detach())
        if not math.isfinite(loss):
            self._diverged(f"loss became {loss}")
        self.optimizer.zero_grad(set_to_none=True)
        if self.scaler is not None:
            self.scaler.scale(out.loss).backward()
            self.scaler.unscale_(self.optimizer)
        else:
            out.loss.backward()
        grad_norm = clip_gradients(self.model.parameters(), cfg.clip_norm, cfg.clip_value)
        if self.scaler is not None:  # the scaler skips steps with inf gradients itself
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            if not math.isfinite(grad_norm):
                self._diverged(f"gradient norm became {grad_norm}")
            self.optimizer.step()
        self.state = detach_state(out.state)
        self.step += 1
        self.batch_in_epoch += 1
        metrics = {k: float(v) for k, v in out.metrics.items()}
        return StepInfo(self.step, self.epoch, loss, lr, int(out.n_items), grad_norm, metrics)

    def _diverged(self, what: str) -> None:
        where = f"{what} at step {self.step + 1} (epoch {self.epoch + 1}); training stopped"
        if self.last_good is None:
            raise TrainingDiverged(f"{where}; no checkpoint was saved yet")
        path, step = self.last_good
        raise TrainingDiverged(f"{where}; last good checkpoint: {path} (step {step})")

    def _log_step(self, info: StepInfo, meter: dict[str, Any], bar: Any) -> None:
        now = time.perf_counter()
        rate = meter["items"] / max(now - meter["since"], 1e-9)
        meter["items"], meter["since"] = 0, now
        record = {"kind": "train", "step": info.step, "epoch": info.epoch, "loss": info.loss,
                  "lr": info.lr, "items_per_s": rate, "grad_norm": info.grad_norm, **info.metrics}
        self._log.write(record)
        bar.set_postfix_str(f"loss {info.loss:.4f}, lr {info.lr:.3g}, {rate:,.0f} {self.item_name}/s")

    # ------------------------------------------------------------------------- validation

    def evaluate(self) -> dict[str, float]:
        """Validation metrics: ``task.evaluate`` if the task has it, else the
        item-weighted mean of ``task.loss`` (and its metrics) over ``valid_batches()``."""
        was_training = self.model.training
        self.model.eval()
        batches = (move_to_device(b, self.device) for b in self.valid_batches())
        try:
            with torch.no_grad(), self._autocast():
                if hasattr(self.task, "evaluate"):
                    return {k: float(v) for k, v in self.task.evaluate(self.model, batches).items()}
                sums: dict[str, float] = {}
                total, state = 0, None
                for batch in batches:
                    out = self.task.loss(self.model, batch, state)
                    state, n = out.state, int(out.n_items)
                    for key, value in {"loss": out.loss, **out.metrics}.items():
                        sums[key] = sums.get(key, 0.0) + float(value) * n
                    total += n
                if total == 0:
                    raise ConfigError("valid_batches() yielded no items to evaluate")
                return {key: value / total for key, value in sums.items()}
        finally:
            self.model.train(was_training)

    def _validate(self) -> None:
        if self.valid_batches is None:
            return
        cfg = self.config
        metrics = self.evaluate()
        if cfg.monitor not in metrics:
            raise ConfigError(f"train.monitor: validation gave no metric '{cfg.monitor}'; "
                              f"available: {', '.join(sorted(metrics))}")
        record = {"kind": "eval", "step": self.step, "epoch": self.epoch, **metrics}
        self._log.write(record)
        self.history.append(record)
        if cfg.eval_every == "epoch":
            self.epoch_eval_done = True
        sign = 1.0 if cfg.monitor_mode == "min" else -1.0
        value = sign * metrics[cfg.monitor]  # lower is better from here on
        self.schedule.after_eval(value)
        if self.best is None or value < sign * self.best - cfg.early_stopping_min_delta:
            self.best, self.best_step, self.bad_evals = metrics[cfg.monitor], self.step, 0
            if cfg.save_best:
                self.save(self.best_path)
            return
        self.bad_evals += 1
        if cfg.early_stopping_patience is not None and self.bad_evals >= cfg.early_stopping_patience:
            self._stop = "early_stopping"

    # ------------------------------------------------------------------------- checkpoints

    def save(self, path: str | Path) -> Path:
        """Atomically write the complete training state to ``path``.

        Refuses (TrainingDiverged) to write non-finite weights, so an existing good
        checkpoint is never replaced by a broken one.
        """
        path = Path(path)
        for name, param in self.model.named_parameters():
            if not torch.isfinite(param).all():
                self._diverged(f"parameter '{name}' became non-finite")
        optim_tensors, optim_info = ckpt.pack_optimizer(self.optimizer.state_dict())
        rng_tensors, rng_info = capture_rng()
        state_tensors, state_spec = ckpt.pack_tree(self.state, "state")
        run_config = self.run_config
        if dataclasses.is_dataclass(run_config):
            run_config = config_to_dict(run_config)
        meta = {
            "train_config": config_to_dict(self.config),
            "run_config": run_config,
            "vocab": self.vocab,
            "progress": {"step": self.step, "epoch": self.epoch, "batch_in_epoch": self.batch_in_epoch,
                         "epoch_eval_done": self.epoch_eval_done},
            "early_stopping": {"best": self.best, "best_step": self.best_step, "bad_evals": self.bad_evals},
            "schedule": self.schedule.state_dict(),
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "optimizer": optim_info,
            "rng": rng_info,
            "carried_state": state_spec,
            "history": self.history,
        }
        tensors = {**optim_tensors, **rng_tensors, **state_tensors}
        ckpt.save_checkpoint(path, self.model.state_dict(), meta, tensors)
        self.last_good = (path, self.step)
        return path

    def load(self, path: str | Path) -> None:
        """Restore the complete training state written by :meth:`save`."""
        loaded = ckpt.load_checkpoint(path)
        meta = loaded.meta
        try:
            ckpt.check_vocab(meta.get("vocab"), self.vocab, path)
            ckpt.load_model_state(self.model, loaded.model_state, path)
            self.optimizer.load_state_dict(ckpt.unpack_optimizer(loaded.tensors, meta["optimizer"]))
            self.schedule.load_state_dict(meta["schedule"])
            if self.scaler is not None and meta["scaler"] is not None:
                self.scaler.load_state_dict(meta["scaler"])
            restore_rng(loaded.tensors, meta["rng"], path)
            state = ckpt.unpack_tree(loaded.tensors, meta["carried_state"], path)
            progress, stopping = meta["progress"], meta["early_stopping"]
        except CheckpointError as error:
            message = str(error)
            raise CheckpointError(message if str(path) in message else f"{path}: {message}") from None
        except (KeyError, ValueError, TypeError, RuntimeError) as error:
            raise CheckpointError(f"{path}: checkpoint does not fit this trainer ({error})") from None
        self.state = move_to_device(state, self.device)
        self.step, self.epoch = progress["step"], progress["epoch"]
        self.batch_in_epoch, self.epoch_eval_done = progress["batch_in_epoch"], progress["epoch_eval_done"]
        self.best, self.best_step, self.bad_evals = stopping["best"], stopping["best_step"], stopping["bad_evals"]
        self.history = list(meta["history"])
        self.last_good = (Path(path), self.step)
        changed = [k for k, v in config_to_dict(self.config).items() if meta["train_config"].get(k) != v]
        if changed:
            warn(f"resuming {path} with changed train settings: {', '.join(changed)}")
