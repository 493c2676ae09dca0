"""Engines that run a cell over time, and the dispatch that picks one.

The reference path (cells + :mod:`rnnlab.kernels.reference`) never imports a fast
engine; only :mod:`rnnlab.kernels.dispatch` knows them all.
"""

from rnnlab.kernels.dispatch import BACKENDS, EngineChoice, choose_engine

__all__ = ["BACKENDS", "EngineChoice", "choose_engine"]
