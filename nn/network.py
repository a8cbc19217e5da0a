"""Networks of the textbook engine: Sequential (a chain of layers) and MLP (the players).

Each layer keeps its own parameter arrays. The order of `parameters()`, `gradients()` and
`state_dict()` is layer order and, within a layer, its `parameter_names` (W then b), then the
buffers (BatchNorm's running statistics); the names are "<layer index>.<name>", e.g. "0.W".
The fast engine's networks (nn.fast.network) are subclasses of these with the same
architecture and names, so a checkpoint written by either engine (nn.checkpoint) loads into the
other; each network class builds the layers of its own engine (`layer_class`).
"""

import inspect

import numpy as np

from nn.activations import ACTIVATIONS, LeakyReLU, ReLU
from nn.checkpoint import (CheckpointError, check_values, checkpoint_errors, read_checkpoint,
                           write_checkpoint)
from nn.checks import activation_factory, float_dtype
from nn.init import validate_init
from nn.layers import Layer, Linear


class _LoadMethod:
    """`Net.load(path)` builds a new network from a checkpoint; `net.load(path)` loads into net."""

    def __get__(self, instance, owner):
        return owner._load_new if instance is None else instance._load_into


class Sequential:
    """y = f_L(... f_2(f_1(x))); backward applies the chain rule from the last layer to the first:
    dL/dx = J_1^T ... J_L^T dL/dy.

    Inputs are converted to the network's dtype at the boundary (a float32 network stays
    float32); check_finite=True makes forward/backward reject non-finite inputs.
    """

    layer_class = Layer     # the base class of the layers a network holds (and their registry)
    network_classes = {}    # the network classes from_architecture builds, by name

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.network_classes[cls.__name__] = cls

    def __init__(self, layers, dtype=None, check_finite=False):
        self.layers = list(layers)
        for index, layer in enumerate(self.layers):
            if not (isinstance(layer, self.layer_class)
                    and layer.layer_types is self.layer_class.layer_types):
                raise TypeError(f"layers[{index}] must be a Layer of {self.layer_class.__module__}"
                                f", got {type(layer).__module__}.{type(layer).__name__}")
        if len({id(layer) for layer in self.layers}) != len(self.layers):
            raise ValueError("layers must be distinct objects "
                             "(a repeated layer would overwrite its own cache)")
        dtypes = {getattr(layer, name).dtype
                  for layer in self.layers for name in layer.parameter_names}
        if len(dtypes) > 1 or (dtype is not None and dtypes and dtypes != {np.dtype(dtype)}):
            raise TypeError(f"all parameters must share one dtype (dtype={dtype}), "
                            f"got {sorted(map(str, dtypes))}")
        self.dtype = float_dtype(dtype if dtype is not None else
                                 (dtypes.pop() if dtypes else np.float64))
        self.check_finite = bool(check_finite)
        self.train()

    def train(self, mode=True):
        """Training mode (True) or evaluation mode (False) for every layer; returns self."""
        self.training = bool(mode)
        for layer in self.layers:
            layer.training = self.training
        return self

    def eval(self):
        """Evaluation mode: BatchNorm normalises with its running statistics. Returns self."""
        return self.train(False)

    def _boundary(self, array, name):
        array = np.asarray(array, dtype=self.dtype)
        if self.check_finite and not np.isfinite(array).all():
            bad = np.argwhere(~np.isfinite(array))
            raise ValueError(f"{name} must be finite, got {len(bad)} non-finite entries "
                             f"(first at index {tuple(int(i) for i in bad[0])})")
        return array

    # ---- the two passes ----------------------------------------------------------------------
    def forward(self, x):
        """y = f_L(... f_1(x)): each layer in turn, each keeping what its backward needs."""
        y = self._boundary(x, "x")
        for layer in self.layers:
            y = layer.forward(y)
        return y

    __call__ = forward

    def backward(self, grad_y, param_grads=True, input_grad=True):
        """The chain rule from the last layer to the first; with param_grads every layer SETS its
        parameter gradients. input_grad=False: the caller has no use for dL/dx (G's noise, D's
        data), so the first layer is not asked for it and None is returned."""
        grad = self._boundary(grad_y, "grad_y")
        # HINT: chain rule, last layer to first: each backward maps dL/dy to dL/dx
        # BEGIN SOLUTION
        for index in reversed(range(len(self.layers))):
            needed = index > 0 or input_grad
            grad = self.layers[index].backward(grad, param_grads, input_grad=needed)
        # END SOLUTION
        return grad if input_grad else None

    # ---- parameters --------------------------------------------------------------------------
    def _slots(self, names_of):
        return [(f"{index}.{name}", layer, name) for index, layer in enumerate(self.layers)
                for name in names_of(layer)]

    def _state_slots(self):
        return (self._slots(lambda layer: layer.parameter_names)
                + self._slots(lambda layer: layer.buffer_names))

    def parameter_names(self):
        """Names "<layer index>.<parameter>", e.g. ["0.W", "0.b", "2.W", "2.b"]."""
        return [key for key, _, _ in self._slots(lambda layer: layer.parameter_names)]

    def parameters(self):
        """Each layer's parameter arrays (the layers' own), in the order of parameter_names()."""
        return [getattr(layer, name) for _, layer, name in
                self._slots(lambda layer: layer.parameter_names)]

    def gradients(self):
        """dL/dtheta of the latest backward, in the order of parameters()."""
        return [getattr(layer, "grad_" + name) for _, layer, name in
                self._slots(lambda layer: layer.parameter_names)]

    def zero_grad(self):
        for _, layer, name in self._slots(lambda layer: layer.parameter_names):
            setattr(layer, "grad_" + name, np.zeros_like(getattr(layer, name)))

    @property
    def flat_params(self):
        """All parameters as one read-only vector, in the order of parameters() (a copy: the
        parameters live in their layers). Assigning a vector writes it into the parameters."""
        return self._vector(self.parameters())

    @flat_params.setter
    def flat_params(self, vector):
        self._scatter(vector, [(layer, name) for _, layer, name in
                               self._slots(lambda layer: layer.parameter_names)])

    @property
    def flat_grads(self):
        """All gradients as one read-only vector (a copy); assigning writes them back."""
        return self._vector(self.gradients())

    @flat_grads.setter
    def flat_grads(self, vector):
        self._scatter(vector, [(layer, "grad_" + name) for _, layer, name in
                               self._slots(lambda layer: layer.parameter_names)])

    def _vector(self, arrays):
        vector = np.concatenate([a.ravel() for a in arrays] or [np.empty(0, self.dtype)])
        vector.flags.writeable = False
        return vector

    def _scatter(self, vector, targets):
        vector = np.asarray(vector)
        sizes = [getattr(layer, name).size for layer, name in targets]
        if vector.shape != (sum(sizes),):
            raise ValueError(f"expected a vector of {sum(sizes)} entries, got shape {vector.shape}")
        for (layer, name), piece in zip(targets, np.split(vector, np.cumsum(sizes)[:-1])):
            getattr(layer, name)[...] = piece.reshape(getattr(layer, name).shape)

    def state_dict(self):
        """{name: copy} of the parameters in the order of parameters(), then of the buffers."""
        return {key: getattr(layer, name).copy() for key, layer, name in self._state_slots()}

    def load_state_dict(self, state):
        """Copy arrays from `state` (names and shapes must match exactly) into the layers."""
        slots = self._state_slots()
        missing = [key for key, _, _ in slots if key not in state]
        unexpected = sorted(set(state) - {key for key, _, _ in slots})
        if missing or unexpected:
            raise ValueError(f"state does not match the network: missing {missing}, "
                             f"unexpected {unexpected}")
        for key, layer, name in slots:
            value = np.asarray(state[key])
            if value.shape != getattr(layer, name).shape:
                raise ValueError(f"state[{key!r}] has shape {value.shape}, "
                                 f"the network expects {getattr(layer, name).shape}")
            if not np.issubdtype(value.dtype, np.floating):
                raise TypeError(f"state[{key!r}] must hold floats, got dtype {value.dtype}")
        for key, layer, name in slots:
            getattr(layer, name)[...] = state[key]

    # ---- architecture, copies, checkpoints -----------------------------------------------------
    def architecture(self):
        """JSON-serialisable description from which the network can be rebuilt."""
        return {"class": "Sequential", "layers": [layer.config() for layer in self.layers],
                "dtype": self.dtype.name}

    @classmethod
    def from_architecture(cls, architecture):
        """A network of the described shape with zero parameters (a checkpoint fills them)."""
        network_class = cls.network_classes.get(architecture.get("class"))
        if network_class is None or not issubclass(network_class, cls):
            raise ValueError(f"architecture describes a {architecture.get('class')!r}, "
                             f"which is not a {cls.__name__}")
        return network_class._build(architecture)

    @classmethod
    def _build(cls, architecture):
        dtype = architecture["dtype"]
        return cls([cls.layer_class.from_config(config, dtype)
                    for config in architecture["layers"]], dtype=dtype)

    def copy(self, dtype=None):
        """An independent network with the same architecture, parameters, buffers and gradients.
        dtype converts the copy (e.g. a float64 twin of a float32 network)."""
        architecture = self.architecture()
        if dtype is not None:
            architecture["dtype"] = float_dtype(dtype).name
        twin = type(self).from_architecture(architecture)
        twin.load_state_dict(self.state_dict())
        for twin_gradient, gradient in zip(twin.gradients(), self.gradients()):
            twin_gradient[...] = gradient
        twin.check_finite = self.check_finite
        return twin.train(self.training)

    def save(self, path):
        """Write parameters and architecture to a .npz checkpoint (format: nn.checkpoint)."""
        return write_checkpoint(path, self.architecture(), self.state_dict())

    @classmethod
    def _load_new(cls, path, allow_non_finite=False):
        architecture, state = read_checkpoint(path, allow_non_finite=allow_non_finite,
                                              layer_types=cls.layer_class.layer_types)
        with checkpoint_errors(path):    # the arrays fit the architecture: now build, fill
            network = cls.from_architecture(architecture)
            network.load_state_dict(state)
        return network

    def _load_into(self, path, allow_non_finite=False):
        architecture, state = read_checkpoint(path, allow_non_finite=allow_non_finite,
                                              layer_types=self.layer_class.layer_types)
        ours = self.architecture()
        if {**architecture, "dtype": None} != {**ours, "dtype": None}:
            raise CheckpointError(f"{path}: the checkpoint holds architecture "
                                  f"{architecture}, this network is {ours}"[:600])
        with checkpoint_errors(path):    # values must fit this network's dtype
            check_values(state, self.dtype.name, allow_non_finite)
            self.load_state_dict(state)
        return self

    load = _LoadMethod()
    load.__doc__ = ("Net.load(path) -> new network; net.load(path) loads into net and returns "
                    "it; allow_non_finite=True also loads NaN or inf weights.")

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"{type(self).__name__}([\n  {inner}\n], dtype={self.dtype.name})"


class MLP(Sequential):
    """Multilayer perceptron: h_0 = x, h_i = a(h_{i-1} W_i + b_i), y = a_out(h_{L-1} W_L + b_L).

    sizes = [in, hidden..., out]; activation: "relu", "leaky_relu" (slope 0.2), "tanh",
    "sigmoid", "softplus", "identity", a parameter-free Layer (a template) or a factory.
    output_activation=None gives raw outputs (logits). Default init: He (variance
    2 / ((1 + s^2) fan_in), s the leaky slope) after a (leaky) ReLU, Glorot uniform otherwise.
    The fast engine's MLP (nn.fast.network) is this constructor with its own layers (`_linear`,
    `activations`): the same arguments, the same weights drawn, the same architecture().
    """

    activations = ACTIVATIONS   # the activation layers by name, of this network's engine

    def __init__(self, sizes, activation="leaky_relu", output_activation=None, rng=None,
                 dtype=np.float64, init=None, check_finite=False):
        sizes = list(sizes) if isinstance(sizes, (list, tuple)) else sizes
        if not isinstance(sizes, list) or len(sizes) < 2 or not all(
                isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1
                for n in sizes):
            raise ValueError(f"sizes must be a list of at least 2 positive widths, got {sizes!r}")
        make_activation = activation_factory(activation, "activation", self.activations,
                                             self.layer_class, self.layer_class.from_config)
        make_output = None
        if output_activation is not None and output_activation != "identity":
            make_output = activation_factory(output_activation, "output_activation",
                                             self.activations, self.layer_class,
                                             self.layer_class.from_config)
        template = make_activation()
        if init is None:
            init = "he" if isinstance(template, (ReLU, LeakyReLU)) else "glorot"
        validate_init(init)
        slope = template.slope if isinstance(template, LeakyReLU) else 0.0
        dtype = float_dtype(dtype)
        layers = []
        for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(self._linear(fan_in, fan_out, rng, init, dtype, slope))
            if index < len(sizes) - 2:
                layers.append(template if index == 0 else make_activation())
        if make_output is not None:
            layers.append(make_output())
        self.sizes = [int(n) for n in sizes]
        self.activation_config = template.config()
        self.output_activation_config = None if make_output is None else layers[-1].config()
        super().__init__(layers, dtype=dtype, check_finite=check_finite)

    def _linear(self, fan_in, fan_out, rng, init, dtype, negative_slope):
        """The affine layer h W + b from fan_in to fan_out units."""
        return Linear(fan_in, fan_out, rng, init, dtype, negative_slope)

    def architecture(self):
        return {"class": "MLP", "sizes": self.sizes, "activation": self.activation_config,
                "output_activation": self.output_activation_config, "dtype": self.dtype.name}

    @classmethod
    def _build(cls, architecture):
        """The MLP of `architecture()` with zero weights; what else it records (beyond sizes,
        activations and dtype) must be an argument of this class's constructor."""
        arguments = {key: value for key, value in architecture.items()
                     if key not in ("class", "sizes", "activation", "output_activation")}
        unknown = [key for key in arguments if key not in inspect.signature(cls).parameters]
        if unknown:
            entries = ", ".join(f"{key}={arguments[key]!r}" for key in unknown)
            raise ValueError(f"an architecture with {entries} is not one "
                             f"{cls.__module__}.{cls.__name__} can build")
        from_config, output = cls.layer_class.from_config, architecture["output_activation"]
        return cls(architecture["sizes"], activation=from_config(architecture["activation"]),
                   output_activation=None if output is None else from_config(output),
                   init="zeros", **arguments)


Sequential.network_classes["Sequential"] = Sequential
