"""Parts algorithm1 and wgan_gp_penalty: one iteration of Algorithm 1 against a NumPy
re-implementation written here (as lesson 06 writes it), and WGAN-GP's hand-derived double
backward against finite differences of a penalty computed here.

Nothing is stored: the expected numbers are computed from the same seed on every run.
"""

from __future__ import annotations

import copy

import numpy as np
from scipy.special import expit as sigmoid

from gan.course.grading import finite_differences

# ---- the activations, written here: f and f' ------------------------------------------------
ACTIVATIONS = {
    "softplus": (lambda a: np.logaddexp(0.0, a), sigmoid),
    "tanh": (np.tanh, lambda a: 1.0 - np.tanh(a) ** 2),
    "leaky_relu": (lambda a: np.where(a > 0, a, 0.2 * a), lambda a: np.where(a > 0, 1.0, 0.2)),
    "identity": (lambda a: a, np.ones_like),
}
CLASS_TO_ACTIVATION = {"Softplus": "softplus", "Tanh": "tanh", "LeakyReLU": "leaky_relu",
                       "Identity": "identity"}


def mlp_forward(params, x, activation):
    """h_{i+1} = f(h_i W_i + b_i) for [W_1, b_1, W_2, b_2, ...], the last layer linear.
    Returns the h_i (x first, the output last) and the pre-activations a_i."""
    f = ACTIVATIONS[activation][0]
    hs, pre = [x], []
    for i in range(0, len(params), 2):
        pre.append(hs[-1] @ params[i] + params[i + 1])
        hs.append(f(pre[-1]) if i + 2 < len(params) else pre[-1])
    return hs, pre


def mlp_backward(params, hs, pre, grad, activation):
    """The chain rule back through `mlp_forward`: ([dL/dW_1, dL/db_1, ...], dL/dx)."""
    slope = ACTIVATIONS[activation][1]
    grads = []
    for i in reversed(range(0, len(params), 2)):
        if i + 2 < len(params):
            grad = grad * slope(pre[i // 2])                   # dL/da = dL/dh f'(a)
        grads[:0] = [hs[i // 2].T @ grad, grad.sum(axis=0)]    # dL/dW = h^T dL/da, dL/db
        grad = grad @ params[i].T                              # dL/dh_prev = dL/da W^T
    return grads, grad


def adam_step(params, grads, state, lr, t, beta1, beta2, eps=1e-8):
    """Kingma & Ba: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
    theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)."""
    for theta, g, m, v in zip(params, grads, state["m"], state["v"]):
        m[...] = beta1 * m + (1 - beta1) * g
        v[...] = beta2 * v + (1 - beta2) * g * g
        theta -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)


def raw_iteration(config, G_params, D_params, rng):
    """One iteration of Algorithm 1 in plain NumPy, drawing from `rng` in the game's order:
    k times (m examples x ~ p_data, m noise samples z ~ p_z, one Adam step of D down
    L_D = mean s(-l_real) + mean s(l_fake)), then m fresh z and one Adam step of G down L_G.
    Updates the parameter lists in place; returns (L_D of the last D step, L_G)."""
    m, (beta1, beta2) = config.batch_size, config.betas
    zeros = lambda params: {"m": [np.zeros_like(p) for p in params],   # noqa: E731
                            "v": [np.zeros_like(p) for p in params]}
    state_d, state_g = zeros(D_params), zeros(G_params)
    softplus = lambda a: np.logaddexp(0.0, a)                          # noqa: E731
    for t in range(1, config.k + 1):
        x = config.target.sample(m, rng)
        z = config.p_z.sample(m, rng)
        x_fake = mlp_forward(G_params, z, config.g_activation)[0][-1]
        hs, pre = mlp_forward(D_params, np.concatenate([x, x_fake]), config.d_activation)
        logit = hs[-1]
        d_loss = float(np.mean(softplus(-logit[:m])) + np.mean(softplus(logit[m:])))
        grad_logit = np.concatenate([-sigmoid(-logit[:m]), sigmoid(logit[m:])]) / m
        grads, _ = mlp_backward(D_params, hs, pre, grad_logit, config.d_activation)
        adam_step(D_params, grads, state_d, config.lr_d, t, beta1, beta2)
    z = config.p_z.sample(m, rng)
    g_hs, g_pre = mlp_forward(G_params, z, config.g_activation)
    d_hs, d_pre = mlp_forward(D_params, g_hs[-1], config.d_activation)
    logit = d_hs[-1]
    if config.g_loss == "minimax":            # L_G = mean log(1 - D) = -mean s(l)
        g_loss, grad_logit = float(-np.mean(softplus(logit))), -sigmoid(logit) / m
    else:                                     # L_G = -mean log D = mean s(-l)
        g_loss, grad_logit = float(np.mean(softplus(-logit))), -sigmoid(-logit) / m
    _, grad_x = mlp_backward(D_params, d_hs, d_pre, grad_logit, config.d_activation)
    grads, _ = mlp_backward(G_params, g_hs, g_pre, grad_x, config.g_activation)
    adam_step(G_params, grads, state_g, config.lr_g, 1, beta1, beta2)
    return d_loss, g_loss


def _small_configs():
    from gan.config import GANConfig

    small = GANConfig(g_hidden=(4,), d_hidden=(6, 5), batch_size=16, steps=4, snapshot_every=0,
                      engine="textbook", lr_g=5e-3, lr_d=7e-3)
    return [small.replace(k=2, seed=11),
            small.replace(k=1, seed=3, g_loss="minimax", g_activation="tanh", betas=(0.9, 0.99))]


def _compare_players(prop, game, G_params, D_params):
    for player, network, expected in (("G", game.G, G_params), ("D", game.D, D_params)):
        for name, actual, wanted in zip(network.parameter_names(), network.parameters(),
                                        expected):
            prop.close(actual, wanted, f"{player}'s {name} after one iteration",
                       "the NumPy re-implementation", name=name, rtol=1e-9, atol=1e-12)


def check_algorithm1(grader):
    import rng as random
    from gan import train
    from gan.game import GAN

    for config in _small_configs():
        label = (f"k = {config.k}, {config.g_loss} G loss, G {config.g_activation}, "
                 f"seed {config.seed}")
        with grader.property(f"one iteration of Algorithm 1 equals the NumPy re-implementation "
                             f"({label})") as prop:
            train_rng, _ = random.Generator(config.seed).spawn(2)     # as train() splits it
            game = GAN(config, train_rng)                             # G's weights, then D's
            raw_rng = copy.deepcopy(train_rng)
            G_params = [np.array(p, dtype=np.float64) for p in game.G.parameters()]
            D_params = [np.array(p, dtype=np.float64) for p in game.D.parameters()]
            d_loss, g_loss = raw_iteration(config, G_params, D_params, raw_rng)
            got_d_loss, got_v, got_g_loss = train.iteration(game, 1, train_rng)
            prop.close(got_d_loss, d_loss, "L_D of the last D step", "the NumPy "
                       "re-implementation", rtol=1e-9)
            prop.close(got_v, -d_loss, "the minibatch V", "-L_D", rtol=1e-9)
            prop.close(got_g_loss, g_loss, "L_G", "the NumPy re-implementation", rtol=1e-9)
            _compare_players(prop, game, G_params, D_params)
        with grader.property(f"algorithm1_step on existing players does the same ({label})") \
                as prop:
            train_rng, _ = random.Generator(config.seed).spawn(2)
            game = GAN(config, train_rng)
            raw_rng = copy.deepcopy(train_rng)
            G_params = [np.array(p, dtype=np.float64) for p in game.G.parameters()]
            D_params = [np.array(p, dtype=np.float64) for p in game.D.parameters()]
            d_loss, g_loss = raw_iteration(config, G_params, D_params, raw_rng)
            got_d_loss, _, got_g_loss = train.algorithm1_step(game.G, game.D, game.opt_d,
                                                              game.opt_g, config, train_rng)
            prop.close(got_d_loss, d_loss, "L_D of the last D step", "the NumPy "
                       "re-implementation", rtol=1e-9)
            prop.close(got_g_loss, g_loss, "L_G", "the NumPy re-implementation", rtol=1e-9)
            _compare_players(prop, game, G_params, D_params)


# ---- wgan_gp_penalty ----------------------------------------------------------------------
LAMBDA = 10.0
KINK_MARGIN = 1e-3      # a LeakyReLU unit this close to 0 could switch slope inside the stencil


def _critic_layers(f):
    """[(W, b, activation name)] of an MLP critic, read off its layers."""
    pieces = []
    for layer in f.layers:
        if hasattr(layer, "W"):
            pieces.append([layer, "identity"])
        else:
            pieces[-1][1] = CLASS_TO_ACTIVATION[type(layer).__name__]
    return pieces


def critic_input_gradient(pieces, x):
    """g = df/dx per row, by the chain rule written here: u_L = 1, u_{l-1} = (u_l f_l'(a_l))
    W_l^T. Returns (g, every pre-activation)."""
    h, slopes, pre = x, [], []
    for linear, activation in pieces:
        a = h @ linear.W + linear.b
        f, slope = ACTIVATIONS[activation]
        pre.append(a)
        slopes.append(slope(a))
        h = f(a)
    u = np.ones((len(x), 1))
    for (linear, _), slope in zip(reversed(pieces), reversed(slopes)):
        u = (u * slope) @ linear.W.T
    return u, np.concatenate([a.ravel() for a in pre[:-1]])


def penalty(pieces, x_hat, lam, one_sided):
    """P = lam/m sum_i (||g_i|| - 1)^2 (Gulrajani et al. 2017, eq. 3), or with max(0, .)."""
    g, _ = critic_input_gradient(pieces, x_hat)
    excess = np.sqrt(np.sum(g * g, axis=1)) - 1
    excess = np.maximum(excess, 0) if one_sided else excess
    return lam * float(np.mean(excess**2))


def _critics():
    from nn import activations, layers, network

    draw = np.random.default_rng(8)
    smooth = network.Sequential([layers.Linear(2, 4, rng=draw), activations.Tanh(),
                                 layers.Linear(4, 3, rng=draw), activations.Softplus(),
                                 layers.Linear(3, 1, rng=draw)])
    leaky = network.Sequential([layers.Linear(2, 5, rng=draw), activations.LeakyReLU(),
                                layers.Linear(5, 1, rng=draw)])
    critics = []
    for name, f, one_sided in (("tanh-softplus critic", smooth, False),
                               ("LeakyReLU critic", leaky, False),
                               ("tanh-softplus critic, one-sided", smooth, True)):
        for theta in f.parameters():
            theta[...] = draw.normal(size=theta.shape)
        critics.append((name, f, one_sided, draw.normal(size=(6, 2))))
    return critics


def check_wgan_gp_penalty(grader):
    from gan.variants import wgan_gp

    for name, f, one_sided, x_hat in _critics():
        with grader.property(f"the penalty and ||grad_x f|| against finite differences in x "
                             f"({name})") as prop:
            pieces = _critic_layers(f)
            value, _, norms = wgan_gp.gradient_penalty(f, x_hat.copy(), lam=LAMBDA,
                                                       one_sided=one_sided)
            output = lambda: float(np.sum(_critic_output(pieces, x_hat)))     # noqa: E731
            numerical = finite_differences(output, x_hat)     # row i only moves f(x_i)
            prop.close(norms, np.sqrt(np.sum(numerical**2, axis=1)), "||grad_x f(x^)||",
                       "finite differences", name="norm", rtol=1e-6, atol=1e-8)
            prop.close(value, penalty(pieces, x_hat, LAMBDA, one_sided), "P", "lambda mean "
                       "(||g|| - 1)^2" + (" (one-sided)" if one_sided else ""), rtol=1e-9)
        with grader.property(f"dP/dtheta (the double backward) against finite differences "
                             f"({name})") as prop:
            pieces = _critic_layers(f)
            _, pre = critic_input_gradient(pieces, x_hat)
            if any(activation == "leaky_relu" for _, activation in pieces):
                prop.expect(np.abs(pre).min() > KINK_MARGIN, "the check's own critic sits on a "
                            "kink: choose another seed")
            _, flat, _ = wgan_gp.gradient_penalty(f, x_hat.copy(), lam=LAMBDA,
                                                  one_sided=one_sided)
            flat = np.asarray(flat, dtype=np.float64).ravel()
            sizes = [theta.size for theta in f.parameters()]
            if not prop.expect(flat.size == sum(sizes), f"dP/dtheta has {flat.size} entries, "
                               f"f has {sum(sizes)} parameters"):
                continue
            pieces_of = np.split(flat, np.cumsum(sizes)[:-1])
            P = lambda: penalty(pieces, x_hat, LAMBDA, one_sided)                # noqa: E731
            for parameter, theta, analytic in zip(f.parameter_names(), f.parameters(),
                                                  pieces_of):
                prop.close(analytic.reshape(theta.shape), finite_differences(P, theta),
                           f"dP/d{parameter}", "finite differences", name=parameter, rtol=1e-5,
                           atol=1e-6)


def _critic_output(pieces, x):
    h = x
    for linear, activation in pieces:
        h = ACTIVATIONS[activation][0](h @ linear.W + linear.b)
    return h
