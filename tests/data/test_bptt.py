import numpy as np
import pytest
import torch

from rnnlab.data.bptt import ContiguousBatches, sliding_windows
from rnnlab.errors import DataError


def test_small_example_by_hand():
    batches = list(ContiguousBatches(list(range(13)), batch_size=2, bptt=4))
    assert [b.inputs.tolist() for b in batches] == [[[0, 1, 2, 3], [6, 7, 8, 9]], [[4, 5], [10, 11]]]
    assert [b.targets.tolist() for b in batches] == [[[1, 2, 3, 4], [7, 8, 9, 10]], [[5, 6], [11, 12]]]


@pytest.mark.parametrize("n, batch_size, bptt", [(1000, 4, 35), (101, 3, 10), (57, 7, 100), (20, 1, 5)])
def test_rows_reassemble_the_stream(n, batch_size, bptt):
    stream = np.random.default_rng(0).integers(0, 50, size=n)
    batches = ContiguousBatches(stream, batch_size, bptt)
    inputs = torch.cat([b.inputs for b in batches], dim=1)  # (B, L)
    targets = torch.cat([b.targets for b in batches], dim=1)
    length = (n - 1) // batch_size
    assert inputs.shape == (batch_size, length)
    # Row by row, the inputs are the original stream in order (the hidden state can be carried).
    assert inputs.reshape(-1).tolist() == stream[: batch_size * length].tolist()
    assert targets.reshape(-1).tolist() == stream[1 : batch_size * length + 1].tolist()
    assert all(b.inputs.shape[1] <= bptt for b in batches)


def test_memmap_source(tmp_path):
    path = tmp_path / "tokens.bin"
    array = np.memmap(path, dtype=np.uint16, mode="w+", shape=(50,))
    array[:] = np.arange(50)
    array.flush()
    batches = ContiguousBatches(np.memmap(path, dtype=np.uint16, mode="r"), 2, 8)
    assert batches[0].inputs[1, 0].item() == 24 and batches[0].inputs.dtype == torch.long


def test_too_short_stream():
    with pytest.raises(DataError, match="too short for batch_size=4; need at least 5"):
        ContiguousBatches([1, 2, 3], batch_size=4, bptt=2)


def test_sliding_windows_by_hand():
    assert sliding_windows([0, 1, 2, 3, 4, 5, 6], size=3, stride=2).tolist() == [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    assert sliding_windows(range(5), size=5).tolist() == [[0, 1, 2, 3, 4]]
    with pytest.raises(DataError, match="shorter than the window size 6"):
        sliding_windows([1, 2], size=6)
