"""Optimizers by name and gradient clipping.

The optimizers are ``torch.optim``'s; this module only maps a config name to one
and keeps the per-optimizer arguments in one readable table.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from rnnlab.errors import ConfigError, unknown_choice
from rnnlab.training.config import TrainConfig

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "rmsprop": torch.optim.RMSprop,
    "adagrad": torch.optim.Adagrad,
}


def build_optimizer(
    params: Iterable[torch.nn.Parameter] | Iterable[dict],
    name: str,
    lr: float,
    *,
    momentum: float = 0.0,
    nesterov: bool = False,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> torch.optim.Optimizer:
    """Create the optimizer ``name`` (``sgd``, ``adam``, ``adamw``, ``rmsprop``, ``adagrad``).

    Arguments an optimizer does not have are ignored (betas for sgd, momentum for
    adam); ``TrainConfig`` rejects the contradictory combinations (nesterov without sgd).
    """
    if name not in OPTIMIZERS:
        raise unknown_choice("optimizer", name, OPTIMIZERS)
    if name == "sgd":
        kwargs = dict(momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)
    elif name in ("adam", "adamw"):
        kwargs = dict(betas=tuple(betas), eps=eps, weight_decay=weight_decay)
    elif name == "rmsprop":
        kwargs = dict(momentum=momentum, eps=eps, weight_decay=weight_decay)
    else:  # adagrad
        kwargs = dict(eps=eps, weight_decay=weight_decay)
    return OPTIMIZERS[name](params, lr=lr, **kwargs)


def optimizer_from_config(params: Iterable, config: TrainConfig) -> torch.optim.Optimizer:
    """``build_optimizer`` with the arguments taken from a :class:`TrainConfig`."""
    return build_optimizer(
        params,
        config.optimizer,
        config.lr,
        momentum=config.momentum,
        nesterov=config.nesterov,
        betas=config.betas,
        eps=config.eps,
        weight_decay=config.weight_decay,
    )


def clip_gradients(
    params: Iterable[torch.nn.Parameter],
    max_norm: float | None = None,
    max_value: float | None = None,
) -> float:
    """Clip gradients in place; return the global L2 norm measured *before* clipping.

    ``max_value`` first clamps every element to ``[-max_value, max_value]``; then
    ``max_norm`` rescales all gradients together so their joint L2 norm is at most
    ``max_norm``. The returned norm is that of the gradients as they came in and is
    ``inf``/``nan`` when a gradient is not finite.
    """
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    if max_norm is not None and max_norm <= 0 or max_value is not None and max_value <= 0:
        raise ConfigError(f"clip limits must be > 0, got max_norm={max_norm}, max_value={max_value}")
    norm = torch.linalg.vector_norm(
        torch.stack([torch.linalg.vector_norm(g.detach(), 2.0) for g in grads]), 2.0
    )
    if max_value is not None:
        for g in grads:
            g.clamp_(-max_value, max_value)
    if max_norm is not None:
        # Norm after value clipping: the rescale must bound what is actually applied.
        clipped = norm if max_value is None else torch.linalg.vector_norm(
            torch.stack([torch.linalg.vector_norm(g.detach(), 2.0) for g in grads]), 2.0
        )
        scale = torch.clamp(max_norm / (clipped + 1e-6), max=1.0)
        for g in grads:
            g.mul_(scale.to(g.device))
    return float(norm)
