"""Lesson 24, exercise 1: extragradient on the bilinear game V = theta psi.

Checked by ``python -m gan check ex24``.
"""

from __future__ import annotations

import numpy as np


def extragradient_map(h):
    """The matrix of one extragradient step on the bilinear game's field v(w) = J w,
    J = [[0, -1], [1, 0]] (w = (theta, psi); G descends V in theta, D ascends it in psi):
    w~ = w + h J w, w' = w + h J w~ = (I + hJ + (hJ)^2) w = ((1 - h^2) I + hJ) w, as J^2 = -I.
    Returns a 2 x 2 array."""
    # HINT: I + hJ + (hJ)^2 with J = [[0, -1], [1, 0]]
    # BEGIN SOLUTION
    J = np.array([[0.0, -1.0], [1.0, 0.0]])
    return np.eye(2) + h * J + (h * J) @ (h * J)
    # END SOLUTION


def extragradient_factor(h):
    """The factor |w'|^2 / |w|^2 of one extragradient step, the same for every w != 0: J w is
    orthogonal to w and as long, so |w'|^2 = ((1 - h^2)^2 + h^2) |w|^2 = (1 - h^2 + h^4) |w|^2.
    Below 1 (the iterates spiral in) exactly for 0 < h < 1; simultaneous steps give 1 + h^2.
    Returns a float."""
    # HINT: |(1 - h^2) w + h J w|^2 / |w|^2, with J w orthogonal to w and as long
    # BEGIN SOLUTION
    return 1 - h**2 + h**4
    # END SOLUTION
