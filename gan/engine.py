"""Which engine a run uses: "textbook" (nn and rng.Generator, what a learner reads, the default)
or "fast" (nn.fast and rng.fast.Generator, their optimised subclasses): the players' classes and
the random stream they are trained on, which is bitwise the same in both. Both have the same protocol, so the game,
Algorithm 1 and the variants run on either; tests/test_gan_engine.py holds the two equal on 20
iterations. Only the fast engine has stacked members (gan.lab.ensemble): asking it of "textbook"
is an error.
"""

from types import SimpleNamespace

ENGINES = ("textbook", "fast")


def engine(name):
    """The classes of engine `name`: MLP, Sequential, Linear, the activations (also by name in
    ``ACTIVATIONS``), conv, norm and shape layers, MinibatchDiscrimination, SGD, Adam, RMSProp,
    and the random Generator (as attributes of one namespace)."""
    if name == "fast":
        import nn.fast as layers
        from nn.fast import optim
        from nn.fast.activations import ACTIVATIONS
        from nn.fast.minibatch_discrimination import MinibatchDiscrimination
        from rng.fast import Generator
    elif name == "textbook":
        import nn as layers
        from nn import optim
        from nn.activations import ACTIVATIONS
        from nn.minibatch_discrimination import MinibatchDiscrimination
        from rng import Generator
    else:
        raise ValueError(f"engine must be one of {ENGINES}, got {name!r}")
    classes = {attribute: getattr(layers, attribute) for attribute in layers.__all__}
    classes.update(ACTIVATIONS=ACTIVATIONS, MinibatchDiscrimination=MinibatchDiscrimination,
                   SGD=optim.SGD, Adam=optim.Adam, RMSProp=optim.RMSProp, Generator=Generator)
    return SimpleNamespace(name=name, **classes)


def engine_of(network):
    """The name of the engine a network (or layer) belongs to, from its class's module."""
    return "fast" if type(network).__module__.startswith("nn.fast") else "textbook"


def require_fast(name, what):
    """ValueError unless engine `name` is "fast" (`what` needs the stacked axis)."""
    if name != "fast":
        raise ValueError(f"{what} runs on the fast engine only (stacked members), "
                         f"got engine={name!r}")


def assign_parameters(network, vector):
    """theta <- vector, laid out as flat_params (layer order, W then b), written into each
    parameter array in place: the same on both engines (nn.fast's arrays are views of its flat
    buffer, nn's flat_params is a read-only copy)."""
    offset = 0
    for theta in network.parameters():
        theta[...] = vector[offset:offset + theta.size].reshape(theta.shape)
        offset += theta.size


def add_to_gradients(network, vector):
    """dL/dtheta += vector (laid out as flat_params), in place in each gradient array."""
    offset = 0
    for gradient in network.gradients():
        gradient += vector[offset:offset + gradient.size].reshape(gradient.shape)
        offset += gradient.size


def assign_gradients(network, vector):
    """dL/dtheta <- vector (laid out as flat_grads), in place in each gradient array: the same
    on both engines, like assign_parameters."""
    offset = 0
    for gradient in network.gradients():
        gradient[...] = vector[offset:offset + gradient.size].reshape(gradient.shape)
        offset += gradient.size
