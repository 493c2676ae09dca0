"""The model learns to copy and to reverse short sequences, judged on held-out sequences."""

import itertools
import random

import pytest
import torch
import torch.nn.functional as F

from rnnlab.data import EOS_ID, PAD_ID, pad_sequences
from rnnlab.data.vocab import BOS_ID
from rnnlab.decoding.beam_search import beam_search
from rnnlab.decoding.greedy import greedy_decode
from rnnlab.models.seq2seq import Seq2Seq

SYMBOLS = [4, 5, 6, 7]  # vocabulary of 8: the 4 special tokens and 4 symbols


def make_data(seed=0):
    """Disjoint train (1500) and held-out (200) sequences of lengths 3..6."""
    every = [list(s) for n in range(3, 7) for s in itertools.product(SYMBOLS, repeat=n)]
    random.Random(seed).shuffle(every)
    return every[200:1700], every[:200]


def batch(sources, transform):
    src = pad_sequences(sources)
    targets = [transform(s) for s in sources]
    tgt_in = pad_sequences([[BOS_ID] + t for t in targets]).tokens
    tgt_out = pad_sequences([t + [EOS_ID] for t in targets]).tokens
    return src.tokens, src.lengths, tgt_in, tgt_out


@pytest.mark.parametrize("name, transform, attention", [
    ("copy", lambda s: list(s), "general"),
    ("reverse", lambda s: list(reversed(s)), "bahdanau"),
])
def test_learns_to_100_percent_on_held_out(name, transform, attention):
    torch.manual_seed(0)
    train, held_out = make_data()
    model = Seq2Seq(8, 8, cell="gru", embedding_size=16, hidden_size=64, attention=attention, dropout=0.0)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    generator = torch.Generator().manual_seed(0)
    for epoch in range(12):
        order = torch.randperm(len(train), generator=generator).tolist()
        for start in range(0, len(train), 50):
            src, lengths, tgt_in, tgt_out = batch([train[i] for i in order[start:start + 50]], transform)
            logits = model(src, lengths, tgt_in).logits
            loss = F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=PAD_ID)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        src, lengths, _, _ = batch(held_out, transform)
        decoded = greedy_decode(model, src, lengths, max_len=10)
        model.train()
        right = sum(h.tokens == transform(s) for h, s in zip(decoded, held_out))
        if right == len(held_out):
            break
    assert right == len(held_out), f"{name}: {right}/{len(held_out)} held-out sequences right"
    beamed = beam_search(model.eval(), src, lengths, beam_size=3, max_len=10)
    assert all(n[0].tokens == transform(s) for n, s in zip(beamed, held_out))
