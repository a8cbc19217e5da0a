"""Normal deviates from uniform ones: the Box-Muller transform and Marsaglia's polar method.

References
----------
G. E. P. Box and M. E. Muller, "A note on the generation of random normal deviates",
Ann. Math. Statist. 29 (1958) 610-611.
G. Marsaglia and T. A. Bray, "A convenient method for generating normal variables",
SIAM Review 6 (1964) 260-264; Knuth, TAOCP vol. 2, 3.4.1 Algorithm P.
"""

import numpy as np


def _check_uniforms(name, u):
    u = np.asarray(u, dtype=np.float64)
    outside = ~((u >= 0.0) & (u < 1.0))
    if outside.any():
        raise ValueError(f"{name} must hold uniforms in [0, 1), got {u[outside].flat[0]!r}")
    return u


def box_muller(u1, u2):
    """Box-Muller (1958): z1 = sqrt(-2 ln v) cos(2 pi u2), z2 = sqrt(-2 ln v) sin(2 pi u2).

    Takes u1, u2 in [0, 1) -- what `Generator.random` and `LCG.random` produce -- and uses
    v = 1 - u1, which is uniform on (0, 1] -- and exact for the generators' uniforms, which
    are multiples of 2^-53 -- so the logarithm never sees 0: at u1 = 0 the radius is sqrt(-2 ln 1) = 0. Hence z1^2 + z2^2 = -2 ln(1 - u1) and
    atan2(z2, z1) = 2 pi u2 (mod 2 pi). Broadcasts u1 against u2; returns two float64 arrays
    of independent standard normals.
    """
    u1 = _check_uniforms("u1", u1)
    u2 = _check_uniforms("u2", u2)
    radius = np.sqrt(-2.0 * np.log(1.0 - u1))
    angle = 2.0 * np.pi * u2
    return radius * np.cos(angle), radius * np.sin(angle)


def polar(u1, u2):
    """Marsaglia's polar method: v = 2u - 1, s = v1^2 + v2^2; where 0 < s < 1,
    z_k = v_k sqrt(-2 ln s / s) (Marsaglia and Bray 1964; Knuth 3.4.1 Algorithm P).

    Takes u1, u2 in [0, 1) of the same shape and returns (z1, z2): the pairs whose point
    (v1, v2) falls inside the unit disc (a fraction pi/4 of them on average), in their
    original order, as two 1-D arrays. No sine or cosine is needed -- the point's direction
    is uniform and its s is uniform on (0, 1) -- at the price of rejecting 21.5% of pairs.
    """
    u1 = _check_uniforms("u1", u1)
    u2 = _check_uniforms("u2", u2)
    if u1.shape != u2.shape:
        raise ValueError(f"u1 and u2 must have the same shape, got {u1.shape} and {u2.shape}")
    v1, v2 = 2.0 * u1.ravel() - 1.0, 2.0 * u2.ravel() - 1.0
    s = v1 * v1 + v2 * v2
    inside = (s > 0.0) & (s < 1.0)
    v1, v2, s = v1[inside], v2[inside], s[inside]
    factor = np.sqrt(-2.0 * np.log(s) / s)
    return v1 * factor, v2 * factor


def standard_normal_into(uniform_pairs, out):
    """Box-Muller in place for `Generator.standard_normal`: the first half of `uniform_pairs`
    (length 2k, values in [0, 1)) are the u1, the second half the u2; writes z1 (k values)
    then z2 (len(out) - k values, the rest discarded) into `out`, computing one log and one
    sqrt per pair. `uniform_pairs` is used as scratch space.
    """
    k = len(uniform_pairs) // 2
    radius, angle = uniform_pairs[:k], uniform_pairs[k:]
    np.subtract(1.0, radius, out=radius)          # v = 1 - u1 in (0, 1]
    np.log(radius, out=radius)
    np.multiply(radius, -2.0, out=radius)
    np.sqrt(radius, out=radius)                   # r = sqrt(-2 ln v)
    np.multiply(angle, 2.0 * np.pi, out=angle)    # theta = 2 pi u2
    n_sine = len(out) - k
    np.cos(angle, out=out[:k])
    np.sin(angle[:n_sine], out=out[k:])
    np.multiply(out[:k], radius, out=out[:k])             # z1 = r cos(theta)
    np.multiply(out[k:], radius[:n_sine], out=out[k:])    # z2 = r sin(theta)
    return out
