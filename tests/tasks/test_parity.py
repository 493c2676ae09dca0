"""The parity task: data is right, held-out strings are unseen, and the model solves it."""

import numpy as np
import pytest

from rnnlab.errors import ConfigError
from rnnlab.tasks.parity import ParityConfig, make_split, parity_labels, train_parity


def test_parity_labels_are_prefix_parity_by_hand():
    bits = np.random.default_rng(0).integers(0, 2, size=(20, 9))
    labels = parity_labels(bits)
    for row, label_row in zip(bits, labels):
        ones = 0
        for bit, label in zip(row, label_row):
            ones += bit
            assert label == ones % 2


@pytest.mark.parametrize("bits", [12, 50])
def test_split_is_disjoint_and_deterministic(bits):
    train, test = make_split(bits, 3000, 500, seed=3)
    again_train, again_test = make_split(bits, 3000, 500, seed=3)
    assert np.array_equal(train, again_train) and np.array_equal(test, again_test)
    assert not {r.tobytes() for r in train} & {r.tobytes() for r in test}
    assert train.shape[1] == test.shape[1] == bits
    if bits == 12:
        assert len(test) == 500 and len(train) == 3000
        assert len({r.tobytes() for r in train}) == len(train)  # enumerated, no repeats


@pytest.mark.parametrize("bits, cell", [(12, "elman"), (50, "elman"), (12, "elman_sigmoid")])
def test_model_solves_held_out_parity(bits, cell):
    # Seed 000's network: an Elman unit with a label at every step.
    result = train_parity(ParityConfig(bits=bits, cell=cell, hidden=32, lr=0.003, seed=1,
                                       train_size=3000, test_size=400))
    assert result.string_accuracy == 1.0, result
    assert result.step_accuracy == 1.0
    assert result.engine.startswith("fused" if cell == "elman" else "reference")


def test_untrained_model_is_at_chance():
    result = train_parity(ParityConfig(bits=50, epochs=1, lr=1e-6, test_size=400))
    assert 0.35 < result.string_accuracy < 0.65


@pytest.mark.parametrize("field, value, message", [
    ("bits", 2, "--bits must be an integer >= 4"),
    ("hidden", 0, "--hidden must be an integer >= 1; got 0"),
    ("batch_size", -3, "--batch-size must be an integer >= 1; got -3"),
    ("cell", "gruu", "unknown cell 'gruu' (did you mean 'gru'?)"),
    ("lr", 0.0, "--lr must be > 0; got 0.0"),
])
def test_bad_config_names_the_field(field, value, message):
    with pytest.raises(ConfigError) as info:
        ParityConfig(**{field: value})
    assert message in str(info.value)
