"""A from-scratch Elman language model in NumPy: forward, BPTT by hand, gradient check.

Written to be read beside seed 001 (WildML's RNN tutorial, parts 2-3), with our
own code and two additions: biases, and truncation by *windows* (the state is
carried forward but no gradient crosses a window boundary: what truncated BPTT
does in every training loop, :class:`rnnlab.training.Trainer` included).

The model, for one sequence of token ids ``x_1..x_T`` with targets ``y_1..y_T``::

    h_t = tanh(U[:, x_t] + W h_{t-1} + b)       U (H, V): a one-hot input picks a column
    o_t = Vo h_t + c                            Vo (V, H) output weights, c (V,)
    p_t = softmax(o_t)
    L   = -(1/T) sum_t ln p_t[y_t]              mean cross-entropy, nats per token

Backward, from the last step to the first (``delta`` is dL/d(pre-activation))::

    do_t    = (p_t - onehot(y_t)) / T
    dVo    += do_t h_t^T            dc += do_t
    dh_t    = Vo^T do_t + dh_next               dh_next: what step t+1 sent back
    delta_t = dh_t * (1 - h_t^2)                tanh' = 1 - tanh^2
    dU[:, x_t] += delta_t   dW += delta_t h_{t-1}^T   db += delta_t
    dh_next = W^T delta_t   (set to 0 at a window start: the truncation)

In PyTorch terms (tested equal in float64): ``U = weight_ih``, ``W = weight_hh``,
``b = bias_ih + bias_hh`` of an Elman tanh cell fed one-hot vectors, and
``Vo, c`` = ``weight, bias`` of the output ``nn.Linear``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ElmanForward:
    """What the forward pass keeps for backward."""

    h: np.ndarray  # (T + 1, H): h[0] is the initial state, h[t] after token t
    p: np.ndarray  # (T, V): next-token probabilities
    loss: float  # mean cross-entropy (nats per token)


class NumpyElmanLM:
    """Elman LM with parameters ``U`` (H, V), ``W`` (H, H), ``b`` (H,), ``Vo`` (V, H), ``c`` (V,).

    Example::

        >>> lm = NumpyElmanLM(vocab_size=8, hidden_size=4, seed=0)
        >>> x, y = np.array([1, 2, 3]), np.array([2, 3, 4])
        >>> grads = lm.bptt(x, y)
        >>> lm.gradient_check(x, y) < 1e-6
        True
    """

    names = ("U", "W", "b", "Vo", "c")

    def __init__(self, vocab_size: int, hidden_size: int, seed: int = 0):
        rng = np.random.default_rng(seed)
        bound = 1.0 / np.sqrt(hidden_size)  # seed 001 uses 1/sqrt(n) of the incoming units
        self.U = rng.uniform(-bound, bound, (hidden_size, vocab_size))
        self.W = rng.uniform(-bound, bound, (hidden_size, hidden_size))
        self.b = rng.uniform(-bound, bound, hidden_size)
        self.Vo = rng.uniform(-bound, bound, (vocab_size, hidden_size))
        self.c = rng.uniform(-bound, bound, vocab_size)

    def forward(self, x: np.ndarray, y: np.ndarray, h0: np.ndarray | None = None) -> ElmanForward:
        """Run over token ids ``x`` (T,), score targets ``y`` (T,)."""
        T, H = len(x), self.W.shape[0]
        h = np.zeros((T + 1, H))
        h[0] = 0.0 if h0 is None else h0
        p = np.zeros((T, self.Vo.shape[0]))
        for t in range(T):
            h[t + 1] = np.tanh(self.U[:, x[t]] + self.W @ h[t] + self.b)
            o = self.Vo @ h[t + 1] + self.c
            e = np.exp(o - o.max())  # subtract the max: same softmax, no overflow
            p[t] = e / e.sum()
        loss = -np.mean(np.log(p[np.arange(T), y]))
        return ElmanForward(h, p, float(loss))

    def loss(self, x: np.ndarray, y: np.ndarray, h0: np.ndarray | None = None) -> float:
        return self.forward(x, y, h0).loss

    def bptt(self, x: np.ndarray, y: np.ndarray, h0: np.ndarray | None = None,
             truncate: int | None = None) -> dict[str, np.ndarray]:
        """Gradients of :meth:`loss` by backpropagation through time.

        ``truncate=k``: the sequence is cut into windows of k steps (0..k-1, k..2k-1,
        ...); the state still flows forward, but no gradient flows back across a
        window start. ``None`` is full BPTT (the exact gradient).
        """
        fwd = self.forward(x, y, h0)
        T = len(x)
        grads = {name: np.zeros_like(getattr(self, name)) for name in self.names}
        dh_next = np.zeros(self.W.shape[0])
        for t in reversed(range(T)):
            do = fwd.p[t].copy()
            do[y[t]] -= 1.0
            do /= T  # the loss is a mean over T tokens
            grads["Vo"] += np.outer(do, fwd.h[t + 1])
            grads["c"] += do
            dh = self.Vo.T @ do + dh_next
            delta = dh * (1.0 - fwd.h[t + 1] ** 2)
            grads["U"][:, x[t]] += delta
            grads["W"] += np.outer(delta, fwd.h[t])
            grads["b"] += delta
            window_start = truncate is not None and t % truncate == 0
            dh_next = np.zeros_like(dh_next) if window_start else self.W.T @ delta
        return grads

    def gradient_check(self, x: np.ndarray, y: np.ndarray, eps: float = 1e-5,
                       h0: np.ndarray | None = None) -> float:
        """Largest relative difference between :meth:`bptt` and central differences
        ``(L(w + eps) - L(w - eps)) / 2 eps`` over every parameter entry (use small sizes)."""
        grads = self.bptt(x, y, h0)
        worst = 0.0
        for name in self.names:
            param = getattr(self, name)
            for index in np.ndindex(param.shape):
                saved = param[index]
                param[index] = saved + eps
                plus = self.loss(x, y, h0)
                param[index] = saved - eps
                minus = self.loss(x, y, h0)
                param[index] = saved
                numeric = (plus - minus) / (2 * eps)
                analytic = grads[name][index]
                scale = max(abs(numeric) + abs(analytic), 1e-8)
                worst = max(worst, abs(numeric - analytic) / scale)
        return worst

    def sgd_step(self, x: np.ndarray, y: np.ndarray, lr: float, truncate: int | None = None) -> float:
        """One plain SGD step on one sequence; returns the loss before the step."""
        loss = self.loss(x, y)
        for name, grad in self.bptt(x, y, truncate=truncate).items():
            getattr(self, name)[...] -= lr * grad
        return loss
