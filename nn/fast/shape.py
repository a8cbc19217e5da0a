"""Reshaping layers of the fast engine: the textbook Reshape and Flatten of nn.shape (a reshape
is a view, with nothing to optimise), as layers of this engine.
"""

import nn.shape as textbook
from nn.fast.layers import Layer


class Reshape(textbook.Reshape, Layer):
    """y[n] = x[n] reshaped to `shape`, as nn.shape.Reshape."""


class Flatten(textbook.Flatten, Layer):
    """y[n] = x[n] flattened, as nn.shape.Flatten."""
