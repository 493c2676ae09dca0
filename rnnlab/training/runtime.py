"""Where and how training runs: device choice, seeding, RNG snapshots, moving batches.

Batches and carried recurrent states are trees of tensors: a tensor, or a tuple,
list, NamedTuple or dict of trees (``None`` and other leaves pass through).
:func:`map_tensors` applies a function to every tensor of such a tree and keeps
the container types, so ``LSTMState(h, c)`` stays an ``LSTMState``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from rnnlab.errors import CheckpointError, ConfigError


def select_device(name: str = "auto") -> torch.device:
    """``"auto"`` -> CUDA when available else CPU; ``"cuda"`` without CUDA is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device '{name}' requested but CUDA is not available; use 'auto' or 'cpu'")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and all GPUs)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def map_tensors(fn: Callable[[torch.Tensor], torch.Tensor], tree: Any) -> Any:
    """Apply ``fn`` to every tensor in a tree of tuples/lists/NamedTuples/dicts."""
    if isinstance(tree, torch.Tensor):
        return fn(tree)
    if isinstance(tree, tuple) and hasattr(tree, "_fields"):  # NamedTuple
        return type(tree)(*(map_tensors(fn, v) for v in tree))
    if isinstance(tree, (tuple, list)):
        return type(tree)(map_tensors(fn, v) for v in tree)
    if isinstance(tree, dict):
        return {k: map_tensors(fn, v) for k, v in tree.items()}
    return tree


def move_to_device(tree: Any, device: torch.device) -> Any:
    """Copy every tensor of a batch tree to ``device`` (non-blocking where possible)."""
    non_blocking = device.type == "cuda"
    return map_tensors(lambda t: t.to(device, non_blocking=non_blocking), tree)


def detach_state(tree: Any) -> Any:
    """Cut the autograd history of a carried recurrent state (truncated BPTT)."""
    return map_tensors(lambda t: t.detach(), tree)


# ----------------------------------------------------------------------------- RNG snapshots


def capture_rng() -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Snapshot every RNG a training step may draw from.

    Returns ``(tensors, info)``: the torch CPU/CUDA generator states and NumPy's
    key as uint8 tensors, and the rest (Python's state, NumPy's position) as JSON.
    """
    tensors = {"rng/torch": torch.get_rng_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        for i, state in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng/cuda/{i}"] = state
    algorithm, keys, pos, has_gauss, cached = np.random.get_state()
    tensors["rng/numpy"] = torch.from_numpy(np.ascontiguousarray(keys).view(np.uint8).copy())
    version, internal, gauss_next = random.getstate()
    info = {
        "python": [version, list(internal), gauss_next],
        "numpy": [algorithm, int(pos), int(has_gauss), float(cached)],
    }
    return tensors, info


def restore_rng(tensors: dict[str, torch.Tensor], info: dict[str, Any], source: str) -> None:
    """Inverse of :func:`capture_rng`; ``source`` (the checkpoint path) names errors."""
    try:
        torch.set_rng_state(tensors["rng/torch"].to("cpu", torch.uint8))
        cuda_states = [tensors[k] for k in sorted(tensors) if k.startswith("rng/cuda/")]
        if cuda_states and torch.cuda.is_available():
            count = min(len(cuda_states), torch.cuda.device_count())
            for i in range(count):
                torch.cuda.set_rng_state(cuda_states[i].cpu(), i)
        algorithm, pos, has_gauss, cached = info["numpy"]
        keys = tensors["rng/numpy"].cpu().numpy().view(np.uint32)
        np.random.set_state((algorithm, keys, pos, has_gauss, cached))
        version, internal, gauss_next = info["python"]
        random.setstate((version, tuple(internal), gauss_next))
    except (KeyError, ValueError, TypeError, RuntimeError) as error:
        raise CheckpointError(f"{source}: cannot restore random-number state ({error})") from None
