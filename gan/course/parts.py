"""The parts of the course, in its order, with their points (`PARTS`); the lessons' exercises
(`EXERCISE_PARTS`, graded only when named, one by one or as the group ``exercises``); `select`."""

from __future__ import annotations

from gan.course import parts_exercises, parts_nn, parts_rng, parts_theory, parts_training
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

# The exercises of the lessons (exercises/lessonNN.py), a few points each. A separate group: a
# plain ``python -m gan check`` grades the textbook code above, as the course hands it out.
EXERCISE_PARTS = {part.name: part for part in (
    Part("ex01", 3, "an LCG's period by enumeration; the shortest normal of its pairs' lines",
         parts_exercises.check_ex01),
    Part("ex02", 4, "G(u) = mu + sigma Phi^{-1}(u); the polar method's pi/4 normals per uniform",
         parts_exercises.check_ex02),
    Part("ex03", 3, "a sigmoid network's gradients against finite differences",
         parts_exercises.check_ex03),
    Part("ex04", 4, "D's loss at D* is log 4 - 2 JSD; D*'s quadratic logit for two normals",
         parts_exercises.check_ex04),
    Part("ex05", 5, "the normal of least C(G) against scipy's optimiser; dC/dmu against finite "
         "differences", parts_exercises.check_ex05),
    Part("ex07", 3, "the two generator losses' slopes in D's logit against finite differences",
         parts_exercises.check_ex07),
    Part("ex24", 3, "the extragradient map on V = theta psi and its factor 1 - h^2 + h^4",
         parts_exercises.check_ex24),
    Part("ex25", 3, "the Hellinger f*(t) against a numerical sup; its divergence by quadrature",
         parts_exercises.check_ex25),
)}
GROUPS = {"exercises": tuple(EXERCISE_PARTS)}


def select(names=()):
    """The parts named, in the order named -- a name of `PARTS` or `EXERCISE_PARTS`, or
    ``exercises`` for every exercise part -- or, for none, every part of `PARTS` in the
    course's order. ValueError naming an unknown name and the known ones."""
    names = list(names)
    known = {**PARTS, **EXERCISE_PARTS}
    unknown = [name for name in names if name not in known and name not in GROUPS]
    if unknown:
        raise ValueError(f"parts must be among {list(known) + list(GROUPS)}, got {unknown}")
    if not names:
        return list(PARTS.values())
    chosen = []
    for name in names:
        for member in GROUPS.get(name, (name,)):
            if known[member] not in chosen:
                chosen.append(known[member])
    return chosen
