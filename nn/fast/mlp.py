"""MLP, the players of the game, on the fast engine: a Sequential of Linear layers and
activations whose parameters share the network's flat buffer (see nn.fast.network), with the
stacked ensemble axis (`stack=E`, `MLP.stacked`, `member`)."""

import numpy as np

from nn.checks import activation_factory, float_dtype
from nn.init import validate_init
from nn.fast.layers import ACTIVATIONS, Layer, LeakyReLU, Linear, ReLU, layer_from_config
from nn.fast.network import NETWORK_CLASSES, Sequential


class MLP(Sequential):
    """Multilayer perceptron: h_0 = x, h_i = a(h_{i-1} W_i + b_i), y = a_out(h_{L-1} W_L + b_L).

    sizes = [in, hidden..., out]. activation: "relu", "leaky_relu" (slope 0.2), "tanh", "sigmoid",
    "softplus", "identity", a parameter-free Layer (used as a template) or a factory returning one.
    output_activation=None gives raw outputs (logits). Default init: He (normal, variance
    2 / ((1 + s^2) fan_in), s the leaky slope) when the hidden activation is a (leaky) ReLU, Glorot
    uniform otherwise, for every Linear layer; init= overrides ("glorot", "he", ("normal", std)).
    stack=E builds E independent members in one set of stacked arrays (see Linear);
    `MLP.stacked(members)` stacks E existing MLPs, `member(e)` takes one out.
    """

    def __init__(self, sizes, activation="leaky_relu", output_activation=None, rng=None,
                 dtype=np.float64, init=None, stack=None, check_finite=False):
        sizes = list(sizes) if isinstance(sizes, (list, tuple)) else sizes
        if not isinstance(sizes, list) or len(sizes) < 2:
            raise ValueError(f"sizes must be a list of at least 2 layer widths, got {sizes!r}")
        for size in sizes:
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
                raise ValueError(f"sizes must hold positive integers, got {sizes!r}")
        make_activation = activation_factory(activation, "activation", ACTIVATIONS, Layer,
                                             layer_from_config)
        make_output = None
        if output_activation is not None and output_activation != "identity":
            make_output = activation_factory(output_activation, "output_activation",
                                         ACTIVATIONS, Layer, layer_from_config)
        template = make_activation()
        if init is None:
            init = "he" if isinstance(template, (ReLU, LeakyReLU)) else "glorot"
        validate_init(init)
        negative_slope = template.slope if isinstance(template, LeakyReLU) else 0.0
        dtype = float_dtype(dtype)
        layers = []
        for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(fan_in, fan_out, rng, init, dtype, stack, negative_slope))
            if index < len(sizes) - 2:
                layers.append(template if index == 0 else make_activation())
        if make_output is not None:
            layers.append(make_output())
        self.sizes = [int(size) for size in sizes]
        self.stack = stack
        self.activation_config = template.config()
        self.output_activation_config = None if make_output is None else layers[-1].config()
        super().__init__(layers, dtype=dtype, check_finite=check_finite)

    def architecture(self):
        return {"class": "MLP", "sizes": self.sizes, "activation": self.activation_config,
                "output_activation": self.output_activation_config, "stack": self.stack,
                "dtype": self.dtype.name}

    # ---- stacked members ------------------------------------------------------------------------
    @classmethod
    def stacked(cls, members):
        """One MLP whose member e holds the parameters of members[e] (E MLPs of one architecture).

        theta[e] = theta_e for every parameter; E = len(members). The stacked network computes
        what each member computes, bitwise (see Linear).
        """
        members = list(members)
        if not members or not all(isinstance(member, MLP) for member in members):
            raise TypeError(f"members must be a non-empty sequence of MLPs, got {members!r}")
        architecture = members[0].architecture()
        if architecture["stack"] is not None:
            raise ValueError(f"members must be unstacked MLPs, got stack={architecture['stack']}")
        for index, member in enumerate(members):
            if member.architecture() != architecture:
                raise ValueError(f"members[{index}] has architecture {member.architecture()}, "
                                 f"members[0] has {architecture}")
        network = cls._build(dict(architecture, stack=len(members)))
        for e, member in enumerate(members):
            for stacked_parameter, parameter in zip(network.parameters(), member.parameters()):
                stacked_parameter[e] = parameter
        return network

    def member(self, e):
        """An independent unstacked MLP holding member e's parameters: theta_e = theta[e]."""
        if self.stack is None:
            raise ValueError("member() needs a stacked MLP (stack=E), this one has stack=None")
        if isinstance(e, bool) or not isinstance(e, (int, np.integer)) or not 0 <= e < self.stack:
            raise ValueError(f"e must be an integer in [0, {self.stack}), got {e!r}")
        single = type(self)._build(dict(self.architecture(), stack=None))
        for parameter, stacked_parameter in zip(single.parameters(), self.parameters()):
            parameter[...] = stacked_parameter[e]
        return single

    @classmethod
    def _build(cls, architecture):
        output = architecture["output_activation"]
        return cls(architecture["sizes"], activation=layer_from_config(architecture["activation"]),
                   output_activation=None if output is None else layer_from_config(output),
                   init="zeros", dtype=architecture["dtype"], stack=architecture["stack"])


NETWORK_CLASSES["MLP"] = MLP
