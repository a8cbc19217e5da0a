"""The parts of the course, in its order, with their points (`PARTS`), and `select`."""

from __future__ import annotations

from gan.course import parts_nn, parts_rng, parts_theory, parts_training
from gan.course.grading import Part

PARTS = {part.name: part for part in (
    Part("lcg", 5, "x_{i+1} = (a x_i + c) mod m; the period is m under Hull-Dobell",
         parts_rng.check_lcg),
    Part("box_muller", 5, "N(0, 1)'s moments, a KS test, z1 and z2 uncorrelated",
         parts_rng.check_box_muller),
    Part("linear_backward", 10, "dL/dW, dL/db, dL/dx of y = x W + b against finite differences",
         parts_nn.check_linear_backward),
    Part("activations", 10, "f, f', f'' of every activation against finite differences",
         parts_nn.check_activations),
    Part("sequential_backward", 10, "a 3-layer network's gradients against finite differences",
         parts_nn.check_sequential_backward),
    Part("losses", 10, "the logit-form losses against the direct formulas; their gradients",
         parts_nn.check_losses),
    Part("adam", 10, "Adam against Kingma & Ba's equations for 3 steps; bias correction",
         parts_nn.check_adam),
    Part("optimal_discriminator", 10, "D* = p_data / (p_data + p_g) maximises V pointwise",
         parts_theory.check_optimal_discriminator),
    Part("value_and_jsd", 10, "C(G) = -log 4 + 2 JSD; JSD against scipy; V(D*) = C(G); KL",
         parts_theory.check_value_and_jsd),
    Part("pushforward", 10, "p_g of G(z) integrates to 1 and matches a histogram of G(z)",
         parts_theory.check_pushforward),
    Part("algorithm1", 15, "one iteration equals a NumPy re-implementation from the same seed",
         parts_training.check_algorithm1),
    Part("wgan_gp_penalty", 10, "the gradient penalty's gradient against finite differences",
         parts_training.check_wgan_gp_penalty),
)}


def select(names=()):
    """The parts named (all, in the course's order, for none); ValueError naming an unknown one
    and the known ones."""
    names = list(names)
    unknown = [name for name in names if name not in PARTS]
    if unknown:
        raise ValueError(f"parts must be among {list(PARTS)}, got {unknown}")
    return [PARTS[name] for name in names] if names else list(PARTS.values())
