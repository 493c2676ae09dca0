"""The one place that decides which engine runs a recurrent layer, and says why.

Engines (one direction, batch first, same contract):

- ``reference``: :func:`rnnlab.kernels.reference.run_reference`, any cell, any option;
- ``fused``: :func:`rnnlab.kernels.torch_fused.run_fused`, PyTorch's own kernel, only
  where it computes exactly the cell's math and no per-step dropout is needed;
- ``scan``: :func:`rnnlab.kernels.parallel_scan.run_scan`, all steps at once, for
  cells whose recurrence is linear in h (minGRU, minLSTM) without zoneout;
- ``compiled``: :func:`rnnlab.kernels.compiled.run_compiled`, our C++ loop with a
  hand-written BPTT, for every cell family it knows, with dropout masks and zoneout,
  on the CPU, when its extension builds (compiled on first use, then cached).

``backend="auto"`` takes the fastest exact engine, in this order: scan (while the
step work is small), fused, compiled, reference; ``"reference"`` always the loop;
``"fused"``, ``"scan"`` or ``"compiled"`` that engine or an :class:`EngineUnavailable`
error naming what blocks it. New engines are added here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from rnnlab.cells.base import RecurrentCell
from rnnlab.cells.minimal import MinGRUCell, MinLSTMCell
from rnnlab.kernels.compiled import compiled_blocker
from rnnlab.errors import EngineUnavailable, unknown_choice
from rnnlab.kernels.torch_fused import TORCH_MODULES, fused_kind

BACKENDS = ("auto", "fused", "compiled", "scan", "reference")
SCAN_CELLS = (MinGRUCell, MinLSTMCell)
# The scan spends ~15 elementwise passes over (B, T, H) to remove the wait between
# steps; that pays only while one step's work B*H is too small to keep the cores
# busy. Measured break-even on a 2-core CPU: B*H ~ 2,048 (docs/engines.md, from
# `python bench/runner_speed.py --cells mingru minlstm --batch 1 4 8 16 32 --steps 100 500`).
SCAN_MAX_STEP_WORK = 2048


@dataclass(frozen=True)
class EngineChoice:
    """The engine chosen for a layer and the reason, e.g. ``fused``: "plain LSTM is ..."."""

    engine: str              # "reference", "fused", "compiled" or "scan"
    reason: str              # one line a user can read
    fused_kind: str | None = None  # torch kernel name when engine == "fused"

    def __str__(self) -> str:
        return f"{self.engine} ({self.reason})"


def fused_blocker(cell: RecurrentCell, recurrent_dropout: float, zoneout: float,
                  training: bool) -> tuple[str | None, str]:
    """(kind, why) if the fused kernel computes this exactly, else (None, what blocks it)."""
    kind, why = fused_kind(cell)
    if kind is None:
        return None, why
    module = TORCH_MODULES[kind]
    if zoneout > 0.0:
        return None, f"zoneout={zoneout} needs a per-step blend that {module} cannot do"
    if recurrent_dropout > 0.0 and training:
        return None, f"recurrent_dropout={recurrent_dropout} masks the state inside the loop; {module} cannot"
    return kind, why


def scan_blocker(cell: RecurrentCell, zoneout: float) -> str | None:
    """None if the scan computes this exactly, else what blocks it."""
    name = type(cell).__name__
    if type(cell) not in SCAN_CELLS:
        return f"cell '{name}' reads h(t-1) through a nonlinearity, so it has no parallel scan"
    if zoneout > 0.0:
        return f"zoneout={zoneout} blends states randomly per step; the scan cannot"
    return None


def check_backend(backend: str, cell: RecurrentCell, recurrent_dropout: float, zoneout: float) -> None:
    """Fail early, at construction: an unknown backend, or a fast one that can never apply.

    ``fused`` must apply in training AND evaluation, so recurrent dropout blocks it.
    ``compiled`` is checked for the cell family only here (the device is known at
    the first forward, where a CUDA tensor raises).
    """
    if backend not in BACKENDS:
        raise unknown_choice("backend", backend, BACKENDS)
    if backend == "fused":
        kind, why = fused_blocker(cell, recurrent_dropout, zoneout, training=True)
        if kind is None:
            raise EngineUnavailable(f"backend='fused' is not possible: {why}; use backend='auto' or 'reference'")
    if backend == "scan":
        why = scan_blocker(cell, zoneout)
        if why is not None:
            raise EngineUnavailable(f"backend='scan' is not possible: {why}; use backend='auto' or 'reference'")
    if backend == "compiled":
        why = compiled_blocker(cell)
        if why is not None:
            raise EngineUnavailable(f"backend='compiled' is not possible: {why}; use backend='auto' or 'reference'")


def choose_engine(backend: str, cell: RecurrentCell, *, recurrent_dropout: float = 0.0,
                  zoneout: float = 0.0, training: bool = False,
                  batch_size: int | None = None,
                  device: torch.device | str | None = None) -> EngineChoice:
    """Pick the engine for one layer of ``cell`` under these options.

    Args:
        backend: "auto" | "fused" | "compiled" | "scan" | "reference".
        cell: the layer's cell (every direction of a layer has the same type).
        recurrent_dropout, zoneout: the runner's options for this layer.
        training: dropout acts only in training, so evaluation may be fusable.
        batch_size: B of the batch about to run, if known: "auto" takes the scan
            only while B * H <= SCAN_MAX_STEP_WORK (beyond, the loop is faster).
        device: where the batch lives; the compiled engine is CPU only.
    """
    check_backend(backend, cell, recurrent_dropout, zoneout)
    if backend == "reference":
        return EngineChoice("reference", "backend='reference' was requested")
    if backend == "compiled":
        why = compiled_blocker(cell, device)
        if why is not None:
            raise EngineUnavailable(f"backend='compiled' is not possible: {why}; use backend='auto' or 'reference'")
        return EngineChoice("compiled", "backend='compiled' was requested")
    scan_why = scan_blocker(cell, zoneout)
    loop_reason = None
    if scan_why is None:
        work = None if batch_size is None else batch_size * cell.hidden_size
        if backend == "scan" or work is None or work <= SCAN_MAX_STEP_WORK:
            return EngineChoice("scan", f"{type(cell).__name__} is linear in h(t-1): log-space parallel scan")
        loop_reason = (f"{type(cell).__name__}: step work B*H = {work} > {SCAN_MAX_STEP_WORK}, "
                       "where the loop beats the parallel scan")
    kind, fused_why = fused_blocker(cell, recurrent_dropout, zoneout, training)
    if kind is not None:
        return EngineChoice("fused", f"{fused_why}: {TORCH_MODULES[kind]} kernel", kind)
    compiled_why = compiled_blocker(cell, device)
    if compiled_why is None:
        return EngineChoice("compiled", f"no exact torch kernel ({fused_why}); rnnlab's compiled "
                                        "loop with hand-written BPTT")
    reason = loop_reason or (fused_why if type(cell) not in SCAN_CELLS else scan_why)
    return EngineChoice("reference", f"{reason}; compiled engine unavailable: {compiled_why}")
