"""Left-to-right decoding one token per step: greedy (argmax) and ancestral sampling.

Both work on any *step model*, batched:

* ``model.encode(src (B, S), src_lengths (B,)) -> (memory, state)``
* ``model.decode_step(prev_tokens (B,), state, memory) -> (logits (B, V), state, attention (B, S))``

(:class:`rnnlab.models.seq2seq.Seq2Seq` is one.) A hypothesis ends at its first
``<eos>``: nothing is kept after it, and it stops growing while the rest of the
batch continues. ``min_len`` forbids ``<eos>`` before that many tokens;
``max_len`` stops sequences that never emit one (``Hypothesis.finished`` is False).

Sampling draws from ``softmax(logits / temperature)`` restricted to the ``top_k``
most likely tokens and/or the smallest set whose probability reaches ``top_p``
(nucleus). Seed 004's chatbot samples the first word from the top 3 and the
rest from the top 2: ``sample_decode(..., first_top_k=3, top_k=2)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from rnnlab.data.vocab import BOS_ID, EOS_ID, PAD_ID
from rnnlab.decoding.sampling import filter_logits
from rnnlab.errors import ConfigError


@dataclass
class Hypothesis:
    """One decoded sequence."""

    tokens: list[int]  # generated ids, without <bos> and without the final <eos>
    score: float  # the ranking score: log_prob, length-normalised in beam search
    log_prob: float  # sum of the log-probabilities of the tokens (and of <eos> if finished)
    attention: torch.Tensor | None = None  # (steps, S): one row per generated token, <eos> included
    finished: bool = True  # ended with <eos> (False: stopped at max_len)


def banned_tokens(sequence: list[int], n: int) -> list[int]:
    """Tokens that would repeat an n-gram already in ``sequence`` (n-gram repeat blocking).

    The last ``n - 1`` tokens form the prefix; every token that followed the same
    prefix earlier is banned. ``n = 1`` bans every token used so far.
    """
    if n < 1 or len(sequence) < n - 1:
        return []
    prefix = tuple(sequence[len(sequence) - (n - 1):]) if n > 1 else ()
    return [sequence[i + n - 1] for i in range(len(sequence) - n + 1)
            if tuple(sequence[i:i + n - 1]) == prefix]


def check_lengths(min_len: int, max_len: int) -> None:
    if max_len < 1:
        raise ConfigError(f"max_len must be >= 1, got {max_len}")
    if not 0 <= min_len <= max_len:
        raise ConfigError(f"min_len must be in [0, max_len={max_len}], got {min_len}")


def next_token_log_probs(logits: torch.Tensor, step: int, min_len: int, eos_id: int,
                         histories: list[list[int]] | None = None, no_repeat_ngram: int = 0) -> torch.Tensor:
    """log-softmax of ``logits`` (N, V) with the decoding constraints applied (-inf = forbidden).

    Never <pad> or <bos>; no <eos> before ``min_len`` tokens; n-gram repeat blocking.
    """
    log_probs = torch.log_softmax(logits.float(), dim=-1)  # (N, V)
    log_probs[:, [PAD_ID, BOS_ID]] = float("-inf")
    if step < min_len:
        log_probs[:, eos_id] = float("-inf")
    if no_repeat_ngram > 0 and histories is not None:
        for row, history in enumerate(histories):
            banned = banned_tokens(history, no_repeat_ngram)
            if banned:
                log_probs[row, banned] = float("-inf")
    return log_probs


@torch.no_grad()
def decode_left_to_right(model, src: torch.Tensor, src_lengths: torch.Tensor,
                         choose: Callable[[torch.Tensor, int], torch.Tensor], max_len: int = 50,
                         min_len: int = 0, no_repeat_ngram: int = 0, eos_id: int = EOS_ID) -> list[Hypothesis]:
    """Run the step model, picking each next token with ``choose(log_probs (B, V), step) -> (B,)``."""
    check_lengths(min_len, max_len)
    B = src.shape[0]
    memory, state = model.encode(src, src_lengths)
    prev = torch.full((B,), BOS_ID, dtype=torch.long, device=src.device)
    done = torch.zeros(B, dtype=torch.bool, device=src.device)
    histories: list[list[int]] = [[] for _ in range(B)]
    log_prob = torch.zeros(B, device=src.device)
    attention = []
    for step in range(max_len):
        logits, state, weights = model.decode_step(prev, state, memory)
        log_probs = next_token_log_probs(logits, step, min_len, eos_id, histories, no_repeat_ngram)
        token = choose(log_probs, step)  # (B,)
        token = torch.where(done, torch.full_like(token, eos_id), token)  # finished rows stay finished
        picked = log_probs.gather(1, token[:, None]).squeeze(1)
        log_prob = log_prob + torch.where(done, torch.zeros_like(picked), picked)
        attention.append(weights)
        for row in torch.nonzero(~done).flatten().tolist():
            histories[row].append(int(token[row]))
        done = done | (token == eos_id)
        prev = token
        if bool(done.all()):
            break
    attention = torch.stack(attention, 1)  # (B, steps, S)
    results = []
    for row, history in enumerate(histories):
        finished = bool(history) and history[-1] == eos_id
        tokens = history[:-1] if finished else history
        score = float(log_prob[row])
        results.append(Hypothesis(tokens, score, score, attention[row, :len(history)].cpu(), finished))
    return results


def greedy_decode(model, src: torch.Tensor, src_lengths: torch.Tensor, max_len: int = 50,
                  min_len: int = 0, no_repeat_ngram: int = 0, eos_id: int = EOS_ID) -> list[Hypothesis]:
    """The most likely next token at every step; one :class:`Hypothesis` per source sentence."""
    return decode_left_to_right(model, src, src_lengths, lambda log_probs, step: log_probs.argmax(-1),
                                max_len, min_len, no_repeat_ngram, eos_id)


def sample_decode(model, src: torch.Tensor, src_lengths: torch.Tensor, temperature: float = 1.0,
                  top_k: int = 0, top_p: float = 1.0, first_top_k: int | None = None, max_len: int = 50,
                  min_len: int = 0, no_repeat_ngram: int = 0, generator: torch.Generator | None = None,
                  eos_id: int = EOS_ID) -> list[Hypothesis]:
    """Sample each next token (dialogue). ``first_top_k`` overrides ``top_k`` for the first token.

    ``top_k = 0`` and ``top_p = 1`` sample from the whole distribution;
    ``Hypothesis.log_prob`` is under the model's (unfiltered, temperature-1) distribution.
    """
    if not temperature > 0:
        raise ConfigError(f"temperature must be > 0, got {temperature}")
    if top_k < 0 or (first_top_k is not None and first_top_k < 0):
        raise ConfigError(f"top_k must be >= 0 (0 = off), got {top_k if top_k < 0 else first_top_k}")
    if not 0.0 < top_p <= 1.0:
        raise ConfigError(f"top_p must be in (0, 1], got {top_p}")

    def choose(log_probs: torch.Tensor, step: int) -> torch.Tensor:
        k = first_top_k if step == 0 and first_top_k is not None else top_k
        logits = filter_logits(log_probs, temperature, k or None, top_p if top_p < 1.0 else None)
        probs = torch.softmax(logits, dim=-1)
        return torch.multinomial(probs.cpu(), 1, generator=generator).squeeze(1).to(log_probs.device)

    return decode_left_to_right(model, src, src_lengths, choose, max_len, min_len, no_repeat_ngram, eos_id)
