"""Dispatch is one explicit decision that says why, and never falls back silently."""

from __future__ import annotations

import pytest
import torch

from rnnlab.cells import CELLS, make_cell
from rnnlab.errors import ConfigError, EngineUnavailable
from rnnlab.kernels import BACKENDS, EngineChoice, choose_engine
from rnnlab.kernels.compiled import FAMILIES, compiled_blocker
from rnnlab.kernels.compiled.build import forget_loaded
from rnnlab.kernels.dispatch import check_backend
from rnnlab.layers import Recurrent

FUSED_KINDS = {"lstm": "lstm", "gru": "gru", "elman": "rnn_tanh", "elman_relu": "rnn_relu"}
# what the reason for each fused choice must mention
FUSED_WORDS = {"lstm": ["LSTM", "torch.nn.LSTM"], "gru": ["GRU", "torch.nn.GRU"],
               "elman": ["tanh", "torch.nn.RNN"], "elman_relu": ["relu", "torch.nn.RNN"]}
SCAN_CELLS = {"mingru": "MinGRUCell", "minlstm": "MinLSTMCell"}
# Every other registered cell has no torch kernel: the reason must name its class
# (and the activation for sigmoid Elman, the only Elman torch cannot fuse).
BLOCKED_WORDS = {name: [CELLS[name][0].__name__] for name in CELLS
                 if name not in FUSED_KINDS and name not in SCAN_CELLS}
BLOCKED_WORDS["elman_sigmoid"].append("activation='sigmoid'")


@pytest.fixture
def no_compiled(monkeypatch):
    """The compiled engine switched off, as on a machine without a compiler."""
    monkeypatch.setenv("RNNLAB_COMPILE", "0")
    forget_loaded()
    yield
    forget_loaded()


def test_every_cell_is_classified():
    assert set(FUSED_KINDS) | set(BLOCKED_WORDS) | set(SCAN_CELLS) == set(CELLS)
    assert not set(FUSED_KINDS) & set(BLOCKED_WORDS)
    assert BACKENDS == ("auto", "fused", "compiled", "scan", "reference")
    assert "elman_sigmoid" in BLOCKED_WORDS and "jordan" in BLOCKED_WORDS


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("name", list(SCAN_CELLS))
def test_auto_picks_scan_for_linear_recurrences(name, training, no_compiled):
    choice = choose_engine("auto", make_cell(name, 2, 3), training=training)
    assert choice.engine == "scan"
    assert SCAN_CELLS[name] in choice.reason and "parallel scan" in choice.reason
    zoned = choose_engine("auto", make_cell(name, 2, 3), zoneout=0.1, training=training)
    assert zoned.engine == "reference" and "zoneout=0.1" in zoned.reason


@pytest.mark.parametrize("name", list(SCAN_CELLS))
def test_auto_leaves_the_scan_when_one_step_is_big_enough(name, no_compiled):
    cell = make_cell(name, 2, 256)
    small = choose_engine("auto", cell, batch_size=8)          # B*H = 2,048: the scan pays
    big = choose_engine("auto", cell, batch_size=9)            # B*H = 2,304: the loop is faster
    assert small.engine == "scan"
    assert big.engine == "reference"
    assert big.reason == (f"{SCAN_CELLS[name]}: step work B*H = 2304 > 2048, where the loop beats the parallel "
                          f"scan; compiled engine unavailable: cell '{SCAN_CELLS[name]}' has no compiled family")
    assert choose_engine("scan", cell, batch_size=64).engine == "scan"  # asked for explicitly
    rnn = Recurrent(name, 2, 256)
    rnn(torch.randn(16, 3, 2))
    assert rnn.last_engine.engine == "reference"
    rnn(torch.randn(1, 3, 2))
    assert rnn.last_engine.engine == "scan"


def test_scan_backend_on_other_cells_names_the_blocker():
    with pytest.raises(EngineUnavailable) as info:
        Recurrent("gru", 2, 3, backend="scan")
    assert str(info.value).startswith("backend='scan' is not possible: cell 'GRUCell' reads h(t-1) "
                                      "through a nonlinearity")
    with pytest.raises(EngineUnavailable, match="zoneout=0.2"):
        Recurrent("mingru", 2, 3, backend="scan", zoneout=0.2)
    with pytest.raises(EngineUnavailable, match="backend='fused' is not possible: cell 'MinGRUCell'"):
        Recurrent("mingru", 2, 3, backend="fused")


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("name", list(FUSED_KINDS))
def test_auto_picks_fused_for_fusable_cells_and_says_why(name, training):
    choice = choose_engine("auto", make_cell(name, 2, 3), training=training)
    assert isinstance(choice, EngineChoice)
    assert choice.engine == "fused"
    assert choice.fused_kind == FUSED_KINDS[name]
    for word in FUSED_WORDS[name]:
        assert word in choice.reason
    assert "kernel" in choice.reason
    assert str(choice).startswith("fused (")


@pytest.mark.parametrize("name", list(BLOCKED_WORDS))
def test_without_compiler_other_cells_fall_back_to_the_loop_and_say_why(name, no_compiled):
    choice = choose_engine("auto", make_cell(name, 2, 3), training=True)
    assert choice.engine == "reference"
    assert choice.fused_kind is None
    for word in BLOCKED_WORDS[name]:
        assert word in choice.reason
    assert "no fused kernel" in choice.reason
    assert choice.reason.endswith("compiled engine unavailable: RNNLAB_COMPILE=0 turns the compiled engine off")


@pytest.mark.parametrize("name", [name for name in BLOCKED_WORDS if CELLS[name][0] in FAMILIES])
def test_auto_picks_compiled_for_cells_without_torch_kernel(name):
    cell = make_cell(name, 2, 3)
    why = compiled_blocker(cell, "cpu")
    if why is not None:
        pytest.skip(f"compiled engine unavailable here: {why}")
    choice = choose_engine("auto", cell, training=True, device="cpu")
    assert choice.engine == "compiled"
    assert BLOCKED_WORDS[name][0] in choice.reason and "hand-written BPTT" in choice.reason
    # never on another device: the compiled loop is CPU code
    assert choose_engine("auto", cell, device="meta").engine == "reference"


def test_compiled_request_names_what_blocks_it(no_compiled):
    with pytest.raises(EngineUnavailable) as error:
        Recurrent("mingru", 2, 3, backend="compiled")
    assert str(error.value) == ("backend='compiled' is not possible: cell 'MinGRUCell' has no compiled family; "
                                "use backend='auto' or 'reference'")
    with pytest.raises(EngineUnavailable, match="RNNLAB_COMPILE=0 turns the compiled engine off"):
        Recurrent("lstm_peephole", 2, 3, backend="compiled")
    assert compiled_blocker(make_cell("gru", 2, 3), "cuda") == (
        "the compiled engine runs on the CPU; the tensors are on cuda")


@pytest.mark.parametrize("name", list(CELLS))
def test_reference_backend_is_always_reference(name):
    for training in (True, False):
        choice = choose_engine("reference", make_cell(name, 2, 3), training=training)
        assert choice.engine == "reference"
        assert "reference" in choice.reason
    rnn = Recurrent(name, 2, 3, backend="reference")
    assert rnn.engine(training=True).engine == rnn.engine(training=False).engine == "reference"


@pytest.mark.parametrize("name", list(FUSED_KINDS))
def test_zoneout_and_training_recurrent_dropout_block_fused(name, no_compiled):
    cell = make_cell(name, 2, 3)
    for training in (True, False):
        choice = choose_engine("auto", cell, zoneout=0.1, training=training)
        assert choice.engine == "reference" and "zoneout=0.1" in choice.reason
    choice = choose_engine("auto", cell, recurrent_dropout=0.2, training=True)
    assert choice.engine == "reference" and "recurrent_dropout=0.2" in choice.reason
    # recurrent dropout acts only in training: evaluation may take the kernel
    assert choose_engine("auto", cell, recurrent_dropout=0.2, training=False).engine == "fused"


@pytest.mark.parametrize("name,options,words", [
    ("elman_sigmoid", {}, ["activation='sigmoid'", "ElmanCell"]),
    ("jordan", {}, ["JordanCell"]),
    ("rated", {}, ["RatedCell"]),
    ("gru_reset_before", {}, ["GRUResetBeforeCell"]),
    ("lstm_peephole", {}, ["PeepholeLSTMCell"]),
    ("lstm_full_peephole", {}, ["FullPeepholeLSTMCell"]),
    ("lstm", {"zoneout": 0.1}, ["zoneout=0.1"]),
    ("gru", {"zoneout": 0.1}, ["zoneout=0.1"]),
    ("lstm", {"recurrent_dropout": 0.2}, ["recurrent_dropout=0.2"]),
    ("elman", {"recurrent_dropout": 0.2}, ["recurrent_dropout=0.2"]),
])
def test_fused_request_that_cannot_apply_raises_at_construction(name, options, words):
    with pytest.raises(EngineUnavailable) as error:
        Recurrent(name, 2, 3, backend="fused", **options)
    message = str(error.value)
    assert "backend='fused'" in message
    for word in words:
        assert word in message


def test_fused_request_that_applies_builds_and_runs_fused():
    rnn = Recurrent("gru", 2, 3, backend="fused", input_dropout=0.3, dropout=0.3, num_layers=2)
    assert rnn.engine(training=True).engine == rnn.engine(training=False).engine == "fused"
    rnn(torch.randn(2, 4, 2))
    assert rnn.last_engine.engine == "fused"


@pytest.mark.parametrize("backend,suggestion", [("fusd", "fused"), ("refrence", "reference"),
                                                ("Auto", "auto")])
def test_unknown_backend_suggests_the_near_match(backend, suggestion):
    with pytest.raises(ConfigError) as error:
        Recurrent("lstm", 2, 3, backend=backend)
    assert f"unknown backend '{backend}' (did you mean '{suggestion}'?)" in str(error.value)
    with pytest.raises(ConfigError, match="unknown backend"):
        check_backend(backend, make_cell("lstm", 2, 3), 0.0, 0.0)


def test_last_engine_is_set_after_forward_only(no_compiled):
    x = torch.randn(2, 4, 2)
    rnn = Recurrent("lstm", 2, 3)
    assert rnn.last_engine is None
    rnn(x)
    assert rnn.last_engine == rnn.engine() and rnn.last_engine.engine == "fused"

    slow = Recurrent("jordan", 2, 3)
    slow(x)
    assert slow.last_engine.engine == "reference" and "JordanCell" in slow.last_engine.reason

    dropped = Recurrent("lstm", 2, 3, recurrent_dropout=0.2)
    dropped.train()
    dropped(x)
    assert dropped.last_engine.engine == "reference"
    dropped.eval()
    dropped(x)
    assert dropped.last_engine.engine == "fused"
