"""Checkpoint files: round trip, atomic replacement, corruption, model and vocab checks."""

from __future__ import annotations

import json
from typing import NamedTuple

import pytest
import torch
from safetensors.torch import save_file

from rnnlab.errors import CheckpointError
from rnnlab.training import checkpoint as ckpt


def write(path, value: float = 1.0, step: int = 1):
    model_state = {"w": torch.full((2, 3), value), "b": torch.arange(3)}
    tensors = {"rng/torch": torch.get_rng_state(), "extra/bf16": torch.ones(2, dtype=torch.bfloat16)}
    return ckpt.save_checkpoint(path, model_state, {"step": step, "best": float("inf")}, tensors)


def test_round_trip_keeps_tensors_dtypes_and_meta(tmp_path):
    path = write(tmp_path / "c.safetensors", value=2.5, step=7)
    loaded = ckpt.load_checkpoint(path)
    assert torch.equal(loaded.model_state["w"], torch.full((2, 3), 2.5))
    assert loaded.model_state["b"].dtype == torch.int64
    assert torch.equal(loaded.tensors["rng/torch"], torch.get_rng_state())
    assert loaded.tensors["extra/bf16"].dtype == torch.bfloat16
    assert loaded.meta == {"step": 7, "best": float("inf")}


def test_tied_weights_are_saved(tmp_path):
    shared = torch.randn(4, 2)
    ckpt.save_checkpoint(tmp_path / "t.safetensors", {"a": shared, "b": shared}, {})
    loaded = ckpt.load_checkpoint(tmp_path / "t.safetensors")
    assert torch.equal(loaded.model_state["a"], loaded.model_state["b"])


def failing_save_file(tensors, filename, metadata=None):
    """Write half a valid file, then die, as a kill during the write would."""
    save_file(tensors, filename, metadata=metadata)
    with open(filename, "rb+") as handle:
        handle.truncate(handle.seek(0, 2) // 2)
    raise OSError("simulated crash during write")


def test_failed_write_leaves_previous_checkpoint_intact(tmp_path, monkeypatch):
    path = write(tmp_path / "last.safetensors", value=1.0, step=1)
    before = path.read_bytes()
    monkeypatch.setattr(ckpt, "save_file", failing_save_file)
    with pytest.raises(OSError, match="simulated crash"):
        write(path, value=2.0, step=2)
    assert path.read_bytes() == before
    assert ckpt.load_checkpoint(path).meta["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.safetensors"]  # no temp file left


def test_failure_before_rename_leaves_previous_checkpoint(tmp_path, monkeypatch):
    path = write(tmp_path / "last.safetensors", step=1)

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(ckpt.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        write(path, step=2)
    monkeypatch.undo()
    assert ckpt.load_checkpoint(path).meta["step"] == 1


def test_truncated_checkpoint_names_file(tmp_path):
    path = write(tmp_path / "c.safetensors")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 10])
    with pytest.raises(CheckpointError, match=r"c\.safetensors: corrupt or truncated checkpoint"):
        ckpt.load_checkpoint(path)
    path.write_bytes(b"\x00garbage")
    with pytest.raises(CheckpointError, match=r"c\.safetensors: corrupt or truncated checkpoint"):
        ckpt.load_checkpoint(path)


def test_foreign_file_and_missing_file(tmp_path):
    save_file({"x": torch.zeros(1)}, str(tmp_path / "plain.safetensors"))
    with pytest.raises(CheckpointError, match="plain.safetensors: not an rnnlab checkpoint"):
        ckpt.load_checkpoint(tmp_path / "plain.safetensors")
    with pytest.raises(CheckpointError, match="nope.safetensors: checkpoint not found"):
        ckpt.load_checkpoint(tmp_path / "nope.safetensors")


def test_model_state_mismatches_name_the_parameter():
    model = torch.nn.Linear(3, 2)
    good = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(CheckpointError, match=r"f.st: parameter 'weight' has shape \(2, 4\) in the "
                                              r"checkpoint but \(2, 3\) in the model"):
        ckpt.load_model_state(model, {**good, "weight": torch.zeros(2, 4)}, "f.st")
    with pytest.raises(CheckpointError, match="f.st: checkpoint lacks model parameter 'bias'"):
        ckpt.load_model_state(model, {"weight": good["weight"]}, "f.st")
    with pytest.raises(CheckpointError, match="checkpoint has parameter 'extra'"):
        ckpt.load_model_state(model, {**good, "extra": torch.zeros(1)}, "f.st")
    ckpt.load_model_state(model, {k: torch.ones_like(v) for k, v in good.items()}, "f.st")
    assert torch.equal(model.weight, torch.ones(2, 3))


def test_vocab_check_describes_difference():
    ckpt.check_vocab({"a": 0}, {"a": 0}, "f")
    ckpt.check_vocab({"a": 0}, None, "f")  # nothing to compare against
    with pytest.raises(CheckpointError, match=r"f: vocabulary does not match the checkpoint: "
                                              r"size 2 in checkpoint vs 3 now; 1 tokens only now \('z'\)"):
        ckpt.check_vocab(["a", "b"], ["a", "b", "z"], "f")


class Pair(NamedTuple):
    h: torch.Tensor
    c: torch.Tensor


def test_state_tree_round_trip_keeps_namedtuples():
    tree = {"layers": [Pair(torch.randn(2), torch.randn(3)), None], "n": 3, "t": (torch.ones(1),)}
    tensors, spec = ckpt.pack_tree(tree, "state")
    back = ckpt.unpack_tree(tensors, json.loads(json.dumps(spec)), "f")
    assert isinstance(back["layers"][0], Pair) and back["layers"][1] is None
    assert torch.equal(back["layers"][0].c, tree["layers"][0].c) and back["n"] == 3
    assert isinstance(back["t"], tuple)
    spec["dict"]["layers"]["list"][0]["namedtuple"] = ["not.loaded.module", "Pair"]
    with pytest.raises(CheckpointError, match="not.loaded.module.Pair is not loaded"):
        ckpt.unpack_tree(tensors, spec, "f")


def test_optimizer_state_round_trip_continues_identically(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    x = torch.randn(8, 4)
    for _ in range(2):
        opt.zero_grad()
        model(x).square().mean().backward()
        opt.step()
    tensors, info = ckpt.pack_optimizer(opt.state_dict())
    ckpt.save_checkpoint(tmp_path / "o.safetensors", {}, {"optimizer": info}, tensors)
    loaded = ckpt.load_checkpoint(tmp_path / "o.safetensors")
    clone = torch.nn.Linear(4, 2)
    clone.load_state_dict(model.state_dict())
    opt2 = torch.optim.Adam(clone.parameters(), lr=0.1)
    opt2.load_state_dict(ckpt.unpack_optimizer(loaded.tensors, loaded.meta["optimizer"]))
    for m, o in ((model, opt), (clone, opt2)):
        o.zero_grad()
        m(x).square().mean().backward()
        o.step()
    assert torch.equal(model.weight, clone.weight)
