"""Checkpoints: one safetensors file, written atomically, never pickled.

Format (``rnnlab-checkpoint/1``): a single ``.safetensors`` file whose

* tensors are the model's state (``model/<name>``) and whatever else the caller
  adds under its own prefix (the Trainer adds ``optim/...`` optimizer state,
  ``rng/...`` generator states as uint8, ``state/...`` the carried TBPTT state);
* metadata holds ``format`` and ``rnnlab``: one JSON document with everything else
  (config, progress, schedule state, vocabulary, metrics history).

One file means one atomic ``os.replace``: the new checkpoint is written to a
temporary file in the same folder, flushed and fsynced, then renamed over the old
one, so a crash at any moment leaves either the old or the new checkpoint, whole.
Loading reads only safetensors and JSON, so opening a checkpoint runs no code.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from rnnlab.errors import CheckpointError

FORMAT = "rnnlab-checkpoint/1"
MODEL_PREFIX = "model/"


@dataclass
class Checkpoint:
    """A loaded checkpoint.

    Attributes:
        path: the file it was read from.
        model_state: the model's ``state_dict`` (names without the ``model/`` prefix).
        tensors: every other tensor, by its full prefixed name.
        meta: the JSON part.
    """

    path: Path
    model_state: dict[str, torch.Tensor]
    tensors: dict[str, torch.Tensor]
    meta: dict[str, Any]


# ----------------------------------------------------------------------------- atomic I/O


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str | Path, write: Any) -> Path:
    """Create ``path`` atomically: ``write(tmp_path)`` fills a temporary file in the
    same folder, which is fsynced and renamed over ``path``. If ``write`` raises, the
    temporary file is removed and any existing ``path`` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write a text file atomically (see :func:`atomic_write`)."""
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


# ----------------------------------------------------------------------------- save / load


def save_checkpoint(
    path: str | Path,
    model_state: Mapping[str, torch.Tensor],
    meta: Mapping[str, Any],
    tensors: Mapping[str, torch.Tensor] | None = None,
) -> Path:
    """Atomically write a checkpoint; returns its path.

    Args:
        model_state: ``model.state_dict()``; tied weights are stored once per name.
        meta: JSON-serialisable dict (non-finite floats allowed).
        tensors: extra tensors; their names must not start with ``model/``.
    """
    tensors = dict(tensors or {})
    if any(name.startswith(MODEL_PREFIX) for name in tensors):
        raise ValueError(f"extra tensor names must not start with '{MODEL_PREFIX}'")
    for name, value in model_state.items():
        tensors[MODEL_PREFIX + name] = value
    # safetensors refuses shared or strided storage: store private contiguous copies.
    flat = {name: t.detach().to("cpu").contiguous().clone() for name, t in tensors.items()}
    try:
        text = json.dumps(meta, sort_keys=True)
    except TypeError as error:
        raise CheckpointError(f"{path}: checkpoint metadata is not JSON: {error}") from None
    metadata = {"format": FORMAT, "rnnlab": text}
    return atomic_write(path, lambda tmp: save_file(flat, str(tmp), metadata=metadata))


def load_checkpoint(path: str | Path, device: str | torch.device = "cpu") -> Checkpoint:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Raises:
        CheckpointError: the file is missing, truncated, corrupt or not an rnnlab
            checkpoint; the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    try:
        with safe_open(str(path), framework="pt", device=str(device)) as handle:
            metadata = handle.metadata() or {}
            tensors = {name: handle.get_tensor(name) for name in handle.keys()}
    except Exception as error:  # safetensors raises several types for bad files
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise CheckpointError(f"{path}: corrupt or truncated checkpoint ({reason})") from None
    if metadata.get("format") != FORMAT:
        raise CheckpointError(
            f"{path}: not an rnnlab checkpoint (format {metadata.get('format')!r}, expected {FORMAT!r})"
        )
    try:
        meta = json.loads(metadata["rnnlab"])
    except (KeyError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{path}: corrupt checkpoint metadata ({error})") from None
    model_state = {n[len(MODEL_PREFIX):]: t for n, t in tensors.items() if n.startswith(MODEL_PREFIX)}
    others = {n: t for n, t in tensors.items() if not n.startswith(MODEL_PREFIX)}
    return Checkpoint(path=path, model_state=model_state, tensors=others, meta=meta)


# ----------------------------------------------------------------------------- checks


def load_model_state(model: torch.nn.Module, state: Mapping[str, torch.Tensor], source: Any) -> None:
    """``model.load_state_dict(state)`` with errors that name the parameter and file."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state]
    extra = [k for k in state if k not in expected]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise CheckpointError(f"{source}: checkpoint lacks model parameter '{missing[0]}'{more}")
    if extra:
        more = f" (and {len(extra) - 1} more)" if len(extra) > 1 else ""
        raise CheckpointError(f"{source}: checkpoint has parameter '{extra[0]}'{more} the model lacks")
    for name, tensor in expected.items():
        if tuple(state[name].shape) != tuple(tensor.shape):
            raise CheckpointError(
                f"{source}: parameter '{name}' has shape {tuple(state[name].shape)} in the "
                f"checkpoint but {tuple(tensor.shape)} in the model"
            )
    model.load_state_dict(dict(state))


def check_vocab(saved: Any, current: Any, source: Any) -> None:
    """Raise a CheckpointError describing how two vocabularies differ (None = unchecked).

    Vocabularies are JSON values, typically ``{token: id}`` dicts or token lists.
    """
    if current is None or saved == current:
        return
    if saved is None:
        raise CheckpointError(f"{source}: checkpoint has no vocabulary but one was given")
    if isinstance(saved, list) and isinstance(current, list):
        saved = {token: i for i, token in enumerate(saved)}
        current = {token: i for i, token in enumerate(current)}
    if not (isinstance(saved, dict) and isinstance(current, dict)):
        raise CheckpointError(f"{source}: vocabulary differs from the checkpoint's")

    def show(tokens: list) -> str:
        return ", ".join(repr(t) for t in tokens[:3]) + (", ..." if len(tokens) > 3 else "")

    parts = []
    if len(saved) != len(current):
        parts.append(f"size {len(saved)} in checkpoint vs {len(current)} now")
    only_saved = [t for t in saved if t not in current]
    only_now = [t for t in current if t not in saved]
    moved = [t for t in saved if t in current and saved[t] != current[t]]
    if only_saved:
        parts.append(f"{len(only_saved)} tokens only in checkpoint ({show(only_saved)})")
    if only_now:
        parts.append(f"{len(only_now)} tokens only now ({show(only_now)})")
    if moved:
        t = moved[0]
        parts.append(f"{len(moved)} tokens with other ids (e.g. {t!r}: {saved[t]} vs {current[t]})")
    raise CheckpointError(f"{source}: vocabulary does not match the checkpoint: {'; '.join(parts)}")


# ----------------------------------------------------------------------------- state packing


def pack_optimizer(state: Mapping[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Split ``optimizer.state_dict()`` into tensors (``optim/<param>/<key>``) and JSON."""
    tensors: dict[str, torch.Tensor] = {}
    plain: dict[str, dict[str, Any]] = {}
    for pid, values in state["state"].items():
        plain[str(pid)] = {}
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim/{pid}/{key}"] = value
            else:
                plain[str(pid)][key] = value
    return tensors, {"state": plain, "param_groups": state["param_groups"]}


def unpack_optimizer(tensors: Mapping[str, torch.Tensor], info: Mapping[str, Any]) -> dict[str, Any]:
    """Inverse of :func:`pack_optimizer`."""
    state: dict[int, dict[str, Any]] = {int(pid): dict(values) for pid, values in info["state"].items()}
    for name, tensor in tensors.items():
        if name.startswith("optim/"):
            _, pid, key = name.split("/", 2)
            state.setdefault(int(pid), {})[key] = tensor
    return {"state": state, "param_groups": [dict(g) for g in info["param_groups"]]}


def pack_tree(tree: Any, prefix: str) -> tuple[dict[str, torch.Tensor], Any]:
    """Flatten a tree of tensors (tuples, lists, NamedTuples, dicts) into
    ``{prefix/i: tensor}`` plus a JSON description of its structure."""
    tensors: dict[str, torch.Tensor] = {}

    def spec(node: Any) -> Any:
        if node is None:
            return None
        if isinstance(node, torch.Tensor):
            name = f"{prefix}/{len(tensors)}"
            tensors[name] = node
            return {"tensor": name}
        if isinstance(node, tuple) and hasattr(node, "_fields"):
            cls = type(node)
            return {"namedtuple": [cls.__module__, cls.__qualname__], "items": [spec(v) for v in node]}
        if isinstance(node, (tuple, list)):
            return {type(node).__name__: [spec(v) for v in node]}
        if isinstance(node, dict):
            return {"dict": {str(k): spec(v) for k, v in node.items()}}
        if isinstance(node, (bool, int, float, str)):
            return {"value": node}
        raise CheckpointError(f"cannot store a {type(node).__name__} in a checkpoint state tree")

    return tensors, spec(tree)


def unpack_tree(tensors: Mapping[str, torch.Tensor], spec: Any, source: Any) -> Any:
    """Inverse of :func:`pack_tree`. NamedTuple classes are looked up among modules
    already imported (never imported from the checkpoint's say-so)."""
    if spec is None:
        return None
    if "tensor" in spec:
        return tensors[spec["tensor"]]
    if "value" in spec:
        return spec["value"]
    if "tuple" in spec:
        return tuple(unpack_tree(tensors, s, source) for s in spec["tuple"])
    if "list" in spec:
        return [unpack_tree(tensors, s, source) for s in spec["list"]]
    if "dict" in spec:
        return {k: unpack_tree(tensors, s, source) for k, s in spec["dict"].items()}
    module_name, qualname = spec["namedtuple"]
    cls: Any = sys.modules.get(module_name)
    for part in qualname.split("."):
        cls = getattr(cls, part, None)
    if not (isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields")):
        raise CheckpointError(
            f"{source}: carried state type {module_name}.{qualname} is not loaded; import it first"
        )
    return cls(*(unpack_tree(tensors, s, source) for s in spec["items"]))
