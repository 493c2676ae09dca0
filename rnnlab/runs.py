"""Run folders: where ``rnnlab train ...`` writes, and what later commands read.

A run folder (``--out runs/NAME``) holds::

    config.toml                 the resolved experiment config (task, data, model, train)
    checkpoints/best.safetensors, checkpoints/last.safetensors
    log.jsonl, log.csv, loss.png

Every checkpoint carries the experiment config (``run_config``, with a ``task`` key)
and the vocabulary, so ``rnnlab generate RUN`` / ``predict`` / ``translate`` / ``evaluate``
need nothing but the run folder (or one checkpoint file) to rebuild the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnnlab.errors import CheckpointError


@dataclass
class SavedRun:
    """A checkpoint opened for inference: which file, the task, its config and vocabulary."""

    checkpoint: Path
    task: str                 # "lm", "classify", "tag", "forecast", "seq2seq", ...
    config: dict[str, Any]    # the experiment config as saved (nested dict)
    vocab: Any                # whatever the task stored (JSON value)
    model_state: dict         # parameter name -> tensor


def find_checkpoint(run: str | Path, which: str = "best") -> Path:
    """The checkpoint file for ``run``: a file itself, or ``RUN/checkpoints/{which,last}.safetensors``."""
    path = Path(run)
    if path.is_file():
        return path
    if not path.exists():
        raise CheckpointError(f"{path}: no such run folder or checkpoint file")
    for name in (which, "last"):
        candidate = path / "checkpoints" / f"{name}.safetensors"
        if candidate.is_file():
            return candidate
    raise CheckpointError(f"{path}: no checkpoints/{which}.safetensors or checkpoints/last.safetensors "
                          "(is this a run folder written by `rnnlab train`?)")


def open_run(run: str | Path, expected_task: str | tuple[str, ...] | None = None,
             which: str = "best", device: str = "cpu") -> SavedRun:
    """Load the checkpoint of ``run`` and check it belongs to ``expected_task``."""
    from rnnlab.training.checkpoint import load_checkpoint

    path = find_checkpoint(run, which)
    checkpoint = load_checkpoint(path, device=device)
    config = checkpoint.meta.get("run_config") or {}
    task = config.get("task")
    if not task:
        raise CheckpointError(f"{path}: the checkpoint has no experiment config with a 'task' key")
    allowed = (expected_task,) if isinstance(expected_task, str) else expected_task
    if allowed and task not in allowed:
        raise CheckpointError(f"{path}: this run is a '{task}' model; expected {' or '.join(allowed)}")
    return SavedRun(path, task, config, checkpoint.meta.get("vocab"), checkpoint.model_state)
