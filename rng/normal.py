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
    v = 1 - u1, uniform on (0, 1] (and exact for the generators' uniforms, which are
    multiples of 2^-53), so the logarithm never sees 0: at u1 = 0 the radius is
    sqrt(-2 ln 1) = 0. Hence z1^2 + z2^2 = -2 ln(1 - u1) and atan2(z2, z1) = 2 pi u2
    (mod 2 pi). Broadcasts u1 against u2; returns two float64 arrays of independent
    standard normals.
    """
    u1 = _check_uniforms("u1", u1)
    u2 = _check_uniforms("u2", u2)
    # HINT: z1 = sqrt(-2 ln(1 - u1)) cos(2 pi u2), z2 = sqrt(-2 ln(1 - u1)) sin(2 pi u2)
    # BEGIN SOLUTION
    radius = np.sqrt(-2.0 * np.log(1.0 - u1))
    angle = 2.0 * np.pi * u2
    return radius * np.cos(angle), radius * np.sin(angle)
    # END SOLUTION


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


def box_muller_reduced(u1, u2):
    """Box-Muller as the generators evaluate it: z1 = r cos theta, z2 = r sin theta for
    r = sqrt(-2 ln(1 - u1)) and theta = 2 pi u2, with the cosine and sine found from one sine
    on [-pi/4, pi/4], where it needs no argument reduction and where cos = sqrt(1 - sin^2)
    has no cancellation. Write theta = pi + q pi/2 + alpha with q = rint(4 u2 - 2) in
    {-2, ..., 2} and alpha = (pi/2)(4 u2 - 2 - q) in [-pi/4, pi/4]. With A = -cos(q pi/2) =
    |q| - 1 and B = -sin(q pi/2) = q (|q| - 2) for these integers q, the angle-sum formulas give
        cos theta = A cos alpha - B sin alpha,    sin theta = B cos alpha + A sin alpha.

    Agrees with `box_muller` to rounding (a few ulps); `rng.Generator.standard_normal` is
    defined by this evaluation, and `box_muller_into` repeats it bitwise, in place. No checks:
    the generators call it with uniforms they made.
    """
    radius = np.sqrt(np.log(1.0 - u1) * -2.0)         # r = sqrt(-2 ln v), v = 1 - u1 in (0, 1]
    shifted = u2 * 4.0 - 2.0                          # 4 u2 - 2 in [-2, 2), exact
    q = np.rint(shifted)
    alpha = (shifted - q) * (np.pi / 2)               # alpha in [-pi/4, pi/4]
    sin_alpha = np.sin(alpha)
    cos_alpha = np.sqrt(1.0 - sin_alpha * sin_alpha)
    r_cos, r_sin = cos_alpha * radius, sin_alpha * radius
    A, B = np.abs(q) - 1.0, (np.abs(q) - 2.0) * q
    return A * r_cos - B * r_sin, B * r_cos + A * r_sin


def box_muller_into(u1, u2, z1, z2, scratch):
    """`box_muller_reduced` arranged for speed -- the same operations on the same values, so
    bitwise the same numbers -- in place: writes z1 = r cos theta (len(u1) values) and
    z2 = r sin theta (the first len(z2) <= len(u1) values), using `scratch`, a (5, len(u1))
    float64 array, for its work. No checks.
    """
    radius, q, A, r_sin, r_cos = scratch
    n_sine = len(z2)
    np.subtract(1.0, u1, out=radius)                   # v = 1 - u1 in (0, 1]
    np.log(radius, out=radius)
    np.multiply(radius, -2.0, out=radius)
    np.sqrt(radius, out=radius)                        # r = sqrt(-2 ln v)
    angle = r_cos                                      # (its space is free until later)
    np.multiply(u2, 4.0, out=angle)
    np.subtract(angle, 2.0, out=angle)                 # 4 u2 - 2 in [-2, 2), exact
    np.rint(angle, out=q)                              # q
    np.subtract(angle, q, out=angle)
    np.multiply(angle, np.pi / 2, out=angle)           # alpha in [-pi/4, pi/4]
    np.sin(angle, out=r_sin)                           # sin alpha
    np.multiply(r_sin, r_sin, out=r_cos)
    np.subtract(1.0, r_cos, out=r_cos)
    np.sqrt(r_cos, out=r_cos)                          # cos alpha = sqrt(1 - sin^2 alpha)
    np.multiply(r_cos, radius, out=r_cos)              # r cos alpha
    np.multiply(r_sin, radius, out=r_sin)              # r sin alpha
    np.abs(q, out=A)
    np.subtract(A, 2.0, out=radius)
    B = np.multiply(radius, q, out=q)                  # B = q (|q| - 2)
    np.subtract(A, 1.0, out=A)                         # A = |q| - 1
    product = radius
    np.multiply(A, r_cos, out=z1)
    np.multiply(B, r_sin, out=product)
    np.subtract(z1, product, out=z1)                   # z1 = r cos theta
    np.multiply(B[:n_sine], r_cos[:n_sine], out=z2)
    np.multiply(A[:n_sine], r_sin[:n_sine], out=product[:n_sine])
    np.add(z2, product[:n_sine], out=z2)               # z2 = r sin theta
