"""Networks: Sequential, a chain of layers (MLP, the players of the game, is in nn.fast.mlp).

Parameters live in ONE flat buffer per network: when a Sequential is built it copies every
layer's parameters into `flat_params` (and gradients into `flat_grads`) and rebinds each layer's
attributes (`W`, `b`, `grad_W`, `grad_b`) to views of those buffers. An optimiser then updates all
parameters with a handful of vectorised calls on the whole buffer, and the layers see the change.
Order (also of `parameters()`, `gradients()` and `state_dict()`): layer order, and within a layer
its `parameter_names` order (W then b for Linear). A layer belongs to one network at a time.
Buffers (a layer's `buffer_names`, e.g. BatchNorm's running statistics) are saved and loaded with
the parameters, after them, but stay out of the flat buffers, so optimisers never touch them.
`train()` / `eval()` switch every layer's `training` flag (only BatchNorm reads it).
"""

import numpy as np

from nn.checkpoint import (check_values, checkpoint_errors, read_checkpoint,
                           write_checkpoint)
from nn.checks import float_dtype
from nn.fast.layers import Layer, layer_from_config

_float_dtype = float_dtype


class _LoadMethod:
    """`Net.load(path)` builds a new network from a checkpoint; `net.load(path)` loads into net
    in place."""

    def __get__(self, instance, owner):
        if instance is None:
            return owner._load_new
        return instance._load_into


class Sequential:
    """y = f_L(... f_2(f_1(x))); backward applies the chain rule from the last layer to the first.

    check_finite=True makes forward/backward reject non-finite inputs (off by default: it costs a
    pass).
    Inputs are converted to the network's dtype at the boundary, so a float32 network stays float32.
    """

    def __init__(self, layers, dtype=None, check_finite=False):
        layers = list(layers)
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{index}] must be an nn Layer, got {type(layer).__name__}")
        if len({id(layer) for layer in layers}) != len(layers):
            raise ValueError("layers must be distinct objects "
                             "(a repeated layer would overwrite its own cache)")
        dtypes = {getattr(layer, name).dtype for layer in layers for name in layer.parameter_names}
        if len(dtypes) > 1:
            raise TypeError(f"all parameters must share one dtype, got {sorted(map(str, dtypes))}")
        if dtype is None:
            dtype = dtypes.pop() if dtypes else np.float64
        self.dtype = _float_dtype(dtype)
        if dtypes and dtypes != {self.dtype}:
            raise TypeError(f"dtype={self.dtype} does not match the layers' parameters "
                            f"({dtypes.pop()})")
        self.layers = layers
        for index, layer in enumerate(layers):     # see "In-place work" in nn.fast.layer
            layer.overwrite_input = index > 0 and layers[index - 1].fresh_outputs
            layer.overwrite_grad = index + 1 < len(layers) and layers[index + 1].fresh_outputs
        self.check_finite = bool(check_finite)
        self._first_with_parameters = next(
            (layer for layer in layers if layer.parameter_names), None)
        self._pack_parameters()
        self.train()

    def _pack_parameters(self):
        slots = [(index, layer, name) for index, layer in enumerate(self.layers)
                 for name in layer.parameter_names]
        total = sum(getattr(layer, name).size for _, layer, name in slots)
        self.flat_params = np.empty(total, dtype=self.dtype)
        self.flat_grads = np.zeros(total, dtype=self.dtype)
        self._names, self._parameters, self._gradients = [], [], []
        offset = 0
        for index, layer, name in slots:
            value = getattr(layer, name)
            parameter = self.flat_params[offset:offset + value.size].reshape(value.shape)
            gradient = self.flat_grads[offset:offset + value.size].reshape(value.shape)
            parameter[...] = value
            setattr(layer, name, parameter)
            setattr(layer, "grad_" + name, gradient)
            self._names.append(f"{index}.{name}")
            self._parameters.append(parameter)
            self._gradients.append(gradient)
            offset += value.size
        buffer_slots = [(index, layer, name) for index, layer in enumerate(self.layers)
                        for name in layer.buffer_names]
        self._buffer_names = [f"{index}.{name}" for index, _, name in buffer_slots]
        self._buffers = [getattr(layer, name) for _, layer, name in buffer_slots]

    def train(self, mode=True):
        """Training mode (mode=True) or evaluation mode (mode=False) for every layer;
        returns self."""
        self.training = bool(mode)
        for layer in self.layers:
            layer.training = self.training
        return self

    def eval(self):
        """Evaluation mode: BatchNorm normalises with its running statistics. Returns self."""
        return self.train(False)

    # ---- computation -------------------------------------------------------------------------
    def _boundary(self, array, name):
        array = np.asarray(array, dtype=self.dtype)
        if self.check_finite and not np.isfinite(array).all():
            bad = np.argwhere(~np.isfinite(array))
            raise ValueError(f"{name} must be finite, got {len(bad)} non-finite entries "
                             f"(first at index {tuple(int(i) for i in bad[0])})")
        return array

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
        nn.fast.layer). The flag holds the number of stacked members (1 unstacked), so the size
        limit on reused arrays applies per member."""
        members = getattr(self, "stack", None) or 1
        for layer in self.layers:
            layer.reuse_outputs = members if reuse else 0

    def zero_grad(self):
        self.flat_grads.fill(0)

    # ---- parameters --------------------------------------------------------------------------
    def parameter_names(self):
        """Names "<layer index>.<parameter>", e.g. ["0.W", "0.b", "2.W", "2.b"],
        in the fixed order."""
        return list(self._names)

    def parameters(self):
        """Views into flat_params, in layer order, W then b."""
        return list(self._parameters)

    def gradients(self):
        """Views into flat_grads, in the order of parameters()."""
        return list(self._gradients)

    def state_dict(self):
        """{name: copy} of the parameters in the order of parameters(), then of the buffers."""
        return {name: array.copy() for name, array in zip(self._names + self._buffer_names,
                                                          self._parameters + self._buffers)}

    def load_state_dict(self, state):
        """Copy parameters from `state` (names and shapes must match exactly) into the flat
        buffer."""
        names, arrays = self._names + self._buffer_names, self._parameters + self._buffers
        missing = [name for name in names if name not in state]
        unexpected = [name for name in state if name not in names]
        if missing or unexpected:
            raise ValueError(f"state does not match the network: missing {missing}, "
                             f"unexpected {unexpected}")
        for name, parameter in zip(names, arrays):
            value = np.asarray(state[name])
            if value.shape != parameter.shape:
                raise ValueError(f"state[{name!r}] has shape {value.shape}, "
                                 f"the network expects {parameter.shape}")
            if not np.issubdtype(value.dtype, np.floating):
                raise TypeError(f"state[{name!r}] must hold floats, got dtype {value.dtype}")
        for name, parameter in zip(names, arrays):
            parameter[...] = state[name]

    # ---- architecture, copies, checkpoints -----------------------------------------------------
    def architecture(self):
        """JSON-serialisable description from which the network can be rebuilt."""
        return {"class": "Sequential", "layers": [layer.config() for layer in self.layers],
                "dtype": self.dtype.name}

    @classmethod
    def from_architecture(cls, architecture):
        """A network of the described shape with zero parameters (a checkpoint fills them)."""
        expected = architecture.get("class")
        network_class = NETWORK_CLASSES.get(expected)
        if network_class is None or not issubclass(network_class, cls):
            raise ValueError(f"architecture describes a {expected!r}, "
                             f"which is not a {cls.__name__}")
        return network_class._build(architecture)

    @classmethod
    def _build(cls, architecture):
        dtype = architecture["dtype"]
        return cls([layer_from_config(config, dtype) for config in architecture["layers"]],
                   dtype=dtype)

    def copy(self, dtype=None):
        """An independent network with the same architecture, parameters and gradients (no caches).

        dtype converts the copy (e.g. a float64 twin of a float32 network for a gradient check).
        """
        architecture = self.architecture()
        if dtype is not None:
            architecture["dtype"] = _float_dtype(dtype).name
        twin = type(self).from_architecture(architecture)
        twin.flat_params[...] = self.flat_params
        twin.flat_grads[...] = self.flat_grads
        for buffer, value in zip(twin._buffers, self._buffers):
            buffer[...] = value
        twin.check_finite = self.check_finite
        twin.train(self.training)
        return twin

    def save(self, path):
        """Write parameters and architecture to a .npz checkpoint (format: nn.checkpoint)."""
        return write_checkpoint(path, self.architecture(), self.state_dict())

    @staticmethod
    def _read_checkpoint(path, allow_non_finite=False):
        return read_checkpoint(path, allow_non_finite=allow_non_finite)

    @classmethod
    def _load_new(cls, path, allow_non_finite=False):
        architecture, state = cls._read_checkpoint(path, allow_non_finite)
        with checkpoint_errors(path):                      # errors name the file
            network = cls.from_architecture(architecture)
            network.load_state_dict(state)
        return network

    def _load_into(self, path, allow_non_finite=False):
        architecture, state = self._read_checkpoint(path, allow_non_finite)
        ours = self.architecture()
        if {**architecture, "dtype": None} != {**ours, "dtype": None}:
            raise ValueError(f"checkpoint {path} holds architecture {architecture}, "
                             f"this network is {ours}")
        with checkpoint_errors(path):                      # values must fit this network's dtype
            check_values(state, self.dtype.name, allow_non_finite)
        self.load_state_dict(state)
        return self

    load = _LoadMethod()
    load.__doc__ = ("Net.load(path) -> new network; "
                    "net.load(path) loads into net in place and returns it; "
                    "allow_non_finite=True also loads NaN or inf weights.")

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}([\n  {inner}\n], dtype={self.dtype.name})"



# The classes `Sequential.from_architecture` can build, by the name a checkpoint records; each
# network class adds itself (nn.fast.mlp adds MLP when nn.fast is imported).
NETWORK_CLASSES = {"Sequential": Sequential}
