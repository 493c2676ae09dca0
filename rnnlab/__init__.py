"""rnnlab: recurrent neural networks you can read and run fast.

The pieces, in the order a reader meets them:

- :mod:`rnnlab.cells`   one time step of each recurrent unit, written as its equations;
- :mod:`rnnlab.layers`  the runner: any cell over time, with lengths, direction,
  stacking and dropouts (:class:`rnnlab.layers.Recurrent`);
- :mod:`rnnlab.kernels` fast paths and the one function that chooses between them.
"""

__version__ = "0.1.0"
