"""The FAST engine: the same layers, networks, losses and optimisers as the textbook engine in
`nn`, optimised (one flat parameter buffer per network, reused output arrays, in-place
activations, the joined bias, a stacked ensemble axis). Knows nothing of GANs.

    layer.py      Layer, the base class: the rules every layer follows (reused arrays, in place)
    layers.py     Linear (forward(x), backward(grad_y) -> grad_x) and the registry of layer types
    activations.py  ReLU, LeakyReLU, Tanh, Sigmoid, Softplus, Identity
    network.py    Sequential, with one flat parameter buffer per network
    mlp.py        MLP, the multilayer perceptron built on Sequential
    losses.py     bce_with_logits, mse: each returns (value, gradient)
    optim.py      SGD (momentum, Nesterov), Adam, RMSProp on the flat buffer
    conv.py       Conv2d and ConvTranspose2d on (batch, channels, height, width), im2col / col2im
    im2col.py     the blocked im2col / col2im of stride-2 kernels: space-to-depth, channels last
    norm.py       BatchNorm1d, BatchNorm2d (training and evaluation modes, running statistics)
    shape.py      Flatten and Reshape between dense and convolutional layers
"""

from nn.fast.layers import Identity, Layer, LeakyReLU, Linear, ReLU, Sigmoid, Softplus, Tanh
from nn.fast.network import Sequential
from nn.fast.mlp import MLP
from nn.fast.conv import Conv2d, ConvTranspose2d
from nn.fast.norm import BatchNorm1d, BatchNorm2d
from nn.fast.shape import Flatten, Reshape

__all__ = ["Layer", "Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softplus", "Identity",
           "Sequential", "MLP", "Conv2d", "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d",
           "Flatten", "Reshape"]
