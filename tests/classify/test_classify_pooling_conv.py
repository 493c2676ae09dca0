"""Pooling and the Conv1D front end respect lengths: padding never changes a result."""

import pytest
import torch

from rnnlab.errors import ConfigError
from rnnlab.nn.conv_frontend import ConvFrontEnd
from rnnlab.nn.pooling import AttentionPooling, LastPooling, MaxPooling, MeanPooling, make_pooling


def _padded_pair(D=6):
    torch.manual_seed(0)
    x = torch.randn(3, 7, D)
    lengths = torch.tensor([7, 4, 1])
    garbage = x.clone()
    for b, n in enumerate(lengths.tolist()):
        garbage[b, n:] = 1e3 * torch.randn(7 - n, D)  # anything in the padding
    return x, garbage, lengths


@pytest.mark.parametrize("name", ["last", "mean", "max", "attention"])
def test_pooling_ignores_padding(name):
    x, garbage, lengths = _padded_pair()
    pool = make_pooling(name, 6)
    assert torch.allclose(pool(x, lengths).vector, pool(garbage, lengths).vector)
    # The same sequence alone, unpadded, gives the same vector.
    alone = pool(x[1:2, :4], lengths[1:2]).vector
    assert torch.allclose(alone, pool(x, lengths).vector[1:2], atol=1e-6)


def test_pooling_values_by_hand():
    x, _, lengths = _padded_pair()
    assert torch.allclose(MeanPooling()(x, lengths).vector[1], x[1, :4].mean(0))
    assert torch.allclose(MaxPooling()(x, lengths).vector[1], x[1, :4].amax(0))
    assert torch.equal(LastPooling()(x, lengths).vector[1], x[1, 3])
    both = LastPooling(num_directions=2)(x, lengths).vector[1]
    assert torch.equal(both, torch.cat([x[1, 3, :3], x[1, 0, 3:]]))


def test_attention_weights_exactly_zero_on_padding_and_sum_to_one():
    x, garbage, lengths = _padded_pair()
    pooled = AttentionPooling(6)(garbage, lengths)
    assert torch.all(pooled.weights[1, 4:] == 0.0) and torch.all(pooled.weights[2, 1:] == 0.0)
    assert torch.allclose(pooled.weights.sum(1), torch.ones(3))
    assert pooled.weights[2, 0] == 1.0


def test_unknown_pooling_suggests():
    with pytest.raises(ConfigError, match="did you mean 'mean'"):
        make_pooling("maen", 4)


def test_conv_front_end_maps_lengths_and_ignores_padding():
    torch.manual_seed(0)
    front = ConvFrontEnd(4, channels=(5, 6), kernel_size=3, pool_size=2)
    x = torch.randn(3, 9, 4)
    lengths = torch.tensor([9, 5, 1])
    y, out_lengths = front(x, lengths)
    assert y.shape == (3, 3, 6) and out_lengths.tolist() == [3, 2, 1]
    assert torch.equal(front.output_lengths(lengths), out_lengths)
    garbage = x.clone()
    garbage[1, 5:] = 100.0
    garbage[2, 1:] = -100.0
    y2, _ = front(garbage, lengths)
    assert torch.allclose(y, y2)
    alone, n = front(x[1:2, :5], lengths[1:2])
    assert torch.allclose(alone[0, : n[0]], y[1, : n[0]], atol=1e-6)
    assert torch.all(y[1, 2:] == 0) and torch.all(y[2, 1:] == 0)


def test_conv_front_end_rejects_even_kernel():
    with pytest.raises(ConfigError, match="odd"):
        ConvFrontEnd(4, kernel_size=4)
