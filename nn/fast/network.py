"""Networks of the fast engine: Sequential and MLP, subclasses of their textbook twins in
nn.network (constructor checks, state_dict, architecture, copy, save and load are written there).

What changes is where the parameters live: in ONE flat buffer per network. When a Sequential is
built it copies every layer's parameters into `flat_params` (and gradients into `flat_grads`)
and rebinds each layer's attributes (`W`, `b`, `grad_W`, `grad_b`) to views of those buffers. An
optimiser then updates all parameters with a handful of vectorised calls on the whole buffer
(nn.fast.optim), and the layers see the change. The order is the textbook's: layer order, and
within a layer its `parameter_names` (W then b for Linear). A layer belongs to one network at a
time. Buffers (BatchNorm's running statistics) stay out of the flat buffers, so optimisers never
touch them. The passes run the layers with reused output arrays and in-place work (the rules in
nn.fast.layers), and the MLP has the stacked ensemble axis (`stack=E`, `MLP.stacked`, `member`).
"""

import numpy as np

import nn.network as textbook
from nn.fast.activations import ACTIVATIONS
from nn.fast.layers import Layer, Linear, member_count


class Sequential(textbook.Sequential):
    """y = f_L(... f_2(f_1(x))), the textbook Sequential with its parameters in one flat buffer.

    check_finite=True makes forward/backward reject non-finite inputs (off by default: it costs a
    pass).
    """

    layer_class = Layer
    network_classes = {}     # this engine's: from_architecture builds fast networks
    flat_params = None       # here plain arrays, the buffers themselves (set when built),
    flat_grads = None        # not the textbook's read-only copies

    def __init__(self, layers, dtype=None, check_finite=False):
        super().__init__(layers, dtype, check_finite)
        layers = self.layers
        for index, layer in enumerate(layers):     # see "In-place work" in nn.fast.layers
            layer.overwrite_input = index > 0 and layers[index - 1].fresh_outputs
            layer.overwrite_grad = index + 1 < len(layers) and layers[index + 1].fresh_outputs
        self._first_with_parameters = next(
            (layer for layer in layers if layer.parameter_names), None)
        self._pack_parameters()

    def _pack_parameters(self):
        slots = [(layer, name) for layer in self.layers for name in layer.parameter_names]
        total = sum(getattr(layer, name).size for layer, name in slots)
        self.flat_params = np.empty(total, dtype=self.dtype)
        self.flat_grads = np.zeros(total, dtype=self.dtype)
        self._parameters, self._gradients = [], []
        offset = 0
        for layer, name in slots:
            value = getattr(layer, name)
            parameter = self.flat_params[offset:offset + value.size].reshape(value.shape)
            gradient = self.flat_grads[offset:offset + value.size].reshape(value.shape)
            parameter[...] = value
            setattr(layer, name, parameter)
            setattr(layer, "grad_" + name, gradient)
            self._parameters.append(parameter)
            self._gradients.append(gradient)
            offset += value.size

    # ---- the two passes, through reused arrays ----------------------------------------------
    def forward(self, x):
        """y = f_L(... f_1(x)), caching what backward needs."""
        y = self._boundary(x, "x")
        self._reuse_outputs(True)
        try:
            for layer in self.layers:
                y = layer.forward(y)
        finally:
            self._reuse_outputs(False)
        return y.copy()      # the caller's own array: the layers will overwrite theirs

    __call__ = forward

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """dL/dx = J_1^T ... J_L^T dL/dy; with param_grads, SETS every parameter gradient
        (no accumulation). With input_grad=False the caller has no use for dL/dx (G's noise,
        D's data): None is returned, the layers before the first with parameters are not run,
        and that layer, if it can (`Layer.skips_input_grad`), leaves out the product that would
        compute its dL/dx."""
        grad = self._boundary(grad_y, "grad_y")
        # Without input_grad, the chain stops at the first layer with parameters: the layers
        # before it (a Flatten in front of a classifier's Linear) have no gradients to set, and
        # what it would return, dL/dx of its input, is wanted by no one.
        first = self._first_with_parameters if not input_grad else None
        self._reuse_outputs(True)
        try:
            for layer in reversed(self.layers):
                if layer is first:
                    if layer.skips_input_grad:
                        return layer.backward(grad, param_grads, input_grad=False)   # None
                    layer.backward(grad, param_grads)
                    return None
                grad = layer.backward(grad, param_grads)
        finally:
            self._reuse_outputs(False)
        return grad.copy() if input_grad else None

    def _reuse_outputs(self, reuse):
        """Let the layers write into their own output arrays while this network runs them (see
        nn.fast.layers). The flag holds the number of stacked members (1 unstacked), so the size
        limit on reused arrays applies per member."""
        members = getattr(self, "stack", None) or 1
        for layer in self.layers:
            layer.reuse_outputs = members if reuse else 0

    def zero_grad(self):
        self.flat_grads.fill(0)

    # ---- parameters: views of the flat buffers -------------------------------------------------
    def parameters(self):
        """Views into flat_params, in layer order, W then b."""
        return list(self._parameters)

    def gradients(self):
        """Views into flat_grads, in the order of parameters()."""
        return list(self._gradients)


class MLP(textbook.MLP, Sequential):
    """The textbook MLP (same arguments, same weights drawn, same architecture) on the fast
    engine's layers, with one more argument: stack=E builds E independent members in one set of
    stacked arrays (see nn.fast.layers.Linear); `MLP.stacked(members)` stacks E existing MLPs,
    `member(e)` takes one out.
    """

    activations = ACTIVATIONS

    def __init__(self, sizes, activation="leaky_relu", output_activation=None, rng=None,
                 dtype=np.float64, init=None, check_finite=False, stack=None):
        self.stack = member_count(stack)
        super().__init__(sizes, activation, output_activation, rng, dtype, init, check_finite)

    def _linear(self, fan_in, fan_out, rng, init, dtype, negative_slope):
        return Linear(fan_in, fan_out, rng, init, dtype, negative_slope, stack=self.stack)

    def architecture(self):
        architecture = super().architecture()
        if self.stack is not None:     # an unstacked MLP's architecture is the textbook one
            architecture["stack"] = self.stack
        return architecture

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
        if architecture.get("stack") is not None:
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
