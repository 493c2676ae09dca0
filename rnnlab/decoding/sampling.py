"""Sampling the next token from a batch of logits: temperature, top-k, top-p (nucleus).

:func:`sample` is generic: it takes (B, V) logits from any model (a language model,
a seq2seq decoder) and returns (B,) token ids. :func:`filter_logits` is the same
filtering without the draw, for tests and for beam search to reuse.

Order of operations (the usual one, e.g. Hugging Face's ``generate``):

1. ``banned`` ids get logit -inf (e.g. ``<unk>``, ``<pad>``);
2. divide by ``temperature`` (``temperature = 0`` means greedy: argmax);
3. top-k: keep the ``k`` largest logits of each row;
4. top-p: keep the smallest set of most likely tokens whose probability reaches
   ``p`` (always at least the most likely one) (Holtzman et al. 2020);
5. draw from the softmax of what is left, with ``generator`` if given.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from rnnlab.errors import ConfigError


def filter_logits(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                  top_p: float | None = None, banned: Sequence[int] = ()) -> torch.Tensor:
    """Return (B, V) logits with filtered-out tokens at -inf, scaled by 1/temperature.

    Args:
        logits: (B, V) (or (V,)) unnormalised scores.
        temperature: > 0; values below 1 sharpen, above 1 flatten.
        top_k: keep the k highest scores per row (None: all).
        top_p: keep the smallest most-likely set with probability >= top_p (None: all).
        banned: token ids never to keep.
    """
    if temperature <= 0:
        raise ConfigError(f"temperature must be > 0 for filtering, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ConfigError(f"top_k must be >= 1, got {top_k}")
    if top_p is not None and not 0.0 < top_p <= 1.0:
        raise ConfigError(f"top_p must be in (0, 1], got {top_p}")
    logits = logits.float() / temperature
    if banned:
        logits = logits.clone()
        logits[..., list(banned)] = -float("inf")
    if top_k is not None and top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]  # (B, 1) the k-th largest
        logits = logits.masked_fill(logits < kth, -float("inf"))
    if top_p is not None and top_p < 1.0:
        sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
        cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        # Drop a token when the tokens before it already reach top_p.
        drop_sorted = (cumulative - sorted_logits.softmax(dim=-1)) >= top_p
        drop = drop_sorted.scatter(-1, order, drop_sorted)  # back to vocabulary order
        logits = logits.masked_fill(drop, -float("inf"))
    return logits


def sample(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
           top_p: float | None = None, banned: Sequence[int] = (),
           generator: torch.Generator | None = None) -> torch.Tensor:
    """Draw one token id per row of ``logits`` (B, V) -> (B,) long.

    ``temperature = 0`` is greedy decoding (argmax after banning). See the module
    doc for the order of the filters.

    Example::

        >>> g = torch.Generator().manual_seed(0)
        >>> sample(torch.tensor([[0.0, 5.0, 1.0]]), temperature=0.5, top_k=2, generator=g)
        tensor([1])
    """
    squeeze = logits.dim() == 1
    logits = logits[None] if squeeze else logits  # (B, V)
    if temperature == 0:
        filtered = filter_logits(logits, 1.0, None, None, banned)
        ids = filtered.argmax(dim=-1)
    else:
        filtered = filter_logits(logits, temperature, top_k, top_p, banned)
        probs = filtered.softmax(dim=-1)
        if generator is not None and generator.device != probs.device:
            probs = probs.to(generator.device)
        ids = torch.multinomial(probs, 1, generator=generator).squeeze(-1).to(logits.device)
    return ids[0] if squeeze else ids
