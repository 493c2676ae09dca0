"""The parity problem (seed 000 ch. 2; seed 004's 50-bit request): prefix parity per step.

Each input is a string of bits; the label at step t is the parity of bits 0..t
(1 if the count of ones so far is odd). A recurrent net solves it with a tiny state
(flip on a one, hold on a zero) where a feed-forward net needs exponentially many
units. Held-out strings are never seen in training.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.cells import CELLS
from rnnlab.errors import ConfigError, unknown_choice
from rnnlab.layers import Recurrent


@dataclass
class ParityConfig:
    """One parity run. Defaults solve 12 and 50 bits in seconds on a laptop CPU."""

    bits: int = 12            # string length T
    cell: str = "elman"       # registered cell name (Elman tanh, as seed 000)
    hidden: int = 32          # hidden units
    train_size: int = 4000    # training strings (12 bits: capped at 80 % of all 2**12)
    test_size: int = 1000     # held-out strings, disjoint from the training strings
    epochs: int = 60          # passes over the training strings
    batch_size: int = 64      # strings per step
    lr: float = 0.003         # Adam learning rate
    seed: int = 0             # seeds data, weights and batch order
    device: str = "cpu"       # cpu | cuda | auto

    def __post_init__(self) -> None:
        if not isinstance(self.bits, int) or self.bits < 4:
            raise ConfigError(f"--bits must be an integer >= 4 (shorter strings leave no held-out set); got {self.bits!r}")
        for name in ("hidden", "train_size", "test_size", "epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"--{name.replace('_', '-')} must be an integer >= 1; got {value!r}")
        if self.cell not in CELLS:
            raise unknown_choice("cell", self.cell, CELLS)
        if not self.lr > 0:
            raise ConfigError(f"--lr must be > 0; got {self.lr!r}")
        if self.device not in ("cpu", "cuda", "auto"):
            raise unknown_choice("device", self.device, ("cpu", "cuda", "auto"))
        if self.device == "cuda" and not torch.cuda.is_available():
            raise ConfigError("--device cuda: no CUDA device is available; valid here: cpu, auto")


@dataclass
class ParityResult:
    """What a run measured on the held-out strings."""

    bits: int
    cell: str
    engine: str              # the engine the runner used, with its reason
    string_accuracy: float   # held-out strings whose final parity is right
    step_accuracy: float     # held-out steps (prefixes) labelled right
    train_strings: int
    test_strings: int
    epochs_run: int
    seconds: float


def parity_labels(bits: np.ndarray) -> np.ndarray:
    """Prefix parity: (N, T) bits -> (N, T) labels, label[t] = sum(bits[:t+1]) % 2."""
    return np.cumsum(bits, axis=1) % 2


def make_split(bits: int, train_size: int, test_size: int, seed: int):
    """Disjoint train and test strings, (N, T) uint8 each.

    For up to 20 bits every string is enumerated and shuffled; test takes the first
    ``test_size``, train the next (at most the remainder). Longer strings are sampled
    and any training string that also appears in the test set is dropped.
    """
    rng = np.random.default_rng(seed)
    if bits <= 20:
        codes = rng.permutation(2**bits)
        test_size = min(test_size, len(codes) // 5)
        test_codes = codes[:test_size]
        train_codes = codes[test_size:test_size + train_size]
        to_bits = lambda c: ((c[:, None] >> np.arange(bits)) & 1).astype(np.uint8)
        return to_bits(train_codes), to_bits(test_codes)
    test = rng.integers(0, 2, size=(test_size, bits), dtype=np.uint8)
    train = rng.integers(0, 2, size=(train_size, bits), dtype=np.uint8)
    seen = {row.tobytes() for row in test}
    keep = np.array([row.tobytes() not in seen for row in train], dtype=bool)
    return train[keep], test


class ParityTagger(nn.Module):
    """Recurrence over the bits, then a linear read-out of 2 classes at every step."""

    def __init__(self, cell: str, hidden: int):
        super().__init__()
        self.rnn = Recurrent(cell, input_size=1, hidden_size=hidden)
        self.head = nn.Linear(hidden, 2)

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        """bits (B, T) -> logits (B, T, 2)."""
        return self.head(self.rnn(bits.unsqueeze(-1)).outputs)


def evaluate(model: ParityTagger, bits: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    """(string accuracy on the final step, accuracy over every step)."""
    model.eval()
    with torch.no_grad():
        predicted = model(bits).argmax(-1)
    model.train()
    correct = predicted == labels
    return correct[:, -1].float().mean().item(), correct.float().mean().item()


def train_parity(config: ParityConfig, progress=None) -> ParityResult:
    """Train a :class:`ParityTagger` and measure it on held-out strings.

    Args:
        config: the run.
        progress: optional callback ``progress(epoch, loss, held_out_accuracy)``.
    Stops early once every held-out string is right (the task is then solved).
    """
    start = time.perf_counter()
    device = torch.device("cuda" if config.device == "auto" and torch.cuda.is_available()
                          else ("cpu" if config.device == "auto" else config.device))
    torch.manual_seed(config.seed)
    train_np, test_np = make_split(config.bits, config.train_size, config.test_size, config.seed)
    to_tensor = lambda a: torch.as_tensor(a, dtype=torch.float32, device=device)
    x_train, y_train = to_tensor(train_np), torch.as_tensor(parity_labels(train_np), device=device).long()
    x_test, y_test = to_tensor(test_np), torch.as_tensor(parity_labels(test_np), device=device).long()

    model = ParityTagger(config.cell, config.hidden).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    generator = torch.Generator().manual_seed(config.seed)
    string_acc, step_acc, epochs_run = 0.0, 0.0, 0
    for epoch in range(1, config.epochs + 1):
        order = torch.randperm(len(x_train), generator=generator).to(device)
        total, count = 0.0, 0
        for batch in order.split(config.batch_size):
            logits = model(x_train[batch])  # (B, T, 2)
            loss = F.cross_entropy(logits.reshape(-1, 2), y_train[batch].reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total, count = total + loss.item() * len(batch), count + len(batch)
        string_acc, step_acc = evaluate(model, x_test, y_test)
        epochs_run = epoch
        if progress is not None:
            progress(epoch, total / count, string_acc)
        if step_acc == 1.0:
            break
    return ParityResult(
        bits=config.bits, cell=config.cell, engine=str(model.rnn.engine(training=True)),
        string_accuracy=string_acc, step_accuracy=step_acc, train_strings=len(x_train),
        test_strings=len(x_test), epochs_run=epochs_run, seconds=time.perf_counter() - start,
    )
