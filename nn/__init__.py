"""A neural-network kit with hand-written gradients (no autograd). Knows nothing of GANs.

    layers.py     Linear and the activations: forward(x) and backward(grad_y) -> grad_x
    network.py    Sequential and MLP, with one flat parameter buffer per network
    losses.py     bce_with_logits, mse: each returns (value, gradient)
    optim.py      SGD (momentum, Nesterov), Adam, RMSProp on the flat buffer
    init.py       Glorot, He, normal initialisers from an explicit generator
    gradcheck.py  central finite differences: gradcheck, check_network, check_layer
"""

from nn.layers import Identity, Layer, LeakyReLU, Linear, ReLU, Sigmoid, Softplus, Tanh
from nn.network import MLP, Sequential

__all__ = ["Layer", "Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softplus", "Identity",
           "Sequential", "MLP"]
