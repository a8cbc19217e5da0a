"""The digits games' players and D step, on either engine: MLP players (BatchNorm in G,
LeakyReLU in D; Radford et al. 2016's rules where an MLP can follow them), the D update that
passes the real and the fake batch through D separately, and forward passes that leave
BatchNorm's running statistics alone (for measuring and sampling).
"""

from __future__ import annotations

from scipy.special import expit

from gan.engine import add_to_gradients
from gan.engine import engine as engine_classes
from gan.objectives import softplus


def image_discriminator_step(D, optimizer, x_real, x_fake):
    """One update of D: descend L_D = -[mean log D(x) + mean log(1 - D(G(z)))], with the real
    and the fake minibatch passed through D separately and the gradients added:
    dL_D/dtheta_d = dL/dtheta_d (real batch) + dL/dtheta_d (fake batch).

    Separate batches matter once D has BatchNorm (Radford et al. 2016's released code does the
    same): G's update shows D a batch of fakes alone, so D must be trained on fakes normalised
    by their own statistics too; in one mixed batch, fakes are normalised with the real images'
    statistics, and G's gradient in its own all-fake batch cannot see the difference in mean
    and spread that D uses (in our runs G then stayed grey). Returns ``(L_D, V estimate = -L_D)``.
    """
    m = len(x_real)
    logits_real = D.forward(x_real)
    loss_real = softplus(-logits_real).sum() / m         # -mean log D(x) = mean softplus(-l)
    # d softplus(-l)/dl = -sigma(-l); only D's parameter gradients are used, not dL/dx
    D.backward(-expit(-logits_real) / m, input_grad=False)
    grad_from_real = D.flat_grads.copy()
    logits_fake = D.forward(x_fake)
    loss_fake = softplus(logits_fake).sum() / len(x_fake)   # -mean log(1 - D(G(z)))
    D.backward(expit(logits_fake) / len(x_fake), input_grad=False)   # d softplus(l)/dl = sigma(l)
    add_to_gradients(D, grad_from_real)
    optimizer.step()
    loss = float(loss_real + loss_fake)
    return loss, -loss


def without_buffer_changes(net, x):
    """net(x) with BatchNorm's running statistics left as they were, so that measuring the
    players never changes them (the batch statistics are used, as in training)."""
    buffers = [getattr(layer, name) for layer in net.layers for name in layer.buffer_names]
    saved = [buffer.copy() for buffer in buffers]
    y = net.forward(x)
    for buffer, value in zip(buffers, saved):
        buffer[...] = value
    return y


def mlp_generator(sizes, activation, rng, dtype, engine="fast"):
    """G(z) = tanh(W_L a(... a(z W_1 + b_1) ...) + b_L): hidden activation a, Tanh output;
    layers of ``engine`` ("textbook" or "fast")."""
    nn = engine_classes(engine)
    hidden = {"relu": nn.ReLU, "leaky_relu": nn.LeakyReLU}
    if activation not in hidden:
        raise ValueError(f"activation must be one of {tuple(hidden)}, got {activation!r}")
    layers = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(fan_in, fan_out, rng, init="he", dtype=dtype),
                   nn.BatchNorm1d(fan_out, dtype=dtype), hidden[activation]()]
    layers += [nn.Linear(sizes[-2], sizes[-1], rng, init="glorot", dtype=dtype), nn.Tanh()]
    return nn.Sequential(layers)


def mlp_discriminator(sizes, rng, dtype, engine="fast"):
    """D(x) = logit: LeakyReLU(0.2) hidden layers, a linear last layer; layers of ``engine``."""
    nn = engine_classes(engine)
    layers = []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(fan_in, fan_out, rng, init="he", dtype=dtype, negative_slope=0.2),
                   nn.LeakyReLU(0.2)]
    layers.append(nn.Linear(sizes[-2], sizes[-1], rng, init="glorot", dtype=dtype))
    return nn.Sequential(layers)
