"""A neural-network kit with hand-written gradients (no autograd). Knows nothing of GANs.

Two engines, one protocol (forward; backward(grad_y, param_grads=..., input_grad=...);
parameters() and gradients(); zero_grad; state_dict / load_state_dict; train / eval; copy;
save / load; an optimiser's step() and lr):

    nn/        the TEXTBOOK engine, what a learner reads first, each idea written once:
      layers.py       Layer, Linear (y = x W + b and its three gradients) and the layer registry
      activations.py  ReLU, LeakyReLU, Tanh, Sigmoid, Softplus, Identity: f, f', f''
      network.py      Sequential (loops forward, loops back) and MLP
      optim.py        SGD (momentum, Nesterov), Adam (m, v, m_hat, v_hat), RMSProp, per parameter
      losses.py       bce_with_logits, mse in logit form
      conv.py         Conv2d, ConvTranspose2d, from the definition (a sum over kernel offsets)
      norm.py         BatchNorm1d, BatchNorm2d
      shape.py        Flatten, Reshape
      minibatch_discrimination.py   MinibatchDiscrimination (Salimans et al. 2016)
    and what both engines share:
      init.py         Glorot, He, normal initialisers from an explicit generator
      checks.py       argument checks
      checkpoint.py   the .npz checkpoint format: a network saved by either engine loads into
                      the other
      gradcheck.py    central finite differences: gradcheck, check_network, check_layer
      threads.py      one BLAS thread inside training loops
    nn/fast/   the FAST engine: the same files again, each class a subclass of its textbook twin
               that overrides only what it optimises (one flat parameter buffer per network,
               reused and in-place arrays, the joined bias) and adds what only it has (a stacked
               ensemble axis, per-member learning rates). tests/test_nn_parity.py holds it equal
               to this one; lessons/23_making_it_fast.py goes from one to the other step by step.
"""

from nn.activations import Identity, LeakyReLU, ReLU, Sigmoid, Softplus, Tanh
from nn.conv import Conv2d, ConvTranspose2d
from nn.layers import Layer, Linear
from nn.minibatch_discrimination import MinibatchDiscrimination
from nn.network import MLP, Sequential
from nn.norm import BatchNorm1d, BatchNorm2d
from nn.shape import Flatten, Reshape

__all__ = ["Layer", "Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "Softplus", "Identity",
           "Sequential", "MLP", "Conv2d", "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d",
           "Flatten", "Reshape", "MinibatchDiscrimination"]
