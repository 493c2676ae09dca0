"""Attention over encoder outputs: additive (Bahdanau) and multiplicative (Luong dot, general).

Every attention module scores one query per sequence against the ``S`` keys of that
sequence, masks padding, normalises with a softmax and returns the weighted sum::

    e_s   = score(q, k_s)                  (B, S)
    a     = softmax(e masked at padding)   (B, S), exactly 0 at padded positions, sums to 1
    c     = sum_s a_s k_s                  (B, K)

Scores:

=============  ==========================================  ============================
name           score(q, k)                                 paper
=============  ==========================================  ============================
``bahdanau``   ``v^T tanh(W_q q + W_k k)``                 Bahdanau, Cho, Bengio 2015
``dot``        ``q^T k`` (needs equal query and key sizes) Luong, Pham, Manning 2015
``general``    ``q^T W k``                                 Luong, Pham, Manning 2015
=============  ==========================================  ============================

The part of a score that depends only on the keys (``W_k k`` for ``bahdanau``,
``W k`` for ``general``) is computed once per source sentence by
:meth:`Attention.prepare` and reused at every decoder step.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from rnnlab.errors import ConfigError, unknown_choice


class AttentionOutput(NamedTuple):
    """context (B, K): the weighted sum of the keys; weights (B, S): the attention weights."""

    context: torch.Tensor
    weights: torch.Tensor


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Softmax over the last axis where ``mask`` is True; exactly 0 where it is False.

    scores (B, S) float, mask (B, S) bool with at least one True per row.
    """
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # exp(-inf) == 0 exactly
    return torch.softmax(scores, dim=-1)


class Attention(nn.Module):
    """Base class: ``forward(query, keys, mask, prepared)`` -> :class:`AttentionOutput`.

    Subclasses implement ``score(query, prepared) -> (B, S)`` and may override
    ``prepare(keys)`` (default: the keys themselves).
    """

    def prepare(self, keys: torch.Tensor) -> torch.Tensor:
        """The key-only part of the score, computed once per source: (B, S, .)."""
        return keys

    def score(self, query: torch.Tensor, prepared: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor | None = None,
                prepared: torch.Tensor | None = None) -> AttentionOutput:
        """Attend with ``query`` (B, Q) over ``keys`` (B, S, K); ``mask`` (B, S) True = real token.

        ``prepared`` is ``self.prepare(keys)``, passed to avoid recomputing it each step.
        """
        if prepared is None:
            prepared = self.prepare(keys)
        weights = masked_softmax(self.score(query, prepared), mask)  # (B, S)
        context = torch.bmm(weights.unsqueeze(1), keys).squeeze(1)  # (B, 1, S) @ (B, S, K) -> (B, K)
        return AttentionOutput(context, weights)


class AdditiveAttention(Attention):
    """Bahdanau attention: ``e_s = v^T tanh(W_q q + W_k k_s)``.

    Args:
        query_size: Q; key_size: K; attention_size: A, the width of the tanh layer.
    """

    def __init__(self, query_size: int, key_size: int, attention_size: int):
        super().__init__()
        self.query_proj = nn.Linear(query_size, attention_size, bias=False)  # W_q
        self.key_proj = nn.Linear(key_size, attention_size, bias=True)  # W_k (+ bias)
        self.v = nn.Linear(attention_size, 1, bias=False)

    def prepare(self, keys: torch.Tensor) -> torch.Tensor:
        return self.key_proj(keys)  # (B, S, A)

    def score(self, query: torch.Tensor, prepared: torch.Tensor) -> torch.Tensor:
        hidden = torch.tanh(prepared + self.query_proj(query).unsqueeze(1))  # (B, S, A)
        return self.v(hidden).squeeze(-1)  # (B, S)


class DotAttention(Attention):
    """Luong dot attention: ``e_s = q^T k_s``; no parameters, needs Q == K."""

    def __init__(self, query_size: int, key_size: int, attention_size: int | None = None):
        super().__init__()
        if query_size != key_size:
            raise ConfigError(
                f"dot attention needs the decoder state ({query_size}) and encoder outputs ({key_size}) "
                "to have the same size; use attention 'general' or 'bahdanau', or encoder_merge = 'sum'")

    def score(self, query: torch.Tensor, prepared: torch.Tensor) -> torch.Tensor:
        return torch.bmm(prepared, query.unsqueeze(-1)).squeeze(-1)  # (B, S, K) @ (B, K, 1) -> (B, S)


class GeneralAttention(Attention):
    """Luong general attention: ``e_s = q^T W k_s``."""

    def __init__(self, query_size: int, key_size: int, attention_size: int | None = None):
        super().__init__()
        self.key_proj = nn.Linear(key_size, query_size, bias=False)  # W

    def prepare(self, keys: torch.Tensor) -> torch.Tensor:
        return self.key_proj(keys)  # (B, S, Q)

    def score(self, query: torch.Tensor, prepared: torch.Tensor) -> torch.Tensor:
        return torch.bmm(prepared, query.unsqueeze(-1)).squeeze(-1)  # (B, S)


ATTENTIONS: dict[str, type[Attention]] = {
    "bahdanau": AdditiveAttention,
    "dot": DotAttention,
    "general": GeneralAttention,
}


def make_attention(name: str, query_size: int, key_size: int, attention_size: int) -> Attention:
    """Build the attention registered as ``name`` (see :data:`ATTENTIONS`)."""
    if name not in ATTENTIONS:
        raise unknown_choice("attention", name, ATTENTIONS)
    return ATTENTIONS[name](query_size, key_size, attention_size)
