"""The course's autograder: ``python -m gan check [PART ...] [--json FILE]``.

An instructor hands students a copy of this project with the textbook code blanked out (each
solution replaced by ``raise NotImplementedError(...)``) and grades what they write, part by
part, against the theory -- finite differences, closed forms, the equations of the papers
written into the check, scipy, statistical tests -- never against stored answers. Run from the
root of the student's copy, it grades the `rng`, `nn` and `gan` importable there.

    lcg                  x_{i+1} = (a x_i + c) mod m; the period m under Hull-Dobell
    box_muller           moments, a KS test against N(0, 1), z1 and z2 uncorrelated
    linear_backward      dL/dW, dL/db, dL/dx against finite differences
    activations          f' and f'' of every activation against finite differences
    sequential_backward  a 3-layer network's gradients against finite differences
    losses               the logit-form losses against the direct formulas; their gradients
    adam                 3 steps against Kingma & Ba's m, v, m_hat, v_hat; bias correction
    optimal_discriminator  D* = p_data / (p_data + p_g), and perturbing it lowers V
    value_and_jsd        C(G) = -log 4 + 2 JSD, JSD against scipy, V(D*) = C(G), KL
    pushforward          p_g of G(z) integrates to 1 and matches a histogram (chi-square, KS)
    algorithm1           one iteration equals a NumPy re-implementation from the same seed
    wgan_gp_penalty      the penalty's gradient against finite differences
    ex01 ... ex25        the lessons' exercises (exercises/), graded when named or as `exercises`

`gan.course.grading` holds the machinery (properties, parts, scores), `gan.course.gradescope`
Gradescope's results.json, and `gan.course.parts_*` the checks. Each check imports the student's
rng, nn and gan inside itself, not at the top of its module, so that a module that does not
import fails its own parts and no others (this hides no import circle: nothing but
`gan.cli.check` imports gan.course). In a course, grade with the instructor's copy of gan/course
put over the student's, so that the grader itself is not the student's to edit.
"""

from gan.course.grading import Part, PartResult, run_part, run_parts, score_table
from gan.course.parts import PARTS, select

__all__ = ["PARTS", "Part", "PartResult", "run_part", "run_parts", "score_table", "select"]
