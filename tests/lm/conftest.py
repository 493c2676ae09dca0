import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    """Tests share 2 CPU cores; keep each to one thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
