"""The runner and its pieces: :class:`Recurrent` runs any cell over time."""

from rnnlab.layers.config import RecurrentConfig
from rnnlab.layers.convert import from_torch, to_torch
from rnnlab.layers.recurrent import Recurrent, RecurrentOutput

__all__ = ["Recurrent", "RecurrentConfig", "RecurrentOutput", "from_torch", "to_torch"]
