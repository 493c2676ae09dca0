import pytest
import torch

from rnnlab.data.batching import bucket_batches, pad_sequences
from rnnlab.errors import DataError


def test_pad_sequences_values_and_lengths():
    batch = pad_sequences([[5, 6, 7], [8], [9, 10]])
    assert batch.tokens.tolist() == [[5, 6, 7], [8, 0, 0], [9, 10, 0]]
    assert batch.lengths.tolist() == [3, 1, 2]
    assert batch.tokens.dtype == torch.long and batch.lengths.dtype == torch.long


def test_pad_to_max_len_and_custom_pad():
    batch = pad_sequences([[1, 2]], pad_id=-1, max_len=4)
    assert batch.tokens.tolist() == [[1, 2, -1, -1]]
    with pytest.raises(DataError, match="more than max_len=1"):
        pad_sequences([[1, 2]], max_len=1)
    with pytest.raises(DataError, match="sequence 1 of the batch is empty"):
        pad_sequences([[1], []])


def test_bucketing_deterministic_and_complete():
    lengths = [(i * 37) % 50 + 1 for i in range(230)]
    first = bucket_batches(lengths, batch_size=8, seed=3, bucket_factor=4)
    again = bucket_batches(lengths, batch_size=8, seed=3, bucket_factor=4)
    other = bucket_batches(lengths, batch_size=8, seed=4, bucket_factor=4)
    assert first == again
    assert first != other
    flat = sorted(i for batch in first for i in batch)
    assert flat == list(range(230))


def test_bucketing_groups_similar_lengths():
    lengths = [(i * 37) % 50 + 1 for i in range(400)]
    batches = bucket_batches(lengths, batch_size=10, seed=0, bucket_factor=10)
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    # Random batches of 10 from uniform lengths 1..50 spread by ~40; pools of 100 sorted by length give < 10.
    assert spread < 10


def test_bucketing_no_shuffle_sorted_and_drop_last():
    lengths = [5, 1, 4, 2, 3]
    assert bucket_batches(lengths, batch_size=2, shuffle=False) == [[1, 3], [4, 2], [0]]
    assert bucket_batches(lengths, batch_size=2, shuffle=False, drop_last=True) == [[1, 3], [4, 2]]
