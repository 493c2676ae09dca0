"""The model: shapes, padding, weight tying, weight drop, locked dropout, learning."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch.func import functional_call

from rnnlab.cells import CELLS
from rnnlab.lm.task import LanguageModelling, LineBatch, line_batches, stream_batches
from rnnlab.models.language_model import LanguageModel
from rnnlab.models.lm_config import LanguageModelConfig
from rnnlab.errors import ConfigError
from rnnlab.training import TrainConfig, Trainer


@pytest.mark.parametrize("cell", list(CELLS))
def test_every_cell_runs_and_carries_state(cell):
    torch.manual_seed(0)
    lm = LanguageModel(11, cell, embedding_size=5, hidden_size=6, num_layers=2)
    tokens = torch.randint(0, 11, (3, 7))
    out = lm(tokens)
    assert out.logits.shape == (3, 7, 11)
    assert all(f.shape == (2, 3, 6) for f in out.state)
    # Two halves with the state carried equal one pass over the whole.
    first = lm(tokens[:, :4])
    second = lm(tokens[:, 4:], first.state)
    torch.testing.assert_close(torch.cat([first.logits, second.logits], 1), out.logits)
    out.logits.sum().backward()


def test_padding_is_ignored_by_the_line_loss():
    torch.manual_seed(0)
    lm = LanguageModel(9, "gru", embedding_size=4, hidden_size=5)
    task = LanguageModelling()
    short, long = [2, 5, 6, 3], [2, 7, 8, 5, 6, 4, 3]
    together = line_batches([short, long], batch_size=2, shuffle=False)[0]
    alone = [task.loss(lm, LineBatch(torch.tensor([s]), torch.tensor([len(s)])), None) for s in (short, long)]
    out = task.loss(lm, together, None)
    expected = (alone[0].loss * 3 + alone[1].loss * 6) / 9
    assert out.n_items == 9
    torch.testing.assert_close(out.loss, expected)


def test_weight_tying_shares_one_tensor():
    lm = LanguageModel(20, "lstm", embedding_size=8, hidden_size=8, tie_weights=True)
    assert lm.tied and lm.decoder.weight.data_ptr() == lm.embedding.weight.data_ptr()
    assert sum(p.numel() for p in lm.parameters()) == sum(
        p.numel() for p in LanguageModel(20, "lstm", 8, 8).parameters()) - 20 * 8
    projected = LanguageModel(20, "lstm", embedding_size=4, hidden_size=8, tie_weights=True)
    assert projected.tied and projected.projection is not None
    assert projected(torch.randint(0, 20, (2, 3))).logits.shape == (2, 3, 20)
    untied = LanguageModel(20, "lstm", 8, 8)
    assert not untied.tied


def _no_dropout_copy(lm):
    plain = LanguageModel(lm.vocab_size, "lstm", 6, 8, num_layers=2)
    plain.load_state_dict(lm.state_dict())
    return plain


def test_weight_drop_masks_weight_hh_in_training_only():
    torch.manual_seed(0)
    lm = LanguageModel(12, "lstm", 6, 8, num_layers=2, weight_drop=0.5)
    plain = _no_dropout_copy(lm)
    tokens = torch.randint(0, 12, (3, 5))
    # Evaluation: nothing dropped, equal to the same weights without weight drop.
    lm.eval(), plain.eval()
    torch.testing.assert_close(lm(tokens).logits, plain(tokens).logits)
    assert lm.rnn.last_engine.engine == "fused"
    # Training: the output is the plain model's with masked recurrent matrices.
    lm.train(), plain.train()
    torch.manual_seed(5)
    out = lm(tokens)
    assert lm.rnn.last_engine.engine == "fused"  # the cells keep their type: still the fused kernel
    torch.manual_seed(5)
    masked = {f"cells.{k}.weight_hh": F.dropout(cell.weight_hh, 0.5) for k, cell in enumerate(plain.rnn.cells)}
    zeros = sum(int((w == 0).sum()) for w in masked.values())
    total = sum(w.numel() for w in masked.values())
    assert 0.35 < zeros / total < 0.65
    manual = functional_call(plain.rnn, masked, (plain.embedding(tokens),))
    torch.testing.assert_close(out.logits, plain.decoder(manual.outputs))
    # Gradients reach weight_hh, and are exactly zero where an entry was dropped.
    out.logits.square().sum().backward()
    for k, cell in enumerate(lm.rnn.cells):
        dropped = masked[f"cells.{k}.weight_hh"] == 0
        assert torch.all(cell.weight_hh.grad[dropped] == 0)
        assert torch.all(cell.weight_hh.grad[~dropped] != 0)


def test_weight_drop_on_the_reference_engine_uses_one_mask_for_all_steps():
    torch.manual_seed(0)
    lm = LanguageModel(12, "lstm_peephole", 4, 5, weight_drop=0.5)
    lm.train()
    seen = []
    cell = lm.rnn.cells[0]
    hook = cell.register_forward_pre_hook(lambda module, args: seen.append(module.weight_hh.clone()))
    lm(torch.randint(0, 12, (2, 6)))
    hook.remove()
    assert len(seen) == 6 and all(torch.equal(seen[0], w) for w in seen)
    assert (seen[0] == 0).any() and not (cell.weight_hh == 0).any()


def test_locked_dropout_uses_one_mask_per_sequence():
    torch.manual_seed(0)
    lm = LanguageModel(10, "elman", 4, 6, dropout=0.5)
    lm.train()
    hidden = []
    lm.decoder.register_forward_pre_hook(lambda m, args: hidden.append(args[0]))
    lm(torch.randint(4, 10, (2, 8)))
    zero = hidden[0] == 0  # (B, T, H): the same units are dropped at every step
    assert zero.any() and torch.equal(zero, zero[:, :1].expand_as(zero))


def test_embedding_dropout_drops_whole_types():
    torch.manual_seed(1)
    lm = LanguageModel(6, "elman", 4, 3, embedding_dropout=0.5)
    lm.train()
    embedded = lm._embed(torch.tensor([[4, 4, 5, 5, 4]]))
    rows_zero = (embedded == 0).all(-1)[0]
    assert torch.equal(rows_zero[[0, 1, 4]], rows_zero[[0, 0, 0]])
    lm.eval()
    torch.testing.assert_close(lm._embed(torch.tensor([[4]])), lm.embedding.weight[4][None, None])


def test_config_errors_are_one_line():
    with pytest.raises(ConfigError, match="unknown cell 'lstmm'.*did you mean 'lstm'"):
        LanguageModelConfig(cell="lstmm")
    with pytest.raises(ConfigError, match="weight_drop must be in"):
        LanguageModelConfig(weight_drop=1.5)


def test_learns_a_small_language(tmp_path):
    """A period-7 sequence over 5 symbols needs two tokens of context: a trained model
    gets far below what any model without memory can reach."""
    torch.manual_seed(0)
    period = [4, 5, 6, 4, 7, 8, 5]  # after 4 comes 5 or 7, after 5 comes 6 or 4
    stream = period * 200
    lm = LanguageModel(9, "gru", embedding_size=8, hidden_size=32)
    config = TrainConfig(optimizer="adam", lr=0.01, epochs=10, bptt=14, batch_size=8, out_dir=str(tmp_path),
                         progress=False, plot=False, csv=False)
    batches = stream_batches(stream, 8, 14)
    result = Trainer(lm, LanguageModelling(), config, lambda e: batches, lambda: batches[:3]).fit()
    # Without memory the best is ln 2 on 4 of 7 positions: 4/7 * ln 2 = 0.396 nats.
    assert result.best_metric < 0.1
    assert result.history[0]["loss"] < math.log(9)
