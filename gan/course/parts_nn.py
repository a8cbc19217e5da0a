"""Parts linear_backward, activations, sequential_backward, losses and adam: the textbook engine's
gradients against finite differences, its losses against their direct formulas, and Adam against
the equations of Kingma & Ba (2015) written out here.

Finite differences are central, (f(a + h) - f(a - h)) / 2h with h = 1e-6: for the smooth maps
graded here the truncation error h^2 f''' / 6 and the rounding error ~1e-16 / h are both near
1e-10, far below the tolerance 1e-6 (relative) that every comparison allows.
"""

from __future__ import annotations

import numpy as np

from gan.course.grading import finite_differences

RTOL = 1e-6            # finite differences against an analytic gradient
ATOL = 1e-8


def _draws(seed):
    return np.random.default_rng(seed)


# ---- linear_backward ----------------------------------------------------------------------
def check_linear_backward(grader):
    from nn import layers

    draw = _draws(1)
    layer = layers.Linear(4, 3, rng=draw)
    layer.W[...] = draw.normal(size=(4, 3))
    layer.b[...] = draw.normal(size=3)
    x = draw.normal(size=(5, 4))
    R = draw.normal(size=(5, 3))           # L = sum(R * y): dL/dy = R

    def loss():
        return np.sum(R * layer.forward(x))

    with grader.property("forward: y = x W + b") as prop:
        prop.close(layer.forward(x), x @ layer.W + layer.b, "y", "x W + b", name="y")
    with grader.property("dL/dW = x^T dL/dy, dL/db = sum over the batch, dL/dx = dL/dy W^T, "
                         "against finite differences") as prop:
        layer.forward(x)
        grad_x = layer.backward(R)
        grad_W, grad_b = np.array(layer.grad_W), np.array(layer.grad_b)
        prop.close(grad_W, finite_differences(loss, layer.W), "dL/dW", "finite differences",
                   name="W", rtol=RTOL, atol=ATOL)
        prop.close(grad_b, finite_differences(loss, layer.b), "dL/db", "finite differences",
                   name="b", rtol=RTOL, atol=ATOL)
        prop.close(grad_x, finite_differences(loss, x), "dL/dx", "finite differences",
                   name="x", rtol=RTOL, atol=ATOL)
    with grader.property("backward sets the gradients (a second backward gives the same, it "
                         "does not add)") as prop:
        layer.forward(x)
        layer.backward(R)
        first = np.array(layer.grad_W)
        layer.backward(R)
        prop.close(layer.grad_W, first, "dL/dW after a second backward", "the first", name="W")


# ---- activations --------------------------------------------------------------------------
# f of each activation by its definition, written here
DEFINITIONS = {
    "ReLU": lambda x: np.maximum(x, 0.0),
    "LeakyReLU": lambda x: np.where(x > 0, x, 0.2 * x),
    "Tanh": np.tanh,
    "Sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "Softplus": lambda x: np.log1p(np.exp(x)),
    "Identity": lambda x: x,
}
KINK_MARGIN = 0.05      # points this close to 0 are left out: ReLU's f' jumps there


def _elementwise_derivative(f, x, h=1e-6):
    """(f(x + h) - f(x - h)) / 2h at every point of x at once (f is elementwise)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def check_activations(grader):
    from nn import activations

    x = np.linspace(-4.0, 4.0, 81)
    x = x[np.abs(x) > KINK_MARGIN]
    for name, define in DEFINITIONS.items():
        make = getattr(activations, name)
        with grader.property(f"{name}: f, f' and f'' against the definition and finite "
                             f"differences") as prop:
            layer = make()
            value, slope, curvature = layer.derivatives(x.copy())
            prop.close(value, define(x), f"{name}'s f", "its definition", name="f(x)",
                       rtol=1e-12, atol=1e-12)
            f = lambda points: layer.derivatives(points)[0]          # noqa: E731
            prop.close(slope, _elementwise_derivative(f, x), f"{name}'s f'",
                       "finite differences of f", name="f'(x)", rtol=RTOL, atol=ATOL)
            slope_of = lambda points: layer.derivatives(points)[1]    # noqa: E731
            curvature = np.zeros_like(x) if curvature is None else curvature
            prop.close(curvature, _elementwise_derivative(slope_of, x), f"{name}'s f''",
                       "finite differences of f'", name="f''(x)", rtol=1e-5, atol=1e-7)
            grad_y = np.linspace(-1.0, 1.0, x.size)
            layer.forward(x.copy())
            prop.close(layer.backward(grad_y), grad_y * _elementwise_derivative(f, x),
                       f"{name}'s backward", "f'(x) dL/dy by finite differences", name="dL/dx",
                       rtol=RTOL, atol=ATOL)


# ---- sequential_backward ------------------------------------------------------------------
def check_sequential_backward(grader):
    from nn import activations, layers, network

    draw = _draws(2)
    net = network.Sequential([layers.Linear(3, 5, rng=draw), activations.Tanh(),
                              layers.Linear(5, 4, rng=draw), activations.Sigmoid(),
                              layers.Linear(4, 2, rng=draw)])
    for theta in net.parameters():
        theta[...] = draw.normal(size=theta.shape)
    x = draw.normal(size=(6, 3))
    R = draw.normal(size=(6, 2))            # L = sum(R * y): dL/dy = R

    def loss():
        return np.sum(R * net.forward(x))

    with grader.property("forward: y = f_3(f_2(f_1(x))) layer by layer") as prop:
        expected = x
        for layer in net.layers:
            expected = layer.forward(expected)
        prop.close(net.forward(x), expected, "the network's output", "its layers in turn",
                   name="y", rtol=1e-12, atol=1e-12)
    with grader.property("a 3-layer network's gradients against finite differences "
                         "(every parameter and dL/dx)") as prop:
        net.forward(x)
        grad_x = net.backward(R)
        analytic = [np.array(g) for g in net.gradients()]
        for name, theta, gradient in zip(net.parameter_names(), net.parameters(), analytic):
            prop.close(gradient, finite_differences(loss, theta), f"dL/d{name}",
                       "finite differences", name=name, rtol=RTOL, atol=ATOL)
        prop.close(grad_x, finite_differences(loss, x), "dL/dx", "finite differences", name="x",
                   rtol=RTOL, atol=ATOL)


# ---- losses -------------------------------------------------------------------------------
def _log_sigmoid_direct(logits):
    """log sigma(l) = log(1 / (1 + e^-l)), the direct formula (fine for moderate |l|)."""
    return np.log(1.0 / (1.0 + np.exp(-logits)))


def _log_one_minus_sigmoid_direct(logits):
    return np.log(1.0 - 1.0 / (1.0 + np.exp(-logits)))


def check_losses(grader):
    from gan import objectives
    from nn import losses

    draw = _draws(3)
    l = draw.normal(scale=2.0, size=(7, 1))               # noqa: E741 -- the paper's logit
    t = draw.random(size=(7, 1))
    y = draw.normal(size=(7, 2))
    target = draw.normal(size=(7, 2))
    real, fake = draw.normal(scale=2.0, size=(6, 1)), draw.normal(scale=2.0, size=(5, 1))

    with grader.property("bce_with_logits = -mean[t log D + (1 - t) log(1 - D)], D = sigma(l), "
                         "and its gradient") as prop:
        value, gradient = losses.bce_with_logits(l, t)
        direct = -np.mean(t * _log_sigmoid_direct(l) + (1 - t) * _log_one_minus_sigmoid_direct(l))
        prop.close(value, direct, "bce_with_logits", "the direct formula "
                   "-mean[t log D + (1 - t) log(1 - D)]", rtol=1e-10)
        prop.close(gradient, finite_differences(lambda: losses.bce_with_logits(l, t)[0], l),
                   "dBCE/dl", "finite differences", name="l", rtol=RTOL, atol=ATOL)
    with grader.property("bce_with_logits stays exact at |l| = 800 (the logit form)") as prop:
        big = np.array([[800.0], [-800.0]])
        value, gradient = losses.bce_with_logits(big, np.zeros_like(big))
        # t = 0: BCE = mean softplus(l) = (800 + 0) / 2; dBCE/dl = sigma(l) / N = (1/2, 0)
        prop.close(value, 400.0, "bce_with_logits at l = +-800, t = 0", "softplus's asymptote",
                   rtol=1e-12)
        prop.close(gradient, [[0.5], [0.0]], "dBCE/dl at l = +-800", "sigma(l) / N", name="l")
    with grader.property("mse = mean (y - target)^2 and its gradient") as prop:
        value, gradient = losses.mse(y, target)
        prop.close(value, np.mean((y - target) ** 2), "mse", "the direct formula "
                   "mean (y - target)^2", rtol=1e-12)
        prop.close(gradient, finite_differences(lambda: losses.mse(y, target)[0], y), "dMSE/dy",
                   "finite differences", name="y", rtol=RTOL, atol=ATOL)
    with grader.property("L_D = -[mean log D(x) + mean log(1 - D(G(z)))] and its gradients") \
            as prop:
        value, grad_real, grad_fake = objectives.discriminator_loss(real, fake)
        direct = -(np.mean(_log_sigmoid_direct(real)) + np.mean(_log_one_minus_sigmoid_direct(
            fake)))
        prop.close(value, direct, "L_D", "the direct formula -[mean log D(x) + mean log(1 - "
                   "D(G(z)))]", rtol=1e-10)
        d_loss = lambda: objectives.discriminator_loss(real, fake)[0]   # noqa: E731
        prop.close(grad_real, finite_differences(d_loss, real), "dL_D/dl_real",
                   "finite differences", name="l_real", rtol=RTOL, atol=ATOL)
        prop.close(grad_fake, finite_differences(d_loss, fake), "dL_D/dl_fake",
                   "finite differences", name="l_fake", rtol=RTOL, atol=ATOL)
    for kind, direct_formula, text in (
            ("minimax", lambda: np.mean(_log_one_minus_sigmoid_direct(fake)),
             "mean log(1 - D(G(z)))"),
            ("non_saturating", lambda: -np.mean(_log_sigmoid_direct(fake)),
             "-mean log D(G(z))")):
        with grader.property(f"L_G ({kind}) = {text} and its gradient") as prop:
            value, gradient = objectives.generator_loss(fake, kind)
            prop.close(value, direct_formula(), f"L_G ({kind})", f"the direct formula {text}",
                       rtol=1e-10)
            g_loss = lambda: objectives.generator_loss(fake, kind)[0]     # noqa: E731
            prop.close(gradient, finite_differences(g_loss, fake), f"dL_G/dl ({kind})",
                       "finite differences", name="l_fake", rtol=RTOL, atol=ATOL)
    with grader.property("the minibatch V = mean log D(x) + mean log(1 - D(G(z)))") as prop:
        direct = np.mean(_log_sigmoid_direct(real)) + np.mean(_log_one_minus_sigmoid_direct(fake))
        prop.close(objectives.value_estimate(real, fake), direct, "value_estimate",
                   "the direct formula", rtol=1e-10)


# ---- adam ---------------------------------------------------------------------------------
class _Parameters:
    """What an optimiser needs of a network: parameters() and gradients(), in one order."""

    def __init__(self, parameters):
        self.theta = parameters
        self.grads = [np.zeros_like(p) for p in parameters]

    def parameters(self):
        return self.theta

    def gradients(self):
        return self.grads


def kingma_ba(theta, gradients, lr, beta1, beta2, eps):
    """Adam by the paper's Algorithm 1 (Kingma & Ba 2015), one parameter array, step by step:
    m_t = b1 m + (1 - b1) g;  v_t = b2 v + (1 - b2) g^2;  m_hat = m_t / (1 - b1^t);
    v_hat = v_t / (1 - b2^t);  theta_t = theta - lr m_hat / (sqrt(v_hat) + eps).
    Returns theta after each step."""
    m, v, history = np.zeros_like(theta), np.zeros_like(theta), []
    for t, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append(theta)
    return history


def check_adam(grader):
    from nn import optim

    draw = _draws(4)
    steps = 3
    for lr, betas in ((1e-2, (0.9, 0.999)), (3e-3, (0.5, 0.9))):
        start = [draw.normal(size=(2, 3)), draw.normal(size=3)]
        gradients = [[draw.normal(size=p.shape) for _ in range(steps)] for p in start]
        with grader.property(f"{steps} steps of Adam (lr = {lr:g}, betas = {betas}) follow "
                             f"Kingma & Ba's m, v, m_hat, v_hat") as prop:
            holder = _Parameters([p.copy() for p in start])
            optimizer = optim.Adam(holder, lr=lr, betas=betas, eps=1e-8)
            expected = [kingma_ba(p, g, lr, *betas, 1e-8) for p, g in zip(start, gradients)]
            for t in range(steps):
                for index, theta in enumerate(holder.parameters()):
                    holder.grads[index] = gradients[index][t].copy()
                optimizer.step()
                for index, theta in enumerate(holder.parameters()):
                    prop.close(theta, expected[index][t], f"theta after step {t + 1}",
                               "Kingma & Ba's update", name=f"parameters()[{index}]",
                               rtol=1e-10, atol=1e-12)
    with grader.property("bias correction: the first step moves every parameter by lr, "
                         "against its gradient's sign (m_hat = g, v_hat = g^2 at t = 1)") as prop:
        lr = 1e-3
        theta = draw.normal(size=5)
        holder = _Parameters([theta.copy()])
        holder.grads[0] = draw.normal(size=5)
        optimizer = optim.Adam(holder, lr=lr, betas=(0.9, 0.999), eps=1e-8)
        optimizer.step()
        g = holder.grads[0]
        prop.close(holder.parameters()[0] - theta, -lr * g / (np.abs(g) + 1e-8),
                   "the first step", "-lr g / (|g| + eps)", name="step", rtol=1e-8, atol=1e-14)

