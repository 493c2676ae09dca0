"""Batched beam search with GNMT length penalty, length limits, n-gram blocking and n-best lists.

For each source sentence ``K = beam_size`` hypotheses stay alive; every step
extends each by every token, and the ``2K`` best extensions are examined in
order of total log-probability:

1. an extension by ``<eos>`` among the first ``K`` candidates *finishes* a
   hypothesis; its score is ``log_prob / lp(length)`` with GNMT's length penalty
   ``lp(L) = ((5 + L) / 6) ** alpha`` (Wu et al. 2016), ``L`` counting ``<eos>``;
2. the best ``K`` other extensions stay alive.

A sentence is done once it has ``K`` finished hypotheses and the ``K``-th best
of them scores at least as well as every alive hypothesis at its current length
(Hugging Face's rule; exact for ``alpha = 0``, since log-probabilities only
fall as a hypothesis grows). At ``max_len`` the alive hypotheses are added, unfinished. Constraints:
``min_len`` (no ``<eos>`` before that many tokens) and ``no_repeat_ngram``
(no n-gram twice in a hypothesis). The result per sentence is the ``n_best``
list, best first. With ``beam_size = 1`` and ``alpha = 0`` this is exactly greedy decoding.

The model is a *step model* (see :mod:`rnnlab.decoding.greedy`) with one more method,
``model.reorder(memory, state, index (N,)) -> (memory, state)``, which selects rows.
"""

from __future__ import annotations

import torch

from rnnlab.data.vocab import BOS_ID, EOS_ID
from rnnlab.decoding.greedy import Hypothesis, check_lengths, next_token_log_probs
from rnnlab.errors import ConfigError


def length_penalty(length: int, alpha: float) -> float:
    """GNMT's ``((5 + length) / 6) ** alpha``; ``alpha = 0`` ranks by raw log-probability."""
    return ((5.0 + length) / 6.0) ** alpha


def _is_done(finished: list[Hypothesis], alive: list[tuple[int, int, float]], histories: list[list[int]],
             K: int, alpha: float) -> bool:
    """K finished hypotheses, the K-th best scoring at least as well as every alive one (at its length)."""
    if len(finished) < K:
        return False
    kth = sorted((h.score for h in finished), reverse=True)[K - 1]
    best_alive = max((total / length_penalty(len(histories[row]) + 1, alpha) for row, _, total in alive),
                     default=float("-inf"))
    return kth >= best_alive


@torch.no_grad()
def beam_search(model, src: torch.Tensor, src_lengths: torch.Tensor, beam_size: int = 5,
                max_len: int = 50, min_len: int = 0, alpha: float = 0.6, no_repeat_ngram: int = 0,
                n_best: int = 1, eos_id: int = EOS_ID) -> list[list[Hypothesis]]:
    """Decode ``src`` (B, S) with beam search.

    Args:
        model: a step model with ``encode``, ``decode_step`` and ``reorder``.
        beam_size: K, hypotheses kept per sentence.
        max_len, min_len: most and fewest generated tokens (``<eos>`` not counted).
        alpha: length-penalty exponent (0 = none; GNMT used 0.6 to 1.0).
        no_repeat_ngram: block repeated n-grams of this size (0 = off).
        n_best: hypotheses returned per sentence (<= beam_size).

    Returns:
        ``B`` lists of ``n_best`` :class:`Hypothesis`, sorted by ``score``, best first.
    """
    check_lengths(min_len, max_len)
    if beam_size < 1:
        raise ConfigError(f"beam size must be >= 1, got {beam_size}")
    if not 1 <= n_best <= beam_size:
        raise ConfigError(f"n_best must be in [1, beam size={beam_size}], got {n_best}")
    B, K, device = src.shape[0], beam_size, src.device
    memory, state = model.encode(src, src_lengths)
    memory, state = model.reorder(memory, state, torch.arange(B, device=device).repeat_interleave(K))
    scores = torch.full((B, K), float("-inf"), device=device)  # total log-prob of alive hypotheses
    scores[:, 0] = 0.0  # all K start equal: keep one so the first step does not pick duplicates
    histories: list[list[int]] = [[] for _ in range(B * K)]
    attention = torch.zeros(B * K, 0, src.shape[1], device=device)  # (B*K, steps, S)
    prev = torch.full((B * K,), BOS_ID, dtype=torch.long, device=device)
    finished: list[list[Hypothesis]] = [[] for _ in range(B)]
    done = [False] * B

    for step in range(max_len):
        logits, state, weights = model.decode_step(prev, state, memory)
        log_probs = next_token_log_probs(logits, step, min_len, eos_id, histories, no_repeat_ngram)
        V = log_probs.shape[-1]
        candidates = (scores.view(-1, 1) + log_probs).view(B, K * V)
        top_scores, top_ids = candidates.topk(min(2 * K, K * V), dim=1)  # (B, 2K)
        top_scores, top_ids = top_scores.tolist(), top_ids.tolist()
        rows, tokens, new_scores = [], [], []
        for b in range(B):
            alive = []  # (row, token, score)
            if not done[b]:
                for rank, (total, flat) in enumerate(zip(top_scores[b], top_ids[b])):
                    if total == float("-inf") or len(alive) == K:
                        break
                    row, token = b * K + flat // V, flat % V
                    if token == eos_id:
                        if rank < K:  # only an <eos> that beats the K-th alive extension counts
                            steps = len(histories[row]) + 1
                            finished[b].append(Hypothesis(
                                list(histories[row]), total / length_penalty(steps, alpha), total,
                                torch.cat([attention[row], weights[row][None]]).cpu(), True))
                        continue
                    alive.append((row, token, total))
                done[b] = _is_done(finished[b], alive, histories, K, alpha)
            alive += [(b * K, eos_id, float("-inf"))] * (K - len(alive))  # fillers, never extended
            for row, token, total in alive:
                rows.append(row), tokens.append(token), new_scores.append(total)
        if all(done):
            break
        index = torch.tensor(rows, device=device)
        memory, state = model.reorder(memory, state, index)
        attention = torch.cat([attention.index_select(0, index), weights.index_select(0, index)[:, None]], 1)
        histories = [histories[row] + [token] for row, token in zip(rows, tokens)]
        scores = torch.tensor(new_scores, device=device).view(B, K)
        prev = torch.tensor(tokens, device=device)
    else:  # max_len reached: the alive hypotheses join, unfinished
        for b in range(B):
            if done[b]:
                continue
            for k in range(K):
                row, total = b * K + k, float(scores[b, k])
                if total > float("-inf"):
                    finished[b].append(Hypothesis(list(histories[row]), total / length_penalty(
                        len(histories[row]), alpha), total, attention[row].cpu(), False))

    results = []
    for hypotheses in finished:
        hypotheses.sort(key=lambda h: h.score, reverse=True)
        results.append(hypotheses[:n_best])
    return results
