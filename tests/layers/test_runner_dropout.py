"""Dropout in the runner: variational masks, recurrent dropout, zoneout, between layers.

Plus the runner's input validation: every bad option or input is a ConfigError whose
message names the field.
"""

from __future__ import annotations

import pytest
import torch

from rnnlab.cells import CELLS, ElmanCell, HiddenState
from rnnlab.errors import ConfigError
from rnnlab.layers import Recurrent, RecurrentConfig

B, T, I, H = 3, 4, 2, 3
LENGTHS = torch.tensor([4, 1, 3])


class RecordingElman(ElmanCell):
    """A tanh Elman cell that records what the runner hands it at every step."""

    def __init__(self, input_size: int, hidden_size: int, **options):
        super().__init__(input_size, hidden_size, **options)
        self.inputs: list[torch.Tensor] = []   # x_t, each (B, I)
        self.outputs: list[torch.Tensor] = []  # h_t, each (B, H)
        self.masks: list[torch.Tensor | None] = []

    def forward(self, x, state, recurrent_mask=None):
        new = super().forward(x, state, recurrent_mask)
        self.inputs.append(x.detach().clone())
        self.outputs.append(new.h.detach().clone())
        self.masks.append(recurrent_mask)
        return new


def twins(cell, **dropouts):
    """(runner with ``dropouts``, runner without), same random float64 weights, reference engine."""
    torch.manual_seed(0)
    plain = Recurrent(cell, I, H, backend="reference", num_layers=2).double()
    with torch.no_grad():
        for p in plain.parameters():
            p.uniform_(-0.8, 0.8)
    dropped = Recurrent(cell, I, H, backend="reference", num_layers=2, **dropouts).double()
    dropped.load_state_dict(plain.state_dict())
    return dropped, plain


# ------------------------------------------------------------ variational input dropout

@pytest.mark.parametrize("backend", ["reference", "auto"])
def test_input_dropout_mask_is_one_per_sequence_constant_over_time(backend):
    """With h(t) = tanh(mask * x(t)), a dropped feature is 0 at EVERY step.

    A fresh mask per step would change the zero pattern from step to step.
    """
    features, steps, batch, rate = 8, 12, 6, 0.5
    rnn = Recurrent("elman", features, features, input_dropout=rate, backend=backend).double()
    cell = rnn.cells[0]
    with torch.no_grad():
        cell.weight_ih.copy_(torch.eye(features))
        cell.weight_hh.zero_()
        cell.bias_ih.zero_()
        cell.bias_hh.zero_()
    rnn.train()
    torch.manual_seed(1)
    out = rnn(torch.ones(batch, steps, features, dtype=torch.float64)).outputs  # (B, T, F)

    dropped = out == 0.0
    kept_value = torch.tanh(torch.tensor(1.0 / (1.0 - rate), dtype=torch.float64))
    assert torch.all(dropped | torch.isclose(out, kept_value))  # inverted-dropout scale
    assert torch.equal(dropped, dropped[:, :1].expand_as(dropped))  # same at every step
    assert dropped.any() and (~dropped).any()
    assert not torch.equal(dropped[0], dropped[1]) or not torch.equal(dropped[1], dropped[2])

    rnn.eval()
    assert torch.all(rnn(torch.ones(batch, steps, features, dtype=torch.float64)).outputs
                     == torch.tanh(torch.tensor(1.0, dtype=torch.float64)))


# ------------------------------------------------------------------ recurrent dropout

def test_recurrent_dropout_mask_is_one_per_sequence_constant_over_time():
    rate = 0.5
    rnn = Recurrent(RecordingElman, I, 8, recurrent_dropout=rate, bidirectional=True).double()
    rnn.train()
    torch.manual_seed(1)
    rnn(torch.randn(6, T, I, dtype=torch.float64))
    for cell in rnn.cells:
        assert len(cell.masks) == T
        first = cell.masks[0]
        assert first.shape == (6, 8)
        assert all(torch.equal(mask, first) for mask in cell.masks)  # one mask, every step
        assert torch.all((first == 0.0) | (first == 1.0 / (1.0 - rate)))
        assert (first == 0.0).any() and (first != 0.0).any()
    assert not torch.equal(rnn.cells[0].masks[0], rnn.cells[1].masks[0])  # per direction

    for cell in rnn.cells:
        cell.masks.clear()
    rnn.eval()
    rnn(torch.randn(6, T, I, dtype=torch.float64))
    assert all(mask is None for cell in rnn.cells for mask in cell.masks)


@pytest.mark.parametrize("cell", [n for n, (cls, _) in CELLS.items() if cls.has_recurrent_product])
def test_recurrent_dropout_acts_only_in_training(cell):
    dropped, plain = twins(cell, recurrent_dropout=0.5)
    torch.manual_seed(2)
    x = torch.randn(B, T, I, dtype=torch.float64)
    dropped.eval()
    plain.eval()
    a, b = dropped(x, LENGTHS), plain(x, LENGTHS)
    torch.testing.assert_close(a.outputs, b.outputs, rtol=0, atol=0)
    for fa, fb in zip(a.final_state, b.final_state):
        torch.testing.assert_close(fa, fb, rtol=0, atol=0)
    dropped.train()
    plain.train()
    assert not torch.allclose(dropped(x, LENGTHS).outputs, plain(x, LENGTHS).outputs)


@pytest.mark.parametrize("cell", ["mingru", "minlstm"])
def test_recurrent_dropout_is_refused_where_there_is_nothing_to_mask(cell):
    with pytest.raises(ConfigError) as info:
        Recurrent(cell, I, H, recurrent_dropout=0.5)
    assert str(info.value) == (f"recurrent_dropout=0.5 has nothing to mask in cell '{cell}': "
                               "its gates read only x(t); use input_dropout")


# --------------------------------------------------------------------------- zoneout

@pytest.mark.parametrize("cell", list(CELLS))
def test_zoneout_in_eval_is_the_expectation_blend(cell):
    """Per step: state = rate * previous + (1 - rate) * cell(x_t, previous), every field."""
    rate = 0.3
    torch.manual_seed(0)
    rnn = Recurrent(cell, I, H, zoneout=rate).double().eval()
    assert rnn.engine().engine == "reference"
    torch.manual_seed(1)
    x = torch.randn(B, T, I, dtype=torch.float64)
    result = rnn(x, LENGTHS)
    step = rnn.cells[0]
    for b, n in enumerate(LENGTHS.tolist()):
        zeros = [torch.zeros(1, H, dtype=torch.float64) for _ in step.state_type._fields]
        state = step.state_type(*zeros)
        for t in range(n):
            new = step(x[b, t][None], state)
            state = step.state_type(*(rate * p + (1 - rate) * c for p, c in zip(state, new)))
            torch.testing.assert_close(result.outputs[b, t], state[0][0], rtol=1e-10, atol=1e-12)
        assert torch.all(result.outputs[b, n:] == 0.0)
        for name in step.state_type._fields:
            torch.testing.assert_close(getattr(result.final_state, name)[0, b],
                                       getattr(state, name)[0], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cell", ["elman", "gru", "rated", "elman_sigmoid"])
def test_zoneout_in_training_keeps_each_unit_or_takes_the_candidate(cell):
    """Every unit at every step is exactly its previous value or the cell's new candidate.

    The mask is drawn per step: the kept units change over time, about ``rate`` of them.
    """
    rate, batch, steps, hidden = 0.5, 4, 6, 8
    torch.manual_seed(0)
    rnn = Recurrent(cell, I, hidden, zoneout=rate).double().train()
    torch.manual_seed(1)
    x = torch.randn(batch, steps, I, dtype=torch.float64)
    result = rnn(x)
    out = result.outputs  # (B, T, H): the h state at each step
    step = rnn.cells[0]
    previous = torch.zeros(batch, hidden, dtype=torch.float64)
    kept = []
    for t in range(steps):
        candidate = step(x[:, t], HiddenState(previous)).h
        is_previous = out[:, t] == previous
        is_candidate = torch.isclose(out[:, t], candidate, rtol=0, atol=1e-14)
        assert torch.all(is_previous | is_candidate)
        kept.append(is_previous & ~is_candidate)
        previous = out[:, t]
    kept = torch.stack(kept, dim=1)  # (B, T, H)
    assert 0.3 < kept.double().mean() < 0.7
    assert not torch.equal(kept[:, 1:], kept[:, :1].expand_as(kept[:, 1:]))  # fresh per step
    torch.testing.assert_close(result.final_state.h[0], out[:, -1], rtol=0, atol=0)

    # padded: zero outputs past each length, final state taken at the last valid step
    lengths = torch.tensor([6, 1, 3, 5])
    padded = rnn(x, lengths)
    for b, n in enumerate(lengths.tolist()):
        assert torch.all(padded.outputs[b, n:] == 0.0)
        torch.testing.assert_close(padded.final_state.h[0, b], padded.outputs[b, n - 1], rtol=0, atol=0)


# ---------------------------------------------------------------- dropout between layers

def test_dropout_between_layers_only_touches_inputs_of_later_layers():
    rate = 0.5
    torch.manual_seed(0)
    rnn = Recurrent(RecordingElman, I, 8, num_layers=3, dropout=rate).double().train()
    x = torch.randn(5, T, I, dtype=torch.float64)
    rnn(x)
    first, second, third = rnn.cells
    assert all(torch.equal(first.inputs[t], x[:, t]) for t in range(T))  # layer 0: untouched
    for lower, upper in ((first, second), (second, third)):
        for t in range(T):
            seen, produced = upper.inputs[t], lower.outputs[t]
            dropped = seen == 0.0
            assert torch.all(dropped | torch.isclose(seen, produced / (1 - rate)))
        all_seen = torch.stack(upper.inputs)
        assert (all_seen == 0.0).any() and (all_seen != 0.0).any()


@pytest.mark.parametrize("cell", ["lstm", "jordan", "gru_reset_before"])
def test_dropout_between_layers_acts_only_in_training(cell):
    dropped, plain = twins(cell, dropout=0.5)
    torch.manual_seed(2)
    x = torch.randn(B, T, I, dtype=torch.float64)
    dropped.eval()
    plain.eval()
    torch.testing.assert_close(dropped(x, LENGTHS).outputs, plain(x, LENGTHS).outputs, rtol=0, atol=0)
    dropped.train()
    plain.train()
    a, b = dropped(x, LENGTHS), plain(x, LENGTHS)
    for field_a, field_b in zip(a.final_state, b.final_state):
        torch.testing.assert_close(field_a[0], field_b[0], rtol=0, atol=0)  # layer 0 unaffected
        assert not torch.allclose(field_a[1], field_b[1])  # layer 1 reads dropped inputs


def test_dropout_after_the_last_layer_is_never_applied():
    torch.manual_seed(0)
    single = Recurrent("gru", I, H, dropout=0.5, backend="reference").double().train()
    plain = Recurrent("gru", I, H, backend="reference").double().train()
    plain.load_state_dict(single.state_dict())
    x = torch.randn(B, T, I, dtype=torch.float64)
    torch.testing.assert_close(single(x).outputs, plain(x).outputs, rtol=0, atol=0)


# --------------------------------------------------------------------- invalid configs

@pytest.mark.parametrize("options,words", [
    ({"dropout": 1.0}, ["dropout must be in [0, 1)", "1.0"]),
    ({"input_dropout": -0.1}, ["input_dropout must be in [0, 1)", "-0.1"]),
    ({"recurrent_dropout": 1.5}, ["recurrent_dropout must be in [0, 1)", "1.5"]),
    ({"zoneout": 1.0}, ["zoneout must be in [0, 1)"]),
    ({"hidden_size": 0}, ["hidden_size must be an integer >= 1", "got 0"]),
    ({"input_size": 0}, ["input_size must be an integer >= 1"]),
    ({"num_layers": 0}, ["num_layers must be an integer >= 1"]),
    ({"hidden_size": 2.5}, ["hidden_size must be an integer"]),
    ({"merge": "avg"}, ["unknown merge 'avg'", "concat", "mean", "sum"]),
    ({"merge": "concatenate"}, ["unknown merge 'concatenate' (did you mean 'concat'?)"]),
])
def test_invalid_options_raise_config_error_naming_the_field(options, words):
    arguments = {"input_size": I, "hidden_size": H, **options}
    with pytest.raises(ConfigError) as error:
        Recurrent("lstm", **arguments)
    with pytest.raises(ConfigError) as config_error:
        RecurrentConfig(cell="lstm", **arguments)
    for message in (str(error.value), str(config_error.value)):
        for word in words:
            assert word in message


@pytest.mark.parametrize("lengths,words", [
    (torch.tensor([4, 0, 3]), ["lengths must lie in [1, 4]", "min 0"]),
    (torch.tensor([5, 1, 3]), ["lengths must lie in [1, 4]", "max 5"]),
    (torch.tensor([-1, 1, 3]), ["lengths must lie in [1, 4]"]),
    (torch.tensor([4, 1]), ["lengths must have shape (3,)", "(2,)"]),
    (torch.tensor([[4, 1, 3]]), ["lengths must have shape (3,)", "(1, 3)"]),
    (torch.tensor(4), ["lengths must have shape (3,)"]),
    (torch.tensor([4.0, 1.0, 3.0]), ["lengths must be integers", "float"]),
    (torch.tensor([True, True, True]), ["lengths must be integers", "bool"]),
])
def test_bad_lengths_raise_config_error(lengths, words):
    rnn = Recurrent("lstm", I, H)
    with pytest.raises(ConfigError) as error:
        rnn(torch.randn(B, T, I), lengths=lengths)
    for word in words:
        assert word in str(error.value)


def test_integer_lengths_of_any_int_dtype_and_lists_are_accepted():
    rnn = Recurrent("lstm", I, H).double()
    x = torch.randn(B, T, I, dtype=torch.float64)
    expected = rnn(x, lengths=LENGTHS).outputs
    for lengths in (LENGTHS.int(), LENGTHS.tolist()):
        torch.testing.assert_close(rnn(x, lengths=lengths).outputs, expected, rtol=0, atol=0)


@pytest.mark.parametrize("batch_first,shape,layout", [
    (True, (B, T, I + 1), "(B, T, I) with I=2"),
    (False, (T, B, I + 1), "(T, B, I) with I=2"),
    (True, (B, I), "(B, T, I) with I=2"),
])
def test_wrong_input_shape_raises_config_error(batch_first, shape, layout):
    rnn = Recurrent("gru", I, H, batch_first=batch_first)
    with pytest.raises(ConfigError) as error:
        rnn(torch.randn(*shape))
    assert f"input must be {layout}" in str(error.value)
    assert str(tuple(shape)) in str(error.value)


def test_wrong_initial_state_raises_config_error_naming_the_field():
    rnn = Recurrent("lstm", I, H, num_layers=2)
    x = torch.randn(B, T, I)
    good = torch.zeros(2, B, H)
    cases = [
        (rnn.state_type(torch.zeros(1, B, H), good), "initial_state.h must have shape (2, 3, 3)"),
        (rnn.state_type(good, torch.zeros(2, B + 1, H)), "initial_state.c must have shape (2, 3, 3)"),
        (rnn.state_type(good, torch.zeros(2, B, H + 1)), "(layers*directions, B, H); got (2, 3, 4)"),
        (HiddenState(good), "initial_state must be a LSTMState"),
        (good, "initial_state must be a LSTMState('h', 'c')"),
    ]
    for initial_state, words in cases:
        with pytest.raises(ConfigError) as error:
            rnn(x, initial_state=initial_state)
        assert words in str(error.value)
    # a one-field state also takes a plain (L*D, B, H) tensor, and checks its shape
    gru = Recurrent("gru", I, H, bidirectional=True)
    gru(x, initial_state=torch.zeros(2, B, H))
    with pytest.raises(ConfigError, match=r"initial_state\.h must have shape \(2, 3, 3\)"):
        gru(x, initial_state=torch.zeros(1, B, H))
