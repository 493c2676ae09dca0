import pytest
import torch


@pytest.fixture(autouse=True)
def single_thread():
    """Tiny models run faster on one thread on a shared machine (and stay deterministic)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
