"""Run logs: a JSONL record stream, CSV copies, optional TensorBoard and a loss plot.

Files in the run folder:

* ``log.jsonl``: one JSON object per line, ``{"kind": "train", "step", "epoch",
  "loss", "lr", "items_per_s", "grad_norm", "elapsed_s", ...metrics}`` every
  ``log_every`` steps and ``{"kind": "eval", "step", "epoch", ...metrics}`` per
  validation.
* ``train.csv`` / ``eval.csv``: the same records as tables (columns fixed by the
  first record).
* ``tensorboard/``: event files, if enabled and the ``tensorboard`` package exists.
* ``loss.png``: train and validation loss against steps, if matplotlib exists.

On resume the records after the checkpoint's step are dropped, so the logs of an
interrupted-and-resumed run read like those of one uninterrupted run.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from rnnlab.training.checkpoint import atomic_write_text
from rnnlab.plotting import load_pyplot


def warn(message: str) -> None:
    """One-line warning on stderr (optional outputs that cannot be produced)."""
    print(f"rnnlab: warning: {message}", file=sys.stderr)


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """All records of a ``log.jsonl`` file (missing file: empty list)."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class RunLog:
    """Writes the records of one run into ``out_dir``.

    Args:
        out_dir: run folder (created).
        csv_files: also write ``train.csv`` and ``eval.csv``.
        tensorboard: also write TensorBoard events when the package is installed.
        resume_step: continue existing logs, dropping records after this step;
            ``None`` starts them afresh.
    """

    def __init__(self, out_dir: str | Path, *, csv_files: bool = True, tensorboard: bool = False,
                 resume_step: int | None = None):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.jsonl_path = self.out_dir / "log.jsonl"
        self.csv_paths = {k: self.out_dir / f"{k}.csv" for k in ("train", "eval")} if csv_files else {}
        self._truncate(resume_step)
        self._jsonl = open(self.jsonl_path, "a", encoding="utf-8")
        self._csv_columns: dict[str, list[str]] = {}
        for kind, path in self.csv_paths.items():
            if path.exists() and path.stat().st_size:
                with open(path, newline="", encoding="utf-8") as handle:
                    self._csv_columns[kind] = next(csv.reader(handle))
        self._tensorboard = self._open_tensorboard() if tensorboard else None

    def _truncate(self, resume_step: int | None) -> None:
        if resume_step is None:
            for path in [self.jsonl_path, *self.csv_paths.values()]:
                path.unlink(missing_ok=True)
            return
        records = [r for r in read_log(self.jsonl_path) if r.get("step", 0) <= resume_step]
        atomic_write_text(self.jsonl_path, "".join(json.dumps(r) + "\n" for r in records))
        for path in self.csv_paths.values():
            if path.exists():
                with open(path, newline="", encoding="utf-8") as handle:
                    rows = list(csv.reader(handle))
                if rows:
                    step_col = rows[0].index("step")
                    kept = [rows[0]] + [r for r in rows[1:] if int(r[step_col]) <= resume_step]
                    buffer = io.StringIO()
                    csv.writer(buffer).writerows(kept)
                    atomic_write_text(path, buffer.getvalue())

    def _open_tensorboard(self) -> Any:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            warn("tensorboard = true but the tensorboard package is not installed; skipping it")
            return None
        return SummaryWriter(str(self.out_dir / "tensorboard"))

    def write(self, record: dict[str, Any]) -> None:
        """Append one record (must have ``kind`` and ``step``) to every output."""
        self._jsonl.write(json.dumps(record) + "\n")
        self._jsonl.flush()
        kind = record["kind"]
        if kind in self.csv_paths:
            path = self.csv_paths[kind]
            columns = self._csv_columns.setdefault(kind, [k for k in record if k != "kind"])
            new_file = not path.exists() or path.stat().st_size == 0
            with open(path, "a", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, columns, extrasaction="ignore")
                if new_file:
                    writer.writeheader()
                writer.writerow(record)
        if self._tensorboard is not None:
            for key, value in record.items():
                if key not in ("kind", "step", "epoch") and isinstance(value, (int, float)):
                    self._tensorboard.add_scalar(f"{kind}/{key}", value, record["step"])

    def close(self) -> None:
        self._jsonl.close()
        if self._tensorboard is not None:
            self._tensorboard.close()


def plot_losses(log_path: str | Path, png_path: str | Path, monitor: str = "loss") -> Path | None:
    """Draw train loss and validation ``monitor`` against steps into ``png_path``.

    Returns the PNG path, or None (with a warning) when matplotlib is missing.
    """
    plt = load_pyplot("loss plot")
    if plt is None:
        return None
    records = read_log(log_path)
    train = [r for r in records if r["kind"] == "train"]
    evals = [r for r in records if r["kind"] == "eval" and monitor in r]
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.plot([r["step"] for r in train], [r["loss"] for r in train], label="train loss")
    if evals:
        axes.plot([r["step"] for r in evals], [r[monitor] for r in evals], "o-", label=f"valid {monitor}")
    axes.set_xlabel("step")
    axes.set_ylabel("loss")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(png_path, dpi=100)
    plt.close(figure)
    return Path(png_path)
