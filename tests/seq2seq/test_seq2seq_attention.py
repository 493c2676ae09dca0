"""Attention: padding gets exactly zero weight, weights sum to one, scores match the formulas."""

import pytest
import torch

from rnnlab.errors import ConfigError
from rnnlab.nn.attention import AdditiveAttention, DotAttention, GeneralAttention, make_attention


@pytest.mark.parametrize("name", ["bahdanau", "dot", "general"])
def test_padding_weights_are_exactly_zero_and_rows_sum_to_one(name):
    torch.manual_seed(0)
    attention = make_attention(name, 6, 6, 5)
    keys = torch.randn(3, 4, 6)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]], dtype=torch.bool)
    keys = keys * mask[..., None]
    out = attention(torch.randn(3, 6), keys, mask)
    assert torch.all(out.weights[~mask] == 0.0)
    torch.testing.assert_close(out.weights.sum(-1), torch.ones(3))
    assert out.weights[2, 0] == 1.0  # a single real position takes all the weight
    torch.testing.assert_close(out.context, (out.weights[..., None] * keys).sum(1))


def test_scores_follow_the_equations():
    torch.manual_seed(1)
    q, k = torch.randn(2, 6), torch.randn(2, 3, 4)
    add = AdditiveAttention(6, 4, 5)
    by_hand = torch.stack([torch.stack([add.v.weight[0] @ torch.tanh(add.query_proj.weight @ q[b]
                           + add.key_proj.weight @ k[b, s] + add.key_proj.bias) for s in range(3)]) for b in range(2)])
    torch.testing.assert_close(add.score(q, add.prepare(k)), by_hand)
    general = GeneralAttention(6, 4)
    torch.testing.assert_close(general.score(q, general.prepare(k)),
                               torch.einsum("bq,qk,bsk->bs", q, general.key_proj.weight, k))
    q4 = torch.randn(2, 4)
    torch.testing.assert_close(DotAttention(4, 4).score(q4, k), torch.einsum("bk,bsk->bs", q4, k))


def test_padding_does_not_change_the_result():
    torch.manual_seed(2)
    attention = make_attention("bahdanau", 6, 6, 5)
    q, keys = torch.randn(1, 6), torch.randn(1, 3, 6)
    padded = torch.cat([keys, torch.randn(1, 2, 6)], 1)  # garbage after the end
    mask = torch.tensor([[True, True, True, False, False]])
    a, b = attention(q, keys), attention(q, padded, mask)
    torch.testing.assert_close(a.context, b.context)
    torch.testing.assert_close(a.weights, b.weights[:, :3])


def test_dot_needs_equal_sizes_and_unknown_names_suggest():
    with pytest.raises(ConfigError, match="dot attention needs"):
        DotAttention(4, 8)
    with pytest.raises(ConfigError, match="did you mean 'general'"):
        make_attention("generl", 4, 4, 4)
