"""The contract every registered cell keeps, checked for every name in CELLS.

Shapes and dtype (float32 and float64), state type, backward with finite gradients for
every parameter, no NaNs, batch rows independent, state-dict round trip, determinism
under a seed; plus ``make_cell``'s errors.
"""

from __future__ import annotations

import pytest
import torch
from reference import randomize_parameters

from rnnlab.cells import CELLS, ElmanCell, JordanCell, make_cell
from rnnlab.errors import ConfigError

B, I, H, T = 3, 5, 4, 4
NAMES = sorted(CELLS)


def sequence(dtype, seed=0, scale=1.0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(T, B, I, generator=gen, dtype=torch.float64).to(dtype) * scale


def run(cell, xs, state=None, recurrent_mask=None):
    """Step ``cell`` over xs (T, B, I); returns (outputs (T, B, H), final state)."""
    state = cell.initial_state(xs.shape[1]) if state is None else state
    outputs = []
    for x in xs:
        state = cell(x, state, recurrent_mask=recurrent_mask)
        outputs.append(cell.output(state))
    return torch.stack(outputs), state


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", NAMES)
def test_shapes_dtype_and_state_type(name, dtype):
    torch.manual_seed(0)
    cell = make_cell(name, I, H).to(dtype)
    assert (cell.input_size, cell.hidden_size) == (I, H)
    assert issubclass(cell.state_type, tuple) and cell.state_type._fields

    state0 = cell.initial_state(B)
    assert type(state0) is cell.state_type
    for field in state0:
        assert field.shape == (B, H) and field.dtype == dtype

    for learn in (False, True):  # an explicit dtype wins, learned or not
        other = torch.float64 if dtype == torch.float32 else torch.float32
        explicit = make_cell(name, I, H, learn_initial_state=learn).to(dtype).initial_state(
            B, dtype=other)
        assert all(f.shape == (B, H) and f.dtype == other for f in explicit)

    state = cell(sequence(dtype)[0], state0)
    assert type(state) is cell.state_type
    for field in state:
        assert field.shape == (B, H) and field.dtype == dtype
        assert torch.isfinite(field).all()
    assert cell.output(state) is state[0]

    outputs, _ = run(cell, sequence(dtype))
    assert outputs.shape == (T, B, H) and outputs.dtype == dtype


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", NAMES)
def test_backward_reaches_every_parameter(name, dtype):
    torch.manual_seed(0)
    cell = make_cell(name, I, H, learn_initial_state=True).to(dtype)
    randomize_parameters(cell, seed=1)  # also makes h0/c0/y0 non-zero
    mask = (torch.rand(B, H) > 0.3).to(dtype) / 0.7
    xs = sequence(dtype).requires_grad_(True)
    outputs, final = run(cell, xs, recurrent_mask=mask)
    (outputs.square().sum() + sum(f.sum() for f in final)).backward()

    assert torch.isfinite(xs.grad).all()
    for pname, param in cell.named_parameters():
        assert param.grad is not None, f"{pname} got no gradient"
        assert param.grad.dtype == dtype
        assert torch.isfinite(param.grad).all(), f"{pname} has a non-finite gradient"
        assert param.grad.abs().max() > 0, f"{pname} has an all-zero gradient"
    for field in cell.state_type._fields:
        assert f"{field}0" in dict(cell.named_parameters())


@pytest.mark.parametrize("name", NAMES)
def test_learned_initial_state_starts_at_zero(name):
    torch.manual_seed(0)
    cell = make_cell(name, I, H, learn_initial_state=True)
    for field, value in zip(cell.state_type._fields, cell.initial_state(B), strict=True):
        assert torch.equal(getattr(cell, f"{field}0").detach(), torch.zeros(H))
        assert torch.equal(value.detach(), torch.zeros(B, H))


@pytest.mark.parametrize("name", NAMES)
def test_no_nans_for_extreme_inputs(name):
    torch.manual_seed(0)
    cell = make_cell(name, I, H)
    for scale in (1e-6, 1.0, 1e3):
        outputs, final = run(cell, sequence(torch.float32, seed=2, scale=scale))
        assert torch.isfinite(outputs).all(), f"non-finite output at scale {scale}"
        assert all(torch.isfinite(f).all() for f in final)


@pytest.mark.parametrize("name", NAMES)
def test_batch_rows_are_independent(name):
    """A sample's step depends only on its own row (what lets the runner pad and mask)."""
    cell = make_cell(name, I, H, learn_initial_state=True).double()
    randomize_parameters(cell, seed=3)
    xs = sequence(torch.float64, seed=4)
    mask = (torch.rand(B, H, generator=torch.Generator().manual_seed(5)) > 0.5).double()
    together, final = run(cell, xs, recurrent_mask=mask)
    for b in range(B):
        alone, final_b = run(cell, xs[:, b:b + 1], recurrent_mask=mask[b:b + 1])
        torch.testing.assert_close(alone[:, 0], together[:, b], rtol=1e-12, atol=1e-12)
        for f_alone, f_together in zip(final_b, final, strict=True):
            torch.testing.assert_close(f_alone[0], f_together[b], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("learn_initial_state", [False, True], ids=["zero0", "learned0"])
@pytest.mark.parametrize("name", NAMES)
def test_state_dict_round_trip(name, learn_initial_state):
    torch.manual_seed(0)
    cell = make_cell(name, I, H, learn_initial_state=learn_initial_state)
    randomize_parameters(cell, seed=6)
    torch.manual_seed(1)
    fresh = make_cell(name, I, H, learn_initial_state=learn_initial_state)
    xs = sequence(torch.float32, seed=7)
    assert not torch.equal(run(fresh, xs)[0], run(cell, xs)[0])

    result = fresh.load_state_dict(cell.state_dict(), strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    out_a, fin_a = run(cell, xs)
    out_b, fin_b = run(fresh, xs)
    assert torch.equal(out_a, out_b)
    for a, b in zip(fin_a, fin_b, strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_under_a_seed(name):
    def params(seed):
        torch.manual_seed(seed)
        return dict(make_cell(name, I, H).state_dict())

    first, again, other = params(0), params(0), params(1)
    assert first.keys() == again.keys() == other.keys()
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert any(not torch.equal(first[k], other[k]) for k in first)


# --------------------------------------------------------------------------- make_cell


def test_registry_names_build_their_cells():
    for name, (cls, preset) in CELLS.items():
        cell = make_cell(name, I, H)
        assert type(cell) is cls
        for key, value in preset.items():
            assert getattr(cell, key) == value


def test_unknown_cell_name_suggests_the_near_match_and_lists_valid_names():
    with pytest.raises(ConfigError) as info:
        make_cell("lstn", I, H)
    message = str(info.value)
    assert "unknown cell 'lstn' (did you mean 'lstm'?)" in message
    for name in CELLS:
        assert name in message


def test_conflicting_preset_option_raises():
    with pytest.raises(ConfigError, match="elman_relu"):
        make_cell("elman_relu", I, H, activation="tanh")
    with pytest.raises(ConfigError):
        make_cell("elman", I, H, activation="sigmoid")
    # repeating the value the preset fixes is not a conflict
    assert make_cell("elman_relu", I, H, activation="relu").activation == "relu"


@pytest.mark.parametrize("build", [
    lambda: make_cell("rated", I, H, activation="softsign"),
    lambda: make_cell("jordan", I, H, activation="softsign"),
    lambda: ElmanCell(I, H, activation="softsign"),
], ids=["rated", "jordan", "ElmanCell"])
def test_invalid_activation_names_the_valid_ones(build):
    with pytest.raises(ConfigError) as info:
        build()
    message = str(info.value)
    assert "softsign" in message
    for valid in ("relu", "sigmoid", "tanh"):
        assert valid in message


def test_invalid_jordan_output_activation_lists_identity():
    with pytest.raises(ConfigError, match="identity"):
        JordanCell(I, H, output_activation="softsign")


@pytest.mark.parametrize("sizes", [(0, H), (I, 0), (-1, H), (I, -3)])
@pytest.mark.parametrize("name", NAMES)
def test_sizes_below_one_raise_value_error(name, sizes):
    with pytest.raises(ValueError, match=">= 1"):
        make_cell(name, *sizes)


def test_misspelled_option_is_an_error():
    with pytest.raises((TypeError, ConfigError), match="forget_bais"):
        make_cell("lstm", I, H, forget_bais=1.0)
