"""Sampling filters and generation: determinism, state carrying, never <unk>."""

import pytest
import torch

from rnnlab.data import BOS_ID, EOS_ID, PAD_ID, UNK_ID
from rnnlab.decoding.sampling import filter_logits, sample
from rnnlab.errors import ConfigError
from rnnlab.lm.generation import Sampling, TokenStepper, generate, generate_lines, next_token_logits
from rnnlab.models.language_model import LanguageModel


def test_top_k_and_top_p_keep_the_right_tokens():
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05], [0.05, 0.15, 0.3, 0.5]]))
    kept = torch.isfinite(filter_logits(logits, top_k=2))
    assert kept.tolist() == [[True, True, False, False], [False, False, True, True]]
    kept = torch.isfinite(filter_logits(logits, top_p=0.8))  # 0.5 + 0.3 reaches 0.8
    assert kept.tolist() == [[True, True, False, False], [False, False, True, True]]
    kept = torch.isfinite(filter_logits(logits, top_p=0.81))
    assert kept.sum(1).tolist() == [3, 3]
    kept = torch.isfinite(filter_logits(logits, top_p=0.1))  # always the most likely one
    assert kept.sum(1).tolist() == [1, 1]
    assert torch.isfinite(filter_logits(logits, banned=[0]))[:, 0].tolist() == [False, False]


def test_temperature_scales_and_zero_is_greedy():
    logits = torch.tensor([[1.0, 3.0, 2.0]])
    torch.testing.assert_close(filter_logits(logits, temperature=0.5), logits * 2)
    assert sample(logits, temperature=0).tolist() == [1]
    assert sample(logits, temperature=0, banned=[1]).tolist() == [2]
    with pytest.raises(ConfigError):
        sample(logits, temperature=-1.0)


def test_sampling_follows_the_distribution_and_the_seed():
    probs = torch.tensor([0.6, 0.3, 0.1])
    logits = probs.log().expand(20000, 3)
    draws = sample(logits, generator=torch.Generator().manual_seed(0))
    freq = torch.bincount(draws, minlength=3).float() / 20000
    torch.testing.assert_close(freq, probs, atol=0.015, rtol=0)
    again = sample(logits, generator=torch.Generator().manual_seed(0))
    assert torch.equal(draws, again)


def _model(cell="lstm"):
    torch.manual_seed(0)
    return LanguageModel(12, cell, embedding_size=6, hidden_size=10, num_layers=2).eval()


@pytest.mark.parametrize("cell", ["lstm", "gru", "jordan"])
def test_carried_state_gives_the_probabilities_of_rerunning_the_prefix(cell):
    model = _model(cell)
    prefix = [BOS_ID, 5, 7, 4, 9, 11, 6]
    stepper = TokenStepper(model)
    stepper.feed(prefix[:3])  # the prompt at once, then one token per step
    for n in range(3, len(prefix) + 1):
        torch.testing.assert_close(stepper.logits.softmax(-1), next_token_logits(model, prefix[:n]).softmax(-1))
        if n < len(prefix):
            stepper.feed([prefix[n]])


def test_generation_is_deterministic_with_a_seed():
    model = _model()
    a = generate(model, [BOS_ID], 30, Sampling(temperature=1.0, seed=3))
    b = generate(model, [BOS_ID], 30, Sampling(temperature=1.0, seed=3))
    c = generate(model, [BOS_ID], 30, Sampling(temperature=1.0, seed=4))
    assert a == b and a != c


def test_unk_is_never_produced_unless_allowed():
    model = _model()
    with torch.no_grad():
        model.decoder.bias[UNK_ID] = 8.0  # make <unk> by far the most likely token
    ids = generate(model, [BOS_ID], 200, Sampling(temperature=1.0, seed=0))
    assert UNK_ID not in ids and PAD_ID not in ids and BOS_ID not in ids
    allowed = generate(model, [BOS_ID], 50, Sampling(temperature=1.0, seed=0, allow_unk=True))
    assert allowed.count(UNK_ID) > 25


def test_generation_stops_at_eos_and_lines_end_there():
    model = _model()
    with torch.no_grad():
        model.decoder.bias[EOS_ID] = 3.0
    ids = generate(model, [BOS_ID], 100, Sampling(seed=1), stop_ids=[EOS_ID])
    assert ids[-1] == EOS_ID and EOS_ID not in ids[:-1]
    lines = generate_lines(model, 4, EOS_ID, Sampling(seed=1), max_tokens_per_line=50)
    assert len(lines) == 4 and all(EOS_ID not in line for line in lines)
    # Each line restarts from <bos>: the first line equals a fresh generate() cut at <eos>.
    assert lines[0] == generate(model, [BOS_ID], 50, Sampling(seed=1), stop_ids=[EOS_ID])[:-1]
