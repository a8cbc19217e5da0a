"""Lesson 07, exercise 2: how steep each generator loss is, as a function of D(G(z)).

Checked by ``python -m gan check ex07``.
"""

from __future__ import annotations

import numpy as np


def generator_loss_slopes(D):
    """The slopes of the two generator losses in D's logit l (D = sigma(l)), per sample, as
    functions of D = D(G(z)):

        minimax          L = log(1 - D) = -softplus(l)     dL/dl = -D
        non-saturating   L = -log D = softplus(-l)         dL/dl = -(1 - D)

    (sigma' = sigma (1 - sigma)). Both point the same way; their sizes D and 1 - D are equal at
    D = 1/2 (an untrained D) and differ by a factor (1 - D) / D where D rejects the fakes.
    D: an array in (0, 1). Returns (minimax slope, non-saturating slope), arrays of D's shape."""
    # HINT: differentiate log(1 - sigma(l)) and -log sigma(l) in l; write the results with D
    # BEGIN SOLUTION
    D = np.asarray(D, dtype=np.float64)
    return -D, -(1 - D)
    # END SOLUTION
