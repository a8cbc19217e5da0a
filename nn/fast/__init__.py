"""The FAST engine: the textbook engine of `nn`, optimised, file for file. Knows nothing of GANs.

Every class here is a subclass of its textbook twin (nn.fast.layers.Linear of nn.layers.Linear,
nn.fast.network.MLP of nn.network.MLP, ...): constructors, checks, config(), state_dict, save
and load are the textbook's, and the subclass rewrites only what it optimises (where arrays
live, forward, backward, step) and adds what only this engine has (stack=E, stacked members;
per-member learning rates; MinibatchDiscrimination.against). tests/test_nn_parity.py holds the
two engines equal.

    layers.py       Layer, with the rules of the fast layers (reused output arrays, in-place
                    work), Linear (the joined bias; stack=E members) and the layer registry
    activations.py  ReLU, LeakyReLU, Tanh, Sigmoid, Softplus, Identity, with ``out=``
    network.py      Sequential, its parameters in one flat buffer, and MLP (stack, stacked, member)
    optim.py        SGD, Adam, RMSProp on the flat buffer; Memberwise* with per-member rates
    losses.py       bce_with_logits, mse: the textbook's functions (nothing to optimise)
    conv.py         Conv2d, ConvTranspose2d by im2col and one matrix product
    norm.py         BatchNorm1d, BatchNorm2d with ``out=``
    shape.py        Flatten, Reshape (the textbook's, as layers of this engine)
    minibatch_discrimination.py   MinibatchDiscrimination by matrix products, and `against`
and one helper with no textbook twin:
    im2col.py       the blocked im2col / col2im of stride-2 kernels: space-to-depth, channels last
"""

from nn.fast.activations import Identity, LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from nn.fast.conv import Conv2d, ConvTranspose2d
from nn.fast.layers import Layer, Linear
from nn.fast.network import MLP, Sequential
from nn.fast.norm import BatchNorm1d, BatchNorm2d
from nn.fast.shape import Flatten, Reshape

__all__ = ["Layer", "Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softplus", "Identity",
           "Sequential", "MLP", "Conv2d", "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d",
           "Flatten", "Reshape"]
