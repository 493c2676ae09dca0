"""Training engine: one Trainer for every task, with small task hooks.

See docs/training.md. The pieces, one concept per module:

* :mod:`~rnnlab.training.config`      ``TrainConfig`` (the ``[train]`` section)
* :mod:`~rnnlab.training.task`        the task hooks: ``Task.loss -> StepOutput``
* :mod:`~rnnlab.training.trainer`     ``Trainer.fit() -> FitResult``
* :mod:`~rnnlab.training.optimizers`  optimizers by name, gradient clipping
* :mod:`~rnnlab.training.schedules`   learning-rate schedules with saveable state
* :mod:`~rnnlab.training.checkpoint`  atomic safetensors checkpoints
* :mod:`~rnnlab.training.run_log`     JSONL/CSV/TensorBoard logs and the loss plot
* :mod:`~rnnlab.training.runtime`     device choice, seeding, RNG snapshots, batch moving
"""

from rnnlab.training.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from rnnlab.training.config import TrainConfig
from rnnlab.training.optimizers import build_optimizer, clip_gradients
from rnnlab.training.runtime import seed_everything, select_device
from rnnlab.training.task import EvaluatingTask, StepOutput, Task
from rnnlab.training.trainer import FitResult, StepInfo, Trainer, TrainingDiverged

__all__ = [
    "Checkpoint",
    "EvaluatingTask",
    "FitResult",
    "StepInfo",
    "StepOutput",
    "Task",
    "TrainConfig",
    "Trainer",
    "TrainingDiverged",
    "build_optimizer",
    "clip_gradients",
    "load_checkpoint",
    "save_checkpoint",
    "seed_everything",
    "select_device",
]
