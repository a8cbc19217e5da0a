"""The base class of every layer, and the rules all layers follow.

A layer's `forward(x)` caches what its backward needs; `backward(grad_y) -> grad_x`.

Conventions shared by every layer
- x has shape (..., batch, features); elementwise layers accept any shape.
- `backward(grad_y, param_grads=True)` returns dL/dx for the latest forward. With
  param_grads=True it also SETS (overwrites, never accumulates) each gradient `grad_<name>` of the
  parameters listed in `parameter_names`; with param_grads=False those are left untouched.
- Gradients are written in place (`out=`) into the existing `grad_<name>` arrays, because a
  Sequential rebinds them to views of one flat buffer; write parameters in place too
  (`layer.W[...] = ...`), never rebind them.
- The cached input is a reference, not a copy: do not modify x in place between forward and
  backward.
- A layer whose `skips_input_grad` is True (Linear, Conv2d, ConvTranspose2d) also takes
  `backward(grad_y, param_grads, input_grad=False)`: it then sets its parameter gradients but
  does not compute dL/dx, and returns None. A Sequential asks this of its first layer with
  parameters when its caller does not need dL/dx (G's noise z, D's data x) and runs no layer
  before it, so no product is spent on a gradient nobody reads.

Reused output arrays (the rule that keeps the hot path free of allocations)
- While a Sequential runs its layers it sets their `reuse_outputs` flag. A flagged layer writes its
  forward output y and its backward output dL/dx into arrays it owns, one per (name, shape, dtype),
  and overwrites them at its next call on the same shape. Such an array is only ever handed to the
  neighbouring layer of the same network, which uses it before it is written again; the Sequential
  returns copies to its caller. A layer called directly (`layer.forward(x)`) is not flagged and
  returns fresh arrays, so whatever a caller holds is never overwritten behind its back.
- Arrays over OUTPUT_REUSE_LIMIT elements per stacked member are always fresh (one allocation is
  then negligible next to the arithmetic, and evaluations on 10^5 samples do not pin memory), and
  a layer keeps at most OUTPUT_REUSE_SHAPES shapes (training alternates a few; the oldest is
  dropped first).

In-place work (the rule that keeps the hot path's memory small)
- A layer whose `fresh_outputs` is True (Linear) returns, forward and backward, an array it keeps
  no reference to and that only the next layer sees. A Sequential therefore lets the layer after
  it overwrite its input (`overwrite_input`) and the layer before it overwrite the incoming
  dL/dy (`overwrite_grad`) while it runs them: LeakyReLU and ReLU then compute y in the array x
  and dL/dx in the array dL/dy, as PyTorch's inplace=True does. The numbers are the same; what
  changes is the memory a step touches (an MLP's activations no longer need arrays of their own),
  and at these sizes memory, not arithmetic, sets the pace. A layer called directly never works
  in place.
"""

import math

import numpy as np

OUTPUT_REUSE_LIMIT = 2**17      # elements: 1 MiB of float64, e.g. a batch of 2048 x 64 units
OUTPUT_REUSE_SHAPES = 8


class Layer:
    """Base class: a differentiable map y = f(x) with parameters named in `parameter_names`."""

    parameter_names = ()
    buffer_names = ()   # state that is saved but not trained (BatchNorm's running statistics)
    training = True     # Sequential.train() / eval() set it; only layers such as BatchNorm read it
    reuse_outputs = 0       # set by a Sequential while it runs the layer: its member count, or 0
    _reused_outputs = None  # {(name, shape, dtype): array}, made on first use
    fresh_outputs = False   # forward's y and backward's dL/dx are arrays no one else holds
    overwrite_input = False     # set by a Sequential: the layer before has fresh outputs
    overwrite_grad = False      # set by a Sequential: the layer after has fresh outputs
    skips_input_grad = False    # backward takes input_grad=False (see the conventions above)

    def _output(self, name, shape, dtype):
        """The array an output goes into: this layer's own reused array, or a fresh one."""
        if not self.reuse_outputs:
            return np.empty(shape, dtype)
        arrays = self._reused_outputs
        key = (name, shape, dtype)
        if arrays is not None and key in arrays:   # the hot path: one lookup (kept only if small)
            return arrays[key]
        if math.prod(shape) > OUTPUT_REUSE_LIMIT * self.reuse_outputs:
            return np.empty(shape, dtype)
        if arrays is None:
            arrays = self._reused_outputs = {}
        if len(arrays) >= OUTPUT_REUSE_SHAPES:
            del arrays[next(iter(arrays))]
        array = arrays[key] = np.empty(shape, dtype)
        return array

    def _elementwise_output(self, name, x, *others, dtype=None):
        """For an elementwise layer: its reused output array of x's shape, or None (NumPy then
        allocates, as an unflagged call does) unless x and `others` are floats of one dtype."""
        if not self.reuse_outputs or x.dtype.kind != "f" or any(o.dtype != x.dtype for o in others):
            return None
        return self._output(name, x.shape, x.dtype if dtype is None else np.dtype(dtype))

    def _in_place_output(self, x):
        """For an elementwise layer's forward: x itself when the running Sequential allows
        writing over it (see "In-place work" above), else `_elementwise_output("y", x)`."""
        if self.reuse_outputs and self.overwrite_input and x.dtype.kind == "f":
            return x
        return self._elementwise_output("y", x)

    def _in_place_grad(self, grad_y, *others):
        """For an elementwise layer's backward whose result mixes grad_y with `others`: grad_y
        itself when the running Sequential allows writing over it and all are floats of one
        dtype, else `_elementwise_output("grad_x", grad_y, *others)`."""
        if (self.reuse_outputs and self.overwrite_grad and grad_y.dtype.kind == "f"
                and all(other.dtype == grad_y.dtype for other in others)):
            return grad_y
        return self._elementwise_output("grad_x", grad_y, *others)

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_y, param_grads=True):
        raise NotImplementedError

    def config(self):
        """Architecture as a JSON-serialisable dict
        {"type": class name, **constructor arguments}."""
        return {"type": type(self).__name__}

    def __repr__(self):
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "type")
        return f"{type(self).__name__}({arguments})"
