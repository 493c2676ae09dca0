"""Seq2Seq contract: every cell and attention, bridge, padding, scheduled teacher forcing."""

import pytest
import torch

from rnnlab.errors import ConfigError
from rnnlab.models.seq2seq import Seq2Seq, Seq2SeqConfig

SRC = torch.tensor([[4, 5, 6, 7], [7, 8, 0, 0]])
LENGTHS = torch.tensor([4, 2])
TGT_IN = torch.tensor([[2, 4, 5], [2, 6, 0]])


@pytest.mark.parametrize("cell", ["gru", "lstm", "jordan", "lstm_peephole"])
@pytest.mark.parametrize("attention, merge", [("bahdanau", "concat"), ("general", "concat"), ("dot", "sum")])
def test_shapes_backward_and_finite(cell, attention, merge):
    torch.manual_seed(0)
    model = Seq2Seq(10, 12, cell=cell, embedding_size=8, hidden_size=16, num_layers=2,
                    attention=attention, encoder_merge=merge)
    out = model(SRC, LENGTHS, TGT_IN)
    assert out.logits.shape == (2, 3, 12) and out.attention.shape == (2, 3, 4)
    assert torch.all(out.attention[1, :, 2:] == 0)
    out.logits.sum().backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
    memory, state = model.encode(SRC, LENGTHS)
    for field in state.rnn:  # bridge: bidirectional 2-layer encoder -> (layers, B, H) decoder state
        assert field.shape == (2, 2, 16)


def test_extra_source_padding_changes_nothing():
    torch.manual_seed(0)
    model = Seq2Seq(10, 12, cell="lstm", embedding_size=8, hidden_size=16).eval()
    wider = torch.cat([SRC, torch.zeros(2, 3, dtype=torch.long)], 1)
    a, b = model(SRC, LENGTHS, TGT_IN), model(wider, LENGTHS, TGT_IN)
    torch.testing.assert_close(a.logits, b.logits)
    torch.testing.assert_close(a.attention, b.attention[:, :, :4])


def test_scheduled_sampling_feeds_own_predictions_only_in_training():
    torch.manual_seed(0)
    model = Seq2Seq(10, 12, embedding_size=8, hidden_size=16, dropout=0.0)
    forced = model(SRC, LENGTHS, TGT_IN).logits
    model.teacher_forcing_ratio = 0.0
    free = model(SRC, LENGTHS, TGT_IN).logits
    torch.testing.assert_close(free[:, 0], forced[:, 0])  # the first input is always <bos>
    assert not torch.allclose(free, forced)
    torch.testing.assert_close(model.eval()(SRC, LENGTHS, TGT_IN).logits, forced)  # eval: always forced


def test_shared_embeddings_and_config_errors():
    model = Seq2Seq(10, 10, embedding_size=8, hidden_size=16, share_embeddings=True)
    assert model.src_embed is model.tgt_embed
    with pytest.raises(ConfigError, match="share_embeddings needs one shared vocabulary"):
        Seq2Seq(10, 12, share_embeddings=True)
    with pytest.raises(ConfigError, match="did you mean 'lstm'"):
        Seq2SeqConfig(cell="lstn")
    with pytest.raises(ConfigError, match="teacher_forcing must be in"):
        Seq2SeqConfig(teacher_forcing=1.5)
