"""Optimisers of the textbook engine: each `step()` updates every parameter of a network from its
gradient, one parameter at a time, with the quantities named as in the papers.

They work with any network that has `parameters()` and `gradients()` (lists of arrays in one
order). The parameters are updated in place (theta -= ...), so the layers see the change.
`lr` may be changed between steps (learning-rate schedules are set from outside); lr = 0 is
allowed and freezes the parameters. The fast engine's optimisers (nn.fast.optim) are
subclasses that rewrite `step()` on one flat buffer; the constructors and checks are these.
"""

import numpy as np

from nn.checks import fraction, positive_number


class Optimizer:
    """What every optimiser has: the network, a learning rate lr >= 0, and a step counter t."""

    def __init__(self, network, lr):
        self._check_network(network)
        self.network = network
        self.lr = lr
        self.t = 0

    @property
    def lr(self):
        """Learning rate, a number >= 0."""
        return self._lr

    @lr.setter
    def lr(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
                or not value >= 0:
            raise ValueError(f"lr must be a number >= 0, got {value!r}")
        self._lr = float(value)

    @staticmethod
    def _check_network(network):
        """TypeError unless `network` has what step() reads: parameters() and gradients()."""
        if not callable(getattr(network, "parameters", None)) or \
                not callable(getattr(network, "gradients", None)):
            raise TypeError(f"network must have parameters() and gradients(), "
                            f"got {type(network).__name__}")

    def _zeros(self):
        """One array of zeros per parameter: the optimiser's state starts at 0."""
        return [np.zeros_like(theta) for theta in self.network.parameters()]

    def step(self):
        self.t += 1
        pairs = zip(self.network.parameters(), self.network.gradients())
        for index, (theta, g) in enumerate(pairs):
            self.update(index, theta, g)

    def update(self, index, theta, g):
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum, in PyTorch's formulation:

    v <- mu v + g;   theta <- theta - lr v                 (classical momentum)
    v <- mu v + g;   theta <- theta - lr (g + mu v)        (nesterov=True)
    Sutskever et al. (2013)'s momentum with the velocity rescaled by 1/lr; mu = 0 is plain
    theta <- theta - lr g.
    """

    def __init__(self, network, lr, momentum=0.0, nesterov=False):
        super().__init__(network, lr)
        self.momentum = fraction("momentum", momentum)
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum in (0, 1), got momentum=0")
        self.nesterov = bool(nesterov)
        self.velocity = self._zeros()

    def update(self, index, theta, g):
        if self.momentum == 0:
            theta -= self.lr * g
            return
        mu = self.momentum
        v = self.velocity[index] = mu * self.velocity[index] + g
        theta -= self.lr * (g + mu * v) if self.nesterov else self.lr * v


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1), with the paper's bias correction:

    m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
    m_hat = m / (1 - b1^t);   v_hat = v / (1 - b2^t)
    theta <- theta - lr m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(self, network, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(network, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.beta1 = fraction("betas[0]", betas[0])
        self.beta2 = fraction("betas[1]", betas[1])
        self.eps = positive_number("eps", eps)
        self.m = self._zeros()      # first moment (mean) of g, one array per parameter
        self.v = self._zeros()      # second raw moment of g

    def update(self, index, theta, g):
        b1, b2, t = self.beta1, self.beta2, self.t
        # HINT: m, v: means of g, g^2; hats / (1 - b^t); theta -= lr m_hat/(sqrt(v_hat)+eps)
        # BEGIN SOLUTION
        m = self.m[index] = b1 * self.m[index] + (1 - b1) * g
        v = self.v[index] = b2 * self.v[index] + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        theta -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        # END SOLUTION


class RMSProp(Optimizer):
    """RMSProp (Tieleman & Hinton 2012, Lecture 6e), with a decay alpha (as in PyTorch):

    s <- alpha s + (1 - alpha) g^2;   theta <- theta - lr g / (sqrt(s) + eps)
    """

    def __init__(self, network, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(network, lr)
        self.alpha = fraction("alpha", alpha)
        self.eps = positive_number("eps", eps)
        self.square_average = self._zeros()

    def update(self, index, theta, g):
        alpha = self.alpha
        s = self.square_average[index] = alpha * self.square_average[index] + (1 - alpha) * g**2
        theta -= self.lr * (g / (np.sqrt(s) + self.eps))
