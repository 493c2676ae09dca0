"""The one place that decides which engine runs a recurrent layer, and says why.

Engines (one direction, batch first, same contract):

- ``reference``: :func:`rnnlab.kernels.reference.run_reference`, any cell, any option;
- ``fused``: :func:`rnnlab.kernels.torch_fused.run_fused`, PyTorch's own kernel, only
  where it computes exactly the cell's math and no per-step dropout is needed.

``backend="auto"`` takes the fastest exact engine; ``"reference"`` always the loop;
``"fused"`` the kernel or an :class:`EngineUnavailable` error naming what blocks it.
Later engines (our own kernels) are added to :func:`choose_engine` and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnnlab.cells.base import RecurrentCell
from rnnlab.errors import EngineUnavailable, unknown_choice
from rnnlab.kernels.torch_fused import TORCH_MODULES, fused_kind

BACKENDS = ("auto", "fused", "reference")


@dataclass(frozen=True)
class EngineChoice:
    """The engine chosen for a layer and the reason, e.g. ``fused``: "plain LSTM is ..."."""

    engine: str              # "reference" or "fused"
    reason: str              # one line a user can read
    fused_kind: str | None = None  # torch kernel name when engine == "fused"

    def __str__(self) -> str:
        return f"{self.engine} ({self.reason})"


def fused_blocker(cell: RecurrentCell, recurrent_dropout: float, zoneout: float,
                  training: bool) -> tuple[str | None, str]:
    """(kind, "") if the fused kernel computes this exactly, else (None, what blocks it)."""
    kind, why = fused_kind(cell)
    if kind is None:
        return None, why
    module = TORCH_MODULES[kind]
    if zoneout > 0.0:
        return None, f"zoneout={zoneout} needs a per-step blend that {module} cannot do"
    if recurrent_dropout > 0.0 and training:
        return None, f"recurrent_dropout={recurrent_dropout} masks the state inside the loop; {module} cannot"
    return kind, why


def check_backend(backend: str, cell: RecurrentCell, recurrent_dropout: float, zoneout: float) -> None:
    """Fail early, at construction: an unknown backend, or ``"fused"`` that can never apply.

    ``fused`` must apply in training AND evaluation, so recurrent dropout blocks it.
    """
    if backend not in BACKENDS:
        raise unknown_choice("backend", backend, BACKENDS)
    if backend == "fused":
        kind, why = fused_blocker(cell, recurrent_dropout, zoneout, training=True)
        if kind is None:
            raise EngineUnavailable(f"backend='fused' is not possible: {why}; use backend='auto' or 'reference'")


def choose_engine(backend: str, cell: RecurrentCell, *, recurrent_dropout: float = 0.0,
                  zoneout: float = 0.0, training: bool = False) -> EngineChoice:
    """Pick the engine for one layer of ``cell`` under these options.

    Args:
        backend: "auto" | "fused" | "reference".
        cell: the layer's cell (every direction of a layer has the same type).
        recurrent_dropout, zoneout: the runner's options for this layer.
        training: dropout acts only in training, so evaluation may be fusable.
    """
    check_backend(backend, cell, recurrent_dropout, zoneout)
    if backend == "reference":
        return EngineChoice("reference", "backend='reference' was requested")
    kind, why = fused_blocker(cell, recurrent_dropout, zoneout, training)
    if kind is None:
        return EngineChoice("reference", why)
    return EngineChoice("fused", f"{why}: {TORCH_MODULES[kind]} kernel", kind)
