"""Generating text from a language model, one token at a time with the state carried.

The prompt is read once (one forward over its tokens); after that every new token
costs ONE step of the recurrent stack: the last token and the carried state go in,
the next distribution and the new state come out. Nothing is recomputed, so making
N tokens is O(N), not O(N^2) as when the whole prefix is re-run for each token (seed
000's poetry generator does that; :func:`next_token_logits` re-runs on purpose, to
test that both give the same probabilities).

``<pad>`` and ``<bos>`` are never produced; ``<unk>`` only with ``allow_unk=True``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from rnnlab.data import BOS_ID, PAD_ID, UNK_ID
from rnnlab.decoding.sampling import sample
from rnnlab.errors import ConfigError


@dataclass
class Sampling:
    """How to draw each token (see :func:`rnnlab.decoding.sampling.sample`)."""

    temperature: float = 1.0  # 0 = greedy
    top_k: int | None = None
    top_p: float | None = None
    allow_unk: bool = False  # may <unk> be produced?
    seed: int | None = None  # None: torch's global generator

    def banned(self) -> list[int]:
        return [PAD_ID, BOS_ID] + ([] if self.allow_unk else [UNK_ID])

    def generator(self) -> torch.Generator | None:
        return None if self.seed is None else torch.Generator().manual_seed(self.seed)


class TokenStepper:
    """Holds a model's state between tokens: ``feed(ids)`` then ``logits`` for the next one.

    Example::

        >>> stepper = TokenStepper(model)
        >>> stepper.feed([BOS_ID, 17, 5])       # the prompt, one forward
        >>> stepper.logits.shape                # next-token scores
        torch.Size([V])
        >>> stepper.feed([42])                  # one step
    """

    def __init__(self, model: torch.nn.Module):
        self.model = model
        self.state: Any = None
        self.logits: torch.Tensor | None = None  # (V,) scores for the next token

    @torch.no_grad()
    def feed(self, ids: Sequence[int]) -> torch.Tensor:
        """Run the model over ``ids`` from the carried state; return the next-token logits (V,)."""
        if len(ids) == 0:
            raise ConfigError("nothing to feed: the prompt has no tokens")
        device = self.model.embedding.weight.device
        tokens = torch.tensor([list(ids)], dtype=torch.long, device=device)  # (1, t)
        logits, self.state = self.model(tokens, self.state)
        self.logits = logits[0, -1]  # (V,)
        return self.logits


def generate(model: torch.nn.Module, prompt_ids: Sequence[int], max_tokens: int,
             sampling: Sampling = Sampling(), stop_ids: Sequence[int] = ()) -> list[int]:
    """Continue ``prompt_ids`` with up to ``max_tokens`` sampled ids (the prompt is not returned).

    Stops after producing an id in ``stop_ids`` (which is included in the result).
    The model is put in eval mode (no dropout).
    """
    if max_tokens < 0:
        raise ConfigError(f"max_tokens must be >= 0, got {max_tokens}")
    model.eval()
    generator = sampling.generator()
    stepper = TokenStepper(model)
    logits = stepper.feed(prompt_ids)
    produced: list[int] = []
    for _ in range(max_tokens):
        token = int(sample(logits, sampling.temperature, sampling.top_k, sampling.top_p,
                           sampling.banned(), generator))
        produced.append(token)
        if token in stop_ids:
            break
        logits = stepper.feed([token])
    return produced


def generate_lines(model: torch.nn.Module, n_lines: int, line_end: int, sampling: Sampling = Sampling(),
                   prompt_ids: Sequence[int] = (), max_tokens_per_line: int = 100,
                   restart_each_line: bool = True) -> list[list[int]]:
    """``n_lines`` lines, each ended by ``line_end`` (not included) or by the length limit.

    Line mode (``restart_each_line``): every line starts from ``<bos>`` and the
    initial state, as the model was trained (seed 000's poetry generator).
    Stream mode: one continuous text cut at each ``line_end`` (``"\\n"`` or ``<eos>``).
    ``prompt_ids`` starts the first line.
    """
    model.eval()
    generator = sampling.generator()
    stepper = TokenStepper(model)
    lines: list[list[int]] = []
    line = list(prompt_ids)
    logits = stepper.feed([BOS_ID] + line if restart_each_line else (line or [line_end]))
    while len(lines) < n_lines:
        for _ in range(max_tokens_per_line):
            token = int(sample(logits, sampling.temperature, sampling.top_k, sampling.top_p,
                               sampling.banned(), generator))
            if token == line_end:
                if not restart_each_line:
                    logits = stepper.feed([token])  # the text goes on after the line end
                break
            line.append(token)
            logits = stepper.feed([token])
        lines.append(line)
        line = []
        if restart_each_line and len(lines) < n_lines:
            stepper = TokenStepper(model)
            logits = stepper.feed([BOS_ID])
    return lines


@torch.no_grad()
def next_token_logits(model: torch.nn.Module, prefix: Sequence[int]) -> torch.Tensor:
    """Next-token logits (V,) after ``prefix``, by running the whole prefix from scratch."""
    model.eval()
    device = model.embedding.weight.device
    logits, _ = model(torch.tensor([list(prefix)], dtype=torch.long, device=device))
    return logits[0, -1]
