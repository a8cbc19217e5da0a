"""Optimisers of the fast engine: subclasses of their textbook twins in nn.optim (constructors,
checks and the learning rate are written there) whose `step()` updates a network's flat parameter
buffer in place from its flat gradients.

They work with any object that has 1-D `flat_params` and `flat_grads` arrays of one float dtype
(a Sequential/MLP). State (velocities, moments) lives in flat arrays of the same size and dtype,
so one step is a handful of whole-buffer NumPy calls with `out=`; no per-tensor loop, no upcast.
`lr` may be changed between steps (learning-rate schedules are set from outside); lr = 0 is
allowed and freezes the parameters.

Ensembles (a stacked network, an MLP with stack=E) use `MemberwiseSGD`, `MemberwiseAdam` or
`MemberwiseRMSProp`: the same updates with the `MemberLearningRates` mixin, whose `lr` may also be
a 1-D array of E learning rates, one per member. Every factor that multiplies the update is then
applied member by member (each parameter's block of the flat buffer, shape (E, ...), times the
factor's column), so member e is updated exactly (bitwise) as an optimiser with the number lr[e]
would update it alone.
"""

import numpy as np

import nn.optim as textbook


class Optimizer(textbook.Optimizer):
    """The textbook Optimizer on the flat buffers, with a scratch buffer of their size."""

    def __init__(self, network, lr):
        super().__init__(network, lr)
        self._scratch = np.empty_like(network.flat_params)

    @staticmethod
    def _check_network(network):
        """TypeError/ValueError unless `network` has 1-D flat_params and flat_grads arrays of one
        shape and dtype."""
        parameters = getattr(network, "flat_params", None)
        gradients = getattr(network, "flat_grads", None)
        if not isinstance(parameters, np.ndarray) or not isinstance(gradients, np.ndarray):
            raise TypeError(f"network must have flat_params and flat_grads arrays, "
                            f"got {type(network).__name__}")
        if (parameters.ndim != 1 or parameters.shape != gradients.shape
                or parameters.dtype != gradients.dtype):
            raise ValueError("network.flat_params and flat_grads must be 1-D arrays "
                             "of one shape and dtype")

    @textbook.Optimizer.lr.setter
    def lr(self, value):
        if isinstance(value, (np.ndarray, list, tuple)):
            raise ValueError(f"lr must be a number >= 0, got {value!r} (one rate per member of a "
                             f"stacked network: MemberwiseAdam, MemberwiseSGD, MemberwiseRMSProp)")
        textbook.Optimizer.lr.fset(self, value)

    def _zeros(self):
        """The optimiser's state: one flat array of zeros, the size of the buffer."""
        return np.zeros_like(self.network.flat_params)

    def _multiply(self, array, factor, out):
        """out = array * factor (factor: the learning rate times a number)."""
        return np.multiply(array, factor, out=out)


class SGD(textbook.SGD, Optimizer):
    """SGD with (Nesterov) momentum on the flat buffer: v <- mu v + g; theta <- theta - lr v
    (or lr (g + mu v)), as nn.optim.SGD."""

    def step(self):
        theta, g, scratch = self.network.flat_params, self.network.flat_grads, self._scratch
        self.t += 1
        if self.momentum == 0:
            self._multiply(g, self._lr, out=scratch)
            theta -= scratch
            return
        v, mu = self.velocity, self.momentum
        v *= mu
        v += g                                      # v = mu v + g
        if self.nesterov:
            np.multiply(v, mu, out=scratch)
            scratch += g                            # g + mu v
            self._multiply(scratch, self._lr, out=scratch)
        else:
            self._multiply(v, self._lr, out=scratch)
        theta -= scratch


class Adam(textbook.Adam, Optimizer):
    """Adam on the flat buffer, the bias corrections folded into two factors:
    theta <- theta - (lr / (1 - b1^t)) m / (sqrt(v / (1 - b2^t)) + eps), as nn.optim.Adam."""

    def step(self):
        theta, g, scratch = self.network.flat_params, self.network.flat_grads, self._scratch
        m, v, beta1, beta2 = self.m, self.v, self.beta1, self.beta2
        self.t += 1
        m *= beta1
        np.multiply(g, 1 - beta1, out=scratch)
        m += scratch                                # m = b1 m + (1 - b1) g
        v *= beta2
        np.multiply(g, g, out=scratch)
        scratch *= 1 - beta2
        v += scratch                                # v = b2 v + (1 - b2) g^2
        np.multiply(v, 1 / (1 - beta2**self.t), out=scratch)
        np.sqrt(scratch, out=scratch)
        scratch += self.eps                         # sqrt(v_hat) + eps
        np.divide(m, scratch, out=scratch)
        self._multiply(scratch, self._lr / (1 - beta1**self.t), out=scratch)
        # lr m_hat / (sqrt(v_hat) + eps)
        theta -= scratch


class RMSProp(textbook.RMSProp, Optimizer):
    """RMSProp on the flat buffer: s <- alpha s + (1 - alpha) g^2;
    theta <- theta - lr g / (sqrt(s) + eps), as nn.optim.RMSProp."""

    def step(self):
        theta, g, scratch = self.network.flat_params, self.network.flat_grads, self._scratch
        s, alpha = self.square_average, self.alpha
        self.t += 1
        s *= alpha
        np.multiply(g, g, out=scratch)
        scratch *= 1 - alpha
        s += scratch                                # s = alpha s + (1 - alpha) g^2
        np.sqrt(s, out=scratch)
        scratch += self.eps
        np.divide(g, scratch, out=scratch)
        self._multiply(scratch, self._lr, out=scratch)
        theta -= scratch                            # theta -= lr g / (sqrt(s) + eps)


class MemberLearningRates:
    """Mixin for an optimiser of a stacked network: `lr` is a number >= 0 or one per member (an
    array of E numbers; one whose numbers all agree is kept as that number: the same products,
    and one call per update instead of one per parameter block)."""

    _member_blocks = None     # (start, stop) of each parameter in the flat buffer

    @property
    def lr(self):
        """Learning rate: a number >= 0 or an array of one per member."""
        return self._lr

    @lr.setter
    def lr(self, value):
        if not isinstance(value, (np.ndarray, list, tuple)):
            textbook.Optimizer.lr.fset(self, value)
            return
        members = getattr(self.network, "stack", None)
        rates = np.asarray(value, dtype=np.float64)
        if members is None or rates.shape != (members,) or not np.all(rates >= 0):
            raise ValueError(f"lr as an array must hold one number >= 0 per member of a stacked "
                             f"network (stack={members}), got {value!r}")
        if self._member_blocks is None:
            stops = np.cumsum([parameter.size for parameter in self.network.parameters()])
            self._member_blocks = list(zip([0] + stops[:-1].tolist(), stops.tolist()))
        self._lr = float(rates[0]) if (rates == rates[0]).all() else rates

    def _multiply(self, array, factor, out):
        """out = array * factor, where factor is a number or an array of E numbers: each
        parameter's block of the flat buffer, seen as (E, entries per member), times factor[e]
        on row e (in the buffer's dtype, rounded as the number would be)."""
        if isinstance(factor, float):
            return np.multiply(array, factor, out=out)
        column = factor.astype(out.dtype)[:, None]
        members = len(factor)
        for start, stop in self._member_blocks:
            np.multiply(array[start:stop].reshape(members, -1), column,
                        out=out[start:stop].reshape(members, -1))
        return out


class MemberwiseSGD(MemberLearningRates, SGD):
    """SGD with one learning rate per member of a stacked network (see MemberLearningRates)."""


class MemberwiseAdam(MemberLearningRates, Adam):
    """Adam with one learning rate per member of a stacked network (see MemberLearningRates)."""


class MemberwiseRMSProp(MemberLearningRates, RMSProp):
    """RMSProp with one learning rate per member of a stacked network (see MemberLearningRates)."""
