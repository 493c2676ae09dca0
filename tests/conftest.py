"""Shared test setup.

- ``tests/`` is on the import path, so tests can ``from reference import ...`` (the
  naive oracles); pytest puts each test's own folder there too (``tiny_models``).
- torch runs on one thread: the models under test are tiny, the machine's cores are
  shared, and one thread keeps results bitwise reproducible.
"""

import pathlib
import sys

import torch

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))
torch.set_num_threads(1)
